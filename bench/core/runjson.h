/* The one reader of run.json, shared by the summaries (`report`), the copy-cost helpers, the
 * comparison and the gate. Loading accepts a regular file only (a FIFO or a device is
 * refused, never waited on), valid JSON without duplicate keys, schema spawnscope/1,
 * "results" an array of objects each with "experiment", "backend" (strings) and "metrics"
 * (an object), "fits" an array when present. The getters read one results entry (or any
 * statistics object) and never fail: a missing or mistyped value reads as NULL, NaN or 0. */
#ifndef SPAWNSCOPE_RUNJSON_H
#define SPAWNSCOPE_RUNJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* The parsed file (a new reference), or NULL with err set to a message naming path. */
json_t *runjson_load(const char *path, char *err, size_t len);

/* The entries of run's "results" whose "experiment" is exp, in order: idx (a size_t
 * declared here) their index, entry (a json_t * of the caller) each entry. */
#define RESULTS_FOREACH(run, exp, idx, entry)                                                      \
	for (size_t idx = 0; idx < json_array_size(json_object_get((run), "results")); idx++)      \
		if (((entry) = json_array_get(json_object_get((run), "results"), idx)) &&          \
		    !strcmp(runjson_experiment(entry) ?: "", (exp)))

/* "experiment", "backend" of an entry: NULL when not strings. */
const char *runjson_experiment(const json_t *entry);
const char *runjson_backend(const json_t *entry);
/* "experiment/backend" plus " {params}" (compact, keys sorted) when params are not empty:
 * what tells two entries apart. malloc'd; NULL when out of memory. */
char *runjson_entry_key(const json_t *entry);

/* params.<key> as a string (NULL), a number (NaN), an integer (0 unless an integer). */
const char *runjson_param_str(const json_t *entry, const char *key);
double runjson_param(const json_t *entry, const char *key);
json_int_t runjson_param_int(const json_t *entry, const char *key);

/* metrics.<metric>: its statistics object (or a bare number); NULL when absent. */
const json_t *runjson_metric_stats(const json_t *entry, const char *metric);
/* metrics.<metric>.<q> (q NULL: metrics.<metric> itself) when a number, else NaN. */
double runjson_metric(const json_t *entry, const char *metric, const char *q);

/* The level of metrics.<metric>: its "p50" when a statistics object, the number itself when
 * a bare number (e.g. a contention point's ops_per_s); NaN otherwise. */
double runjson_metric_level(const json_t *entry, const char *metric);

/* The per-block summaries of an entry ("blocks": [{"n", "<metric>": {"p10", ...}}, ...]):
 * the largest block's n, and whether a block is full, i.e. has at least half that many
 * samples (the trailing partial block is left out: its quantiles are much noisier). */
json_int_t runjson_blocks_most(const json_t *entry);
bool runjson_block_full(const json_t *block, json_int_t most);

/* obj.<key> when a number, else NaN: a quantile of a statistics object, a field of a fit. */
double runjson_num(const json_t *obj, const char *key);
/* The interval obj.<key> ([lo, hi], e.g. "ci95_p50"): true when both are numbers; lo and hi
 * are set either way, NaN where not a number. */
bool runjson_interval(const json_t *obj, const char *key, double *lo, double *hi);

#endif
