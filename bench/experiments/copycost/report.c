/* Fits and wording for the copy-cost experiments, computed from run.json entries so that a
 * run and `spawnscope report` on its directory give the same numbers. */
#include "copycost.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* params.<key>, or the entry's backend when key is "backend" */
static const char *param_or_backend(const json_t *entry, const char *key)
{
	return !strcmp(key, "backend") ? runjson_backend(entry) : runjson_param_str(entry, key);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool entry_matches(const json_t *e, const char *exp, const char *axis)
{
	if (!str_eq(runjson_experiment(e), exp))
		return false;
	return !axis || str_eq(runjson_param_str(e, "axis"), axis);
}

json_t *distinct_values(const json_t *run, const char *exp, const char *axis, const char *key)
{
	json_t *out = json_array();
	json_t *results = json_object_get(run, "results");
	for (size_t i = 0; out && i < json_array_size(results); i++) {
		json_t *e = json_array_get(results, i);
		const char *v = entry_matches(e, exp, axis) ? param_or_backend(e, key) : NULL;
		if (!v)
			continue;
		bool seen = false;
		for (size_t j = 0; j < json_array_size(out) && !seen; j++)
			seen = str_eq(json_string_value(json_array_get(out, j)), v);
		if (!seen)
			json_array_append_new(out, json_string(v));
	}
	return out;
}

/* A point's standard deviation: from its 95% interval of the fitted quantile, the interval's
 * mean half-width / 1.96 (block-bootstrap intervals are asymmetric; this is their average
 * spread); without one (fewer than 40 rounds), the standard error between its rounds
 * (se_<q>_rounds). NaN when it has neither. */
static double point_sd(const json_t *entry, const char *metric, const char *field)
{
	const json_t *st = runjson_metric_stats(entry, metric);
	char key[32];
	double lo, hi, se;

	snprintf(key, sizeof(key), "ci95_%s", field);
	runjson_interval(st, key, &lo, &hi);
	if (hi > lo)
		return (hi - lo) / 2 / 1.959963984540054;
	/* Fewer rounds than an interval needs: the spread between rounds. */
	snprintf(key, sizeof(key), "se_%s_rounds", field);
	se = runjson_num(st, key);
	return se > 0 ? se : NAN;
}

int series_fit_compute(const json_t *run, const struct series_fit *sf, struct fit *f)
{
	json_t *results = json_object_get(run, "results");
	size_t cap = json_array_size(results), n = 0;
	double *x = calloc(cap ? cap : 1, sizeof *x), *y = calloc(cap ? cap : 1, sizeof *y);
	double *sd = calloc(cap ? cap : 1, sizeof *sd);
	bool all_sd = true;
	if (!x || !y || !sd) {
		free(x);
		free(y);
		free(sd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cap; i++) {
		json_t *e = json_array_get(results, i);
		if (!entry_matches(e, sf->exp, sf->axis) || !str_eq(runjson_backend(e), sf->label))
			continue;
		if (sf->series_key && !str_eq(param_or_backend(e, sf->series_key), sf->series_val))
			continue;
		double xv = runjson_param(e, sf->x_param);
		double yv = runjson_metric(e, sf->metric, sf->field ? sf->field : "p50");
		if (isnan(xv) || isnan(yv))
			continue;
		x[n] = xv * sf->x_scale;
		y[n] = yv;
		sd[n] = point_sd(e, sf->metric, sf->field ? sf->field : "p50");
		all_sd &= sd[n] > 0;
		n++;
	}
	int rc = -EDOM;
	bool distinct = false;
	for (size_t i = 1; i < n && !distinct; i++)
		distinct = x[i] != x[0];
	/* Each point's own uncertainty when every point has one; else the plain fit (the
	 * summary says which: fit->method). */
	if (n >= 2 && distinct && all_sd) {
		fit_sd_floor(y, sd, n);
		rc = fit_weighted(x, y, sd, n, f);
	} else if (n >= 2 && distinct) {
		rc = fit_linear(x, y, n, f);
	}
	free(x);
	free(y);
	free(sd);
	return rc;
}

const char *slope_cell(const struct fit *f, char *buf, size_t len)
{
	char s[32], lo[32], hi[32];

	if (!isfinite(f->slope))
		return "–";
	if (!isfinite(f->slope_ci95[0]) || !isfinite(f->slope_ci95[1]))
		snprintf(buf, len, "%s", fmt_ns(f->slope, s, sizeof s));
	else
		snprintf(buf, len, "%s [%s, %s]", fmt_ns(f->slope, s, sizeof s),
			 fmt_ns(f->slope_ci95[0], lo, sizeof lo),
			 fmt_ns(f->slope_ci95[1], hi, sizeof hi));
	return buf;
}

const char *slope_verdict(const struct fit *f)
{
	if (!isfinite(f->slope_ci95[0]) || !isfinite(f->slope_ci95[1]))
		return "no interval";
	if (f->slope_ci95[0] <= 0 && f->slope_ci95[1] >= 0)
		return "nothing measurable";
	return f->slope < 0 ? "no growth (drift)" : "pays";
}

void slopes_finding(FILE *md, const char *const *labels, const struct fit *fits, const bool *have,
		    size_t n, const char *per)
{
	size_t most = n, least = n, zero = 0;
	char a[32], b[32];

	for (size_t i = 0; i < n; i++) {
		if (!have[i])
			continue;
		if (strcmp(slope_verdict(&fits[i]), "pays")) {
			zero++;
			continue;
		}
		if (most == n || fits[i].slope > fits[most].slope)
			most = i;
		if (least == n || fits[i].slope < fits[least].slope)
			least = i;
	}
	if (most == n && !zero)
		return;
	if (most != n && least != most)
		fprintf(md, "Per %s, %s pays the most (%s) and %s the least that pays (%s)", per,
			labels[most], fmt_ns(fits[most].slope, a, sizeof a), labels[least],
			fmt_ns(fits[least].slope, b, sizeof b));
	else if (most != n)
		fprintf(md, "Per %s, only %s pays (%s)", per, labels[most],
			fmt_ns(fits[most].slope, a, sizeof a));
	/* the others by what their fit says: a fit without an interval is not "nothing" */
	static const char *const verdicts[] = {"nothing measurable", "no growth (drift)",
					       "no interval"};
	static const char *const said_as[] = {
	    "nothing measurable", "no growth (drift)",
	    "no interval (too few sizes or rounds to bound the slope; see the table)"};
	bool said = most != n;
	for (size_t v = 0; zero && v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
		bool first = true;

		for (size_t i = 0; i < n; i++) {
			if (!have[i] || strcmp(slope_verdict(&fits[i]), verdicts[v]))
				continue;
			if (first)
				fprintf(md, "%s%c%s: ", said ? "; " : "",
					said ? said_as[v][0] : said_as[v][0] - 'a' + 'A',
					said_as[v] + 1);
			fprintf(md, "%s%s", first ? "" : ", ", labels[i]);
			first = false;
			said = true;
		}
	}
	fputs(".\n", md);
}

int fit_lookup(const json_t *run, const char *exp, const char *label, const char *metric,
	       const char *x_unit, const char *key, const char *val, struct fit *f)
{
	return fit_lookup_q(run, exp, label, metric, x_unit, "p50", key, val, f);
}

int fit_lookup_q(const json_t *run, const char *exp, const char *label, const char *metric,
		 const char *x_unit, const char *quantile, const char *key, const char *val,
		 struct fit *f)
{
	json_t *fits = json_object_get(run, "fits");
	for (size_t i = 0; i < json_array_size(fits); i++) {
		json_t *o = json_array_get(fits, i);
		if (!str_eq(json_string_value(json_object_get(o, "experiment")), exp) ||
		    !str_eq(json_string_value(json_object_get(o, "backend")), label) ||
		    !str_eq(json_string_value(json_object_get(o, "metric")), metric) ||
		    !str_eq(json_string_value(json_object_get(o, "x_unit")), x_unit))
			continue;
		if (key && !str_eq(json_string_value(json_object_get(o, key)), val))
			continue;
		const char *q = json_string_value(json_object_get(o, "quantile"));
		if (!str_eq(q ? q : "p50", quantile))
			continue;
		memset(f, 0, sizeof *f);
		f->n = (size_t)json_integer_value(json_object_get(o, "n"));
		f->slope = json_number_value(json_object_get(o, "slope_ns"));
		f->intercept = json_number_value(json_object_get(o, "intercept_ns"));
		/* null (no interval: two points, or no r2) reads as NaN, not as zero */
		f->r2 = runjson_num(o, "r2");
		runjson_interval(o, "slope_ci95", &f->slope_ci95[0], &f->slope_ci95[1]);
		return 0;
	}
	return -ENOENT;
}
