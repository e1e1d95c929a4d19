/* posix-spawn: glibc posix_spawn (clone(CLONE_VM|CLONE_VFORK) on its own stack, see glibc
 * sysdeps/unix/sysv/linux/spawni.c). The file actions object is built from fd_ops on every
 * spawn and destroyed after, as a caller pays it. Exec errors come back from posix_spawn. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "registry.h"
#include "spawn_util.h"

static int add_actions(posix_spawn_file_actions_t *fa, const struct spawn_fd_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct spawn_fd_op *op = &ops[i];
		int err;
		switch (op->kind) {
		case SPAWN_FD_DUP2:
			err = posix_spawn_file_actions_adddup2(fa, op->fd, op->newfd);
			break;
		case SPAWN_FD_CLOSE:
			err = posix_spawn_file_actions_addclose(fa, op->fd);
			break;
		case SPAWN_FD_OPEN:
			err = posix_spawn_file_actions_addopen(fa, op->fd, op->path, op->oflag,
							       op->mode);
			break;
		case SPAWN_FD_CLOSE_FROM:
			err = posix_spawn_file_actions_addclosefrom_np(fa, op->fd);
			break;
		default:
			err = EINVAL;
		}
		if (err)
			return err;
	}
	return 0;
}

static int posix_spawn_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	posix_spawn_file_actions_t fa, *fap = NULL;
	pid_t pid;
	int err;

	if (!req->exec)
		return -ENOTSUP;
	if (req->n_fd_ops) {
		err = posix_spawn_file_actions_init(&fa);
		if (err)
			return -err;
		fap = &fa;
		err = add_actions(fap, req->fd_ops, req->n_fd_ops);
		if (err)
			goto out_fa;
	}
	/* No attributes, as most callers: glibc's child (__spawni_child) already resets every
	 * caught handler to SIG_DFL (it shares the parent's memory, so no handler may run) and
	 * restores the caller's mask. SETSIGDEF would need ~64 sigaction calls in the parent per
	 * spawn (8 µs measured here) to learn what the child does anyway. */
	err = posix_spawn(&pid, req->path, fap, NULL, req->argv, req->envp);
	if (!err) {
		child->pid = pid;
		child->pidfd = -1;
	}
out_fa:
	if (fap)
		posix_spawn_file_actions_destroy(fap);
	return -err;
}

static int posix_spawn_reap(struct spawn_child *child, int *status)
{
	return spawn_wait_pid(child->pid, status);
}

/* posix_spawn has no noexec mode: spawn a path that cannot exist; ENOENT proves the whole
 * primitive ran (the child was created and its execve failed). */
static int posix_spawn_available(char *why, size_t len)
{
	static char *const argv[] = {"spawnscope-probe", NULL};
	static char *const envp[] = {NULL};
	const struct spawn_req req = {.path = "/nonexistent/spawnscope-probe",
				      .argv = argv,
				      .envp = envp,
				      .exec = true,
				      .stamp_fd = -1};
	struct spawn_child child;
	int status;
	int err = posix_spawn_spawn(&req, &child);
	if (err == -ENOENT) {
		if (len)
			why[0] = '\0';
		return 0;
	}
	if (err == 0) {
		posix_spawn_reap(&child, &status);
		snprintf(why, len, "posix_spawn: a missing program was not reported (status 0x%x)",
			 (unsigned)status);
		return -EPROTO;
	}
	snprintf(why, len, "posix_spawn: %s", strerror(-err));
	return err;
}

const struct spawn_backend posix_spawn_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "posix-spawn",
    .summary = "glibc posix_spawn (clone CLONE_VM|CLONE_VFORK on its own stack)",
    .caps = SPAWN_CAP_SYNC_EXEC_ERROR,
    .available = posix_spawn_available,
    .spawn = posix_spawn_spawn,
    .reap = posix_spawn_reap,
};
SPAWN_BACKEND_REGISTER(posix_spawn_backend, 30)
