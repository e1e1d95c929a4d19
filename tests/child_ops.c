/* impls/child.c on its own, in forked children: child_fd_op semantics (backend.h) and
 * child_restore_signals (handlers reset before exec when asked, SIG_IGN kept, mask
 * installed). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impls/backend.h"
#include "impls/child.h"
#include "tap.h"

static void on_signal(int sig)
{
	(void)sig;
}

/* Run fn in a forked child; its exit status is the result (0 = all good, else a code). */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int fd_dup2(void)
{
	close(250); /* this child's own table: make sure 250 is a closed fd */
	int z = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	struct spawn_fd_op to = {.kind = SPAWN_FD_DUP2, .fd = z, .newfd = 30};
	struct spawn_fd_op self = {.kind = SPAWN_FD_DUP2, .fd = z, .newfd = z};
	if (child_fd_op(&to) != 0 || !same_file(z, 30))
		return 1;
	if (fcntl(30, F_GETFD) & FD_CLOEXEC)
		return 2; /* dup2's new fd never has FD_CLOEXEC */
	if (child_fd_op(&self) != 0 || (fcntl(z, F_GETFD) & FD_CLOEXEC))
		return 3; /* fd == newfd clears FD_CLOEXEC */
	struct spawn_fd_op bad = {.kind = SPAWN_FD_DUP2, .fd = 250, .newfd = 31};
	return child_fd_op(&bad) == -EBADF ? 0 : 4;
}

static int fd_close(void)
{
	close(250);
	struct spawn_fd_op c = {.kind = SPAWN_FD_CLOSE, .fd = 250};
	int z = open("/dev/zero", O_RDONLY);
	struct spawn_fd_op cz = {.kind = SPAWN_FD_CLOSE, .fd = z};
	if (child_fd_op(&c) != 0)
		return 1; /* closing a closed fd is no error */
	if (child_fd_op(&cz) != 0 || fcntl(z, F_GETFD) != -1)
		return 2;
	return 0;
}

static int fd_open(void)
{
	/* The lowest free fd is the target: no dup3 needed, nothing left behind. */
	int low = open("/dev/null", O_RDONLY);
	close(low);
	struct spawn_fd_op at_low = {
	    .kind = SPAWN_FD_OPEN, .fd = low, .path = "/dev/zero", .oflag = O_RDONLY};
	if (child_fd_op(&at_low) != 0 || fcntl(low, F_GETFD) < 0)
		return 1;
	/* Elsewhere: the temporary fd is closed again, O_CLOEXEC carried over. */
	int probe = open("/dev/null", O_RDONLY);
	close(probe);
	struct spawn_fd_op at_40 = {
	    .kind = SPAWN_FD_OPEN, .fd = 40, .path = "/dev/zero", .oflag = O_RDONLY | O_CLOEXEC};
	if (child_fd_op(&at_40) != 0 || !(fcntl(40, F_GETFD) & FD_CLOEXEC))
		return 2;
	if (fcntl(probe, F_GETFD) != -1)
		return 3;
	struct spawn_fd_op missing = {
	    .kind = SPAWN_FD_OPEN, .fd = 41, .path = "/nonexistent/x", .oflag = O_RDONLY};
	return child_fd_op(&missing) == -ENOENT ? 0 : 4;
}

static int fd_close_from(void)
{
	int a = open("/dev/null", O_RDONLY), b = dup2(a, 60), c = dup2(a, 70);
	struct spawn_fd_op op = {.kind = SPAWN_FD_CLOSE_FROM, .fd = 60};
	if (a < 0 || b != 60 || c != 70 || child_fd_op(&op) != 0)
		return 1;
	return fcntl(60, F_GETFD) == -1 && fcntl(70, F_GETFD) == -1 && fcntl(a, F_GETFD) >= 0 ? 0
											      : 2;
}

static int fd_ops_stop(void)
{
	close(250);
	const struct spawn_fd_op ops[] = {
	    {.kind = SPAWN_FD_DUP2, .fd = 250, .newfd = 50},
	    {.kind = SPAWN_FD_OPEN, .fd = 51, .path = "/dev/null", .oflag = O_RDONLY},
	};
	if (child_fd_ops(ops, 2) != -EBADF)
		return 1;
	return fcntl(51, F_GETFD) == -1 ? 0 : 2; /* the second op never ran */
}

/* reset: the handler walk a CLONE_VM child needs; without it handlers are left to exec. */
static int restore(bool reset)
{
	struct sigaction h = {.sa_handler = on_signal}, ign = {.sa_handler = SIG_IGN}, got;
	sigset_t mask, now;
	sigaction(SIGUSR1, &h, NULL);
	sigaction(SIGTERM, &h, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	block_all_signals(&now);
	child_restore_signals(&mask, reset);
	sigaction(SIGUSR1, NULL, &got);
	if ((got.sa_handler == SIG_DFL) != reset)
		return 1;
	sigaction(SIGTERM, NULL, &got);
	if ((got.sa_handler == SIG_DFL) != reset)
		return 2;
	sigaction(SIGPIPE, NULL, &got);
	if (got.sa_handler != SIG_IGN)
		return 3;
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	if (!sigismember(&now, SIGUSR2) || sigismember(&now, SIGUSR1) || sigismember(&now, SIGINT))
		return 4;
	return 0;
}

static int restore_walk(void)
{
	return restore(true);
}

static int restore_no_walk(void)
{
	return restore(false);
}

int main(void)
{
	tap_plan(7);
	int r;
	r = in_child(fd_dup2);
	tap_ok(r == 0,
	       "DUP2 places the fd, fd == newfd clears FD_CLOEXEC, a bad source is -EBADF (%d)", r);
	r = in_child(fd_close);
	tap_ok(r == 0, "CLOSE closes, and a closed fd is no error (%d)", r);
	r = in_child(fd_open);
	tap_ok(r == 0, "OPEN lands at the target with no stray fd, keeps O_CLOEXEC, -ENOENT (%d)",
	       r);
	r = in_child(fd_close_from);
	tap_ok(r == 0, "CLOSE_FROM closes everything from its fd up (%d)", r);
	r = in_child(fd_ops_stop);
	tap_ok(r == 0, "child_fd_ops stops at the first failure with its -errno (%d)", r);
	r = in_child(restore_walk);
	tap_ok(r == 0,
	       "child_restore_signals(reset): handlers -> SIG_DFL, SIG_IGN kept, mask set (%d)", r);
	r = in_child(restore_no_walk);
	tap_ok(r == 0, "child_restore_signals(no reset): handlers left to exec, mask set (%d)", r);
	return tap_done();
}
