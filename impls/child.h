/*
 * Code that runs inside a freshly created child, between creation and exec.
 *
 * Everything here is libc-free (impls/rawsys.h): it is safe in a CLONE_VM child that runs
 * concurrently with its parent (shared TLS, errno and heap) and in a vfork child. Returns
 * are 0 or -errno, never errno.
 */
#ifndef SPAWNSCOPE_CHILD_H
#define SPAWNSCOPE_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

/* Apply one file action (enum spawn_fd_op_kind semantics, see backend.h). */
long child_fd_op(const struct spawn_fd_op *op);
/* Apply ops[0..n) in order; stops at the first failure and returns its -errno. */
long child_fd_ops(const struct spawn_fd_op *ops, size_t n);

/* Before exec: with reset_handlers, reset every caught signal to SIG_DFL (64 rt_sigaction
 * queries plus one per caught signal), then set the signal mask to *mask (the parent's mask
 * before it blocked everything for the clone).
 * The walk is needed only by a child that shares the parent's memory (CLONE_VM) but has its
 * own copy of the handlers: a signal arriving once the mask is restored would run a parent's
 * handler on the parent's memory. A child with its own memory (fork, clone3 without
 * CLONE_VM) runs a handler on its own copy, and exec resets caught handlers itself
 * (flush_signal_handlers); a child sharing the sighand (CLONE_SIGHAND) must not touch them. */
void child_restore_signals(const sigset_t *mask, bool reset_handlers);

/* Write a stamp_msg of CLOCK_MONOTONIC (raw syscall) to fd; no-op for fd < 0. */
void child_stamp(int fd);

/* Block every signal in the calling thread, saving the old mask; for the window around a
 * clone whose child must not run the parent's handlers. 0 or -errno. */
int block_all_signals(sigset_t *old);
int restore_signal_mask(const sigset_t *old);

/* The common child body of the exec-style backends: fd ops, signal restore, execve.
 * On any failure the -errno is stored in *err_slot (if non-NULL) and the child _exit(127)s.
 * In noexec mode it stamps req->stamp_fd and _exit(0)s. Never returns. */
__attribute__((noreturn)) void child_run(const struct spawn_req *req, const sigset_t *mask,
					 bool reset_handlers, volatile int *err_slot);

#endif
