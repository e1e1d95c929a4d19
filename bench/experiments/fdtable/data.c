/* The fdtable experiment's outputs: ns-per-fd fits, points-fdtable.csv and points-fdtable.gp
 * for scripts/fdtable.gp, and its section of summary.md — all from run.json entries. */
#include "internal.h"
#include "bench/report/report_plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const spawn_metrics[] = {"t_return", "t_first", "t_reaped"};
#define N_METRICS (sizeof spawn_metrics / sizeof spawn_metrics[0])

static bool is_fdtable(const json_t *e)
{
	const char *exp = json_string_value(json_object_get(e, "experiment"));
	return exp && !strcmp(exp, "fdtable") && !json_object_get(e, "skipped");
}

static int fit_of(const json_t *run, const char *label, const char *metric, const char *field,
		  struct fit *f)
{
	struct series_fit sf = {.exp = "fdtable",
				.label = label,
				.x_param = "fds",
				.metric = metric,
				.field = field,
				.x_scale = 1};
	return series_fit_compute(run, &sf, f);
}

void fd_add_fits(struct run_ctx *ctx)
{
	const json_t *run = results_root(ctx->res);
	json_t *labels = distinct_values(run, "fdtable", NULL, "backend");
	json_t *results = json_object_get(run, "results");
	for (size_t l = 0; l < json_array_size(labels); l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		const json_t *any = NULL;
		for (size_t i = 0; i < json_array_size(results) && !any; i++) {
			const json_t *e = json_array_get(results, i);
			const char *b = json_string_value(json_object_get(e, "backend"));
			if (is_fdtable(e) && b && !strcmp(b, label))
				any = e;
		}
		if (!any)
			continue;
		/* medians, and the robust p10 twin */
		static const char *const quantiles[] = {"p50", "p10"};
		for (size_t m = 0; m < N_METRICS; m++)
			for (int q = 0; q < 2; q++) {
				struct fit f;
				if (fit_of(run, label, spawn_metrics[m], quantiles[q], &f))
					continue;
				json_t *extra = json_pack(
				    "{s:s?, s:s?, s:s, s:s, s:o}", "variant",
				    runjson_param_str(any, "variant"), "backend_name",
				    runjson_param_str(any, "backend_name"), "quantile",
				    quantiles[q], "method", f.method, "scatter",
				    isfinite(f.scatter) ? json_real(f.scatter) : json_null());
				results_add_fit(ctx->res, "fdtable", label, spawn_metrics[m],
						"open_fds", "fd", &f, extra);
			}
	}
	json_decref(labels);
}

static void put_num(FILE *f, double v)
{
	if (isnan(v))
		fputs(",NaN", f);
	else
		fprintf(f, ",%.12g", v);
}

struct row {
	const json_t *e;
	const char *label;
	double fds;
};

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = strcmp(a->label, b->label);
	return c ? c : (a->fds > b->fds) - (a->fds < b->fds);
}

static int fill_points(FILE *f, void *arg)
{
	const json_t *run = arg, *results = json_object_get(run, "results");
	size_t cap = json_array_size(results), n = 0;
	struct row *rows = calloc(cap ? cap : 1, sizeof *rows);
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		const json_t *e = json_array_get(results, i);
		const char *label = json_string_value(json_object_get(e, "backend"));
		if (is_fdtable(e) && label)
			rows[n++] = (struct row){e, label, runjson_param(e, "fds")};
	}
	qsort(rows, n, sizeof *rows, cmp_rows);
	fputs("label,variant,backend,fds", f);
	for (size_t m = 0; m < N_METRICS; m++)
		fprintf(f, ",%s_p10,%s_p50,%s_p90", spawn_metrics[m], spawn_metrics[m],
			spawn_metrics[m]);
	fputs(",fit_t_return,fit_t_reaped\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		const char *variant = runjson_param_str(r->e, "variant");
		const char *be = runjson_param_str(r->e, "backend_name");
		fprintf(f, "%s,%s,%s", r->label, variant ? variant : "", be ? be : "");
		put_num(f, r->fds);
		for (size_t m = 0; m < N_METRICS; m++) {
			put_num(f, runjson_metric(r->e, spawn_metrics[m], "p10"));
			put_num(f, runjson_metric(r->e, spawn_metrics[m], "p50"));
			put_num(f, runjson_metric(r->e, spawn_metrics[m], "p90"));
		}
		static const char *const fitted[] = {"t_return", "t_reaped"};
		for (size_t m = 0; m < 2; m++) {
			struct fit fit;
			double v = NAN;
			if (!fit_of(run, r->label, fitted[m], "p50", &fit))
				v = fit.intercept + fit.slope * r->fds;
			put_num(f, v);
		}
		fputc('\n', f);
	}
	free(rows);
	return 0;
}

