/*
 * The timed loop: spawn -> (child) -> reap, for several arms interleaved in randomized blocks.
 *
 * Every time is CLOCK_MONOTONIC ns relative to t0, read just before spawn():
 *   t_return  spawn() returned in the parent
 *   t_first   the child's first instruction in the new image (its stamp), or in noexec mode
 *             its first line after creation; NaN when the target does not stamp
 *   t_reaped  reap() returned
 * Samples live in arrays allocated before the loop: no allocation, I/O or formatting while a
 * sample is timed.
 */
#ifndef SPAWNSCOPE_SAMPLER_H
#define SPAWNSCOPE_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../impls/backend.h"
#include "../probes/probes.h"
#include "experiment.h"

enum metric { M_RETURN, M_FIRST, M_REAPED, M__N };
extern const char *const metric_names[M__N]; /* "t_return", "t_first", "t_reaped" */

struct sample {
	int64_t t[M__N]; /* ns; -1 when not measured */
	pid_t pid;
	int32_t err;	       /* 0, or -errno of a failed spawn/exec/reap */
	uint32_t block;	       /* index of the block (round) it was taken in */
	uint16_t pos_in_block; /* 0: the first sample after an arm switch (left out of stats) */
	int16_t cpu_parent;    /* CPU the parent called spawn on, -1 unknown */
	int16_t cpu_child;     /* CPU the child stamped on, -1 unknown */
};
/* A sample the statistics use: it succeeded and is not the first after an arm switch (that
 * one pays for the switch: caches, branch predictors and the previous arm's leftovers). */
static inline bool sample_counts(const struct sample *s)
{
	return !s->err && s->pos_in_block > 0;
}

/* The target a run spawns (--target). */
struct target {
	char path[4096];
	const char *name; /* "stamp", "exit0" or the path */
	bool stamps;	  /* writes a stamp_msg to STAMP_FD */
	char *argv[2];	  /* { path, NULL } */
};
/* Resolve --target: stamp|exit0 live in <exe_dir>/targets/; a PATH must exist and be
 * executable. 0 or EXP_USAGE (message printed). */
int target_resolve(const char *spec, const char *exe_dir, struct target *t);

struct arm {
	/* set by the experiment */
	const struct spawn_backend *be;
	char label[96];	      /* "vfork", "clone[files]", ... (CSV names, legends) */
	struct spawn_req req; /* the sampler fills fd_ops/stamp_fd (see sampler_prepare) */
	struct spawn_fd_op extra_ops[8]; /* the experiment's own fd actions, after the stamp dup */
	size_t n_extra_ops;
	int probes_attached; /* -1: leave as is; 0/1: detach/attach probes for its blocks */
	/* filled by the sampler */
	struct spawn_fd_op ops[9];
	struct sample *s;
	struct probe_sample *ph; /* parallel to s when probes are on, else NULL */
	size_t n, cap;
	size_t failures;
	int first_err; /* -errno of the first failed sample, 0 if none */
};

struct sampler {
	int stamp_r, stamp_w; /* the pipe children stamp into (both O_CLOEXEC) */
	struct probes *probes;
	bool quiet;
	bool tty;
	const char *what;   /* progress-line prefix */
	size_t done, total; /* progress */
	struct timespec last_progress;
};

int sampler_open(struct sampler *sp, struct probes *probes, bool quiet);
void sampler_close(struct sampler *sp);

/* Point arm->req at the target (exec mode) or at nothing (noexec), wire the stamp fd and
 * the extra ops, and allocate room for cap samples. 0 or -ENOMEM. */
int sampler_prepare(struct sampler *sp, struct arm *a, const struct target *t, bool exec,
		    char *const *envp, size_t cap);
void arm_free(struct arm *a);

struct sampler_plan {
	size_t samples; /* per arm */
	size_t warmup;	/* per arm, interleaved, discarded */
	size_t block;	/* samples per arm per block */
	uint64_t seed;
};
/* Take plan->samples samples of every arm, interleaved in blocks in randomized order.
 * EXP_OK, EXP_INTERRUPTED (samples so far are kept), or EXP_FAILED when an arm fails every
 * sample of its first block (its first_err says why). */
int sampler_run(struct sampler *sp, struct arm *arms, size_t n_arms,
		const struct sampler_plan *plan);

/* One timed sample of one arm, outside any plan (warm-up, pilot samples). Its probe record,
 * if any, stays in the map until collected (sampler_run fetches them after each block). */
int sampler_one(struct sampler *sp, struct arm *a, struct sample *out);

/* Median cost of one clock_gettime(CLOCK_MONOTONIC) pair, in ns. */
double timer_overhead_ns(void);

static inline int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}
static inline int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t);
}

/* Store arm statistics in a results entry: metrics.{t_return,t_first,t_reaped}, phases.* and
 * values.* (when probes ran), "blocks" (per-block p10/p50 of each metric, for the gate),
 * "failures", and write samples/<csvname>.csv. 0 or -errno. */
int arm_store(struct run_ctx *ctx, struct arm *a, json_t *entry, const char *csvname);

#endif
