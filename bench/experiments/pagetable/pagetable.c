/* `spawnscope run pagetable`: what each backend pays as the parent grows — in memory of
 * each kind (dup_mmap + copy_page_range copy the touched private pages' PTEs, CLONE_VM
 * skips both) and in mappings (dup_mmap is O(VMAs)) — plus the copy-on-write faults a fork
 * child leaves the parent while it lives. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impls/registry.h"
#include "bench/lib/units.h"

#define MIB (1ULL << 20)

/* Samples per point: the budget keeps `run pagetable` within ≈ 3 minutes by default and
 * 15 s with --quick (fork of a 4 GiB parent costs ≈ 0.1 s per sample on this VM). */
static const struct budget full_budget = {
    .min_samples = 8, .max_samples = 40, .point_seconds = 1.5, .warmup = 1, .block = 4};
static const struct budget quick_budget = {
    .min_samples = 6, .max_samples = 12, .point_seconds = 0.12, .warmup = 1, .block = 3};

struct pt_point {
	const char *axis; /* "size" or "vmas" */
	enum memkind kind;
	uint64_t size;
	uint64_t nvmas, nvmas_requested;
};

/* Its options, and the grid prepare made of them. */
static struct pt_opts pt_opts;
static struct pt_grid pt_grid;

static const struct opt_row pt_rows[] = {
    {OPT_ROW("sizes", "LIST", "parent memory sizes, e.g. 0,64M,1G",
	     "log-spaced 0 … min(4 GiB, MemAvailable/4)", offsetof(struct pt_opts, sizes),
	     opt_list)},
    {OPT_ROW("kinds", "LIST", "memory kinds: anon,thp,untouched,shared,file_ro,dontfork,wipeonfork",
	     "all", offsetof(struct pt_opts, kinds), opt_list)},
    {OPT_ROW("vmas", "LIST", "VMA counts of the mapping axis (0 alone: no such axis)",
	     "1,16,256,4096,65536", offsetof(struct pt_opts, vmas), opt_list)},
    OPT_ROWS_END,
};

struct pt_run {
	struct run_ctx *ctx;
	struct sampler sp;
	const struct target *t;
	const struct budget *b;
	uint64_t postfork_max; /* largest size whose post-fork passes are measured */
};

/* Kinds whose pages the parent can write after fork (file_ro is read-only; a write pass
 * over untouched memory would populate it and change the point). */
static bool kind_writable(enum memkind k)
{
	return k != MK_FILE_RO && k != MK_UNTOUCHED;
}

static json_t *point_params(const struct pt_run *pr, const struct pt_point *pt,
			    const struct lab_mem_info *r)
{
	json_t *p = json_object();
	json_object_set_new(p, "axis", json_string(pt->axis));
	json_object_set_new(p, "kind", json_string(memkind_names[pt->kind]));
	json_object_set_new(p, "size", json_integer((json_int_t)pt->size));
	json_object_set_new(p, "size_mib", json_real((double)pt->size / MIB));
	json_object_set_new(p, "vmas", json_integer((json_int_t)pt->nvmas));
	if (pt->nvmas != pt->nvmas_requested)
		json_object_set_new(p, "vmas_requested",
				    json_integer((json_int_t)pt->nvmas_requested));
	json_object_set_new(p, "map_size", json_integer((json_int_t)r->map_size));
	json_object_set_new(p, "thp_bytes", json_integer((json_int_t)r->thp_bytes));
	json_object_set_new(p, "target", json_string(pr->t->name));
	json_object_set_new(p, "mode", json_string(pr->ctx->o->exec ? "exec" : "noexec"));
	return p;
}

static void csv_name(char *buf, size_t len, const struct pt_point *pt, const char *label)
{
	if (!strcmp(pt->axis, "size"))
		snprintf(buf, len, "pagetable-%s-%llu-%s", memkind_names[pt->kind],
			 (unsigned long long)pt->size, label);
	else
		snprintf(buf, len, "pagetable-vmas-%llu-%s", (unsigned long long)pt->nvmas, label);
}

static void set_stats(json_t *metrics, const char *name, const double *x, size_t n,
		      const char *unit, uint64_t seed)
{
	json_t *st = json_stats_of(x, n, unit, seed);
	if (st)
		json_object_set_new(metrics, name, st);
}

/* The "postfork" entry: the VmPTE of a fork child, and the parent's write pass with and
 * without one alive. */
