/* Parent state the copy-cost experiments configure, held by the lab (lab/lab_state.c): the
 * fork child kept alive for VmPTE and post-fork costs, the fd set and RLIMIT_NOFILE.
 * libc only: the lab links it without the driver's libraries. */
#ifndef SPAWNSCOPE_PARENT_STATE_H
#define SPAWNSCOPE_PARENT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "memkind.h"

/* ---- the fork child that stays alive (postfork.c) ---- */

struct held_child {
	pid_t pid;
	int release_fd; /* closing it lets the child exit */
};
/* fork() a child that blocks until released: dup_mmap/copy_page_range have run when this
 * returns. 0 or -errno. */
int held_child_fork(struct held_child *c);
/* Let it exit and reap it. 0 or -errno. */
int held_child_release(struct held_child *c);
/* VmPTE of a live process in kB (mm->pgtables_bytes); -errno when unreadable. */
long vmpte_kb_of(pid_t pid);
/* The "KEY:  123 kB" field of /proc/PID/status (pid 0: this process), in the field's unit
 * (kB or a count), read without allocating; -errno (-ENOENT: no such field). */
int64_t proc_status_field(pid_t pid, const char *key);

struct postfork_result {
	size_t n;		/* repetitions taken */
	double *vmpte_kb;	/* [n] */
	double *no_child_ns;	/* [n] write pass with no child */
	double *child_alive_ns; /* [n] write pass while a fork child is alive (COW copies) */
	double *after_exit_ns;	/* [n] write pass after a fork child has exited (wp faults) */
	double *post_fork_ns;	/* [n] child_alive - no_child */
	double *post_exit_ns;	/* [n] after_exit - no_child */
	bool passes;		/* write passes taken (writable kind, memory allowed them) */
};
/* Measure reps times (fewer when a pass is slow: max_seconds bounds the whole; a non-zero
 * *stop ends it early). With passes false only VmPTE is read. 0, -errno (message printed)
 * or -EINTR (stopped before the first); call
 * postfork_free(out) in every case. */
int postfork_measure(struct memregion *r, size_t reps, double max_seconds, bool passes,
		     const volatile int *stop, struct postfork_result *out);
void postfork_free(struct postfork_result *p);

/* ---- the parent's fd set and RLIMIT_NOFILE (fds.c) ---- */

struct fdset {
	int *fds;
	size_t n;
};
/* Open n descriptors of /dev/null (one open, then dups). cloexec sets FD_CLOEXEC on each.
 * 0 or -errno (message printed; nothing stays open). */
int fdset_open(struct fdset *s, size_t n, bool cloexec);
/* Set or clear FD_CLOEXEC on every fd of the set. 0 or -errno. */
int fdset_set_cloexec(struct fdset *s, bool cloexec);
void fdset_close(struct fdset *s);
/* Number of open fds of this process (entries of /proc/self/fd, minus the listing's own),
 * read with getdents64 into a stack buffer: nothing allocated, so the lab's footprint reads
 * it without changing itself. -errno when /proc is unreadable. */
long count_open_fds(void);

struct nofile_limit {
	struct rlimit saved;
	bool changed;
};
/* Raise the soft RLIMIT_NOFILE so that want more fds can be opened; the hard limit caps
 * it. *room gets how many fds can actually be opened. 0 or -errno. */
int nofile_raise(struct nofile_limit *l, size_t want, size_t *room);
/* Put the saved limit back (no-op when unchanged). 0 or -errno. */
int nofile_restore(struct nofile_limit *l);

#endif
