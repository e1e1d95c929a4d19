/* Does a "95 %" interval of bench/lib/stats_cluster.c cover the truth 95 % of the time when the
 * samples are clustered the way spawn samples are here (whole rounds fast or slow, neighbouring
 * rounds alike)? Seeded synthetic runs whose true quantiles are known in closed form; the
 * generator shares nothing with the code under test (its own PRNG and normal draws). The
 * sample bootstrap (stats_compute) is run on the same data to show the data are clustered
 * enough to matter: it must undercover. */
#include "synth.h"
#include "tap.h"
#include "bench/lib/stats_cluster.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_ROUNDS 100

/* Under ASan/UBSan (make asan-test) the simulation runs a tenth of its runs: enough to catch a
 * memory error, too few to measure coverage, which the plain build checks. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif
#define PER_ROUND 10
#define REPS 400

static uint64_t lcg_state;

static double unif(void)
{
	return synth_unif(&lcg_state);
}

static double gauss(void)
{
	return synth_gauss(&lcg_state);
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

static void generate(const struct model *m, uint32_t rounds, double *x, uint32_t *round)
{
	double b = gauss() * m->sd_round;
	int slow = unif() < m->p_slow;
	/* Leaving the slow state at rate 1 - stay keeps the stationary share p_slow. */
	double enter = (1 - m->stay_slow) * m->p_slow / (1 - m->p_slow);

	for (uint32_t r = 0; r < rounds; r++) {
		b = m->phi * b + sqrt(1 - m->phi * m->phi) * m->sd_round * gauss();
		slow = slow ? unif() < m->stay_slow : unif() < enter;
		for (int i = 0; i < PER_ROUND; i++) {
			size_t k = (size_t)r * PER_ROUND + (size_t)i;
			x[k] = exp(b + (slow ? m->slow : 0) + m->sd_sample * gauss()) * 1e5;
			round[k] = r;
		}
	}
}

static double x_few[MAX_ROUNDS * PER_ROUND];
static uint32_t round_few[MAX_ROUNDS * PER_ROUND];

static void coverage(const struct model *m, uint32_t rounds, size_t want_run)
{
	/* Short runs are cheap: more of them pin their coverage to about +-1 %. */
	const int reps = (rounds >= 100 ? REPS : 800) / (SANITIZED ? 10 : 1);
	static double x[MAX_ROUNDS * PER_ROUND];
	static uint32_t round[MAX_ROUNDS * PER_ROUND];
	size_t n = (size_t)rounds * PER_ROUND;
	double t50 = true_quantile(m, 0.5), t10 = true_quantile(m, 0.1);
	unsigned c50 = 0, c10 = 0, n50 = 0, n10 = 0;
	size_t nb = 0, run = 0;
	int ok = 1;

	for (int rep = 0; rep < reps; rep++) {
		struct stats st, naive;

		generate(m, rounds, x, round);
		ok &= stats_compute(x, n, 1000 + (uint64_t)rep, &st) == 0;
		naive = st;
		ok &= stats_cluster_ci(x, round, n, 1000 + (uint64_t)rep, &st, &nb, &run) == 0;
		c50 += st.ci95_p50[0] <= t50 && t50 <= st.ci95_p50[1];
		c10 += st.ci95_p10[0] <= t10 && t10 <= st.ci95_p10[1];
		n50 += naive.ci95_p50[0] <= t50 && t50 <= naive.ci95_p50[1];
		n10 += naive.ci95_p10[0] <= t10 && t10 <= naive.ci95_p10[1];
	}
	tap_ok(ok && nb == rounds && run == want_run,
	       "%s, %u rounds: %d runs bootstrapped over %zu rounds, run %zu", m->name, rounds,
	       reps, nb, run);
	if (SANITIZED) {
		for (int k = 0; k < 3; k++)
			tap_skip_test("sanitizer build: coverage is checked by the plain build",
				      "%s, %u rounds: coverage (%.1f%% p50, %.1f%% p10 in %d runs)",
				      m->name, rounds, 100.0 * c50 / reps, 100.0 * c10 / reps,
				      reps);
		return;
	}
	tap_ok(c50 >= 0.90 * reps && c50 <= 0.98 * reps,
	       "%s, %u rounds: block-bootstrap p50 interval covers the true %.0f in %.1f%% of "
	       "runs (90-98)",
	       m->name, rounds, t50, 100.0 * c50 / reps);
	tap_ok(c10 >= 0.90 * reps && c10 <= 0.98 * reps,
	       "%s, %u rounds: block-bootstrap p10 interval covers the true %.0f in %.1f%% of runs "
	       "(90-98)",
	       m->name, rounds, t10, 100.0 * c10 / reps);
	tap_ok(n50 < 0.85 * reps,
	       "%s: the sample bootstrap undercovers p50 (%.1f%%): the data are clustered", m->name,
	       100.0 * n50 / reps);
	tap_diag("%s: sample-bootstrap p10 coverage %.1f%%", m->name, 100.0 * n10 / reps);
}

