/* Rank tests for comparing two arms: Wilcoxon signed-rank and Mann-Whitney U (two-sided
 * p-values), and the Hodges-Lehmann location estimates with their distribution-free 95%
 * intervals. Inputs must be finite (-EDOM otherwise); nothing here prints.
 *
 * Signed rank: zero differences are dropped before ranking (Wilcoxon's method) and counted
 * in `zeros`; tied |d| get average ranks. The p-value is exact (the null distribution of W+
 * by dynamic programming over rank sums) for n <= RANK_EXACT_SIGNED nonzero differences
 * without ties, else normal with continuity and tie correction. No nonzero differences at
 * all: W+ = 0, p = 1.
 * Mann-Whitney: U counts pairs with x > y, ties 1/2. Exact when both samples are smaller than
 * RANK_EXACT_TWO and nothing is tied, else normal with continuity and tie correction.
 * Hodges-Lehmann: one-sample, the median of the Walsh averages (d_i + d_j) / 2, i <= j, of
 * all n values (zeros included); two-sample, the median of all x_i - y_j (the shift of x
 * relative to y). The M averages / differences are never stored: the k-th is selected in
 * O(n) memory. The interval is their k-th and (M+1-k)-th smallest, k from the null
 * distribution of W+ (resp. U): exact for n <= RANK_EXACT_SIGNED (resp. both samples below
 * RANK_EXACT_TWO) whatever the ties (the interval's exact coverage assumes continuous data),
 * else the normal approximation k = floor(M/2 - z sd + 1/2). When even the widest such
 * interval would cover less than 95% (n <= 5; two samples with C(nx+ny, nx) < 40, such as
 * 3 vs 4), it is (-inf, +inf) with coverage 1: a finite interval needs more data. */
#ifndef SPAWNSCOPE_RANKTEST_H
#define SPAWNSCOPE_RANKTEST_H

#include <stddef.h>

#define RANK_EXACT_SIGNED 30 /* largest n for the exact signed-rank distribution */
#define RANK_EXACT_TWO 50    /* exact Mann-Whitney when both samples are below this */

struct signed_rank {
	size_t n;      /* nonzero differences ranked */
	size_t zeros;  /* zero differences dropped */
	double w_plus; /* sum of the ranks of the positive differences */
	double p;      /* two-sided */
	int exact;     /* 1: exact null distribution, 0: normal approximation */
};

/* One sample: are the differences d[0..n) centred on 0? 0, -EDOM or -ENOMEM. */
int signed_rank_test(const double *d, size_t n, struct signed_rank *r);
/* Paired: the same on x[i] - y[i]. */
int signed_rank_paired(const double *x, const double *y, size_t n, struct signed_rank *r);

struct mann_whitney {
	size_t nx, ny;
	double u; /* pairs with x > y, ties counted 1/2 */
	double p; /* two-sided */
	int exact;
};

/* Two independent samples; both non-empty. 0, -EDOM or -ENOMEM. */
int mann_whitney_test(const double *x, size_t nx, const double *y, size_t ny,
		      struct mann_whitney *r);

struct hl_shift {
	size_t n;	 /* one sample: n; two samples: nx * ny differences */
	double estimate; /* median of the Walsh averages / pairwise differences */
	double ci95[2];
	double coverage; /* the interval's actual confidence level (>= 0.95) */
	int exact;
};

/* One sample (n >= 1). 0, -EDOM or -ENOMEM (memory is O(n): the Walsh averages are never
 * stored; -E2BIG only if their count would not fit in size_t). */
int hodges_lehmann_one(const double *d, size_t n, struct hl_shift *h);
/* The same with a (1 - alpha) interval (0 < alpha < 1) in ci95 and its actual level in
 * coverage: the gate's sequential looks spend alpha in small pieces. */
int hodges_lehmann_one_level(const double *d, size_t n, double alpha, struct hl_shift *h);
/* Two samples: the shift of x relative to y. Same returns. */
int hodges_lehmann_two(const double *x, size_t nx, const double *y, size_t ny, struct hl_shift *h);

#endif
