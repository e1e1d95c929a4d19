/*
 * efork: an "empty fork" API on Linux, after UX/RT's model (a blank, non-runnable child set up
 * through a context fd, then started by an exec inside its context). A small library usable
 * without the spawnscope driver; see docs/efork.md for where the emulation departs from the model.
 *
 * Lifecycle
 *   int ctx = efork(0);                 a child that runs no user code yet; ctx is its pidfd
 *   ectx_dup2(ctx, pipe_w, 1);          set-up calls: applied in the child, in call order
 *   ectx_chdir(ctx, "/tmp");
 *   eexecve(ctx, path, argv, envp);     start it (the context is then "started")
 *   ectx_wait(ctx, &status);            or waitid(P_PIDFD, ctx, ...), poll(ctx), pidfd_send_signal
 *   ectx_close(ctx);
 *
 * Every function returns 0 (or a documented value) on success and -1 with errno on failure.
 * A set-up call reports the errno the child got from the corresponding system call
 * ("synchronous errno"), unless deferred mode is on (ectx_defer).
 *
 * Errno values common to every call taking a context:
 *   EBADF  ctx is not a live context of this library (never created, or already closed);
 *   EBUSY  a set-up call or eexecve on a started context (after a successful eexecve);
 *   ESRCH  the unstarted child is gone (killed by a signal, e.g. SIGKILL from elsewhere).
 *
 * Threads: different contexts may be used from different threads at the same time. One context
 * must not be used by two threads at once. A context belongs to the process that created it
 * (after fork() the copy of ctx in the fork child is not a context).
 *
 * The child's parent is the thread that called efork(): the unstarted child is killed if that
 * thread exits first (PR_SET_PDEATHSIG, reset before the program starts). An unstarted
 * EFORK_EMBRYO child whose caller execs notices within about two seconds (kcmp KCMP_VM) and
 * exits; an EFORK_BLANK child sees its channel close and exits.
 *
 * Not async-signal-safe.
 */
#ifndef SPAWNSCOPE_EFORK_H
#define SPAWNSCOPE_EFORK_H

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* efork() strategies (exactly one). */
#define EFORK_EMBRYO 0u /* default: a CLONE_VM child on its own stack, parked until exec */
#define EFORK_BLANK 1u	/* a fresh address space: the child first execs the efork_blank helper */

/* Create an unstarted child and return its context fd: a pidfd (O_CLOEXEC) that can be polled
 * and passed to waitid(P_PIDFD) and pidfd_send_signal like any other. The child has an empty fd
 * table, every signal handler at SIG_DFL (SIG_IGN kept), the caller's credentials, cwd, umask,
 * rlimits, session and process group, and will start with the calling thread's signal mask
 * unless ectx_sigmask() says otherwise. flags: EFORK_EMBRYO or EFORK_BLANK.
 * Errors: EINVAL (unknown flags), ENOENT/EACCES/ENOEXEC (EFORK_BLANK: the helper cannot be
 * run, see efork_set_helper), and those of clone3/mmap/socketpair/pidfd_getfd. */
int efork(unsigned flags);

/* ---- set-up calls: each applied in the child, in call order ---------------------------- */

/* Install the caller's parent_fd at child_fd in the child (dup2 semantics: child_fd is replaced
 * if open, and is not close-on-exec). The file is captured at call time: the caller may close
 * parent_fd afterwards. EBADF: parent_fd is not open in the caller, or child_fd < 0 or beyond
 * the child's RLIMIT_NOFILE. */
int ectx_dup2(int ctx, int parent_fd, int child_fd);

/* close(child_fd) in the child. EBADF when it is not open there. */
int ectx_close_fd(int ctx, int child_fd);

/* close_range(lo, hi, 0) in the child: closes every open fd in [lo, hi]; fds that are not open
 * are not an error. EINVAL when lo > hi. */
int ectx_close_range(int ctx, unsigned lo, unsigned hi);

/* open(path, oflag, mode) in the child and place the result at child_fd (replacing whatever was
 * there). The new fd is close-on-exec only if oflag has O_CLOEXEC. The path is resolved in the
 * child (its cwd after earlier ectx_chdir calls, its umask for O_CREAT). Errors: open(2)'s. */
