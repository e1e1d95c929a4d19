/*
 * Saved runs: --baseline OLD/run.json ... --current NEW/run.json ..., for what cannot share a
 * job (two kernels, two machines' worth of history). A run is the unit: the blocks of one run
 * share its machine state (what else ran, where the pages landed, the boot), so a run-to-run
 * difference between two identical binaries is not noise that more blocks average away. Each
 * run gives one summary per comparison, the median of its per-block p10 (p50), and the shift
 * is Student's t interval on the logs of those summaries (pooled variance when both sides
 * have as many runs, else Welch's: gate_shift_runs); fewer than GATE_MIN_REPLICATES runs
 * on a side is "insufficient replicates" (exit 3), never a verdict. Weaker than the paired
 * gate: drift between the runs is not cancelled, and nothing can be re-run to confirm.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "bench/core/runjson.h"
#include "bench/lib/stats.h"

static json_t *load(const char *opt, const char *path, int *rc)
{
	char err[4200];
	json_t *run = runjson_load(path, err, sizeof(err));

	if (!run) {
		fprintf(stderr, "spawnscope gate: %s %s\n", opt, err);
		*rc = 2;
		return NULL;
	}
	if (!json_is_true(json_object_get(run, "complete"))) {
		fprintf(stderr,
			"spawnscope gate: %s %s: the run is marked incomplete (interrupted or "
			"failed); compare complete runs only\n",
			opt, path);
		json_decref(run);
		*rc = 2;
		return NULL;
	}
	return run;
}

/* The per-block summaries of one entry into s (side b_side). Blocks smaller than half the
 * largest (the trailing partial block) are left out: their quantiles are much noisier. */
static bool has_blocks(const json_t *entry)
{
	const json_t *blocks = json_object_get(entry, "blocks");
	return json_is_array(blocks) && json_array_size(blocks) > 0;
}

static int load_blocks(const struct gate_opts *o, const char *opt, const json_t *entry,
		       struct gate_series *s, bool b_side)
{
	/* s->name names the comparison in messages; the blocks go to s's b_side. */
	json_t *blocks = json_object_get(entry, "blocks"), *b;
	json_int_t most = runjson_blocks_most(entry);
	size_t i;

	if (!json_is_array(blocks) || !json_array_size(blocks)) {
		fprintf(stderr,
			"spawnscope gate: %s: '%s' has no per-block summaries (\"blocks\"); "
			"re-run it with this spawnscope\n",
			opt, s->name);
		return 2;
	}
	json_array_foreach(blocks, i, b)
	{
		json_t *m = json_object_get(b, o->metric);
		double p10, p50;

		if (!runjson_block_full(b, most))
			continue;
		if (!json_is_number(json_object_get(m, "p10")) ||
		    !json_is_number(json_object_get(m, "p50"))) {
			fprintf(stderr,
				"spawnscope gate: %s: '%s' blocks[%zu] has no %s.p10/p50 (does the "
				"target stamp? try --metric t_reaped)\n",
				opt, s->name, i, o->metric);
			return 2;
		}
		p10 = json_number_value(json_object_get(m, "p10"));
		p50 = json_number_value(json_object_get(m, "p50"));
		if (!(p10 > 0) || !(p50 > 0)) {
			fprintf(
			    stderr,
			    "spawnscope gate: %s: '%s' blocks[%zu]: %s is not a positive time\n",
			    opt, s->name, i, o->metric);
			return 2;
		}
		if (gate_series_push(s, b_side, p10, p50)) {
			fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
			return 2;
		}
	}
	return 0;
}

/* The entry of run with the key of like (the comparison's entry in the first run of the
 * same side), or NULL. A run with a single entry matches a first run with a single entry. */
static const json_t *same_entry(const json_t *run, const json_t *first_run, const json_t *like)
{
	json_t *results = json_object_get(run, "results"), *e;
	char *want = runjson_entry_key(like);
	const json_t *found = NULL;
	size_t i;

	if (json_array_size(results) == 1 &&
	    json_array_size(json_object_get(first_run, "results")) == 1)
		found = json_array_get(results, 0);
	json_array_foreach(results, i, e)
	{
		char *key;

		if (found || !want)
			break;
		key = runjson_entry_key(e);
		if (key && !strcmp(key, want))
			found = e;
		free(key);
	}
	free(want);
	return found;
}

/* One summary per run of a side into s: the median of each run's block p10 and p50. */
static int load_side(const struct gate_opts *o, bool b_side, json_t *const *runs, size_t n,
		     const json_t *like, struct gate_series *s)
{
	const char *opt = b_side ? "--current" : "--baseline";
	const char *const *paths = b_side ? o->currents : o->baselines;

	for (size_t k = 0; k < n; k++) {
		const json_t *e = same_entry(runs[k], runs[0], like);
		struct gate_series one = {.name = s->name};
		int rc;

		if (!e) {
			fprintf(stderr,
				"spawnscope gate: %s %s has no entry '%s' (replicates must "
				"be runs of the same command)\n",
				opt, paths[k], s->name);
			return 2;
		}
		rc = load_blocks(o, opt, e, &one, false);
		if (!rc && !one.na) {
			fprintf(stderr, "spawnscope gate: %s %s: '%s' has no usable block\n", opt,
				paths[k], s->name);
			rc = 2;
		}
		if (!rc && gate_series_push(s, b_side, quantile_of(one.a[GQ_P10], one.na, 0.5),
					    quantile_of(one.a[GQ_P50], one.na, 0.5))) {
			fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
			rc = 2;
		}
		one.name = NULL;
		gate_series_free(&one);
		if (rc)
			return rc;
	}
	return 0;
}

