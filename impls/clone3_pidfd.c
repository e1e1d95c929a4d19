/*
 * clone3-pidfd: syscall(SYS_clone3) with CLONE_PIDFD, fork-like (no CLONE_VM, no stack of
 * its own: glibc's syscall() cannot return on a fresh stack), reaped with
 * waitid(P_PIDFD). The child has its own memory and its own copy of the handlers, so it
 * neither walks the signals nor needs CLONE_CLEAR_SIGHAND: exec resets caught handlers
 * (flush_signal_handlers). Debian 12's glibc 2.36 has no clone3 wrapper. Exec errors come
 * back from reap() through an exec-error slot.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "child.h"
#include "exec_error.h"
#include "registry.h"
#include "spawn_util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern const struct spawn_backend clone3_pidfd_backend;

static long do_clone3(uint64_t flags, int *pidfd)
{
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	return syscall(SYS_clone3, &args, sizeof(args));
}

static int clone3_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	struct spawn_req copy;
	const struct spawn_req *creq = spawn_req_unshared(req, &copy);
	sigset_t mask;
	int pidfd = -1;
	int slot = exec_error_acquire();
	if (slot < 0)
		return slot;
	volatile int *err_slot = exec_error_slot(slot);
	pthread_sigmask(SIG_SETMASK, NULL, &mask);

	long pid = do_clone3(CLONE_PIDFD, &pidfd);
	if (pid == 0) /* glibc's fork handlers did not run: raw syscalls only from here */
		child_run(creq, &mask, false, err_slot); /* own memory: no handler walk */
	if (pid < 0) {
		int err = -errno;
		exec_error_release(slot);
		return err;
	}
	child->pid = (pid_t)pid;
	child->pidfd = pidfd; /* O_CLOEXEC: pidfd_create gives every pidfd O_CLOEXEC */
	child->priv[0] = (uintptr_t)slot;
	return 0;
}

static int clone3_reap(struct spawn_child *child, int *status)
{
	siginfo_t info;
	int wait_err = 0;

	memset(&info, 0, sizeof(info));
	while (waitid((idtype_t)P_PIDFD, (id_t)child->pidfd, &info, WEXITED) != 0) {
		if (errno != EINTR) {
			wait_err = -errno;
			break;
		}
	}
	if (!wait_err)
		*status = wait_status_from_siginfo(&info);
	close(child->pidfd);
	child->pidfd = -1;
	int exec_err = exec_error_release((int)child->priv[0]);
	return wait_err ? wait_err : exec_err;
}

static int clone3_available(char *why, size_t len)
{
	int err = spawn_try_noexec(&clone3_pidfd_backend, "clone3", why, len);
	if (err == -ENOSYS)
		snprintf(why, len, "clone3: %s (kernel older than 5.3?)", strerror(ENOSYS));
	else if (err == -EINVAL)
		snprintf(why, len, "clone3: CLONE_PIDFD refused: %s (kernel older than 5.2?)",
			 strerror(EINVAL));
	return err;
}

const struct spawn_backend clone3_pidfd_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "clone3-pidfd",
    .summary = "syscall(SYS_clone3) with CLONE_PIDFD, fork-like; reaped by waitid(P_PIDFD)",
    .caps = SPAWN_CAP_PIDFD | SPAWN_CAP_NOEXEC,
    .available = clone3_available,
    .spawn = clone3_spawn,
    .reap = clone3_reap,
};
SPAWN_BACKEND_REGISTER(clone3_pidfd_backend, 50)
