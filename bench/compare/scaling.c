/* Contention scaling of every run overlaid: total ops/s against workers, one panel per
 * operation, a colour per sharing configuration (palette.gp's scolour), a dash and point
 * shape per run. Data: compare-scaling.csv (panel,sharing,run,workers,ops_per_s) and
 * compare-scaling.gp (the ops, the sharings and the (panel, sharing, run) lines that have
 * points) for scripts/compare_scaling.gp. Spawn-under-load points are latencies, not
 * throughput: the latency comparison's business, not drawn here. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "bench/core/experiment.h"
#include "bench/report/report_plot.h"
#include "bench/core/results.h"
#include "bench/core/runjson.h"

struct scaling {
	const struct cmp *c;
	json_t *ops, *sharings; /* arrays of names, first seen first */
};

/* a throughput point: no "backend" param (spawn points have one), ops/s > 0 */
static bool throughput(const json_t *e, double *ops)
{
	*ops = runjson_metric_level(e, "ops_per_s"); /* NaN: not a point */
	return !json_object_get(json_object_get(e, "params"), "backend") &&
	       runjson_param_str(e, "op") && runjson_param_str(e, "sharing") && *ops > 0;
}

static size_t index_of(const json_t *names, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(names, i, v) if (!strcmp(json_string_value(v), name)) return i + 1;
	return 0;
}

static void note(json_t *names, const char *name)
{
	if (!index_of(names, name))
		json_array_append_new(names, json_string(name));
}

static int fill_csv(FILE *f, void *arg)
{
	const struct scaling *s = arg;
	json_t *e;

	fprintf(f, "panel,sharing,run,workers,ops_per_s\n");
	for (size_t r = 0; r < s->c->n; r++) {
		RESULTS_FOREACH(s->c->runs[r].run, "contention", i, e)
		{
			double ops;
			if (throughput(e, &ops))
				fprintf(f, "%zu,%zu,%zu,%lld,%.1f\n",
					index_of(s->ops, runjson_param_str(e, "op")),
					index_of(s->sharings, runjson_param_str(e, "sharing")),
					r + 1, (long long)runjson_param_int(e, "workers"), ops);
		}
	}
	return ferror(f) ? -EIO : 0;
}

static bool has_line(const struct scaling *s, size_t op, size_t sh, size_t r)
{
	json_t *e;

	RESULTS_FOREACH(s->c->runs[r].run, "contention", i, e)
	{
		double ops;
		if (throughput(e, &ops) && index_of(s->ops, runjson_param_str(e, "op")) == op &&
		    index_of(s->sharings, runjson_param_str(e, "sharing")) == sh)
			return true;
	}
	return false;
}

static void names(FILE *f, const char *var, const json_t *list)
{
	json_t *v;
	size_t i, n = json_array_size(list);

	fprintf(f, "%s_n = %zu\narray %s[%zu] = [", var, n, var, n ? n : 1);
	json_array_foreach(list, i, v)
	{
		fputs(i ? ", " : "", f);
		plot_quote(f, json_string_value(v));
	}
	fprintf(f, "%s]\n", n ? "" : "''");
}

static int fill_vars(FILE *f, void *arg)
{
	const struct scaling *s = arg;
	size_t nop = json_array_size(s->ops), nsh = json_array_size(s->sharings), n = 0;
	static const char *const what[3] = {"panel", "sharing", "run"};

	fprintf(f, "# written by spawnscope compare: what compare_scaling.gp draws\n");
	names(f, "cs_op", s->ops);
	names(f, "cs_sharing", s->sharings);
	for (size_t o = 1; o <= nop; o++)
		for (size_t h = 1; h <= nsh; h++)
			for (size_t r = 0; r < s->c->n; r++)
				n += has_line(s, o, h, r);
	fprintf(f, "cs_nl = %zu\n", n);
	for (int w = 0; w < 3; w++) {
		size_t k = 0;
		fprintf(f, "array cs_l%s[%zu] = [", what[w], n ? n : 1);
		for (size_t o = 1; o <= nop; o++)
			for (size_t h = 1; h <= nsh; h++)
				for (size_t r = 0; r < s->c->n; r++)
					if (has_line(s, o, h, r))
						fprintf(f, "%s%zu", k++ ? ", " : "",
							w == 0	 ? o
							: w == 1 ? h
								 : r + 1);
		fprintf(f, "%s]\n", n ? "" : "0");
	}
	return ferror(f) ? -EIO : 0;
}

int compare_scaling(const struct cmp *c, const char *scripts, char **svg)
{
	struct scaling s = {c, json_array(), json_array()};
	char path[PATH_MAX + 64];
	json_t *e;
	int rc = 0;

	*svg = NULL;
	if (!s.ops || !s.sharings) {
		rc = 1;
		goto out;
	}
	for (size_t r = 0; r < c->n; r++) {
		RESULTS_FOREACH(c->runs[r].run, "contention", i, e)
		{
			double ops;
			if (throughput(e, &ops)) {
				note(s.ops, runjson_param_str(e, "op"));
				note(s.sharings, runjson_param_str(e, "sharing"));
			}
		}
	}
	if (!json_array_size(s.ops))
		goto out; /* nothing but spawn-under-load points */
	snprintf(path, sizeof(path), "%s/compare-scaling.csv", c->out);
	rc = atomic_write(path, fill_csv, &s);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/compare-scaling.gp", c->out);
		rc = atomic_write(path, fill_vars, &s);
	}
	if (rc) {
		fprintf(stderr, "spawnscope compare: writing %s: %s\n", path, strerror(-rc));
		rc = 1;
	} else if (plot_render(scripts, c->out, "compare_scaling")) {
		rc = 1;
	} else if (!(*svg = strdup("plots/compare-contention.svg"))) {
		rc = 1;
	}
out:
	json_decref(s.ops);
	json_decref(s.sharings);
	return rc;
}
