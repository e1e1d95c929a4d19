/*
 * Raw clone on a stack of our own: the primitive under the `clone` backend, also used to
 * create the contention experiment's workers with explicit sharing flags.
 */
#ifndef SPAWNSCOPE_CLONE_H
#define SPAWNSCOPE_CLONE_H

#include <stddef.h>
#include <sys/types.h>

/* enum spawn_share bits -> CLONE_* flags (without the exit signal). */
unsigned long share_to_clone_flags(unsigned share);
/* "vm,files,fs,sighand,io,vfork" -> share bits. 0, or -EINVAL with *bad set to the element.
 * Also rejects combinations the kernel refuses (sighand without vm). */
int share_parse(const char *list, unsigned *share, const char **bad);
/* Share bits -> "vm,vfork" (static buffer). */
const char *share_format(unsigned share);

/* clone_start only: a real thread of the caller's process (CLONE_THREAD|CLONE_SIGHAND|CLONE_VM|
 * CLONE_FS|CLONE_FILES|CLONE_SYSVSEM|CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID, exit signal 0): it
 * shares rlimits (signal_struct) too. It cannot be waited for: join it with clone_join_thread().
 * It shares the caller's TLS (no CLONE_SETTLS): raw syscalls only, as for SHARE_VM. */
#define SHARE_THREAD (1u << 16)

/* A child stack: mmap'd with a guard page; reusable once the child has exited or exec'd. */
struct clone_stack {
	void *base;
	size_t size;
	volatile int tid_word; /* SHARE_THREAD: set to the tid, cleared by the kernel at exit */
};
int clone_stack_alloc(struct clone_stack *st, size_t size); /* 0 or -errno */
void clone_stack_free(struct clone_stack *st);

/* Start fn(arg) in a child created with share's flags and SIGCHLD as exit signal, on st.
 * With pidfd non-NULL, CLONE_PIDFD is added and the pidfd stored there.
 * Returns the pid, or -errno. fn must obey child.h's rules when SHARE_VM is set. */
pid_t clone_start(unsigned share, struct clone_stack *st, int (*fn)(void *), void *arg, int *pidfd);
/* Wait (futex on st->tid_word) until a SHARE_THREAD child has exited. */
void clone_join_thread(struct clone_stack *st);

#endif
