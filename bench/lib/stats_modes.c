/* Two groups of block medians or one (bench/lib/stats_modes.h): a two-component normal mixture
 * fitted by EM (Dempster, Laird & Rubin 1977) on the log scale, against one normal. */
#include "stats_modes.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VAR_FLOOR 1e-4 /* (1 %)^2: no group is tighter than the clock and the machine allow */
#define EM_ROUNDS 300

static double log_normal_pdf(double x, double mu, double var)
{
	return -0.5 * (log(2 * M_PI * var) + (x - mu) * (x - mu) / var);
}

static double log_sum_exp(double a, double b)
{
	double m = a > b ? a : b;

	return m + log(exp(a - m) + exp(b - m));
}

struct mix {
	double w, mu[2], var[2]; /* w: weight of component 1 (the high one after sorting) */
};

static double mix_loglik(const double *x, size_t n, const struct mix *f)
{
	double ll = 0;

	for (size_t i = 0; i < n; i++)
		ll += log_sum_exp(log(1 - f->w) + log_normal_pdf(x[i], f->mu[0], f->var[0]),
				  log(f->w) + log_normal_pdf(x[i], f->mu[1], f->var[1]));
	return ll;
}

/* Start from the split of the sorted values that maximizes the between-group variance. */
static void mix_start(const double *sorted, size_t n, struct mix *f)
{
	double total = 0, left = 0, best = -1;
	size_t cut = 1;

	for (size_t i = 0; i < n; i++)
		total += sorted[i];
	for (size_t k = 1; k < n; k++) {
		double m0, m1, between;

		left += sorted[k - 1];
		m0 = left / (double)k;
		m1 = (total - left) / (double)(n - k);
		between = (double)k * (double)(n - k) * (m1 - m0) * (m1 - m0);
		if (between > best) {
			best = between;
			cut = k;
		}
	}
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++)
		f->mu[i >= cut] += sorted[i];
	f->mu[0] /= (double)cut;
	f->mu[1] /= (double)(n - cut);
	for (size_t i = 0; i < n; i++) {
		double d = sorted[i] - f->mu[i >= cut];
		f->var[i >= cut] += d * d;
	}
	f->var[0] = fmax(f->var[0] / (double)cut, VAR_FLOOR);
	f->var[1] = fmax(f->var[1] / (double)(n - cut), VAR_FLOOR);
	f->w = (double)(n - cut) / (double)n;
}

static void mix_em(const double *x, size_t n, double *resp, struct mix *f)
{
	for (int it = 0; it < EM_ROUNDS; it++) {
		double s1 = 0, m[2] = {0, 0}, v[2] = {0, 0};

		for (size_t i = 0; i < n; i++) {
			double a = log(1 - f->w) + log_normal_pdf(x[i], f->mu[0], f->var[0]);
			double b = log(f->w) + log_normal_pdf(x[i], f->mu[1], f->var[1]);

			resp[i] = exp(b - log_sum_exp(a, b));
			s1 += resp[i];
			m[0] += (1 - resp[i]) * x[i];
			m[1] += resp[i] * x[i];
		}
		if (s1 < 1e-9 || s1 > (double)n - 1e-9)
			return; /* one component took everything: the fit is one normal */
		m[0] /= (double)n - s1;
		m[1] /= s1;
		for (size_t i = 0; i < n; i++) {
			v[0] += (1 - resp[i]) * (x[i] - m[0]) * (x[i] - m[0]);
			v[1] += resp[i] * (x[i] - m[1]) * (x[i] - m[1]);
		}
		f->w = s1 / (double)n;
		f->mu[0] = m[0];
		f->mu[1] = m[1];
		f->var[0] = fmax(v[0] / ((double)n - s1), VAR_FLOOR);
		f->var[1] = fmax(v[1] / s1, VAR_FLOOR);
	}
}

int block_modes(const double *v, size_t n, struct modes *out)
{
	double *x, *resp, mu = 0, var = 0, ll1 = 0, ll2, sd_max, small;
	struct mix f;

	memset(out, 0, sizeof(*out));
	out->low = out->high = out->share_high = out->delta_bic = NAN;
	if (n < MODES_MIN_BLOCKS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] > 0) || !isfinite(v[i]))
			return -EINVAL;
	x = malloc(n * sizeof(*x));
	resp = malloc(n * sizeof(*resp));
	if (!x || !resp) {
		free(x);
		free(resp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		mu += (x[i] = log(v[i]));
	mu /= (double)n;
	for (size_t i = 0; i < n; i++)
		var += (x[i] - mu) * (x[i] - mu);
	var = fmax(var / (double)n, VAR_FLOOR);
	for (size_t i = 0; i < n; i++)
		ll1 += log_normal_pdf(x[i], mu, var);
	qsort(x, n, sizeof(*x), cmp_double);
	mix_start(x, n, &f);
	mix_em(x, n, resp, &f);
	ll2 = mix_loglik(x, n, &f);
	if (f.mu[0] > f.mu[1]) { /* keep component 1 the high one */
		double t;
		t = f.mu[0], f.mu[0] = f.mu[1], f.mu[1] = t;
		t = f.var[0], f.var[0] = f.var[1], f.var[1] = t;
		f.w = 1 - f.w;
	}
	/* 2 parameters for one normal, 5 for the mixture. */
	out->n = n;
	out->delta_bic = 2 * (ll2 - ll1) - 3 * log((double)n);
	out->low = exp(f.mu[0]);
	out->high = exp(f.mu[1]);
	out->share_high = f.w;
	sd_max = sqrt(fmax(f.var[0], f.var[1]));
	small = fmin(f.w, 1 - f.w) * (double)n;
	out->two_groups = out->delta_bic > 10 && small >= 3 && small >= 0.05 * (double)n &&
			  f.mu[1] - f.mu[0] >= log(1.2) && f.mu[1] - f.mu[0] > 2 * sd_max;
	free(x);
	free(resp);
	return 0;
}
