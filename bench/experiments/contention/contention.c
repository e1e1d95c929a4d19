/*
 * The contention experiment: what sharing an fd table, an address space or limits costs
 * workers that run the same operation at the same time.
 *
 * Workers are made with the project's clone primitive (impls/clone.h) so the sharing is
 * explicit: threads (CLONE_THREAD and everything with it, rlimits included), files
 * (CLONE_FILES only), vm (CLONE_VM only), processes (nothing). Each point releases N workers
 * from a futex barrier, runs them for --duration seconds, stops them on a shared flag and
 * reaps them all. Spawn-under-load points time the spawn backends with the sampler while
 * N-1 workers fault memory or churn the fd table.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "bench/lib/units.h"

#define DEFAULT_DURATION 1.0 /* s per worker point */
#define QUICK_DURATION 0.08
#define WORKER_BUDGET 100.0 /* s for the worker points of a default run */
#define QUICK_WORKER_BUDGET 4.0
#define DURATION_MIN_S 0.01
#define DURATION_MAX_S 3600.0
#define SPAWN_SAMPLES 100 /* per backend per spawn point */
#define QUICK_SPAWN_SAMPLES 10

static long online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* Its options (zero: the defaults), and the plan prepare made of them. */
static struct cont_opts {
	const char *sharing; /* --sharing */
	const char *ops;     /* --ops */
	const char *workers; /* --workers */
	long max_workers;    /* --max-workers; 0: 4 x online CPUs */
	double duration;     /* --duration, seconds per point; 0: the default */
} cont_opts;
static struct cont_plan cont_plan;

static const struct opt_row cont_rows[] = {
    {OPT_ROW("sharing", "LIST", "threads,files,vm,processes: what the workers share", "all",
	     offsetof(struct cont_opts, sharing), opt_list)},
    {OPT_ROW("ops", "LIST",
	     "the workers' operation: dup-close,open-close,pipe-close,read-shared,\n"
	     "getrlimit,setrlimit,prlimit-sibling;\n"
	     "spawn under load: spawn-faults,spawn-fds",
	     "all", offsetof(struct cont_opts, ops), opt_list)},
    {OPT_ROW("workers", "LIST", "worker counts, one point each", "1, 2, 4 … 2 x online CPUs",
	     offsetof(struct cont_opts, workers), opt_list)},
    {OPT_ROW("max-workers", "N", "the cap on --workers", "4 x online CPUs",
	     offsetof(struct cont_opts, max_workers), opt_long),
     .lo = 1, .hi = 4096},
    /* below 10 ms a point is mostly start-up and the barrier */
    {OPT_ROW("duration", "S", "seconds per worker point", "1, shortened to fit the run's budget",
	     offsetof(struct cont_opts, duration), opt_seconds),
     .min_s = DURATION_MIN_S, .max_s = DURATION_MAX_S,
     .range_why = "expected seconds, at least 0.01 and at most 3600"},
    OPT_ROWS_END,
};

static long worker_cap(const struct cont_opts *o)
{
	long cap = o->max_workers > 0 ? o->max_workers : 4 * online_cpus();
	return cap > CW_MAX_WORKERS ? CW_MAX_WORKERS : cap;
}

