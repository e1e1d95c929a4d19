/* The gate's decision rule and the per-comparison data it is applied to. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "bench/lib/stats.h"

const char *const gate_q_names[GQ__N] = {"p10", "p50"};

double gate_pct(double log_ratio)
{
	return expm1(log_ratio) * 100;
}

/*
 * Fail only when the shift is both real and big enough: the interval's lower bound clears
 * the noise band (a shift that small is within what the machine does between two identical
 * builds) and the point estimate is at least the threshold. Pass as soon as the interval's
 * upper bound is below the threshold: no slowdown that large is compatible with the data.
 * Bounds are compared on the log scale, where a slowdown of x is log(1 + x).
 */
enum gate_verdict gate_decide(const struct gate_shift *s, const struct gate_rule *r, bool final)
{
	const double thr = log1p(r->threshold), band = log1p(r->noise);

	if (s->n < r->min_n)
		return final ? GV_INCONCLUSIVE : GV_CONTINUE;
	if (s->lo > band && s->est >= thr)
		return GV_REGRESSION;
	if (s->hi < -band && s->est <= -thr)
		return GV_IMPROVED;
	if (s->hi < thr)
		return GV_PASS;
	return final ? GV_INCONCLUSIVE : GV_CONTINUE;
}

enum gate_verdict gate_combine(const enum gate_verdict *v, size_t n, bool final)
{
	bool open = false, all_improved = n > 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i] == GV_REGRESSION)
			return GV_REGRESSION;
		if (v[i] == GV_CONTINUE || v[i] == GV_INCONCLUSIVE)
			open = true;
		if (v[i] != GV_IMPROVED)
			all_improved = false;
	}
	if (open || n == 0)
		return final ? GV_INCONCLUSIVE : GV_CONTINUE;
	return all_improved ? GV_IMPROVED : GV_PASS;
}

int gate_decisive_q(const struct gate_opts *o)
{
	return strcmp(o->quantile, "p50") ? GQ_P10 : GQ_P50;
}

const struct gate_phase *gate_deciding_phase(const struct gate_report *r)
{
	return &r->phases[r->n_phases ? r->n_phases - 1 : 0];
}

const char *gate_verdict_name(enum gate_verdict v)
{
	switch (v) {
	case GV_CONTINUE:
		return "undecided";
	case GV_PASS:
		return "pass";
	case GV_IMPROVED:
		return "improved";
	case GV_REGRESSION:
		return "regression";
	case GV_INCONCLUSIVE:
		return "inconclusive";
	}
	return "?";
}

int gate_verdict_exit(enum gate_verdict v)
{
	switch (v) {
	case GV_PASS:
	case GV_IMPROVED:
		return GATE_EXIT_PASS;
	case GV_REGRESSION:
		return GATE_EXIT_REGRESSION;
	case GV_CONTINUE:
	case GV_INCONCLUSIVE:
		break;
	}
	return GATE_EXIT_INCONCLUSIVE;
}

static int grow(double **v, size_t n, size_t *cap)
{
	size_t c = *cap ? *cap * 2 : 64;
	double *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, c * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

int gate_series_push(struct gate_series *s, bool b_side, double p10, double p50)
{
	double **v = b_side ? s->b : s->a;
	size_t *n = b_side ? &s->nb : &s->na, *cap = b_side ? &s->cap_b : &s->cap_a;
	size_t c0 = *cap, c1 = *cap;
	int rc;

	/* both quantile arrays grow together: grow the second from the same old capacity */
	if ((rc = grow(&v[GQ_P10], *n, &c0)) || (rc = grow(&v[GQ_P50], *n, &c1)))
		return rc;
	*cap = c0 < c1 ? c0 : c1;
	v[GQ_P10][*n] = p10;
	v[GQ_P50][*n] = p50;
	(*n)++;
	return 0;
}

void gate_series_free(struct gate_series *s)
{
	free(s->name);
	for (int q = 0; q < GQ__N; q++) {
		free(s->a[q]);
		free(s->b[q]);
	}
	memset(s, 0, sizeof(*s));
}

void gate_series_level(const double *v, size_t n, double *median, double *stddev_pct)
{
	double *sorted, mean = 0, ss = 0;

	*median = *stddev_pct = NAN;
	if (!n || !(sorted = malloc(n * sizeof(*sorted))))
		return;
	memcpy(sorted, v, n * sizeof(*sorted));
	*median = quantile_of(sorted, n, 0.5);
	free(sorted);
	for (size_t i = 0; i < n; i++)
		mean += v[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	*stddev_pct = n > 1 && mean > 0 ? sqrt(ss / (double)(n - 1)) / mean * 100 : 0;
}
