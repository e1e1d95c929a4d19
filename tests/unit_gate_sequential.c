/* Operating characteristics of the paired gate's sequential design, run through the project's
 * own decision code (gate_sequential: looks, alpha spending, gate_decide, the confirmation
 * phase) on seeded synthetic pairs with noise and clustering: per-pair log-ratio noise of
 * 4, 6 and 10 % (the gate runs here measured 3.5-6 %; issue 11 saw 6-10 %), pairs correlated
 * (AR(1), lag-1 0.3) and 5 % of pairs hit on one side by +30 %. Each simulated pair takes 1 s
 * of a 60 s budget (the default-option gate runs here took 0.6-0.9 s a pair). Wanted: A/A
 * false alarms <= 5 % and +3 % flagged <= 5 % at every noise level; +10 % caught >= 95 % at
 * the noise measured here (4 and 6 %); at 10 % the power within 60 s is printed. */
#include "synth.h"
#include "tap.h"
#include "bench/gate/gate.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GATES 300

struct sim {
	double shift, sd, clock, ar;
	uint64_t state;
};

static double unif(struct sim *s)
{
	return synth_unif(&s->state);
}

static double gauss(struct sim *s)
{
	return synth_gauss(&s->state);
}

static int sim_pair(void *ctx, struct gate_phase *ph, size_t index)
{
	struct sim *s = ctx;
	double noise, a, b;

	(void)index;
	if (!ph->series) {
		ph->series = calloc(1, sizeof(*ph->series));
		if (!ph->series || !(ph->series->name = strdup("sim")))
			return 2;
		ph->n_series = 1;
	}
	/* The pair's log-ratio noise: AR(1) with lag-1 0.3 and stationary sd s->sd. */
	s->ar = 0.3 * s->ar + sqrt(1 - 0.09) * s->sd * gauss(s);
	noise = s->ar;
	if (unif(s) < 0.05) /* one side of the pair hit by other load */
		noise += unif(s) < 0.5 ? log(1.3) : -log(1.3);
	a = 50e3 * exp(0.1 * gauss(s)); /* the machine's level moves both sides alike */
	b = a * exp(s->shift + noise);
	s->clock += 1.0;
	if (gate_series_push(ph->series, false, a, a * 1.1) ||
	    gate_series_push(ph->series, true, b, b * 1.1))
		return 2;
	return 0;
}

static double sim_now(void *ctx)
{
	return ((struct sim *)ctx)->clock;
}

struct tally {
	unsigned regression, pass, inconclusive;
	double seconds;
};

static void run_gates(double shift, double sd, uint64_t seed, struct tally *t)
{
	struct gate_opts o;

	gate_opts_defaults(&o);
	o.quiet = true;
	memset(t, 0, sizeof(*t));
	for (int g = 0; g < GATES; g++) {
		struct sim s = {shift, sd, 0, 0, seed * 1000003 + (uint64_t)g};
		const struct gate_source src = {&s, sim_pair, sim_now, NULL};
		struct gate_report r;
		bool no_room = false;

		memset(&r, 0, sizeof(r));
		r.o = &o;
		r.paired = true;
		if (gate_sequential(&o, &src, o.budget_s, &r, &no_room)) {
			t->inconclusive = GATES + 1; /* an error: fails every check below */
			return;
		}
		t->regression += r.verdict == GV_REGRESSION;
		t->pass += r.verdict == GV_PASS || r.verdict == GV_IMPROVED;
		t->inconclusive += r.verdict == GV_INCONCLUSIVE;
		t->seconds += s.clock;
		for (size_t p = 0; p < r.n_phases; p++) {
			for (size_t i = 0; i < r.phases[p].n_series; i++)
				gate_series_free(&r.phases[p].series[i]);
			free(r.phases[p].series);
		}
	}
}

int main(void)
{
	static const double sds[3] = {0.04, 0.06, 0.10};
	double sum = 0;

	tap_plan(9);
	for (size_t k = 1; k < 10000; k++)
		sum += gate_look_alpha(k);
	tap_ok(sum < GATE_ALPHA && sum > GATE_ALPHA * 0.999,
	       "the looks' alphas sum to at most %g (10^4 looks: %.6f)", GATE_ALPHA, sum);
	for (int i = 0; i < 3; i++) {
		struct tally aa, small, big;

		run_gates(0, sds[i], 1 + (uint64_t)i, &aa);
		run_gates(log(1.03), sds[i], 11 + (uint64_t)i, &small);
		run_gates(log(1.10), sds[i], 21 + (uint64_t)i, &big);
		tap_ok(aa.regression <= GATES * 5 / 100,
		       "noise %.0f %%: A/A flagged in %u of %d gates (pass %u, inconclusive %u, "
		       "mean %.0f s)",
		       100 * sds[i], aa.regression, GATES, aa.pass, aa.inconclusive,
		       aa.seconds / GATES);
		tap_ok(small.regression <= GATES * 5 / 100,
		       "noise %.0f %%: +3 %% flagged in %u of %d gates (pass %u, inconclusive %u)",
		       100 * sds[i], small.regression, GATES, small.pass, small.inconclusive);
		if (sds[i] <= 0.06) /* the noise measured here: the power must be there */
			tap_ok(
			    big.regression >= GATES * 95 / 100,
			    "noise %.0f %%: +10 %% caught in %u of %d gates (pass %u, inconclusive "
			    "%u, mean %.0f s)",
			    100 * sds[i], big.regression, GATES, big.pass, big.inconclusive,
			    big.seconds / GATES);
		else /* beyond it, only the error rates are promised; the power is reported */
			tap_diag("noise %.0f %%: +10 %% caught in %u of %d gates within 60 s (pass "
				 "%u, inconclusive %u, mean %.0f s): a larger --budget is needed",
				 100 * sds[i], big.regression, GATES, big.pass, big.inconclusive,
				 big.seconds / GATES);
	}
	return tap_done();
}
