/* `spawnscope run` options: the core's rows, the experiments' rows, one parser for them
 * all (so `run all` takes every experiment's options) and the usage text made from them. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "impls/clone.h"
#include "opts.h"
#include "bench/lib/units.h"

#define SAMPLES_MAX 10000000L
#define MAX_ROWS 128
#define HELP_COLUMN 28
#define HELP_WIDTH 96

int opts_bad_value(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "spawnscope: %s: bad value '%s': %s\n", opt, val, why);
	return 2;
}

/* "--name" of a row, for messages. */
static const char *dashed(const struct opt_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "--%s", r->name);
	return buf;
}

int opt_flag(const struct opt_row *r, const char *val, void *dest)
{
	(void)r;
	(void)val;
	*(bool *)dest = true;
	return 0;
}

int opt_string(const struct opt_row *r, const char *val, void *dest)
{
	(void)r;
	*(const char **)dest = val;
	return 0;
}

/* An empty element ("a,,b", ",a", "a,", "") would otherwise be skipped by some parsers
 * (strtok) and be an error in others: refused for every list, before it is parsed. */
static int check_list(const struct opt_row *r, const char *s)
{
	char opt[64];

	if (*s && *s != ',' && s[strlen(s) - 1] != ',' && !strstr(s, ",,"))
		return 0;
	return opts_bad_value(dashed(r, opt, sizeof(opt)), s, "an empty element in the list");
}

int opt_list(const struct opt_row *r, const char *val, void *dest)
{
	int rc = check_list(r, val);

	if (!rc)
		*(const char **)dest = val;
	return rc;
}

/* A whole number in [lo, hi]; "1e3" and trailing garbage are refused. */
int opt_long(const struct opt_row *r, const char *val, void *dest)
{
	char opt[64], why[96];
	long v;
	int rc = parse_long_in(val, r->lo, r->hi, &v);

	if (rc == -EINVAL)
		return opts_bad_value(dashed(r, opt, sizeof(opt)), val, "not a whole number");
	if (rc) {
		snprintf(why, sizeof(why), "must be between %ld and %ld", r->lo, r->hi);
		return opts_bad_value(dashed(r, opt, sizeof(opt)), val, why);
	}
	*(long *)dest = v;
	return 0;
}

int opt_seconds(const struct opt_row *r, const char *val, void *dest)
{
	char *end, opt[64];
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno || end == val || *end || !(v >= r->min_s) || !(v <= r->max_s))
		return opts_bad_value(dashed(r, opt, sizeof(opt)), val, r->range_why);
	*(double *)dest = v;
	return 0;
}

/* ---- the core's own options ---- */

static int parse_mode(const struct opt_row *r, const char *val, void *dest)
{
	(void)r;
	if (!strcmp(val, "exec"))
		*(bool *)dest = true;
	else if (!strcmp(val, "noexec"))
		*(bool *)dest = false;
	else
		return opts_bad_value("--mode", val, "expected exec or noexec");
	return 0;
}

static int parse_probes(const struct opt_row *r, const char *val, void *dest)
{
	(void)r;
	if (!strcmp(val, "auto"))
		*(enum probes_mode *)dest = PROBES_AUTO;
	else if (!strcmp(val, "on"))
		*(enum probes_mode *)dest = PROBES_ON;
	else if (!strcmp(val, "off"))
		*(enum probes_mode *)dest = PROBES_OFF;
	else
		return opts_bad_value("--probes", val, "expected auto, on or off");
	return 0;
}

static int parse_share(const struct opt_row *r, const char *val, void *dest)
{
	const char *bad;
	int rc = check_list(r, val);

	if (!rc && share_parse(val, (unsigned *)dest, &bad))
		rc = opts_bad_value("--share", bad ? bad : val,
				    "expected a list of vm,files,fs,sighand,io,vfork "
				    "(sighand needs vm)");
	return rc;
}

static int parse_cpu(const struct opt_row *r, const char *val, void *dest)
{
	long v;
	int rc = opt_long(r, val, &v);

	if (!rc)
		*(int *)dest = (int)v;
	return rc;
}

static int parse_seed(const struct opt_row *r, const char *val, void *dest)
{
	char *end;

	(void)r;
	errno = 0;
	*(uint64_t *)dest = strtoull(val, &end, 0);
	if (errno || end == val || *end || val[0] == '-')
		return opts_bad_value("--seed", val, "expected a whole number");
	return 0;
}

#define CORE(field) offsetof(struct opts, field)

