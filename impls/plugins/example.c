/*
 * An example spawnscope plug-in backend: posix_spawn(3), built as a shared object against
 * impls/backend.h only (no spawnscope internals):
 *
 *     cc -fPIC -shared -o libexample.so example.c        # (the Makefile does this)
 *     spawnscope run latency --backends posix-spawn,plugin:./libexample.so
 *
 * EXAMPLE_SPAWN_DELAY_NS=N (read when the plug-in is loaded) makes every spawn() busy-wait
 * N ns before calling posix_spawn: a known, injected slowdown for testing the regression
 * gate (scripts/gate-power.sh). Busy-waiting rather than sleeping keeps the delay precise:
 * a sleep would be rounded up to the scheduler's timer slack.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../backend.h"

extern char **environ;

#define DELAY_ENV "EXAMPLE_SPAWN_DELAY_NS"
#define DELAY_MAX_NS 1000000000ull /* a second: anything more is a typo */

static unsigned long long delay_ns;
static char delay_error[160]; /* set when DELAY_ENV is malformed: the backend is unavailable */

__attribute__((constructor)) static void read_delay(void)
{
	const char *s = getenv(DELAY_ENV);
	char *end;

	if (!s || !*s)
		return;
	errno = 0;
	delay_ns = strtoull(s, &end, 10);
	if (errno || *end || *s == '-' || delay_ns > DELAY_MAX_NS) {
		snprintf(delay_error, sizeof(delay_error),
			 "%s='%.40s': not a number of ns from 0 to %llu", DELAY_ENV, s,
			 DELAY_MAX_NS);
		delay_ns = 0;
	}
}

static unsigned long long mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static void busy_wait(unsigned long long ns)
{
	unsigned long long until = mono_ns() + ns;

	while (mono_ns() < until)
		__asm__ __volatile__("" ::: "memory");
}

static int add_fd_op(posix_spawn_file_actions_t *fa, const struct spawn_fd_op *op)
{
	switch (op->kind) {
	case SPAWN_FD_DUP2:
		/* glibc clears FD_CLOEXEC when fd == newfd (POSIX 2024), as backend.h asks */
		return posix_spawn_file_actions_adddup2(fa, op->fd, op->newfd);
	case SPAWN_FD_CLOSE:
		return posix_spawn_file_actions_addclose(fa, op->fd);
	case SPAWN_FD_OPEN:
		return posix_spawn_file_actions_addopen(fa, op->fd, op->path, op->oflag,
							(mode_t)op->mode);
	case SPAWN_FD_CLOSE_FROM:
		return posix_spawn_file_actions_addclosefrom_np(fa, op->fd);
	}
	return EINVAL;
}

static int example_available(char *why, size_t len)
{
	posix_spawn_file_actions_t fa;
	char *const argv[] = {"spawnscope-example-probe", NULL};
	pid_t pid;
	int rc;

	if (delay_error[0]) {
		snprintf(why, len, "%s", delay_error);
		return -EINVAL;
	}
	/* Try the primitive: a spawn of a program that cannot exist must come back ENOENT
	 * from posix_spawn itself (glibc reports exec errors synchronously). */
	if ((rc = posix_spawn_file_actions_init(&fa))) {
		snprintf(why, len, "posix_spawn_file_actions_init: %s", strerror(rc));
		return -rc;
	}
	rc = posix_spawn(&pid, "/nonexistent/spawnscope-example-probe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == ENOENT)
		return 0;
	if (rc == 0) {
		waitpid(pid, NULL, 0);
		snprintf(why, len, "posix_spawn did not report a failed exec");
		return -ENOTSUP;
	}
	snprintf(why, len, "posix_spawn: %s", strerror(rc));
	return -rc;
}

static int example_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (!req->exec)
		return -ENOTSUP; /* posix_spawn always execs */
	if (delay_ns)
		busy_wait(delay_ns);
	if ((rc = posix_spawn_file_actions_init(&fa)))
		return -rc;
	for (size_t i = 0; i < req->n_fd_ops; i++)
		if ((rc = add_fd_op(&fa, &req->fd_ops[i]))) {
			posix_spawn_file_actions_destroy(&fa);
			return -rc;
		}
	/* No attributes: glibc's child resets caught signals to SIG_DFL and restores the
	 * caller's signal mask before exec (sysdeps/unix/sysv/linux/spawni.c). A failed exec
	 * is reaped by glibc and returned here. */
	rc = posix_spawn(&pid, req->path, &fa, NULL, req->argv, req->envp ? req->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -rc;
	child->pid = pid;
	child->pidfd = -1;
	return 0;
}

static int example_reap(struct spawn_child *child, int *status)
{
	pid_t r;

	do
		r = waitpid(child->pid, status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	child->pid = 0;
	return 0;
}

const struct spawn_backend spawnscope_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "example",
    .summary = "example plug-in: posix_spawn (" DELAY_ENV " adds a busy-wait)",
    .caps = SPAWN_CAP_SYNC_EXEC_ERROR,
    .available = example_available,
    .spawn = example_spawn,
    .reap = example_reap,
};
