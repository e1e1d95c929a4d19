/* The comparison's plots: compare-latency.csv and compare-vars.gp for
 * scripts/compare_latency.gp, drawn in the --out directory (bench/report/report_plot.c). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "bench/report/report_plot.h"
#include "bench/core/results.h"
#include "bench/core/runjson.h"

struct plot_data {
	const struct cmp *c;
	char **rows;
	size_t n_rows;
	const char *metric;
};

/* row,run,p50_us,lo_us,hi_us,p99_us,chg_pct,chg_lo,chg_hi (1-based indexes into
 * compare-vars.gp's arrays; the change of the block p50 against run 1, NaN where none) */
static int fill_latency_csv(FILE *f, void *arg)
{
	const struct plot_data *d = arg;

	fprintf(f, "row,run,p50_us,lo_us,hi_us,p99_us,chg_pct,chg_lo,chg_hi\n");
	for (size_t r = 0; r < d->n_rows; r++)
		for (size_t i = 0; i < d->c->n; i++) {
			const json_t *e = compare_latency_entry(&d->c->runs[i], d->rows[r]);
			const json_t *m = runjson_metric_stats(e, d->metric);
			const json_t *ci = json_object_get(m, "ci95_p50");
			const json_t *ref = compare_latency_entry(&d->c->runs[0], d->rows[r]);
			double p50 = json_number_value(json_object_get(m, "p50"));
			struct cmp_change ch;
			bool chg = i > 0 && ref && !compare_change(ref, e, d->metric, "p50", &ch);

			if (!(p50 > 0))
				continue;
			fprintf(f, "%zu,%zu,%.3f,%.3f,%.3f,%.3f,", r + 1, i + 1, p50 / 1000.0,
				json_array_size(ci) == 2
				    ? json_number_value(json_array_get(ci, 0)) / 1000.0
				    : p50 / 1000.0,
				json_array_size(ci) == 2
				    ? json_number_value(json_array_get(ci, 1)) / 1000.0
				    : p50 / 1000.0,
				json_number_value(json_object_get(m, "p99")) / 1000.0);
			if (chg)
				fprintf(f, "%.2f,%.2f,%.2f\n", gate_pct(ch.s.est),
					gate_pct(ch.s.lo), gate_pct(ch.s.hi));
			else
				fprintf(f, "NaN,NaN,NaN\n");
		}
	return ferror(f) ? -EIO : 0;
}

/* the backend of a row key ("vfork, parent 1 GiB" -> "vfork"), for its colour */
static void row_backend(FILE *f, const char *row)
{
	size_t n = strcspn(row, " ,");
	char *b = strndup(row, n);

	plot_quote(f, b ? b : row);
	free(b);
}

/* Whether row r of run i has a point (change: a change against run 1) */
static bool has_point(const struct plot_data *d, size_t r, size_t i, bool change)
{
	const json_t *e = compare_latency_entry(&d->c->runs[i], d->rows[r]);
	const json_t *ref = compare_latency_entry(&d->c->runs[0], d->rows[r]);
	struct cmp_change ch;

	if (!(runjson_metric(e, d->metric, "p50") > 0))
		return false;
	return !change || (i > 0 && ref && !compare_change(ref, e, d->metric, "p50", &ch));
}

/* The range of the changes' intervals as ratios (cmp_chg_lo, cmp_chg_hi): the script sets its
 * axis and chooses its ticks from it. */
static void change_range(FILE *f, const struct plot_data *d)
{
	double lo = 1, hi = 1;

	for (size_t r = 0; r < d->n_rows; r++)
		for (size_t i = 1; i < d->c->n; i++) {
			const json_t *a = compare_latency_entry(&d->c->runs[0], d->rows[r]);
			const json_t *b = compare_latency_entry(&d->c->runs[i], d->rows[r]);
			struct cmp_change ch;
			if (!a || !b || compare_change(a, b, d->metric, "p50", &ch))
				continue;
			lo = fmin(lo, exp(ch.s.lo));
			hi = fmax(hi, exp(ch.s.hi));
		}
	fprintf(f, "cmp_chg_lo = %.6g\ncmp_chg_hi = %.6g\n", lo, hi);
}

