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
struct sampler;
struct target;

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
	const struct target *target; /* --target, resolved once by the framework */
	uint64_t seed;
};

/* One figure of an experiment: scripts/NAME.gp, run in the run directory, draws
 * plots/NAME.svg and .png (and NAME-*.svg for more figures of one script) from data. */
struct exp_plot {
	const char *name;
	const char *data; /* the file it reads, written by write_data (or by series) */
	bool optional;	  /* no data: skipped without a word (e.g. phases without probes) */
	/* For data that needs more than run.json (the samples CSVs): write it just before
	 * drawing; the number of series, 0 (nothing to draw: "no NEEDS" is said) or -errno.
	 * May be NULL. */
	int (*series)(const json_t *run, const char *dir);
	const char *needs; /* what the data is made from, for the note when it is missing */
};

/* An experiment: its options, how it runs, what it writes. The framework (bench/main.c's
 * `run`, `spawnscope report`) calls, for each experiment selected: prepare once after the
 * options are parsed and before the lab and the probes start; run; write_data after its run
 * and again from `spawnscope report`; summarize for summary.md. A new experiment is a folder
 * bench/experiments/NAME/ whose NAME.c fills one of these and registers it. */
struct experiment {
	const char *name;
	const char *summary;
	int order; /* position in `run all` and listings */
	/* Its own options: rows ending with {NULL} (or NULL: none), parsed into opts, a struct
	 * of opts_size bytes in which zero means "the default" (reset before every parse).
	 * Mounted when the experiment is selected, and by `run all`; refused otherwise. */
	const struct opt_row *options;
	void *opts;
	size_t opts_size;
	/* Validate its options with the common ones and build what it runs (its grid) once,
	 * kept in its own state for run. 0, EXP_USAGE or EXP_FAILED (message printed). May be
	 * NULL. */
	int (*prepare)(const struct opts *o);
	/* Run, appending to ctx->res and flushing after each finished point. enum exp_status. */
	int (*run)(struct run_ctx *ctx);
	/* Write its data files (CSVs, gnuplot variables) into dir from a run.json that holds
	 * its entries. 0 or -errno (message printed, naming the file). May be NULL. */
	int (*write_data)(const json_t *run, const char *dir);
	/* Write this experiment's section of summary.md from a parsed run.json. May be NULL. */
	void (*summarize)(const json_t *run, FILE *md);
	/* Its figures: rows ending with {NULL} (or NULL: none). */
	const struct exp_plot *plots;
	/* Keep the spawn-phase probes detached while it runs: their syscall hooks put every
	 * syscall of the machine on the kernel's tracing slow path, which would bias workloads
	 * made of syscalls (contention). Otherwise they are attached (arms may still toggle). */
	bool detach_probes;
};

#define MAX_EXPERIMENTS 16

void experiment_register(const struct experiment *e);
#define EXPERIMENT_REGISTER(var)                                                                   \
	__attribute__((constructor)) static void register_##var(void)                              \
	{                                                                                          \
		experiment_register(&(var));                                                       \
	}
size_t experiment_count(void);
const struct experiment *experiment_at(size_t i); /* in order */
const struct experiment *experiment_find(const char *name);
/* The experiments NAME stands for ("all": every one, in order) into out[0..max); how many
 * (0: no such experiment). */
size_t experiment_select(const char *name, const struct experiment **out, size_t max);
/* Whether run.json holds entries of the experiment. */
bool experiment_in_run(const json_t *run, const char *name);
/* A sampler on the run's lab and probes, for an experiment's points. */
void run_sampler_open(const struct run_ctx *ctx, struct sampler *sp);
/* "latency, pagetable, ..." for messages (static buffer). */
const char *experiment_names(void);

#endif
