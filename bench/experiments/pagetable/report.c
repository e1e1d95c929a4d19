/* The pagetable section of summary.md: each slope in words, from the fits and entries of a
 * parsed run.json (only measured values; every slope with its interval). */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/units.h"

static bool is_postfork(const char *label)
{
	return !strcmp(label, "postfork");
}

/* One row per backend for a kind (the slopes per MiB with their intervals, per page), then one
 * sentence: who pays most and least, who pays nothing measurable. */
static void kind_slopes(FILE *md, const json_t *run, const json_t *labels, const char *kind,
			const char *metric)
{
	size_t n = json_array_size(labels), k = 0;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	struct fit *fits = calloc(n ? n : 1, sizeof(*fits));
	bool *have = calloc(n ? n : 1, sizeof(*have));

	if (!names || !fits || !have)
		goto out;
	fprintf(md,
		"| backend | %s p50, per MiB [95%% CI] | p10, per MiB [95%% CI] | per 4 KiB "
		"page%s | the spawn call alone (t_return), per MiB | finding |\n"
		"|---|---:|---:|---:|---:|---|\n",
		metric, strcmp(kind, "thp") ? "" : " / per 2 MiB");
	for (size_t l = 0; l < n; l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		struct fit p10, page, huge, ret;
		char c[4][96], pg[80];

		if (is_postfork(label) ||
		    fit_lookup(run, "pagetable", label, metric, "MiB", "kind", kind, &fits[k]))
			continue;
		names[k] = label;
		have[k] = true;
		if (fit_lookup_q(run, "pagetable", label, metric, "MiB", "p10", "kind", kind, &p10))
			p10.slope = NAN;
		if (fit_lookup(run, "pagetable", label, metric, "4KiB page", "kind", kind, &page))
			page.slope = NAN;
		if (strcmp(kind, "thp") ||
		    fit_lookup(run, "pagetable", label, metric, "2MiB", "kind", kind, &huge))
			huge.slope = NAN;
		if (fit_lookup(run, "pagetable", label, "t_return", "MiB", "kind", kind, &ret))
			ret.slope = NAN;
		fmt_ns(page.slope, pg, sizeof(pg));
		if (isfinite(huge.slope)) {
			size_t len = strlen(pg);
			snprintf(pg + len, sizeof(pg) - len, " / %s", fmt_ns(huge.slope, c[3], 32));
		}
		fprintf(md, "| %s | %s | %s | %s | %s | %s |\n", label,
			slope_cell(&fits[k], c[0], sizeof(c[0])),
			isfinite(p10.slope) ? slope_cell(&p10, c[1], sizeof(c[1])) : "–",
			isfinite(page.slope) ? pg : "–",
			isfinite(ret.slope) ? slope_cell(&ret, c[2], sizeof(c[2])) : "–",
			slope_verdict(&fits[k]));
		k++;
	}
	fputc('\n', md);
	slopes_finding(md, names, fits, have, k, "MiB");
out:
	free(names);
	free(fits);
	free(have);
}

/* The entry of the size axis for kind, label and size; NULL if none. */
static const json_t *find_entry(const json_t *run, const char *kind, const char *label, double size)
{
	const json_t *e;

	RESULTS_FOREACH(run, "pagetable", i, e)
	{
		const char *k = runjson_param_str(e, "kind"), *a = runjson_param_str(e, "axis");
		const char *l = runjson_backend(e);
		if (k && a && l && !strcmp(k, kind) && !strcmp(a, "size") && !strcmp(l, label) &&
		    runjson_param(e, "size") == size)
			return e;
	}
	return NULL;
}

static int cmp_double_asc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median t_reaped per size (ascending) and backend for one kind, and the fork child's VmPTE. */
static void kind_table(FILE *md, const json_t *run, const json_t *labels, const char *kind)
{
	double sizes[64];
	size_t n = 0;
	const json_t *e;

	RESULTS_FOREACH(run, "pagetable", i, e)
	{
		const char *k = runjson_param_str(e, "kind"), *a = runjson_param_str(e, "axis");
		if (n == 64)
			break;
		if (!k || strcmp(k, kind) || !a || strcmp(a, "size"))
			continue;
		double v = runjson_param(e, "size");
		bool seen = false;
		for (size_t j = 0; j < n && !seen; j++)
			seen = sizes[j] == v;
		if (!seen)
			sizes[n++] = v;
	}
	qsort(sizes, n, sizeof sizes[0], cmp_double_asc);
	fputs("\n| size | THP obtained |", md);
	for (size_t l = 0; l < json_array_size(labels); l++)
		if (!is_postfork(json_string_value(json_array_get(labels, l))))
			fprintf(md, " %s t_reaped p10 / p50 |",
				json_string_value(json_array_get(labels, l)));
	fputs(" fork child VmPTE |\n|---|---|", md);
	for (size_t l = 0; l < json_array_size(labels); l++)
		if (!is_postfork(json_string_value(json_array_get(labels, l))))
			fputs("---|", md);
	fputs("---|\n", md);
	for (size_t i = 0; i < n; i++) {
		char b[32], t[32];
		const json_t *pf = find_entry(run, kind, "postfork", sizes[i]);
		double thp = NAN;
		for (size_t l = 0; l < json_array_size(labels) && isnan(thp); l++) {
			const json_t *e = find_entry(
			    run, kind, json_string_value(json_array_get(labels, l)), sizes[i]);
			thp = e ? runjson_param(e, "thp_bytes") : NAN;
		}
		/* a size from run.json outside uint64_t (negative, 1e308) has no conversion */
		bool size_ok = sizes[i] >= 0 && sizes[i] < 0x1p64,
		     thp_ok = thp >= 0 && thp < 0x1p64;
		fprintf(md, "| %s | %s |",
			size_ok ? fmt_bytes((uint64_t)sizes[i], b, sizeof b) : "?",
			thp_ok ? fmt_bytes((uint64_t)thp, t, sizeof t) : "n/a");
		for (size_t l = 0; l < json_array_size(labels); l++) {
			const char *label = json_string_value(json_array_get(labels, l));
			if (is_postfork(label))
				continue;
			const json_t *e = find_entry(run, kind, label, sizes[i]);
			char t10[32];
			fprintf(
			    md, " %s / %s |",
			    fmt_ns(e ? runjson_metric(e, "t_reaped", "p10") : NAN, t10, sizeof t10),
			    fmt_ns(e ? runjson_metric(e, "t_reaped", "p50") : NAN, t, sizeof t));
		}
		double vmpte = pf ? runjson_metric(pf, "vmpte_kb", "p50") : NAN;
		if (isnan(vmpte))
			fputs(" n/a |\n", md);
		else
			fprintf(md, " %.0f kB |\n", vmpte);
	}
	fputc('\n', md);
}

