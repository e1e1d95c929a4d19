/*
 * The efork backends: `efork` (EFORK_EMBRYO) and `efork-blank` (EFORK_BLANK), through the
 * public API of impls/efork/efork.h. The request's fd actions become deferred set-up calls, so a
 * spawn costs one round trip to the child (the set-up and the exec together); an exec error
 * comes back from spawn() with the child already reaped.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impls/backend.h"
#include "efork.h"
#include "impls/registry.h"

extern const struct spawn_backend efork_backend, efork_blank_backend;

static int fd_op_apply(int ctx, const struct spawn_fd_op *op)
{
	switch (op->kind) {
	case SPAWN_FD_DUP2:
		return ectx_dup2(ctx, op->fd, op->newfd);
	case SPAWN_FD_CLOSE: /* not open is not an error here: close_range does not mind */
		return op->fd < 0 ? 0 : ectx_close_range(ctx, (unsigned)op->fd, (unsigned)op->fd);
	case SPAWN_FD_OPEN:
		return ectx_open(ctx, op->fd, op->path, op->oflag, op->mode);
	case SPAWN_FD_CLOSE_FROM:
		return ectx_close_range(ctx, (unsigned)op->fd, ~0U);
	default:
		errno = EINVAL;
		return -1;
	}
}

static int efork_spawn_with(unsigned flags, const struct spawn_req *req, struct spawn_child *child)
{
	if (!req->exec)
		return -ENOTSUP;
	int ctx = efork(flags);
	if (ctx < 0)
		return -errno;
	int err = 0;
	if (ectx_defer(ctx, 1) < 0)
		err = -errno;
	for (size_t i = 0; !err && i < req->n_fd_ops; i++)
		if (fd_op_apply(ctx, &req->fd_ops[i]) < 0)
			err = -errno;
	if (!err && eexecve(ctx, req->path, req->argv, req->envp) < 0)
		err = -errno;
	if (err) {
		ectx_close(ctx); /* unstarted: killed and reaped */
		return err;
	}
	child->pid = ectx_pid(ctx);
	child->pidfd = ctx;
	return 0;
}

static int efork_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	return efork_spawn_with(EFORK_EMBRYO, req, child);
}

static int efork_blank_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	return efork_spawn_with(EFORK_BLANK, req, child);
}

static int efork_reap(struct spawn_child *child, int *status)
{
	int err = 0;
	if (ectx_wait(child->pidfd, status) < 0)
		err = -errno;
	ectx_close(child->pidfd);
	child->pidfd = -1;
	return err;
}

/* Create a context, run one set-up call through it and close it unstarted. */
static int efork_try(unsigned flags, const char *flag_name, char *why, size_t len)
{
	char helper[4096];
	if (flags == EFORK_BLANK && efork_helper_path(helper, sizeof(helper)) < 0) {
		int e = errno;
		snprintf(why, len,
			 "helper targets/efork_blank not found next to the executable (set "
			 "SPAWNSCOPE_EFORK_HELPER): %s",
			 strerror(e));
		return -e;
	}
	if (flags == EFORK_BLANK && access(helper, X_OK) < 0) {
		int e = errno;
		snprintf(why, len, "helper %s: %s", helper, strerror(e));
		return -e;
	}
	int ctx = efork(flags);
	if (ctx < 0) {
		int e = errno;
		bool old_kernel = e == ENOSYS || e == EINVAL;
		snprintf(why, len, "efork(%s): %s%s", flag_name, strerror(e),
			 old_kernel ? " (needs clone3 with CLONE_CLEAR_SIGHAND, Linux 5.5; "
				      "pidfd_getfd 5.6; close_range 5.9)"
				    : "");
		return -e;
	}
	int r = ectx_dup2(ctx, 0 <= fcntl(2, F_GETFD) ? 2 : -1, 2);
	int e = errno;
	ectx_close(ctx);
	if (r < 0 && e != EBADF) {
		snprintf(why, len, "efork(%s): installing an fd: %s", flag_name, strerror(e));
		return -e;
	}
	return 0;
}

static int efork_available(char *why, size_t len)
{
	return efork_try(EFORK_EMBRYO, "EFORK_EMBRYO", why, len);
}

static int efork_blank_available(char *why, size_t len)
{
	return efork_try(EFORK_BLANK, "EFORK_BLANK", why, len);
}

#define EFORK_CAPS (SPAWN_CAP_SYNC_EXEC_ERROR | SPAWN_CAP_PIDFD | SPAWN_CAP_BLANK_FDS)

const struct spawn_backend efork_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "efork",
    .summary = "efork emulation, embryo: a parked CLONE_VM child set up through its pidfd, "
	       "then exec",
    .caps = EFORK_CAPS,
    .available = efork_available,
    .spawn = efork_spawn,
    .reap = efork_reap,
};
SPAWN_BACKEND_REGISTER(efork_backend, 60)

const struct spawn_backend efork_blank_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "efork-blank",
    .summary = "efork emulation, blank: a static helper in a fresh address space is set up, "
	       "then execs",
    .caps = EFORK_CAPS,
    .available = efork_blank_available,
    .spawn = efork_blank_spawn,
    .reap = efork_reap,
};
SPAWN_BACKEND_REGISTER(efork_blank_backend, 70)