int ectx_open(int ctx, int child_fd, const char *path, int oflag, mode_t mode);

/* chdir(path) in the child. Errors: chdir(2)'s. */
int ectx_chdir(int ctx, const char *path);

/* setrlimit(resource, rl) in the child only (prlimit64 on itself). EINVAL: bad resource or
 * rlim_cur > rlim_max; EPERM: raising a hard limit without CAP_SYS_RESOURCE. */
int ectx_setrlimit(int ctx, int resource, const struct rlimit *rl);

/* setsid() in the child (a new session and process group). EPERM: it already leads a group. */
int ectx_setsid(int ctx);

/* setpgid(0, pgid) in the child (pgid 0: its own pid). Errors: setpgid(2)'s. */
int ectx_setpgid(int ctx, pid_t pgid);

/* umask(mask) in the child. Never fails on a live unstarted context. */
int ectx_umask(int ctx, mode_t mask);

/* The signal mask the program will start with (default: the mask of the thread that called
 * efork). Applied just before exec: until then the child keeps every signal blocked, so a
 * signal sent during set-up stays pending and never runs a handler before the program starts.
 * Never fails on a live unstarted context. */
int ectx_sigmask(int ctx, const sigset_t *mask);

/* ---- deferred mode: fewer round trips ------------------------------------------------- */

/* on != 0: later set-up calls are queued and return 0 at once (after the checks the caller's
 * side can make, e.g. EBADF for a parent_fd that is not open); they are applied in order when
 * the queue fills, at ectx_sync, or together with eexecve (one round trip for the lot). The
 * first failure stops the rest of the queue and is reported by the next ectx_sync / eexecve
 * (ectx_failed_step says which call). on == 0: flush like ectx_sync, then back to synchronous
 * calls. Returns what the flush returns. */
int ectx_defer(int ctx, int on);

/* Apply queued set-up calls now. 0, or -1 with the errno of the first failed call. */
int ectx_sync(int ctx);

/* Which call the last failure of ectx_sync/eexecve/ectx_defer belonged to: the 0-based index
 * of the set-up call counted from efork(), or -1 when the exec itself failed (or nothing did);
 * also -1, with errno EBADF, when ctx is not a context. */
long ectx_failed_step(int ctx);

/* ---- start, wait, release -------------------------------------------------------------- */

/* Apply any queued set-up, set the start signal mask, and execve(path, argv, envp) in the child.
 * 0: the program runs (it has replaced the child's image; nothing of the caller is mapped in it).
 * -1/errno: the exec (or a deferred set-up call) failed in the child; the context stays
 * unstarted and usable (more set-up, another eexecve, or ectx_close). */
int eexecve(int ctx, const char *path, char *const argv[], char *const envp[]);

/* The child's pid (also for a started context), or -1/EBADF. */
pid_t ectx_pid(int ctx);

/* waitid(P_PIDFD, ctx, WEXITED) and the result as a wait status (WIFEXITED, ...), retried on
 * EINTR. Reaps the child. For an unstarted context: waits until someone kills it. */
int ectx_wait(int ctx, int *status);

/* Release the context and its fd. Never started (or a failed exec): the child is killed with
 * SIGKILL and reaped, its stack returned; nothing remains. Started: only the context is released
 * — the program keeps running and stays the caller's child, to be reaped with waitpid(pid) unless
 * ectx_wait already did. 0, or -1/EBADF. */
int ectx_close(int ctx);

/* ---- the EFORK_BLANK helper ------------------------------------------------------------ */

/* Where EFORK_BLANK finds its helper (impls/targets/efork_blank). Order: the path given here,
 * $SPAWNSCOPE_EFORK_HELPER, <dir of /proc/self/exe>/targets/efork_blank, then
 * <that dir>/../targets/efork_blank. path NULL restores the search. 0, or -1/ENAMETOOLONG. */
int efork_set_helper(const char *path);

/* The helper path EFORK_BLANK will use: 0 and the path copied to buf, or -1/errno (ENOENT when
 * no candidate is executable, ERANGE when buf is too small). */
int efork_helper_path(char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
