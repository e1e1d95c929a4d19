/* `spawnscope gate` options: parsing and validation (nothing runs here). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "bench/lib/units.h"

enum {
	OPT_A = 256,
	OPT_B,
	OPT_BASELINE,
	OPT_CURRENT,
	OPT_METRIC,
	OPT_QUANTILE,
	OPT_THRESHOLD,
	OPT_NOISE,
	OPT_BUDGET,
	OPT_BLOCK,
	OPT_MIN_PAIRS,
	OPT_MAX_PAIRS,
	OPT_OUT,
	OPT_SEED,
	OPT_QUIET,
	OPT_EXPORT,
};

static const struct option longopts[] = {
    {"a", required_argument, NULL, OPT_A},
    {"b", required_argument, NULL, OPT_B},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"current", required_argument, NULL, OPT_CURRENT},
    {"metric", required_argument, NULL, OPT_METRIC},
    {"quantile", required_argument, NULL, OPT_QUANTILE},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"noise", required_argument, NULL, OPT_NOISE},
    {"budget", required_argument, NULL, OPT_BUDGET},
    {"block", required_argument, NULL, OPT_BLOCK},
    {"min-pairs", required_argument, NULL, OPT_MIN_PAIRS},
    {"max-pairs", required_argument, NULL, OPT_MAX_PAIRS},
    {"out", required_argument, NULL, OPT_OUT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"export", required_argument, NULL, OPT_EXPORT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const metric_choices[] = {"t_first", "t_return", "t_reaped", NULL};
static const char *const quantile_choices[] = {"p10", "p50", NULL};

static void gate_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: spawnscope gate --a 'CMD' --b 'CMD' [options]        (paired, recommended)\n"
	    "       spawnscope gate --baseline OLD/run.json ... --current NEW/run.json ... "
	    "[options]\n"
	    "         (saved runs: each option once per run, at least 3 runs a side for a "
	    "verdict)\n"
	    "\n"
	    "  --a CMD, --b CMD   spawnscope command lines without --out/--samples, e.g.\n"
	    "                     'env LD_LIBRARY_PATH=old build/spawnscope run latency "
	    "--backends posix-spawn'\n"
	    "  --metric M         t_first | t_return | t_reaped (default t_first)\n"
	    "  --quantile Q       per-block summary that decides: p10 (default) | p50\n"
	    "  --threshold P      smallest slowdown that fails, percent (default 5%%)\n"
	    "  --noise P          the interval's lower bound must clear this band (default 1%%)\n"
	    "  --budget T         wall-clock budget, e.g. 60s, 2m (default 60s)\n"
	    "  --block K          samples per block (default 200)\n"
	    "  --min-pairs N      pairs before any decision and between looks (default 8)\n"
	    "  --max-pairs N      most pairs per phase (default 400)\n"
	    "  --out DIR          the gate's outputs (default results/gate-<UTC time>)\n"
	    "  --seed N           coin flips (default: from the clock)   --quiet\n"
	    "  --export LIST      dashboard files in --out, comma-separated names, all "
	    "(default) or none:\n");
	for (size_t i = 0; i < gate_n_exports; i++)
		fprintf(f, "                       %-24s %s: %s\n", gate_exports[i].name,
			gate_exports[i].file, gate_exports[i].what);
	fprintf(f, "exit status: 0 pass, 1 regression, 2 usage or input error, 3 inconclusive or "
		   "insufficient replicates, "
		   "130 interrupted\n");
}

void gate_opts_defaults(struct gate_opts *g)
{
	memset(g, 0, sizeof(*g));
	g->metric = "t_first";
	g->quantile = "p10";
	g->threshold = 0.05;
	g->noise = 0.01;
	g->budget_s = 60;
	g->block = 200;
	g->min_pairs = 8;
	g->max_pairs = 400;
	gate_exports_select("all", &g->exports, NULL, 0);
}

void gate_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

void gate_opts_free(struct gate_opts *g)
{
	gate_argv_free(g->a_argv);
	gate_argv_free(g->b_argv);
	g->a_argv = g->b_argv = NULL;
}

/* A growing word and a growing vector of words. */
struct words {
	char **v;
	size_t n, cap;
	char *w;
	size_t wn, wcap;
	bool in_word;
};

static int word_putc(struct words *ws, char c)
{
	if (ws->wn + 1 >= ws->wcap) {
		size_t cap = ws->wcap ? ws->wcap * 2 : 32;
		char *w = realloc(ws->w, cap);
		if (!w)
			return -ENOMEM;
		ws->w = w;
		ws->wcap = cap;
	}
	ws->w[ws->wn++] = c;
	ws->in_word = true;
	return 0;
}

static int word_end(struct words *ws)
{
	if (!ws->in_word)
		return 0;
	if (ws->n + 2 > ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 8;
		char **v = realloc(ws->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ws->v = v;
		ws->cap = cap;
	}
	ws->v[ws->n] = strndup(ws->w ? ws->w : "", ws->wn);
	if (!ws->v[ws->n])
		return -ENOMEM;
	ws->v[++ws->n] = NULL;
	ws->wn = 0;
	ws->in_word = false;
	return 0;
}

static void words_drop(struct words *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->v[i]);
	free(ws->v);
	free(ws->w);
}

