/* The pagetable experiment's outputs: fits (per MiB, per 4 KiB page, per 2 MiB for THP, per
 * VMA), points-pagetable.csv and points-pagetable.gp for scripts/pagetable.gp, and its
 * section of summary.md. All of it from run.json entries. */
#include "internal.h"
#include "bench/report/report_plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1048576.0)

static const char *const spawn_metrics[] = {"t_return", "t_first", "t_reaped"};
static const char *const postfork_metrics[] = {"post_fork_ns", "post_exit_ns"};
/* Columns of points-pagetable.csv, p10/p50/p90 each. */
static const char *const csv_metrics[] = {"t_return",	  "t_first",	  "t_reaped",
					  "post_fork_ns", "post_exit_ns", "vmpte_kb"};
/* Fitted-line columns. */
static const char *const csv_fits[] = {"t_return", "t_reaped", "post_fork_ns"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool is_postfork(const char *label)
{
	return !strcmp(label, "postfork");
}

json_t *pt_kinds_in_order(const json_t *run)
{
	json_t *seen = distinct_values(run, "pagetable", "size", "kind"), *out = json_array();
	for (int k = 0; k < MK__N; k++)
		for (size_t i = 0; i < json_array_size(seen); i++)
			if (!strcmp(json_string_value(json_array_get(seen, i)), memkind_names[k]))
				json_array_append_new(out, json_string(memkind_names[k]));
	json_decref(seen);
	return out;
}

/* The fit of the medians, and for the headline unit (robust: p10) the fit of the p10s. */
static void add_fit(struct run_ctx *ctx, struct series_fit sf, const char *x, const char *unit,
		    double scale, bool with_p10)
{
	static const char *const quantiles[] = {"p50", "p10"};
	sf.x_scale = scale;
	for (int q = 0; q < (with_p10 ? 2 : 1); q++) {
		struct fit f;
		sf.field = quantiles[q];
		if (series_fit_compute(results_root(ctx->res), &sf, &f))
			continue;
		json_t *extra = json_pack("{s:s, s:s, s:s, s:s, s:o}", "axis", sf.axis, "kind",
					  sf.series_val ? sf.series_val : "anon", "quantile",
					  quantiles[q], "method", f.method, "scatter",
					  isfinite(f.scatter) ? json_real(f.scatter) : json_null());
		results_add_fit(ctx->res, "pagetable", sf.label, sf.metric, x, unit, &f, extra);
	}
}

static void fit_size_axis(struct run_ctx *ctx)
{
	const json_t *run = results_root(ctx->res);
	json_t *kinds = distinct_values(run, "pagetable", "size", "kind");
	json_t *labels = distinct_values(run, "pagetable", "size", "backend");
	for (size_t k = 0; k < json_array_size(kinds); k++) {
		const char *kind = json_string_value(json_array_get(kinds, k));
		for (size_t l = 0; l < json_array_size(labels); l++) {
			const char *label = json_string_value(json_array_get(labels, l));
			bool pf = is_postfork(label);
			size_t nm = pf ? N_OF(postfork_metrics) : N_OF(spawn_metrics);
			for (size_t m = 0; m < nm; m++) {
				struct series_fit sf = {
				    .exp = "pagetable",
				    .label = label,
				    .series_key = "kind",
				    .series_val = kind,
				    .x_param = "size",
				    .metric = pf ? postfork_metrics[m] : spawn_metrics[m],
				    .axis = "size",
				};
				add_fit(ctx, sf, "parent_memory", "MiB", 1 / MIB, true);
				add_fit(ctx, sf, "parent_memory", "4KiB page", 1 / 4096.0, false);
				if (!strcmp(kind, "thp"))
					add_fit(ctx, sf, "parent_memory", "2MiB", 1 / (2 * MIB),
						false);
			}
		}
	}
	json_decref(kinds);
	json_decref(labels);
}

static void fit_vma_axis(struct run_ctx *ctx)
{
	json_t *labels = distinct_values(results_root(ctx->res), "pagetable", "vmas", "backend");
	for (size_t l = 0; l < json_array_size(labels); l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		if (is_postfork(label))
			continue;
		for (size_t m = 0; m < N_OF(spawn_metrics); m++) {
			struct series_fit sf = {.exp = "pagetable",
						.label = label,
						.x_param = "vmas",
						.metric = spawn_metrics[m],
						.axis = "vmas"};
			add_fit(ctx, sf, "vmas", "VMA", 1, true);
		}
	}
	json_decref(labels);
}

/* ---- points-pagetable.csv ---- */

struct row_sort {
	const json_t *e;
	const char *axis, *kind, *label;
	double x;
};

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row_sort *a = pa, *b = pb;
	int c = strcmp(a->axis, b->axis);
	if (!c)
		c = strcmp(a->kind, b->kind);
	if (!c)
		c = strcmp(a->label, b->label);
	if (!c)
		c = (a->x > b->x) - (a->x < b->x);
	return c;
}

