/* Helpers shared by the copy-cost experiments (pagetable, fdtable): per-point sample
 * budgets and fits/CSV/summary built from run.json entries. The parent state they configure
 * (memory, fds, the held fork child) is parent_state.h, held by the lab. */
#ifndef SPAWNSCOPE_COPYCOST_H
#define SPAWNSCOPE_COPYCOST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>

#include "bench/core/experiment.h"
#include "bench/core/runjson.h"
#include "lab/state/memkind.h"
#include "lab/state/parent_state.h"
#include "bench/core/sampler.h"
#include "bench/lib/units.h" /* fmt_ns */

/* ---- sample budgets (budget.c) ---- */

struct budget {
	size_t min_samples, max_samples; /* per arm and point (multiples of block) */
	double point_seconds;		 /* spawn time allowed per point, all arms together */
	size_t warmup;
	size_t block; /* samples per arm per round: the same at every point of the sweep */
};
/* Take one pilot sample of every arm (discarded) and turn the measured round-trip cost into
 * a plan of whole rounds: samples = block x rounds, rounds = point_seconds / (cost x block),
 * clamped; --samples/--warmup/--block win. An arm whose pilot fails is named on stderr and
 * moved past the new *n_arms (still allocated). EXP_OK, EXP_FAILED (no arm can spawn) or
 * EXP_INTERRUPTED. */
int budget_plan(struct sampler *sp, struct arm *arms, size_t *n_arms, const struct budget *b,
		const struct opts *o, uint64_t seed, struct sampler_plan *plan);
/* Room sampler_prepare needs for a plan made from b and o. */
size_t budget_capacity(const struct budget *b, const struct opts *o);

/* ---- fits, CSVs, summaries from run.json entries (report.c) ---- */

/* One fitted series: the entries of experiment exp whose params match series_key=series_val
 * and whose backend is label; x from params[x_param] (scaled by x_scale), y = the quantile
 * `field` ("p50" when NULL; "p10" is the robust twin: tick-delayed samples leave it alone)
 * of metrics[metric]. */
struct series_fit {
	const char *exp, *label, *series_key, *series_val, *x_param, *metric, *field;
	double x_scale;
	const char *axis; /* params.axis value required, or NULL */
};
/* Collect the points and fit. 0, -EDOM (fewer than 2 distinct x) or -ENOMEM. */
int series_fit_compute(const json_t *run, const struct series_fit *sf, struct fit *f);

/* Distinct string values of params[key] (or "backend" when key is "backend") among entries of
 * exp with params.axis == axis (axis NULL: any), in first-seen order; a new JSON array. */
json_t *distinct_values(const json_t *run, const char *exp, const char *axis, const char *key);

/* The fit of run.json "fits" for exp/label/metric/x_unit of the medians (fits without a
 * "quantile" field count as medians) whose field key equals val (key NULL: any).
 * 0 or -ENOENT. fit_lookup_q: of another quantile ("p10"). */
int fit_lookup(const json_t *run, const char *exp, const char *label, const char *metric,
	       const char *x_unit, const char *key, const char *val, struct fit *f);
int fit_lookup_q(const json_t *run, const char *exp, const char *label, const char *metric,
		 const char *x_unit, const char *quantile, const char *key, const char *val,
		 struct fit *f);

/* "31.2 µs" style from ns. */
/* A table cell: "15.3 µs [15.1, 16.8]" (the slope with its 95% interval), or "–". */
const char *slope_cell(const struct fit *f, char *buf, size_t len);
/* The finding of a slope in a few words: "pays", "nothing measurable" (the interval contains
 * 0), "no growth (drift)" (the whole interval below 0), or "no interval". */
const char *slope_verdict(const struct fit *f);
/* The sentence under a table of slopes: which labels pay the most and least per `per`, and
 * which pay nothing measurable. labels[i] with fits[i] (have[i] false: not measured). */
void slopes_finding(FILE *md, const char *const *labels, const struct fit *fits, const bool *have,
		    size_t n, const char *per);

#endif
