/* The gate's report: the Markdown table, verdict.json, and writing every output file. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "bench/lib/units.h"
#include "bench/core/results.h"

static const char *fmt_change(const struct gate_shift *s, int err, char *buf, size_t len)
{
	if (err || !isfinite(s->est))
		snprintf(buf, len, "n/a");
	else if (!isfinite(s->lo) || !isfinite(s->hi))
		snprintf(buf, len, "%+.2f%% [too few blocks for an interval]", gate_pct(s->est));
	else
		snprintf(buf, len, "%+.2f%% [%+.2f%%, %+.2f%%]", gate_pct(s->est), gate_pct(s->lo),
			 gate_pct(s->hi));
	return buf;
}

void gate_markdown(const struct gate_report *r, FILE *f)
{
	const struct gate_opts *o = r->o;
	const struct gate_phase *ph = gate_deciding_phase(r);
	int dq = gate_decisive_q(o);

	fprintf(f, "## spawnscope gate: %s (exit %d)\n\n", gate_verdict_name(r->verdict),
		r->exit_status);
	if (r->paired)
		fprintf(f,
			"Paired A/B in one job: %s, decided on the per-block %s; threshold %g%%, "
			"noise band %g%%; %s phase: %zu pairs of %ld-sample blocks, %zu sequential "
			"looks (intervals below are the last look's, at %.4g%% confidence; the "
			"looks spend %.3g of alpha %g); %.1f s in all.\n\n",
			o->metric, gate_q_names[dq], o->threshold * 100, o->noise * 100, ph->name,
			ph->pairs, o->block, ph->looks, 100 * (1 - gate_look_alpha(ph->looks)),
			ph->alpha_spent, GATE_ALPHA, r->elapsed_s);
	else
		fprintf(
		    f,
		    "**Unpaired comparison of saved runs — weaker than the paired gate**: drift "
		    "of the machine between the two runs is not cancelled, and nothing can be "
		    "re-run to confirm. A run is the unit: %zu baseline and %zu current runs, each "
		    "summarised by the median of its per-block %s of %s; Student's t interval "
		    "on the logs (%s); threshold %g%%, noise band %g%%.\n\n",
		    o->n_baselines, o->n_currents, gate_q_names[dq], o->metric,
		    o->n_baselines == o->n_currents ? "pooled variance"
						    : "Welch's, unequal numbers of runs",
		    o->threshold * 100, o->noise * 100);
	fprintf(f, "| comparison | metric | A | B | change [95%% CI] | p | verdict |\n");
	fprintf(f, "|---|---|---:|---:|---:|---:|---|\n");
	for (size_t i = 0; i < ph->n_series; i++) {
		const struct gate_series *s = &ph->series[i];

		for (int k = 0; k < GQ__N; k++) {
			int q = k == 0 ? dq : 1 - dq; /* the deciding quantile first */
			double am, asd, bm, bsd;
			char a[32], b[32], ch[96], p[32];

			gate_series_level(s->a[q], s->na, &am, &asd);
			gate_series_level(s->b[q], s->nb, &bm, &bsd);
			if (s->shift_err[q] || !isfinite(s->shift[q].p))
				snprintf(p, sizeof(p), "n/a");
			else
				snprintf(p, sizeof(p), "%.2g", s->shift[q].p);
			fprintf(f,
				"| %s | %s %s | %s ± %.1f%% | %s ± %.1f%% | %s | %s | %s%s%s |\n",
				s->name, o->metric, gate_q_names[q], fmt_ns(am, a, sizeof(a)), asd,
				fmt_ns(bm, b, sizeof(b)), bsd,
				fmt_change(&s->shift[q], s->shift_err[q], ch, sizeof(ch)), p,
				q == dq ? "**" : "(info: ", gate_verdict_name(s->verdict[q]),
				q == dq ? "**" : ")");
		}
	}
	if (r->paired)
		fprintf(f, "\nA, B: median over blocks of each block's quantile, ± the blocks' "
			   "relative standard deviation. change: Hodges–Lehmann estimate of B/A "
			   "with its distribution-free interval at the last look's level (wider "
			   "than 95%%: each look spends only part of the 5%%); p: Wilcoxon "
			   "signed-rank test on the per-pair log-ratios.\n");
	else
		fprintf(f, "\nA, B: median over runs of each run's median block quantile, ± the "
			   "runs' relative standard deviation. change: mean of the runs' log "
			   "summaries, B over A, with its t 95%% interval; p: the same t test.\n");
	if (r->n_phases == 2)
		fprintf(f,
			"\nFirst run: %s after %zu pairs (%.1f s); confirmation: %s after %zu "
			"pairs (%.1f s).\n",
			gate_verdict_name(r->phases[0].verdict), r->phases[0].pairs,
			r->phases[0].elapsed_s, gate_verdict_name(r->phases[1].verdict),
			r->phases[1].pairs, r->phases[1].elapsed_s);
	fprintf(f, "\n**Verdict: %s** — %s.\n", gate_verdict_name(r->verdict), r->note);
}

/* jansson has no NaN or infinity: those become null. */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *argv_json(char *const *argv)
{
	json_t *a = json_array();

	for (char *const *w = argv; w && *w; w++)
		json_array_append_new(a, json_string(*w));
	return a;
}

static json_t *side_json(const double *v, size_t n)
{
	double med, sd;

	gate_series_level(v, n, &med, &sd);
	return json_pack("{s:I, s:o, s:o}", "blocks", (json_int_t)n, "median_ns", jnum(med),
			 "stddev_pct", jnum(sd));
}