static int store_postfork(struct pt_run *pr, const struct pt_point *pt, struct lab_mem_info *r)
{
	struct run_ctx *ctx = pr->ctx;
	/* while the child lives each written page is copied: the pass needs size again. A
	 * copy-on-write fault costs ≈ 4-15 µs here (a VM: the host faults the new page in too),
	 * so a pass over 4 GiB takes seconds; sizes above postfork_max are left out. */
	bool room = mem_available_bytes() > pt->size + 256 * MIB;
	bool small = pt->size <= pr->postfork_max;
	bool passes =
	    !strcmp(pt->axis, "size") && pt->size && kind_writable(pt->kind) && room && small;
	struct lab_msg pf;
	int rc = lab_postfork(ctx->lab, "pagetable: post-fork", ctx->o->quick ? 1 : 3,
			      ctx->o->quick ? 0.5 : 2.0, passes, &pf);
	if (rc < 0)
		return rc == -EINTR ? EXP_INTERRUPTED : EXP_FAILED;
	json_t *e = results_add(ctx->res, "pagetable", "postfork", point_params(pr, pt, r));
	json_t *m = json_object_get(e, "metrics");
	uint64_t seed = ctx->seed ^ pt->size ^ pt->nvmas;
	size_t n = pf.u.pf_r.n;
	set_stats(m, "vmpte_kb", pf.u.pf_r.vmpte_kb, n, "kB", seed);
	if (passes) {
		set_stats(m, "write_no_child_ns", pf.u.pf_r.no_child_ns, n, "ns", seed);
		set_stats(m, "write_child_alive_ns", pf.u.pf_r.child_alive_ns, n, "ns", seed);
		set_stats(m, "write_after_exit_ns", pf.u.pf_r.after_exit_ns, n, "ns", seed);
		set_stats(m, "post_fork_ns", pf.u.pf_r.post_fork_ns, n, "ns", seed);
		set_stats(m, "post_exit_ns", pf.u.pf_r.post_exit_ns, n, "ns", seed);
	} else if (!strcmp(pt->axis, "size") && pt->size) {
		json_object_set_new(
		    e, "post_fork_skipped",
		    json_string(!kind_writable(pt->kind)
				    ? "this kind cannot be written without changing it"
				    : "the memory budget leaves no room for the copies"));
	}
	return EXP_OK;
}

static void store_arms(struct pt_run *pr, const struct pt_point *pt, const struct lab_mem_info *r,
		       struct arm *arms, size_t n_ok, size_t n_all, const struct sampler_plan *plan,
		       int *status)
{
	struct run_ctx *ctx = pr->ctx;
	for (size_t i = 0; i < n_all; i++) {
		char csv[192];
		json_t *e =
		    results_add(ctx->res, "pagetable", arms[i].label, point_params(pr, pt, r));
		if (i >= n_ok) {
			json_object_set_new(e, "skipped", json_string("the pilot spawn failed"));
			continue;
		}
		json_object_set_new(
		    e, "plan",
		    json_pack("{s:I, s:I, s:I}", "samples", (json_int_t)plan->samples, "warmup",
			      (json_int_t)plan->warmup, "block", (json_int_t)plan->block));
		csv_name(csv, sizeof csv, pt, arms[i].label);
		if (arm_store(ctx, &arms[i], e, csv))
			*status = EXP_FAILED;
		if (arms[i].failures)
			fprintf(stderr,
				"spawnscope: pagetable: %s: %zu of %zu samples failed (%s)\n",
				arms[i].label, arms[i].failures, arms[i].n,
				sample_error_str(arms[i].first_err));
	}
}

static int sample_point(struct pt_run *pr, const struct pt_point *pt, struct lab_mem_info *r)
{
	struct run_ctx *ctx = pr->ctx;
	size_t n = ctx->n_backends, n_ok = n;
	struct arm *arms = calloc(n ? n : 1, sizeof *arms);
	int status = EXP_OK;
	if (!arms)
		return EXP_FAILED;
	size_t cap = budget_capacity(pr->b, ctx->o);
	for (size_t i = 0; i < n && status == EXP_OK; i++) {
		arms[i].be = ctx->backends[i];
		arms[i].probes_attached = ctx->probes ? 0 : -1; /* headline arms: no probes */
		arms[i].req.share =
		    (ctx->backends[i]->caps & SPAWN_CAP_HONOURS_SHARE) ? ctx->o->share : 0;
		snprintf(arms[i].label, sizeof arms[i].label, "%s", ctx->backends[i]->name);
		if (sampler_prepare(&pr->sp, &arms[i], pr->t, ctx->o->exec, cap))
			status = EXP_FAILED;
	}
	char what[128], b[32];
	if (!strcmp(pt->axis, "size"))
		snprintf(what, sizeof what, "pagetable %s %s", memkind_names[pt->kind],
			 fmt_bytes(pt->size, b, sizeof b));
	else
		snprintf(what, sizeof what, "pagetable %llu VMAs", (unsigned long long)pt->nvmas);
	pr->sp.what = what;
	struct sampler_plan plan;
	if (status == EXP_OK)
		status = budget_plan(&pr->sp, arms, &n_ok, pr->b, ctx->o,
				     ctx->seed ^ pt->size ^ (pt->nvmas << 40) ^ (uint64_t)pt->kind,
				     &plan);
	if (status == EXP_OK) {
		status = sampler_run(&pr->sp, arms, n_ok, &plan);
		if (status != EXP_INTERRUPTED)
			store_arms(pr, pt, r, arms, n_ok, n, &plan, &status);
	}
	pr->sp.what = NULL;
	for (size_t i = 0; i < n; i++)
		arm_free(&arms[i]);
	free(arms);
	return status;
}

