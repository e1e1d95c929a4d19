/* An arm's samples -> statistics in its results entry, per-block summaries, and its CSV. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
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
			   const char *(*unit)(int), double *buf)
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
			if (!a->s[i].err && (have & (1u << k)))
				buf[n++] = (double)x;
		}
		if (n && (st = json_stats_of(buf, n, unit(k), ctx->seed)))
			json_object_set_new(obj, names[k], st);
	}
	return obj;
}

/* Statistics of each probe phase, value and kernel function (fentry/fexit durations, where
 * the kernel allowed those programs) over the samples that have it, and the coverage. */
static void store_probes(struct run_ctx *ctx, const struct arm *a, json_t *entry, double *buf)
{
	json_object_set_new(entry, "phases",
			    probe_group(ctx, a, offsetof(struct probe_sample, have_phase),
					offsetof(struct probe_sample, phase_ns), PH__N,
					probe_phase_names, unit_ns, buf));
	json_object_set_new(entry, "values",
			    probe_group(ctx, a, offsetof(struct probe_sample, have_value),
					offsetof(struct probe_sample, value), PV__N,
					probe_value_names, unit_of_value, buf));
	json_object_set_new(entry, "kernel_functions",
			    probe_group(ctx, a, offsetof(struct probe_sample, have_kfunc),
					offsetof(struct probe_sample, kfunc_ns), PROBE_KFUNCS,
					probe_kfunc_names, unit_ns, buf));
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
