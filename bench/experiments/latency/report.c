/* The latency experiment's summary.md section and the phases.csv behind the phase plot. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "probes/probes.h"
#include "internal.h"
#include "bench/core/runjson.h"
#include "vs_reference.h"
#include "bench/core/probe_coverage.h"
#include "bench/lib/units.h"

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
	const char *p = runjson_param_str(e, "probes");
	return p && !strcmp(p, "on");
}

static json_int_t rss_of(const json_t *e)
{
	return runjson_param_int(e, "parent_rss");
}

/* "1.02× [0.97, 1.08]" from a vs_reference / probe_overhead object (or its "p10"). */
static const char *ratio_ci(const json_t *o, char *buf, size_t len)
{
	double est = runjson_num(o, "estimate"), lo, hi;

	if (!isfinite(est))
		return "–";
	if (runjson_interval(o, "ci95", &lo, &hi))
		snprintf(buf, len, "%.2f× [%.2f, %.2f]", est, lo, hi);
	else
		snprintf(buf, len, "%.2f× [too few rounds]", est);
	return buf;
}

/* "44.2 [43.8, 44.9]" for quantile key of a statistics object, with its interval. */
static const char *us_ci(const json_t *st, const char *key, char *buf, size_t len)
{
	char cikey[16], a[16], b[16], c[16];
	double lo, hi;

	snprintf(cikey, sizeof(cikey), "ci95_%s", key);
	/* a null bound is "no interval" (fewer rounds than the bootstrap needs), never 0 */
	if (!runjson_interval(st, cikey, &lo, &hi))
		snprintf(buf, len, "%s [too few rounds]", us(runjson_num(st, key), a, sizeof(a)));
	else
		snprintf(buf, len, "%s [%s, %s]", us(runjson_num(st, key), a, sizeof(a)),
			 us(lo, b, sizeof(b)), us(hi, c, sizeof(c)));
	return buf;
}

/* The reference every vs_reference of this point was computed against, or NULL. */
static const char *reference_of(const json_t *run, json_int_t rss)
{
	json_t *e;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		const char *r = json_string_value(
		    json_object_get(json_object_get(e, "vs_reference"), "reference"));

		if (rss_of(e) == rss && r && !is_probed(e))
			return r;
	}
	return NULL;
}

static void table(const json_t *run, json_int_t rss, FILE *md)
{
	const char *ref = reference_of(run, rss);
	char b[8][48];
	json_t *e;

	fprintf(
	    md,
	    "| backend | n | t_return p10 / p50 | t_first p10 [95%% CI] | t_first p50 [95%% CI] "
	    "| t_first p99 | t_reaped p10 / p50 | ÷ %s, p10 | ÷ %s, p50 | modes |\n",
	    ref ? ref : "reference", ref ? ref : "reference");
	fprintf(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
	RESULTS_FOREACH(run, "latency", i, e)
	{
		const json_t *ret, *first, *reap, *vs, *modes;
		char rp[112], fp[112], ci10[64], ci50[64];

		if (rss_of(e) != rss || json_object_get(e, "skipped") || is_probed(e))
			continue;
		ret = runjson_metric_stats(e, "t_return");
		first = runjson_metric_stats(e, "t_first");
		reap = runjson_metric_stats(e, "t_reaped");
		vs = json_object_get(e, "vs_reference");
		modes = json_object_get(e, "modes");
		snprintf(rp, sizeof(rp), "%s / %s", us(runjson_num(ret, "p10"), b[0], 48),
			 us(runjson_num(ret, "p50"), b[1], 48));
		snprintf(fp, sizeof(fp), "%s / %s", us(runjson_num(reap, "p10"), b[0], 48),
			 us(runjson_num(reap, "p50"), b[1], 48));
		fprintf(
		    md, "| %s | %lld | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		    runjson_backend(e), (long long)json_integer_value(json_object_get(reap, "n")),
		    rp, us_ci(first, "p10", ci10, sizeof(ci10)),
		    us_ci(first, "p50", ci50, sizeof(ci50)),
		    us(runjson_num(first, "p99"), b[4], 48), fp,
		    vs ? ratio_ci(json_object_get(vs, "p10"), b[5], 48) : (ref ? "reference" : "–"),
		    vs ? ratio_ci(vs, b[6], 48) : (ref ? "reference" : "–"),
		    json_is_true(json_object_get(modes, "two_groups")) ? "**two groups**" : "one");
	}
	fprintf(md, "\n");
}

/* Where the child first ran explains the two modes measured here: one row per arm. */
static void cpu_table(const json_t *run, json_int_t rss, FILE *md)
{
	bool header = false;
	json_t *e;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		const json_t *split = json_object_get(e, "by_child_cpu"),
			     *same = json_object_get(split, "same"),
			     *other = json_object_get(split, "other"),
			     *modes = json_object_get(e, "modes");
		json_int_t ns = json_integer_value(json_object_get(same, "n")),
			   no = json_integer_value(json_object_get(other, "n"));
		char b[6][32];

		if (rss_of(e) != rss || is_probed(e) || !split || ns + no == 0)
			continue;
		if (!header)
			fprintf(
			    md,
			    "Where the child first ran (%s; \"other\": not the CPU the parent "
			    "spawned on) and the block medians' groups:\n\n"
			    "| backend | same CPU: share, p10 / p50 | other CPU: share, p10 / p50 "
			    "| "
			    "block medians: low / high group, share high |\n|---|---:|---:|---:|\n",
			    json_string_value(json_object_get(split, "metric")));
		header = true;
		fprintf(
		    md, "| %s | %.0f %%, %s / %s | %.0f %%, %s / %s | ", runjson_backend(e),
		    100.0 * (double)ns / (double)(ns + no), us(runjson_num(same, "p10"), b[0], 32),
		    us(runjson_num(same, "p50"), b[1], 32), 100.0 * (double)no / (double)(ns + no),
		    us(runjson_num(other, "p10"), b[2], 32),
		    us(runjson_num(other, "p50"), b[3], 32));
		if (json_is_true(json_object_get(modes, "two_groups")))
			fprintf(md, "%s / %s, %.0f %% |\n",
				us(runjson_num(modes, "low_ns"), b[4], 32),
				us(runjson_num(modes, "high_ns"), b[5], 32),
				100 * runjson_num(modes, "share_high"));
		else
			fprintf(md, "one group |\n");
	}
	if (header)
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
			fprintf(md, "- not measured: %s — %s\n", runjson_backend(e), skip);
		else if (fails)
			fprintf(md, "- %s: %lld samples failed (%s) and are excluded\n",
				runjson_backend(e), (long long)fails,
				json_string_value(json_object_get(e, "first_error")) ?: "?");
	}
}

