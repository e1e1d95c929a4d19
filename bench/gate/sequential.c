/*
 * The paired gate's sequential design: when it looks at the data, what each look may spend,
 * and the two phases (a first run, then a confirmation run when the first flags a regression).
 * Pure decision code: the pairs come from a source (the block runs of paired.c, or the
 * synthetic pairs of the operating-characteristics test), time from the source's clock.
 *
 * Looks come after every --min-pairs-th pair (n = m, 2m, 3m, ...) and once more when the
 * budget or --max-pairs ends the phase. Look k uses a two-sided (1 - alpha_k) interval with
 * alpha_k = GATE_ALPHA * 6 / (pi^2 k^2): the alpha_k sum to GATE_ALPHA over any number of looks,
 * so by the union bound (Bonferroni over looks; the group-sequential idea of Pocock 1977 and
 * the alpha-spending of Lan & DeMets 1983, with a spending sequence that needs no planned
 * number of looks) the chance that ANY look's interval misses the true shift is at most
 * GATE_ALPHA, however the phase ends. A false regression needs a miss on the low side in the
 * first phase and again in the independent confirmation phase.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gate.h"

double gate_look_alpha(size_t look)
{
	double k = (double)(look ? look : 1);

	return GATE_ALPHA * 6 / (M_PI * M_PI * k * k);
}

/* A look: every series' shifts at this look's level, and the combined decisive verdict. */
static enum gate_verdict look(const struct gate_opts *o, struct gate_phase *ph, bool final)
{
	const struct gate_rule rule = {o->threshold, o->noise, (size_t)o->min_pairs};
	enum gate_verdict *v = calloc(ph->n_series ? ph->n_series : 1, sizeof(*v));
	enum gate_verdict all;
	int dq = gate_decisive_q(o);
	double alpha = gate_look_alpha(++ph->looks);

	if (!v)
		return final ? GV_INCONCLUSIVE : GV_CONTINUE;
	ph->alpha_spent += alpha;
	for (size_t i = 0; i < ph->n_series; i++) {
		struct gate_series *s = &ph->series[i];
		for (int q = 0; q < GQ__N; q++) {
			s->shift_err[q] =
			    gate_shift_paired_level(s->a[q], s->b[q], s->na, alpha, &s->shift[q]);
			s->verdict[q] = s->shift_err[q] ? (final ? GV_INCONCLUSIVE : GV_CONTINUE)
							: gate_decide(&s->shift[q], &rule, final);
		}
		v[i] = s->verdict[dq];
	}
	all = gate_combine(v, ph->n_series, final);
	free(v);
	return all;
}

/* Pairs until a decision, the deadline, or --max-pairs. In the initial phase, a regression
 * found with too little budget left for a confirmation sets *no_room. */
static int run_phase(const struct gate_opts *o, const struct gate_source *src,
		     struct gate_phase *ph, double deadline, bool initial, bool *no_room,
		     struct gate_pace *pace)
{
	double t0 = src->now(src->ctx);

	ph->verdict = GV_CONTINUE;
	*no_room = false;
	while (ph->verdict == GV_CONTINUE) {
		double now = src->now(src->ctx), est = pace->pairs ? pace->s_sum / pace->pairs : 0;
		bool final;
		int rc;

		if (ph->pairs >= (size_t)o->max_pairs || now + est > deadline) {
			ph->verdict = look(o, ph, true);
			break;
		}
		if ((rc = src->pair(src->ctx, ph, ph->pairs)))
			return rc;
		ph->pairs++;
		pace->pairs++;
		pace->s_sum += src->now(src->ctx) - now;
		now = src->now(src->ctx);
		est = pace->s_sum / pace->pairs;
		final = ph->pairs >= (size_t)o->max_pairs || now + est > deadline;
		if (final || ph->pairs % (size_t)o->min_pairs == 0) {
			ph->verdict = look(o, ph, final);
			if (src->progress)
				src->progress(src->ctx, ph);
		}
		/* A confirmation needs about --min-pairs pairs: with less time left than that,
		 * a first regression cannot be confirmed within the budget. */
		if (initial && ph->verdict == GV_REGRESSION &&
		    deadline - now < (double)o->min_pairs * est * 1.25)
			*no_room = true;
	}
	ph->elapsed_s = src->now(src->ctx) - t0;
	return 0;
}

int gate_sequential(const struct gate_opts *o, const struct gate_source *src, double deadline,
		    struct gate_report *r, bool *no_room)
{
	struct gate_pace pace = {0, 0};
	int rc;

	r->phases[0].name = "initial";
	r->n_phases = 1;
	rc = run_phase(o, src, &r->phases[0], deadline, true, no_room, &pace);
	if (!rc && r->phases[0].verdict == GV_REGRESSION && !*no_room) {
		if (!o->quiet)
			fprintf(stderr, "gate: regression flagged; confirming with a second run\n");
		r->phases[1].name = "confirmation";
		r->n_phases = 2;
		rc = run_phase(o, src, &r->phases[1], deadline, false, no_room, &pace);
		*no_room = false;
	}
	if (rc)
		return rc;
	r->verdict = r->phases[r->n_phases - 1].verdict;
	if (*no_room)
		r->verdict = GV_INCONCLUSIVE;
	return 0;
}
