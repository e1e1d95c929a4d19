/* The spawn-latency experiment: t_return, t_first, t_reaped of every backend, interleaved,
 * at one or more parent RSS sizes; with probes, the kernel phases of each spawn. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/core/experiment.h"
#include "bench/core/membudget.h"
#include "bench/core/sampler.h"
#include "bench/lib/rng.h"
#include "bench/lib/units.h"
#include "bench/report/report_plot.h"
#include "impls/clone.h"
#include "impls/registry.h"
#include "internal.h"
#include "lab/state/memkind.h"
#include "vs_reference.h"

#define GIB (1ull << 30)
#define MIB (1ull << 20)
#define MAX_RSS_POINTS 8

/* Its options (zero: the defaults). */
static struct latency_opts {
	uint64_t parent_rss[MAX_RSS_POINTS]; /* --parent-rss: one point per size */
	size_t n_parent_rss;		     /* 0: not given */
	const char *reference;		     /* --reference; NULL: vfork */
} lat_opts;

/* What prepare decided: the parent sizes, one point each. */
static struct {
	uint64_t rss[MAX_RSS_POINTS];
	size_t n_rss;
} lat_plan;

static int parse_parent_rss(const struct opt_row *r, const char *val, void *dest)
{
	struct latency_opts *lo = (struct latency_opts *)((char *)dest - r->offset);
	const char *list, *bad;
	uint64_t *v64;
	size_t n;
	int rc = opt_list(r, val, &list);

	if (rc)
		return rc;
	if (parse_size_list(val, &v64, &n, &bad))
		return opts_bad_value("--parent-rss", bad ? bad : val,
				      "expected sizes like 0,256M,1G");
	if (n > MAX_RSS_POINTS) {
		rc = opts_bad_value("--parent-rss", val, "at most 8 sizes");
	} else {
		memcpy(lo->parent_rss, v64, n * sizeof(*v64));
		lo->n_parent_rss = n;
	}
	free(v64);
	return rc;
}

/* A plug-in's name is known only once --backends loads it: an unknown name is reported when
 * the latency point has no such arm. */
static int parse_reference(const struct opt_row *r, const char *val, void *dest)
{
	(void)r;
	if (!*val)
		return opts_bad_value("--reference", val, "expected a backend name");
	*(const char **)dest = val;
	return 0;
}

static const struct opt_row latency_rows[] = {
    {OPT_ROW("parent-rss", "LIST", "touched anonymous memory held while measuring, e.g. 0,1G",
	     "0; run all: 0,1G when MemAvailable exceeds 4 GiB",
	     offsetof(struct latency_opts, parent_rss), parse_parent_rss)},
    {OPT_ROW("reference", "NAME", "the backend the others are compared with, round by round",
	     "vfork", offsetof(struct latency_opts, reference), parse_reference)},
    OPT_ROWS_END,
};

/* Samples per arm: a fork of a big parent costs ≈ 30 µs per MiB here (REFERENCE.md), so
 * large RSS points take fewer samples to keep `run all` within its time budget. */
static size_t default_samples(const struct opts *o, uint64_t rss)
{
	/* least: 40 rounds of 10 (the block bootstrap's minimum, docs/statistics.md) */
	size_t full = o->quick ? 200 : 2000, least = o->quick ? 40 : 400;
	double scaled;

	if (o->samples > 0)
		return (size_t)o->samples;
	if (rss <= 64 * MIB)
		return full;
	scaled = (double)full * (double)(64 * MIB) / (double)rss;
	return scaled < (double)least ? least : (size_t)scaled;
}

static size_t default_warmup(const struct opts *o, size_t samples)
{
	size_t w = samples / 10;

	if (o->warmup >= 0)
		return (size_t)o->warmup;
	if (w > (o->quick ? 10u : 50u))
		w = o->quick ? 10 : 50;
	return w;
}

/* --parent-rss, or the default: 0 alone, and under `run all` 0 and 1 GiB (the point where
 * fork's page-table copy dominates) when MemAvailable leaves room. */
static size_t rss_points(const struct opts *o, uint64_t *v)
{
	if (lat_opts.n_parent_rss) {
		memcpy(v, lat_opts.parent_rss, lat_opts.n_parent_rss * sizeof(*v));
		return lat_opts.n_parent_rss;
	}
	v[0] = 0;
	if (!strcmp(o->experiment, "all") && !o->quick && mem_available_bytes() > 4 * GIB) {
		v[1] = GIB;
		return 2;
	}
	return 1;
}

static void csv_name(char *buf, size_t len, const char *label, uint64_t rss)
{
	size_t off = (size_t)snprintf(buf, len, "latency-");

	for (const char *p = label; *p && off + 1 < len; p++)
		buf[off++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
					    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'
					? *p
					: '_');
	buf[off] = 0;
	if (rss)
		snprintf(buf + off, len - off, "-rss%lluM", (unsigned long long)(rss / MIB));
}

