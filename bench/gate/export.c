/*
 * Exports of the gate's result for dashboards that track a benchmark across commits:
 *   Bencher Metric Format (BMF): {"benchmark": {"measure-slug": {"value", "lower_value",
 *     "upper_value"}}}
 *   github-action-benchmark, tool "customSmallerIsBetter": [{"name", "unit", "value",
 *     "range", "extra"}]
 * The value is B's (the candidate's): the median over blocks of the per-block quantile.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"

static void metric_slug(const char *metric, const char *q, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", metric, q);
	for (char *c = buf; *c; c++)
		if (*c == '_')
			*c = '-';
}

static void min_max(const double *v, size_t n, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

json_t *gate_export_bmf(const struct gate_report *r)
{
	const struct gate_phase *ph = gate_deciding_phase(r);
	json_t *bmf = json_object();

	for (size_t i = 0; i < ph->n_series; i++) {
		const struct gate_series *s = &ph->series[i];
		json_t *measures = json_object();

		for (int q = 0; q < GQ__N; q++) {
			double med, sd, lo, hi;
			char slug[64];

			gate_series_level(s->b[q], s->nb, &med, &sd);
			min_max(s->b[q], s->nb, &lo, &hi);
			if (!isfinite(med) || !isfinite(lo) || !isfinite(hi))
				continue;
			metric_slug(r->o->metric, gate_q_names[q], slug, sizeof(slug));
			json_object_set_new(measures, slug,
					    json_pack("{s:f, s:f, s:f}", "value", med,
						      "lower_value", lo, "upper_value", hi));
		}
		json_object_set_new(bmf, s->name, measures);
	}
	return bmf;
}

json_t *gate_export_gab(const struct gate_report *r)
{
	const struct gate_phase *ph = gate_deciding_phase(r);
	json_t *arr = json_array();

	for (size_t i = 0; i < ph->n_series; i++) {
		const struct gate_series *s = &ph->series[i];

		for (int q = 0; q < GQ__N; q++) {
			const struct gate_shift *sh = &s->shift[q];
			double am, asd, bm, bsd;
			char name[512], range[64], extra[512];

			gate_series_level(s->a[q], s->na, &am, &asd);
			gate_series_level(s->b[q], s->nb, &bm, &bsd);
			if (!isfinite(bm))
				continue;
			snprintf(name, sizeof(name), "%s %s %s", s->name, r->o->metric,
				 gate_q_names[q]);
			snprintf(range, sizeof(range), "± %.0f", bm * bsd / 100);
			if (s->shift_err[q] || !isfinite(sh->est))
				snprintf(extra, sizeof(extra), "A %.0f ns; %zu blocks; verdict %s",
					 am, s->nb, gate_verdict_name(s->verdict[q]));
			else
				snprintf(
				    extra, sizeof(extra),
				    "A %.0f ns; change %+.2f%% [%+.2f%%, %+.2f%%]; p=%.2g (%s); "
				    "%zu blocks; verdict %s%s",
				    am, gate_pct(sh->est), gate_pct(sh->lo), gate_pct(sh->hi),
				    sh->p, r->paired ? "paired" : "unpaired, weaker", s->nb,
				    gate_verdict_name(s->verdict[q]),
				    q == gate_decisive_q(r->o) ? "" : " (info)");
			json_array_append_new(arr, json_pack("{s:s, s:s, s:f, s:s, s:s}", "name",
							     name, "unit", "ns", "value", bm,
							     "range", range, "extra", extra));
		}
	}
	return arr;
}