int gate_split_command(const char *s, char ***out, char *err, size_t len)
{
	struct words ws = {0};
	char quote = 0;
	int rc = 0;

	for (const char *p = s; *p && !rc; p++) {
		char c = *p;

		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				rc = word_putc(&ws, c);
		} else if (quote == '"') {
			if (c == '"') {
				quote = 0;
			} else if (c == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
				if (*++p != '\n') /* backslash-newline is a continuation */
					rc = word_putc(&ws, *p);
			} else {
				rc = word_putc(&ws, c);
			}
		} else if (c == '\'' || c == '"') {
			quote = c;
			ws.in_word = true; /* '' is an empty word */
		} else if (c == '\\') {
			if (!p[1]) {
				snprintf(err, len, "ends with a backslash");
				rc = -EINVAL;
			} else if (*++p != '\n') {
				rc = word_putc(&ws, *p);
			}
		} else if (c == ' ' || c == '\t' || c == '\n') {
			rc = word_end(&ws);
		} else {
			rc = word_putc(&ws, c);
		}
	}
	if (!rc && quote) {
		snprintf(err, len, "unterminated %s quote", quote == '\'' ? "single" : "double");
		rc = -EINVAL;
	}
	if (!rc)
		rc = word_end(&ws);
	if (!rc && ws.n == 0) {
		snprintf(err, len, "empty command");
		rc = -EINVAL;
	}
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, len, "%s", strerror(ENOMEM));
		words_drop(&ws);
		return rc;
	}
	free(ws.w);
	*out = ws.v;
	return 0;
}

int gate_parse_percent(const char *s, double *frac)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s)
		return -EINVAL;
	if (*end == '%')
		end++;
	if (*end || !isfinite(v))
		return -EINVAL;
	if (errno || v < 0 || v >= 1000)
		return -ERANGE;
	*frac = v / 100;
	return 0;
}

int gate_parse_duration(const char *s, double *secs)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = {{"", 1}, {"s", 1}, {"ms", 1e-3}, {"m", 60}, {"min", 60}, {"h", 3600}};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].suffix)) {
			v *= units[i].scale;
			if (errno || v <= 0 || v > 86400)
				return -ERANGE;
			*secs = v;
			return 0;
		}
	return -EINVAL;
}

static int parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
	if (parse_long_in(s, lo, hi, out)) {
		fprintf(stderr,
			"spawnscope gate: %s: bad value '%s': want an integer from %ld to %ld\n",
			opt, s, lo, hi);
		return 2;
	}
	return 0;
}

static int one_of(const char *opt, const char *s, const char *const *valid)
{
	for (const char *const *v = valid; *v; v++)
		if (!strcmp(s, *v))
			return 0;
	fprintf(stderr, "spawnscope gate: %s: bad value '%s' (valid:", opt, s);
	for (const char *const *v = valid; *v; v++)
		fprintf(stderr, " %s", *v);
	fprintf(stderr, ")\n");
	return 2;
}

/* Does word name the long option `name`, in full or as the shortest unambiguous prefix
 * getopt_long would accept (min characters), with or without "=value"? */
static bool names_option(const char *word, const char *name, size_t min)
{
	size_t n;

	if (strncmp(word, "--", 2))
		return false;
	word += 2;
	n = strcspn(word, "=");
	return n >= min && n <= strlen(name) && !strncmp(word, name, n);
}

/* Split one of --a/--b and check what the gate adds itself is not there. */
static int check_command(const char *opt, const char *cmd, char ***argv)
{
	char err[128];

	if (gate_split_command(cmd, argv, err, sizeof(err))) {
		fprintf(stderr, "spawnscope gate: %s '%s': %s\n", opt, cmd, err);
		return 2;
	}
	for (char **w = *argv; *w; w++) {
		if (!strcmp(*w, "--"))
			break;
		if (names_option(*w, "out", 2)) {
			fprintf(
			    stderr,
			    "spawnscope gate: %s '%s': has --out; the gate gives every block its "
			    "own directory (use gate --out for the gate's outputs)\n",
			    opt, cmd);
			return 2;
		}
		if (names_option(*w, "samples", 2)) {
			fprintf(
			    stderr,
			    "spawnscope gate: %s '%s': has --samples; the gate sets the block size "
			    "(use gate --block K)\n",
			    opt, cmd);
			return 2;
		}
	}
	return 0;
}

