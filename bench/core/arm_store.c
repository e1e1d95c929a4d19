/* An arm's samples -> statistics in its results entry, per-block summaries, and its CSV. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paired.h"
#include "probe_coverage.h"
#include "sampler.h"
#include "footprint_report.h"
#include "bench/lib/stats.h"
#include "bench/lib/stats_cluster.h"
#include "bench/lib/stats_modes.h"

/* Values of metric m over the good samples [from, to) into buf, and their rounds into round
 * when it is not NULL; returns the count. */
static size_t gather_metric(const struct arm *a, enum metric m, size_t from, size_t to, double *buf,
			    uint32_t *round)
{
	size_t n = 0;

	for (size_t i = from; i < to; i++)
		if (sample_counts(&a->s[i]) && a->s[i].t[m] >= 0) {
			if (round)
				round[n] = a->s[i].block;
			buf[n++] = (double)a->s[i].t[m];
		}
	return n;
}

/* Statistics of x[0..n) whose intervals resample rounds, not samples: the samples of one
 * round share the machine's state (docs/statistics.md). NULL when n == 0 or out of memory. */
static json_t *round_stats(const double *x, const uint32_t *round, size_t n, const char *unit,
			   uint64_t seed)
{
	struct stats st;
	size_t rounds, run;
	double se[2];
	json_t *o;

	if (!n || stats_compute(x, n, seed, &st) ||
	    stats_cluster_ci(x, round, n, seed, &st, &rounds, &run))
		return NULL;
	if (!(o = json_stats(&st, unit)))
		return NULL;
	json_object_set_new(o, "ci_method", json_string("circular block bootstrap over rounds"));
	json_object_set_new(o, "ci_rounds", json_integer((json_int_t)rounds));
	json_object_set_new(o, "ci_run_length", json_integer((json_int_t)run));
	/* Too few rounds for an interval: the fits still need each point's uncertainty. */
	if (!stats_round_se(x, round, n, se, &rounds) && !isfinite(st.ci95_p50[0])) {
		json_object_set_new(o, "se_p10_rounds",
				    isfinite(se[0]) ? json_real(se[0]) : json_null());
		json_object_set_new(o, "se_p50_rounds",
				    isfinite(se[1]) ? json_real(se[1]) : json_null());
	}
	return o;
}

static json_t *block_summaries(const struct arm *a, double *buf)
{
	json_t *blocks = json_array();
	size_t i = 0;

	while (i < a->n) {
		uint32_t b = a->s[i].block;
		size_t j = i;
		json_t *o = json_object();

		while (j < a->n && a->s[j].block == b)
			j++;
		json_object_set_new(o, "block", json_integer(b));
		json_object_set_new(o, "n", json_integer((json_int_t)(j - i)));
		for (int m = 0; m < M__N; m++) {
			size_t n = gather_metric(a, (enum metric)m, i, j, buf, NULL);
			json_t *q;

			if (!n)
				continue;
			qsort(buf, n, sizeof(*buf), cmp_double);
			q = json_object();
			json_object_set_new(q, "p10", json_real(quantile_sorted(buf, n, 0.10)));
			json_object_set_new(q, "p50", json_real(quantile_sorted(buf, n, 0.50)));
			json_object_set_new(o, metric_names[m], q);
		}
		json_array_append_new(blocks, o);
		i = j;
	}
	return blocks;
}

/* p10 and p50 of metric m over the counted samples whose child ran on the parent's CPU
 * (same) or not; n and nothing else when there are none. */
static json_t *cpu_split(const struct arm *a, enum metric m, bool same, double *buf)
{
	size_t n = 0;
	json_t *o;

	for (size_t i = 0; i < a->n; i++) {
		const struct sample *s = &a->s[i];

		if (sample_counts(s) && s->t[m] >= 0 && s->cpu_parent >= 0 && s->cpu_child >= 0 &&
		    (s->cpu_parent == s->cpu_child) == same)
			buf[n++] = (double)s->t[m];
	}
	o = json_pack("{s:I}", "n", (json_int_t)n);
	if (n) {
		qsort(buf, n, sizeof(*buf), cmp_double);
		json_object_set_new(o, "p10", json_real(quantile_sorted(buf, n, 0.10)));
		json_object_set_new(o, "p50", json_real(quantile_sorted(buf, n, 0.50)));
	}
	return o;
}