static int fill_gp_vars(FILE *f, void *arg)
{
	json_t *labels = distinct_values(arg, "fdtable", NULL, "backend");
	fputs("# written by spawnscope run fdtable: the series in points-fdtable.csv\n", f);
	/* single-quoted (plot_quote): in double quotes gnuplot would run `backquoted` text */
	char *words = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&words, &len);
	for (size_t i = 0; m && i < json_array_size(labels); i++)
		fprintf(m, "%s%s", i ? " " : "", json_string_value(json_array_get(labels, i)));
	if (m)
		fclose(m);
	fputs("fd_labels = ", f);
	plot_quote(f, words ? words : "");
	fputc('\n', f);
	free(words);
	/* gnuplot stops at a plot without one valid point on log axes: count them */
	json_t *results = json_object_get(arg, "results");
	long n = 0;
	double lo = INFINITY, hi = 0; /* x range over the fd counts above 0 */
	for (size_t i = 0; i < json_array_size(results); i++) {
		const json_t *e = json_array_get(results, i);
		double fds = runjson_param(e, "fds");
		bool ok = is_fdtable(e) && fds > 0 && runjson_metric(e, "t_reaped", "p50") > 0 &&
			  runjson_metric(e, "t_return", "p50") > 0;
		n += ok;
		if (ok) {
			lo = fmin(lo, fds);
			hi = fmax(hi, fds);
		}
	}
	fprintf(f, "fd_n_points = %ld\n", n);
	if (hi > 0)
		fprintf(f, "fd_lo = %.6g\nfd_hi = %.6g\n", lo / 1.5, hi * 1.5);
	else
		fputs("fd_lo = 0.5\nfd_hi = 2\n", f);
	json_decref(labels);
	return 0;
}

int fd_write_data(const json_t *run, const char *dir)
{
	int rc = write_data_file(dir, "points-fdtable.csv", fill_points, (void *)run);
	if (!rc)
		rc = write_data_file(dir, "points-fdtable.gp", fill_gp_vars, (void *)run);
	return rc;
}

/* ---- summary.md ---- */

static void p50_table(FILE *md, const json_t *run, const json_t *labels)
{
	json_t *results = json_object_get(run, "results");
	double fds[64];
	size_t n_fds = 0;
	for (size_t i = 0; i < json_array_size(results) && n_fds < 64; i++) {
		const json_t *e = json_array_get(results, i);
		if (!is_fdtable(e))
			continue;
		double v = runjson_param(e, "fds");
		bool seen = false;
		for (size_t j = 0; j < n_fds && !seen; j++)
			seen = fds[j] == v;
		if (!seen)
			fds[n_fds++] = v;
	}
	fputs("\nt_reaped by open fds, p10 / p50:\n\n| arm |", md);
	for (size_t j = 0; j < n_fds; j++)
		fprintf(md, " %.0f fds |", fds[j]);
	fputs("\n|---|", md);
	for (size_t j = 0; j < n_fds; j++)
		fputs("---|", md);
	fputc('\n', md);
	for (size_t l = 0; l < json_array_size(labels); l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		fprintf(md, "| %s |", label);
		for (size_t j = 0; j < n_fds; j++) {
			double v = NAN, v10 = NAN;
			for (size_t i = 0; i < json_array_size(results) && isnan(v); i++) {
				const json_t *e = json_array_get(results, i);
				const char *b = json_string_value(json_object_get(e, "backend"));
				if (is_fdtable(e) && b && !strcmp(b, label) &&
				    runjson_param(e, "fds") == fds[j]) {
					v = runjson_metric(e, "t_reaped", "p50");
					v10 = runjson_metric(e, "t_reaped", "p10");
				}
			}
			char buf[32], buf10[32];
			fprintf(md, " %s / %s |", fmt_ns(v10, buf10, sizeof buf10),
				fmt_ns(v, buf, sizeof buf));
		}
		fputc('\n', md);
	}
}

