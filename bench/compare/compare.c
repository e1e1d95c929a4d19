/* `spawnscope compare`: options, loading and checking the runs, writing the outputs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compare.h"
#include "bench/core/experiment.h"
#include "bench/gate/gate.h"
#include "bench/report/report_html.h"
#include "bench/core/results.h"
#include "bench/core/runjson.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: spawnscope compare DIR DIR... [--label NAME=DIR ...] [--out DIR]\n"
		   "  DIR: a run directory (with run.json) or a run.json file; the first is the "
		   "reference\n"
		   "  --out: default results/compare-<UTC>\n");
}

/* DIR or DIR/run.json; 0 or 2 (message printed). */
static int load_run(struct cmp_run *r)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	struct stat st;

	if (stat(r->dir, &st)) {
		fprintf(stderr, "spawnscope compare: %s: %s\n", r->dir, strerror(errno));
		return 2;
	}
	if (S_ISDIR(st.st_mode))
		snprintf(path, sizeof(path), "%s/run.json", r->dir);
	else
		snprintf(path, sizeof(path), "%s", r->dir);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "spawnscope compare: %s: not a regular file\n", path);
		return 2;
	}
	if (!(r->run = runjson_load(path, err, sizeof(err)))) {
		fprintf(stderr, "spawnscope compare: %s\n", err);
		return 2;
	}
	return 0;
}

static bool same_dir(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!strcmp(a, b))
		return true;
	return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

/* --label NAME=DIR: DIR must be one of the runs. 0 or 2. */
static int apply_label(struct cmp *c, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1]) {
		fprintf(stderr, "spawnscope compare: --label '%s': expected NAME=DIR\n", arg);
		return 2;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (!same_dir(eq + 1, c->runs[i].dir))
			continue;
		free(c->runs[i].label);
		if (!(c->runs[i].label = strndup(arg, (size_t)(eq - arg)))) {
			fprintf(stderr, "spawnscope compare: %s\n", strerror(ENOMEM));
			return 2;
		}
		return 0;
	}
	fprintf(stderr, "spawnscope compare: --label '%s': '%s' is not one of the compared runs\n",
		arg, eq + 1);
	return 2;
}

/* The experiments every run holds; 0, or 2 with a message naming what each run has. */
static int common_experiments(struct cmp *c)
{
	for (size_t e = 0; e < experiment_count(); e++) {
		const char *name = experiment_at(e)->name;
		bool all = true;

		for (size_t i = 0; i < c->n && all; i++) {
			json_t *x;
			bool found = false;

			RESULTS_FOREACH(c->runs[i].run, name, k, x)
			{
				found = true;
				break;
			}
			all = found;
		}
		if (all && c->n_common < sizeof(c->common) / sizeof(c->common[0]))
			c->common[c->n_common++] = name;
	}
	if (c->n_common)
		return 0;
	fprintf(stderr, "spawnscope compare: no experiment is in every run:");
	for (size_t i = 0; i < c->n; i++) {
		json_t *x;
		const char *last = "";
		size_t k;

		fprintf(stderr, "%s %s has", i ? ";" : "", c->runs[i].dir);
		json_array_foreach(json_object_get(c->runs[i].run, "results"), k, x)
		{
			const char *e = json_string_value(json_object_get(x, "experiment"));
			if (e && strcmp(e, last))
				fprintf(stderr, " %s", e);
			last = e ?: last;
		}
		if (!json_array_size(json_object_get(c->runs[i].run, "results")))
			fprintf(stderr, " no results");
	}
	fprintf(stderr, "\n");
	return 2;
}

static int fill_md(FILE *md, void *arg)
{
	const struct cmp *c = arg;

	fprintf(md, "# spawnscope comparison\n\n");
	fprintf(md, "%zu runs; the first is the reference. Experiments in every run:", c->n);
	for (size_t i = 0; i < c->n_common; i++)
		fprintf(md, "%s %s", i ? "," : "", c->common[i]);
	fprintf(md, ".\n\n");
	for (size_t i = 0; i < c->n; i++)
		if (!json_is_true(json_object_get(c->runs[i].run, "complete"))) {
			fprintf(md, "> **");
			compare_cell(md, c->runs[i].label);
			fprintf(md,
				"** is an incomplete run (interrupted or failed): only the points "
				"it finished are compared.\n\n");
		}
	compare_explain_md(c, md);
	if (compare_has(c, "latency")) {
		compare_change_md(c, md);
		compare_latency_md(c, md);
	}
	compare_slopes_md(c, md);
	if (compare_has(c, "contention"))
		compare_contention_md(c, md);
	compare_machine_md(c, md);
	fprintf(md, "\n## Runs\n\n| label | directory | started | complete |\n|---|---|---|---|\n");
	for (size_t i = 0; i < c->n; i++) {
		const json_t *r = c->runs[i].run;
		fprintf(md, "| ");
		compare_cell(md, c->runs[i].label);
		fprintf(md, " | `");
		compare_cell(md, c->runs[i].dir);
		fprintf(md, "` | %s | %s |\n",
			json_string_value(json_object_get(r, "started")) ?: "?",
			json_is_true(json_object_get(r, "complete")) ? "yes" : "**no**");
	}
	return ferror(md) ? -EIO : 0;
}

