/* Order statistics, bootstrap intervals and least-squares fits for samples in ns. */
#ifndef SPAWNSCOPE_STATS_H
#define SPAWNSCOPE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "quantile.h"
#include "rng.h"

struct stats {
	size_t n;
	double min, p10, p50, p90, p99, max;
	double mean, stddev; /* stddev: sample (n-1); 0 when n < 2 */
	double mad;	     /* median absolute deviation, unscaled */
	double ci95_p50[2];  /* percentile bootstrap, 2000 resamples, seeded (reproducible) */
	double ci95_p10[2];
};

/* Fill st from x[0..n) (x is not modified). n == 0 gives n = 0 and NaN everywhere.
 * seed makes the bootstrap reproducible. 0 or -ENOMEM. */
int stats_compute(const double *x, size_t n, uint64_t seed, struct stats *st);

/* Ordinary least squares y = intercept + slope * x with R^2 and a 95% interval for the
 * slope (Student t, n-2 dof). n < 2 or constant x: -EDOM. */
struct fit {
	size_t n;
	double slope, intercept, r2;
	double slope_ci95[2];
	const char *method; /* "ols" or "wls" */
	double scatter;	    /* wls: chi^2 / (n - 2), the residual scatter over the points' own
			     * variances (> 1: the line misses the points by more than their
			     * intervals; the slope interval is widened by its root); else NaN */
};
int fit_linear(const double *x, const double *y, size_t n, struct fit *f);

/* Weighted least squares with known per-point standard deviations sd[i] > 0 (each point's
 * own uncertainty, e.g. from its block-bootstrap interval): weights 1/sd^2, slope variance
 * 1 / sum w (x - xbar_w)^2, so a point far out on x (high leverage) brings its own error into
 * the slope instead of hiding it in the residuals. When the points scatter about the line by
 * more than their sds say (scatter > 1, n > 2), the variance is multiplied by scatter and the
 * interval uses Student t with n - 2 dof (Birge's ratio); otherwise z = 1.96. R^2 is the
 * weighted one. -EDOM for n < 2, constant x, a non-finite value or an sd <= 0. */
int fit_weighted(const double *x, const double *y, const double *sd, size_t n, struct fit *f);
/* Raise every sd[i] to at least the median relative sd of the sweep times |y[i]|: a point's
 * sd estimated from a few rounds can come out far too small by chance and would then decide
 * the fit alone (simulated: with sds from 4 rounds the slope interval covered 85.5 % without
 * the floor, 95.7 % with it; tests/unit_stats_fit.c). Non-finite sds are left alone. */
void fit_sd_floor(const double *y, double *sd, size_t n);

/* Two-sided Student t quantile t_{1-alpha/2, dof} (alpha 0.05), for intervals. */
double t_crit95(size_t dof);

#endif
