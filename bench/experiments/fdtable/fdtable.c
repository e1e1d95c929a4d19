/* `spawnscope run fdtable`: what each backend pays per open fd in the parent. fork's
 * copy_files -> dup_fd copies the table and takes a reference on every open file; the
 * child's exit (or exec's do_close_on_exec for CLOEXEC fds) drops them again; CLONE_FILES
 * shares the table until exec's unshare_files copies it; close_range in the child undoes
 * the copy early; efork starts from an empty table. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impls/registry.h"
#include "impls/targets/stamp_proto.h"
#include "bench/lib/units.h"

const char *const fd_variant_names[FV__N + 1] = {
    [FV_INHERIT] = "inherit",	  [FV_CLOEXEC] = "cloexec", [FV_FILES] = "files",
    [FV_CLOSEFROM] = "closefrom", [FV_EFORK] = "efork",	    [FV__N] = NULL,
};

/* Each point runs both groups (inheritable and CLOEXEC fds) interleaved; the budgets keep
 * the whole experiment within ≈ 1.5 minutes by default and 15 s with --quick. */
static const struct budget full_budget = {
    .min_samples = 20, .max_samples = 500, .point_seconds = 8.0, .warmup = 3, .block = 10};
static const struct budget quick_budget = {
    .min_samples = 10, .max_samples = 30, .point_seconds = 1.8, .warmup = 1, .block = 5};

struct fd_grid {
	uint64_t *fds, *requested;
	size_t n_fds;
	bool variant[FV__N];
};

struct fd_run {
	struct run_ctx *ctx;
	struct sampler sp;
	const struct target *t;
	const struct budget *b;
	struct fd_grid *g;
};

/* Its options (zero: the defaults), and the grid prepare made of them. */
static struct fd_opts {
	const char *fds;      /* --fds: open fd counts */
	const char *variants; /* --variants */
} fd_opts;
static struct fd_grid fd_grid;

static const struct opt_row fd_rows[] = {
    {OPT_ROW("fds", "LIST", "open fds in the parent, one point each",
	     "log-spaced 0 … 65536 (quick: 16384)", offsetof(struct fd_opts, fds), opt_list)},
    {OPT_ROW("variants", "LIST", "inherit,cloexec,files,closefrom,efork", "all",
	     offsetof(struct fd_opts, variants), opt_list)},
    OPT_ROWS_END,
};

static void grid_free(struct fd_grid *g)
{
	free(g->fds);
	free(g->requested);
	memset(g, 0, sizeof *g);
}

static int grid_parse(const struct fd_opts *fo, bool quick, struct fd_grid *g)
{
	const char *bad;
	int rc;
	memset(g, 0, sizeof *g);
	if (fo->fds) {
		rc = parse_u64_list(fo->fds, &g->fds, &g->n_fds, &bad);
		if (rc) {
			fprintf(stderr, "spawnscope: fdtable: --fds: bad value '%s': %s\n",
				bad ? bad : "", strerror(-rc));
			return EXP_USAGE;
		}
	} else {
		/* log-spaced 0 … 65,536 (0 … 16,384 with --quick) */
		size_t n = quick ? 4 : 6;
		g->fds = calloc(n, sizeof *g->fds);
		if (!g->fds)
			return EXP_FAILED;
		g->n_fds = log_space(0, quick ? 16384 : 65536, n, 1, g->fds);
	}
	g->requested = calloc(g->n_fds ? g->n_fds : 1, sizeof *g->requested);
	if (!g->requested) {
		grid_free(g);
		return EXP_FAILED;
	}
	memcpy(g->requested, g->fds, g->n_fds * sizeof *g->fds);
	if (fo->variants) {
		int *idx;
		size_t n;
		rc = parse_name_list(fo->variants, fd_variant_names, &idx, &n, &bad);
		if (rc) {
			fprintf(stderr,
				"spawnscope: fdtable: --variants: bad value '%s': %s (valid: %s)\n",
				bad ? bad : "", strerror(-rc), names_joined(fd_variant_names));
			grid_free(g);
			return EXP_USAGE;
		}
		for (size_t i = 0; i < n; i++)
			g->variant[idx[i]] = true;
		free(idx);
	} else {
		for (int v = 0; v < FV__N; v++)
			g->variant[v] = true;
	}
	return 0;
}

