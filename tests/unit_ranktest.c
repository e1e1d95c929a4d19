/* bench/lib/ranktest.c against published examples and an independent reference.
 *
 * Published: the Hamilton depression scale data (Hollander & Wolfe, Nonparametric Statistical
 * Methods, example 3.1; also R's ?wilcox.test): V = 40, exact two-sided p = 0.03906, and the
 * permeability constants of R's ?wilcox.test two-sample example: W = 35, one-sided
 * p = 0.1272 (two-sided 0.2544), location shift 0.305.
 * Every other expected number (and the ones above, to full precision) comes from
 * tests/ref/rank_ref.py (python3, no scipy here): exact p-values and intervals by brute-force
 * enumeration of all sign patterns / rank subsets with exact fractions, normal approximations
 * from the textbook formulas with statistics.NormalDist. The exact distributions are also
 * checked here against enumeration done in C, independently of the library's DP. */
#include "tap.h"
#include "bench/lib/ranktest.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static int near(double got, double want, double tol)
{
	if (isinf(want))
		return got == want;
	return fabs(got - want) <= tol;
}

#define NEAR(got, want, tol, what)                                                                 \
	tap_ok(near((got), (want), (tol)), "%s: got %.12g, want %.12g", (what), (double)(got),     \
	       (double)(want))

static const double dep_x[9] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
static const double dep_y[9] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
static const double perm_x[10] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
static const double perm_y[5] = {1.15, 0.88, 0.90, 0.74, 1.21};

static void test_depression(void)
{
	struct signed_rank r;
	struct hl_shift h;
	double d[9], neg[9];

	tap_ok(signed_rank_paired(dep_x, dep_y, 9, &r) == 0, "paired signed rank on H&W 3.1");
	tap_ok(r.n == 9 && r.zeros == 0 && r.exact, "9 differences, none zero, exact p");
	NEAR(r.w_plus, 40, 0, "H&W 3.1 W+");
	NEAR(r.p, 0.0390625, 1e-12, "H&W 3.1 two-sided p (5/128)");

	for (int i = 0; i < 9; i++) {
		d[i] = dep_x[i] - dep_y[i];
		neg[i] = -d[i];
	}
	signed_rank_test(neg, 9, &r);
	tap_ok(r.w_plus == 5 && near(r.p, 0.0390625, 1e-12),
	       "negated differences: W+ = 45 - 40, same p");

	tap_ok(hodges_lehmann_one(d, 9, &h) == 0 && h.n == 9 && h.exact, "HL on H&W 3.1");
	NEAR(h.estimate, 0.46, 1e-12, "pseudomedian");
	NEAR(h.ci95[0], 0.01, 1e-12, "HL CI low (exact)");
	NEAR(h.ci95[1], 0.786, 1e-12, "HL CI high (exact)");
	NEAR(h.coverage, 0.9609375, 1e-12, "HL CI achieved coverage");
}

static void test_permeability(void)
{
	struct mann_whitney r;
	struct hl_shift h;

	tap_ok(mann_whitney_test(perm_x, 10, perm_y, 5, &r) == 0 && r.exact && r.nx == 10 &&
		   r.ny == 5,
	       "Mann-Whitney on R's permeability example (exact)");
	NEAR(r.u, 35, 0, "U");
	NEAR(r.p, 764.0 / 3003, 1e-12, "two-sided p (764/3003 = 2 x 0.1272)");
	mann_whitney_test(perm_y, 5, perm_x, 10, &r);
	tap_ok(r.u == 15 && near(r.p, 764.0 / 3003, 1e-12), "samples swapped: U = 50 - 35, same p");

	tap_ok(hodges_lehmann_two(perm_x, 10, perm_y, 5, &h) == 0 && h.n == 50 && h.exact,
	       "two-sample HL on permeability");
	NEAR(h.estimate, 0.305, 1e-12, "shift estimate (R: 0.305)");
	NEAR(h.ci95[0], -0.15, 1e-12, "shift CI low");
	NEAR(h.ci95[1], 0.76, 1e-12, "shift CI high");
	NEAR(h.coverage, 0.96003996003996, 1e-12, "shift CI achieved coverage");
}