/* The (row, run) pairs that have a point, as two arrays: gnuplot warns about a plot
 * clause with nothing to draw, so the script plots only these. */
static void pairs(FILE *f, const struct plot_data *d, bool change)
{
	const char *pre = change ? "cmp_c" : "cmp_p";
	size_t n = 0;

	for (size_t r = 0; r < d->n_rows; r++)
		for (size_t i = 0; i < d->c->n; i++)
			n += has_point(d, r, i, change);
	fprintf(f, "%sn = %zu\n", pre, n);
	if (change)
		change_range(f, d);
	for (int which = 0; which < 2; which++) {
		size_t k = 0;
		fprintf(f, "array %s%s[%zu] = [", pre, which ? "k" : "r", n ? n : 1);
		for (size_t r = 0; r < d->n_rows; r++)
			for (size_t i = 0; i < d->c->n; i++)
				if (has_point(d, r, i, change))
					fprintf(f, "%s%zu", k++ ? ", " : "", which ? i + 1 : r + 1);
		fprintf(f, "%s]\n", n ? "" : "0");
	}
}

/* what follows the backend in a row key ("vfork, parent 1 GiB" -> "parent 1 GiB") */
static const char *row_setting(const char *row)
{
	const char *s = row + strcspn(row, " ,");
	return s + strspn(s, " ,");
}

/* One panel per setting (parent size, mode): rows of a panel share it, so that the parent
 * sizes are not mixed on one axis. Arrays: cmp_panel (titles), cmp_row_panel and
 * cmp_row_local (each row's panel and position in it). */
static void panels(FILE *f, const struct plot_data *d)
{
	const char **names = calloc(d->n_rows + 1, sizeof(*names));
	size_t *panel = calloc(d->n_rows + 1, sizeof(*panel));
	size_t *local = calloc(d->n_rows + 1, sizeof(*local));
	size_t *count = calloc(d->n_rows + 1, sizeof(*count));
	size_t np = 0;

	if (!names || !panel || !local || !count)
		goto out;
	for (size_t r = 0; r < d->n_rows; r++) {
		const char *set = row_setting(d->rows[r]);
		size_t p = 0;
		while (p < np && strcmp(names[p], set))
			p++;
		if (p == np)
			names[np++] = set;
		panel[r] = p + 1;
		local[r] = ++count[p];
	}
	fprintf(f, "cmp_npanels = %zu\narray cmp_panel[%zu] = [", np, np ? np : 1);
	for (size_t p = 0; p < np; p++) {
		fputs(p ? ", " : "", f);
		plot_quote(f, names[p][0] ? names[p] : "parent RSS 0");
	}
	fprintf(f, "%s]\narray cmp_panel_rows[%zu] = [", np ? "" : "''", np ? np : 1);
	for (size_t p = 0; p < np; p++)
		fprintf(f, "%s%zu", p ? ", " : "", count[p]);
	fprintf(f, "%s]\narray cmp_row_panel[%zu] = [", np ? "" : "0", d->n_rows ? d->n_rows : 1);
	for (size_t r = 0; r < d->n_rows; r++)
		fprintf(f, "%s%zu", r ? ", " : "", panel[r]);
	fprintf(f, "%s]\narray cmp_row_local[%zu] = [", d->n_rows ? "" : "0",
		d->n_rows ? d->n_rows : 1);
	for (size_t r = 0; r < d->n_rows; r++)
		fprintf(f, "%s%zu", r ? ", " : "", local[r]);
	fprintf(f, "%s]\n", d->n_rows ? "" : "0");
out:
	free(names);
	free(panel);
	free(local);
	free(count);
}

