/* bench/lib/stats.c against hand-computed vectors. Expected values are type-7 quantiles (R's
 * default) worked by hand, or computed with plain python3 (no numpy) as noted: the script is
 * tests/ref/stats_ref.py. */
#include "tap.h"
#include "bench/lib/stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static int near(double got, double want, double tol)
{
	if (isnan(want))
		return isnan(got);
	return fabs(got - want) <= tol;
}

#define NEAR(got, want, tol, what)                                                                 \
	tap_ok(near((got), (want), (tol)), "%s: got %.10g, want %.10g", (what), (double)(got),     \
	       (double)(want))

static void test_quantiles(void)
{
	double one_to_ten[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	double single[1] = {42};

	/* 1..10: h = 9q, so p10 = x[0.9] = 1.9, p50 = 5.5, p90 = 9.1, p99 = x[8.91] = 9.91. */
	NEAR(quantile_sorted(one_to_ten, 10, 0.10), 1.9, 1e-12, "1..10 p10");
	NEAR(quantile_sorted(one_to_ten, 10, 0.50), 5.5, 1e-12, "1..10 p50");
	NEAR(quantile_sorted(one_to_ten, 10, 0.90), 9.1, 1e-12, "1..10 p90");
	NEAR(quantile_sorted(one_to_ten, 10, 0.99), 9.91, 1e-12, "1..10 p99");
	NEAR(quantile_sorted(one_to_ten, 10, 0.0), 1, 0, "1..10 q=0 is the minimum");
	NEAR(quantile_sorted(one_to_ten, 10, 1.0), 10, 0, "1..10 q=1 is the maximum");
	NEAR(quantile_sorted(single, 1, 0.37), 42, 0, "n=1 quantile is the value");
	tap_ok(isnan(quantile_sorted(one_to_ten, 0, 0.5)), "n=0 quantile is NaN");
}

static void test_summary(void)
{
	/* Unsorted, with ties: sorted 1 1 2 3 3 4 5 5 5 6 9 (n = 11, h = 10q). p10 = x[1] = 1,
	 * p50 = x[5] = 4, p90 = x[9] = 6, p99 = x[9.9] = 6 + 0.9 * 3 = 8.7; mean 44/11 = 4;
	 * squared deviations sum to 56, stddev = sqrt(56/10); |x - 4| sorted
	 * 0 1 1 1 1 1 2 2 3 3 5 -> MAD = 1. */
	double x[11] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}, copy[11];
	struct stats st;

	memcpy(copy, x, sizeof(x));
	tap_ok(stats_compute(x, 11, 1, &st) == 0, "stats_compute on 11 values");
	tap_ok(memcmp(copy, x, sizeof(x)) == 0, "input is not modified");
	tap_ok(st.n == 11, "n = 11 (got %zu)", st.n);
	NEAR(st.min, 1, 0, "min");
	NEAR(st.max, 9, 0, "max");
	NEAR(st.p10, 1, 1e-12, "p10");
	NEAR(st.p50, 4, 1e-12, "p50");
	NEAR(st.p90, 6, 1e-12, "p90");
	NEAR(st.p99, 8.7, 1e-12, "p99");
	NEAR(st.mean, 4, 1e-12, "mean");
	NEAR(st.stddev, sqrt(5.6), 1e-12, "sample stddev");
	NEAR(st.mad, 1, 1e-12, "MAD (unscaled)");

	/* 1..10: |x - 5.5| = 0.5 0.5 1.5 1.5 ... 4.5 4.5 -> MAD 2.5; stddev sqrt(82.5/9). */
	double ten[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
	stats_compute(ten, 10, 1, &st);
	NEAR(st.mad, 2.5, 1e-12, "1..10 MAD");
	NEAR(st.stddev, sqrt(82.5 / 9), 1e-12, "1..10 stddev");
	NEAR(st.p99, 9.91, 1e-12, "1..10 p99 through stats_compute");
}

static void test_numerics(void)
{
	/* Large offset, small spread: naive sum-of-squares loses everything here. Deviations
	 * -6 -3 3 6 from 1e9 + 10: variance (36 + 9 + 9 + 36) / 3 = 30. */
	double x[4] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
	struct stats st;

	stats_compute(x, 4, 1, &st);
	NEAR(st.mean, 1e9 + 10, 1e-6, "mean with a large offset");
	NEAR(st.stddev, sqrt(30), 1e-9, "stddev with a large offset");
}

static void test_edges(void)
{
	double nan_mix[4] = {NAN, 2, NAN, 4}, all_nan[2] = {NAN, NAN}, one[1] = {7.5};
	struct stats st;

	tap_ok(stats_compute(NULL, 0, 1, &st) == 0 && st.n == 0, "n=0: returns 0 with n = 0");
	tap_ok(isnan(st.min) && isnan(st.p50) && isnan(st.max) && isnan(st.mean) &&
		   isnan(st.stddev) && isnan(st.mad) && isnan(st.ci95_p50[0]) &&
		   isnan(st.ci95_p10[1]),
	       "n=0: every field NaN");

	tap_ok(stats_compute(one, 1, 1, &st) == 0 && st.n == 1, "n=1: n = 1");
	tap_ok(st.min == 7.5 && st.p10 == 7.5 && st.p50 == 7.5 && st.p99 == 7.5 && st.max == 7.5 &&
		   st.mean == 7.5,
	       "n=1: every order statistic and the mean are the value");
	tap_ok(st.stddev == 0 && st.mad == 0, "n=1: stddev 0 and MAD 0");
	tap_ok(st.ci95_p50[0] == 7.5 && st.ci95_p50[1] == 7.5 && st.ci95_p10[0] == 7.5 &&
		   st.ci95_p10[1] == 7.5,
	       "n=1: intervals collapse to the value");

	stats_compute(nan_mix, 4, 1, &st);
	tap_ok(st.n == 2, "NaNs are dropped: n = 2 (got %zu)", st.n);
	NEAR(st.mean, 3, 1e-12, "NaN-dropped mean");
	NEAR(st.p50, 3, 1e-12, "NaN-dropped median");
	NEAR(st.stddev, sqrt(2), 1e-12, "NaN-dropped stddev");

	stats_compute(all_nan, 2, 1, &st);
	tap_ok(st.n == 0 && isnan(st.p50), "only NaNs: n = 0, NaN fields");
}

static void test_bootstrap(void)
{
	/* 60 values; the expected interval comes from an independent python3 implementation of
	 * the same procedure (splitmix64 -> xoshiro256**, Lemire draws, 2000 resamples of n
	 * indexes, type-7 quantiles of each resample, 2.5% and 97.5% type-7 quantiles of the
	 * 2000 estimates), seed 7: p50 [39, 63.875], p10 [5.75, 22.85]; sample p50 51.125. */
	double x[60], y[60];
	struct stats a, b, c;

	for (int i = 1; i <= 60; i++)
		x[i - 1] = (i * 37) % 101 + 0.25 * (i % 7);
	stats_compute(x, 60, 7, &a);
	NEAR(a.p50, 51.125, 1e-12, "bootstrap data median");
	NEAR(a.ci95_p50[0], 39, 1e-9, "p50 CI low matches the reference implementation");
	NEAR(a.ci95_p50[1], 63.875, 1e-9, "p50 CI high matches the reference implementation");
	NEAR(a.ci95_p10[0], 5.75, 1e-9, "p10 CI low matches the reference implementation");
	NEAR(a.ci95_p10[1], 22.85, 1e-9, "p10 CI high matches the reference implementation");
	tap_ok(a.ci95_p50[0] <= a.p50 && a.p50 <= a.ci95_p50[1], "p50 CI contains the median");
	tap_ok(a.ci95_p10[0] <= a.p10 && a.p10 <= a.ci95_p10[1], "p10 CI contains p10");

	/* Same data, same seed, other order: the same interval. */
	for (int i = 0; i < 60; i++)
		y[i] = x[59 - i];
	stats_compute(y, 60, 7, &b);
	tap_ok(memcmp(a.ci95_p50, b.ci95_p50, sizeof(a.ci95_p50)) == 0 &&
		   memcmp(a.ci95_p10, b.ci95_p10, sizeof(a.ci95_p10)) == 0,
	       "bootstrap is reproducible for a seed");
	stats_compute(x, 60, 8, &c);
	tap_ok(c.ci95_p50[0] <= c.p50 && c.p50 <= c.ci95_p50[1],
	       "another seed: CI still contains the median [%g, %g]", c.ci95_p50[0], c.ci95_p50[1]);
}

/* Past BOOT_COUNTS_MAX (2048) samples the bootstrap draws each resample's order statistics
 * from Beta distributions instead of drawing every index. */
static void test_bootstrap_large(void)
{
	const size_t n = 5001, big = 50001;
	double *x = malloc(big * sizeof(*x)), *y = malloc(big * sizeof(*y));
	struct stats a, b;

	if (!tap_ok(x && y, "allocate the large vectors")) {
		free(x);
		free(y);
		return;
	}
	/* Reference: the same procedure in python3 (ref. splitmix64/xoshiro256**, polar normal,
	 * Marsaglia-Tsang gamma, Beta = G_a / (G_a + G_b), the order-statistic chain), seed 11:
	 * p50 [1316.5, 1383], p10 [330, 371.5125]; the sample p50 is 1350 and p10 350. The same
	 * python script checked that the two resampling methods give the same bootstrap
	 * distribution (n = 3000, all of its 2.5..97.5% quantiles agree within noise). */
	for (size_t i = 0; i < n; i++)
		x[i] = (double)((i * 7919) % n) * 0.5 + 100;
	stats_compute(x, n, 11, &a);
	NEAR(a.p50, 1350, 1e-9, "n = 5001 median");
	NEAR(a.ci95_p50[0], 1316.5, 1e-6, "n = 5001 p50 CI low matches the reference");
	NEAR(a.ci95_p50[1], 1383, 1e-6, "n = 5001 p50 CI high matches the reference");
	NEAR(a.ci95_p10[0], 330, 1e-6, "n = 5001 p10 CI low matches the reference");
	NEAR(a.ci95_p10[1], 371.5125, 1e-6, "n = 5001 p10 CI high matches the reference");
	for (size_t i = 0; i < n; i++)
		y[i] = x[n - 1 - i];
	stats_compute(y, n, 11, &b);
	tap_ok(memcmp(a.ci95_p50, b.ci95_p50, sizeof(a.ci95_p50)) == 0 &&
		   memcmp(a.ci95_p10, b.ci95_p10, sizeof(a.ci95_p10)) == 0,
	       "large-n bootstrap is reproducible for a seed");

	/* 0, 1, ..., 50000: the resampled q-quantile's index is about normal with sd
	 * sqrt(n q (1 - q)), so the half-widths should be near 1.96 x 111.8 = 219.1 (p50) and
	 * 1.96 x 67.08 = 131.5 (p10); 2000 resamples pin them to a few percent. */
	for (size_t i = 0; i < big; i++)
		x[i] = (double)i;
	stats_compute(x, big, 3, &a);
	double w50 = (a.ci95_p50[1] - a.ci95_p50[0]) / 2, w10 = (a.ci95_p10[1] - a.ci95_p10[0]) / 2;
	tap_ok(a.ci95_p50[0] < 25000 && 25000 < a.ci95_p50[1] && fabs(w50 / 219.1 - 1) < 0.15,
	       "n = 50001 p50 CI [%g, %g] around 25000, half-width %.1f ~ 219", a.ci95_p50[0],
	       a.ci95_p50[1], w50);
	tap_ok(a.ci95_p10[0] < 5000 && 5000 < a.ci95_p10[1] && fabs(w10 / 131.5 - 1) < 0.15,
	       "n = 50001 p10 CI [%g, %g] around 5000, half-width %.1f ~ 131", a.ci95_p10[0],
	       a.ci95_p10[1], w10);
	free(x);
	free(y);
}

static void test_fit(void)
{
	double x[6] = {1, 2, 3, 4, 5, 6}, exact[6], noisy[6] = {2.1, 3.9, 6.2, 7.8, 10.1, 12.2};
	double cx[3] = {2, 2, 2}, cy[3] = {1, 2, 3};
	struct fit f;

	for (int i = 0; i < 6; i++)
		exact[i] = 3 + 2 * x[i];
	tap_ok(fit_linear(x, exact, 6, &f) == 0, "fit on an exact line");
	NEAR(f.slope, 2, 1e-12, "exact slope");
	NEAR(f.intercept, 3, 1e-12, "exact intercept");
	NEAR(f.r2, 1, 1e-12, "exact R^2");
	tap_ok(near(f.slope_ci95[0], 2, 1e-9) && near(f.slope_ci95[1], 2, 1e-9),
	       "exact slope CI is [2, 2]");

	/* By hand: mean x 3.5, mean y 7.05, Sxx 17.5, Sxy 35.35 -> slope 2.02, intercept -0.02;
	 * SSE 0.114, Syy 63.7210 -> R^2 0.998210666; se = sqrt(0.114/4/17.5) = 0.0403556,
	 * t(4) = 2.776445 -> CI [1.901274, 2.138726] (checked with python3). */
	tap_ok(fit_linear(x, noisy, 6, &f) == 0 && f.n == 6, "fit on noisy data");
	NEAR(f.slope, 2.02, 1e-12, "noisy slope");
	NEAR(f.intercept, -0.02, 1e-12, "noisy intercept");
	NEAR(f.r2, 0.9982106661074999, 1e-12, "noisy R^2");
	NEAR(f.slope_ci95[0], 1.9012742133, 1e-5, "noisy slope CI low");
	NEAR(f.slope_ci95[1], 2.1387257867, 1e-5, "noisy slope CI high");

	tap_ok(fit_linear(x, noisy, 1, &f) == -EDOM, "n < 2 is -EDOM");
	tap_ok(fit_linear(cx, cy, 3, &f) == -EDOM, "constant x is -EDOM");
	tap_ok(fit_linear(x, noisy, 2, &f) == 0 && isnan(f.slope_ci95[0]),
	       "n = 2: a fit, but no degrees of freedom for an interval");
}

static void test_t(void)
{
	/* Printed tables of t_{0.975}. */
	NEAR(t_crit95(1), 12.706, 0.0005, "t dof 1");
	NEAR(t_crit95(2), 4.303, 0.0005, "t dof 2");
	NEAR(t_crit95(10), 2.228, 0.0005, "t dof 10");
	NEAR(t_crit95(30), 2.042, 0.0005, "t dof 30");
	NEAR(t_crit95(31), 2.0395, 0.00005, "t dof 31 (first past the table)");
	NEAR(t_crit95(100), 1.984, 0.0005, "t dof 100");
	NEAR(t_crit95(1000000), 1.95996, 0.00001, "t dof 1e6 tends to z");
	int monotone = 1;
	for (size_t d = 1; d < 2000; d++)
		monotone &= t_crit95(d + 1) < t_crit95(d);
	tap_ok(monotone, "t_crit95 decreases with dof");
	tap_ok(isnan(t_crit95(0)), "t dof 0 is NaN");
}

static void test_rng(void)
{
	struct rng r, r2;
	unsigned bucket[10] = {0};
	double chi2 = 0;
	int in_range = 1;

	/* splitmix64 from state 0 gives 0xe220a8397b1dcdaf first (the published reference
	 * value); seed 42's first xoshiro256** outputs come from the python3 reference. */
	rng_seed(&r, 0);
	tap_ok(r.s[0] == 0xe220a8397b1dcdafULL, "splitmix64 seeding: first word");
	rng_seed(&r, 42);
	tap_ok(rng_next(&r) == 0x15780b2e0c2ec716ULL && rng_next(&r) == 0x6104d9866d113a7eULL &&
		   rng_next(&r) == 0xae17533239e499a1ULL,
	       "xoshiro256** known outputs for seed 42");
	rng_seed(&r, 5);
	rng_seed(&r2, 5);
	tap_ok(rng_next(&r) == rng_next(&r2), "same seed, same stream");

	/* 100000 draws in 10 buckets: chi-square with 9 dof; 40 is p ~ 7e-6 (fixed seed). */
	rng_seed(&r, 12345);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng_below(&r, 10);
		in_range &= v < 10;
		bucket[v < 10 ? v : 0]++;
	}
	for (int i = 0; i < 10; i++)
		chi2 += (bucket[i] - 10000.0) * (bucket[i] - 10000.0) / 10000.0;
	tap_ok(in_range, "rng_below(10) stays in range");
	tap_ok(chi2 < 40, "rng_below(10) uniform: chi2 = %.2f (9 dof)", chi2);

	/* n = 2^63 + 1 rejects almost half of all products: values stay below n, and about
	 * half of them lie above 2^62 = n / 2. */
	uint64_t big = (1ULL << 63) + 1, upper = 0;
	in_range = 1;
	for (int i = 0; i < 10000; i++) {
		uint64_t v = rng_below(&r, big);
		in_range &= v < big;
		upper += v >= (1ULL << 62);
	}
	tap_ok(in_range, "rng_below(2^63+1) stays in range");
	tap_ok(upper > 4500 && upper < 5500, "rng_below(2^63+1) spread: %llu of 10000 above 2^62",
	       (unsigned long long)upper);
	tap_ok(rng_below(&r, 1) == 0 && rng_below(&r, 0) == 0, "rng_below(1) and (0) give 0");
}