static json_t **load_all(const char *opt, const char *const *paths, size_t n, int *rc)
{
	json_t **runs = calloc(n ? n : 1, sizeof(*runs));

	if (!runs) {
		fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
		*rc = 2;
		return NULL;
	}
	for (size_t k = 0; k < n && !*rc; k++)
		runs[k] = load(opt, paths[k], rc);
	return runs;
}

static void free_all(json_t **runs, size_t n)
{
	for (size_t k = 0; runs && k < n; k++)
		json_decref(runs[k]);
	free(runs);
}

int gate_run_saved(const struct gate_opts *o)
{
	const struct gate_rule rule = {o->threshold, o->noise, GATE_MIN_REPLICATES};
	struct gate_pairing pairing = {0};
	struct gate_report r;
	struct gate_phase *ph = &r.phases[0];
	json_t **base = NULL, **cur = NULL;
	enum gate_verdict *v = NULL;
	char err[256];
	int rc = 0, dq = gate_decisive_q(o);
	size_t n_skipped = 0;
	const char *first_skipped = NULL;

	memset(&r, 0, sizeof(r));
	base = load_all("--baseline", o->baselines, o->n_baselines, &rc);
	if (!rc)
		cur = load_all("--current", o->currents, o->n_currents, &rc);
	if (rc)
		goto out;
	if (gate_pair_entries(base[0], cur[0], &pairing, err, sizeof(err))) {
		fprintf(stderr, "spawnscope gate: cannot pair --baseline with --current: %s\n",
			err);
		rc = 2;
		goto out;
	}
	r.o = o;
	r.paired = false;
	r.n_phases = 1;
	ph->name = "saved";
	ph->n_series = 0;
	ph->series = calloc(pairing.n ? pairing.n : 1, sizeof(*ph->series));
	v = calloc(pairing.n ? pairing.n : 1, sizeof(*v));
	if (!ph->series || !v) {
		fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
		rc = 2;
		goto out;
	}
	for (size_t i = 0; i < pairing.n; i++) {
		struct gate_series *s = &ph->series[ph->n_series];
		json_t *ea = json_array_get(json_object_get(base[0], "results"), pairing.ia[i]);
		json_t *eb = json_array_get(json_object_get(cur[0], "results"), pairing.ib[i]);

		/* A whole `run all` holds entries that are not spawn samples (post-fork write
		 * passes, contention throughput): they have no blocks to compare. Skip them; a
		 * file in which nothing has blocks is refused below. */
		if (!has_blocks(ea) || !has_blocks(eb)) {
			n_skipped++;
			if (!first_skipped)
				first_skipped = pairing.names[i];
			continue;
		}
		ph->n_series++;
		if (!(s->name = strdup(pairing.names[i]))) {
			fprintf(stderr, "spawnscope gate: %s\n", strerror(ENOMEM));
			rc = 2;
			goto out;
		}
		if ((rc = load_side(o, false, base, o->n_baselines, ea, s)) ||
		    (rc = load_side(o, true, cur, o->n_currents, eb, s)))
			goto out;
		for (int q = 0; q < GQ__N; q++) {
			s->shift_err[q] =
			    gate_shift_runs(s->a[q], s->na, s->b[q], s->nb, &s->shift[q]);
			s->verdict[q] = s->shift_err[q] ? GV_INCONCLUSIVE
							: gate_decide(&s->shift[q], &rule, true);
		}
		v[ph->n_series - 1] = s->verdict[dq];
		if (ph->pairs < s->na)
			ph->pairs = s->na;
	}
	if (!ph->n_series) {
		fprintf(stderr,
			"spawnscope gate: no entry of --baseline %s and --current %s has per-block "
			"summaries (\"blocks\") to compare%s%s; re-run them with this spawnscope\n",
			o->baseline, o->current, first_skipped ? ", e.g. " : "",
			first_skipped ? first_skipped : "");
		rc = 2;
		goto out;
	}
	if (n_skipped && !o->quiet)
		fprintf(stderr,
			"spawnscope gate: %zu entries without per-block summaries (not spawn "
			"samples, e.g. '%s') are not compared\n",
			n_skipped, first_skipped);
	if (o->n_baselines < GATE_MIN_REPLICATES || o->n_currents < GATE_MIN_REPLICATES) {
		fprintf(
		    stderr,
		    "spawnscope gate: insufficient replicates: %zu baseline and %zu current "
		    "run(s); a saved-run verdict needs at least %d of each, because a run, not a "
		    "block, is the unit (two runs of one binary differ by more than their "
		    "blocks say). Run the benchmark again and give each run.json with another "
		    "--baseline / --current\n",
		    o->n_baselines, o->n_currents, GATE_MIN_REPLICATES);
		rc = GATE_EXIT_INCONCLUSIVE;
		goto out;
	}
	ph->verdict = gate_combine(v, ph->n_series, true);
	r.verdict = ph->verdict;
	r.exit_status = gate_verdict_exit(r.verdict);
	r.note = r.verdict == GV_REGRESSION	? "unpaired comparison of saved runs found a "
						  "regression (not confirmed: confirm with the "
						  "paired gate where possible)"
		 : r.verdict == GV_INCONCLUSIVE ? "the saved runs do not decide: the interval "
						  "straddles the threshold"
		 : r.verdict == GV_IMPROVED	? "the current runs are faster by at least the "
						  "threshold"
						: "no slowdown as large as the threshold is "
						  "compatible with the saved runs";
	rc = gate_write_outputs(&r, o->out);
	if (!rc)
		rc = r.exit_status;
out:
	for (size_t i = 0; i < ph->n_series; i++)
		gate_series_free(&ph->series[i]);
	free(ph->series);
	free(v);
	gate_pairing_free(&pairing);
	free_all(base, o->n_baselines);
	free_all(cur, o->n_currents);
	return rc;
}
