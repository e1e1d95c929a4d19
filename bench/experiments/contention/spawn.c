/*
 * Spawn under load: the lab times every spawn backend while N-1 load workers, started in the
 * lab and sharing with it as --sharing says, either fault fresh memory (mmap, touch, munmap:
 * mmap_lock, which fork's dup_mmap holds for write for its whole copy) or dup/close in a
 * loop (files->file_lock, which dup_fd takes to copy the table).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impls/registry.h"
#include "internal.h"

/* The primitives a spawning program would choose between; efork only when built and usable. */
static const char *const spawn_backends[] = {"fork-exec", "posix-spawn", "vfork", "efork"};
#define N_SPAWN_BACKENDS (sizeof(spawn_backends) / sizeof(*spawn_backends))

static int open_sampler(struct cont_run *cr)
{
	if (!cr->sp_open)
		run_sampler_open(cr->ctx, &cr->sp);
	cr->sp_open = true;
	return 0;
}

static void csv_name(char *buf, size_t len, int sh, int op, int n, const char *backend)
{
	snprintf(buf, len, "contention-%s-%s-w%d-%s", cont_op_names[op], cont_sharing_names[sh], n,
		 backend);
}

/* Skipped backends are recorded once per run, with the reason. */
static void note_skipped(struct cont_run *cr, const char *name, const char *why)
{
	json_t *root = results_root(cr->ctx->res);
	json_t *sk = json_object_get(root, "contention_skipped_backends");

	if (!sk) {
		sk = json_object();
		json_object_set_new(root, "contention_skipped_backends", sk);
	}
	if (!json_object_get(sk, name))
		json_object_set_new(sk, name, json_string(why));
}

static size_t build_arms(struct cont_run *cr, struct arm *arms)
{
	size_t n = 0;

	for (size_t i = 0; i < N_SPAWN_BACKENDS; i++) {
		const struct spawn_backend *be = backend_find(spawn_backends[i]);
		char why[256] = "";

		if (!be) {
			note_skipped(cr, spawn_backends[i], "not built into this binary");
			continue;
		}
		if (be->available && be->available(why, sizeof(why))) {
			note_skipped(cr, spawn_backends[i], why[0] ? why : "not available");
			continue;
		}
		memset(&arms[n], 0, sizeof(arms[n]));
		arms[n].be = be;
		arms[n].probes_attached = -1;
		snprintf(arms[n].label, sizeof(arms[n].label), "%s", be->name);
		n++;
	}
	return n;
}

/* Spawns per second while spawning: samples over the sum of their round trips. */
static double spawn_rate(const struct arm *a)
{
	double sum = 0;
	size_t k = 0;

	for (size_t i = 0; i < a->n; i++)
		if (!a->s[i].err && a->s[i].t[M_REAPED] > 0) {
			sum += (double)a->s[i].t[M_REAPED];
			k++;
		}
	return sum > 0 ? (double)k * 1e9 / sum : 0;
}

