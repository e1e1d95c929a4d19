/* The contention experiment's CSVs for scripts/contention.gp, written from run.json:
 *   points-contention.csv  one row per point (and backend, for spawn points)
 *   lockstat.csv           the contention breakdown of every point
 *   lockstat-top.csv       contended wait per "lock via caller", summed over the run
 *   mmap_lock.csv          mmap_lock holds of every point */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *pstr(const json_t *e, const char *k)
{
	return json_string_value(json_object_get(json_object_get(e, "params"), k)) ?: "";
}

static double mnum(const json_t *e, const char *metric, const char *k)
{
	json_t *m = json_object_get(json_object_get(e, "metrics"), metric);
	json_t *v = k ? json_object_get(m, k) : m;
	return json_is_number(v) ? json_number_value(v) : -1;
}

static int fill_points(FILE *f, void *arg)
{
	const json_t *run = arg, *e;

	fprintf(f, "sharing,op,workers,backend,ops_per_s,efficiency,op_p50_ns,op_p99_ns,"
		   "load_ops_per_s,cpu_ns_per_op\n");
	RESULTS_FOREACH(run, "contention", i, e)
	{
		json_t *p = json_object_get(e, "params");
		if (json_object_get(e, "error") && mnum(e, "ops_per_s", NULL) < 0)
			continue;
		fprintf(f, "%s,%s,%lld,%s,%.1f,", pstr(e, "sharing"), pstr(e, "op"),
			(long long)json_integer_value(json_object_get(p, "workers")),
			pstr(e, "backend")[0] ? pstr(e, "backend") : "-",
			mnum(e, "ops_per_s", NULL));
		double eff = mnum(e, "efficiency", NULL);
		if (eff >= 0)
			fprintf(f, "%.4f", eff);
		fprintf(f, ",%.1f,%.1f,", mnum(e, "op_ns", "p50"), mnum(e, "op_ns", "p99"));
		double load = mnum(e, "load_ops_per_s", NULL);
		if (load >= 0)
			fprintf(f, "%.1f", load);
		double cpu = mnum(e, "cpu_ns_per_op", NULL);
		fputc(',', f);
		if (cpu >= 0)
			fprintf(f, "%.1f", cpu);
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

/* Commas would break the CSV; lock and caller names never need them. */
static void csv_word(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ',' ? ';' : *s, f);
}

static int fill_locks(FILE *f, void *arg)
{
	const json_t *run = arg, *e, *row;
	size_t j;

	fprintf(f, "sharing,op,workers,backend,lock,caller,kind,count,wait_ns,max_ns\n");
	RESULTS_FOREACH(run, "contention", i, e)
	{
		/* spawn points carry the same breakdown on every backend's entry: once */
		if (pstr(e, "backend")[0] && i > 0) {
			const json_t *prev = json_array_get(json_object_get(run, "results"), i - 1);
			if (json_equal(json_object_get(prev, "contention"),
				       json_object_get(e, "contention")) &&
			    !strcmp(pstr(prev, "op"), pstr(e, "op")))
				continue;
		}
		json_array_foreach(json_object_get(e, "contention"), j, row)
		{
			fprintf(f, "%s,%s,%lld,", pstr(e, "sharing"), pstr(e, "op"),
				(long long)json_integer_value(
				    json_object_get(json_object_get(e, "params"), "workers")));
			fprintf(f, "%s,", pstr(e, "backend")[0] ? "all" : "-");
			csv_word(f, json_string_value(json_object_get(row, "lock")) ?: "");
			fputc(',', f);
			csv_word(f, json_string_value(json_object_get(row, "caller")) ?: "");
			fprintf(f, ",%s,%lld,%lld,%lld\n",
				json_string_value(json_object_get(row, "kind")) ?: "",
				(long long)json_integer_value(json_object_get(row, "count")),
				(long long)json_integer_value(json_object_get(row, "wait_ns")),
				(long long)json_integer_value(json_object_get(row, "max_ns")));
		}
	}
	return ferror(f) ? -EIO : 0;
}

static int cmp_agg(const void *a, const void *b)
{
	const struct cont_lock_total *x = a, *y = b;
	return x->wait_ns > y->wait_ns ? -1 : x->wait_ns < y->wait_ns;
}

struct cont_lock_total *cont_lock_totals(const json_t *run, const char *sharing, size_t *n)
{
	struct cont_lock_total *a = NULL;
	size_t cnt = 0, cap = 0, j;
	const json_t *e, *row;
	const json_t *prev_list = NULL;

	RESULTS_FOREACH(run, "contention", i, e)
	{
		const json_t *list = json_object_get(e, "contention");
		if (!list || (prev_list && json_equal(prev_list, list) && pstr(e, "backend")[0]))
			continue;
		if (sharing && strcmp(pstr(e, "sharing"), sharing))
			continue;
		prev_list = list;
		json_array_foreach(list, j, row)
		{
			char name[160];
			size_t k;
			snprintf(name, sizeof(name), "%s via %s",
				 json_string_value(json_object_get(row, "lock")) ?: "?",
				 json_string_value(json_object_get(row, "caller")) ?: "?");
			for (k = 0; k < cnt && strcmp(a[k].name, name); k++)
				;
			if (k == cnt) {
				if (cnt == cap) {
					cap = cap ? cap * 2 : 32;
					struct cont_lock_total *p = realloc(a, cap * sizeof(*p));
					if (!p) {
						free(a);
						*n = 0;
						return NULL;
					}
					a = p;
				}
				memset(&a[cnt], 0, sizeof(a[cnt]));
				snprintf(a[cnt].name, sizeof(a[cnt].name), "%s", name);
				cnt++;
			}
			a[k].wait_ns += (double)json_integer_value(json_object_get(row, "wait_ns"));
			a[k].count += (double)json_integer_value(json_object_get(row, "count"));
		}
	}
	if (cnt)
		qsort(a, cnt, sizeof(*a), cmp_agg);
	*n = cnt;
	return a;
}

static int fill_top(FILE *f, void *arg)
{
	size_t n = 0;
	struct cont_lock_total *a = cont_lock_totals(arg, NULL, &n);

	fprintf(f, "lock_via_caller,wait_ms,count\n");
	for (size_t i = 0; i < n && i < CONT_TOP_LOCKS; i++) {
		csv_word(f, a[i].name);
		fprintf(f, ",%.3f,%.0f\n", a[i].wait_ns / 1e6, a[i].count);
	}
	free(a);
	return ferror(f) ? -EIO : 0;
}

static int fill_mmap(FILE *f, void *arg)
{
	const json_t *run = arg, *e, *row, *prev = NULL;
	size_t j;

	fprintf(f,
		"sharing,op,workers,caller,mode,count,hold_ns,max_hold_ns,wait_ns,max_wait_ns\n");
	RESULTS_FOREACH(run, "contention", i, e)
	{
		const json_t *list = json_object_get(e, "mmap_lock");
		if (!list || (prev && json_equal(prev, list) && pstr(e, "backend")[0]))
			continue;
		prev = list;
		json_array_foreach(list, j, row)
		{
			fprintf(f, "%s,%s,%lld,", pstr(e, "sharing"), pstr(e, "op"),
				(long long)json_integer_value(
				    json_object_get(json_object_get(e, "params"), "workers")));
			csv_word(f, json_string_value(json_object_get(row, "caller")) ?: "");
			fprintf(f, ",%s,%lld,%lld,%lld,%lld,%lld\n",
				json_string_value(json_object_get(row, "mode")) ?: "",
				(long long)json_integer_value(json_object_get(row, "count")),
				(long long)json_integer_value(json_object_get(row, "hold_ns")),
				(long long)json_integer_value(json_object_get(row, "max_hold_ns")),
				(long long)json_integer_value(json_object_get(row, "wait_ns")),
				(long long)json_integer_value(json_object_get(row, "max_wait_ns")));
		}
	}
	return ferror(f) ? -EIO : 0;
}

int cont_write_data(const json_t *run, const char *dir)
{
	static const struct {
		const char *name;
		int (*fill)(FILE *, void *);
	} files[] = {
	    {"points-contention.csv", fill_points},
	    {"lockstat.csv", fill_locks},
	    {"lockstat-top.csv", fill_top},
	    {"mmap_lock.csv", fill_mmap},
	};
	int status = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		int rc = write_data_file(dir, files[i].name, files[i].fill, (void *)run);
		if (rc && !status)
			status = rc;
	}
	return status;
}