int gate_opts_parse(int argc, char **argv, struct gate_opts *g)
{
	int c, rc;

	optind = 0; /* glibc: full re-initialisation, so tests can parse repeatedly */
	opterr = 0; /* our own messages, prefixed like every other */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_A:
			g->a_cmd = optarg;
			break;
		case OPT_B:
			g->b_cmd = optarg;
			break;
		case OPT_BASELINE:
		case OPT_CURRENT: {
			bool base = c == OPT_BASELINE;
			size_t *n = base ? &g->n_baselines : &g->n_currents;

			if (*n == GATE_MAX_RUNS) {
				fprintf(stderr, "spawnscope gate: %s: at most %d runs\n",
					base ? "--baseline" : "--current", GATE_MAX_RUNS);
				rc = 2;
				break;
			}
			(base ? g->baselines : g->currents)[(*n)++] = optarg;
			if (base && !g->baseline)
				g->baseline = optarg;
			if (!base && !g->current)
				g->current = optarg;
			break;
		}
		case OPT_METRIC:
			rc = one_of("--metric", optarg, metric_choices);
			g->metric = optarg;
			break;
		case OPT_QUANTILE:
			rc = one_of("--quantile", optarg, quantile_choices);
			g->quantile = optarg;
			break;
		case OPT_THRESHOLD:
		case OPT_NOISE: {
			const char *name = c == OPT_THRESHOLD ? "--threshold" : "--noise";
			double *v = c == OPT_THRESHOLD ? &g->threshold : &g->noise;
			if (gate_parse_percent(optarg, v)) {
				fprintf(
				    stderr,
				    "spawnscope gate: %s: bad value '%s': want a percentage from 0 "
				    "to 1000, e.g. 5%%\n",
				    name, optarg);
				rc = 2;
			}
			break;
		}
		case OPT_BUDGET:
			if (gate_parse_duration(optarg, &g->budget_s)) {
				fprintf(
				    stderr,
				    "spawnscope gate: --budget: bad value '%s': want a duration "
				    "such as 60s, 90, 2m, 500ms (at most a day)\n",
				    optarg);
				rc = 2;
			}
			break;
		case OPT_BLOCK:
			rc = parse_long("--block", optarg, 10, 10000000, &g->block);
			break;
		case OPT_MIN_PAIRS:
			rc = parse_long("--min-pairs", optarg, 5, 100000, &g->min_pairs);
			break;
		case OPT_MAX_PAIRS:
			rc = parse_long("--max-pairs", optarg, 5, 100000, &g->max_pairs);
			break;
		case OPT_OUT:
			g->out = optarg;
			break;
		case OPT_SEED: {
			char *end;
			errno = 0;
			g->seed = strtoull(optarg, &end, 0);
			if (end == optarg || *end || errno || *optarg == '-') {
				fprintf(stderr, "spawnscope gate: --seed: bad value '%s'\n",
					optarg);
				rc = 2;
			}
			break;
		}
		case OPT_QUIET:
			g->quiet = true;
			break;
		case OPT_EXPORT: {
			char err[160];
			if (gate_exports_select(optarg, &g->exports, err, sizeof(err))) {
				fprintf(stderr,
					"spawnscope gate: --export '%s': %s (valid: all, none",
					optarg, err);
				for (size_t i = 0; i < gate_n_exports; i++)
					fprintf(stderr, ", %s", gate_exports[i].name);
				fprintf(stderr, ")\n");
				rc = 2;
			}
			break;
		}
		case 'h':
			gate_usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, "spawnscope gate: %s needs a value\n", argv[optind - 1]);
			return 2;
		default:
			if (optopt)
				fprintf(stderr, "spawnscope gate: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "spawnscope gate: unknown option '%s'\n",
					argv[optind - 1]);
			gate_usage(stderr);
			return 2;
		}
		if (rc)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr,
			"spawnscope gate: unexpected argument '%s' (quote each command: "
			"--a 'CMD ...')\n",
			argv[optind]);
		return 2;
	}
	if (g->max_pairs < g->min_pairs) {
		fprintf(stderr, "spawnscope gate: --max-pairs %ld is below --min-pairs %ld\n",
			g->max_pairs, g->min_pairs);
		return 2;
	}
	if (g->noise > g->threshold) {
		fprintf(stderr,
			"spawnscope gate: --noise %g%% is above --threshold %g%%: nothing could "
			"fail\n",
			g->noise * 100, g->threshold * 100);
		return 2;
	}
	bool paired = g->a_cmd || g->b_cmd, saved = g->baseline || g->current;
	if (paired == saved) {
		fprintf(stderr, "spawnscope gate: give either --a and --b (paired) or --baseline "
				"and --current (saved runs)\n");
		gate_usage(stderr);
		return 2;
	}
	if (paired && (!g->a_cmd || !g->b_cmd)) {
		fprintf(stderr, "spawnscope gate: %s is missing (paired mode needs both)\n",
			g->a_cmd ? "--b" : "--a");
		return 2;
	}
	if (saved && (!g->baseline || !g->current)) {
		fprintf(stderr, "spawnscope gate: %s is missing (saved mode needs both)\n",
			g->baseline ? "--current" : "--baseline");
		return 2;
	}
	if (paired && ((rc = check_command("--a", g->a_cmd, &g->a_argv)) ||
		       (rc = check_command("--b", g->b_cmd, &g->b_argv)))) {
		gate_opts_free(g);
		return rc;
	}
	return 0;
}