static int fill_vars(FILE *f, void *arg)
{
	const struct plot_data *d = arg;

	fprintf(f, "# written by spawnscope compare: what scripts/compare_latency.gp draws\n");
	fprintf(f, "cmp_metric = '%s'\ncmp_nruns = %zu\narray cmp_label[%zu] = [", d->metric,
		d->c->n, d->c->n);
	for (size_t i = 0; i < d->c->n; i++) {
		fputs(i ? ", " : "", f);
		plot_quote(f, d->c->runs[i].label);
	}
	fprintf(f, "]\ncmp_nrows = %zu\narray cmp_row[%zu] = [", d->n_rows, d->n_rows ?: 1);
	for (size_t r = 0; r < d->n_rows; r++) {
		fputs(r ? ", " : "", f);
		plot_quote(f, d->rows[r]);
	}
	fprintf(f, "%s]\narray cmp_backend[%zu] = [", d->n_rows ? "" : "''", d->n_rows ?: 1);
	for (size_t r = 0; r < d->n_rows; r++) {
		fputs(r ? ", " : "", f);
		row_backend(f, d->rows[r]);
	}
	fprintf(f, "%s]\n", d->n_rows ? "" : "''");
	panels(f, d);
	pairs(f, d, false);
	pairs(f, d, true);
	return ferror(f) ? -EIO : 0;
}

/* A row measured in one run only has nothing beside it: the tables list it (`not run`),
 * the plot leaves it out, and a setting (panel) with no other row goes with it. */
static void drop_single_run_rows(struct plot_data *d)
{
	size_t kept = 0;

	for (size_t r = 0; r < d->n_rows; r++) {
		size_t runs = 0;
		for (size_t i = 0; i < d->c->n; i++)
			runs += compare_latency_entry(&d->c->runs[i], d->rows[r]) != NULL;
		if (runs >= 2)
			d->rows[kept++] = d->rows[r];
		else
			free(d->rows[r]);
	}
	d->n_rows = kept;
}

static int push(char ***svgs, size_t *n, const char *name)
{
	char **grown = realloc(*svgs, (*n + 1) * sizeof(**svgs));

	if (!grown)
		return -ENOMEM;
	*svgs = grown;
	if (!(grown[*n] = strdup(name)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

int compare_plots(const struct cmp *c, char ***svgs, size_t *n_svgs)
{
	struct plot_data d = {.c = c};
	char scripts[PATH_MAX], path[PATH_MAX + 64];
	int failed = 0, rc;

	*svgs = NULL;
	*n_svgs = 0;
	if (plot_scripts_dir(scripts, sizeof(scripts))) {
		fprintf(stderr, "spawnscope compare: plots: cannot find the scripts directory "
				"(set SPAWNSCOPE_SCRIPTS)\n");
		return 1;
	}
	if (!compare_has(c, "latency"))
		return compare_curves(c, scripts, svgs, n_svgs);
	d.rows = compare_latency_rows(c, &d.n_rows);
	d.metric = compare_latency_metric(c);
	drop_single_run_rows(&d);
	if (!d.n_rows) { /* no backend measured in two runs: the tables say so */
		compare_rows_free(d.rows, d.n_rows);
		return compare_curves(c, scripts, svgs, n_svgs);
	}
	snprintf(path, sizeof(path), "%s/compare-latency.csv", c->out);
	rc = atomic_write(path, fill_latency_csv, &d);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/compare-vars.gp", c->out);
		rc = atomic_write(path, fill_vars, &d);
	}
	if (rc) {
		fprintf(stderr, "spawnscope compare: writing %s: %s\n", path, strerror(-rc));
		failed++;
	} else if (plot_render(scripts, c->out, "compare_latency")) {
		failed++;
	} else if (push(svgs, n_svgs, "plots/compare-latency.svg")) {
		failed++;
	}
	compare_rows_free(d.rows, d.n_rows);
	return failed + compare_curves(c, scripts, svgs, n_svgs);
}
