/*
 * The code a new child runs before exec (impls/child.h). Raw system calls only: in a CLONE_VM
 * child that runs next to its parent, glibc's errno, TLS and heap belong to the parent.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "rawsys.h"
#include "impls/targets/stamp_proto.h"

/* The kernel's sigset for rt_sig* calls is 8 bytes (_NSIG / 8), not glibc's 128. */
#define KERNEL_SIGSET_SIZE 8

/* The kernel's struct sigaction (x86-64 and arm64 both have sa_restorer). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

long child_fd_op(const struct spawn_fd_op *op)
{
	long r;

	switch (op->kind) {
	case SPAWN_FD_DUP2:
		if (op->fd == op->newfd) {
			/* dup2(fd, fd) is a no-op in the kernel; POSIX 2024 has the spawn action
			 * clear FD_CLOEXEC instead, so the fd survives exec. */
			r = raw_syscall2(SYS_fcntl, op->fd, F_GETFD);
			if (r < 0)
				return r;
			if (!(r & FD_CLOEXEC))
				return 0;
			return raw_syscall3(SYS_fcntl, op->fd, F_SETFD, r & ~FD_CLOEXEC);
		}
		r = raw_syscall3(SYS_dup3, op->fd, op->newfd, 0);
		return r < 0 ? r : 0;
	case SPAWN_FD_CLOSE:
		r = raw_syscall1(SYS_close, op->fd);
		return r == -EBADF ? 0 : r;
	case SPAWN_FD_OPEN: {
		long fd = raw_syscall4(SYS_openat, AT_FDCWD, op->path, op->oflag, op->mode);
		if (fd < 0 || fd == op->fd)
			return fd < 0 ? fd : 0;
		r = raw_syscall3(SYS_dup3, fd, op->fd, op->oflag & O_CLOEXEC);
		raw_syscall1(SYS_close, fd);
		return r < 0 ? r : 0;
	}
	case SPAWN_FD_CLOSE_FROM:
		return raw_syscall3(SYS_close_range, op->fd, ~0U, 0);
	default:
		return -EINVAL;
	}
}

long child_fd_ops(const struct spawn_fd_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long r = child_fd_op(&ops[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

void child_restore_signals(const sigset_t *mask, bool reset_handlers)
{
	if (reset_handlers) {
		const struct kernel_sigaction dfl = {.handler = SIG_DFL};
		for (int sig = 1; sig <= 64; sig++) {
			struct kernel_sigaction old;
			/* SIGKILL/SIGSTOP cannot be caught; 32 and 33 are glibc's own (SIGCANCEL,
			 * SIGSETXID) and must keep glibc's handler until exec. */
			if (sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33)
				continue;
			if (raw_syscall4(SYS_rt_sigaction, sig, 0, &old, KERNEL_SIGSET_SIZE) != 0)
				continue;
			if (old.handler == SIG_DFL || old.handler == SIG_IGN)
				continue; /* SIG_IGN survives exec by POSIX; keep it */
			raw_syscall4(SYS_rt_sigaction, sig, &dfl, 0, KERNEL_SIGSET_SIZE);
		}
	}
	if (mask)
		raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, mask, 0, KERNEL_SIGSET_SIZE);
}

void child_stamp(int fd)
{
	struct stamp_msg msg;
	struct timespec ts;

	if (fd < 0)
		return;
	raw_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	msg.sec = ts.tv_sec;
	msg.nsec = ts.tv_nsec;
	msg.cpu = stamp_cpu();
	msg.reserved = 0;
	raw_syscall3(SYS_write, fd, &msg, sizeof(msg));
}

int block_all_signals(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	return -pthread_sigmask(SIG_SETMASK, &all, old);
}

int restore_signal_mask(const sigset_t *old)
{
	return -pthread_sigmask(SIG_SETMASK, old, NULL);
}

__attribute__((noreturn)) void child_run(const struct spawn_req *req, const sigset_t *mask,
					 bool reset_handlers, volatile int *err_slot)
{
	long r;

	if (!req->exec) {
		child_stamp(req->stamp_fd);
		raw_exit(0);
	}
	/* A CLONE_FILES child shares the parent's table: unshare it (unshare_files -> dup_fd)
	 * before touching fds, or the actions would land in the parent. */
	if ((req->share & SHARE_FILES) && req->n_fd_ops) {
		r = raw_syscall1(SYS_unshare, CLONE_FILES);
		if (r < 0)
			goto fail;
	}
	r = child_fd_ops(req->fd_ops, req->n_fd_ops);
	if (r < 0)
		goto fail;
	child_restore_signals(mask, reset_handlers);
	r = raw_syscall3(SYS_execve, req->path, req->argv, req->envp);
fail:
	if (err_slot)
		*err_slot = (int)r;
	raw_exit(127);
}