static const struct opt_row core_rows[] = {
    {OPT_ROW("backends", "a,b,...", "the backends (plugin:PATH loads a plug-in)",
	     "every available one", CORE(backends), opt_list)},
    {OPT_ROW("samples", "N", "samples per backend (and point)", "the experiment's", CORE(samples),
	     opt_long),
     .lo = 1, .hi = SAMPLES_MAX},
    {OPT_ROW("warmup", "N", "warm-up samples per backend, discarded", "the experiment's",
	     CORE(warmup), opt_long),
     .lo = 0, .hi = SAMPLES_MAX},
    /* the first sample of a block is left out of the statistics: 2 at least */
    {OPT_ROW("block", "N", "samples per arm per interleaved block, 2 at least", "the experiment's",
	     CORE(block), opt_long),
     .lo = 2, .hi = 100000},
    {OPT_ROW("target", "stamp|exit0|PATH", "the program spawned", "stamp", CORE(target),
	     opt_string)},
    {OPT_ROW("mode", "exec|noexec", "noexec: the child exits without exec", "exec", CORE(exec),
	     parse_mode)},
    {OPT_ROW("share", "LIST", "clone backend: vm,files,fs,sighand,io,vfork", "vm,vfork",
	     CORE(share), parse_share)},
    {OPT_ROW("probes", "auto|on|off", "eBPF probes", "auto", CORE(probes), parse_probes)},
    {OPT_ROW("probe-overhead", NULL, "fail unless the probes run (their cost is recorded)", NULL,
	     CORE(probe_overhead), opt_flag)},
    {OPT_ROW("cpu", "N", "pin the driver (and so the lab and its children) to CPU N", NULL,
	     CORE(cpu), parse_cpu),
     .lo = 0, .hi = 4095},
    {OPT_ROW("out", "DIR", "the run directory", "results/<host>-<UTC>", CORE(out), opt_string)},
    {OPT_ROW("force", NULL, "reuse a non-empty --out: its old results are removed", NULL,
	     CORE(force), opt_flag)},
    {OPT_ROW("seed", "N", "seed of block orders and bootstraps", "from the clock", CORE(seed),
	     parse_seed)},
    {OPT_ROW("sample-timeout", "S", "kill a child whose spawn-to-reap exceeds S seconds", "10",
	     CORE(sample_timeout), opt_seconds),
     .min_s = 0.001, .max_s = 86400, .range_why = "expected seconds, from 0.001 to 86400"},
    {OPT_ROW("point-timeout", "S", "stop a point's run after S seconds, keep its samples", "600",
	     CORE(point_timeout), opt_seconds),
     .min_s = 0.001, .max_s = 86400, .range_why = "expected seconds, from 0.001 to 86400"},
    {OPT_ROW("quick", NULL, "short defaults (`run all --quick` < 60 s)", NULL, CORE(quick),
	     opt_flag)},
    {OPT_ROW("quiet", NULL, "no progress line", NULL, CORE(quiet), opt_flag)},
    OPT_ROWS_END,
};

void opts_defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->samples = -1;
	o->warmup = -1;
	o->block = -1;
	o->target = "stamp";
	o->exec = true;
	o->sample_timeout = 10;
	o->point_timeout = 600;
	o->probes = PROBES_AUTO;
	o->cpu = -1;
}

/* ---- the parser ---- */

/* Every row getopt knows, with the experiment that owns it (NULL: the core). */
struct mounted {
	const struct opt_row *row[MAX_ROWS];
	const struct experiment *owner[MAX_ROWS];
	struct option longopts[MAX_ROWS + 2];
	size_t n;
};

static void mount_rows(struct mounted *m, const struct opt_row *rows, const struct experiment *e)
{
	for (; rows && rows->name; rows++) {
		if (m->n == MAX_ROWS)
			abort(); /* more options than slots: raise MAX_ROWS */
		m->row[m->n] = rows;
		m->owner[m->n] = e;
		m->longopts[m->n] =
		    (struct option){rows->name, rows->metavar ? required_argument : no_argument,
				    NULL, 256 + (int)m->n};
		m->n++;
	}
}

/* Every experiment's rows are mounted for getopt (so that an option of another experiment
 * is recognised and refused by name rather than called unknown). */
static void mount_all(struct mounted *m)
{
	memset(m, 0, sizeof(*m));
	mount_rows(m, core_rows, NULL);
	for (size_t i = 0; i < experiment_count(); i++)
		mount_rows(m, experiment_at(i)->options, experiment_at(i));
	m->longopts[m->n] = (struct option){"help", no_argument, NULL, 'h'};
}

/* The first operand (the experiment), without a word on stderr: the real pass reports. */
static const char *find_experiment(int argc, char **argv, const struct mounted *m)
{
	const char *name = NULL;
	int c;

	optind = 0; /* glibc: reinitialise */
	opterr = 0;
	while (!name && (c = getopt_long(argc, argv, "-h", m->longopts, NULL)) != -1)
		if (c == 1)
			name = optarg;
	if (!name && optind < argc)
		name = argv[optind]; /* after "--" */
	return name;
}

static bool is_selected(const struct experiment *e, const struct experiment *const *sel,
			size_t n_sel)
{
	for (size_t i = 0; i < n_sel; i++)
		if (sel[i] == e)
			return true;
	return false;
}