static int fd_prepare(const struct opts *o)
{
	grid_free(&fd_grid);
	return grid_parse(&fd_opts, o->quick, &fd_grid);
}

/* ---- arms ---- */

static bool selected(const struct run_ctx *ctx, const struct spawn_backend *be)
{
	for (size_t i = 0; i < ctx->n_backends; i++)
		if (ctx->backends[i] == be)
			return true;
	return false;
}

static bool blank_fds(const struct spawn_backend *be)
{
	return be->caps & SPAWN_CAP_BLANK_FDS;
}

static struct arm *add_arm(struct arm *arms, size_t *n, const struct spawn_backend *be,
			   const char *variant)
{
	struct arm *a = &arms[(*n)++];
	memset(a, 0, sizeof *a);
	a->be = be;
	a->probes_attached = -1;
	snprintf(a->label, sizeof a->label, "%s[%s]", be->name, variant);
	return a;
}

/* The variants measured with the parent's fds inheritable (cloexec false) or CLOEXEC. */
static size_t build_arms(struct fd_run *fr, bool cloexec, struct arm *arms)
{
	struct run_ctx *ctx = fr->ctx;
	const bool *v = fr->g->variant;
	size_t n = 0;
	for (size_t i = 0; i < ctx->n_backends; i++) {
		const struct spawn_backend *be = ctx->backends[i];
		if (blank_fds(be)) {
			/* efork and kin have no table to copy: measured once, as "blank" */
			if (!cloexec && (v[FV_INHERIT] || v[FV_EFORK]))
				add_arm(arms, &n, be, "blank");
			continue;
		}
		if (v[cloexec ? FV_CLOEXEC : FV_INHERIT])
			add_arm(arms, &n, be, cloexec ? "cloexec" : "inherit");
	}
	if (cloexec)
		return n;
	/* the first selected backend that lets the caller choose what is shared (clone) */
	const struct spawn_backend *be = NULL;
	for (size_t i = 0; v[FV_FILES] && !be && i < ctx->n_backends; i++)
		if (ctx->backends[i]->caps & SPAWN_CAP_HONOURS_SHARE)
			be = ctx->backends[i];
	if (be)
		add_arm(arms, &n, be, "files")->req.share = SHARE_FILES | SHARE_VM | SHARE_VFORK;
	static const char *const closers[] = {"fork-exec", "posix-spawn"};
	for (size_t i = 0; v[FV_CLOSEFROM] && i < sizeof closers / sizeof closers[0]; i++) {
		be = backend_find(closers[i]);
		if (!be || !selected(ctx, be))
			continue;
		struct arm *a = add_arm(arms, &n, be, "closefrom");
		/* everything above the stamp fd: close_range(STAMP_FD + 1, ~0U) in the child,
		 * posix_spawn_file_actions_addclosefrom_np in posix-spawn */
		a->extra_ops[0] =
		    (struct spawn_fd_op){.kind = SPAWN_FD_CLOSE_FROM, .fd = STAMP_FD + 1};
		a->n_extra_ops = 1;
	}
	/* a backend whose child starts without the parent's fds (efork) when none was selected
	 * and one works, even if --backends left it out */
	bool have_blank = false;
	for (size_t i = 0; i < ctx->n_backends; i++)
		have_blank |= blank_fds(ctx->backends[i]);
	for (size_t i = 0; v[FV_EFORK] && !have_blank && i < backend_count(); i++) {
		char why[256];
		be = backend_at(i);
		if (blank_fds(be) && be->available(why, sizeof why) == 0) {
			add_arm(arms, &n, be, "blank");
			break;
		}
	}
	return n;
}

