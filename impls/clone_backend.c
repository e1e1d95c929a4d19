/*
 * clone: the variable-weight backend. glibc clone() on a stack of our own (impls/clone.c)
 * with the CLONE_* flags req.share asks for; req.share == 0 means SHARE_DEFAULT (CLONE_VM|
 * CLONE_VFORK, what glibc's posix_spawn shares). The caps describe that default: an exec
 * error is synchronous (returned by spawn) whenever SHARE_VFORK is set, since the parent
 * sleeps until the child has exec'd or exited; without it the error comes back from reap().
 *
 * The request is copied into a header at the top of the child's stack, so a CLONE_VM child
 * that runs on after spawn() returned never reads the caller's (possibly reused) memory. The
 * stack stays untouched until reap; then it goes back into a per-thread cache so the next
 * spawn pays no mmap/munmap.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"
#include "child.h"
#include "clone.h"
#include "exec_error.h"
#include "registry.h"
#include "spawn_util.h"

#define STACK_SIZE (64 * 1024)	/* the child body needs a few hundred bytes */
#define HEADER_ROOM (16 * 1024) /* header + copied fd_ops in a standard stack */

struct clone_hdr {
	struct spawn_req req;
	sigset_t mask;
	volatile int *err_slot;
	bool reset_handlers;
	struct spawn_fd_op ops[];
};

extern const struct spawn_backend clone_backend;

static __thread struct clone_stack cached;
static __thread bool cached_registered;
static pthread_key_t cache_key;
static bool cache_key_ok;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void cache_destroy(void *st)
{
	clone_stack_free(st);
}

static void make_cache_key(void)
{
	cache_key_ok = pthread_key_create(&cache_key, cache_destroy) == 0;
}

/* A stack for a header of header_bytes: the cached standard one when it fits. *standard
 * says whether the stack has the standard size (and may go back into the cache). */
static int take_stack(struct clone_stack *st, size_t header_bytes, bool *standard)
{
	*standard = header_bytes <= HEADER_ROOM;
	if (*standard && cached.base) {
		*st = cached;
		cached.base = NULL;
		return 0;
	}
	return clone_stack_alloc(st, STACK_SIZE + (*standard ? HEADER_ROOM : header_bytes));
}

/* Back into this thread's cache (freed by the key destructor when the thread exits), or
 * unmapped when the cache is full or the stack is oversized. */
static void give_back_stack(struct clone_stack *st, bool standard)
{
	if (standard && !cached.base) {
		pthread_once(&cache_key_once, make_cache_key);
		if (!cached_registered && cache_key_ok &&
		    pthread_setspecific(cache_key, &cached) == 0)
			cached_registered = true;
		if (cached_registered) {
			cached = *st;
			return;
		}
	}
	clone_stack_free(st);
}

static int clone_child(void *arg)
{
	struct clone_hdr *h = arg;
	child_run(&h->req, &h->mask, h->reset_handlers, h->err_slot);
}

static int clone_spawn(const struct spawn_req *req, struct spawn_child *child)
{
	unsigned share = req->share ? req->share : SHARE_DEFAULT;
	size_t header_bytes = sizeof(struct clone_hdr) + req->n_fd_ops * sizeof(struct spawn_fd_op);
	struct clone_stack st;
	bool standard;
	int err, slot;

	if (share & SHARE_THREAD)
		return -EINVAL; /* a thread cannot be waited for; clone_start offers it directly */
	slot = exec_error_acquire();
	if (slot < 0)
		return slot;
	err = take_stack(&st, header_bytes, &standard);
	if (err) {
		exec_error_release(slot);
		return err;
	}

	/* The header sits at the top of the mapping, 64-byte aligned; the child's stack starts
	 * below it (clone_start uses base + size of the view as the stack top). */
	uintptr_t top = (uintptr_t)st.base + st.size;
	struct clone_hdr *h = (struct clone_hdr *)((top - header_bytes) & ~(uintptr_t)63);
	h->req = *req;
	h->req.share = share;
	if (req->n_fd_ops)
		memcpy(h->ops, req->fd_ops, req->n_fd_ops * sizeof(struct spawn_fd_op));
	h->req.fd_ops = h->ops;
	h->err_slot = exec_error_slot(slot);
	/* only a CLONE_VM child with its own copy of the handlers must reset them */
	h->reset_handlers = (share & SHARE_VM) && !(share & SHARE_SIGHAND) &&
			    !(req->flags & SPAWN_REQ_NO_CAUGHT_SIGNALS);
	struct clone_stack view = {.base = st.base, .size = (uintptr_t)h - (uintptr_t)st.base};

	/* No handler may run in the child before child_run has reset them: with CLONE_VM it
	 * would run on the parent's memory. The child restores h->mask just before exec. */
	err = block_all_signals(&h->mask);
	if (err)
		goto fail;
	pid_t pid = clone_start(share, &view, clone_child, h, NULL);
	restore_signal_mask(&h->mask);
	if (pid < 0) {
		err = pid;
		goto fail;
	}
	if ((share & SHARE_VFORK) && *h->err_slot) {
		/* CLONE_VFORK: we woke when the child exec'd or exited, so the slot is final. */
		int status;
		spawn_wait_pid(pid, &status);
		err = exec_error_release(slot);
		give_back_stack(&st, standard);
		return err;
	}
	child->pid = pid;
	child->pidfd = -1;
	child->priv[0] = (uintptr_t)st.base;
	child->priv[1] = st.size;
	child->priv[2] = (uintptr_t)slot;
	child->priv[3] = standard;
	return 0;
fail:
	exec_error_release(slot);
	give_back_stack(&st, standard);
	return err;
}

static int clone_reap(struct spawn_child *child, int *status)
{
	struct clone_stack st = {.base = (void *)child->priv[0], .size = child->priv[1]};
	int wait_err = spawn_wait_pid(child->pid, status);
	int exec_err = exec_error_release((int)child->priv[2]);
	/* Only a child that is gone is surely off the stack (a CLONE_VM child without
	 * CLONE_VFORK may still be running on it until it execs or exits). */
	if (!wait_err || wait_err == -ECHILD)
		give_back_stack(&st, child->priv[3] != 0);
	return wait_err ? wait_err : exec_err;
}

static int clone_available(char *why, size_t len)
{
	return spawn_try_noexec(&clone_backend, "clone(CLONE_VM|CLONE_VFORK)", why, len);
}

const struct spawn_backend clone_backend = {
    SPAWN_BACKEND_ABI_INIT,
    .name = "clone",
    .summary = "glibc clone() on its own stack with --share flags (default vm,vfork)",
    .caps = SPAWN_CAP_HONOURS_SHARE | SPAWN_CAP_NOEXEC | SPAWN_CAP_SYNC_EXEC_ERROR,
    .available = clone_available,
    .spawn = clone_spawn,
    .reap = clone_reap,
};
SPAWN_BACKEND_REGISTER(clone_backend, 40)