static int run_point(struct pt_run *pr, const struct pt_point *pt)
{
	struct run_ctx *ctx = pr->ctx;
	uint64_t avail = mem_available_bytes();
	if (pt->size > avail) {
		char a[32], b[32];
		fprintf(stderr,
			"spawnscope: pagetable: skipping %s memory of %s: the memory budget is "
			"now %s\n",
			memkind_names[pt->kind], fmt_bytes(pt->size, a, sizeof a),
			fmt_bytes(avail, b, sizeof b));
		return EXP_OK;
	}
	struct lab_mem_info r;
	char what[96], b[32];
	snprintf(what, sizeof what, "pagetable: %s memory of %s in %llu VMAs",
		 memkind_names[pt->kind], fmt_bytes(pt->size, b, sizeof b),
		 (unsigned long long)pt->nvmas);
	if (lab_hold_mem(ctx->lab, what, pt->kind, pt->size, (unsigned)pt->nvmas, &r) < 0)
		return EXP_FAILED;
	int status = sample_point(pr, pt, &r);
	if (status == EXP_OK || status == EXP_FAILED) {
		int pf = store_postfork(pr, pt, &r);
		if (pf != EXP_OK)
			status = pf;
	}
	if (lab_release_mem(ctx->lab) && status == EXP_OK)
		status = EXP_FAILED;
	results_flush(ctx->res, false);
	return status;
}

static int pt_prepare(const struct opts *o)
{
	pt_grid_free(&pt_grid);
	return pt_grid_parse(&pt_opts, o->quick, &pt_grid, o->quiet);
}

/* Every point of both axes, in a seeded random order: drift on the machine (other load,
 * page-cache and allocator state) then spreads over all sizes instead of tilting the fit. */
static int run_grid(struct pt_run *pr, const struct pt_grid *g)
{
	size_t n = g->n_kinds * g->n_sizes + g->n_vmas, k = 0;
	struct pt_point *pts = calloc(n ? n : 1, sizeof *pts);
	size_t *order = calloc(n ? n : 1, sizeof *order);
	int status = EXP_OK;
	if (!pts || !order) {
		free(pts);
		free(order);
		return EXP_FAILED;
	}
	for (size_t i = 0; i < g->n_kinds; i++)
		for (size_t j = 0; j < g->n_sizes; j++)
			pts[k++] =
			    (struct pt_point){"size", (enum memkind)g->kinds[i], g->sizes[j], 1, 1};
	for (size_t i = 0; i < g->n_vmas; i++)
		pts[k++] = (struct pt_point){"vmas", MK_ANON, g->vma_size, g->vmas[i],
					     g->vmas_requested[i]};
	struct rng rng;
	rng_seed(&rng, pr->ctx->seed ^ 0x70a9e7ab1eULL);
	rng_permutation(&rng, order, n);
	for (size_t i = 0; i < n; i++) {
		if (g_interrupted) {
			status = EXP_INTERRUPTED;
			break;
		}
		int rc = run_point(pr, &pts[order[i]]);
		if (rc == EXP_INTERRUPTED) {
			status = rc;
			break;
		}
		if (rc && status == EXP_OK)
			status = rc;
	}
	free(pts);
	free(order);
	return status;
}

static int pt_run(struct run_ctx *ctx)
{
	struct pt_run pr = {.ctx = ctx,
			    .t = ctx->target,
			    .b = ctx->o->quick ? &quick_budget : &full_budget,
			    .postfork_max = ctx->o->quick ? 128 * MIB : 1024 * MIB};
	run_sampler_open(ctx, &pr.sp);
	int status = run_grid(&pr, &pt_grid);
	sampler_close(&pr.sp);
	pt_grid_free(&pt_grid);
	/* fits from whatever finished, interrupted or not */
	pt_add_fits(ctx);
	results_flush(ctx->res, false);
	return g_interrupted ? EXP_INTERRUPTED : status;
}

static const struct exp_plot pagetable_plots[] = {
    {.name = "pagetable", .data = "points-pagetable.csv"},
    {.name = NULL},
};

static const struct experiment pagetable_experiment = {
    .name = "pagetable",
    .summary = "fork's copy cost against parent memory (per kind, THP) and VMAs; post-fork "
	       "copy-on-write",
    .order = 20,
    .options = pt_rows,
    .opts = &pt_opts,
    .opts_size = sizeof(pt_opts),
    .prepare = pt_prepare,
    .run = pt_run,
    .write_data = pt_write_data,
    .summarize = pt_summarize,
    .plots = pagetable_plots,
};
EXPERIMENT_REGISTER(pagetable_experiment)