static void test_signed_more(void)
{
	static const double zeros_ties[12] = {0, 2, -1, 3, 0, 2, -2, 5, 4, 1.5, -0.5, 2};
	static const double d12[12] = {1.1, -2.3, 3.2,	4.7, -0.4, 5.5,
				       6.1, 2.9,  -3.8, 7.2, 8.4,  0.9};
	double d40[40], ones[31];
	struct signed_rank r;

	/* Zeros dropped (2), |d| = 2 four times: ties sum 4^3 - 4 = 60, W+ = 46.5, normal. */
	tap_ok(signed_rank_test(zeros_ties, 12, &r) == 0, "signed rank with zeros and ties");
	tap_ok(r.n == 10 && r.zeros == 2 && !r.exact, "zeros dropped and counted, normal approx");
	NEAR(r.w_plus, 46.5, 0, "W+ with average ranks");
	NEAR(r.p, 0.057688185025407845, 1e-9, "tie- and continuity-corrected p");

	signed_rank_test(d12, 12, &r);
	tap_ok(r.exact && r.w_plus == 66, "n = 12 untied: exact, W+ = 66");
	NEAR(r.p, 35.0 / 1024, 1e-12, "n = 12 exact p (35/1024)");

	for (int i = 1; i <= 40; i++)
		d40[i - 1] = ((i * 7919) % 97 - 40) + 0.01 * i;
	signed_rank_test(d40, 40, &r);
	tap_ok(!r.exact && r.w_plus == 548, "n = 40: normal approximation, W+ = 548");
	NEAR(r.p, 0.06457654197152851, 1e-9, "n = 40 p");

	for (int i = 0; i < 31; i++)
		ones[i] = (i % 3 ? 1 : -1) * (i + 1.0);
	signed_rank_test(ones, 30, &r);
	tap_ok(r.exact, "n = 30 without ties is exact");
	signed_rank_test(ones, 31, &r);
	tap_ok(!r.exact, "n = 31 is normal");

	double one = 2.5, three[3] = {1, 2, 3};
	signed_rank_test(&one, 1, &r);
	tap_ok(r.w_plus == 1 && r.p == 1, "n = 1: W+ = 1, p = 1");
	signed_rank_test(three, 3, &r);
	NEAR(r.p, 0.25, 1e-15, "n = 3 all positive: p = 2/8");
}

/* Exact signed-rank p for each attainable W+ of n = 10 against enumeration of 2^10 patterns. */
static void test_signed_enumeration(void)
{
	const int n = 10, top = 55;
	unsigned count[56] = {0};
	double worst = 0;

	for (unsigned mask = 0; mask < 1u << n; mask++) {
		int s = 0;
		for (int k = 0; k < n; k++)
			if (mask >> k & 1)
				s += k + 1;
		count[s]++;
	}
	for (int w = 0; w <= top; w++) {
		/* A sign pattern with W+ = w: greedy from the largest rank. */
		double d[10];
		int left = w;
		unsigned lo = 0, hi = 0;
		struct signed_rank r;

		for (int k = n; k >= 1; k--) {
			int pos = k <= left;
			left -= pos ? k : 0;
			d[k - 1] = pos ? k : -k;
		}
		for (int s = 0; s <= top; s++) {
			lo += s <= w ? count[s] : 0;
			hi += s >= w ? count[s] : 0;
		}
		signed_rank_test(d, n, &r);
		double want = fmin(1, 2.0 * (lo < hi ? lo : hi) / 1024);
		if (r.w_plus != w)
			worst = INFINITY;
		else
			worst = fmax(worst, fabs(r.p - want));
	}
	tap_ok(worst < 1e-12, "n = 10: exact p for every W+ matches enumeration (max err %g)",
	       worst);
}

