/* The sweeps of every run overlaid: t_reaped's median against the parent's anon memory
 * (pagetable) and against its inherited open fds (fdtable), one panel per backend, one
 * line per run. Data: compare-curves-EXP.csv (panel,run,x,p50_us,p10_us,p90_us) and
 * compare-curves.gp (the experiment, arrays of backends and of the (panel, run) lines that
 * have points), rewritten before each of the two renders of scripts/compare_curves.gp. */
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

struct curve_exp {
	const char *name, *x_param, *x_label;
	/* the entry is on the curve: its backend is drawn */
	bool (*wanted)(const json_t *entry);
};

static bool pagetable_wanted(const json_t *e)
{
	return !strcmp(runjson_param_str(e, "axis") ?: "", "size") &&
	       !strcmp(runjson_param_str(e, "kind") ?: "", "anon");
}

/* inherited fds, and efork's empty table */
static bool fdtable_wanted(const json_t *e)
{
	const char *v = runjson_param_str(e, "variant") ?: "";
	return !strcmp(v, "inherit") || !strcmp(v, "blank");
}

static const struct curve_exp curve_exps[] = {
    {"pagetable", "size_mib", "anon memory in the parent, MiB (log)", pagetable_wanted},
    {"fdtable", "fds", "open fds in the parent, inherited (log)", fdtable_wanted},
};

struct curves {
	const struct cmp *c;
	const struct curve_exp *x;
	json_t *backends; /* array of names, first seen first */
};

/* x and t_reaped quantiles of an entry on the curve; false when not drawable (x <= 0 on
 * the log axis, no t_reaped) */
static bool point(const struct curves *cv, const json_t *e, double *x, double q[3])
{
	const json_t *m = runjson_metric_stats(e, "t_reaped");
	static const char *const qs[3] = {"p50", "p10", "p90"};

	if (!cv->x->wanted(e) || !runjson_backend(e))
		return false;
	*x = runjson_param(e, cv->x->x_param); /* NaN when missing: not drawn */
	/* (a missing p10 or p90 is drawn as 0, as before) */
	for (int i = 0; i < 3; i++)
		q[i] = json_number_value(json_object_get(m, qs[i])) / 1000.0;
	return *x > 0 && q[0] > 0;
}

static size_t backend_index(const struct curves *cv, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(cv->backends, i, v) if (!strcmp(json_string_value(v), name)) return i +
	    1;
	return 0;
}

struct curve_point {
	size_t panel, run;
	double x, q[3];
};

static int by_line_then_x(const void *a, const void *b)
{
	const struct curve_point *p = a, *q = b;

	if (p->panel != q->panel)
		return p->panel < q->panel ? -1 : 1;
	if (p->run != q->run)
		return p->run < q->run ? -1 : 1;
	return p->x < q->x ? -1 : p->x > q->x;
}

/* sorted by panel, run and x: a run's points are not always stored in x order, and a line
 * is drawn in file order */
static int fill_csv(FILE *f, void *arg)
{
	const struct curves *cv = arg;
	struct curve_point *pts = NULL;
	size_t n = 0, cap = 0;
	json_t *e;

	fprintf(f, "panel,run,x,p50_us,p10_us,p90_us\n");
	for (size_t r = 0; r < cv->c->n; r++) {
		RESULTS_FOREACH(cv->c->runs[r].run, cv->x->name, i, e)
		{
			struct curve_point pt = {.run = r + 1};
			if (!point(cv, e, &pt.x, pt.q))
				continue;
			pt.panel = backend_index(cv, runjson_backend(e));
			if (n == cap) {
				struct curve_point *grown =
				    realloc(pts, (cap = cap ? 2 * cap : 64) * sizeof(*pts));
				if (!grown) {
					free(pts);
					return -ENOMEM;
				}
				pts = grown;
			}
			pts[n++] = pt;
		}
	}
	if (n)
		qsort(pts, n, sizeof(*pts), by_line_then_x);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%zu,%zu,%g,%.3f,%.3f,%.3f\n", pts[i].panel, pts[i].run, pts[i].x,
			pts[i].q[0], pts[i].q[1], pts[i].q[2]);
	free(pts);
	return ferror(f) ? -EIO : 0;
}