static json_t *phase_json(const struct gate_report *r, const struct gate_phase *ph)
{
	json_t *cmp = json_array();
	int dq = gate_decisive_q(r->o);

	for (size_t i = 0; i < ph->n_series; i++) {
		const struct gate_series *s = &ph->series[i];
		for (int q = 0; q < GQ__N; q++) {
			const struct gate_shift *sh = &s->shift[q];
			bool ok = !s->shift_err[q];

			json_array_append_new(
			    cmp,
			    json_pack(
				"{s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:o, s:[o,o], s:o, s:s, s:o, "
				"s:s}",
				"name", s->name, "metric", r->o->metric, "statistic",
				gate_q_names[q], "decisive", q == dq, "n", (json_int_t)sh->n, "a",
				side_json(s->a[q], s->na), "b", side_json(s->b[q], s->nb),
				"change_pct", jnum(ok ? gate_pct(sh->est) : NAN), "ci95_pct",
				jnum(ok ? gate_pct(sh->lo) : NAN),
				jnum(ok ? gate_pct(sh->hi) : NAN), "p", jnum(ok ? sh->p : NAN),
				"test",
				r->paired ? "wilcoxon-signed-rank" : "welch-t-on-run-summaries",
				"statistic_value", jnum(ok ? sh->stat : NAN), "verdict",
				gate_verdict_name(s->verdict[q])));
		}
	}
	return json_pack("{s:s, s:I, s:I, s:o, s:o, s:s, s:o}", "phase", ph->name, "pairs",
			 (json_int_t)ph->pairs, "looks", (json_int_t)ph->looks, "alpha_spent",
			 jnum(r->paired ? ph->alpha_spent : NAN), "elapsed_s", jnum(ph->elapsed_s),
			 "verdict", gate_verdict_name(ph->verdict), "comparisons", cmp);
}

json_t *gate_verdict_json(const struct gate_report *r)
{
	const struct gate_opts *o = r->o;
	json_t *v, *phases = json_array();

	for (size_t i = 0; i < r->n_phases; i++)
		json_array_append_new(phases, phase_json(r, &r->phases[i]));
	v = json_pack("{s:s, s:s, s:b, s:s, s:i, s:s, s:s, s:s, s:f, s:f, s:o}", "schema",
		      "spawnscope-gate/1", "mode", r->paired ? "paired" : "saved", "weaker",
		      !r->paired, "verdict", gate_verdict_name(r->verdict), "exit_status",
		      r->exit_status, "note", r->note ? r->note : "", "metric", o->metric,
		      "quantile", o->quantile, "threshold_pct", o->threshold * 100, "noise_pct",
		      o->noise * 100, "phases", phases);
	if (!v)
		return NULL;
	if (r->paired) {
		json_object_set_new(v, "a", argv_json(o->a_argv));
		json_object_set_new(v, "b", argv_json(o->b_argv));
		json_object_set_new(v, "block_samples", json_integer(o->block));
		json_object_set_new(v, "budget_s", json_real(o->budget_s));
		json_object_set_new(v, "min_pairs", json_integer(o->min_pairs));
		json_object_set_new(v, "seed", json_integer((json_int_t)r->seed));
		json_object_set_new(v, "elapsed_s", jnum(r->elapsed_s));
		json_object_set_new(v, "confirmed",
				    json_boolean(r->n_phases == 2 && r->verdict == GV_REGRESSION));
	} else {
		json_object_set_new(v, "baseline", json_string(o->baseline));
		json_object_set_new(v, "current", json_string(o->current));
	}
	return v;
}

static int fill_markdown(FILE *f, void *arg)
{
	gate_markdown(arg, f);
	return ferror(f) ? -EIO : 0;
}

static int fill_json(FILE *f, void *arg)
{
	if (json_dumpf(arg, f, JSON_INDENT(2)))
		return -EIO;
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

/* Build doc and write it to dir/name atomically; 0, or 2 with a message printed. */
static int write_json(json_t *doc, const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	int e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!doc) {
		fprintf(stderr, "spawnscope gate: %s: cannot build the JSON\n", path);
		return 2;
	}
	e = atomic_write(path, fill_json, doc);
	json_decref(doc);
	if (e) {
		fprintf(stderr, "spawnscope gate: %s: %s\n", path, strerror(-e));
		return 2;
	}
	return 0;
}

int gate_write_outputs(const struct gate_report *r, const char *dir)
{
	char path[PATH_MAX + 64], written[1024] = "summary.md, verdict.json";
	size_t used = strlen(written);
	int rc = 0, e;

	gate_markdown(r, stdout);
	fflush(stdout);
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	if ((e = atomic_write(path, fill_markdown, (void *)r))) {
		fprintf(stderr, "spawnscope gate: %s: %s\n", path, strerror(-e));
		rc = 2;
	}
	if (write_json(gate_verdict_json(r), dir, "verdict.json"))
		rc = 2;
	for (size_t i = 0; i < gate_n_exports; i++) {
		const struct gate_export *x = &gate_exports[i];

		if (!(r->o->exports >> i & 1))
			continue;
		if (write_json(x->build(r), dir, x->file))
			rc = 2;
		if (used < sizeof(written))
			used += (size_t)snprintf(written + used, sizeof(written) - used, ", %s",
						 x->file);
	}
	if (!rc && !r->o->quiet)
		fprintf(stderr, "gate: outputs in %s (%s)\n", dir, written);
	return rc;
}
