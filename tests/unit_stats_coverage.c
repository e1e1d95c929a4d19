/* Does a "95 %" interval of bench/stats_cluster.c cover the truth 95 % of the time when the
 * samples are clustered the way spawn samples are here (whole rounds fast or slow, neighbouring
 * rounds alike)? Seeded synthetic runs whose true quantiles are known in closed form; the
 * generator shares nothing with the code under test (its own PRNG and normal draws). The
 * sample bootstrap (stats_compute) is run on the same data to show the data are clustered
 * enough to matter: it must undercover. */
#include "tap.h"
#include "../bench/stats_cluster.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define ROUNDS 100
#define PER_ROUND 10
#define REPS 300

static uint64_t lcg_state;

static double unif(void) /* 64-bit LCG (Knuth's MMIX constants), top 53 bits, in (0, 1) */
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(lcg_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void) /* Box-Muller, one of the pair */
{
	return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif());
}

struct model {
	const char *name;
	double sd_round, sd_sample, phi; /* log scale: AR(1) round effect and sample noise */
	double p_slow, stay_slow;	 /* Markov slow state: stationary share, persistence */
	double slow;			 /* log of the slow state's factor */
};

/* P(X <= x) for the stationary marginal: a mixture of two normals on the log scale. */
static double marginal_cdf(const struct model *m, double lx)
{
	double sd = sqrt(m->sd_round * m->sd_round + m->sd_sample * m->sd_sample);
	double fast = 0.5 * erfc(-lx / (sd * M_SQRT2));
	double slow = 0.5 * erfc(-(lx - m->slow) / (sd * M_SQRT2));

	return (1 - m->p_slow) * fast + m->p_slow * slow;
}

static double true_quantile(const struct model *m, double q)
{
	double lo = -10, hi = 10;

	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;
		if (marginal_cdf(m, mid) < q)
			lo = mid;
		else
			hi = mid;
	}
	return exp((lo + hi) / 2) * 1e5; /* 100 µs scale */
}

static void generate(const struct model *m, double *x, uint32_t *round)
{
	double b = gauss() * m->sd_round;
	int slow = unif() < m->p_slow;
	/* Leaving the slow state at rate 1 - stay keeps the stationary share p_slow. */
	double enter = (1 - m->stay_slow) * m->p_slow / (1 - m->p_slow);

	for (uint32_t r = 0; r < ROUNDS; r++) {
		b = m->phi * b + sqrt(1 - m->phi * m->phi) * m->sd_round * gauss();
		slow = slow ? unif() < m->stay_slow : unif() < enter;
		for (int i = 0; i < PER_ROUND; i++) {
			size_t k = (size_t)r * PER_ROUND + (size_t)i;
			x[k] = exp(b + (slow ? m->slow : 0) + m->sd_sample * gauss()) * 1e5;
			round[k] = r;
		}
	}
}

static void coverage(const struct model *m)
{
	static double x[ROUNDS * PER_ROUND];
	static uint32_t round[ROUNDS * PER_ROUND];
	double t50 = true_quantile(m, 0.5), t10 = true_quantile(m, 0.1);
	unsigned c50 = 0, c10 = 0, n50 = 0, n10 = 0;
	size_t nb = 0, run = 0;
	int ok = 1;

	for (int rep = 0; rep < REPS; rep++) {
		struct stats st, naive;

		generate(m, x, round);
		ok &= stats_compute(x, ROUNDS * PER_ROUND, 1000 + (uint64_t)rep, &st) == 0;
		naive = st;
		ok &= stats_cluster_ci(x, round, ROUNDS * PER_ROUND, 1000 + (uint64_t)rep, &st, &nb,
				       &run) == 0;
		c50 += st.ci95_p50[0] <= t50 && t50 <= st.ci95_p50[1];
		c10 += st.ci95_p10[0] <= t10 && t10 <= st.ci95_p10[1];
		n50 += naive.ci95_p50[0] <= t50 && t50 <= naive.ci95_p50[1];
		n10 += naive.ci95_p10[0] <= t10 && t10 <= naive.ci95_p10[1];
	}
	tap_ok(ok && nb == ROUNDS && run == 10, "%s: %d runs bootstrapped over %zu rounds, run %zu",
	       m->name, REPS, nb, run);
	tap_ok(c50 >= 0.90 * REPS && c50 <= 0.98 * REPS,
	       "%s: block-bootstrap p50 interval covers the true %.0f in %.1f%% of runs (90-98)",
	       m->name, t50, 100.0 * c50 / REPS);
	tap_ok(c10 >= 0.90 * REPS && c10 <= 0.98 * REPS,
	       "%s: block-bootstrap p10 interval covers the true %.0f in %.1f%% of runs (90-98)",
	       m->name, t10, 100.0 * c10 / REPS);
	tap_ok(n50 < 0.85 * REPS,
	       "%s: the sample bootstrap undercovers p50 (%.1f%%): the data are clustered", m->name,
	       100.0 * n50 / REPS);
	tap_diag("%s: sample-bootstrap p10 coverage %.1f%%", m->name, 100.0 * n10 / REPS);
}

int main(void)
{
	/* Like vfork here: rounds drift (sd 8 %, lag-1 0.5), samples spread 10 %; the second
	 * model adds runs of slow rounds (the child on the other CPU) x2.2, 10 % of rounds. */
	const struct model drift = {"drifting rounds", 0.08, 0.10, 0.3, 0, 0, 0};
	const struct model modes = {"drift + slow rounds", 0.08, 0.10, 0.3, 0.10, 0.6, log(2.2)};

	const struct model flat = {"independent rounds", 0.08, 0.10, 0, 0, 0, 0};

	tap_plan(12);
	lcg_state = 20261129;
	coverage(&flat);
	coverage(&drift);
	coverage(&modes);
	return tap_done();
}
