/* `spawnscope compare DIR... [--label NAME=DIR] [--out DIR]`: the same experiments across
 * runs, kernels and machines, side by side (compare.md, report.html, plots/compare-*.svg|png).
 * Changes against the first run are unpaired (two-sample Hodges-Lehmann over per-block
 * summaries, bench/lib/shift.c), since runs of different machines share no rounds. */
#ifndef SPAWNSCOPE_COMPARE_H
#define SPAWNSCOPE_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "bench/gate/gate.h"

struct cmp_run {
	const char *dir; /* as given */
	char *label;
	json_t *run; /* run.json */
};

struct cmp {
	struct cmp_run *runs;
	size_t n;
	const char *out;
	const char *common[8]; /* experiments present in every run, in `run all` order */
	size_t n_common;
};

int compare_main(int argc, char **argv);

/* machine.c: default labels (what differs) and the machine differences section. */
void compare_default_labels(struct cmp *c);
void compare_machine_md(const struct cmp *c, FILE *md);
/* One sentence: the recorded differences that could move a spawn figure. */
void compare_explain_md(const struct cmp *c, FILE *md);

/* md.c: compare.md's experiment sections. */
bool compare_has(const struct cmp *c, const char *experiment);
void compare_latency_md(const struct cmp *c, FILE *md);
void compare_change_md(const struct cmp *c, FILE *md);
void compare_slopes_md(const struct cmp *c, FILE *md);
void compare_contention_md(const struct cmp *c, FILE *md);
/* The latency entry of run r for the row key (backend, parent RSS, mode, target), or NULL;
 * keys: "backend" for a plain arm, NULL for a probes twin (which is not compared). */
const json_t *compare_latency_entry(const struct cmp_run *r, const char *key);
char *compare_latency_key(const json_t *entry);
/* The distinct latency row keys over all runs, in first-seen order (free each and the
 * array). */
char **compare_latency_rows(const struct cmp *c, size_t *n);
void compare_rows_free(char **rows, size_t n);
/* metric the latency comparison uses: t_first where every run has it, else t_reaped */
const char *compare_latency_metric(const struct cmp *c);

/* The shift of entry b's per-block summaries (metric, q) against entry a's, unpaired
 * (gate_shift_unpaired). 0; -ENODATA (no usable blocks), -ERANGE (too few for a finite
 * interval), -ENOMEM, or gate_shift_unpaired's error. */
struct cmp_change {
	struct gate_shift s;
	size_t na, nb;
};
int compare_change(const json_t *a, const json_t *b, const char *metric, const char *q,
		   struct cmp_change *ch);

/* plots.c: data files and gnuplot; returns the number of plots that failed. */
int compare_plots(const struct cmp *c, char ***svgs, size_t *n_svgs);

/* curves.c: pagetable/fdtable curves of every run overlaid; appends the SVGs drawn,
 * returns the number of plots that failed. */
int compare_curves(const struct cmp *c, const char *scripts, char ***svgs, size_t *n_svgs);

/* "| first | label 1 | ... |" and the separator row (numbers: right-aligned columns) */
void compare_header(const struct cmp *c, FILE *md, const char *first, bool numbers);
/* scaling.c: contention ops/s against workers of every run overlaid; *svg is the
 * figure (NULL when there is nothing to draw). 0, or 1 when the plot failed. */
int compare_scaling(const struct cmp *c, const char *scripts, char **svg);

/* markdown-escaped cell text (| and newlines) */
void compare_cell(FILE *md, const char *s);

#endif
