/* vfork: the child borrows the parent's mm and stack (CLONE_VM|CLONE_VFORK) until it execs
 * or exits; the parent sleeps meanwhile (wait_for_vfork_done). Exec errors are synchronous:
 * the child writes -errno into a variable of the parent's frame before _exit(127). */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "backend.h"
#include "child.h"
#include "registry.h"
#include "spawn_util.h"

extern const struct spawn_backend vfork_backend;

static int vfork_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	sigset_t mask;
	struct spawn_req copy;
	const struct spawn_req *creq = spawn_req_unshared(req, &copy);
	volatile int exec_err = 0;
	/* The child runs on the parent's stack and memory: a signal handler running in it would
	 * corrupt the parent's state, so block everything until the child is done with it. */
	int err = block_all_signals(&mask);
	if (err)
		return err;

	pid_t pid = vfork();
	if (pid == 0)
		/* CLONE_VM: reset the handlers, unless the caller has none */
		child_run(creq, &mask, !(creq->flags & SPAWN_REQ_NO_CAUGHT_SIGNALS), &exec_err);
	err = pid < 0 ? -errno : 0;
	restore_signal_mask(&mask);
	if (err)
		return err;
	if (exec_err) {
		int status;
		spawn_wait_pid(pid, &status); /* the child has _exit(127)ed: reap, no zombie */
		return exec_err;
	}
	child->pid = pid;
	child->pidfd = -1;
	return 0;
}

static int vfork_reap(struct spawn_child *child, int *status)
{
	return spawn_wait_pid(child->pid, status);
}

static int vfork_available(char *why, size_t len)
{
	return spawn_try_noexec(&vfork_backend, "vfork", why, len);
}

const struct spawn_backend vfork_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "vfork",
    .summary = "vfork() then execve: the child borrows the parent's memory until exec",
    .caps = SPAWN_CAP_NOEXEC | SPAWN_CAP_SYNC_EXEC_ERROR,
    .available = vfork_available,
    .spawn = vfork_spawn,
    .reap = vfork_reap,
};
SPAWN_BACKEND_REGISTER(vfork_backend, 20)