int cont_spawn_point(struct cont_run *cr, const struct cont_plan *pl, int sh, int op, int workers)
{
	struct run_ctx *ctx = cr->ctx;
	struct arm arms[N_SPAWN_BACKENDS];
	json_t *entries[N_SPAWN_BACKENDS];
	struct sampler_plan plan = {
	    .samples = pl->spawn_samples,
	    .warmup = pl->spawn_warmup,
	    .block = ctx->o->block > 0 ? (size_t)ctx->o->block : 5,
	    .seed = ctx->seed ^ (uint64_t)(sh * 7919 + op * 104729 + workers),
	};
	struct lab_msg g; /* the load workers' counters (u.load_r) */
	bool load = workers > 1;
	char what[96];
	size_t n;
	int rc, status = EXP_OK;

	if ((rc = open_sampler(cr)))
		return rc;
	n = build_arms(cr, arms);
	for (size_t i = 0; i < n; i++)
		if ((rc = sampler_prepare(&cr->sp, &arms[i], ctx->target, ctx->o->exec,
					  plan.samples))) {
			fprintf(stderr, "spawnscope: contention: preparing %s: %s\n", arms[i].label,
				strerror(-rc));
			for (size_t j = 0; j < i; j++)
				arm_free(&arms[j]);
			return EXP_FAILED;
		}
	if (cr->ls)
		lockstat_reset(cr->ls);
	snprintf(what, sizeof(what), "contention %s %s x%d", cont_sharing_names[sh],
		 cont_op_names[op], workers);
	if (load && lab_start_load(ctx->lab, what, sh, cont_spawn_load_op(op), workers - 1,
				   CONT_SAMPLE_EVERY)) {
		for (size_t i = 0; i < n; i++)
			arm_free(&arms[i]);
		return EXP_FAILED;
	}
	cr->sp.what = what;
	status = n ? sampler_run(&cr->sp, arms, n, &plan) : EXP_OK;
	cr->sp.what = NULL; /* what is this point's */
	if (load && lab_stop_load(ctx->lab, what, &g))
		status = EXP_FAILED, load = false;
	if (status == EXP_INTERRUPTED) {
		for (size_t i = 0; i < n; i++)
			arm_free(&arms[i]);
		return status;
	}
	for (size_t i = 0; i < n; i++) {
		char csv[192];
		json_t *m, *per;

		entries[i] = results_add(ctx->res, "contention", arms[i].label,
					 cont_params(sh, op, workers, arms[i].label));
		csv_name(csv, sizeof(csv), sh, op, workers, arms[i].label);
		if (arm_store(ctx, &arms[i], entries[i], csv))
			status = EXP_FAILED;
		m = json_object_get(entries[i], "metrics");
		/* The op of a spawn point is one spawn + reap: its latency is t_reaped. */
		if (json_object_get(m, "t_reaped"))
			json_object_set(m, "op_ns", json_object_get(m, "t_reaped"));
		json_object_set_new(m, "ops_per_s", json_real(spawn_rate(&arms[i])));
		json_object_set_new(entries[i], "op_unit", json_string(cont_op_unit(op)));
		json_object_set_new(
		    entries[i], "load_op",
		    json_string(load ? cont_op_unit(cont_spawn_load_op(op)) : "none"));
		if (load) {
			double el = (double)(g.u.load_r.t_stop - g.u.load_r.t_go) / 1e9, tot = 0;
			per = json_array();
			for (int w = 0; w < g.u.load_r.n; w++) {
				tot += (double)g.u.load_r.ops[w];
				json_array_append_new(
				    per, json_real(el > 0 ? (double)g.u.load_r.ops[w] / el : 0));
			}
			json_object_set_new(m, "load_ops_per_s", json_real(el > 0 ? tot / el : 0));
			json_object_set_new(m, "per_worker_ops_per_s", per);
		}
		if (arms[i].failures)
			fprintf(stderr,
				"spawnscope: contention: %s: %zu of %zu spawns failed (%s)\n",
				arms[i].label, arms[i].failures, arms[i].n,
				sample_error_str(arms[i].first_err));
		if (!ctx->o->quiet) {
			json_t *st = json_object_get(m, "t_reaped");
			fprintf(stderr,
				"spawnscope: contention %-9s %-15s x%-3d %-12s p50 %8.1f µs\n",
				cont_sharing_names[sh], cont_op_names[op], workers, arms[i].label,
				json_number_value(json_object_get(st, "p50")) / 1000.0);
		}
	}
	if (load) {
		char fail[256] = "";
		for (int w = 0; w < g.u.load_r.n; w++)
			if (g.u.load_r.err[w] && !fail[0])
				snprintf(fail, sizeof(fail), "load worker %d: %s", w,
					 strerror((int)-g.u.load_r.err[w]));
		if (fail[0] || g.u.load_r.status_failed) {
			fprintf(stderr, "spawnscope: contention: %s %s x%d: %s\n",
				cont_sharing_names[sh], cont_op_names[op], workers,
				fail[0] ? fail : "a load worker failed");
			status = EXP_FAILED;
		}
	}
	cont_attach_locks(cr, entries, n);
	for (size_t i = 0; i < n; i++)
		arm_free(&arms[i]);
	results_flush(ctx->res, false);
	return status;
}
