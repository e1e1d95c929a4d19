/*
 * Paired A/B gate: A and B run in alternating short blocks, in randomized order within each
 * pair, so that whatever the machine does (other jobs, frequency, a tick landing in a
 * sample) hits both alike; each pair gives one log-ratio B/A of a per-block low quantile.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "bench/lib/clock.h"
#include "bench/core/runjson.h"
#include "bench/lib/units.h"
#include "bench/core/results.h"
#include "bench/lib/stats.h"

struct paired {
	const struct gate_opts *o;
	char blocks_dir[PATH_MAX];
	struct rng rng;
	uint64_t seed;
	double t_start;
	/* entry pairing, fixed by the first pair and checked on every later one */
	struct gate_pairing pairing;
	char **keys_a, **keys_b;
	/* per-block log */
	FILE *log;
};

static bool has_word(char *const *argv, const char *opt)
{
	size_t n = strlen(opt);

	for (char *const *w = argv; *w; w++)
		if (!strncmp(*w, opt, n) && ((*w)[n] == 0 || (*w)[n] == '='))
			return true;
	return false;
}

/* base + --samples K [--quiet] [--probes off] --out DIR; words borrowed, vector malloc'd */
static char **block_argv(char *const *base, const char *samples, const char *dir)
{
	size_t n = 0, k = 0;
	char **v;

	while (base[n])
		n++;
	v = calloc(n + 9, sizeof(*v));
	if (!v)
		return NULL;
	for (; k < n; k++)
		v[k] = base[k];
	v[k++] = "--samples";
	v[k++] = (char *)samples;
	if (!has_word(base, "--quiet"))
		v[k++] = "--quiet";
	if (!has_word(base, "--probes")) {
		v[k++] = "--probes";
		v[k++] = "off";
	}
	v[k++] = "--out";
	v[k++] = (char *)dir;
	return v;
}

/* Run one block of side ("A" or "B") into dir and load its run.json. NULL and *rc set
 * (2 input error, 130 interrupted) on failure, message printed. */
static json_t *run_block(struct paired *pp, const char *side, char *const *base, const char *tag,
			 int *rc)
{
	char dir[PATH_MAX + 64], errpath[PATH_MAX + 96], runpath[PATH_MAX + 96], samples[32];
	char err[PATH_MAX + 256], how[96];
	char **argv;
	json_t *run;
	int status = 0, r;

	snprintf(dir, sizeof(dir), "%s/%s-%s", pp->blocks_dir, tag, side);
	snprintf(errpath, sizeof(errpath), "%s.stderr", dir);
	snprintf(runpath, sizeof(runpath), "%s/run.json", dir);
	snprintf(samples, sizeof(samples), "%ld", pp->o->block);
	argv = block_argv(base, samples, dir);
	if (!argv) {
		fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
		*rc = 2;
		return NULL;
	}
	r = gate_run_child(argv, errpath, &status);
	free(argv);
	if (r == -EINTR) {
		gate_rmtree(dir);
		unlink(errpath);
		*rc = GATE_EXIT_INTERRUPTED;
		return NULL;
	}
	if (r) {
		fprintf(stderr, "spawnscope gate: %s: cannot run '%s': %s\n", side, base[0],
			strerror(-r));
		unlink(errpath);
		*rc = 2;
		return NULL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		wait_status_str(status, how, sizeof(how));
		fprintf(stderr, "spawnscope gate: %s command (block %s) %s; its stderr ends:\n",
			side, tag, how);
		gate_print_tail(errpath, 12);
		gate_rmtree(dir);
		unlink(errpath);
		*rc = 2;
		return NULL;
	}
	unlink(errpath);
	run = runjson_load(runpath, err, sizeof(err));
	if (!run) {
		fprintf(stderr, "spawnscope gate: %s command (block %s): %s\n", side, tag, err);
		*rc = 2;
	} else if (!json_is_true(json_object_get(run, "complete"))) {
		fprintf(stderr, "spawnscope gate: %s command (block %s): %s is marked incomplete\n",
			side, tag, runpath);
		json_decref(run);
		run = NULL;
		*rc = 2;
	}
	gate_rmtree(dir);
	return run;
}

