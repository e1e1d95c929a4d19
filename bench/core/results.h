/* The run directory: run.json (schema spawnscope/1), samples/NAME.csv, plots/, summary.md.
 * Everything is written atomically (temp file in the same directory + rename). */
#ifndef SPAWNSCOPE_RESULTS_H
#define SPAWNSCOPE_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "opts.h"
#include "bench/lib/stats.h"

#define RESULTS_SCHEMA "spawnscope/1"

struct results;

/* Create the run directory (o->out, or results/<host>-<YYYYmmddTHHMMSSZ>), its samples/ and
 * plots/, and write an initial run.json marked incomplete. 0 or 2 (usage: unwritable --out,
 * message printed) or 1. */
int results_open(const struct opts *o, struct results **out);
const char *results_dir(const struct results *r);
json_t *results_root(struct results *r); /* borrowed: the run.json object */

/* Append {"experiment", "backend", "params": params (reference stolen), "metrics": {}} to
 * "results" and return it (borrowed). */
json_t *results_add(struct results *r, const char *experiment, const char *backend, json_t *params);
/* Append to "fits": {"experiment", "backend", "metric", "x", "x_unit", "slope_ns",
 * "intercept_ns", "r2", "slope_ci95": [lo, hi], "n"} plus extra (stolen, may be NULL). */
json_t *results_add_fit(struct results *r, const char *experiment, const char *backend,
			const char *metric, const char *x, const char *x_unit, const struct fit *f,
			json_t *extra);

/* {"unit", "n", "min", "p10", "p50", "p90", "p99", "max", "mean", "stddev", "mad",
 * "ci95_p50": [lo, hi], "ci95_p10": [lo, hi]} — a new reference. */
json_t *json_stats(const struct stats *s, const char *unit);
/* Compute stats of x[0..n) and return json_stats(); NULL when n == 0. */
json_t *json_stats_of(const double *x, size_t n, const char *unit, uint64_t seed);

/* Rewrite run.json atomically with "complete": complete. 0 or -errno (message printed). */
int results_flush(struct results *r, bool complete);

/* Write DIR/relpath atomically: fill() writes the contents to f. 0 or -errno. */
int results_write_file(struct results *r, const char *relpath, int (*fill)(FILE *f, void *arg),
		       void *arg);
/* The same for any path. */
int atomic_write(const char *path, int (*fill)(FILE *f, void *arg), void *arg);
/* DIR/relpath written atomically (an experiment's data files, from `run` or `report`); a
 * failure is printed ("writing PATH: reason"). 0 or -errno. */
int write_data_file(const char *dir, const char *relpath, int (*fill)(FILE *f, void *arg),
		    void *arg);
/* An experiment's data files could not be written (rc: -errno): the run stops, as after a
 * failed results_write_file. */
void results_write_failed(struct results *r, int rc);
/* mkdir -p (mode 0755 for the directories it creates). 0 or -errno. */
int mkdir_p(const char *path);

/* Rebuild summary.md, plots/ and report.html from DIR/run.json; with data, every
 * experiment's data files first (`spawnscope report`; a run wrote them as it went). 0, 1 (a
 * file not written), or 2 (no valid run.json). */
int results_report(const char *dir, bool quiet, bool data);
/* summary.md of a loaded run.json (runjson_load) into md, without plots. 0 or -errno. */
int report_write_summary(const json_t *run, FILE *md);

/* -errno of the first write into the run directory that failed (ENOSPC, EFBIG, ...), 0 if
 * none. Such a failure also stops the run (g_interrupted), since nothing more can be kept. */
int results_write_error(const struct results *r);

void results_close(struct results *r);

#endif
