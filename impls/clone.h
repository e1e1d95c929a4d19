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

/* A child stack: mmap'd with a guard page; reusable once the child has exited or exec'd. */
struct clone_stack {
	void *base;
	size_t size;
};
int clone_stack_alloc(struct clone_stack *st, size_t size); /* 0 or -errno */
void clone_stack_free(struct clone_stack *st);

/* Start fn(arg) in a child created with share's flags and SIGCHLD as exit signal, on st.
 * With pidfd non-NULL, CLONE_PIDFD is added and the pidfd stored there.
 * Returns the pid, or -errno. fn must obey child.h's rules when SHARE_VM is set. */
pid_t clone_start(unsigned share, struct clone_stack *st, int (*fn)(void *), void *arg,
		  int *pidfd);

#endif