static void put_num(FILE *f, double v)
{
	if (isnan(v))
		fputs(",NaN", f);
	else
		fprintf(f, ",%.12g", v);
}

static int fill_points(FILE *f, void *arg)
{
	const json_t *run = arg, *results = json_object_get(run, "results");
	size_t cap = json_array_size(results), n = 0;
	struct row_sort *rows = calloc(cap ? cap : 1, sizeof *rows);
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		const json_t *e = json_array_get(results, i);
		const char *exp = json_string_value(json_object_get(e, "experiment"));
		if (!exp || strcmp(exp, "pagetable") || json_object_get(e, "skipped"))
			continue;
		const char *axis = runjson_param_str(e, "axis"),
			   *kind = runjson_param_str(e, "kind");
		const char *label = json_string_value(json_object_get(e, "backend"));
		if (!axis || !kind || !label)
			continue;
		double x = runjson_param(e, !strcmp(axis, "vmas") ? "vmas" : "size");
		rows[n++] = (struct row_sort){e, axis, kind, label, x};
	}
	qsort(rows, n, sizeof *rows, cmp_rows);
	fputs("axis,kind,backend,size,size_mib,vmas,thp_bytes", f);
	for (size_t m = 0; m < N_OF(csv_metrics); m++)
		fprintf(f, ",%s_p10,%s_p50,%s_p90", csv_metrics[m], csv_metrics[m], csv_metrics[m]);
	for (size_t m = 0; m < N_OF(csv_fits); m++)
		fprintf(f, ",fit_%s", csv_fits[m]);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct row_sort *r = &rows[i];
		bool vmas = !strcmp(r->axis, "vmas");
		fprintf(f, "%s,%s,%s", r->axis, r->kind, r->label);
		put_num(f, runjson_param(r->e, "size"));
		put_num(f, runjson_param(r->e, "size") / MIB);
		put_num(f, runjson_param(r->e, "vmas"));
		put_num(f, runjson_param(r->e, "thp_bytes"));
		for (size_t m = 0; m < N_OF(csv_metrics); m++) {
			put_num(f, runjson_metric(r->e, csv_metrics[m], "p10"));
			put_num(f, runjson_metric(r->e, csv_metrics[m], "p50"));
			put_num(f, runjson_metric(r->e, csv_metrics[m], "p90"));
		}
		for (size_t m = 0; m < N_OF(csv_fits); m++) {
			struct series_fit sf = {.exp = "pagetable",
						.label = r->label,
						.series_key = vmas ? NULL : "kind",
						.series_val = r->kind,
						.x_param = vmas ? "vmas" : "size",
						.metric = csv_fits[m],
						.x_scale = 1,
						.axis = r->axis};
			struct fit fit;
			double v = NAN;
			if (!isnan(runjson_metric(r->e, csv_fits[m], "p50")) &&
			    !series_fit_compute(run, &sf, &fit))
				v = fit.intercept + fit.slope * r->x;
			put_num(f, v);
		}
		fputc('\n', f);
	}
	free(rows);
	return 0;
}

/* Words separated by spaces, for gnuplot's `for [b in list]`, as a single-quoted gnuplot
 * string (plot_quote): in double quotes gnuplot would run `backquoted` text of a name. */
static void put_word_list(FILE *f, const char *var, const json_t *values, bool skip_postfork)
{
	char *words = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&words, &len);
	bool first = true;
	for (size_t i = 0; m && i < json_array_size(values); i++) {
		const char *v = json_string_value(json_array_get(values, i));
		if (skip_postfork && is_postfork(v))
			continue;
		fprintf(m, "%s%s", first ? "" : " ", v);
		first = false;
	}
	if (m)
		fclose(m);
	fprintf(f, "%s = ", var);
	plot_quote(f, words ? words : "");
	fputc('\n', f);
	free(words);
}

/* Points each panel of pagetable.gp can draw on log axes (x > 0, p50 > 0): gnuplot stops
 * the whole script at a plot without one valid point, so empty panels get a note instead. */
