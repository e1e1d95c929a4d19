/* fork-exec: glibc fork() (dup_mm/copy_page_range of the whole parent), then exec in the
 * child. Exec errors come back from reap() through an exec-error slot (impls/exec_error.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "child.h"
#include "exec_error.h"
#include "registry.h"
#include "spawn_util.h"

extern const struct spawn_backend fork_exec_backend;

static int fork_exec_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	sigset_t mask;
	struct spawn_req copy;
	const struct spawn_req *creq = spawn_req_unshared(req, &copy);
	int slot = exec_error_acquire();
	if (slot < 0)
		return slot;
	volatile int *err_slot = exec_error_slot(slot);
	pthread_sigmask(SIG_SETMASK, NULL, &mask);

	pid_t pid = fork();
	if (pid == 0)
		child_run(creq, &mask, false, err_slot); /* own memory: no handler walk */
	if (pid < 0) {
		int err = -errno;
		exec_error_release(slot);
		return err;
	}
	child->pid = pid;
	child->pidfd = -1;
	child->priv[0] = (uintptr_t)slot;
	return 0;
}

static int fork_exec_reap(struct spawn_child *child, int *status)
{
	int wait_err = spawn_wait_pid(child->pid, status);
	int exec_err = exec_error_release((int)child->priv[0]);
	return wait_err ? wait_err : exec_err;
}

static int fork_exec_available(char *why, size_t len)
{
	return spawn_try_noexec(&fork_exec_backend, "fork", why, len);
}

const struct spawn_backend fork_exec_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "fork-exec",
    .summary = "glibc fork() then execve in the child (copies the parent's page tables)",
    .caps = SPAWN_CAP_NOEXEC,
    .available = fork_exec_available,
    .spawn = fork_exec_spawn,
    .reap = fork_exec_reap,
};
SPAWN_BACKEND_REGISTER(fork_exec_backend, 10)