static void postfork_table(FILE *md, const json_t *run, const json_t *kinds)
{
	bool any = false;

	for (size_t k = 0; k < json_array_size(kinds); k++) {
		const char *kind = json_string_value(json_array_get(kinds, k));
		struct fit alive, gone;
		char a[96], g[96];

		if (fit_lookup(run, "pagetable", "postfork", "post_fork_ns", "MiB", "kind", kind,
			       &alive))
			continue;
		if (fit_lookup(run, "pagetable", "postfork", "post_exit_ns", "MiB", "kind", kind,
			       &gone))
			gone.slope = NAN;
		if (!any)
			fputs(
			    "\nPost-fork cost: the parent writes one byte per page, minus the same "
			    "pass with no child; after the child exited, what fork's "
			    "write-protected "
			    "PTEs still cost.\n\n"
			    "| memory | child alive, per MiB [95% CI] | finding | child exited, "
			    "per "
			    "MiB [95% CI] | finding |\n|---|---:|---|---:|---|\n",
			    md);
		any = true;
		fprintf(md, "| %s | %s | %s | %s | %s |\n", kind, slope_cell(&alive, a, sizeof(a)),
			slope_verdict(&alive),
			isfinite(gone.slope) ? slope_cell(&gone, g, sizeof(g)) : "–",
			isfinite(gone.slope) ? slope_verdict(&gone) : "–");
	}
}

static void vma_table(FILE *md, const json_t *run)
{
	json_t *labels = distinct_values(run, "pagetable", "vmas", "backend");
	size_t n = json_array_size(labels), k = 0;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	struct fit *fits = calloc(n ? n : 1, sizeof(*fits));
	bool *have = calloc(n ? n : 1, sizeof(*have));

	for (size_t l = 0; names && fits && have && l < n; l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		struct fit p10;
		char c[2][96];

		if (is_postfork(label) ||
		    fit_lookup(run, "pagetable", label, "t_reaped", "VMA", NULL, NULL, &fits[k]))
			continue;
		if (!k)
			fputs("\nMappings (the same memory split into more VMAs; dup_mmap is "
			      "O(VMAs)):\n\n| backend | t_reaped p50, per VMA [95% CI] | p10, per "
			      "VMA "
			      "[95% CI] | finding |\n|---|---:|---:|---|\n",
			      md);
		if (fit_lookup_q(run, "pagetable", label, "t_reaped", "VMA", "p10", NULL, NULL,
				 &p10))
			p10.slope = NAN;
		names[k] = label;
		have[k] = true;
		fprintf(md, "| %s | %s | %s | %s |\n", label,
			slope_cell(&fits[k], c[0], sizeof(c[0])),
			isfinite(p10.slope) ? slope_cell(&p10, c[1], sizeof(c[1])) : "–",
			slope_verdict(&fits[k]));
		k++;
	}
	if (k) {
		fputc('\n', md);
		slopes_finding(md, names, fits, have, k, "VMA");
	}
	free(names);
	free(fits);
	free(have);
	json_decref(labels);
}

void pt_summarize(const json_t *run, FILE *md)
{
	json_t *kinds = pt_kinds_in_order(run);
	json_t *labels = distinct_values(run, "pagetable", "size", "backend");
	if (!json_array_size(kinds) && !json_array_size(labels)) {
		json_decref(kinds);
		json_decref(labels);
		return;
	}
	fputs("## pagetable: fork's copy cost against parent memory\n\n"
	      "Slopes of t_reaped (spawn to reaped) against the parent's memory: weighted fits of "
	      "the per-point medians (and p10s) in which each point counts with its own "
	      "block-bootstrap interval, with the slope's 95% interval; \"nothing measurable\": "
	      "the interval contains zero (docs/statistics.md).\n",
	      md);
	for (size_t k = 0; k < json_array_size(kinds); k++) {
		const char *kind = json_string_value(json_array_get(kinds, k));
		fprintf(md, "\n### %s memory\n\n", kind);
		kind_slopes(md, run, labels, kind, "t_reaped");
		kind_table(md, run, labels, kind);
	}
	postfork_table(md, run, kinds);
	vma_table(md, run);
	fputc('\n', md);
	json_decref(kinds);
	json_decref(labels);
}
