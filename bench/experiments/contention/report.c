/* The contention section of summary.md, from run.json alone: throughput per op x sharing x
 * workers, what sharing costs against unshared processes, where contended time went, and
 * spawn latency under load. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "bench/core/runjson.h"

/* params.<k>, "" when absent */
static const char *pstr(const json_t *e, const char *k)
{
	return runjson_param_str(e, k) ?: "";
}

static long pworkers(const json_t *e)
{
	return (long)runjson_param_int(e, "workers");
}

/* The entry for (op, sharing, workers[, backend]), or NULL. */
static const json_t *find(const json_t *run, const char *op, const char *sh, long w,
			  const char *backend)
{
	const json_t *e;
	RESULTS_FOREACH(run, "contention", i, e)
	{
		if (!strcmp(pstr(e, "op"), op) && !strcmp(pstr(e, "sharing"), sh) &&
		    pworkers(e) == w && !strcmp(pstr(e, "backend"), backend ? backend : "") &&
		    !json_object_get(e, "skipped"))
			return e;
	}
	return NULL;
}

/* Distinct values of a param, in order of first appearance. */
static size_t distinct(const json_t *run, const char *key, const char **out, size_t max)
{
	size_t n = 0;
	const json_t *e;
	RESULTS_FOREACH(run, "contention", i, e)
	{
		const char *v = pstr(e, key);
		size_t k;
		if (!v[0])
			continue;
		for (k = 0; k < n && strcmp(out[k], v); k++)
			;
		if (k == n && n < max)
			out[n++] = v;
	}
	return n;
}