int main(void)
{
	/* Like vfork here: rounds drift (sd 8 %, lag-1 0.5), samples spread 10 %; the second
	 * model adds runs of slow rounds (the child on the other CPU) x2.2, 10 % of rounds. */
	const struct model drift = {"drifting rounds", 0.08, 0.10, 0.3, 0, 0, 0};
	const struct model modes = {"drift + slow rounds", 0.08, 0.10, 0.3, 0.10, 0.6, log(2.2)};

	const struct model flat = {"independent rounds", 0.08, 0.10, 0, 0, 0, 0};

	tap_plan(24 + 2 + 3);
	lcg_state = 20261129;
	/* 100 rounds: a default run (2,000 samples in blocks of 20); 40: the fewest that get an
	 * interval (at 20 and 30 rounds, runs of slow rounds gave p10 coverage 89-91 %). */
	coverage(&flat, 100, 10);
	coverage(&drift, 100, 10);
	coverage(&modes, 100, 10);
	coverage(&flat, 40, 6);
	coverage(&drift, 40, 6);
	coverage(&modes, 40, 6);
	{
		struct stats st;
		size_t nb, run;

		generate(&drift, STATS_CLUSTER_MIN_ROUNDS - 1, x_few, round_few);
		int rc =
		    stats_cluster_ci(x_few, round_few, (STATS_CLUSTER_MIN_ROUNDS - 1) * PER_ROUND,
				     1, &st, &nb, &run);
		tap_ok(rc == 0 && nb == STATS_CLUSTER_MIN_ROUNDS - 1 && isnan(st.ci95_p50[0]) &&
			   isnan(st.ci95_p10[1]),
		       "%d rounds: no interval (NaN), the rounds counted",
		       STATS_CLUSTER_MIN_ROUNDS - 1);
		tap_ok(stats_cluster_ci(x_few, round_few, 0, 1, &st, &nb, &run) == -EINVAL,
		       "no sample: -EINVAL");
	}
	{
		/* Rounds {1,2,3}, {2,3,4}, {3,4,5} (given out of order): round p50s 2, 3, 4 and
		 * p10s 1.2, 2.2, 3.2, each with sd 1, so both standard errors are 1/sqrt(3). */
		const double v[9] = {3, 4, 5, 1, 2, 3, 2, 3, 4};
		const uint32_t r[9] = {9, 9, 9, 1, 1, 1, 4, 4, 4};
		double se[2];
		size_t rounds;
		int rc = stats_round_se(v, r, 9, se, &rounds);

		tap_ok(rc == 0 && rounds == 3 && fabs(se[0] - 1 / sqrt(3)) < 1e-12 &&
			   fabs(se[1] - 1 / sqrt(3)) < 1e-12,
		       "round standard errors: p10 %g, p50 %g (1/sqrt(3) each)", se[0], se[1]);
		rc = stats_round_se(v, r, 6, se, &rounds);
		tap_ok(rc == 0 && rounds == 2 && isnan(se[0]) && isnan(se[1]),
		       "two rounds: no standard error (NaN)");
	}
	{
		/* The same samples in another order and the same seed: the same interval. */
		struct stats a, b;
		size_t nb, run;

		generate(&drift, 50, x_few, round_few);
		stats_cluster_ci(x_few, round_few, 500, 3, &a, &nb, &run);
		for (size_t i = 0; i < 250; i++) {
			double t = x_few[i];
			uint32_t u = round_few[i];

			x_few[i] = x_few[499 - i];
			round_few[i] = round_few[499 - i];
			x_few[499 - i] = t;
			round_few[499 - i] = u;
		}
		stats_cluster_ci(x_few, round_few, 500, 3, &b, &nb, &run);
		tap_ok(a.ci95_p50[0] == b.ci95_p50[0] && a.ci95_p50[1] == b.ci95_p50[1] &&
			   a.ci95_p10[0] == b.ci95_p10[0] && a.ci95_p10[1] == b.ci95_p10[1] &&
			   isfinite(a.ci95_p50[0]),
		       "a seed reproduces the interval whatever the sample order");
	}
	return tap_done();
}
