/* The shift of B against A on the log scale, from bench/ranktest.h: per-block ratios make
 * a multiplicative slowdown additive, and the rank methods do not care about the heavy
 * tail a scheduler tick gives the samples. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "gate.h"
#include "ranktest.h"

static int logs_of(const double *v, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] > 0) || !isfinite(v[i]))
			return -EDOM;
		out[i] = log(v[i]);
	}
	return 0;
}

int gate_shift_paired(const double *a, const double *b, size_t n, struct gate_shift *s)
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
		rc = hodges_lehmann_one(d, n, &hl);
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
	la = malloc(na * sizeof(*la));
	lb = malloc(nb * sizeof(*lb));
	rc = la && lb ? 0 : -ENOMEM;
	if (!rc)
		rc = logs_of(a, na, la);
	if (!rc)
		rc = logs_of(b, nb, lb);
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
