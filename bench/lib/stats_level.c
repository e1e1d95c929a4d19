/* The machine's level through one run (bench/lib/stats_level.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"
#include "stats_level.h"

/* Median of the finite values of v[0..n) (reordered), NaN when there is none. */
static double finite_median(double *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	return quantile_of(v, k, 0.5);
}

/* (1.4826 MAD)^2 of v[0..n): the spread of the rounds' levels, robust to a few wild
 * rounds (a block near 3 ms among 50 us ones). buf: n doubles. */
static double round_var(const double *v, size_t n, double *buf)
{
	double med, mad;

	for (size_t i = 0; i < n; i++)
		buf[i] = v[i];
	med = finite_median(buf, n);
	for (size_t i = 0; i < n; i++)
		buf[i] = fabs(v[i] - med);
	mad = 1.482602218505602 * finite_median(buf, n);
	return mad * mad;
}

int stats_level_course(const double *lq, size_t n_arms, size_t n_rounds, struct level_course *out)
{
	size_t big = n_arms > n_rounds ? n_arms : n_rounds, used = 0;
	double *own = malloc((n_arms ? n_arms : 1) * sizeof(*own));
	double *level = malloc((n_rounds ? n_rounds : 1) * sizeof(*level));
	double *buf = malloc((big ? big : 1) * sizeof(*buf));
	int rc = 0;

	out->arms = out->rounds = 0;
	out->range = out->sd = NAN;
	for (size_t p = 0; p < LEVEL_PARTS; p++)
		out->part[p] = NAN;
	if (!own || !level || !buf) {
		rc = -ENOMEM;
		goto done;
	}
	/* each arm's own median over rounds: what the arm costs, taken out of its rounds */
	for (size_t a = 0; a < n_arms; a++) {
		for (size_t r = 0; r < n_rounds; r++)
			buf[r] = lq[a * n_rounds + r];
		own[a] = finite_median(buf, n_rounds);
		if (isfinite(own[a]))
			out->arms++;
	}
	for (size_t r = 0; r < n_rounds; r++) {
		for (size_t a = 0; a < n_arms; a++)
			buf[a] = lq[a * n_rounds + r] - own[a];
		level[r] = finite_median(buf, n_arms);
		if (isfinite(level[r]))
			level[used++] = level[r];
	}
	out->rounds = used;
	if (used < 2 * LEVEL_PARTS) {
		rc = -ERANGE;
		goto done;
	}
	{
		double whole, lo = INFINITY, hi = -INFINITY, lp[LEVEL_PARTS], mean = 0, ss = 0;

		for (size_t r = 0; r < used; r++)
			buf[r] = level[r];
		whole = finite_median(buf, used);
		for (size_t p = 0; p < LEVEL_PARTS; p++) {
			size_t from = used * p / LEVEL_PARTS, to = used * (p + 1) / LEVEL_PARTS;

			for (size_t r = from; r < to; r++)
				buf[r - from] = level[r];
			lp[p] = finite_median(buf, to - from) - whole;
			out->part[p] = expm1(lp[p]);
			mean += lp[p] / LEVEL_PARTS;
			lo = fmin(lo, out->part[p]);
			hi = fmax(hi, out->part[p]);
		}
		out->range = hi - lo;
		for (size_t p = 0; p < LEVEL_PARTS; p++)
			ss += (lp[p] - mean) * (lp[p] - mean);
		out->sd =
		    sqrt(fmax(0, ss / (LEVEL_PARTS - 1) - M_PI / 2 * round_var(level, used, buf) /
							      (double)(used / LEVEL_PARTS)));
	}
done:
	free(own);
	free(level);
	free(buf);
	return rc;
}

void stats_level_widen(double est, double ci[2], double sd)
{
	const double z = 1.959963984540054 * sd;

	if (!(est > 0) || !(sd >= 0) || !(ci[0] > 0) || !(ci[1] > 0))
		return;
	ci[0] = est * exp(-hypot(log(est / ci[0]), z));
	ci[1] = est * exp(hypot(log(ci[1] / est), z));
}