static json_t *point_params(const struct fd_run *fr, const struct arm *a, size_t i_fds,
			    bool cloexec)
{
	json_t *p = json_object();
	const char *variant = strchr(a->label, '[') + 1;
	json_object_set_new(p, "fds", json_integer((json_int_t)fr->g->fds[i_fds]));
	if (fr->g->fds[i_fds] != fr->g->requested[i_fds])
		json_object_set_new(p, "fds_requested",
				    json_integer((json_int_t)fr->g->requested[i_fds]));
	json_object_set_new(p, "variant", json_stringn(variant, strlen(variant) - 1));
	json_object_set_new(p, "backend_name", json_string(a->be->name));
	json_object_set_new(p, "cloexec", json_boolean(cloexec));
	if (a->req.share)
		json_object_set_new(p, "share", json_integer(a->req.share));
	json_object_set_new(p, "target", json_string(fr->t->name));
	json_object_set_new(p, "mode", json_string(fr->ctx->o->exec ? "exec" : "noexec"));
	return p;
}

static void csv_name(char *buf, size_t len, uint64_t fds, const char *label)
{
	int off = snprintf(buf, len, "fdtable-%llu-", (unsigned long long)fds);
	for (size_t i = 0; label[i] && (size_t)off + 1 < len; i++)
		buf[off++] = label[i] == '[' || label[i] == ']' ? '-' : label[i];
	while (off > 0 && buf[off - 1] == '-')
		off--;
	buf[off] = 0;
}

/* One point: the lab holds the point's fds; the inheritable and CLOEXEC groups run in the
 * same interleaved rounds (the lab flips FD_CLOEXEC on the held fds before each block of
 * an arm of the other group), so the comparison between them is paired by round. */
static int run_point(struct fd_run *fr, size_t i_fds)
{
	struct run_ctx *ctx = fr->ctx;
	struct arm *arms = calloc(2 * ctx->n_backends + 4, sizeof *arms);
	char what[96];
	int status = EXP_OK;

	if (!arms)
		return EXP_FAILED;
	snprintf(what, sizeof what, "fdtable %llu fds", (unsigned long long)fr->g->fds[i_fds]);
	size_t n_inherit = build_arms(fr, false, arms);
	size_t n = n_inherit + build_arms(fr, true, arms + n_inherit), n_ok = n;
	size_t cap = budget_capacity(fr->b, ctx->o);
	for (size_t i = 0; i < n; i++) {
		arms[i].parent_fds = i < n_inherit ? ARM_FDS_INHERIT : ARM_FDS_CLOEXEC;
		arms[i].probes_attached = ctx->probes ? 0 : -1; /* headline arms: no probes */
		if (status == EXP_OK &&
		    sampler_prepare(&fr->sp, &arms[i], fr->t, ctx->o->exec, cap))
			status = EXP_FAILED;
	}
	if (status == EXP_OK && lab_hold_fds(ctx->lab, what, fr->g->fds[i_fds], false))
		status = EXP_FAILED;
	fr->sp.what = what;
	struct sampler_plan plan;
	if (status == EXP_OK && n)
		status = budget_plan(&fr->sp, arms, &n_ok, fr->b, ctx->o,
				     ctx->seed ^ (fr->g->fds[i_fds] << 1), &plan);
	if (status == EXP_OK && n) {
		status = sampler_run(&fr->sp, arms, n_ok, &plan);
		for (size_t i = 0; i < n && status != EXP_INTERRUPTED; i++) {
			char csv[160];
			bool cloexec = arms[i].parent_fds == ARM_FDS_CLOEXEC;
			json_t *e = results_add(ctx->res, "fdtable", arms[i].label,
						point_params(fr, &arms[i], i_fds, cloexec));
			if (i >= n_ok) {
				json_object_set_new(e, "skipped",
						    json_string("the pilot spawn failed"));
				continue;
			}
			json_object_set_new(e, "plan",
					    json_pack("{s:I, s:I, s:I}", "samples",
						      (json_int_t)plan.samples, "warmup",
						      (json_int_t)plan.warmup, "block",
						      (json_int_t)plan.block));
			csv_name(csv, sizeof csv, fr->g->fds[i_fds], arms[i].label);
			if (arm_store(ctx, &arms[i], e, csv))
				status = EXP_FAILED;
			if (arms[i].failures)
				fprintf(stderr,
					"spawnscope: fdtable: %s: %zu of %zu samples failed (%s)\n",
					arms[i].label, arms[i].failures, arms[i].n,
					sample_error_str(arms[i].first_err));
		}
	}
	fr->sp.what = NULL;
	if (lab_release_fds(ctx->lab, what) && status == EXP_OK)
		status = EXP_FAILED;
	for (size_t i = 0; i < n; i++)
		arm_free(&arms[i]);
	free(arms);
	results_flush(ctx->res, false);
	return status;
}

