/* `spawnscope run` options: one parser for every experiment, so `run all` takes them all. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impls/clone.h"
#include "opts.h"
#include "bench/lib/units.h"

#define SAMPLES_MAX 10000000L
#define DURATION_MIN_S 0.01
#define DURATION_MAX_S 3600.0

enum {
	OPT_BACKENDS = 256,
	OPT_SAMPLES,
	OPT_WARMUP,
	OPT_BLOCK,
	OPT_TARGET,
	OPT_MODE,
	OPT_PARENT_RSS,
	OPT_SHARE,
	OPT_SIZES,
	OPT_KINDS,
	OPT_VMAS,
	OPT_FDS,
	OPT_VARIANTS,
	OPT_SHARING,
	OPT_OPS,
	OPT_WORKERS,
	OPT_MAX_WORKERS,
	OPT_DURATION,
	OPT_PROBES,
	OPT_PROBE_OVERHEAD,
	OPT_REFERENCE,
	OPT_CPU,
	OPT_OUT,
	OPT_QUICK,
	OPT_QUIET,
	OPT_SEED,
	OPT_SAMPLE_TIMEOUT,
	OPT_POINT_TIMEOUT,
	OPT_FORCE,
};

static const struct option longopts[] = {
    {"backends", required_argument, NULL, OPT_BACKENDS},
    {"samples", required_argument, NULL, OPT_SAMPLES},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"block", required_argument, NULL, OPT_BLOCK},
    {"target", required_argument, NULL, OPT_TARGET},
    {"mode", required_argument, NULL, OPT_MODE},
    {"parent-rss", required_argument, NULL, OPT_PARENT_RSS},
    {"share", required_argument, NULL, OPT_SHARE},
    {"sizes", required_argument, NULL, OPT_SIZES},
    {"kinds", required_argument, NULL, OPT_KINDS},
    {"vmas", required_argument, NULL, OPT_VMAS},
    {"fds", required_argument, NULL, OPT_FDS},
    {"variants", required_argument, NULL, OPT_VARIANTS},
    {"sharing", required_argument, NULL, OPT_SHARING},
    {"ops", required_argument, NULL, OPT_OPS},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"max-workers", required_argument, NULL, OPT_MAX_WORKERS},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"probes", required_argument, NULL, OPT_PROBES},
    {"probe-overhead", no_argument, NULL, OPT_PROBE_OVERHEAD},
    {"reference", required_argument, NULL, OPT_REFERENCE},
    {"cpu", required_argument, NULL, OPT_CPU},
    {"out", required_argument, NULL, OPT_OUT},
    {"quick", no_argument, NULL, OPT_QUICK},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"seed", required_argument, NULL, OPT_SEED},
    {"sample-timeout", required_argument, NULL, OPT_SAMPLE_TIMEOUT},
    {"point-timeout", required_argument, NULL, OPT_POINT_TIMEOUT},
    {"force", no_argument, NULL, OPT_FORCE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void opts_defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->samples = -1;
	o->warmup = -1;
	o->block = -1;
	o->target = "stamp";
	o->exec = true;
	o->max_workers = -1;
	o->duration = -1;
	o->sample_timeout = 10;
	o->point_timeout = 600;
	o->probes = PROBES_AUTO;
	o->cpu = -1;
}

static int usage_error(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "spawnscope: %s: bad value '%s': %s\n", opt, val, why);
	return 2;
}

/* A whole number in [lo, hi]; "1e3" and trailing garbage are refused. */
static int parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
	int rc = parse_long_in(s, lo, hi, out);
	char why[96];

	if (rc == -EINVAL)
		return usage_error(opt, s, "not a whole number");
	if (rc) {
		snprintf(why, sizeof(why), "must be between %ld and %ld", lo, hi);
		return usage_error(opt, s, why);
	}
	return 0;
}

/* The options that take a comma-separated list. */
static bool is_list_option(int c)
{
	switch (c) {
	case OPT_BACKENDS:
	case OPT_PARENT_RSS:
	case OPT_SHARE:
	case OPT_SIZES:
	case OPT_KINDS:
	case OPT_VMAS:
	case OPT_FDS:
	case OPT_VARIANTS:
	case OPT_SHARING:
	case OPT_OPS:
	case OPT_WORKERS:
		return true;
	default:
		return false;
	}
}

/* An empty element ("a,,b", ",a", "a,", "") would otherwise be skipped by some parsers
 * (strtok) and be an error in others: refused for every list, before any is parsed. */
static int check_list(int c, const char *s)
{
	const char *name = "?";

	if (*s && *s != ',' && s[strlen(s) - 1] != ',' && !strstr(s, ",,"))
		return 0;
	for (const struct option *lo = longopts; lo->name; lo++)
		if (lo->val == c)
			name = lo->name;
	fprintf(stderr, "spawnscope: --%s: bad value '%s': an empty element in the list\n", name,
		s);
	return 2;
}

