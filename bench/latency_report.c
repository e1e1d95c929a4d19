/* The latency experiment's summary.md section and the phases.csv behind the phase plot. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../probes/probes.h"
#include "latency.h"
#include "units.h"

static const json_t *stat_of(const json_t *entry, const char *group, const char *metric)
{
	return json_object_get(json_object_get(entry, group), metric);
}

static double q(const json_t *st, const char *key)
{
	const json_t *v = json_object_get(st, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* µs with one decimal, or "–" */
static const char *us(double ns, char *buf, size_t len)
{
	if (!isfinite(ns))
		return "–";
	snprintf(buf, len, "%.1f", ns / 1000.0);
	return buf;
}

/* The twin arm measured with the probes attached (see build_arms in latency.c). */
static bool is_probed(const json_t *e)
{
	const char *p = json_string_value(json_object_get(json_object_get(e, "params"), "probes"));
	return p && !strcmp(p, "on");
}

static json_int_t rss_of(const json_t *e)
{
	return json_integer_value(json_object_get(json_object_get(e, "params"), "parent_rss"));
}

static const json_t *find_backend(const json_t *run, const char *name, json_int_t rss)
{
	json_t *e;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		if (rss_of(e) == rss &&
		    !strcmp(json_string_value(json_object_get(e, "backend")) ?: "", name))
			return e;
	}
	return NULL;
}

static void table(const json_t *run, json_int_t rss, FILE *md)
{
	const json_t *vf = find_backend(run, "vfork", rss);
	double vfork_p50 = vf ? q(stat_of(vf, "metrics", "t_first"), "p50") : NAN;
	char b[8][32];
	json_t *e;

	fprintf(md, "| backend | n | t_return p50 | t_first min | t_first p50 [95%% CI] | "
		    "t_first p99 | t_reaped p50 | t_reaped p99 | t_first p50 ÷ vfork |\n");
	fprintf(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	RESULTS_FOREACH(run, "latency", i, e)
	{
		const json_t *ret, *first, *reap;
		const json_t *ci;

		if (rss_of(e) != rss || json_object_get(e, "skipped") || is_probed(e))
			continue;
		ret = stat_of(e, "metrics", "t_return");
		first = stat_of(e, "metrics", "t_first");
		reap = stat_of(e, "metrics", "t_reaped");
		ci = json_object_get(first, "ci95_p50");
		{
			double f50 = q(first, "p50");
			char ratio[32] = "–";

			if (vfork_p50 > 0 && isfinite(f50))
				snprintf(ratio, sizeof(ratio), "%.2f×", f50 / vfork_p50);
			fprintf(md, "| %s | %lld | %s | %s | %s [%s, %s] | %s | %s | %s | %s |\n",
				json_string_value(json_object_get(e, "backend")),
				(long long)json_integer_value(json_object_get(reap, "n")),
				us(q(ret, "p50"), b[0], 32), us(q(first, "min"), b[1], 32),
				us(f50, b[2], 32),
				us(json_number_value(json_array_get(ci, 0)), b[3], 32),
				us(json_number_value(json_array_get(ci, 1)), b[4], 32),
				us(q(first, "p99"), b[5], 32), us(q(reap, "p50"), b[6], 32),
				us(q(reap, "p99"), b[7], 32), ratio);
		}
	}
	fprintf(md, "\n");
}

static void not_measured(const json_t *run, json_int_t rss, FILE *md)
{
	json_t *e;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		const char *skip = json_string_value(json_object_get(e, "skipped"));
		json_int_t fails = json_integer_value(json_object_get(e, "failures"));

		if (rss_of(e) != rss)
			continue;
		if (skip)
			fprintf(md, "- not measured: %s — %s\n",
				json_string_value(json_object_get(e, "backend")), skip);
		else if (fails)
			fprintf(md, "- %s: %lld samples failed (%s) and are excluded\n",
				json_string_value(json_object_get(e, "backend")), (long long)fails,
				json_string_value(json_object_get(e, "first_error")) ?: "?");
	}
}

static void phases_table(const json_t *run, json_int_t rss, FILE *md)
{
	bool any = false;
	char b[32];
	json_t *e;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		if (rss_of(e) == rss && json_object_size(json_object_get(e, "phases")))
			any = true;
	}
	if (!any)
		return;
	fprintf(md, "Kernel phases from the probes (median µs):\n\n| backend |");
	for (int p = 0; p < PH__N; p++)
		fprintf(md, " %s |", probe_phase_names[p]);
	fprintf(md, " kernel_create ÷ t_return |\n|---|");
	for (int p = 0; p <= PH__N; p++)
		fprintf(md, "---:|");
	fprintf(md, "\n");
	RESULTS_FOREACH(run, "latency", i, e)
	{
		const json_t *ph = json_object_get(e, "phases");
		double kc = q(json_object_get(ph, "kernel_create"), "p50");
		double ret = q(stat_of(e, "metrics", "t_return"), "p50");

		if (rss_of(e) != rss || !json_object_size(ph))
			continue;
		fprintf(md, "| %s |", json_string_value(json_object_get(e, "backend")));
		for (int p = 0; p < PH__N; p++)
			fprintf(
			    md, " %s |",
			    us(q(json_object_get(ph, probe_phase_names[p]), "p50"), b, sizeof(b)));
		if (isfinite(kc) && ret > 0)
			fprintf(md, " %.0f%% |\n", 100.0 * kc / ret);
		else
			fprintf(md, " – |\n");
	}
	fprintf(md, "\n");
}

