/* Uniform experiment entry points (in the manner of perf bench): each experiment file
 * registers one struct experiment; `spawnscope run NAME` and `run all` find it here. */
#ifndef SPAWNSCOPE_EXPERIMENT_H
#define SPAWNSCOPE_EXPERIMENT_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "impls/backend.h"
#include "opts.h"
#include "results.h"
#include "runjson.h" /* RESULTS_FOREACH, the getters the summaries use */

struct probes;

/* g_interrupted, set by SIGINT/SIGTERM: loops finish the sample in flight, reap, and return
 * EXP_INTERRUPTED. */
#include "bench/lib/stop.h"

enum exp_status { EXP_OK = 0, EXP_FAILED = 1, EXP_USAGE = 2, EXP_INTERRUPTED = 130 };

struct run_ctx {
	const struct opts *o;
	struct results *res;
	struct probes *probes; /* NULL when probes are off or unavailable */
	struct lab *lab;       /* the process that spawns every measured child */
	/* Backends chosen with --backends (or every available one), in listing order. */
	const struct spawn_backend **backends;
	size_t n_backends;
	const char *exe_dir; /* directory of the spawnscope binary (targets live in targets/) */
	uint64_t seed;
};

struct experiment {
	const char *name;
	const char *summary;
	int order; /* position in `run all` and listings */
	/* Validate experiment-specific options before anything runs (so `run all` fails fast).
	 * 0 or EXP_USAGE (message printed). May be NULL. */
	int (*check)(const struct opts *o);
	/* Run, appending to ctx->res and flushing after each finished point. enum exp_status. */
	int (*run)(struct run_ctx *ctx);
	/* Write this experiment's section of summary.md from a parsed run.json. May be NULL. */
	void (*summarize)(const json_t *run, FILE *md);
	/* Comma-separated basenames of its gnuplot scripts in scripts/ (without .gp), or NULL. */
	const char *plot;
	/* Keep the spawn-phase probes detached while it runs: their syscall hooks put every
	 * syscall of the machine on the kernel's tracing slow path, which would bias workloads
	 * made of syscalls (contention). Otherwise they are attached (arms may still toggle). */
	bool detach_probes;
};

void experiment_register(const struct experiment *e);
#define EXPERIMENT_REGISTER(var)                                                                   \
	__attribute__((constructor)) static void register_##var(void)                              \
	{                                                                                          \
		experiment_register(&(var));                                                       \
	}
size_t experiment_count(void);
const struct experiment *experiment_at(size_t i); /* in order */
const struct experiment *experiment_find(const char *name);
/* "latency, pagetable, ..." for messages (static buffer). */
const char *experiment_names(void);

#endif