/* Exact Mann-Whitney p for every arrangement of 4 x's among 9 ranks against enumeration. */
static void test_mw_enumeration(void)
{
	unsigned count[21] = {0}, total = 0;
	double worst = 0;
	int bad_u = 0;

	for (unsigned mask = 0; mask < 1u << 9; mask++) {
		if (__builtin_popcount(mask) != 4)
			continue;
		int u = 0;
		for (int k = 0; k < 9; k++)
			if (mask >> k & 1)
				u += k - __builtin_popcount(mask & ((1u << k) - 1));
		count[u]++;
		total++;
	}
	for (unsigned mask = 0; mask < 1u << 9; mask++) {
		double x[4], y[5];
		int nx = 0, ny = 0, u = 0;
		unsigned lo = 0, hi = 0;
		struct mann_whitney r;

		if (__builtin_popcount(mask) != 4)
			continue;
		for (int k = 0; k < 9; k++) {
			if (mask >> k & 1) {
				x[nx++] = k;
				u += ny;
			} else {
				y[ny++] = k;
			}
		}
		for (int s = 0; s <= 20; s++) {
			lo += s <= u ? count[s] : 0;
			hi += s >= u ? count[s] : 0;
		}
		mann_whitney_test(x, 4, y, 5, &r);
		bad_u |= r.u != u || !r.exact;
		worst = fmax(worst, fabs(r.p - fmin(1, 2.0 * (lo < hi ? lo : hi) / total)));
	}
	tap_ok(total == 126 && !bad_u && worst < 1e-12,
	       "4 vs 5: U and exact p for all 126 arrangements match enumeration (max err %g)",
	       worst);
}

static void test_mw_more(void)
{
	static const double tx[8] = {1, 2, 2, 3, 4, 5, 5, 5}, ty[7] = {2, 3, 3, 4, 6, 6, 7};
	double bx[60], by[55], same[6] = {3, 3, 3, 3, 3, 3};
	struct mann_whitney r;

	tap_ok(mann_whitney_test(tx, 8, ty, 7, &r) == 0 && !r.exact, "ties force the normal path");
	NEAR(r.u, 18.5, 0, "U with ties counted 1/2");
	NEAR(r.p, 0.2915093621897107, 1e-9, "tie- and continuity-corrected p");

	for (int i = 0; i < 60; i++)
		bx[i] = fmod(i * 1.37, 50) + 0.001 * i;
	for (int i = 0; i < 55; i++)
		by[i] = fmod(i * 1.11, 47) + 5 + 0.0007 * i;
	mann_whitney_test(bx, 60, by, 55, &r);
	tap_ok(!r.exact && r.u == 1430, "60 vs 55: normal, U = 1430");
	NEAR(r.p, 0.2190852807756527, 1e-9, "60 vs 55 p");

	mann_whitney_test(same, 3, same + 3, 3, &r);
	tap_ok(r.u == 4.5 && r.p == 1, "everything tied: U = mn/2, p = 1");
}

