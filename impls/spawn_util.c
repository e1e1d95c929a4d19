/* Helpers shared by the built-in backends (impls/spawn_util.h). */
#include "spawn_util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

int spawn_wait_pid(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int spawn_try_noexec(const struct spawn_backend *be, const char *what, char *why, size_t len)
{
	static char *const argv[] = {"spawnscope-probe", NULL};
	static char *const envp[] = {NULL};
	const struct spawn_req req = {
	    .path = NULL, .argv = argv, .envp = envp, .exec = false, .stamp_fd = -1};
	struct spawn_child child;
	int status = 0;

	int err = be->spawn(&req, &child);
	if (err) {
		snprintf(why, len, "%s: %s", what, strerror(-err));
		return err;
	}
	err = be->reap(&child, &status);
	if (err) {
		snprintf(why, len, "%s: reaping the test child: %s", what, strerror(-err));
		return err;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, len, "%s: the test child ended with wait status 0x%x", what,
			 (unsigned)status);
		return -ECHILD;
	}
	if (len)
		why[0] = '\0';
	return 0;
}

const struct spawn_req *spawn_req_unshared(const struct spawn_req *req, struct spawn_req *copy)
{
	if (!req->share)
		return req;
	*copy = *req;
	copy->share = 0;
	return copy;
}

int wait_status_from_siginfo(const siginfo_t *info)
{
	switch (info->si_code) {
	case CLD_EXITED:
		return (info->si_status & 0xff) << 8;
	case CLD_KILLED:
		return info->si_status & 0x7f;
	case CLD_DUMPED:
		return (info->si_status & 0x7f) | 0x80;
	default:
		return 0;
	}
}