int opts_parse_run(int argc, char **argv, struct opts *o)
{
	int c, rc = 0;
	long v;
	const char *bad;

	o->argc = argc;
	o->argv = argv;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (is_list_option(c) && (rc = check_list(c, optarg)))
			return rc;
		switch (c) {
		case OPT_BACKENDS:
			o->backends = optarg;
			break;
		case OPT_SAMPLES:
			rc = parse_long("--samples", optarg, 1, SAMPLES_MAX, &o->samples);
			break;
		case OPT_WARMUP:
			rc = parse_long("--warmup", optarg, 0, SAMPLES_MAX, &o->warmup);
			break;
		case OPT_BLOCK:
			/* the first sample of a block is left out of the statistics: 2 at least */
			rc = parse_long("--block", optarg, 2, 100000, &o->block);
			break;
		case OPT_TARGET:
			o->target = optarg;
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "exec"))
				o->exec = true;
			else if (!strcmp(optarg, "noexec"))
				o->exec = false;
			else
				rc = usage_error("--mode", optarg, "expected exec or noexec");
			break;
		case OPT_PARENT_RSS: {
			uint64_t *v64;
			size_t n;
			if (parse_size_list(optarg, &v64, &n, &bad)) {
				rc = usage_error("--parent-rss", bad ? bad : optarg,
						 "expected sizes like 0,256M,1G");
				break;
			}
			if (n > sizeof(o->parent_rss) / sizeof(o->parent_rss[0])) {
				rc = usage_error("--parent-rss", optarg, "at most 8 sizes");
			} else {
				memcpy(o->parent_rss, v64, n * sizeof(*v64));
				o->n_parent_rss = n;
			}
			free(v64);
			break;
		}
		case OPT_REFERENCE:
			/* A plug-in's name is known only once --backends loads it: an unknown
			 * name is reported when the latency point has no such arm. */
			if (!*optarg)
				rc = usage_error("--reference", optarg, "expected a backend name");
			o->reference = optarg;
			break;
		case OPT_SHARE:
			if (share_parse(optarg, &o->share, &bad))
				rc = usage_error("--share", bad ? bad : optarg,
						 "expected a list of vm,files,fs,sighand,io,vfork "
						 "(sighand needs vm)");
			break;
		case OPT_SIZES:
			o->sizes = optarg;
			break;
		case OPT_KINDS:
			o->kinds = optarg;
			break;
		case OPT_VMAS:
			o->vmas = optarg;
			break;
		case OPT_FDS:
			o->fds = optarg;
			break;
		case OPT_VARIANTS:
			o->variants = optarg;
			break;
		case OPT_SHARING:
			o->sharing = optarg;
			break;
		case OPT_OPS:
			o->ops = optarg;
			break;
		case OPT_WORKERS:
			o->workers = optarg;
			break;
		case OPT_MAX_WORKERS:
			rc = parse_long("--max-workers", optarg, 1, 4096, &o->max_workers);
			break;
		case OPT_SAMPLE_TIMEOUT:
		case OPT_POINT_TIMEOUT: {
			double *v =
			    c == OPT_SAMPLE_TIMEOUT ? &o->sample_timeout : &o->point_timeout;
			char *end;
			errno = 0;
			*v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(*v >= 0.001) || *v > 86400)
				rc = usage_error(c == OPT_SAMPLE_TIMEOUT ? "--sample-timeout"
									 : "--point-timeout",
						 optarg, "expected seconds, from 0.001 to 86400");
			break;
		}
		case OPT_DURATION: {
			char *end;
			errno = 0;
			o->duration = strtod(optarg, &end);
			/* below 10 ms a point is mostly start-up and the barrier */
			if (errno || end == optarg || *end || !(o->duration >= DURATION_MIN_S) ||
			    !(o->duration <= DURATION_MAX_S))
				rc =
				    usage_error("--duration", optarg,
						"expected seconds, at least 0.01 and at most 3600");
			break;
		}
		case OPT_PROBES:
			if (!strcmp(optarg, "auto"))
				o->probes = PROBES_AUTO;
			else if (!strcmp(optarg, "on"))
				o->probes = PROBES_ON;
			else if (!strcmp(optarg, "off"))
				o->probes = PROBES_OFF;
			else
				rc = usage_error("--probes", optarg, "expected auto, on or off");
			break;
		case OPT_PROBE_OVERHEAD:
			o->probe_overhead = true;
			break;
		case OPT_CPU:
			rc = parse_long("--cpu", optarg, 0, 4095, &v);
			o->cpu = (int)v;
			break;
		case OPT_OUT:
			o->out = optarg;
			break;
		case OPT_QUICK:
			o->quick = true;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_SEED: {
			char *end;
			errno = 0;
			o->seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || optarg[0] == '-')
				rc = usage_error("--seed", optarg, "expected a whole number");
			break;
		}
		case 'h':
			return -1;
		default:
			return 2; /* getopt printed the message */
		}
		if (rc)
			return rc;
	}
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