/* Clamp the points RLIMIT_NOFILE's hard limit cannot hold (the lab raises its soft limit
 * for each point and restores it after). */
static int fit_to_limit(struct fd_run *fr)
{
	uint64_t want = 0, room, hard;
	for (size_t i = 0; i < fr->g->n_fds; i++)
		if (fr->g->fds[i] > want)
			want = fr->g->fds[i];
	if (lab_fds_room(fr->ctx->lab, "fdtable: RLIMIT_NOFILE", want, &room, &hard))
		return EXP_FAILED;
	for (size_t i = 0; i < fr->g->n_fds; i++)
		if (fr->g->fds[i] > room) {
			if (!fr->ctx->o->quiet)
				fprintf(stderr,
					"spawnscope: fdtable: RLIMIT_NOFILE's hard limit (%llu) "
					"leaves room for %llu fds: %llu clamped to %llu\n",
					(unsigned long long)hard, (unsigned long long)room,
					(unsigned long long)fr->g->fds[i],
					(unsigned long long)room);
			fr->g->fds[i] = room;
		}
	return EXP_OK;
}

static int fd_run(struct run_ctx *ctx)
{
	struct fd_run fr = {.ctx = ctx,
			    .t = ctx->target,
			    .b = ctx->o->quick ? &quick_budget : &full_budget,
			    .g = &fd_grid};
	int rc;
	run_sampler_open(ctx, &fr.sp);
	int status = fit_to_limit(&fr);
	/* the points in a seeded random order: drift on the machine spreads over every size
	 * instead of tilting the fit, and no size always runs first */
	size_t *order = calloc(fr.g->n_fds ? fr.g->n_fds : 1, sizeof *order);
	if (!order)
		status = EXP_FAILED;
	if (status == EXP_OK) {
		struct rng rng;
		rng_seed(&rng, ctx->seed ^ 0xfd7ab1eULL);
		rng_permutation(&rng, order, fr.g->n_fds);
	}
	for (size_t k = 0; status != EXP_FAILED && order && k < fr.g->n_fds; k++) {
		if (g_interrupted) {
			status = EXP_INTERRUPTED;
			break;
		}
		rc = run_point(&fr, order[k]);
		if (rc == EXP_INTERRUPTED) {
			status = rc;
			break;
		}
		if (rc && status == EXP_OK)
			status = rc;
	}
	free(order);
	sampler_close(&fr.sp);
	grid_free(&fd_grid);
	fd_add_fits(ctx);
	results_flush(ctx->res, false);
	return g_interrupted ? EXP_INTERRUPTED : status;
}

static const struct exp_plot fdtable_plots[] = {
    {.name = "fdtable", .data = "points-fdtable.csv"},
    {.name = NULL},
};

static const struct experiment fdtable_experiment = {
    .name = "fdtable",
    .summary = "fork's copy cost against open fds: inheritable, CLOEXEC, CLONE_FILES, "
	       "close_range, efork",
    .order = 30,
    .options = fd_rows,
    .opts = &fd_opts,
    .opts_size = sizeof(fd_opts),
    .prepare = fd_prepare,
    .run = fd_run,
    .write_data = fd_write_data,
    .summarize = fd_summarize,
    .plots = fdtable_plots,
};
EXPERIMENT_REGISTER(fdtable_experiment)
