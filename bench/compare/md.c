/* compare.md's experiment sections: latency quantiles per run, each backend's change
 * against the first run, fitted slopes per run, contention scaling per run. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "bench/core/experiment.h"
#include "bench/gate/gate.h"
#include "bench/core/runjson.h"

void compare_cell(FILE *md, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", md);
		else if (*s == '`')
			fputc('\'', md);
		else
			fputc(*s == '\n' || *s == '\r' ? ' ' : *s, md);
	}
}

bool compare_has(const struct cmp *c, const char *experiment)
{
	for (size_t i = 0; i < c->n_common; i++)
		if (!strcmp(c->common[i], experiment))
			return true;
	return false;
}

void compare_header(const struct cmp *c, FILE *md, const char *first, bool numbers)
{
	fprintf(md, "| %s |", first);
	for (size_t i = 0; i < c->n; i++) {
		fprintf(md, " ");
		compare_cell(md, c->runs[i].label);
		fprintf(md, " |");
	}
	fprintf(md, "\n|---|");
	for (size_t i = 0; i < c->n; i++)
		fprintf(md, numbers ? "---:|" : "---|");
	fprintf(md, "\n");
}

char *compare_latency_key(const json_t *entry)
{
	const char *be = runjson_backend(entry);
	const char *mode = runjson_param_str(entry, "mode");
	const char *target = runjson_param_str(entry, "target");
	const char *probes = runjson_param_str(entry, "probes");
	double rss = runjson_param(entry, "parent_rss"); /* NaN when absent: no size */
	bool gib = rss >= 1073741824.0;
	char size[48] = "";
	char *key;

	if (!be || (probes && !strcmp(probes, "on")))
		return NULL; /* the probes twin: the plain arm is what is compared */
	if (rss > 0)
		snprintf(size, sizeof(size), ", parent %g %s",
			 rss / (gib ? 1073741824.0 : 1048576.0), gib ? "GiB" : "MiB");
	bool other = target && strcmp(target, "stamp");

	if (asprintf(&key, "%s%s%s%s%s%s", be, mode && strcmp(mode, "exec") ? " noexec" : "",
		     other ? " (target " : "", other ? target : "", other ? ")" : "", size) < 0)
		return NULL;
	return key;
}

const json_t *compare_latency_entry(const struct cmp_run *r, const char *key)
{
	json_t *e;

	RESULTS_FOREACH(r->run, "latency", i, e)
	{
		char *k = compare_latency_key(e);
		bool match = k && !strcmp(k, key);
		free(k);
		if (match)
			return e;
	}
	return NULL;
}

void compare_rows_free(char **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
}

char **compare_latency_rows(const struct cmp *c, size_t *n)
{
	char **rows = NULL;
	size_t cap = 0;
	json_t *e;

	*n = 0;
	for (size_t r = 0; r < c->n; r++) {
		RESULTS_FOREACH(c->runs[r].run, "latency", i, e)
		{
			char *k = compare_latency_key(e);
			bool seen = !k;

			for (size_t j = 0; j < *n && !seen; j++)
				seen = !strcmp(rows[j], k);
			if (seen) {
				free(k);
				continue;
			}
			if (*n == cap) {
				char **grown =
				    realloc(rows, (cap = cap ? 2 * cap : 16) * sizeof(*rows));
				if (!grown) {
					free(k);
					return rows;
				}
				rows = grown;
			}
			rows[(*n)++] = k;
		}
	}
	return rows;
}

const char *compare_latency_metric(const struct cmp *c)
{
	for (size_t r = 0; r < c->n; r++) {
		json_t *e;
		RESULTS_FOREACH(c->runs[r].run, "latency", i, e)
		{
			if (isnan(runjson_metric(e, "t_first", "p50")))
				return "t_reaped";
		}
	}
	return "t_first";
}

