/*
 * `spawnscope gate`: a regression gate for spawn latency on a noisy machine.
 *
 *   paired (recommended): spawnscope gate --a 'CMD' --b 'CMD' [options]
 *     A and B run in alternating short blocks (a coin flip per pair decides which goes first);
 *     each block is summarised by p10 and p50 of the metric; the per-pair log-ratios B/A are
 *     tested with the Wilcoxon signed-rank test and the shift is their Hodges-Lehmann
 *     estimate with its confidence interval, looked at sequentially (sequential.c: a
 *     look every --min-pairs pairs, each spending part of alpha 0.05). A first failure is
 *     re-run once to confirm.
 *   saved (weaker): spawnscope gate --baseline OLD1/run.json --baseline OLD2/run.json ...
 *                                   --current NEW1/run.json ...
 *     A run is the unit: each run gives one summary per comparison (the median of its
 *     per-block p10/p50), and the shift is Student's t interval on the logs of those summaries
 *     (pooled variance with equal numbers of runs a side, else Welch's).
 *     Fewer than GATE_MIN_REPLICATES runs on a side: "insufficient replicates", exit 3.
 *
 * Exit status: 0 pass (or improvement), 1 regression, 2 usage or input error (including an
 * A/B command that fails), 3 inconclusive (budget spent without a decision; saved runs: too
 * few replicates), 130 interrupted.
 */
#ifndef SPAWNSCOPE_GATE_H
#define SPAWNSCOPE_GATE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/lib/shift.h"

/* Entry point for `spawnscope gate ...` (argv[0] is "gate"). Returns the exit status. */
int gate_main(int argc, char **argv);

enum gate_exit {
	GATE_EXIT_PASS = 0,
	GATE_EXIT_REGRESSION = 1,
	GATE_EXIT_USAGE = 2,
	GATE_EXIT_INCONCLUSIVE = 3,
	GATE_EXIT_INTERRUPTED = 130,
};

/* ---- options (opts.c) ---- */

#define GATE_MAX_RUNS 64      /* --baseline / --current given at most this often */
#define GATE_MIN_REPLICATES 3 /* saved runs per side needed for a verdict */

struct gate_opts {
	const char *a_cmd, *b_cmd;	/* paired mode, as given */
	char **a_argv, **b_argv;	/* split like a shell would; NULL-terminated, owned */
	const char *baseline, *current; /* saved mode: the first of each */
	const char *baselines[GATE_MAX_RUNS], *currents[GATE_MAX_RUNS]; /* every one given */
	size_t n_baselines, n_currents;
	const char *metric;   /* t_first | t_return | t_reaped */
	const char *quantile; /* p10 | p50: the per-block summary that decides */
	double threshold;     /* fraction: fail only for a shift at least this big */
	double noise;	      /* fraction: the interval's lower bound must clear it */
	double budget_s;      /* wall-clock budget for the whole paired gate */
	long block;	      /* samples per block (--samples K given to each run) */
	long min_pairs;	      /* no decision before this many pairs (per phase) */
	long max_pairs;	      /* stop a phase after this many pairs */
	const char *out;      /* the gate's own output directory */
	uint64_t seed;	      /* coin flips; 0: from the clock */
	uint64_t exports;     /* bit i set: gate_exports[i] is written (--export) */
	bool quiet;
};

void gate_opts_defaults(struct gate_opts *g);
/* Parse argv after "gate". 0, or 2 with a message printed; -1 for --help (usage printed). */
int gate_opts_parse(int argc, char **argv, struct gate_opts *g);
void gate_opts_free(struct gate_opts *g);

/* Split s into words like a POSIX shell would (whitespace separates; '...' is literal;
 * "..." keeps \", \\, \$, \` escapes; a backslash outside quotes escapes the next char).
 * No expansion of any kind. 0 and a malloc'd NULL-terminated vector in *out (free with
 * gate_argv_free), or -EINVAL with the reason in err. An empty command is -EINVAL too. */
int gate_split_command(const char *s, char ***out, char *err, size_t len);
void gate_argv_free(char **argv);
/* "5%" or "5" (percent) or "0.5%": into a fraction (0.05). 0 or -EINVAL / -ERANGE. */
int gate_parse_percent(const char *s, double *frac);
/* "60s", "60", "2m", "1.5m", "500ms", "1h": into seconds (> 0). 0 or -EINVAL / -ERANGE. */
int gate_parse_duration(const char *s, double *secs);