static void test_hl_more(void)
{
	static const double five[5] = {1, 2, 3, 4, 5.5}, six[6] = {0.3, -1.2, 2.5, 1.1, 0.7, 1.9};
	static const double a[3] = {5.1, 6.3, 7.2}, b[4] = {4.0, 4.4, 5.6, 3.9};
	double d40[40], bx[60], by[55];
	struct hl_shift h;

	hodges_lehmann_one(five, 5, &h);
	tap_ok(h.estimate == 3 && isinf(h.ci95[0]) && h.ci95[0] < 0 && isinf(h.ci95[1]) &&
		   h.coverage == 1,
	       "n = 5: no 95%% interval exists, (-inf, inf)");
	hodges_lehmann_one(six, 6, &h);
	tap_ok(near(h.estimate, 0.9, 1e-12) && h.ci95[0] == -1.2 && h.ci95[1] == 2.5 &&
		   near(h.coverage, 0.96875, 1e-12),
	       "n = 6: the extreme Walsh averages, coverage 31/32");
	hodges_lehmann_two(a, 3, b, 4, &h);
	tap_ok(near(h.estimate, 1.75, 1e-12) && isinf(h.ci95[1]),
	       "3 vs 4: shift 1.75, no interval");

	for (int i = 1; i <= 40; i++)
		d40[i - 1] = ((i * 7919) % 97 - 40) + 0.01 * i;
	tap_ok(hodges_lehmann_one(d40, 40, &h) == 0 && !h.exact, "n = 40: normal interval");
	NEAR(h.estimate, 9.18, 1e-9, "n = 40 pseudomedian");
	NEAR(h.ci95[0], -0.345, 1e-9, "n = 40 CI low (k = 264)");
	NEAR(h.ci95[1], 18.705, 1e-9, "n = 40 CI high");
	tap_ok(h.coverage > 0.94 && h.coverage < 0.96, "n = 40 approximate coverage %.4f",
	       h.coverage);

	for (int i = 0; i < 60; i++)
		bx[i] = fmod(i * 1.37, 50) + 0.001 * i;
	for (int i = 0; i < 55; i++)
		by[i] = fmod(i * 1.11, 47) + 5 + 0.0007 * i;
	tap_ok(hodges_lehmann_two(bx, 60, by, 55, &h) == 0 && !h.exact && h.n == 3300,
	       "60 vs 55: normal interval");
	NEAR(h.estimate, -3.24845, 1e-9, "60 vs 55 shift");
	NEAR(h.ci95[0], -8.4193, 1e-9, "60 vs 55 CI low (k = 1300)");
	NEAR(h.ci95[1], 2.0458, 1e-9, "60 vs 55 CI high");
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Is lo at 1-based rank k of sorted w[0..m), and hi at rank m + 1 - k? With ties a value
 * covers a range of ranks. */
static int at_ranks(const double *w, size_t m, double lo, double hi, size_t k)
{
	return k >= 1 && k <= m && w[k - 1] == lo && w[m - k] == hi;
}

/* The selection-based estimators against sorting every Walsh average / difference here. */
static void test_hl_bruteforce(void)
{
	enum { N1 = 200, NX = 120, NY = 90 };
	static double d[N1], x[NX], y[NY];
	double *w = malloc(N1 * (N1 + 1) / 2 * sizeof(*w)), *v = malloc(NX * NY * sizeof(*v));
	size_t m = 0, k;
	struct hl_shift h;

	if (!tap_ok(w && v, "allocate the brute-force tables")) {
		free(w);
		free(v);
		return;
	}
	/* Integers / 4 with repeats and negatives: many tied Walsh averages. */
	for (int i = 0; i < N1; i++)
		d[i] = (double)((i * 37 + 11) % 61 - 25) / 4;
	for (int i = 0; i < N1; i++)
		for (int j = i; j < N1; j++)
			w[m++] = (d[i] + d[j]) / 2;
	qsort(w, m, sizeof(*w), cmp_dbl);
	hodges_lehmann_one(d, N1, &h);
	tap_ok(h.estimate == w[m / 2 - 1] + 0.5 * (w[m / 2] - w[m / 2 - 1]),
	       "n = 200: estimate is the median of the 20100 sorted Walsh averages (%g)",
	       h.estimate);
	/* Hollander & Wolfe's large-sample k: floor(M/2 - z sqrt(n(n+1)(2n+1)/24) + 1/2). */
	k = (size_t)floor(m / 2.0 - 1.959964 * sqrt(N1 * (N1 + 1.0) * (2 * N1 + 1) / 24) + 0.5);
	tap_ok(k == 8444 && at_ranks(w, m, h.ci95[0], h.ci95[1], k) && !h.exact,
	       "n = 200: CI ends are the sorted Walsh averages k = %zu and M+1-k", k);

	for (int i = 0; i < NX; i++)
		x[i] = sin(i * 1.7) * 10 + 1;
	for (int j = 0; j < NY; j++)
		y[j] = cos(j * 2.3) * 8;
	m = 0;
	for (int i = 0; i < NX; i++)
		for (int j = 0; j < NY; j++)
			v[m++] = x[i] - y[j];
	qsort(v, m, sizeof(*v), cmp_dbl);
	hodges_lehmann_two(x, NX, y, NY, &h);
	tap_ok(h.estimate == v[m / 2 - 1] + 0.5 * (v[m / 2] - v[m / 2 - 1]),
	       "120 vs 90: estimate is the median of the 10800 sorted differences (%g)",
	       h.estimate);
	/* k = floor(mn/2 - z sqrt(mn(m+n+1)/12) + 1/2). */
	k = (size_t)floor(m / 2.0 - 1.959964 * sqrt(NX * NY * (NX + NY + 1.0) / 12) + 0.5);
	tap_ok(k == 4546 && at_ranks(v, m, h.ci95[0], h.ci95[1], k) && !h.exact,
	       "120 vs 90: CI ends are the sorted differences k = %zu and M+1-k", k);
	free(w);
	free(v);
}

/* 20000 vs 20000 is 4e8 differences: never stored. x = y + 3 exactly, so the differences
 * are symmetric about 3. */
static void test_hl_large(void)
{
	enum { N = 20000 };
	double *x = malloc(N * sizeof(*x)), *y = malloc(N * sizeof(*y));
	struct hl_shift h;

	if (!tap_ok(x && y, "allocate 2 x 20000")) {
		free(x);
		free(y);
		return;
	}
	for (int i = 0; i < N; i++) {
		y[i] = (double)((i * 7919) % N);
		x[i] = y[i] + 3;
	}
	tap_ok(hodges_lehmann_two(x, N, y, N, &h) == 0 && h.n == (size_t)N * N,
	       "20000 vs 20000 two-sample HL runs");
	tap_ok(h.estimate == 3 && h.ci95[0] < 3 && h.ci95[1] > 3 && h.ci95[0] + h.ci95[1] == 6,
	       "shift 3 with a symmetric interval [%g, %g]", h.ci95[0], h.ci95[1]);
	free(x);
	free(y);
}

static void test_edges(void)
{
	double zeros[3] = {0, 0, 0}, bad[3] = {1, NAN, 2}, inf[2] = {1, INFINITY}, one = 1;
	struct signed_rank r;
	struct mann_whitney m;
	struct hl_shift h;

	tap_ok(signed_rank_test(NULL, 0, &r) == 0 && r.n == 0 && r.p == 1, "no differences: p 1");
	tap_ok(signed_rank_test(zeros, 3, &r) == 0 && r.n == 0 && r.zeros == 3 && r.w_plus == 0 &&
		   r.p == 1,
	       "all differences zero: dropped, p 1");
	tap_ok(signed_rank_test(bad, 3, &r) == -EDOM, "NaN difference: -EDOM");
	tap_ok(signed_rank_test(inf, 2, &r) == -EDOM, "infinite difference: -EDOM");
	tap_ok(mann_whitney_test(&one, 1, NULL, 0, &m) == -EDOM, "empty sample: -EDOM");
	tap_ok(mann_whitney_test(bad, 3, &one, 1, &m) == -EDOM, "Mann-Whitney NaN: -EDOM");
	tap_ok(hodges_lehmann_one(NULL, 0, &h) == -EDOM && isnan(h.estimate), "HL of nothing");
	tap_ok(hodges_lehmann_two(&one, 1, bad, 3, &h) == -EDOM, "HL two-sample NaN: -EDOM");
	tap_ok(hodges_lehmann_one(&one, 1, &h) == 0 && h.estimate == 1 && isinf(h.ci95[1]),
	       "HL of one value");
	double pm[2] = {-1, 1};
	hodges_lehmann_one(pm, 2, &h);
	tap_ok(h.estimate == 0 && !signbit(h.estimate), "a zero estimate is +0, not -0");
}

/* The interval at another level: for 1..20 the exact W+ distribution (enumerated in python3)
 * gives k = 53 at 95 % and k = 38 at 99 %, so the intervals are the 53rd / 158th Walsh
 * averages [7.5, 13.5] (coverage 0.951559) and the 38th / 173rd [6.5, 14.5] (0.990564). */
static void test_hl_level(void)
{
	double d[20];
	struct hl_shift h95, h99;

	for (int i = 0; i < 20; i++)
		d[i] = i + 1;
	int r95 = hodges_lehmann_one_level(d, 20, 0.05, &h95);
	int r99 = hodges_lehmann_one_level(d, 20, 0.01, &h99);

	tap_ok(r95 == 0 && h95.ci95[0] == 7.5 && h95.ci95[1] == 13.5 &&
		   fabs(h95.coverage - 0.9515590668) < 1e-9,
	       "1..20 at alpha 0.05: [7.5, 13.5], coverage 0.95156 (got [%g, %g], %.9g)",
	       h95.ci95[0], h95.ci95[1], h95.coverage);
	tap_ok(r99 == 0 && h99.ci95[0] == 6.5 && h99.ci95[1] == 14.5 &&
		   fabs(h99.coverage - 0.9905643463) < 1e-9,
	       "1..20 at alpha 0.01: [6.5, 14.5], coverage 0.99056 (got [%g, %g], %.9g)",
	       h99.ci95[0], h99.ci95[1], h99.coverage);
}

int main(void)
{
	tap_plan(71);
	test_hl_level();
	test_depression();
	test_permeability();
	test_signed_more();
	test_signed_enumeration();
	test_mw_enumeration();
	test_mw_more();
	test_hl_more();
	test_hl_bruteforce();
	test_hl_large();
	test_edges();
	return tap_done();
}