/* "by_child_cpu": the main metric split by where the child first ran (the explanation of the
 * two modes measured here), and "modes": whether the block medians form two groups. */
static void store_modes(const struct arm *a, json_t *entry, double *buf)
{
	enum metric m = arm_main_metric(a);
	size_t nb = 0, rounds = arm_rounds(a);
	double *med = malloc((rounds ? rounds : 1) * sizeof(*med));
	json_t *split = json_pack("{s:s}", "metric", metric_names[m]);
	struct modes md;

	json_object_set_new(split, "same", cpu_split(a, m, true, buf));
	json_object_set_new(split, "other", cpu_split(a, m, false, buf));
	json_object_set_new(entry, "by_child_cpu", split);
	if (!med)
		return;
	/* each block's median, in round order; rounds without a counted sample left out */
	arm_round_quantiles(a, m, 0.5, med, rounds, buf);
	for (size_t r = 0; r < rounds; r++)
		if (!isnan(med[r]))
			med[nb++] = med[r];
	if (!block_modes(med, nb, &md))
		json_object_set_new(entry, "modes",
				    json_pack("{s:s, s:b, s:f, s:f, s:f, s:f, s:I}", "metric",
					      metric_names[m], "two_groups", md.two_groups,
					      "low_ns", md.low, "high_ns", md.high, "share_high",
					      md.share_high, "delta_bic", md.delta_bic, "blocks",
					      (json_int_t)md.n));
	free(med);
}

/* Successful samples left out of the statistics as the first of their block. */
static size_t count_switch(const struct arm *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += !a->s[i].err && a->s[i].pos_in_block == 0;
	return n;
}

struct csv_arg {
	const struct arm *a;
};