/* does run r have a point for backend #b? */
static bool has_line(const struct curves *cv, size_t b, size_t r)
{
	json_t *e;

	RESULTS_FOREACH(cv->c->runs[r].run, cv->x->name, i, e)
	{
		double x, q[3];
		if (point(cv, e, &x, q) && backend_index(cv, runjson_backend(e)) == b)
			return true;
	}
	return false;
}

static int fill_vars(FILE *f, void *arg)
{
	const struct curves *cv = arg;
	size_t nb = json_array_size(cv->backends), n = 0;
	json_t *v;
	size_t i;

	fprintf(f, "# written by spawnscope compare: what compare_curves.gp draws for %s\n",
		cv->x->name);
	fprintf(f, "cc_exp = '%s'\ncc_xlabel = ", cv->x->name);
	plot_quote(f, cv->x->x_label);
	fprintf(f, "\ncc_nb = %zu\narray cc_backend[%zu] = [", nb, nb ? nb : 1);
	json_array_foreach(cv->backends, i, v)
	{
		fputs(i ? ", " : "", f);
		plot_quote(f, json_string_value(v));
	}
	fprintf(f, "%s]\n", nb ? "" : "''");
	for (size_t b = 1; b <= nb; b++)
		for (size_t r = 0; r < cv->c->n; r++)
			n += has_line(cv, b, r);
	fprintf(f, "cc_nl = %zu\n", n);
	for (int which = 0; which < 2; which++) {
		size_t k = 0;
		fprintf(f, "array cc_l%s[%zu] = [", which ? "run" : "panel", n ? n : 1);
		for (size_t b = 1; b <= nb; b++)
			for (size_t r = 0; r < cv->c->n; r++)
				if (has_line(cv, b, r))
					fprintf(f, "%s%zu", k++ ? ", " : "", which ? r + 1 : b);
		fprintf(f, "%s]\n", n ? "" : "0");
	}
	return ferror(f) ? -EIO : 0;
}

/* 0: drawn; 1: failed (message printed); -1: nothing to draw */
static int one(const struct cmp *c, const struct curve_exp *x, const char *scripts, char **svg)
{
	struct curves cv = {c, x, json_array()};
	char path[PATH_MAX + 64];
	json_t *e;
	int rc;

	if (!cv.backends)
		return 1;
	for (size_t r = 0; r < c->n; r++) {
		RESULTS_FOREACH(c->runs[r].run, x->name, i, e)
		{
			double xv, q[3];
			const char *b = runjson_backend(e);
			if (point(&cv, e, &xv, q) && !backend_index(&cv, b))
				json_array_append_new(cv.backends, json_string(b));
		}
	}
	if (!json_array_size(cv.backends)) {
		json_decref(cv.backends);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/compare-curves-%s.csv", c->out, x->name);
	rc = atomic_write(path, fill_csv, &cv);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/compare-curves.gp", c->out);
		rc = atomic_write(path, fill_vars, &cv);
	}
	json_decref(cv.backends);
	if (rc) {
		fprintf(stderr, "spawnscope compare: writing %s: %s\n", path, strerror(-rc));
		return 1;
	}
	if (plot_render(scripts, c->out, "compare_curves"))
		return 1;
	return asprintf(svg, "plots/compare-%s.svg", x->name) < 0 ? 1 : 0;
}

int compare_curves(const struct cmp *c, const char *scripts, char ***svgs, size_t *n_svgs)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof(curve_exps) / sizeof(curve_exps[0]); i++) {
		char *svg = NULL, **grown;
		int rc;

		if (!compare_has(c, curve_exps[i].name))
			continue;
		rc = one(c, &curve_exps[i], scripts, &svg);
		if (rc > 0)
			failed++;
		if (rc || !svg)
			continue;
		if (!(grown = realloc(*svgs, (*n_svgs + 1) * sizeof(**svgs)))) {
			free(svg);
			failed++;
			continue;
		}
		*svgs = grown;
		grown[(*n_svgs)++] = svg;
	}
	if (compare_has(c, "contention")) {
		char *svg = NULL, **grown;
		failed += compare_scaling(c, scripts, &svg);
		if (svg && (grown = realloc(*svgs, (*n_svgs + 1) * sizeof(**svgs)))) {
			*svgs = grown;
			grown[(*n_svgs)++] = svg;
		} else {
			free(svg);
		}
	}
	return failed;
}
