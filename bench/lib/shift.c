/* The shift of B against A on the log scale, from bench/lib/ranktest.h: per-block ratios make
 * a multiplicative slowdown additive, and the rank methods do not care about the heavy
 * tail a scheduler tick gives the samples. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "shift.h"

#include "ranktest.h"
#include "stats.h"

static int logs_of(const double *v, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] > 0) || !isfinite(v[i]))
			return -EDOM;
		out[i] = log(v[i]);
	}
	return 0;
}

/* The logs of a[0..na) and b[0..nb) into fresh arrays (free both whatever the result). */
static int logs_of_both(const double *a, size_t na, const double *b, size_t nb, double **la,
			double **lb)
{
	*la = malloc(na * sizeof(**la));
	*lb = malloc(nb * sizeof(**lb));
	if (!*la || !*lb)
		return -ENOMEM;
	int rc = logs_of(a, na, *la);
	return rc ? rc : logs_of(b, nb, *lb);
}

int gate_shift_paired(const double *a, const double *b, size_t n, struct gate_shift *s)
{
	return gate_shift_paired_level(a, b, n, 0.05, s);
}

int gate_shift_paired_level(const double *a, const double *b, size_t n, double alpha,
			    struct gate_shift *s)
{
	struct signed_rank sr;
	struct hl_shift hl;
	double *d;
	int rc = 0;

	s->n = n;
	s->paired = true;
	s->est = s->lo = s->hi = s->p = s->stat = NAN;
	if (n == 0)
		return -ERANGE;
	if (!(d = malloc(n * sizeof(*d))))
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!(a[i] > 0) || !(b[i] > 0) || !isfinite(a[i]) || !isfinite(b[i]))
			rc = -EDOM;
		else
			d[i] = log(b[i] / a[i]);
	}
	if (!rc)
		rc = signed_rank_test(d, n, &sr);
	if (!rc)
		rc = hodges_lehmann_one_level(d, n, alpha, &hl);
	free(d);
	if (rc)
		return rc;
	s->est = hl.estimate;
	s->lo = hl.ci95[0];
	s->hi = hl.ci95[1];
	s->p = sr.p;
	s->stat = sr.w_plus;
	return 0;
}

int gate_shift_unpaired(const double *a, size_t na, const double *b, size_t nb,
			struct gate_shift *s)
{
	struct mann_whitney mw;
	struct hl_shift hl;
	double *la, *lb;
	int rc;

	s->n = na < nb ? na : nb;
	s->paired = false;
	s->est = s->lo = s->hi = s->p = s->stat = NAN;
	if (!na || !nb)
		return -ERANGE;
	rc = logs_of_both(a, na, b, nb, &la, &lb);
	if (!rc)
		rc = mann_whitney_test(lb, nb, la, na, &mw);
	if (!rc)
		rc = hodges_lehmann_two(lb, nb, la, na, &hl);
	free(la);
	free(lb);
	if (rc)
		return rc;
	s->est = hl.estimate;
	s->lo = hl.ci95[0];
	s->hi = hl.ci95[1];
	s->p = mw.p;
	s->stat = mw.u;
	return 0;
}

/* The continued fraction of the regularized incomplete beta I_x(a, b) (modified Lentz);
 * converges fast for x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (int m = 1; m <= 300; m++) {
		double num[2], del;

		num[0] = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		num[1] = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		for (int k = 0; k < 2; k++) {
			d = 1 + num[k] * d;
			d = 1 / (fabs(d) < tiny ? tiny : d);
			c = 1 + num[k] / c;
			if (fabs(c) < tiny)
				c = tiny;
			h *= del = c * d;
		}
		if (fabs(del - 1) < 1e-14)
			break;
	}
	return h;
}

static double incomplete_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* Two-sided p of Student's t with dof degrees of freedom: I_{dof/(dof+t^2)}(dof/2, 1/2). */
static double t_two_sided_p(double t, double dof)
{
	return incomplete_beta(dof / 2, 0.5, dof / (dof + t * t));
}

static void mean_var(const double *x, size_t n, double *mean, double *var)
{
	double m = 0, v = 0;

	for (size_t i = 0; i < n; i++)
		m += x[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	*mean = m;
	*var = v / (double)(n - 1);
}

int gate_shift_runs(const double *a, size_t na, const double *b, size_t nb, struct gate_shift *s)
{
	double *la, *lb, ma, va, mb, vb, se2, dof, t;
	int rc;

	s->n = na < nb ? na : nb;
	s->paired = false;
	s->est = s->lo = s->hi = s->p = s->stat = NAN;
	if (na < 2 || nb < 2)
		return -ERANGE;
	rc = logs_of_both(a, na, b, nb, &la, &lb);
	if (!rc) {
		mean_var(la, na, &ma, &va);
		mean_var(lb, nb, &mb, &vb);
	}
	free(la);
	free(lb);
	if (rc)
		return rc;
	se2 = va / (double)na + vb / (double)nb;
	s->est = mb - ma;
	if (!(se2 > 0)) { /* identical runs on each side: the shift is known exactly */
		s->lo = s->hi = s->est;
		s->p = s->est == 0 ? 1 : 0;
		s->stat = s->est == 0 ? 0 : copysign(INFINITY, s->est);
		return 0;
	}
	if (na == nb) {
		/* Student's t with the pooled variance: with equal numbers of runs a side it
		 * keeps its level when the two variances differ (Box 1954), and at 3 runs a side
		 * Welch's degrees of freedom (often 2) would double the interval's width. With
		 * na == nb the pooled standard error is se2 as it stands; only the dof differ. */
		dof = (double)(na + nb - 2);
	} else {
		/* Welch-Satterthwaite; floor keeps the t quantile on the safe (wider) side. */
		dof = se2 * se2 /
		      (va * va / ((double)na * na * (double)(na - 1)) +
		       vb * vb / ((double)nb * nb * (double)(nb - 1)));
	}
	t = t_crit95(dof < 1 ? 1 : (size_t)floor(dof));
	s->lo = s->est - t * sqrt(se2);
	s->hi = s->est + t * sqrt(se2);
	s->stat = s->est / sqrt(se2);
	s->p = t_two_sided_p(s->stat, dof);
	return 0;
}