static json_t *point_params(const struct run_ctx *ctx, const struct arm *a, const struct target *t,
			    uint64_t rss)
{
	json_t *p = json_object();

	json_object_set_new(p, "target", json_string(t->name));
	json_object_set_new(p, "mode", json_string(ctx->o->exec ? "exec" : "noexec"));
	json_object_set_new(p, "parent_rss", json_integer((json_int_t)rss));
	if (a->be->caps & SPAWN_CAP_HONOURS_SHARE)
		json_object_set_new(
		    p, "share",
		    json_string(share_format(a->req.share ? a->req.share : SHARE_DEFAULT)));
	if (a->probes_attached >= 0)
		json_object_set_new(p, "probes", json_string(a->probes_attached ? "on" : "off"));
	return p;
}

/* Record a backend that this point cannot measure, with the reason, so the summary says so. */
static void add_skipped(struct run_ctx *ctx, const struct spawn_backend *be, uint64_t rss,
			const char *why)
{
	json_t *p = json_object(), *e;

	json_object_set_new(p, "parent_rss", json_integer((json_int_t)rss));
	json_object_set_new(p, "mode", json_string(ctx->o->exec ? "exec" : "noexec"));
	e = results_add(ctx->res, "latency", be->name, p);
	json_object_set_new(e, "skipped", json_string(why));
}

/* One arm per backend; with probes, a twin "NAME[probes]" with the probes attached, in the
 * same interleaved blocks. The syscall hooks put every syscall of the machine on the kernel's
 * slow tracing path, so the plain arm (probes detached) is the headline figure and the pair
 * gives the probes' own cost in every run. */
static size_t build_arms(struct run_ctx *ctx, struct arm *arms, uint64_t rss)
{
	bool twins = ctx->probes != NULL;
	size_t n = 0;

	for (size_t i = 0; i < ctx->n_backends; i++) {
		const struct spawn_backend *be = ctx->backends[i];

		if (!ctx->o->exec && !(be->caps & SPAWN_CAP_NOEXEC)) {
			add_skipped(ctx, be, rss,
				    "the primitive cannot create a child that does "
				    "not exec (noexec mode)");
			continue;
		}
		for (int probed = 0; probed <= (twins ? 1 : 0); probed++) {
			struct arm *a = &arms[n++];

			memset(a, 0, sizeof(*a));
			a->be = be;
			a->req.share = (be->caps & SPAWN_CAP_HONOURS_SHARE) ? ctx->o->share : 0;
			a->probes_attached = twins ? probed : -1;
			snprintf(a->label, sizeof(a->label), "%s%s", be->name,
				 probed ? "[probes]" : "");
		}
	}
	return n;
}

static int run_point(struct run_ctx *ctx, struct sampler *sp, const struct target *t, uint64_t rss)
{
	size_t max_arms = ctx->n_backends * 2;
	struct arm *arms = calloc(max_arms ? max_arms : 1, sizeof(*arms));
	json_t **entries = calloc(max_arms ? max_arms : 1, sizeof(*entries));
	struct sampler_plan plan;
	struct lab_mem_info mem;
	char what[96], b[32];
	size_t n;
	int rc, status = EXP_OK;

	if (!arms || !entries) {
		free(arms);
		free(entries);
		return EXP_FAILED;
	}
	memset(&mem, 0, sizeof(mem));
	snprintf(what, sizeof(what), "latency: parent RSS %s", fmt_bytes(rss, b, sizeof(b)));
	rc = lab_hold_mem(ctx->lab, what, MK_ANON, rss, 1, &mem);
	if (rc) {
		free(arms);
		free(entries);
		return EXP_FAILED;
	}
	n = build_arms(ctx, arms, rss);
	/* 10 (quick: 5) per block: 200 rounds at the default 2,000 samples, 40 at the least */
	plan.block = ctx->o->block > 0 ? (size_t)ctx->o->block : (ctx->o->quick ? 5 : 10);
	plan.samples = default_samples(ctx->o, rss);
	if (ctx->o->samples < 0) /* whole rounds: every block as long as the others */
		plan.samples = (plan.samples + plan.block - 1) / plan.block * plan.block;
	plan.warmup = default_warmup(ctx->o, plan.samples);
	plan.seed = ctx->seed ^ rss;
	for (size_t i = 0; i < n && status == EXP_OK; i++)
		if (sampler_prepare(sp, &arms[i], t, ctx->o->exec, plan.samples))
			status = EXP_FAILED;
	if (status == EXP_OK && n) {
		snprintf(what, sizeof(what), "latency (parent RSS %s)",
			 fmt_bytes(rss, b, sizeof(b)));
		sp->what = what;
		status = sampler_run(sp, arms, n, &plan);
		for (size_t i = 0; i < n; i++) {
			char csv[160];

			entries[i] = results_add(ctx->res, "latency", arms[i].label,
						 point_params(ctx, &arms[i], t, rss));
			json_object_set_new(entries[i], "plan",
					    json_pack("{s:I, s:I, s:I}", "samples",
						      (json_int_t)plan.samples, "warmup",
						      (json_int_t)plan.warmup, "block",
						      (json_int_t)plan.block));
			if (rss)
				json_object_set_new(entries[i], "parent_rss_thp_bytes",
						    json_integer((json_int_t)mem.thp_bytes));
			csv_name(csv, sizeof(csv), arms[i].label, rss);
			if (arm_store(ctx, &arms[i], entries[i], csv))
				status = EXP_FAILED;
			if (arms[i].failures)
				fprintf(stderr,
					"spawnscope: latency: %s: %zu of %zu samples failed "
					"(%s)\n",
					arms[i].label, arms[i].failures, arms[i].n,
					sample_error_str(arms[i].first_err));
		}
		latency_store_paired(ctx, lat_opts.reference ? lat_opts.reference : "vfork",
				     lat_opts.reference != NULL, entries, arms, n, rss);
	}
	for (size_t i = 0; i < n; i++)
		arm_free(&arms[i]);
	if (lab_release_mem(ctx->lab) && status == EXP_OK)
		status = EXP_FAILED;
	free(arms);
	free(entries);
	results_flush(ctx->res, false);
	return status;
}

