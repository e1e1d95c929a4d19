/* clone_start and friends (impls/clone.c): share parsing, a SHARE_THREAD worker really is a
 * thread (rlimits are per signal_struct, shared only by threads), a SHARE_FILES child shares
 * the fd table (kcmp KCMP_FILES), a plain child does not, and a pidfd comes back. */
#include <errno.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impls/backend.h"
#include "impls/clone.h"
#include "impls/rawsys.h"
#include "tap.h"

static struct rlimit thread_limit;

/* Runs as a thread: raw syscalls only (shared TLS). */
static int lower_nofile(void *arg)
{
	(void)arg;
	return raw_syscall4(SYS_prlimit64, 0, RLIMIT_NOFILE, &thread_limit, 0) == 0 ? 0 : 1;
}

/* Blocks until the parent writes a byte to the pipe read end *arg, then exits. */
static int wait_for_parent(void *arg)
{
	int fd = *(int *)arg;
	char c;
	raw_syscall3(SYS_read, fd, &c, 1);
	return 0;
}

static int files_shared_with(unsigned share, int *same)
{
	struct clone_stack st = {0};
	int p[2], status;
	int err = clone_stack_alloc(&st, 64 * 1024);
	if (err)
		return err;
	if (pipe(p) != 0) {
		clone_stack_free(&st);
		return -errno;
	}
	pid_t pid = clone_start(share, &st, wait_for_parent, &p[0], NULL);
	if (pid < 0) {
		err = pid;
	} else {
		long r = syscall(SYS_kcmp, getpid(), pid, KCMP_FILES, 0, 0);
		err = r < 0 ? -errno : 0;
		*same = r == 0;
		if (write(p[1], "x", 1) != 1 && !err)
			err = -errno;
		waitpid(pid, &status, 0);
	}
	close(p[0]);
	close(p[1]);
	clone_stack_free(&st);
	return err;
}

int main(void)
{
	unsigned share;
	const char *bad;
	tap_plan(12);

	tap_ok(share_parse("vm,files,vfork", &share, &bad) == 0 &&
		   share == (SHARE_VM | SHARE_FILES | SHARE_VFORK),
	       "share_parse vm,files,vfork");
	int perr = share_parse("vm,bogus", &share, &bad);
	tap_ok(perr == -EINVAL && bad && !strcmp(bad, "bogus"),
	       "share_parse names the bad element (%s)", bad ? bad : "(null)");
	tap_ok(share_parse("sighand", &share, &bad) == -EINVAL, "sighand without vm is refused");
	tap_ok(!strcmp(share_format(SHARE_VM | SHARE_VFORK), "vm,vfork"), "share_format: %s",
	       share_format(SHARE_VM | SHARE_VFORK));
	tap_ok(share_to_clone_flags(SHARE_DEFAULT) == (CLONE_VM | CLONE_VFORK),
	       "SHARE_DEFAULT maps to CLONE_VM|CLONE_VFORK");

	/* A thread: setrlimit inside it is seen by the parent. */
	struct rlimit before, after;
	struct clone_stack st = {0};
	getrlimit(RLIMIT_NOFILE, &before);
	thread_limit = before;
	thread_limit.rlim_cur = before.rlim_cur - 1;
	int err = clone_stack_alloc(&st, 64 * 1024);
	tap_ok(err == 0, "clone_stack_alloc: %s", strerror(-err));
	pid_t tid = clone_start(SHARE_THREAD, &st, lower_nofile, NULL, NULL);
	tap_ok(tid > 0, "clone_start(SHARE_THREAD): %s", tid > 0 ? "ok" : strerror((int)-tid));
	if (tid > 0)
		clone_join_thread(&st);
	tap_ok(st.tid_word == 0, "clone_join_thread returned after the CLEARTID wake");
	getrlimit(RLIMIT_NOFILE, &after);
	tap_ok(after.rlim_cur == before.rlim_cur - 1,
	       "thread's setrlimit seen by the parent (%lu -> %lu)", (unsigned long)before.rlim_cur,
	       (unsigned long)after.rlim_cur);
	setrlimit(RLIMIT_NOFILE, &before);
	clone_stack_free(&st);

	int same = -1;
	err = files_shared_with(SHARE_FILES, &same);
	if (err == -ENOSYS || err == -EPERM) {
		tap_skip_test(strerror(-err), "SHARE_FILES child shares the fd table (kcmp)");
		tap_skip_test(strerror(-err), "plain child has its own fd table (kcmp)");
	} else {
		tap_ok(!err && same == 1, "SHARE_FILES child shares the fd table (kcmp): %s",
		       strerror(-err));
		err = files_shared_with(SHARE_FS, &same);
		tap_ok(!err && same == 0, "SHARE_FS child has its own fd table (kcmp): %s",
		       strerror(-err));
	}

	/* A pidfd comes back through clone_start. */
	int pidfd = -1, status = -1;
	int p[2];
	if (pipe(p) == 0 && clone_stack_alloc(&st, 64 * 1024) == 0) {
		pid_t pid = clone_start(SHARE_VM, &st, wait_for_parent, &p[0], &pidfd);
		if (pid > 0) {
			struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
			int early = poll(&pfd, 1, 0);
			if (write(p[1], "x", 1) != 1)
				tap_diag("write: %s", strerror(errno));
			waitpid(pid, &status, 0);
			tap_ok(pidfd >= 0 && early == 0 && WIFEXITED(status),
			       "clone_start with pidfd: pidfd %d, not readable while alive", pidfd);
			close(pidfd);
		} else {
			tap_ok(0, "clone_start with pidfd: %s", strerror((int)-pid));
		}
		clone_stack_free(&st);
		close(p[0]);
		close(p[1]);
	} else {
		tap_ok(0, "pipe/stack: %s", strerror(errno));
	}
	return tap_done();
}