/* "43.8 [42.7, 44.3]" in µs, or "–" */
static void quantile_cell(FILE *md, const json_t *entry, const char *metric, const char *q)
{
	const json_t *m = runjson_metric_stats(entry, metric);
	double v = runjson_num(m, q);
	char ci_key[32];
	const json_t *ci;

	if (isnan(v)) {
		fprintf(md, " – |");
		return;
	}
	fprintf(md, " %.1f", v / 1000.0);
	snprintf(ci_key, sizeof(ci_key), "ci95_%s", q);
	ci = json_object_get(m, ci_key);
	if (json_array_size(ci) == 2)
		fprintf(md, " [%.1f, %.1f]", json_number_value(json_array_get(ci, 0)) / 1000.0,
			json_number_value(json_array_get(ci, 1)) / 1000.0);
	fprintf(md, " |");
}

void compare_latency_md(const struct cmp *c, FILE *md)
{
	static const char *const qs[] = {"p50", "p10", "p99"};
	const char *metric = compare_latency_metric(c);
	size_t n;
	char **rows = compare_latency_rows(c, &n);

	fprintf(md, "## Spawn latency per run (`latency`)\n\n");
	for (size_t q = 0; q < sizeof(qs) / sizeof(qs[0]); q++) {
		char first[64];

		fprintf(md, "%s %s per run, µs%s:\n\n", metric, qs[q],
			strcmp(qs[q], "p99") ? " [95% bootstrap interval]" : "");
		snprintf(first, sizeof(first), "backend (%s %s)", metric, qs[q]);
		compare_header(c, md, first, true);
		for (size_t r = 0; r < n; r++) {
			fprintf(md, "| ");
			compare_cell(md, rows[r]);
			fprintf(md, " |");
			for (size_t i = 0; i < c->n; i++) {
				const json_t *e = compare_latency_entry(&c->runs[i], rows[r]);
				if (e)
					quantile_cell(md, e, metric, qs[q]);
				else
					fprintf(md, " not run |");
			}
			fprintf(md, "\n");
		}
		fprintf(md, "\n");
	}
	compare_rows_free(rows, n);
}

/* Per-block summaries q of metric in one entry; blocks under half the largest (a trailing
 * partial block) are left out, as the gate does. Returns the count (0: none usable). */
static size_t entry_blocks(const json_t *entry, const char *metric, const char *q, double *out,
			   size_t cap)
{
	json_int_t most = runjson_blocks_most(entry);
	json_t *b;
	size_t i, n = 0;

	json_array_foreach(json_object_get(entry, "blocks"), i, b)
	{
		double v = runjson_num(json_object_get(b, metric), q);
		if (!runjson_block_full(b, most) || !(v > 0) || n == cap)
			continue;
		out[n++] = v;
	}
	return n;
}

int compare_change(const json_t *a, const json_t *b, const char *metric, const char *q,
		   struct cmp_change *ch)
{
	size_t cap_a = json_array_size(json_object_get(a, "blocks"));
	size_t cap_b = json_array_size(json_object_get(b, "blocks"));
	double *va = calloc(cap_a + 1, sizeof(double)), *vb = calloc(cap_b + 1, sizeof(double));
	int rc = -ENOMEM;

	ch->na = ch->nb = 0;
	if (va && vb) {
		ch->na = entry_blocks(a, metric, q, va, cap_a);
		ch->nb = entry_blocks(b, metric, q, vb, cap_b);
		rc = !ch->na || !ch->nb ? -ENODATA
					: gate_shift_unpaired(va, ch->na, vb, ch->nb, &ch->s);
		if (!rc && (!isfinite(ch->s.lo) || !isfinite(ch->s.hi)))
			rc = -ERANGE;
	}
	free(va);
	free(vb);
	return rc;
}

/* "+3.1 % [+1.0, +5.2]" of run k against run 0, or why not */
static void change_cell(FILE *md, const json_t *a, const json_t *b, const char *metric,
			const char *q)
{
	struct cmp_change ch;
	int rc = compare_change(a, b, metric, q, &ch);

	if (rc == -ENODATA)
		fprintf(md, " no block summaries |");
	else if (rc == -ENOMEM)
		fprintf(md, " out of memory |");
	else if (rc)
		fprintf(md, " %zu vs %zu blocks: too few for an interval |", ch.na, ch.nb);
	else
		fprintf(md, " %+.1f %% [%+.1f, %+.1f]%s |", gate_pct(ch.s.est), gate_pct(ch.s.lo),
			gate_pct(ch.s.hi), ch.s.lo > 0 || ch.s.hi < 0 ? " **" : "");
}

