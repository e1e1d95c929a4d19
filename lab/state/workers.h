/* Worker groups of the contention experiment: create N workers with explicit sharing (the
 * project's own clone primitive), release them together from a futex barrier, stop them on
 * a shared flag, and reap every one of them whatever happened. */
#ifndef SPAWNSCOPE_CONTENTION_WORKERS_H
#define SPAWNSCOPE_CONTENTION_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "impls/clone.h"
#include "ops.h"

enum cont_sharing { SH_THREADS, SH_FILES, SH_VM, SH_PROCESSES, SH__N };
extern const char *const cont_sharing_names[SH__N + 1]; /* NULL-terminated */
/* The clone_start share bits of each configuration. */
unsigned cont_sharing_bits(int sharing);

struct cw_group {
	int sharing, op, n;
	struct cw_ctl *ctl; /* MAP_SHARED: visible to workers that are separate processes */
	size_t ctl_size;
	struct clone_stack *stacks;
	struct cw_arg *args;
	pid_t *pids; /* 0 when that worker was never started or is already reaped */
	int started;
	int64_t t_go, t_stop; /* CLOCK_MONOTONIC ns: barrier released, stop flag set */
	int status_failed;    /* workers that exited non-zero or by a signal */
};

/* Create the group (control block, stacks, the fds the ops use) and start n workers running
 * op; they wait at the barrier. 0, or -errno with why filled (every started worker reaped). */
int cw_start(struct cw_group *g, int sharing, int op, int n, uint32_t sample_every, char *why,
	     size_t len);
/* Release the barrier (waits until every worker is ready). */
void cw_go(struct cw_group *g);
/* Set the stop flag, then reap every worker (waitpid or thread join). Safe to call when
 * cw_go was never called. Leaves g->ctl readable until cw_free. */
void cw_stop(struct cw_group *g);
/* Run for duration_s, ending early when *interrupted becomes non-zero. */
void cw_sleep(double duration_s, volatile int *interrupted);
/* Unmap and close everything cw_start created. */
void cw_free(struct cw_group *g);

#endif
