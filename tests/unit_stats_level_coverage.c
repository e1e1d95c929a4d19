/* Back-to-back runs on a machine whose level wanders: are the widened intervals
 * (stats_level_widen over stats_cluster_ci) honest where the block bootstrap alone is not?
 * Seeded synthetic runs, consecutive windows of one level process, so that neighbouring
 * runs are back-to-back runs: 5 interleaved arms x 100 rounds x 5 samples, each sample
 * log t = arm cost + level(round) + arm-round noise (3 %) + sample noise (10 %); the level
 * is a slow AR(1) (lag-1 0.99 per round: it hardly returns within a run) plus a fast one
 * (lag-1 0.3), the two sds below. Wanted for arm 0's p50: the intervals of two back-to-back
 * runs overlap >= 95 % of the time, and an interval covers the level-free truth exp(cost)
 * in 90-99.5 % of runs on a steady machine (slow sd 0); the block bootstrap alone is printed
 * beside it. */
#include "synth.h"
#include "tap.h"
#include "bench/lib/stats_cluster.h"
#include "bench/lib/stats_level.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ARMS 5
#define ROUNDS 100
#define PER 5
#define RUNS 120

struct model {
	const char *name;
	double slow_sd, fast_sd;
};

struct level_proc {
	double slow, fast;
	uint64_t state;
};

static double next_level(struct level_proc *p, const struct model *m)
{
	p->slow = 0.99 * p->slow + sqrt(1 - 0.99 * 0.99) * m->slow_sd * synth_gauss(&p->state);
	p->fast = 0.3 * p->fast + sqrt(1 - 0.3 * 0.3) * m->fast_sd * synth_gauss(&p->state);
	return p->slow + p->fast;
}

/* One run: arm 0's interval, within (block bootstrap) and widened by the level's wander. */
static void one_run(struct level_proc *p, const struct model *m, uint64_t seed, double within[2],
		    double widened[2], double *est)
{
	static double x[ROUNDS * PER], lq[ARMS * ROUNDS], blk[PER];
	static uint32_t cl[ROUNDS * PER];
	struct level_course c;
	struct stats st;
	size_t nb, run;

	for (size_t r = 0; r < ROUNDS; r++) {
		double level = next_level(p, m);

		for (size_t a = 0; a < ARMS; a++) {
			double arm_round = 0.03 * synth_gauss(&p->state);

			for (size_t i = 0; i < PER; i++) {
				double v = exp(log(40e3 * (double)(a + 1)) + level + arm_round +
					       0.10 * synth_gauss(&p->state));

				blk[i] = v;
				if (a == 0) {
					x[r * PER + i] = v;
					cl[r * PER + i] = (uint32_t)r;
				}
			}
			qsort(blk, PER, sizeof(*blk), cmp_double);
			lq[a * ROUNDS + r] = log(quantile_sorted(blk, PER, 0.5));
		}
	}
	stats_compute(x, ROUNDS * PER, seed, &st);
	stats_cluster_ci(x, cl, ROUNDS * PER, seed, &st, &nb, &run);
	within[0] = widened[0] = st.ci95_p50[0];
	within[1] = widened[1] = st.ci95_p50[1];
	*est = st.p50;
	if (stats_level_course(lq, ARMS, ROUNDS, &c) == 0)
		stats_level_widen(st.p50, widened, c.sd);
}

static bool overlap(const double a[2], const double b[2])
{
	return a[0] <= b[1] && b[0] <= a[1];
}

int main(void)
{
	const struct model models[] = {
	    {"steady (fast wander 8 %)", 0, 0.08},
	    {"drifting (slow 3 %, fast 6 %)", 0.03, 0.06},
	    {"drifting hard (slow 5 %, fast 6 %)", 0.05, 0.06},
	};

	tap_plan(4);
	for (size_t k = 0; k < sizeof(models) / sizeof(models[0]); k++) {
		struct level_proc p = {.state = 1000 + k};
		double prev_in[2] = {0}, prev_wd[2] = {0}, truth = 40e3;
		size_t ov_in = 0, ov_wd = 0, cov_in = 0, cov_wd = 0;

		for (size_t i = 0; i < RUNS; i++) {
			double in[2], wd[2], est;

			one_run(&p, &models[k], 77 + i, in, wd, &est);
			cov_in += in[0] <= truth && truth <= in[1];
			cov_wd += wd[0] <= truth && truth <= wd[1];
			if (i) {
				ov_in += overlap(in, prev_in);
				ov_wd += overlap(wd, prev_wd);
			}
			prev_in[0] = in[0], prev_in[1] = in[1];
			prev_wd[0] = wd[0], prev_wd[1] = wd[1];
		}
		printf("# %s: back-to-back overlap %.1f %% (block bootstrap alone %.1f %%); "
		       "truth covered %.1f %% (alone %.1f %%)\n",
		       models[k].name, 100.0 * ov_wd / (RUNS - 1), 100.0 * ov_in / (RUNS - 1),
		       100.0 * cov_wd / RUNS, 100.0 * cov_in / RUNS);
		if (k == 0)
			tap_ok(cov_wd >= 0.90 * RUNS && cov_wd <= 0.995 * RUNS,
			       "%s: the widened interval covers the truth in %.1f %% of runs "
			       "(90-99.5 %%)",
			       models[k].name, 100.0 * cov_wd / RUNS);
		if (k < 2)
			tap_ok(ov_wd >= 0.95 * (RUNS - 1),
			       "%s: back-to-back intervals overlap in %.1f %% of pairs (>= 95 %%)",
			       models[k].name, 100.0 * ov_wd / (RUNS - 1));
		else
			tap_ok(ov_wd > ov_in, "%s: widening helps (%.1f %% against %.1f %%)",
			       models[k].name, 100.0 * ov_wd / (RUNS - 1),
			       100.0 * ov_in / (RUNS - 1));
	}
	return tap_done();
}