static int fill_csv(FILE *f, void *arg)
{
	const struct arm *a = ((struct csv_arg *)arg)->a;

	fprintf(f, "i,block,pos_in_block,cpu_parent,cpu_child,pid,err,t_return_ns,t_first_ns,"
		   "t_reaped_ns");
	if (a->ph) {
		for (int p = 0; p < PH__N; p++)
			fprintf(f, ",%s_ns", probe_phase_names[p]);
		for (int v = 0; v < PV__N; v++)
			fprintf(f, ",%s", probe_value_names[v]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < a->n; i++) {
		const struct sample *s = &a->s[i];

		fprintf(f, "%zu,%u,%u,%d,%d,%d,%d", i, s->block, (unsigned)s->pos_in_block,
			s->cpu_parent, s->cpu_child, (int)s->pid, s->err);
		for (int m = 0; m < M__N; m++) {
			if (s->t[m] >= 0)
				fprintf(f, ",%lld", (long long)s->t[m]);
			else
				fputs(",", f); /* empty: not measured */
		}
		if (a->ph) {
			const struct probe_sample *ph = &a->ph[i];
			for (int p = 0; p < PH__N; p++) {
				if (ph->have_phase & (1u << p))
					fprintf(f, ",%lld", (long long)ph->phase_ns[p]);
				else
					fputs(",", f);
			}
			for (int v = 0; v < PV__N; v++) {
				if (ph->have_value & (1u << v))
					fprintf(f, ",%lld", (long long)ph->value[v]);
				else
					fputs(",", f);
			}
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

static const char *unit_ns(int k)
{
	(void)k;
	return "ns";
}

static const char *unit_of_value(int v)
{
	return v == PV_PGTABLES_BYTES ? "bytes" : "count";
}

/* Statistics of each member k < n of one group of probe_sample (phases, values, kernel
 * functions) over the good samples that have it: have_off / arr_off are the offsets of the
 * group's bit mask and int64_t array in struct probe_sample. */
static json_t *probe_group(struct run_ctx *ctx, const struct arm *a, size_t have_off,
			   size_t arr_off, int n_members, const char *const *names,
			   const char *(*unit)(int), double *buf, uint32_t *round)
{
	json_t *obj = json_object();

	for (int k = 0; k < n_members; k++) {
		size_t n = 0;
		json_t *st;

		for (size_t i = 0; i < a->n; i++) {
			const char *ph = (const char *)&a->ph[i];
			uint32_t have;
			int64_t x;

			memcpy(&have, ph + have_off, sizeof(have));
			memcpy(&x, ph + arr_off + (size_t)k * sizeof(x), sizeof(x));
			if (sample_counts(&a->s[i]) && (have & (1u << k))) {
				round[n] = a->s[i].block;
				buf[n++] = (double)x;
			}
		}
		if (n && (st = round_stats(buf, round, n, unit(k), ctx->seed)))
			json_object_set_new(obj, names[k], st);
	}
	return obj;
}

/* Statistics of each probe phase, value and kernel function (fentry/fexit durations, where
 * the kernel allowed those programs) over the samples that have it, and the coverage. */
static void store_probes(struct run_ctx *ctx, const struct arm *a, json_t *entry, double *buf,
			 uint32_t *round)
{
	json_object_set_new(entry, "phases",
			    probe_group(ctx, a, offsetof(struct probe_sample, have_phase),
					offsetof(struct probe_sample, phase_ns), PH__N,
					probe_phase_names, unit_ns, buf, round));
	json_object_set_new(entry, "values",
			    probe_group(ctx, a, offsetof(struct probe_sample, have_value),
					offsetof(struct probe_sample, value), PV__N,
					probe_value_names, unit_of_value, buf, round));
	json_object_set_new(entry, "kernel_functions",
			    probe_group(ctx, a, offsetof(struct probe_sample, have_kfunc),
					offsetof(struct probe_sample, kfunc_ns), PROBE_KFUNCS,
					probe_kfunc_names, unit_ns, buf, round));
	probe_coverage_store(a, ctx->probes, entry);
}

int arm_store(struct run_ctx *ctx, struct arm *a, json_t *entry, const char *csvname)
{
	double *buf = malloc((a->n ? a->n : 1) * sizeof(*buf));
	uint32_t *round = malloc((a->n ? a->n : 1) * sizeof(*round));
	json_t *metrics = json_object_get(entry, "metrics");
	char rel[512];
	struct csv_arg arg = {a};
	int rc;

	if (!buf || !round) {
		free(buf);
		free(round);
		return -ENOMEM;
	}
	if (!metrics) {
		metrics = json_object();
		json_object_set_new(entry, "metrics", metrics);
	}
	for (int m = 0; m < M__N; m++) {
		size_t n = gather_metric(a, (enum metric)m, 0, a->n, buf, round);
		json_t *st = round_stats(buf, round, n, "ns", ctx->seed);

		if (st)
			json_object_set_new(metrics, metric_names[m], st);
	}
	if (a->ph)
		store_probes(ctx, a, entry, buf, round);
	json_object_set_new(entry, "blocks", block_summaries(a, buf));
	if (a->have_fp)
		json_object_set_new(entry, "footprint",
				    json_pack("{s:o, s:o}", "start", footprint_json(&a->fp[0]),
					      "end", footprint_json(&a->fp[1])));
	store_modes(a, entry, buf);
	json_object_set_new(entry, "n_attempted", json_integer((json_int_t)a->n));
	json_object_set_new(entry, "n_switch_samples", json_integer((json_int_t)count_switch(a)));
	json_object_set_new(entry, "failures", json_integer((json_int_t)a->failures));
	if (a->first_err)
		json_object_set_new(entry, "first_error",
				    json_string(sample_error_str(a->first_err)));
	free(buf);
	free(round);
	snprintf(rel, sizeof(rel), "samples/%s.csv", csvname);
	json_object_set_new(entry, "samples", json_string(rel));
	rc = results_write_file(ctx->res, rel, fill_csv, &arg);
	return rc;
}