static void count_points(const json_t *run, const char *main_kind, const char *ref, FILE *f)
{
	json_t *results = json_object_get(run, "results");
	long n_main = 0, n_post = 0, n_kinds = 0, n_vmas = 0;
	/* the x ranges (MiB, VMAs) over every point above 0: the panels share them, and a
	 * single x does not leave gnuplot with an empty range */
	double mib_lo = INFINITY, mib_hi = 0, vma_lo = INFINITY, vma_hi = 0;
	for (size_t i = 0; i < json_array_size(results); i++) {
		const json_t *e = json_array_get(results, i);
		const char *exp = json_string_value(json_object_get(e, "experiment"));
		const char *axis = runjson_param_str(e, "axis"),
			   *kind = runjson_param_str(e, "kind");
		const char *label = json_string_value(json_object_get(e, "backend"));
		if (!exp || strcmp(exp, "pagetable") || !axis || !kind || !label)
			continue;
		bool pf = is_postfork(label), is_ref = ref && !strcmp(label, ref);
		if (!strcmp(axis, "vmas")) {
			double v = runjson_param(e, "vmas");
			n_vmas += !pf && runjson_metric(e, "t_reaped", "p50") > 0;
			vma_lo = fmin(vma_lo, v);
			vma_hi = fmax(vma_hi, v);
			continue;
		}
		if (!(runjson_param(e, "size") > 0))
			continue;
		mib_lo = fmin(mib_lo, runjson_param(e, "size") / MIB);
		mib_hi = fmax(mib_hi, runjson_param(e, "size") / MIB);
		bool main = main_kind && !strcmp(kind, main_kind);
		double reaped = runjson_metric(e, "t_reaped", "p50");
		n_main += main && !pf && reaped > 0;
		n_post += main && ((is_ref && reaped > 0) ||
				   (pf && runjson_metric(e, "post_fork_ns", "p50") > 0));
		n_kinds += is_ref && reaped > 0;
	}
	fprintf(f, "pt_n_main = %ld\npt_n_postfork = %ld\npt_n_kinds = %ld\npt_n_vmas = %ld\n",
		n_main, n_post, n_kinds, n_vmas);
	if (mib_hi > 0)
		fprintf(f, "pt_mib_lo = %.6g\npt_mib_hi = %.6g\n", mib_lo / 1.5, mib_hi * 1.5);
	else
		fputs("pt_mib_lo = 0.5\npt_mib_hi = 2\n", f);
	if (vma_hi > 0)
		fprintf(f, "pt_vma_lo = %.6g\npt_vma_hi = %.6g\n", vma_lo / 1.5, vma_hi * 1.5);
	else
		fputs("pt_vma_lo = 0.5\npt_vma_hi = 2\n", f);
}

static int fill_gp_vars(FILE *f, void *arg)
{
	const json_t *run = arg;
	json_t *labels = distinct_values(run, "pagetable", NULL, "backend");
	json_t *kinds = pt_kinds_in_order(run);
	const char *ref = NULL, *main_kind = json_string_value(json_array_get(kinds, 0));
	for (size_t i = 0; i < json_array_size(labels); i++) {
		const char *v = json_string_value(json_array_get(labels, i));
		if (!strcmp(v, "fork-exec") || (!ref && !is_postfork(v)))
			ref = v;
	}
	for (size_t i = 0; i < json_array_size(kinds); i++)
		if (!strcmp(json_string_value(json_array_get(kinds, i)), "anon"))
			main_kind = "anon";
	fputs("# written by spawnscope run pagetable: the series in points-pagetable.csv\n", f);
	put_word_list(f, "pt_backends", labels, true);
	put_word_list(f, "pt_kinds", kinds, false);
	fputs("pt_ref = ", f);
	plot_quote(f, ref ? ref : "");
	fputs("\npt_main_kind = ", f);
	plot_quote(f, main_kind ? main_kind : "");
	fputc('\n', f);
	count_points(run, main_kind, ref, f);
	json_decref(labels);
	json_decref(kinds);
	return 0;
}

void pt_add_fits(struct run_ctx *ctx)
{
	fit_size_axis(ctx);
	fit_vma_axis(ctx);
}

int pt_write_data(const json_t *run, const char *dir)
{
	int rc = write_data_file(dir, "points-pagetable.csv", fill_points, (void *)run);
	if (!rc)
		rc = write_data_file(dir, "points-pagetable.gp", fill_gp_vars, (void *)run);
	return rc;
}