static void free_keys(char **keys, size_t n)
{
	if (!keys)
		return;
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/* First pair: decide which entries pair up and remember their keys. */
static int fix_pairing(struct paired *pp, const json_t *ra, const json_t *rb)
{
	char err[256];
	size_t n;

	if (gate_pair_entries(ra, rb, &pp->pairing, err, sizeof(err))) {
		fprintf(stderr, "spawnscope gate: cannot pair A with B: %s\n", err);
		return 2;
	}
	n = pp->pairing.n;
	pp->keys_a = calloc(n, sizeof(char *));
	pp->keys_b = calloc(n, sizeof(char *));
	if (!pp->keys_a || !pp->keys_b) {
		fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		pp->keys_a[i] = runjson_entry_key(
		    json_array_get(json_object_get(ra, "results"), pp->pairing.ia[i]));
		pp->keys_b[i] = runjson_entry_key(
		    json_array_get(json_object_get(rb, "results"), pp->pairing.ib[i]));
		if (!pp->keys_a[i] || !pp->keys_b[i]) {
			fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
			return 2;
		}
	}
	return 0;
}

/* The values of pairing row i on one side; 2 with a message when they are not there. */
static int row_values(const struct paired *pp, const json_t *run, bool b_side, size_t i,
		      double *p10, double *p50)
{
	size_t idx = b_side ? pp->pairing.ib[i] : pp->pairing.ia[i];
	const char *want = b_side ? pp->keys_b[i] : pp->keys_a[i];
	json_t *e = json_array_get(json_object_get(run, "results"), idx);
	char *key = e ? runjson_entry_key(e) : NULL;
	bool same = key && !strcmp(key, want);

	free(key);
	if (!same) {
		fprintf(
		    stderr,
		    "spawnscope gate: %s: a later block's results differ from the first block's "
		    "(expected '%s' at results[%zu])\n",
		    b_side ? "B" : "A", want, idx);
		return 2;
	}
	if (gate_entry_value(e, pp->o->metric, "p10", p10) ||
	    gate_entry_value(e, pp->o->metric, "p50", p50)) {
		fprintf(stderr,
			"spawnscope gate: %s: '%s' has no positive metrics.%s.p10/p50 (does the "
			"target stamp? try --metric t_reaped)\n",
			b_side ? "B" : "A", want, pp->o->metric);
		return 2;
	}
	return 0;
}

static int make_series(struct paired *pp, struct gate_phase *ph)
{
	ph->n_series = pp->pairing.n;
	ph->series = calloc(ph->n_series, sizeof(*ph->series));
	if (!ph->series)
		return -ENOMEM;
	for (size_t i = 0; i < ph->n_series; i++)
		if (!(ph->series[i].name = strdup(pp->pairing.names[i])))
			return -ENOMEM;
	return 0;
}

/* A line of blocks.csv; the name is quoted (CSV: a quote inside is doubled). */
static void log_row(FILE *f, const char *phase, size_t pair, bool b_first, const char *name,
		    double v[2][GQ__N])
{
	fprintf(f, "%s,%zu,%s,\"", phase, pair, b_first ? "B" : "A");
	for (const char *c = name; *c; c++)
		fprintf(f, *c == '"' ? "\"\"" : "%c", *c);
	fprintf(f, "\",%.1f,%.1f,%.1f,%.1f\n", v[0][GQ_P10], v[0][GQ_P50], v[1][GQ_P10],
		v[1][GQ_P50]);
}

/* One pair: coin flip for the order, run both blocks, push the summaries. */
static int run_pair(struct paired *pp, struct gate_phase *ph, size_t pair)
{
	bool b_first = rng_below(&pp->rng, 2);
	json_t *run[2] = {NULL, NULL}; /* [0] A, [1] B */
	char tag[48];
	int rc = 0;

	snprintf(tag, sizeof(tag), "%s-%04zu", ph->name, pair);
	for (int k = 0; k < 2 && !rc; k++) {
		bool b = b_first ? k == 0 : k == 1;
		run[b] = run_block(pp, b ? "B" : "A", b ? pp->o->b_argv : pp->o->a_argv, tag, &rc);
	}
	if (!rc && !pp->pairing.n)
		rc = fix_pairing(pp, run[0], run[1]);
	if (!rc && !ph->series && make_series(pp, ph)) {
		fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
		rc = 2;
	}
	for (size_t i = 0; i < pp->pairing.n && !rc; i++) {
		double v[2][GQ__N];

		for (int b = 0; b < 2 && !rc; b++)
			rc = row_values(pp, run[b], b, i, &v[b][GQ_P10], &v[b][GQ_P50]);
		for (int b = 0; b < 2 && !rc; b++)
			if (gate_series_push(&ph->series[i], b, v[b][GQ_P10], v[b][GQ_P50])) {
				fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
				rc = 2;
			}
		if (!rc && pp->log)
			log_row(pp->log, ph->name, pair, b_first, ph->series[i].name, v);
	}
	json_decref(run[0]);
	json_decref(run[1]);
	return rc;
}

static void progress(void *ctx, const struct gate_phase *ph)
{
	const struct paired *pp = ctx;
	const struct gate_opts *o = pp->o;
	double elapsed = now_s() - pp->t_start;
	int dq = gate_decisive_q(o);

	if (o->quiet || !ph->n_series)
		return;
	for (size_t i = 0; i < ph->n_series; i++) {
		const struct gate_series *s = &ph->series[i];
		const struct gate_shift *sh = &s->shift[dq];

		if (s->shift_err[dq])
			fprintf(stderr, "gate: %s pair %zu (%.0f s): %s: no estimate yet\n",
				ph->name, ph->pairs, elapsed, s->name);
		else
			fprintf(stderr,
				"gate: %s pair %zu, look %zu (%.0f s): %s %s %+.2f%% [%+.2f%%, "
				"%+.2f%%] "
				"p=%.3g %s\n",
				ph->name, ph->pairs, ph->looks, elapsed, s->name, gate_q_names[dq],
				gate_pct(sh->est), gate_pct(sh->lo), gate_pct(sh->hi), sh->p,
				gate_verdict_name(s->verdict[dq]));
	}
}

static int source_pair(void *ctx, struct gate_phase *ph, size_t index)
{
	return run_pair(ctx, ph, index);
}

static double source_now(void *ctx)
{
	(void)ctx;
	return now_s();
}

static void free_phase(struct gate_phase *ph)
{
	for (size_t i = 0; i < ph->n_series; i++)
		gate_series_free(&ph->series[i]);
	free(ph->series);
	ph->series = NULL;
	ph->n_series = 0;
}

static const char *final_note(const struct gate_report *r, bool no_room)
{
	const struct gate_phase *p1 = &r->phases[0];

	if (r->n_phases == 1) {
		if (no_room)
			return "the first run found a regression too late in the budget to confirm "
			       "it: inconclusive (give a larger --budget)";
		switch (p1->verdict) {
		case GV_PASS:
			return "no slowdown as large as the threshold is compatible with the data";
		case GV_IMPROVED:
			return "B is faster than A by at least the threshold";
		default:
			return "budget spent without a decision: the interval still straddles the "
			       "threshold (give a larger --budget or --block)";
		}
	}
	switch (r->phases[1].verdict) {
	case GV_REGRESSION:
		return "regression found and confirmed by a second, independent run";
	case GV_PASS:
	case GV_IMPROVED:
		return "the first run flagged a regression; the confirmation run did not "
		       "reproduce it: pass";
	default:
		return "the first run flagged a regression; the confirmation run was still "
		       "undecided when the budget ran out";
	}
}

int gate_run_paired(const struct gate_opts *o)
{
	struct paired pp;
	struct gate_report r;
	char out[PATH_MAX], logpath[PATH_MAX + 16];
	bool no_room = false;
	int rc;

	memset(&pp, 0, sizeof(pp));
	memset(&r, 0, sizeof(r));
	pp.o = o;
	snprintf(out, sizeof(out), "%s", o->out);
	/* The block runs go to a directory only this process created (mkdtemp), so that the
	 * removal at the end can never take a user's file: OUT/blocks/ is not ours. */
	if ((rc = mkdir_p(out))) {
		fprintf(stderr, "spawnscope gate: --out %s: %s\n", out, strerror(-rc));
		return 2;
	}
	snprintf(pp.blocks_dir, sizeof(pp.blocks_dir), "%.*s/blocks.XXXXXX", PATH_MAX - 16, out);
	if (!mkdtemp(pp.blocks_dir)) {
		fprintf(stderr, "spawnscope gate: %s: %s\n", pp.blocks_dir, strerror(errno));
		return 2;
	}
	snprintf(logpath, sizeof(logpath), "%s/blocks.csv", out);
	pp.log = fopen(logpath, "we");
	if (!pp.log) {
		fprintf(stderr, "spawnscope gate: %s: %s\n", logpath, strerror(errno));
		gate_rmtree(pp.blocks_dir);
		return 2;
	}
	fprintf(pp.log, "phase,pair,first,comparison,a_p10_ns,a_p50_ns,b_p10_ns,b_p50_ns\n");
	pp.seed = o->seed;
	if (!pp.seed) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		pp.seed = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 20) ^ (uint64_t)getpid();
	}
	rng_seed(&pp.rng, pp.seed);
	gate_install_signals();
	pp.t_start = now_s();

	r.o = o;
	r.paired = true;
	r.seed = pp.seed;
	{
		const struct gate_source src = {&pp, source_pair, source_now, progress};

		rc = gate_sequential(o, &src, pp.t_start + o->budget_s, &r, &no_room);
	}
	fclose(pp.log);
	gate_rmtree(pp.blocks_dir);
	if (rc == GATE_EXIT_INTERRUPTED)
		fprintf(stderr, "spawnscope gate: interrupted; block directories removed\n");
	if (!rc) {
		r.elapsed_s = now_s() - pp.t_start;
		r.exit_status = gate_verdict_exit(r.verdict);
		r.note = final_note(&r, no_room);
		rc = gate_write_outputs(&r, out);
		if (!rc)
			rc = r.exit_status;
	}
	for (size_t i = 0; i < r.n_phases; i++)
		free_phase(&r.phases[i]);
	free_keys(pp.keys_a, pp.pairing.n);
	free_keys(pp.keys_b, pp.pairing.n);
	gate_pairing_free(&pp.pairing);
	return rc;
}