static size_t distinct_workers(const json_t *run, long *out, size_t max)
{
	size_t n = 0;
	const json_t *e;
	RESULTS_FOREACH(run, "contention", i, e)
	{
		long w = pworkers(e);
		size_t k;
		for (k = 0; k < n && out[k] != w; k++)
			;
		if (k == n && n < max)
			out[n++] = w;
	}
	for (size_t i = 1; i < n; i++) /* ascending */
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			long t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static const char *human_rate(double v, char *buf, size_t len)
{
	if (!(v >= 0))
		snprintf(buf, len, "–");
	else if (v >= 1e6)
		snprintf(buf, len, "%.2f M/s", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k/s", v / 1e3);
	else
		snprintf(buf, len, "%.0f /s", v);
	return buf;
}

static bool is_spawn_op(const char *op)
{
	return !strncmp(op, "spawn-", 6);
}

/* What the shared structure is, for the sentences. */
static const char *shared_what(const char *sh)
{
	if (!strcmp(sh, "threads"))
		return "everything shared, rlimits included";
	if (!strcmp(sh, "files"))
		return "fd table shared";
	if (!strcmp(sh, "vm"))
		return "memory shared, fd table private";
	return "nothing shared";
}

static void top_lock_of(const json_t *run, const char *op, const char *sh, long w, FILE *md)
{
	const json_t *e = find(run, op, sh, w, NULL), *row;
	row = e ? json_array_get(json_object_get(e, "contention"), 0) : NULL;
	if (!row)
		return;
	fprintf(md, "; most contended: `%s via %s` (%lld waits, %.2f ms)",
		json_string_value(json_object_get(row, "lock")) ?: "?",
		json_string_value(json_object_get(row, "caller")) ?: "?",
		(long long)json_integer_value(json_object_get(row, "count")),
		(double)json_integer_value(json_object_get(row, "wait_ns")) / 1e6);
}

static void worker_op_section(const json_t *run, const char *op, const char **sh, size_t nsh,
			      const long *ws, size_t nw, FILE *md)
{
	char b[32];
	const json_t *any = NULL, *e;

	RESULTS_FOREACH(run, "contention", i, e)
	if (!strcmp(pstr(e, "op"), op)) {
		any = e;
		break;
	}
	fprintf(md, "### %s (one op = %s)\n\n| workers |", op,
		any ? json_string_value(json_object_get(any, "op_unit")) ?: "?" : "?");
	for (size_t s = 0; s < nsh; s++)
		fprintf(md, " %s |", sh[s]);
	fprintf(md, "\n|---:|");
	for (size_t s = 0; s < nsh; s++)
		fprintf(md, "---:|");
	fprintf(md, "\n");
	for (size_t w = 0; w < nw; w++) {
		fprintf(md, "| %ld |", ws[w]);
		for (size_t s = 0; s < nsh; s++) {
			e = find(run, op, sh[s], ws[w], NULL);
			if (!e) {
				fprintf(md, " – |");
				continue;
			}
			fprintf(md, " %s",
				human_rate(runjson_metric(e, "ops_per_s", NULL), b, sizeof(b)));
			double eff = runjson_metric(e, "efficiency", NULL),
			       p50 = runjson_metric(e, "op_ns", "p50"),
			       p99 = runjson_metric(e, "op_ns", "p99"),
			       cpu = runjson_metric(e, "cpu_ns_per_op", NULL);
			if (ws[w] > 1 && !isnan(eff))
				fprintf(md, ", eff %.2f", eff);
			double util = runjson_metric(e, "cpu_utilization", NULL);
			if (!isnan(cpu))
				fprintf(md, "; %.0f CPU-ns/op", cpu);
			if (!isnan(util))
				fprintf(md, " (CPU %.0f %%)", util * 100);
			if (!isnan(p50))
				fprintf(md, "; p50 %.0f / p99 %.0f ns", p50, p99);
			fprintf(md, " |");
		}
		fprintf(md, "\n");
	}
	fprintf(md, "\n");
	/* The answer: CPU time per op of each sharing against unshared processes at the same
	 * worker count (CPU time, unlike wall throughput, does not move with what else the
	 * machine runs), then the throughput ratio. */
	for (size_t w = 0; w < nw; w++) {
		const json_t *base = find(run, op, "processes", ws[w], NULL);
		double bc = base ? runjson_metric(base, "cpu_ns_per_op", NULL) : NAN;
		double bv = base ? runjson_metric(base, "ops_per_s", NULL) : NAN;
		if (!(bc > 0) || !(bv > 0))
			continue;
		fprintf(md, "- %ld worker%s: processes %.0f CPU-ns/op (%s)", ws[w],
			ws[w] > 1 ? "s" : "", bc, human_rate(bv, b, sizeof(b)));
		for (size_t s = 0; s < nsh; s++) {
			if (!strcmp(sh[s], "processes"))
				continue;
			e = find(run, op, sh[s], ws[w], NULL);
			double c = e ? runjson_metric(e, "cpu_ns_per_op", NULL) : NAN;
			double v = e ? runjson_metric(e, "ops_per_s", NULL) : NAN;
			if (c > 0 && v > 0)
				fprintf(md, "; %s (%s) %+.0f %% CPU per op, %+.0f %% ops/s", sh[s],
					shared_what(sh[s]), (c / bc - 1) * 100, (v / bv - 1) * 100);
		}
		top_lock_of(run, op, "threads", ws[w], md);
		fprintf(md, "\n");
	}
	fprintf(md, "\n");
}

static void spawn_op_section(const json_t *run, const char *op, const char **sh, size_t nsh,
			     const long *ws, size_t nw, FILE *md)
{
	const char *backends[8];
	size_t nb = 0;
	const json_t *e;

	RESULTS_FOREACH(run, "contention", i, e)
	{
		const char *b = pstr(e, "backend");
		size_t k;
		if (strcmp(pstr(e, "op"), op) || !b[0])
			continue;
		for (k = 0; k < nb && strcmp(backends[k], b); k++)
			;
		if (k == nb && nb < 8)
			backends[nb++] = b;
	}
	fprintf(md, "### %s: spawn + reap p50 (p99) in µs while %s\n\n| workers | backend |", op,
		!strcmp(op, "spawn-faults")
		    ? "the other workers mmap, touch and munmap 64 pages in a loop"
		    : "the other workers dup and close in a loop");
	for (size_t s = 0; s < nsh; s++)
		fprintf(md, " %s |", sh[s]);
	fprintf(md, "\n|---:|---|");
	for (size_t s = 0; s < nsh; s++)
		fprintf(md, "---:|");
	fprintf(md, "\n");
	for (size_t w = 0; w < nw; w++)
		for (size_t b = 0; b < nb; b++) {
			fprintf(md, "| %ld | %s |", ws[w], backends[b]);
			for (size_t s = 0; s < nsh; s++) {
				e = find(run, op, sh[s], ws[w], backends[b]);
				if (!e || isnan(runjson_metric(e, "t_reaped", "p50")))
					fprintf(md, " – |");
				else
					fprintf(md, " %.1f (%.1f) |",
						runjson_metric(e, "t_reaped", "p50") / 1e3,
						runjson_metric(e, "t_reaped", "p99") / 1e3);
			}
			fprintf(md, "\n");
		}
	fprintf(md, "\nmmap_lock write holds by acquiring function, at the largest worker count:");
	for (size_t s = 0; s < nsh; s++) {
		const json_t *row;
		size_t j, shown = 0;
		e = nb && nw ? find(run, op, sh[s], ws[nw - 1], backends[0]) : NULL;
		if (!e || !json_object_get(e, "mmap_lock"))
			continue;
		fprintf(md, "\n- %s:", sh[s]);
		json_array_foreach(json_object_get(e, "mmap_lock"), j, row)
		{
			double cnt = (double)json_integer_value(json_object_get(row, "count"));
			if (strcmp(json_string_value(json_object_get(row, "mode")) ?: "",
				   "write") ||
			    shown == 4 || cnt <= 0)
				continue;
			fprintf(
			    md, "%s `%s` %.0f× mean %.1f µs (max %.1f µs)", shown ? ";" : "",
			    json_string_value(json_object_get(row, "caller")) ?: "?", cnt,
			    (double)json_integer_value(json_object_get(row, "hold_ns")) / cnt / 1e3,
			    (double)json_integer_value(json_object_get(row, "max_hold_ns")) / 1e3);
			shown++;
		}
	}
	fprintf(md, "\n\n");
}

static void where_time_went(const json_t *run, const char **sh, size_t nsh, FILE *md)
{
	fprintf(md, "### Where contended time went (lock:contention_begin/end, summed over the "
		    "points)\n\n");
	for (size_t s = 0; s < nsh; s++) {
		size_t n = 0;
		struct cont_lock_total *t = cont_lock_totals(run, sh[s], &n);
		fprintf(md, "- %s:", sh[s]);
		if (!n)
			fprintf(md, " no contended lock recorded");
		for (size_t i = 0; i < n && i < 5; i++)
			fprintf(md, "%s `%s` %.2f ms in %.0f waits", i ? ";" : "", t[i].name,
				t[i].wait_ns / 1e6, t[i].count);
		fprintf(md, "\n");
		free(t);
	}
	fprintf(md, "\n");
}

void contention_summarize(const json_t *run, FILE *md)
{
	const char *ops[16], *sh[8];
	long ws[32];
	size_t nops = distinct(run, "op", ops, 16), nsh = distinct(run, "sharing", sh, 8);
	size_t nw = distinct_workers(run, ws, 32);
	const json_t *ls = json_object_get(run, "lockstat");

	fprintf(md, "## Contention: what sharing an fd table, memory or limits costs\n\n");
	fprintf(md,
		"Workers created with the clone primitive: threads = CLONE_THREAD (one "
		"files_struct, mm and signal_struct, so one set of rlimits), files = "
		"CLONE_FILES only, vm = CLONE_VM only, processes = nothing shared. Throughput "
		"is total ops/s over the run; eff = per-worker throughput over that of the "
		"smallest worker count; CPU-ns/op = the workers' own CPU time (thread clock) "
		"per op, which other load on the machine does not inflate; (CPU %%) = the share "
		"of workers x wall time the workers actually ran — far below 100 %% they seldom "
		"ran at the same time and could hardly contend; latency is one op in every %d "
		"timed with a raw clock_gettime pair.\n",
		CONT_SAMPLE_EVERY);
	if (json_is_true(json_object_get(ls, "enabled")))
		fprintf(md, "Lock statistics: lock:contention_begin/end and mmap_lock:* in the "
			    "kernel (tp_btf), by lock and calling function.\n\n");
	else
		fprintf(md, "Lock statistics: not measured — %s.\n\n",
			json_string_value(json_object_get(ls, "reason")) ?: "unknown");
	for (size_t o = 0; o < nops; o++) {
		if (is_spawn_op(ops[o]))
			spawn_op_section(run, ops[o], sh, nsh, ws, nw, md);
		else
			worker_op_section(run, ops[o], sh, nsh, ws, nw, md);
	}
	if (json_is_true(json_object_get(ls, "enabled")))
		where_time_went(run, sh, nsh, md);
}