static int default_out(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(buf, len, "results/compare-%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

static int write_outputs(struct cmp *c)
{
	char path[PATH_MAX + 32];
	char **svgs = NULL;
	size_t n_svgs = 0;
	int rc, failed;

	if ((rc = mkdir_p(c->out)) ||
	    (snprintf(path, sizeof(path), "%s/plots", c->out), (rc = mkdir_p(path)))) {
		fprintf(stderr, "spawnscope compare: --out %s: %s\n", c->out, strerror(-rc));
		return 2;
	}
	snprintf(path, sizeof(path), "%s/compare.md", c->out);
	if ((rc = atomic_write(path, fill_md, c))) {
		fprintf(stderr, "spawnscope compare: writing %s: %s\n", path, strerror(-rc));
		return 1;
	}
	failed = compare_plots(c, &svgs, &n_svgs);
	if (failed)
		fprintf(stderr,
			"spawnscope compare: warning: %d plot(s) could not be drawn (see "
			"above); compare.md is complete\n",
			failed);
	rc = report_html_write(c->out, "spawnscope comparison", "compare.md",
			       (const char *const *)svgs, n_svgs);
	for (size_t i = 0; i < n_svgs; i++)
		free(svgs[i]);
	free(svgs);
	if (rc) {
		fprintf(stderr, "spawnscope compare: writing %s/report.html: %s\n", c->out,
			strerror(-rc));
		return 1;
	}
	printf("%s/compare.md\n%s/report.html\n", c->out, c->out);
	return 0;
}

int compare_main(int argc, char **argv)
{
	struct cmp c = {0};
	const char **labels = NULL;
	size_t n_labels = 0;
	char out[64];
	int rc = 2;

	c.runs = calloc((size_t)argc, sizeof(*c.runs));
	labels = calloc((size_t)argc, sizeof(*labels));
	if (!c.runs || !labels) {
		fprintf(stderr, "spawnscope compare: %s\n", strerror(ENOMEM));
		goto out;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (!strcmp(a, "--label") || !strcmp(a, "--out")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(stderr, "spawnscope compare: %s needs a value\n", a);
				goto out;
			}
			if (!strcmp(a, "--out"))
				c.out = argv[++i];
			else
				labels[n_labels++] = argv[++i];
		} else if (!strncmp(a, "--label=", 8)) {
			labels[n_labels++] = a + 8;
		} else if (!strncmp(a, "--out=", 6) && a[6]) {
			c.out = a + 6;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "spawnscope compare: unknown option '%s'\n", a);
			usage(stderr);
			goto out;
		} else {
			c.runs[c.n++].dir = a;
		}
	}
	if (c.n < 2) {
		fprintf(stderr, "spawnscope compare: need at least two run directories (got %zu)\n",
			c.n);
		usage(stderr);
		goto out;
	}
	for (size_t i = 0; i < c.n; i++)
		if (load_run(&c.runs[i]))
			goto out;
	if (common_experiments(&c))
		goto out;
	compare_default_labels(&c);
	for (size_t i = 0; i < n_labels; i++)
		if (apply_label(&c, labels[i]))
			goto out;
	for (size_t i = 0; i < c.n; i++)
		if (!c.runs[i].label) {
			fprintf(stderr, "spawnscope compare: %s\n", strerror(ENOMEM));
			goto out;
		}
	if (!c.out && !default_out(out, sizeof(out)))
		c.out = out;
	rc = write_outputs(&c);
out:
	for (size_t i = 0; i < c.n; i++) {
		free(c.runs[i].label);
		json_decref(c.runs[i].run);
	}
	free(c.runs);
	free(labels);
	return rc;
}