static int parse_names(const char *opt, const char *s, const char *const *valid, int **out,
		       size_t *n)
{
	const char *bad = NULL;

	if (!s) {
		size_t k = 0;
		while (valid[k])
			k++;
		*out = malloc(k * sizeof(**out));
		if (!*out)
			return EXP_FAILED;
		for (size_t i = 0; i < k; i++)
			(*out)[i] = (int)i;
		*n = k;
		return 0;
	}
	if (parse_name_list(s, valid, out, n, &bad) || !*n) {
		fprintf(stderr, "spawnscope: %s: unknown name '%s' (valid: %s)\n", opt,
			bad ? bad : s, names_joined(valid));
		return EXP_USAGE;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int parse_workers(const struct cont_opts *o, uint64_t **out, size_t *n)
{
	long cap = worker_cap(o);
	const char *bad = NULL;

	if (!o->workers) {
		size_t k = 0;
		*out = malloc(32 * sizeof(**out));
		if (!*out)
			return EXP_FAILED;
		for (uint64_t w = 1;
		     w <= (uint64_t)(2 * online_cpus()) && w <= (uint64_t)cap && k < 32; w *= 2)
			(*out)[k++] = w;
		*n = k;
		return 0;
	}
	if (parse_u64_list(o->workers, out, n, &bad) || !*n) {
		fprintf(stderr, "spawnscope: --workers: bad value '%s': %s\n",
			bad ? bad : o->workers, strerror(EINVAL));
		return EXP_USAGE;
	}
	for (size_t i = 0; i < *n; i++) {
		if ((*out)[i] == 0 || (*out)[i] > (uint64_t)cap) {
			fprintf(
			    stderr,
			    "spawnscope: --workers: %llu is outside 1..%ld (the cap is 4 x online "
			    "CPUs unless --max-workers raises it; at most %d)\n",
			    (unsigned long long)(*out)[i], cap, CW_MAX_WORKERS);
			free(*out);
			*out = NULL;
			return EXP_USAGE;
		}
	}
	qsort(*out, *n, sizeof(**out), cmp_u64);
	return 0;
}

static void plan_free(struct cont_plan *pl)
{
	free(pl->sharing);
	free(pl->ops);
	free(pl->workers);
	memset(pl, 0, sizeof(*pl));
}

static int plan_build(const struct cont_opts *co, const struct opts *o, struct cont_plan *pl)
{
	int rc;
	size_t worker_points = 0;

	memset(pl, 0, sizeof(*pl));
	if ((rc = parse_names("--sharing", co->sharing, cont_sharing_names, &pl->sharing,
			      &pl->n_sharing)) ||
	    (rc = parse_names("--ops", co->ops, cont_op_names, &pl->ops, &pl->n_ops)) ||
	    (rc = parse_workers(co, &pl->workers, &pl->n_workers))) {
		plan_free(pl);
		return rc;
	}
	for (size_t i = 0; i < pl->n_ops; i++)
		if (!cont_op_is_spawn(pl->ops[i]))
			worker_points += pl->n_sharing * pl->n_workers;
	if (co->duration > 0) {
		pl->duration = co->duration;
	} else {
		/* Keep the default grid inside its share of `run all`'s budget. */
		double budget = o->quick ? QUICK_WORKER_BUDGET : WORKER_BUDGET;
		pl->duration = o->quick ? QUICK_DURATION : DEFAULT_DURATION;
		if (worker_points && budget / (double)worker_points < pl->duration)
			pl->duration = budget / (double)worker_points;
		if (pl->duration < 0.02)
			pl->duration = 0.02;
	}
	pl->spawn_samples =
	    o->samples > 0 ? (size_t)o->samples : (o->quick ? QUICK_SPAWN_SAMPLES : SPAWN_SAMPLES);
	pl->spawn_warmup = o->warmup >= 0 ? (size_t)o->warmup : pl->spawn_samples / 10;
	return 0;
}

static int contention_prepare(const struct opts *o)
{
	plan_free(&cont_plan);
	return plan_build(&cont_opts, o, &cont_plan);
}

/* Per-op latency samples of every worker, as doubles for the statistics. */
static double *gather_samples(const struct cw_group *g, size_t *n)
{
	size_t total = 0, k = 0;
	double *x;

	for (int i = 0; i < g->n; i++)
		total += g->ctl->slot[i].n_samples;
	x = malloc((total ? total : 1) * sizeof(*x));
	if (!x)
		return NULL;
	for (int i = 0; i < g->n; i++)
		for (uint32_t j = 0; j < g->ctl->slot[i].n_samples; j++)
			x[k++] = g->ctl->slot[i].sample_ns[j];
	*n = k;
	return x;
}

/* Why a worker failed, or NULL. */
static const char *worker_failure(const struct cw_group *g, char *buf, size_t len)
{
	for (int i = 0; i < g->n; i++) {
		const struct cw_slot *s = &g->ctl->slot[i];
		if (!s->done) {
			snprintf(buf, len,
				 "worker %d ended without finishing (killed by a signal?)", i);
			return buf;
		}
		if (s->err) {
			snprintf(buf, len, "worker %d: %s: %s", i, cont_op_unit(g->op),
				 strerror((int)-s->err));
			return buf;
		}
	}
	if (g->status_failed) {
		snprintf(buf, len, "%d worker(s) exited with a failure status", g->status_failed);
		return buf;
	}
	return NULL;
}

/* One point of a non-spawn op. base[0] holds per-worker ops/s at the smallest worker count
 * of this (sharing, op) once measured, base[1] that count. */
static int worker_point(struct cont_run *cr, const struct cont_plan *pl, int sh, int op, int n,
			double base[2])
{
	struct run_ctx *ctx = cr->ctx;
	struct lab_msg r;
	char what[96], fail[256];
	const char *failure;
	json_t *entry, *m, *per;
	double elapsed, total = 0, cpu_s = 0, *x;
	size_t nx = 0;

	if (cr->ls)
		lockstat_reset(cr->ls);
	/* the workers are the lab's: made by it, sharing with it, holding nothing of ours */
	snprintf(what, sizeof(what), "contention: %s %s x%d", cont_sharing_names[sh],
		 cont_op_names[op], n);
	if (lab_start_load(ctx->lab, what, sh, op, n, CONT_SAMPLE_EVERY)) {
		entry = results_add(ctx->res, "contention", cont_sharing_names[sh],
				    cont_params(sh, op, n, NULL));
		json_object_set_new(entry, "error", json_string(ctx->lab->why));
		results_flush(ctx->res, false);
		return EXP_FAILED;
	}
	cw_sleep(pl->duration, (volatile int *)&g_interrupted);
	if (lab_stop_load(ctx->lab, what, &r))
		return EXP_FAILED;
	if (g_interrupted)
		return EXP_INTERRUPTED; /* a partial point is not kept */
	if (!r.u.load_r.ctl_size) {
		fprintf(stderr, "spawnscope: %s: the workers' counters do not fit the arena\n",
			what);
		return EXP_FAILED;
	}
	/* a view of the lab's copy of the control block */
	struct cw_group g = {.sharing = sh,
			     .op = op,
			     .n = r.u.load_r.n,
			     .ctl = (struct cw_ctl *)lab_load_ctl(ctx->lab),
			     .t_go = r.u.load_r.t_go,
			     .t_stop = r.u.load_r.t_stop,
			     .status_failed = r.u.load_r.status_failed};
	elapsed = (double)(g.t_stop - g.t_go) / 1e9;
	entry = results_add(ctx->res, "contention", cont_sharing_names[sh],
			    cont_params(sh, op, n, NULL));
	m = json_object_get(entry, "metrics");
	per = json_array();
	for (int i = 0; i < n; i++) {
		double ops = (double)g.ctl->slot[i].ops;
		total += ops;
		json_array_append_new(per, json_real(elapsed > 0 ? ops / elapsed : 0));
	}
	json_object_set_new(m, "ops_per_s", json_real(elapsed > 0 ? total / elapsed : 0));
	json_object_set_new(m, "per_worker_ops_per_s", per);
	for (int i = 0; i < n; i++)
		cpu_s += (double)g.ctl->slot[i].cpu_ns / 1e9;
	if (cpu_s > 0 && total > 0) {
		json_object_set_new(m, "ops_per_cpu_s", json_real(total / cpu_s));
		json_object_set_new(m, "cpu_ns_per_op", json_real(cpu_s * 1e9 / total));
		json_object_set_new(m, "cpu_utilization", json_real(cpu_s / (elapsed * n)));
	}
	if (base[1] == 0 && total > 0) {
		base[0] = total / elapsed / n;
		base[1] = n;
	}
	if (base[0] > 0) {
		json_object_set_new(m, "efficiency", json_real(total / elapsed / n / base[0]));
		json_object_set_new(m, "efficiency_base_workers",
				    json_integer((json_int_t)base[1]));
	}
	x = gather_samples(&g, &nx);
	if (x && nx) {
		json_t *st =
		    json_stats_of(x, nx, "ns", ctx->seed ^ (uint64_t)(sh * 131 + op * 17 + n));
		if (st)
			json_object_set_new(m, "op_ns", st);
	}
	free(x);
	json_object_set_new(entry, "op_unit", json_string(cont_op_unit(op)));
	json_object_set_new(entry, "duration_s", json_real(elapsed));
	json_object_set_new(entry, "total_ops", json_integer((json_int_t)total));
	json_object_set_new(entry, "sample_every", json_integer(g.ctl->slot[0].sample_every));
	json_object_set_new(entry, "pinned_cpus", json_integer(g.ctl->n_cpus));
	json_object_set_new(entry, "clock_pair_ns",
			    json_integer((json_int_t)g.ctl->slot[0].clock_ns));
	failure = worker_failure(&g, fail, sizeof(fail));
	if (failure) {
		json_object_set_new(entry, "error", json_string(failure));
		fprintf(stderr, "spawnscope: contention: %s %s x%d: %s\n", cont_sharing_names[sh],
			cont_op_names[op], n, failure);
	}
	cont_attach_locks(cr, &entry, 1);
	if (!ctx->o->quiet)
		fprintf(stderr, "spawnscope: contention %-9s %-15s x%-3d %12.0f ops/s\n",
			cont_sharing_names[sh], cont_op_names[op], n, total / elapsed);
	results_flush(ctx->res, false);
	return failure ? EXP_FAILED : EXP_OK;
}

static void record_lockstat(struct cont_run *cr)
{
	json_t *root = results_root(cr->ctx->res);
	json_t *obj =
	    json_pack("{s:b, s:s}", "enabled", cr->ls != NULL, "reason", cr->ls ? "" : cr->ls_why);

	lockstat_describe(cr->ls, obj);
	json_object_set_new(root, "lockstat", obj);
}

static int contention_run(struct run_ctx *ctx)
{
	struct cont_plan pl = cont_plan;
	struct cont_run cr;
	int rc, status = EXP_OK;

	memset(&cont_plan, 0, sizeof(cont_plan)); /* pl owns it now */
	memset(&cr, 0, sizeof(cr));
	cr.ctx = ctx;
	if (ctx->o->probes == PROBES_OFF) {
		snprintf(cr.ls_why, sizeof(cr.ls_why), "probes off (--probes off)");
	} else if ((rc = lockstat_open(ctx->lab->pid, &cr.ls, cr.ls_why, sizeof(cr.ls_why)))) {
		if (ctx->o->probes == PROBES_ON) {
			fprintf(stderr, "spawnscope: contention: lockstat: %s\n", cr.ls_why);
			plan_free(&pl);
			return EXP_FAILED;
		}
		if (!ctx->o->quiet)
			fprintf(stderr, "spawnscope: contention: no lock statistics: %s\n",
				cr.ls_why);
	}
	record_lockstat(&cr);
	for (size_t o = 0; o < pl.n_ops && !g_interrupted; o++) {
		for (size_t s = 0; s < pl.n_sharing && !g_interrupted; s++) {
			double base[2] = {0, 0};
			for (size_t w = 0; w < pl.n_workers && !g_interrupted; w++) {
				int op = pl.ops[o], sh = pl.sharing[s], n = (int)pl.workers[w];
				rc = cont_op_is_spawn(op) ? cont_spawn_point(&cr, &pl, sh, op, n)
							  : worker_point(&cr, &pl, sh, op, n, base);
				if (rc == EXP_INTERRUPTED || rc == EXP_USAGE) {
					status = rc;
					goto out;
				}
				if (rc && status == EXP_OK)
					status = rc;
			}
		}
	}
out:
	if (cr.sp_open)
		sampler_close(&cr.sp);
	lockstat_close(cr.ls);
	plan_free(&pl);
	return g_interrupted ? EXP_INTERRUPTED : status;
}

static const struct exp_plot contention_plots[] = {
    {.name = "contention", .data = "points-contention.csv"},
    {.name = NULL},
};

static const struct experiment contention_experiment = {
    .name = "contention",
    .summary = "what sharing an fd table, memory or limits costs concurrent workers",
    .order = 40,
    .options = cont_rows,
    .opts = &cont_opts,
    .opts_size = sizeof(cont_opts),
    .prepare = contention_prepare,
    .run = contention_run,
    .write_data = cont_write_data,
    .summarize = contention_summarize,
    .plots = contention_plots,
    .detach_probes = true,
};
EXPERIMENT_REGISTER(contention_experiment)
