/*
 * Exports of the gate's result for dashboards that track a benchmark across commits, one
 * function and one row of gate_exports (at the end) each:
 *   Bencher Metric Format (BMF): {"benchmark": {"measure-slug": {"value", "lower_value",
 *     "upper_value"}}}
 *   github-action-benchmark, tool "customSmallerIsBetter": [{"name", "unit", "value",
 *     "range", "extra"}]
 * The value is B's (the candidate's): the median over blocks of the per-block quantile.
 */
#include <errno.h>
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

static json_t *export_bmf(const struct gate_report *r)
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

static json_t *export_gab(const struct gate_report *r)
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

const struct gate_export gate_exports[] = {
    {"bencher", "bencher.json", "Bencher Metric Format", export_bmf},
    {"github-action-benchmark", "github-action-benchmark.json", "tool customSmallerIsBetter",
     export_gab},
};
const size_t gate_n_exports = sizeof(gate_exports) / sizeof(gate_exports[0]);

int gate_exports_select(const char *list, uint64_t *mask, char *err, size_t len)
{
	const char *p = list;

	*mask = 0;
	if (!strcmp(list, "none"))
		return 0;
	if (!strcmp(list, "all")) {
		for (size_t i = 0; i < gate_n_exports && i < 64; i++)
			*mask |= (uint64_t)1 << i;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < gate_n_exports && i < 64; i++)
			if (strlen(gate_exports[i].name) == n &&
			    !strncmp(p, gate_exports[i].name, n))
				break;
		if (i == gate_n_exports || i == 64) {
			snprintf(err, len, "no export named '%.*s'", (int)n, p);
			return -EINVAL;
		}
		*mask |= (uint64_t)1 << i;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}