void compare_change_md(const struct cmp *c, FILE *md)
{
	const char *metric = compare_latency_metric(c);
	size_t n, missing = 0;
	char **rows = compare_latency_rows(c, &n);

	fprintf(md,
		"## Did spawn latency change? (`latency`)\n\nChange of each backend against **");
	compare_cell(md, c->runs[0].label);
	fprintf(md,
		"** (%s, per-block p50 and p10; unpaired: two-sample Hodges–Lehmann shift of "
		"the log block summaries with its 95 %% interval; ** marks an interval that "
		"excludes 0). Runs on different machines or at different times share no "
		"rounds, so drift between them is not cancelled: confirm a change with the "
		"paired gate where both can run in one job.\n\n",
		metric);
	fprintf(md, "| backend | run | %s p50 change | %s p10 change |\n|---|---|---:|---:|\n",
		metric, metric);
	for (size_t r = 0; r < n; r++) {
		const json_t *a = compare_latency_entry(&c->runs[0], rows[r]);
		for (size_t i = 1; i < c->n; i++) {
			const json_t *b = compare_latency_entry(&c->runs[i], rows[r]);
			if (!a || !b) {
				missing++;
				continue;
			}
			fprintf(md, "| ");
			compare_cell(md, rows[r]);
			fprintf(md, " | ");
			compare_cell(md, c->runs[i].label);
			fprintf(md, " |");
			change_cell(md, a, b, metric, "p50");
			change_cell(md, a, b, metric, "p10");
			fprintf(md, "\n");
		}
	}
	if (missing)
		fprintf(md,
			"\n%zu backend × run pair(s) not measured in both runs (see `not run` "
			"above) have no change.\n",
			missing);
	fprintf(md, "\n");
	compare_rows_free(rows, n);
}

/* The fits compared: fork's price per MiB of anon memory and per VMA (pagetable), and per
 * open fd (fdtable), on t_reaped's median. */
static bool slope_wanted(const json_t *f)
{
	const char *exp = json_string_value(json_object_get(f, "experiment")) ?: "";
	const char *metric = json_string_value(json_object_get(f, "metric")) ?: "";
	const char *unit = json_string_value(json_object_get(f, "x_unit")) ?: "";
	const char *kind = json_string_value(json_object_get(f, "kind"));
	const char *q = json_string_value(json_object_get(f, "quantile"));

	if (strcmp(metric, "t_reaped") || (q && strcmp(q, "p50")))
		return false;
	if (!strcmp(exp, "pagetable"))
		return (!strcmp(unit, "MiB") && kind && !strcmp(kind, "anon")) ||
		       !strcmp(unit, "VMA");
	return !strcmp(exp, "fdtable") && !strcmp(unit, "fd");
}

static char *slope_key(const json_t *f)
{
	const char *variant = json_string_value(json_object_get(f, "variant"));
	const char *be = json_string_value(json_object_get(f, "backend")) ?: "?";
	char *k;

	if (asprintf(&k, "%s|%s%s%s%s|%s", json_string_value(json_object_get(f, "experiment")), be,
		     variant && !strstr(be, "[") ? "[" : "",
		     variant && !strstr(be, "[") ? variant : "",
		     variant && !strstr(be, "[") ? "]" : "",
		     json_string_value(json_object_get(f, "x_unit"))) < 0)
		return NULL;
	return k;
}

static const json_t *find_fit(const struct cmp_run *r, const char *key)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(r->run, "fits"), i, f)
	{
		char *k;
		bool match;

		if (!slope_wanted(f))
			continue;
		k = slope_key(f);
		match = k && !strcmp(k, key);
		free(k);
		if (match)
			return f;
	}
	return NULL;
}

/* 3 significant digits without exponents: 15400, 45.1, 0.633 */
static void slope_num(FILE *md, const char *pre, double v)
{
	fprintf(md, fabs(v) >= 100 ? "%s%.0f" : "%s%.3g", pre, v);
}

