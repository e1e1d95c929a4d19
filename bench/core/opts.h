/* The command line of `spawnscope run`: the options every experiment shares (struct opts,
 * the core's rows) and the option rows each experiment brings in its struct experiment.
 * One parser mounts the core rows and those of the selected experiments and writes the
 * usage text from the same rows. */
#ifndef SPAWNSCOPE_OPTS_H
#define SPAWNSCOPE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "probes/probes_mode.h"

struct opts {
	const char *experiment; /* latency | pagetable | fdtable | contention | all */
	const char *backends;	/* comma list or NULL: every available one */
	long samples;		/* -1: experiment default */
	long warmup;		/* -1: experiment default */
	long block;		/* samples per interleaved block; -1: default */
	const char *target;	/* stamp | exit0 | PATH */
	bool exec;		/* --mode exec (true) | noexec */
	unsigned share;	       /* --share: enum spawn_share bits for the clone backend; 0 default */
	double sample_timeout; /* seconds one spawn-to-reap may take before its child is killed */
	double point_timeout;  /* seconds one point's run may take before it is stopped */
	enum probes_mode probes;
	bool probe_overhead; /* fail unless the probes run (latency records their cost) */
	int cpu;	     /* -1: no pinning */
	const char *out;     /* run directory; NULL: results/<host>-<UTC> */
	bool quick;
	bool quiet;
	bool force;    /* --force: an existing non-empty --out loses spawnscope's own files */
	uint64_t seed; /* 0: from the clock; recorded in run.json */
	/* The whole argv, for run.json "command". */
	int argc;
	char **argv;
};

/* One option of `spawnscope run`: a row of the core's table or of an experiment's. The
 * value goes to offset bytes into the owner's options struct (struct opts for the core, the
 * experiment's own struct for its rows), through parse. */
struct opt_row {
	const char *name;	   /* without the leading "--" */
	const char *metavar;	   /* "N", "LIST", ...; NULL: a flag without a value */
	const char *help;	   /* one line of --help */
	const char *shown_default; /* "(default X)" in --help; NULL: none shown */
	size_t offset;
	/* 0, or 2 with a message naming the option and the value (opts_bad_value). */
	int (*parse)(const struct opt_row *r, const char *val, void *dest);
	long lo, hi;	       /* opt_long: the range */
	double min_s, max_s;   /* opt_seconds: the range */
	const char *range_why; /* opt_seconds: the message when out of range */
};

/* A row's usual fields, in order: name, metavar, help, shown_default, offset, parse. */
#define OPT_ROW(name_, metavar_, help_, default_, offset_, parse_)                                 \
	.name = (name_), .metavar = (metavar_), .help = (help_), .shown_default = (default_),      \
	.offset = (offset_), .parse = (parse_)
#define OPT_ROWS_END                                                                               \
	{                                                                                          \
		.name = NULL                                                                       \
	}

/* Parsers for the usual kinds of value. */
int opt_flag(const struct opt_row *r, const char *val, void *dest);    /* bool = true */
int opt_string(const struct opt_row *r, const char *val, void *dest);  /* const char * */
int opt_list(const struct opt_row *r, const char *val, void *dest);    /* const char *, no
									* empty element */
int opt_long(const struct opt_row *r, const char *val, void *dest);    /* long in [lo, hi] */
int opt_seconds(const struct opt_row *r, const char *val, void *dest); /* double in
									* [min_s, max_s] */
/* "spawnscope: OPT: bad value 'VAL': WHY" on stderr; returns 2. */
int opts_bad_value(const char *opt, const char *val, const char *why);

/* Parse argv after "run" (argv[0] is "run"): the core's rows and those of the experiments
 * EXPERIMENT selects (all of them for `all`, or when the experiment is missing or unknown,
 * which the caller reports). An option of an experiment not selected is refused, naming
 * the experiment. Every experiment's options are reset to their defaults (zeroed) first.
 * 0 ok; 2 usage error (message already printed); -1 --help (opts_usage_run). */
int opts_parse_run(int argc, char **argv, struct opts *o);
void opts_defaults(struct opts *o);
/* The rows agree with each other: every name once among the core's and every experiment's,
 * each row with a help line and a parser, a metavar on every row but opt_flag's, options
 * storage on every experiment with rows. 0, or -EINVAL with the first problem in why. */
int opts_check_rows(char *why, size_t len);
/* The options of `spawnscope run`, grouped: the common ones, then each experiment's (only
 * those of experiment when it names one). */
void opts_usage_run(FILE *f, const char *experiment);

#endif