/* ---- decision (verdict.c) ---- */

enum gate_verdict {
	GV_CONTINUE,	 /* not yet decided: take more blocks */
	GV_PASS,	 /* the interval's upper bound is below the threshold */
	GV_IMPROVED,	 /* a real improvement of at least the threshold */
	GV_REGRESSION,	 /* lower bound clears the noise band and estimate >= threshold */
	GV_INCONCLUSIVE, /* no decision and no more data */
};

struct gate_rule {
	double threshold; /* fraction */
	double noise;	  /* fraction */
	size_t min_n;	  /* fewer observations: never a decision */
};

/* The verdict for one shift. final: no more data will come (CONTINUE becomes
 * INCONCLUSIVE). A shift with n < min_n is never decided. */
enum gate_verdict gate_decide(const struct gate_shift *s, const struct gate_rule *r, bool final);
/* Combine the verdicts of several comparisons: any REGRESSION wins; then, if any is still
 * undecided, CONTINUE (INCONCLUSIVE when final); else PASS, or IMPROVED when all improved. */
enum gate_verdict gate_combine(const enum gate_verdict *v, size_t n, bool final);
const char *gate_verdict_name(enum gate_verdict v);
int gate_verdict_exit(enum gate_verdict v); /* enum gate_exit */
/* exp(x) - 1 in percent: a log ratio as a % change. */
double gate_pct(double log_ratio);

/* ---- results entries of A and B (pairing.c; run.json is read by bench/core/runjson.h) ---- */

/* metrics.<metric>.<q> of one results entry; 0 or -EINVAL (missing, not a positive number). */
int gate_entry_value(const json_t *entry, const char *metric, const char *q, double *out);

/* Pairing of the results entries of A and B: when each side has exactly one entry they are
 * paired whatever their names; otherwise entries with the same key are paired. */
struct gate_pairing {
	size_t n;
	size_t *ia, *ib; /* indexes into each side's "results" */
	char **names;	 /* display name of each pair (owned) */
};
/* 0, or -ENOENT with a message in err when no entry pairs up. */
int gate_pair_entries(const json_t *run_a, const json_t *run_b, struct gate_pairing *p, char *err,
		      size_t len);
void gate_pairing_free(struct gate_pairing *p);

/* ---- per-comparison data and results (shared by the paired and saved modes) ---- */

enum gate_q { GQ_P10, GQ_P50, GQ__N };
extern const char *const gate_q_names[GQ__N]; /* "p10", "p50" */

struct gate_series {
	char *name;
	double *a[GQ__N], *b[GQ__N]; /* per block (paired: per pair) summaries, ns */
	size_t na, nb, cap_a, cap_b;
	struct gate_shift shift[GQ__N];
	int shift_err[GQ__N]; /* 0, or the -errno gate_shift_* gave */
	enum gate_verdict verdict[GQ__N];
};

int gate_series_push(struct gate_series *s, bool b_side, double p10, double p50);
void gate_series_free(struct gate_series *s);
/* Median and relative stddev (%) of one side's summaries. */
void gate_series_level(const double *v, size_t n, double *median, double *stddev_pct);

/* Everything a report needs. */
struct gate_phase {
	const char *name; /* "initial" | "confirmation" | "saved" */
	struct gate_series *series;
	size_t n_series;
	size_t pairs;
	size_t looks;	    /* sequential looks taken (paired) */
	double alpha_spent; /* the sum of their alpha_k */
	double elapsed_s;
	enum gate_verdict verdict;
};

struct gate_report {
	const struct gate_opts *o;
	bool paired;
	struct gate_phase phases[2];
	size_t n_phases;
	enum gate_verdict verdict; /* final */
	int exit_status;
	const char *note; /* one line explaining the verdict */
	double elapsed_s;
	uint64_t seed; /* paired: of the coin flips */
};

/* ---- what decided (verdict.c; read by both report.c and export.c) ---- */

