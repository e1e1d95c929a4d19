/* Internal interfaces between the contention experiment's files (the files of this folder). */
#ifndef SPAWNSCOPE_CONTENTION_H
#define SPAWNSCOPE_CONTENTION_H

#include <jansson.h>
#include <stdio.h>

#include "probes/lockstat.h"
#include "lab/state/workers.h"
#include "bench/core/experiment.h"
#include "bench/core/sampler.h"

/* Latency is timed on one op in every CONT_SAMPLE_EVERY (raw clock_gettime pair). */
#define CONT_SAMPLE_EVERY 64
/* Rows of the contention breakdown kept per point in run.json. */
#define CONT_TOP_LOCKS 12

struct cont_plan {
	int *sharing, *ops;
	size_t n_sharing, n_ops;
	uint64_t *workers;
	size_t n_workers;
	double duration;      /* seconds per worker point */
	size_t spawn_samples; /* per backend per spawn point */
	size_t spawn_warmup;
};

/* Everything a point needs besides its coordinates. */
struct cont_run {
	struct run_ctx *ctx;
	struct lockstat *ls; /* NULL: not measured (reason in ls_why) */
	char ls_why[256];
	struct sampler sp; /* spawn-under-load only */
	bool sp_open;
};

/* params {"sharing", "op", "workers"} (+ "backend" for spawn points). */
json_t *cont_params(int sharing, int op, int workers, const char *backend);
/* Attach the lockstat breakdown read since the last reset ("contention", "mmap_lock"). */
void cont_attach_locks(struct cont_run *cr, json_t **entries, size_t n);

/* One spawn-under-load point: arms of every spawn backend while n-1 workers load the
 * machine. Appends one entry per backend. enum exp_status. */
int cont_spawn_point(struct cont_run *cr, const struct cont_plan *pl, int sharing, int op,
		     int workers);

/* DIR/points-contention.csv, lockstat.csv, lockstat-top.csv and mmap_lock.csv from
 * run.json. 0 or -errno. */
int cont_write_data(const json_t *run, const char *dir);

/* Contended wait per "lock via caller" summed over the run's points (of one sharing
 * configuration, or all when sharing is NULL): malloc'd, by wait descending. */
struct cont_lock_total {
	char name[160];
	double wait_ns, count;
};
struct cont_lock_total *cont_lock_totals(const json_t *run, const char *sharing, size_t *n);

/* summary.md section. */
void contention_summarize(const json_t *run, FILE *md);

#endif