void compare_slopes_md(const struct cmp *c, FILE *md)
{
	bool any = false;
	json_t *seen = json_object();
	json_t *f;
	size_t i;

	if (!seen)
		return;
	for (size_t r = 0; r < c->n; r++) {
		json_array_foreach(json_object_get(c->runs[r].run, "fits"), i, f)
		{
			char *key;
			const char *exp = json_string_value(json_object_get(f, "experiment"));

			if (!slope_wanted(f) || !exp || !compare_has(c, exp) ||
			    !(key = slope_key(f)))
				continue;
			if (json_object_get(seen, key)) {
				free(key);
				continue;
			}
			json_object_set_new(seen, key, json_true());
			if (!any) {
				fprintf(md,
					"## What a page, a mapping and an fd cost at fork "
					"(`pagetable`, `fdtable`)\n\nSlope of t_reaped's median "
					"per unit, ns [95%% interval of the slope]; the first "
					"column says which experiment and unit.\n\n");
				compare_header(c, md, "backend · unit", true);
				any = true;
			}
			{
				const char *bar = strchr(key, '|');
				const char *bar2 = strrchr(key, '|');
				fprintf(md, "| ");
				fwrite(bar + 1, 1, (size_t)(bar2 - bar - 1), md);
				fprintf(md, " · ns per %s (%.*s) |", bar2 + 1, (int)(bar - key),
					key);
			}
			for (size_t k = 0; k < c->n; k++) {
				const json_t *g = find_fit(&c->runs[k], key);
				const json_t *ci = json_object_get(g, "slope_ci95");
				if (!g) {
					fprintf(md, " – |");
					continue;
				}
				slope_num(md, " ",
					  json_number_value(json_object_get(g, "slope_ns")));
				if (json_array_size(ci) == 2) {
					slope_num(md, " [",
						  json_number_value(json_array_get(ci, 0)));
					slope_num(md, ", ",
						  json_number_value(json_array_get(ci, 1)));
					fprintf(md, "]");
				}
				fprintf(md, " |");
			}
			fprintf(md, "\n");
			free(key);
		}
	}
	if (any)
		fprintf(md, "\n");
	json_decref(seen);
}

/* Contention: throughput at each worker count for the non-spawn ops, per run. */
void compare_contention_md(const struct cmp *c, FILE *md)
{
	json_t *seen = json_object();
	json_t *e;

	if (!seen)
		return;
	fprintf(md, "## Contention scaling (`contention`)\n\nTotal ops/s (median over the "
		    "measurement) and scaling efficiency (ops/s per worker against one worker) "
		    "per sharing × operation × workers.\n\n");
	compare_header(c, md, "sharing · op · workers", true);
	for (size_t r = 0; r < c->n; r++) {
		RESULTS_FOREACH(c->runs[r].run, "contention", i, e)
		{
			const json_t *p = json_object_get(e, "params");
			char *key;

			if (json_object_get(p, "backend") || !runjson_metric_stats(e, "ops_per_s"))
				continue; /* spawn-under-load points are spawn latencies */
			if (asprintf(&key, "%s · %s · %lld", runjson_param_str(e, "sharing") ?: "?",
				     runjson_param_str(e, "op") ?: "?",
				     (long long)runjson_param_int(e, "workers")) < 0)
				continue;
			if (json_object_get(seen, key)) {
				free(key);
				continue;
			}
			json_object_set_new(seen, key, json_true());
			fprintf(md, "| %s |", key);
			for (size_t k = 0; k < c->n; k++) {
				const json_t *found = NULL, *x;
				RESULTS_FOREACH(c->runs[k].run, "contention", j, x)
				{
					const json_t *q = json_object_get(x, "params");
					if (!json_object_get(q, "backend") &&
					    json_equal(q, (json_t *)p))
						found = x;
				}
				if (!found) {
					fprintf(md, " – |");
					continue;
				}
				{
					double v = runjson_metric_level(found, "ops_per_s");
					double eff = runjson_metric(found, "efficiency", NULL);
					/* (a point without a rate has always shown 0/s) */
					fprintf(md, " %.3g/s", isnan(v) ? 0 : v);
					if (!isnan(eff))
						fprintf(md, ", eff %.2f", eff);
					fprintf(md, " |");
				}
			}
			fprintf(md, "\n");
			free(key);
		}
	}
	fprintf(md, "\n");
	json_decref(seen);
}
