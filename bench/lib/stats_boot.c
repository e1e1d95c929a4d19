/* Percentile bootstrap of p50 and p10: BOOT_RESAMPLES resamples with replacement, the type-7
 * quantile of each, and the 2.5% / 97.5% type-7 quantiles of those estimates. Seeded with
 * xoshiro256**, so a seed reproduces the interval.
 *
 * Small n: a resample is n draws of an index into the sorted data, kept as counts per index,
 * so it is already in order (O(n) per resample, integer arithmetic only).
 * Large n: only the ranks the quantiles need are drawn. With n uniform V_i, the draws
 * floor(n V_i) are uniform indexes and, floor being monotone, the k-th smallest index is
 * floor(n V_(k)), where V_(k) ~ Beta(k, n - k + 1); given V_(j) = v, the m-th next order
 * statistic is v + (1 - v) Beta(m, n - j - m + 1). Same distribution, O(1) per resample. */
#include "stats_boot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantile.h"
#include "rng.h"

/* The value of rank r (0-based) in a resample held as counts over the sorted data; *pos and
 * *below only move forward, so ranks must be asked for in increasing order. */
static double counted_rank(const double *sorted, const size_t *count, size_t n, size_t *pos,
			   size_t *below, size_t r)
{
	while (*pos < n && *below + count[*pos] <= r) {
		*below += count[*pos];
		(*pos)++;
	}
	return sorted[*pos < n ? *pos : n - 1];
}

/* Ranks lo and hi = lo + 1 (or lo at the top) and the weight of hi for type-7 quantile q. */
static void quantile_ranks(size_t n, double q, size_t *lo, size_t *hi, double *frac)
{
	double h = (double)(n - 1) * q;

	*lo = (size_t)floor(h);
	if (*lo >= n - 1)
		*lo = n - 1;
	*frac = h - (double)*lo;
	*hi = *lo + 1 < n ? *lo + 1 : *lo;
}

static double counted_quantile(const double *sorted, const size_t *count, size_t n, double q)
{
	size_t pos = 0, below = 0, lo, hi;
	double frac, a, b;

	quantile_ranks(n, q, &lo, &hi, &frac);
	a = counted_rank(sorted, count, n, &pos, &below, lo);
	if (frac == 0 || hi == lo)
		return a;
	b = counted_rank(sorted, count, n, &pos, &below, hi);
	return a + frac * (b - a);
}

static double unit_open(struct rng *r) /* uniform in (0, 1) */
{
	return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double std_normal(struct rng *r) /* Marsaglia's polar method, one of the pair */
{
	double u, v, s;

	do {
		u = 2 * unit_open(r) - 1;
		v = 2 * unit_open(r) - 1;
		s = u * u + v * v;
	} while (s >= 1);
	return u * sqrt(-2 * log(s) / s);
}

/* Gamma(a, 1) for a >= 1: Marsaglia & Tsang (2000) with its squeeze. */
static double gamma_ge1(struct rng *r, double a)
{
	double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);

	for (;;) {
		double x, v, u;

		do {
			x = std_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = unit_open(r);
		if (u < 1 - 0.0331 * (x * x) * (x * x))
			return d * v;
		if (log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

static double beta(struct rng *r, double a, double b) /* a, b >= 1 */
{
	double x = gamma_ge1(r, a), y = gamma_ge1(r, b);

	return x / (x + y);
}

/* The resample's values at the nondecreasing ranks rank[0..k) into val. */
static void drawn_ranks(struct rng *r, const double *sorted, size_t n, const size_t *rank, size_t k,
			double *val)
{
	double v = 0;	  /* V of the last rank drawn */
	size_t taken = 0; /* order statistics at or below it */

	for (size_t i = 0; i < k; i++) {
		size_t m, idx;

		if (i > 0 && rank[i] == rank[i - 1]) {
			val[i] = val[i - 1];
			continue;
		}
		m = rank[i] + 1 - taken;
		v += (1 - v) * beta(r, (double)m, (double)(n - taken - m + 1));
		idx = (size_t)((double)n * v);
		val[i] = sorted[idx < n ? idx : n - 1];
		taken = rank[i] + 1;
	}
}

static void drawn_quantiles(struct rng *r, const double *sorted, size_t n, double *p50, double *p10)
{
	size_t rank[4];
	double val[4], f10, f50;

	quantile_ranks(n, 0.1, &rank[0], &rank[1], &f10);
	quantile_ranks(n, 0.5, &rank[2], &rank[3], &f50);
	drawn_ranks(r, sorted, n, rank, 4, val);
	*p10 = f10 == 0 ? val[0] : val[0] + f10 * (val[1] - val[0]);
	*p50 = f50 == 0 ? val[2] : val[2] + f50 * (val[3] - val[2]);
}

int stats_bootstrap(const double *sorted, size_t n, uint64_t seed, double ci_p50[2],
		    double ci_p10[2])
{
	double *b50 = malloc(2 * BOOT_RESAMPLES * sizeof(double)), *b10;
	size_t *count = NULL;
	struct rng r;

	if (n <= BOOT_COUNTS_MAX)
		count = malloc(n * sizeof(*count));
	if (!b50 || (n <= BOOT_COUNTS_MAX && !count)) {
		free(b50);
		free(count);
		return -ENOMEM;
	}
	b10 = b50 + BOOT_RESAMPLES;
	rng_seed(&r, seed);
	for (size_t b = 0; b < BOOT_RESAMPLES; b++) {
		if (!count) {
			drawn_quantiles(&r, sorted, n, &b50[b], &b10[b]);
			continue;
		}
		memset(count, 0, n * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[rng_below(&r, n)]++;
		b50[b] = counted_quantile(sorted, count, n, 0.5);
		b10[b] = counted_quantile(sorted, count, n, 0.1);
	}
	qsort(b50, BOOT_RESAMPLES, sizeof(*b50), cmp_double);
	qsort(b10, BOOT_RESAMPLES, sizeof(*b10), cmp_double);
	ci_p50[0] = quantile_sorted(b50, BOOT_RESAMPLES, 0.025);
	ci_p50[1] = quantile_sorted(b50, BOOT_RESAMPLES, 0.975);
	ci_p10[0] = quantile_sorted(b10, BOOT_RESAMPLES, 0.025);
	ci_p10[1] = quantile_sorted(b10, BOOT_RESAMPLES, 0.975);
	free(b50);
	free(count);
	return 0;
}