static void overhead(const json_t *run, FILE *md)
{
	const json_t *list = json_object_get(run, "probe_overhead");
	json_t *o;
	size_t i;

	if (!json_array_size(list))
		return;
	fprintf(md, "Probe overhead (the `[probes]` twin ÷ the plain arm, interleaved blocks, "
		    "ratio of medians; the table above is the plain arms, measured with the probes "
		    "detached):");
	json_array_foreach(list, i, o)
	{
		json_int_t rss = json_integer_value(json_object_get(o, "parent_rss"));
		char b[32];

		if (!i || rss != json_integer_value(
				     json_object_get(json_array_get(list, i - 1), "parent_rss")))
			fprintf(md, "%s at parent RSS %s:", i ? "." : "",
				fmt_bytes((uint64_t)rss, b, sizeof(b)));
		fprintf(md, " %s %.3f (%s)",
			json_string_value(json_object_get(o, "backend")) ?: "?",
			json_number_value(json_object_get(o, "ratio_p50")),
			json_string_value(json_object_get(o, "metric")) ?: "?");
	}
	fprintf(md, "\n\n");
}

void latency_summarize(const json_t *run, FILE *md)
{
	json_int_t seen[8];
	size_t n_seen = 0;
	json_t *e;

	fprintf(md, "## Spawn latency (`latency`)\n\n"
		    "t_return: the parent's spawn call returned; t_first: the child's first "
		    "instruction in the new program (the `stamp` target's own clock read); "
		    "t_reaped: wait returned. Microseconds.\n\n");
	RESULTS_FOREACH(run, "latency", i, e)
	{
		json_int_t rss = rss_of(e);
		char b[32];
		bool dup = false;

		for (size_t k = 0; k < n_seen; k++)
			dup |= seen[k] == rss;
		if (dup || n_seen == 8)
			continue;
		seen[n_seen++] = rss;
		fprintf(md, "### Parent RSS %s\n\n", fmt_bytes((uint64_t)rss, b, sizeof(b)));
		table(run, rss, md);
		not_measured(run, rss, md);
		fprintf(md, "\n");
		phases_table(run, rss, md);
	}
	overhead(run, md);
	fprintf(md,
		"Plots: `plots/latency.svg` (ECDF of t_first, box plots of the three "
		"metrics)%s.\n\n",
		json_object_get(run, "probes") &&
			json_is_true(json_object_get(json_object_get(run, "probes"), "enabled"))
		    ? ", `plots/phases.svg` (kernel phase medians)"
		    : "");
}

struct phases_arg {
	const json_t *run;
};

static int fill_phases(FILE *f, void *arg)
{
	const json_t *run = ((struct phases_arg *)arg)->run;
	json_t *e;

	fprintf(f, "backend,parent_rss");
	for (int p = 0; p < PH__N; p++)
		fprintf(f, ",%s", probe_phase_names[p]);
	fputc('\n', f);
	RESULTS_FOREACH(run, "latency", i, e)
	{
		const json_t *ph = json_object_get(e, "phases");
		const json_t *params = json_object_get(e, "params");
		const char *probes = json_string_value(json_object_get(params, "probes"));

		const char *name = json_string_value(json_object_get(e, "backend"));
		size_t len = strcspn(name, "["); /* "vfork[probes]" -> "vfork" */

		if (!json_object_size(ph) || (probes && !strcmp(probes, "off")))
			continue;
		fprintf(f, "%.*s,%lld", (int)len, name, (long long)rss_of(e));
		for (int p = 0; p < PH__N; p++) {
			double v = q(json_object_get(ph, probe_phase_names[p]), "p50");
			if (isfinite(v))
				fprintf(f, ",%.0f", v);
			else
				fprintf(f, ",0");
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

void latency_write_phases(struct run_ctx *ctx)
{
	const json_t *run = results_root(ctx->res);
	struct phases_arg arg = {run};
	json_t *e;
	bool any = false;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		if (json_object_size(json_object_get(e, "phases")))
			any = true;
	}
	if (any)
		results_write_file(ctx->res, "phases.csv", fill_phases, &arg);
}
