/* Order statistics, bootstrap intervals and least-squares fits for samples in ns. */
#ifndef SPAWNSCOPE_STATS_H
#define SPAWNSCOPE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

struct stats {
	size_t n;
	double min, p10, p50, p90, p99, max;
	double mean, stddev; /* stddev: sample (n-1); 0 when n < 2 */
	double mad;	     /* median absolute deviation, unscaled */
	double ci95_p50[2];  /* percentile bootstrap, 2000 resamples, seeded (reproducible) */
	double ci95_p10[2];
};

/* Quantile of sorted data, Hyndman & Fan type 7 (R's default, numpy's "linear"). */
double quantile_sorted(const double *sorted, size_t n, double q);

/* Fill st from x[0..n) (x is not modified). n == 0 gives n = 0 and NaN everywhere.
 * seed makes the bootstrap reproducible. 0 or -ENOMEM. */
int stats_compute(const double *x, size_t n, uint64_t seed, struct stats *st);

/* Ordinary least squares y = intercept + slope * x with R^2 and a 95% interval for the
 * slope (Student t, n-2 dof). n < 2 or constant x: -EDOM. */
struct fit {
	size_t n;
	double slope, intercept, r2;
	double slope_ci95[2];
};
int fit_linear(const double *x, const double *y, size_t n, struct fit *f);

/* Two-sided Student t quantile t_{1-alpha/2, dof} (alpha 0.05), for intervals. */
double t_crit95(size_t dof);


int cmp_double(const void *a, const void *b);

#endif
