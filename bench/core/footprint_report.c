/* The lab's footprint in run.json and summary.md (see footprint_report.h). */
#include "footprint_report.h"

#include <stdint.h>
#include <string.h>

#include "bench/lib/units.h"

json_t *footprint_json(const struct lab_footprint *fp)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "rss_anon_bytes", (json_int_t)fp->rss_anon_bytes,
			 "vmas", (json_int_t)fp->vmas, "fds", (json_int_t)fp->fds, "threads",
			 (json_int_t)fp->threads);
}

static const char *const fields[] = {"rss_anon_bytes", "vmas", "fds", "threads"};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

struct range {
	json_int_t lo[N_FIELDS], hi[N_FIELDS], grow[N_FIELDS];
	size_t n;
};

static void add_point(struct range *r, const json_t *fp)
{
	const json_t *start = json_object_get(fp, "start"), *end = json_object_get(fp, "end");

	for (size_t f = 0; f < N_FIELDS; f++) {
		json_int_t s = json_integer_value(json_object_get(start, fields[f]));
		json_int_t d = json_integer_value(json_object_get(end, fields[f])) - s;

		if (!r->n || s < r->lo[f])
			r->lo[f] = s;
		if (!r->n || s > r->hi[f])
			r->hi[f] = s;
		if (!r->n || (d < 0 ? -d : d) > (r->grow[f] < 0 ? -r->grow[f] : r->grow[f]))
			r->grow[f] = d;
	}
	r->n++;
}

static void print_range(FILE *md, const struct range *r, size_t f, const char *unit)
{
	char a[32], b[32];

	if (f == 0) {
		fmt_bytes((uint64_t)r->lo[f], a, sizeof(a));
		fmt_bytes((uint64_t)r->hi[f], b, sizeof(b));
	} else {
		snprintf(a, sizeof(a), "%lld", (long long)r->lo[f]);
		snprintf(b, sizeof(b), "%lld", (long long)r->hi[f]);
	}
	if (r->lo[f] == r->hi[f])
		fprintf(md, "%s%s", a, unit);
	else
		fprintf(md, "%s–%s%s", a, b, unit);
}

void footprint_summary(const json_t *run, const char *exp, FILE *md)
{
	const json_t *base = json_object_get(json_object_get(run, "lab"), "baseline");
	struct range r;
	const json_t *e;
	size_t i;
	char g[32];

	memset(&r, 0, sizeof(r));
	json_array_foreach(json_object_get(run, "results"), i, e)
	{
		const json_t *fp = json_object_get(e, "footprint");
		if (fp && !strcmp(json_string_value(json_object_get(e, "experiment")) ?: "", exp))
			add_point(&r, fp);
	}
	if (!r.n)
		return;
	fprintf(md, "\nParent of every child: the lab process, holding RssAnon ");
	print_range(md, &r, 0, "");
	fprintf(md, ", ");
	print_range(md, &r, 1, " VMAs");
	fprintf(md, ", ");
	print_range(md, &r, 2, " fds");
	fprintf(md, ", ");
	print_range(md, &r, 3, " thread(s)");
	fprintf(md, " at the start of its points");
	if (base) {
		char b[32];
		fmt_bytes((uint64_t)json_integer_value(json_object_get(base, "rss_anon_bytes")), b,
			  sizeof(b));
		fprintf(md, " (with nothing configured: %s, %lld VMAs, %lld fds)", b,
			(long long)json_integer_value(json_object_get(base, "vmas")),
			(long long)json_integer_value(json_object_get(base, "fds")));
	}
	fmt_bytes((uint64_t)(r.grow[0] < 0 ? -r.grow[0] : r.grow[0]), g, sizeof(g));
	fprintf(md,
		"; the largest change while a point ran: %s%s RssAnon, %+lld VMAs, %+lld fds, "
		"%+lld threads.\n",
		r.grow[0] < 0 ? "-" : "+", g, (long long)r.grow[1], (long long)r.grow[2],
		(long long)r.grow[3]);
}
