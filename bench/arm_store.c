/* An arm's samples -> statistics in its results entry, per-block summaries, and its CSV. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_coverage.h"
#include "sampler.h"
#include "stats.h"

/* Values of metric m over the good samples [from, to) into buf; returns the count. */
static size_t gather_metric(const struct arm *a, enum metric m, size_t from, size_t to, double *buf)
{
	size_t n = 0;

	for (size_t i = from; i < to; i++)
		if (!a->s[i].err && a->s[i].t[m] >= 0)
			buf[n++] = (double)a->s[i].t[m];
	return n;
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
			size_t n = gather_metric(a, (enum metric)m, i, j, buf);
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

struct csv_arg {
	const struct arm *a;
};

static int fill_csv(FILE *f, void *arg)
{
	const struct arm *a = ((struct csv_arg *)arg)->a;

	fprintf(f, "i,block,pid,err,t_return_ns,t_first_ns,t_reaped_ns");
	if (a->ph) {
		for (int p = 0; p < PH__N; p++)
			fprintf(f, ",%s_ns", probe_phase_names[p]);
		for (int v = 0; v < PV__N; v++)
			fprintf(f, ",%s", probe_value_names[v]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < a->n; i++) {
		const struct sample *s = &a->s[i];

		fprintf(f, "%zu,%u,%d,%d", i, s->block, (int)s->pid, s->err);
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

/* Statistics of each probe phase / value over the samples that have it. */
static void store_probes(struct run_ctx *ctx, const struct arm *a, json_t *entry, double *buf)
{
	json_t *phases = json_object(), *values = json_object();

	for (int p = 0; p < PH__N; p++) {
		size_t n = 0;
		json_t *st;

		for (size_t i = 0; i < a->n; i++)
			if (!a->s[i].err && (a->ph[i].have_phase & (1u << p)))
				buf[n++] = (double)a->ph[i].phase_ns[p];
		if (n && (st = json_stats_of(buf, n, "ns", ctx->seed)))
			json_object_set_new(phases, probe_phase_names[p], st);
	}
	for (int v = 0; v < PV__N; v++) {
		size_t n = 0;
		json_t *st;

		for (size_t i = 0; i < a->n; i++)
			if (!a->s[i].err && (a->ph[i].have_value & (1u << v)))
				buf[n++] = (double)a->ph[i].value[v];
		if (n && (st = json_stats_of(buf, n, v == PV_PGTABLES_BYTES ? "bytes" : "count",
					     ctx->seed)))
			json_object_set_new(values, probe_value_names[v], st);
	}
	json_object_set_new(entry, "phases", phases);
	json_object_set_new(entry, "values", values);
	/* the fentry/fexit durations, where the kernel allowed those programs */
	json_t *kfuncs = json_object();
	for (int k = 0; k < PROBE_KFUNCS; k++) {
		size_t n = 0;
		json_t *st;

		for (size_t i = 0; i < a->n; i++)
			if (!a->s[i].err && (a->ph[i].have_kfunc & (1u << k)))
				buf[n++] = (double)a->ph[i].kfunc_ns[k];
		if (n && (st = json_stats_of(buf, n, "ns", ctx->seed)))
			json_object_set_new(kfuncs, probe_kfunc_names[k], st);
	}
	json_object_set_new(entry, "kernel_functions", kfuncs);
	probe_coverage_store(a, ctx->probes, entry);
}

int arm_store(struct run_ctx *ctx, struct arm *a, json_t *entry, const char *csvname)
{
	double *buf = malloc((a->n ? a->n : 1) * sizeof(*buf));
	json_t *metrics = json_object_get(entry, "metrics");
	char rel[512];
	struct csv_arg arg = {a};
	int rc;

	if (!buf)
		return -ENOMEM;
	if (!metrics) {
		metrics = json_object();
		json_object_set_new(entry, "metrics", metrics);
	}
	for (int m = 0; m < M__N; m++) {
		size_t n = gather_metric(a, (enum metric)m, 0, a->n, buf);
		json_t *st = json_stats_of(buf, n, "ns", ctx->seed);

		if (st)
			json_object_set_new(metrics, metric_names[m], st);
	}
	if (a->ph)
		store_probes(ctx, a, entry, buf);
	json_object_set_new(entry, "blocks", block_summaries(a, buf));
	json_object_set_new(entry, "n_attempted", json_integer((json_int_t)a->n));
	json_object_set_new(entry, "failures", json_integer((json_int_t)a->failures));
	if (a->first_err)
		json_object_set_new(entry, "first_error",
				    json_string(a->first_err == -ECHILD
						    ? "the target did not exit with status 0"
						    : strerror(-a->first_err)));
	free(buf);
	snprintf(rel, sizeof(rel), "samples/%s.csv", csvname);
	json_object_set_new(entry, "samples", json_string(rel));
	rc = results_write_file(ctx->res, rel, fill_csv, &arg);
	return rc;
}
