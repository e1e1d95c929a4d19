/*
 * The timed loop, driven from the driver and run by the lab (lab/lab_loop.c): spawn ->
 * (child) -> reap, for several arms interleaved in blocks, reshuffled every round.
 *
 * Every time is CLOCK_MONOTONIC ns relative to t0, read just before spawn():
 *   t_return  spawn() returned in the parent
 *   t_first   the child's first instruction in the new image (its stamp), or in noexec mode
 *             its first line after creation; NaN when the target does not stamp
 *   t_reaped  reap() returned
 * struct sample is lab/lab_proto.h's: the lab writes samples into the shared arena, where
 * nothing is allocated, formatted or written while a sample is timed.
 */
#ifndef SPAWNSCOPE_SAMPLER_H
#define SPAWNSCOPE_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "impls/backend.h"
#include "lab/lab_proto.h"
#include "bench/lib/clock.h"
#include "lab_client.h"
#include "probes/probes.h"
#include "experiment.h"

extern const char *const metric_names[M__N]; /* "t_return", "t_first", "t_reaped" */

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

/* What the lab does to the fds it holds (lab_hold_fds) before each block of an arm. */
enum arm_fds { ARM_FDS_ASIS = 0, ARM_FDS_INHERIT, ARM_FDS_CLOEXEC };

struct arm {
	/* set by the experiment */
	const struct spawn_backend *be;
	char label[96];	      /* "vfork", "clone[files]", ... (CSV names, legends) */
	struct spawn_req req; /* share and exec are used; the lab builds the rest */
	struct spawn_fd_op extra_ops[LAB_ARM_OPS]; /* the experiment's own fd actions, after
						    * the stamp dup (paths up to 255 bytes) */
	size_t n_extra_ops;
	int probes_attached;	 /* -1: leave as is; 0/1: detach/attach probes for its blocks */
	enum arm_fds parent_fds; /* the FD_CLOEXEC state of the lab's held fds for its blocks */
	/* filled by the sampler */
	struct lab *lab;
	struct sample *s; /* in the lab's arena */
	uint64_t samples_off;
	struct probe_sample *ph; /* parallel to s when probes are on, else NULL */
	size_t n, cap;
	size_t failures;
	int first_err;		    /* -errno of the first failed sample, 0 if none */
	struct lab_footprint fp[2]; /* the lab at the start and end of the run */
	bool have_fp;
};

struct sampler {
	struct lab *lab;
	struct probes *probes;
	const struct target *t;
	bool quiet;
	bool tty;
	const char *what; /* progress-line prefix */
};

/* lab: the process that spawns (main.c starts it once per run). 0 (nothing can fail now). */
int sampler_open(struct sampler *sp, struct lab *lab, struct probes *probes, bool quiet);
void sampler_close(struct sampler *sp);

/* Record the target (exec mode) or nothing (noexec) and make room for cap samples in the
 * lab's arena. 0, -EINVAL (too many extra fd actions) or -ENOMEM. */
int sampler_prepare(struct sampler *sp, struct arm *a, const struct target *t, bool exec,
		    size_t cap);
void arm_free(struct arm *a);

struct sampler_plan {
	size_t samples; /* per arm */
	size_t warmup;	/* per arm, interleaved, discarded */
	size_t block;	/* samples per arm per block */
	uint64_t seed;
};
/* Take plan->samples samples of every arm, interleaved in blocks in randomized order
 * (a fresh order every round; warm-up round-robin and discarded). Probes are attached or
 * detached per arm before its blocks, and every attach/detach failure aborts the run with
 * the reason. EXP_OK, EXP_INTERRUPTED (samples so far are kept), or EXP_FAILED when an arm
 * fails every sample of its first block (its first_err says why) or the lab fails. */
int sampler_run(struct sampler *sp, struct arm *arms, size_t n_arms,
		const struct sampler_plan *plan);

/* One timed sample of one arm, outside any plan (pilot samples). Its probe record, if any,
 * stays in the map until collected (sampler_run's warm-up forgets them). */
int sampler_one(struct sampler *sp, struct arm *a, struct sample *out);

/* What a sample's err (-errno) means, in words: -ECHILD is a target that did not exit 0,
 * -ETIMEDOUT a child killed after --sample-timeout; else strerror. */
const char *sample_error_str(int err);

/* Median cost of one clock_gettime(CLOCK_MONOTONIC) pair, in ns. */
double timer_overhead_ns(void);

/* Store arm statistics in a results entry: metrics.{t_return,t_first,t_reaped}, phases.* and
 * values.* (when probes ran), "blocks" (per-block p10/p50 of each metric, for the gate),
 * "failures", and write samples/<csvname>.csv. 0 or -errno. */
int arm_store(struct run_ctx *ctx, struct arm *a, json_t *entry, const char *csvname);

#endif