static void test_shuffle(void)
{
	struct rng r;
	unsigned perm_count[6] = {0};
	size_t v[50], seen[50] = {0};
	double chi2 = 0;
	int ok = 1;

	rng_seed(&r, 99);
	for (size_t i = 0; i < 50; i++)
		v[i] = i;
	rng_shuffle(&r, v, 50);
	for (size_t i = 0; i < 50; i++)
		seen[v[i] < 50 ? v[i] : 0]++;
	for (size_t i = 0; i < 50; i++)
		ok &= seen[i] == 1;
	tap_ok(ok, "shuffle is a permutation");

	/* All 6 orders of 3 items, 60000 shuffles: chi-square with 5 dof; 30 is p ~ 1.5e-5. */
	for (int t = 0; t < 60000; t++) {
		size_t w[3] = {0, 1, 2};
		rng_shuffle(&r, w, 3);
		perm_count[w[0] * 2 + (w[1] > w[2])]++;
	}
	for (int i = 0; i < 6; i++)
		chi2 += (perm_count[i] - 10000.0) * (perm_count[i] - 10000.0) / 10000.0;
	tap_ok(chi2 < 30, "shuffle of 3 uniform over 6 orders: chi2 = %.2f (5 dof)", chi2);
	size_t before[50];

	memcpy(before, v, sizeof(v));
	rng_shuffle(&r, v, 0);
	rng_shuffle(&r, v, 1);
	tap_ok(!memcmp(before, v, sizeof(v)),
	       "shuffle of 0 and 1 elements leaves the data as it was");
}

static void test_cmp(void)
{
	double v[6] = {3, NAN, -1, 2, NAN, -INFINITY};

	qsort(v, 6, sizeof(*v), cmp_double);
	tap_ok(v[0] == -INFINITY && v[1] == -1 && v[2] == 2 && v[3] == 3 && isnan(v[4]) &&
		   isnan(v[5]),
	       "cmp_double orders numbers and puts NaNs last");
	double a = NAN, b = NAN, c = 1;
	tap_ok(cmp_double(&a, &b) == 0 && cmp_double(&a, &c) > 0 && cmp_double(&c, &a) < 0,
	       "cmp_double: NaN == NaN, NaN > numbers");
}

int main(void)
{
	tap_plan(90);
	test_quantiles();
	test_summary();
	test_numerics();
	test_edges();
	test_bootstrap();
	test_bootstrap_large();
	test_fit();
	test_t();
	test_rng();
	test_shuffle();
	test_cmp();
	return tap_done();
}