/* The phase whose data decided (the confirmation when there was one). */
const struct gate_phase *gate_deciding_phase(const struct gate_report *r);
/* GQ_P10 or GQ_P50: the --quantile that decides. */
int gate_decisive_q(const struct gate_opts *o);

/* ---- outputs (report.c, export.c) ---- */

/* The Markdown table of the deciding phase, to f. */
void gate_markdown(const struct gate_report *r, FILE *f);
/* verdict.json (schema spawnscope-gate/1): a new reference. */
json_t *gate_verdict_json(const struct gate_report *r);
/* The dashboard exports (export.c): one row each, in the order they are written. --export
 * selects them by name, --help lists them, gate_write_outputs writes each selected one to
 * its file; docs/gate.md lists every row (tests/unit_gate_export.c checks). */
struct gate_export {
	const char *name;			       /* for --export */
	const char *file;			       /* in the gate's --out directory */
	const char *what;			       /* one line for --help */
	json_t *(*build)(const struct gate_report *r); /* a new reference; NULL: cannot */
};
extern const struct gate_export gate_exports[];
extern const size_t gate_n_exports; /* at most 64: gate_opts.exports is a bit mask */
/* "all", "none", or names of gate_exports separated by commas, into a mask (bit i: row i).
 * 0, or -EINVAL with a message naming the unknown export in err. */
int gate_exports_select(const char *list, uint64_t *mask, char *err, size_t len);

/* Write summary.md, verdict.json and each export --export selected in dir, each
 * atomically, and print the table to stdout. 0, or 2 with a message printed. */
int gate_write_outputs(const struct gate_report *r, const char *dir);

/* ---- the sequential design of the paired gate (sequential.c) ---- */

#define GATE_ALPHA 0.05 /* chance that any look's interval misses, over all looks of a phase */

/* alpha of look k (1-based): GATE_ALPHA * 6 / (pi^2 k^2); they sum to GATE_ALPHA. */
double gate_look_alpha(size_t look);

/* Where pairs come from: pair() appends one more pair (index) to every series of ph (making
 * ph->series on the first call) and returns 0 or an exit status (2, 130); now() is seconds on
 * the source's clock; progress (may be NULL) is told after each look. */
struct gate_source {
	void *ctx;
	int (*pair)(void *ctx, struct gate_phase *ph, size_t index);
	double (*now)(void *ctx);
	void (*progress)(void *ctx, const struct gate_phase *ph);
};
struct gate_pace {
	size_t pairs;
	double s_sum; /* seconds the pairs took, for the next pair's estimate */
};

/* The initial phase and, when it flags a regression with room left before deadline (on the
 * source's clock), a confirmation phase; looks after every --min-pairs-th pair and at the
 * end. Fills r->phases, r->n_phases and r->verdict (INCONCLUSIVE when a regression came too
 * late to confirm: *no_room). 0, or the source's exit status. */
int gate_sequential(const struct gate_opts *o, const struct gate_source *src, double deadline,
		    struct gate_report *r, bool *no_room);

/* ---- modes (paired.c, saved.c) ---- */

int gate_run_paired(const struct gate_opts *o);
int gate_run_saved(const struct gate_opts *o);

/* ---- child commands (child.c) ---- */

/* g_interrupted (bench/lib/stop.h) is set by SIGINT/SIGTERM while the gate runs. */
void gate_install_signals(void);
/* Run argv (execvp) with stdout to /dev/null and stderr to errpath, dying with the gate
 * (PR_SET_PDEATHSIG); wait for it, killing it (SIGTERM, then SIGKILL) if the gate is
 * interrupted or gate_child_deadline passes (then *status says how it was stopped). Returns the
 * wait status in *status; 0, -EINTR (interrupted, child reaped), or -errno of fork/exec. */
int gate_run_child(char *const *argv, const char *errpath, int *status);
/* CLOCK_MONOTONIC seconds after which a running block command is stopped (SIGTERM, then
 * SIGKILL) and reaped: the paired gate's --budget, kept even while a command hangs. 0: none. */
extern double gate_child_deadline;
/* Print the last lines of a file (a child's stderr) to stderr, indented. */
void gate_print_tail(const char *path, int lines);

/* ---- files (files.c) ---- */

/* rm -r of a directory tree (no symlinks followed). 0 or -errno. */
int gate_rmtree(const char *path);

#endif
