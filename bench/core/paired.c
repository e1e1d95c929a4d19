/* Round-paired comparison of two arms (bench/core/paired.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "paired.h"
#include "bench/lib/stats.h"

void arm_round_quantiles(const struct arm *a, enum metric m, double q, double *out, size_t rounds,
			 double *buf)
{
	size_t i = 0;

	for (size_t r = 0; r < rounds; r++)
		out[r] = NAN;
	while (i < a->n) {
		uint32_t round = a->s[i].block;
		size_t k = 0;

		for (; i < a->n && a->s[i].block == round; i++)
			if (sample_counts(&a->s[i]) && a->s[i].t[m] >= 0)
				buf[k++] = (double)a->s[i].t[m];
		if (k && round < rounds)
			out[round] = quantile_of(buf, k, q);
	}
}

enum metric arm_main_metric(const struct arm *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (sample_counts(&a->s[i]) && a->s[i].t[M_FIRST] >= 0)
			return M_FIRST;
	return M_REAPED;
}

size_t arm_rounds(const struct arm *a)
{
	size_t most = 0;

	for (size_t i = 0; i < a->n; i++)
		if ((size_t)a->s[i].block + 1 > most)
			most = (size_t)a->s[i].block + 1;
	return most;
}

int paired_by_round(const struct arm *ref, const struct arm *arm, enum metric m, double q,
		    struct gate_shift *s)
{
	size_t rounds = arm_rounds(ref), biggest = ref->n > arm->n ? ref->n : arm->n, n = 0;
	double *qa, *qb, *buf;
	int rc;

	if (arm_rounds(arm) > rounds)
		rounds = arm_rounds(arm);
	qa = malloc((rounds ? rounds : 1) * sizeof(*qa));
	qb = malloc((rounds ? rounds : 1) * sizeof(*qb));
	buf = malloc((biggest ? biggest : 1) * sizeof(*buf));
	if (!qa || !qb || !buf) {
		rc = -ENOMEM;
		goto out;
	}
	arm_round_quantiles(ref, m, q, qa, rounds, buf);
	arm_round_quantiles(arm, m, q, qb, rounds, buf);
	/* Keep the rounds both arms have, packed in place. */
	for (size_t r = 0; r < rounds; r++)
		if (!isnan(qa[r]) && !isnan(qb[r])) {
			qa[n] = qa[r];
			qb[n++] = qb[r];
		}
	rc = gate_shift_paired(qa, qb, n, s);
out:
	free(qa);
	free(qb);
	free(buf);
	return rc;
}

static json_t *ratio_or_null(double log_ratio)
{
	return isfinite(log_ratio) ? json_real(exp(log_ratio)) : json_null();
}

json_t *paired_json(const struct gate_shift *s, const char *quantile)
{
	return json_pack("{s:s, s:o, s:[oo], s:I}", "quantile", quantile, "estimate",
			 ratio_or_null(s->est), "ci95", ratio_or_null(s->lo), ratio_or_null(s->hi),
			 "rounds", (json_int_t)s->n);
}