int opts_parse_run(int argc, char **argv, struct opts *o)
{
	struct mounted *m = calloc(1, sizeof(*m));
	const struct experiment *sel[MAX_EXPERIMENTS];
	size_t n_sel;
	int c, rc = 0;

	if (!m) {
		fprintf(stderr, "spawnscope: run: %s\n", strerror(ENOMEM));
		return 2;
	}
	o->argc = argc;
	o->argv = argv;
	for (size_t i = 0; i < experiment_count(); i++) {
		const struct experiment *e = experiment_at(i);
		if (e->opts)
			memset(e->opts, 0, e->opts_size);
	}
	mount_all(m);
	o->experiment = find_experiment(argc, argv, m);
	/* no experiment or an unknown one (reported by the caller): every option is taken */
	n_sel = o->experiment ? experiment_select(o->experiment, sel, MAX_EXPERIMENTS) : 0;
	if (!n_sel)
		n_sel = experiment_select("all", sel, MAX_EXPERIMENTS);
	optind = 0;
	opterr = 1;
	while (!rc && (c = getopt_long(argc, argv, "h", m->longopts, NULL)) != -1) {
		if (c == 'h') {
			rc = -1;
			break;
		}
		if (c < 256 || c >= 256 + (int)m->n) {
			rc = 2; /* getopt printed the message */
			break;
		}
		const struct opt_row *r = m->row[c - 256];
		const struct experiment *e = m->owner[c - 256];
		if (e && !is_selected(e, sel, n_sel)) {
			fprintf(stderr,
				"spawnscope: --%s is an option of the %s experiment, not of %s "
				"(run %s, or run all)\n",
				r->name, e->name, o->experiment, e->name);
			rc = 2;
			break;
		}
		rc = r->parse(r, optarg, (char *)(e ? e->opts : (void *)o) + r->offset);
	}
	free(m);
	if (rc)
		return rc;
	if (optind >= argc) {
		fprintf(stderr, "spawnscope: run: which experiment? (see `spawnscope list`)\n");
		return 2;
	}
	o->experiment = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "spawnscope: run: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o->probe_overhead && o->probes == PROBES_OFF) {
		fprintf(stderr,
			"spawnscope: --probe-overhead needs the probes (not --probes off)\n");
		return 2;
	}
	return 0;
}

int opts_check_rows(char *why, size_t len)
{
	struct mounted *m = calloc(1, sizeof(*m));
	int rc = 0;

	if (!m)
		return -ENOMEM;
	mount_all(m);
	for (size_t i = 0; i < m->n && !rc; i++) {
		const struct opt_row *r = m->row[i];
		const char *owner = m->owner[i] ? m->owner[i]->name : "the core";

		rc = -EINVAL;
		if (!r->help || !*r->help || !r->parse)
			snprintf(why, len, "--%s (%s): no help line or no parser", r->name, owner);
		else if ((r->parse == opt_flag) != !r->metavar)
			snprintf(why, len, "--%s (%s): a flag has no metavar, a value has one",
				 r->name, owner);
		else if (m->owner[i] && (!m->owner[i]->opts || !m->owner[i]->opts_size))
			snprintf(why, len, "--%s (%s): no options struct to parse into", r->name,
				 owner);
		else
			rc = 0;
		for (size_t j = 0; j < i && !rc; j++)
			if (!strcmp(m->row[j]->name, r->name)) {
				snprintf(why, len, "--%s is both %s's and %s's", r->name,
					 m->owner[j] ? m->owner[j]->name : "the core's", owner);
				rc = -EINVAL;
			}
	}
	free(m);
	return rc;
}

/* ---- the usage text ---- */

/* "  --name METAVAR     help (default X)", the default on a line of its own when the line
 * would pass HELP_WIDTH. */
static void usage_rows(FILE *f, const struct opt_row *rows)
{
	for (; rows && rows->name; rows++) {
		int w = fprintf(f, "  --%s%s%s", rows->name, rows->metavar ? " " : "",
				rows->metavar ? rows->metavar : "");
		if (w >= HELP_COLUMN - 1)
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		else
			fprintf(f, "%*s", HELP_COLUMN - w, "");
		/* a '\n' in the help continues it under the column */
		const char *last = rows->help;
		for (const char *p = rows->help; *p; p++) {
			if (*p != '\n') {
				fputc(*p, f);
				continue;
			}
			fprintf(f, "\n%*s", HELP_COLUMN, "");
			last = p + 1;
		}
		if (rows->shown_default &&
		    HELP_COLUMN + strlen(last) + strlen(rows->shown_default) + 11 > HELP_WIDTH)
			fprintf(f, "\n%*s(default %s)", HELP_COLUMN, "", rows->shown_default);
		else if (rows->shown_default)
			fprintf(f, " (default %s)", rows->shown_default);
		fputc('\n', f);
	}
}

void opts_usage_run(FILE *f, const char *experiment)
{
	const struct experiment *sel[MAX_EXPERIMENTS];
	size_t n_sel = experiment ? experiment_select(experiment, sel, MAX_EXPERIMENTS) : 0;

	if (!n_sel)
		n_sel = experiment_select("all", sel, MAX_EXPERIMENTS);
	fprintf(f, "run options (every experiment):\n");
	usage_rows(f, core_rows);
	for (size_t i = 0; i < n_sel; i++) {
		if (!sel[i]->options || !sel[i]->options->name)
			continue;
		fprintf(f, "%s options:\n", sel[i]->name);
		usage_rows(f, sel[i]->options);
	}
}