static void phases_table(const json_t *run, json_int_t rss, FILE *md)
{
	bool any = false;
	char b[32], b10[32];
	json_t *e;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		if (rss_of(e) == rss && json_object_size(json_object_get(e, "phases")))
			any = true;
	}
	if (!any)
		return;
	fprintf(md, "Kernel phases from the probes (µs, p10 / p50):\n\n| backend |");
	for (int p = 0; p < PH__N; p++)
		fprintf(md, " %s |", probe_phase_names[p]);
	fprintf(md, " kernel_create ÷ t_return (p50) |\n|---|");
	for (int p = 0; p <= PH__N; p++)
		fprintf(md, "---:|");
	fprintf(md, "\n");
	RESULTS_FOREACH(run, "latency", i, e)
	{
		const json_t *ph = json_object_get(e, "phases");
		double kc = runjson_num(json_object_get(ph, "kernel_create"), "p50");
		double ret = runjson_num(runjson_metric_stats(e, "t_return"), "p50");

		if (rss_of(e) != rss || !json_object_size(ph))
			continue;
		fprintf(md, "| %s |", runjson_backend(e));
		for (int p = 0; p < PH__N; p++) {
			const json_t *st = json_object_get(ph, probe_phase_names[p]);

			fprintf(md, " %s / %s |", us(runjson_num(st, "p10"), b10, sizeof(b10)),
				us(runjson_num(st, "p50"), b, sizeof(b)));
		}
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
	fprintf(md,
		"Probe cost: per round, the `[probes]` twin's block p10 over the plain arm's "
		"(Hodges–Lehmann estimate, 95 %% interval; the tables above are the plain arms, "
		"measured with the probes detached):\n\n"
		"| backend | parent RSS | metric | twin ÷ plain, p10 | rounds |\n"
		"|---|---:|---|---:|---:|\n");
	json_array_foreach(list, i, o)
	{
		char b[32], r[64];

		fprintf(md, "| %s | %s | %s | %s | %lld |\n",
			json_string_value(json_object_get(o, "backend")) ?: "?",
			fmt_bytes((uint64_t)json_integer_value(json_object_get(o, "parent_rss")), b,
				  sizeof(b)),
			json_string_value(json_object_get(o, "metric")) ?: "?",
			ratio_ci(o, r, sizeof(r)),
			(long long)json_integer_value(json_object_get(o, "rounds")));
	}
	fprintf(md, "\n");
}

void latency_summarize(const json_t *run, FILE *md)
{
	json_int_t seen[8];
	size_t n_seen = 0;
	json_t *e;

	fprintf(md,
		"## Spawn latency (`latency`)\n\n"
		"t_return: the parent's spawn call returned; t_first: the child's first "
		"instruction in the new program (the `stamp` target's own clock read); "
		"t_reaped: wait returned. Microseconds. Intervals resample whole rounds and are "
		"widened by the machine level's wander (the line under each table); the ÷ "
		"columns compare each arm with the reference round by round (per round the "
		"ratio of the two blocks' quantiles; Hodges–Lehmann estimate and 95 %% "
		"interval). \"two groups\": the arm's block medians form two groups, so its "
		"p50 depends on the share of slow rounds (docs/statistics.md).\n\n");
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
		latency_level_summary(run, rss, md);
		cpu_table(run, rss, md);
		phases_table(run, rss, md);
	}
	overhead(run, md);
	probe_coverage_summary(run, "latency", md); /* probes helper: bench/core/probe_coverage.c */
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
			double v = runjson_num(json_object_get(ph, probe_phase_names[p]), "p50");
			if (isfinite(v))
				fprintf(f, ",%.0f", v);
			else
				fprintf(f, ",0");
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

int latency_write_data(const json_t *run, const char *dir)
{
	struct phases_arg arg = {run};
	json_t *e;
	bool any = false;

	RESULTS_FOREACH(run, "latency", i, e)
	{
		if (json_object_size(json_object_get(e, "phases")))
			any = true;
	}
	return any ? write_data_file(dir, "phases.csv", fill_phases, &arg) : 0;
}