void fd_summarize(const json_t *run, FILE *md)
{
	json_t *labels = distinct_values(run, "fdtable", NULL, "backend");
	if (!json_array_size(labels)) {
		json_decref(labels);
		return;
	}
	fputs("## fdtable: fork's copy cost against open fds\n\n"
	      "Slopes against the number of fds the parent holds open: weighted fits of the "
	      "per-point medians (and p10s), each point counting with its own block-bootstrap "
	      "interval, with the slope's 95% interval. Arms: `[inherit]` fds inheritable, "
	      "`[cloexec]` FD_CLOEXEC, `clone[files]` CLONE_FILES (exec's unshare_files still "
	      "copies), `[closefrom]` the child closes them (close_range / addclosefrom_np), "
	      "`[blank]` an empty table (efork).\n\n"
	      "| arm | t_reaped p50, per fd [95% CI] | p10, per fd [95% CI] | the spawn call "
	      "(t_return), per fd | finding |\n|---|---:|---:|---:|---|\n",
	      md);
	size_t n = json_array_size(labels), k = 0;
	const char **names = calloc(n, sizeof(*names));
	struct fit *fits = calloc(n, sizeof(*fits));
	bool *have = calloc(n, sizeof(*have));
	for (size_t l = 0; names && fits && have && l < n; l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		struct fit p10, ret;
		char c[3][96];
		if (fit_lookup(run, "fdtable", label, "t_reaped", "fd", NULL, NULL, &fits[k]))
			continue;
		if (fit_lookup_q(run, "fdtable", label, "t_reaped", "fd", "p10", NULL, NULL, &p10))
			p10.slope = NAN;
		if (fit_lookup(run, "fdtable", label, "t_return", "fd", NULL, NULL, &ret))
			ret.slope = NAN;
		names[k] = label;
		have[k] = true;
		fprintf(md, "| %s | %s | %s | %s | %s |\n", label,
			slope_cell(&fits[k], c[0], sizeof(c[0])),
			isfinite(p10.slope) ? slope_cell(&p10, c[1], sizeof(c[1])) : "–",
			isfinite(ret.slope) ? slope_cell(&ret, c[2], sizeof(c[2])) : "–",
			slope_verdict(&fits[k]));
		k++;
	}
	fputc('\n', md);
	if (k)
		slopes_finding(md, names, fits, have, k, "open fd");
	free(names);
	free(fits);
	free(have);
	p50_table(md, run, labels);
	/* the sweep's top when RLIMIT_NOFILE's hard limit was below it */
	json_t *results = json_object_get(run, "results");
	for (size_t i = 0; i < json_array_size(results); i++) {
		const json_t *e = json_array_get(results, i);
		double asked = runjson_param(e, "fds_requested");
		if (is_fdtable(e) && !isnan(asked)) {
			fprintf(md,
				"\nRLIMIT_NOFILE's hard limit capped the sweep at %.0f fds (%.0f "
				"asked for).\n",
				runjson_param(e, "fds"), asked);
			break;
		}
	}
	fputc('\n', md);
	json_decref(labels);
}