/* Refuse before allocating: each --parent-rss must fit in the memory budget (MemAvailable
 * or the memory cgroup's room, the tighter) with a margin, and an unknown budget is refused:
 * an OOM kill mid-run would lose the run. */
static int check_parent_rss(void)
{
	struct membudget b;
	char b1[32], what[320];

	membudget_read(&b);
	for (size_t i = 0; i < lat_opts.n_parent_rss; i++) {
		uint64_t rss = lat_opts.parent_rss[i];
		if (!rss)
			continue;
		if (b.bytes && rss + (256ull << 20) <= b.bytes)
			continue;
		fprintf(stderr, "spawnscope: --parent-rss %s: %s (%s%s)\n",
			fmt_bytes(rss, b1, sizeof(b1)),
			b.bytes ? "more than the memory available"
				: "cannot tell how much memory is available",
			membudget_describe(&b, what, sizeof(what)),
			b.bytes ? ", 256 MiB kept free" : "");
		return EXP_USAGE;
	}
	return 0;
}

static int latency_prepare(const struct opts *o)
{
	int rc = check_parent_rss();

	if (!rc)
		lat_plan.n_rss = rss_points(o, lat_plan.rss);
	return rc;
}

static int latency_run(struct run_ctx *ctx)
{
	struct sampler sp;
	const uint64_t *rss = lat_plan.rss;
	size_t n_rss = lat_plan.n_rss;
	int rc, status = EXP_OK;

	run_sampler_open(ctx, &sp);
	/* the parent sizes in a seeded random order, as every sweep: no size always runs first */
	size_t order[MAX_RSS_POINTS];
	struct rng rng;
	rng_seed(&rng, ctx->seed ^ 0x1a7e9c7ULL);
	rng_permutation(&rng, order, n_rss);
	for (size_t k = 0; k < n_rss && !g_interrupted; k++) {
		rc = run_point(ctx, &sp, ctx->target, rss[order[k]]);
		if (rc == EXP_INTERRUPTED) {
			status = rc;
			break;
		}
		if (rc && status == EXP_OK)
			status = rc;
	}
	sampler_close(&sp);
	return g_interrupted ? EXP_INTERRUPTED : status;
}

/* latency.gp reads the samples CSVs through latency-series.gp; phases.gp exists only with
 * probes. */
static const struct exp_plot latency_plots[] = {
    {.name = "latency",
     .data = "latency-series.gp",
     .series = plot_write_latency_series,
     .needs = "samples/latency-*.csv"},
    {.name = "phases", .data = "phases.csv", .optional = true},
    {.name = NULL},
};

static const struct experiment latency_experiment = {
    .name = "latency",
    .summary = "spawn latency of every backend: call to return, first instruction, reaped",
    .order = 10,
    .options = latency_rows,
    .opts = &lat_opts,
    .opts_size = sizeof(lat_opts),
    .prepare = latency_prepare,
    .run = latency_run,
    .write_data = latency_write_data,
    .summarize = latency_summarize,
    .plots = latency_plots,
};
EXPERIMENT_REGISTER(latency_experiment)
