/*
 * Saved runs: --baseline OLD/run.json --current NEW/run.json, for what cannot share a job
 * (two kernels, two machines' worth of history). Each results entry keeps per-block p10/p50
 * summaries ("blocks"); the comparison is unpaired: Mann-Whitney U on the block summaries
 * and the two-sample Hodges-Lehmann shift of their logs. Weaker than the paired gate: drift
 * between the two runs is not cancelled, and nothing can be re-run to confirm.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"

static json_t *load(const char *opt, const char *path, int *rc)
{
	char err[4200];
	json_t *run = gate_load_run(path, err, sizeof(err));

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
	json_t *blocks = json_object_get(entry, "blocks"), *b;
	json_int_t most = 0;
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
		json_int_t n = json_integer_value(json_object_get(b, "n"));
		if (n > most)
			most = n;
	}
	json_array_foreach(blocks, i, b)
	{
		json_t *m = json_object_get(b, o->metric);
		double p10, p50;

		/* in double: n * 2 overflows for a (corrupt) n near ±2^63 */
		if ((double)json_integer_value(json_object_get(b, "n")) * 2 < (double)most)
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

int gate_run_saved(const struct gate_opts *o)
{
	const struct gate_rule rule = {o->threshold, o->noise, (size_t)o->min_pairs};
	struct gate_pairing pairing = {0};
	struct gate_report r;
	struct gate_phase *ph = &r.phases[0];
	json_t *base = NULL, *cur = NULL;
	enum gate_verdict *v = NULL;
	char err[256];
	int rc = 0, dq = gate_decisive_q(o);
	size_t n_skipped = 0;
	const char *first_skipped = NULL;

	memset(&r, 0, sizeof(r));
	if (!(base = load("--baseline", o->baseline, &rc)) ||
	    !(cur = load("--current", o->current, &rc)))
		goto out;
	if (gate_pair_entries(base, cur, &pairing, err, sizeof(err))) {
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
		json_t *ea = json_array_get(json_object_get(base, "results"), pairing.ia[i]);
		json_t *eb = json_array_get(json_object_get(cur, "results"), pairing.ib[i]);

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
		if ((rc = load_blocks(o, "--baseline", ea, s, false)) ||
		    (rc = load_blocks(o, "--current", eb, s, true)))
			goto out;
		for (int q = 0; q < GQ__N; q++) {
			s->shift_err[q] =
			    gate_shift_unpaired(s->a[q], s->na, s->b[q], s->nb, &s->shift[q]);
			s->verdict[q] = s->shift_err[q] ? GV_INCONCLUSIVE
							: gate_decide(&s->shift[q], &rule, true);
		}
		v[ph->n_series - 1] = s->verdict[dq];
		if (s->na < (size_t)o->min_pairs || s->nb < (size_t)o->min_pairs)
			fprintf(stderr,
				"spawnscope gate: '%s': %zu baseline and %zu current blocks, fewer "
				"than --min-pairs %ld: no decision possible (more --samples or a "
				"smaller --block in the runs)\n",
				s->name, s->na, s->nb, o->min_pairs);
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
	ph->verdict = gate_combine(v, ph->n_series, true);
	r.verdict = ph->verdict;
	r.exit_status = gate_verdict_exit(r.verdict);
	r.note = r.verdict == GV_REGRESSION	? "unpaired comparison of saved runs found a "
						  "regression (not confirmed: confirm with the "
						  "paired gate where possible)"
		 : r.verdict == GV_INCONCLUSIVE ? "the saved runs do not decide: the interval "
						  "straddles the threshold"
		 : r.verdict == GV_IMPROVED	? "the current run is faster by at least the "
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
	json_decref(base);
	json_decref(cur);
	return rc;
}
