/* The gate's export table (bench/gate/export.c): --export selects rows by name, every row
 * builds a document from a report, and docs/gate.md lists every row. TAP to stdout. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gate/gate.h"
#include "tap.h"

#define DOC SPAWNSCOPE_SRCDIR "/docs/gate.md" /* the Makefile passes the source tree */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *m;

	if (!f) {
		tap_diag("%s: %s", path, strerror(errno));
		return NULL;
	}
	m = open_memstream(&text, &len);
	for (int c; m && (c = fgetc(f)) != EOF;)
		fputc(c, m);
	if (m)
		fclose(m);
	fclose(f);
	return text;
}

static void selection(void)
{
	uint64_t all = 0, m = 0;
	char err[160] = "";

	tap_ok(gate_n_exports >= 1 && gate_n_exports <= 64, "1 to 64 exports (a bit each)");
	tap_ok(gate_exports_select("all", &all, err, sizeof(err)) == 0 &&
		   all ==
		       (gate_n_exports == 64 ? ~(uint64_t)0 : ((uint64_t)1 << gate_n_exports) - 1),
	       "all: every row");
	tap_ok(gate_exports_select("none", &m, err, sizeof(err)) == 0 && m == 0, "none: no row");
	for (size_t i = 0; i < gate_n_exports; i++) {
		tap_ok(gate_exports_select(gate_exports[i].name, &m, err, sizeof(err)) == 0 &&
			   m == (uint64_t)1 << i,
		       "'%s' selects its row alone", gate_exports[i].name);
	}
	if (gate_n_exports >= 2) {
		char two[256];
		snprintf(two, sizeof(two), "%s,%s", gate_exports[1].name, gate_exports[0].name);
		tap_ok(gate_exports_select(two, &m, err, sizeof(err)) == 0 && m == 3,
		       "a comma-separated list selects each");
	}
	tap_ok(gate_exports_select("bencher,nosuch", &m, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "'nosuch'"),
	       "an unknown name: -EINVAL naming it (%s)", err);
	tap_ok(gate_exports_select("", &m, err, sizeof(err)) == -EINVAL, "an empty list: -EINVAL");
	tap_ok(gate_exports_select("bencher,", &m, err, sizeof(err)) == -EINVAL,
	       "a trailing comma: -EINVAL");
}

/* Every row builds a document from a small decided report. */
static void builds(void)
{
	struct gate_opts o;
	struct gate_report r;
	struct gate_series s;

	gate_opts_defaults(&o);
	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	s.name = strdup("latency/example");
	for (int i = 0; i < 10; i++) {
		gate_series_push(&s, false, 1000 + i, 1100 + i);
		gate_series_push(&s, true, 1010 + i, 1120 + i);
	}
	for (int q = 0; q < GQ__N; q++) {
		gate_shift_paired(s.a[q], s.b[q], s.na, &s.shift[q]);
		s.verdict[q] = GV_PASS;
	}
	r.o = &o;
	r.paired = true;
	r.n_phases = 1;
	r.phases[0] = (struct gate_phase){
	    .name = "initial", .series = &s, .n_series = 1, .pairs = 10, .verdict = GV_PASS};
	r.verdict = GV_PASS;
	for (size_t i = 0; i < gate_n_exports; i++) {
		json_t *doc = gate_exports[i].build(&r);
		char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

		tap_ok(text && strstr(text, "latency/example") && strstr(text, "p10"),
		       "%s builds a document naming the comparison and the quantile",
		       gate_exports[i].name);
		free(text);
		json_decref(doc);
	}
	gate_series_free(&s);
}

static void documented(void)
{
	char *doc = read_all(DOC);

	tap_ok(doc != NULL, "%s readable", DOC);
	for (size_t i = 0; doc && i < gate_n_exports; i++) {
		char want[512];
		snprintf(want, sizeof(want), "`%s` (`--export %s`)", gate_exports[i].file,
			 gate_exports[i].name);
		tap_ok(strstr(doc, want) != NULL, "%s lists %s", DOC, want);
	}
	free(doc);
}

int main(void)
{
	tap_plan((int)(7 + (gate_n_exports >= 2) + 3 * gate_n_exports));
	selection();
	builds();
	documented();
	return tap_done();
}
