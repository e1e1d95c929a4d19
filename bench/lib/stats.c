/* Order statistics, least-squares fits and the small PRNG behind the bootstrap (which lives
 * in bench/lib/stats_boot.c). NaN samples are dropped before anything is computed: st->n counts
 * the rest. fit_linear refuses non-finite points (-EDOM) and leaves the slope interval NaN
 * for n == 2 (no residual degrees of freedom); t_crit95(0) is NaN; rng_below(r, 0) is 0. */
#include "stats.h"

#include "quantile.h"
#include "stats_boot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void stats_empty(struct stats *st)
{
	st->n = 0;
	st->min = st->p10 = st->p50 = st->p90 = st->p99 = st->max = NAN;
	st->mean = st->stddev = st->mad = NAN;
	st->ci95_p50[0] = st->ci95_p50[1] = NAN;
	st->ci95_p10[0] = st->ci95_p10[1] = NAN;
}

/* Two-pass mean and sample standard deviation; the second pass carries the corrected
 * two-pass term (sum d)^2 / n, which cancels the rounding error of the mean. */
static void mean_stddev(const double *x, size_t n, double *mean, double *sd)
{
	double sum = 0, m, ss = 0, dsum = 0;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	m = sum / (double)n;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - m;
		ss += d * d;
		dsum += d;
	}
	*mean = m;
	if (n < 2) {
		*sd = 0;
		return;
	}
	ss -= dsum * dsum / (double)n;
	*sd = ss > 0 ? sqrt(ss / (double)(n - 1)) : 0;
}

int stats_compute(const double *x, size_t n, uint64_t seed, struct stats *st)
{
	double *sorted;
	size_t m = 0;
	int rc = 0;

	stats_empty(st);
	if (n == 0)
		return 0;
	if (n > SIZE_MAX / sizeof(double))
		return -ENOMEM;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			sorted[m++] = x[i];
	if (m == 0)
		goto out;
	qsort(sorted, m, sizeof(*sorted), cmp_double);

	st->n = m;
	st->min = sorted[0];
	st->max = sorted[m - 1];
	st->p10 = quantile_sorted(sorted, m, 0.10);
	st->p50 = quantile_sorted(sorted, m, 0.50);
	st->p90 = quantile_sorted(sorted, m, 0.90);
	st->p99 = quantile_sorted(sorted, m, 0.99);
	mean_stddev(sorted, m, &st->mean, &st->stddev);
	rc = stats_bootstrap(sorted, m, seed, st->ci95_p50, st->ci95_p10);
	if (rc < 0) {
		stats_empty(st);
		goto out;
	}

	/* Last, as it overwrites the sorted data with the absolute deviations. */
	for (size_t i = 0; i < m; i++)
		sorted[i] = fabs(sorted[i] - st->p50);
	qsort(sorted, m, sizeof(*sorted), cmp_double);
	st->mad = quantile_sorted(sorted, m, 0.5);
out:
	free(sorted);
	return rc;
}

/* Student t quantiles t_{0.975, dof} for dof 1..30 (to 6 significant digits). */
static const double t975[31] = {
    NAN,     12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462,
    2.30600, 2.26216, 2.22814, 2.20099, 2.17881, 2.16037, 2.14479, 2.13145,
    2.11991, 2.10982, 2.10092, 2.09302, 2.08596, 2.07961, 2.07387, 2.06866,
    2.06390, 2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227,
};

double t_crit95(size_t dof)
{
	/* z_{0.975} and the Cornish-Fisher expansion of t in powers of 1/dof (Abramowitz &
	 * Stegun 26.7.5); past 30 dof the four terms agree with the exact value to 1e-6. */
	const double z = 1.959963984540054;
	double v, z2, g1, g2, g3, g4;

	if (dof == 0)
		return NAN;
	if (dof <= 30)
		return t975[dof];
	v = (double)dof;
	z2 = z * z;
	g1 = (z2 + 1) * z / 4;
	g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
	g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
	g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
	return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

static void fit_empty(struct fit *f, const char *method)
{
	memset(f, 0, sizeof(*f));
	f->slope = f->intercept = f->r2 = f->scatter = NAN;
	f->slope_ci95[0] = f->slope_ci95[1] = NAN;
	f->method = method;
}

int fit_weighted(const double *x, const double *y, const double *sd, size_t n, struct fit *f)
{
	double sw = 0, mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0, chi2 = 0, var, crit;

	fit_empty(f, "wls");
	if (n < 2)
		return -EDOM;
	for (size_t i = 0; i < n; i++) {
		double w;

		if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(sd[i]) || !(sd[i] > 0))
			return -EDOM;
		w = 1 / (sd[i] * sd[i]);
		sw += w;
		mx += w * x[i];
		my += w * y[i];
	}
	mx /= sw;
	my /= sw;
	for (size_t i = 0; i < n; i++) {
		double w = 1 / (sd[i] * sd[i]), dx = x[i] - mx, dy = y[i] - my;

		sxx += w * dx * dx;
		sxy += w * dx * dy;
		syy += w * dy * dy;
	}
	if (!(sxx > 0))
		return -EDOM;
	f->n = n;
	f->slope = sxy / sxx;
	f->intercept = my - f->slope * mx;
	for (size_t i = 0; i < n; i++) {
		double r = (y[i] - (f->intercept + f->slope * x[i])) / sd[i];
		chi2 += r * r;
	}
	f->r2 = syy > 0 ? fmax(0, 1 - chi2 / syy) : 1;
	var = 1 / sxx;
	crit = 1.959963984540054;
	if (n > 2) {
		f->scatter = chi2 / (double)(n - 2);
		if (f->scatter > 1) {
			var *= f->scatter;
			crit = t_crit95(n - 2);
		}
	}
	f->slope_ci95[0] = f->slope - crit * sqrt(var);
	f->slope_ci95[1] = f->slope + crit * sqrt(var);
	return 0;
}

void fit_sd_floor(const double *y, double *sd, size_t n)
{
	double *rel = malloc((n ? n : 1) * sizeof(*rel)), med;
	size_t m = 0;

	if (!rel)
		return; /* no floor: the fit is still valid, only less guarded */
	for (size_t i = 0; i < n; i++)
		if (isfinite(sd[i]) && y[i] != 0)
			rel[m++] = sd[i] / fabs(y[i]);
	if (m) {
		med = quantile_of(rel, m, 0.5);
		for (size_t i = 0; i < n; i++)
			if (isfinite(sd[i]) && sd[i] < med * fabs(y[i]))
				sd[i] = med * fabs(y[i]);
	}
	free(rel);
}

int fit_linear(const double *x, const double *y, size_t n, struct fit *f)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0, sse = 0, se, t;

	fit_empty(f, "ols");
	if (n < 2)
		return -EDOM;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return -EDOM;
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;
		sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	if (sxx == 0)
		return -EDOM;
	f->n = n;
	f->slope = sxy / sxx;
	f->intercept = my - f->slope * mx;
	for (size_t i = 0; i < n; i++) {
		double r = y[i] - (f->intercept + f->slope * x[i]);
		sse += r * r;
	}
	/* Constant y is fitted exactly by a flat line: call that R^2 = 1. */
	f->r2 = syy > 0 ? 1 - sse / syy : 1;
	if (f->r2 < 0)
		f->r2 = 0;
	/* Two points leave no degrees of freedom for an interval: it stays NaN. */
	if (n > 2) {
		se = sqrt(sse / (double)(n - 2) / sxx);
		t = t_crit95(n - 2);
		f->slope_ci95[0] = f->slope - t * se;
		f->slope_ci95[1] = f->slope + t * se;
	}
	return 0;
}
