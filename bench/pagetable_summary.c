/* The pagetable section of summary.md: each slope in words, from the fits and entries of a
 * parsed run.json (only measured values; every slope with its interval). */
#include "pagetable.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static bool is_postfork(const char *label)
{
	return !strcmp(label, "postfork");
}

/* One sentence per backend for a kind: "- fork-exec pays 31 µs per MiB ... ". */
static void kind_sentences(FILE *md, const json_t *run, const json_t *labels, const char *kind,
			   const char *metric)
{
	for (size_t l = 0; l < json_array_size(labels); l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		struct fit mib, page;
		if (is_postfork(label) ||
		    fit_lookup(run, "pagetable", label, metric, "MiB", "kind", kind, &mib))
			continue;
		fprintf(md, "- **%s** ", label);
		slope_words(md, &mib, "MiB");
		p10_words(md, run, "pagetable", label, metric, "MiB", "kind", kind, "MiB");
		if (!fit_lookup(run, "pagetable", label, metric, "4KiB page", "kind", kind,
				&page)) {
			char s[32];
			fprintf(md, "; %s per 4 KiB page", fmt_ns(page.slope, s, sizeof s));
		}
		if (!strcmp(kind, "thp") &&
		    !fit_lookup(run, "pagetable", label, metric, "2MiB", "kind", kind, &page)) {
			char s[32];
			fprintf(md, "; %s per 2 MiB huge page", fmt_ns(page.slope, s, sizeof s));
		}
		if (!fit_lookup(run, "pagetable", label, "t_return", "MiB", "kind", kind, &page)) {
			fputs("; the spawn call alone ", md);
			slope_words(md, &page, "MiB");
		}
		fputs(".\n", md);
	}
}

/* The entry of the size axis for kind, label and size; NULL if none. */
static const json_t *find_entry(const json_t *run, const char *kind, const char *label, double size)
{
	json_t *results = json_object_get(run, "results");
	for (size_t i = 0; i < json_array_size(results); i++) {
		const json_t *e = json_array_get(results, i);
		const char *exp = json_string_value(json_object_get(e, "experiment"));
		const char *k = entry_param_str(e, "kind"), *a = entry_param_str(e, "axis");
		const char *l = json_string_value(json_object_get(e, "backend"));
		if (exp && k && a && l && !strcmp(exp, "pagetable") && !strcmp(k, kind) &&
		    !strcmp(a, "size") && !strcmp(l, label) && entry_param(e, "size") == size)
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
	json_t *results = json_object_get(run, "results");
	double sizes[64];
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(results) && n < 64; i++) {
		const json_t *e = json_array_get(results, i);
		const char *exp = json_string_value(json_object_get(e, "experiment"));
		const char *k = entry_param_str(e, "kind"), *a = entry_param_str(e, "axis");
		if (!exp || strcmp(exp, "pagetable") || !k || strcmp(k, kind) || !a ||
		    strcmp(a, "size"))
			continue;
		double v = entry_param(e, "size");
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
			fprintf(md, " %s p50 t_reaped |",
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
			thp = e ? entry_param(e, "thp_bytes") : NAN;
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
			fprintf(md, " %s |",
				fmt_ns(e ? entry_metric(e, "t_reaped", "p50") : NAN, t, sizeof t));
		}
		double vmpte = pf ? entry_metric(pf, "vmpte_kb", "p50") : NAN;
		if (isnan(vmpte))
			fputs(" n/a |\n", md);
		else
			fprintf(md, " %.0f kB |\n", vmpte);
	}
	fputc('\n', md);
}

static void postfork_sentences(FILE *md, const json_t *run, const json_t *kinds)
{
	bool any = false;
	for (size_t k = 0; k < json_array_size(kinds); k++) {
		const char *kind = json_string_value(json_array_get(kinds, k));
		struct fit alive, gone;
		if (fit_lookup(run, "pagetable", "postfork", "post_fork_ns", "MiB", "kind", kind,
			       &alive))
			continue;
		if (!any)
			fputs(
			    "\nPost-fork cost (the parent writes one byte per page; the same pass "
			    "with no child subtracted):\n\n",
			    md);
		any = true;
		fprintf(md, "- %s memory, a fork child alive: the parent ", kind);
		slope_words(md, &alive, "MiB");
		if (!fit_lookup(run, "pagetable", "postfork", "post_exit_ns", "MiB", "kind", kind,
				&gone)) {
			fputs("; after that child has exited it still ", md);
			slope_words(md, &gone, "MiB");
			fputs(" (fork write-protected its PTEs)", md);
		}
		fputs(".\n", md);
	}
}

static void vma_sentences(FILE *md, const json_t *run)
{
	json_t *labels = distinct_values(run, "pagetable", "vmas", "backend");
	bool any = false;
	for (size_t l = 0; l < json_array_size(labels); l++) {
		const char *label = json_string_value(json_array_get(labels, l));
		struct fit f;
		if (is_postfork(label) ||
		    fit_lookup(run, "pagetable", label, "t_reaped", "VMA", NULL, NULL, &f))
			continue;
		if (!any)
			fputs("\nMappings (same memory split into more VMAs; dup_mmap is "
			      "O(VMAs)):\n\n",
			      md);
		any = true;
		fprintf(md, "- **%s** ", label);
		slope_words(md, &f, "VMA");
		p10_words(md, run, "pagetable", label, "t_reaped", "VMA", NULL, NULL, "VMA");
		fputs(".\n", md);
	}
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
	      "Slopes are least-squares fits of the per-point medians of t_reaped (spawn to "
	      "reaped) against the parent's memory, with a 95% interval; a backend whose "
	      "interval includes zero pays nothing measurable. In brackets the same fit of the "
	      "p10s, which samples delayed by a timer tick or a busy machine leave alone.\n",
	      md);
	for (size_t k = 0; k < json_array_size(kinds); k++) {
		const char *kind = json_string_value(json_array_get(kinds, k));
		fprintf(md, "\n### %s memory\n\n", kind);
		kind_sentences(md, run, labels, kind, "t_reaped");
		kind_table(md, run, labels, kind);
	}
	postfork_sentences(md, run, kinds);
	vma_sentences(md, run);
	fputc('\n', md);
	json_decref(kinds);
	json_decref(labels);
}
