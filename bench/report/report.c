/* `spawnscope report DIR`: the experiments' data files, summary.md and plots/ rebuilt from
 * run.json alone. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/core/experiment.h"
#include "bench/core/footprint_report.h"
#include "bench/lib/plotfile.h"
#include "report_html.h"
#include "report_plot.h"
#include "bench/core/results.h"
#include "bench/core/runjson.h"

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "?";
}

/* "- probes: on — 10 attached (a, b, …); 10 raw_tp not attached (reason); 12 fentry not
 * attached (reason)": programs that did not attach are grouped by kind, with the first
 * program's reason (the reasons within a kind differ only by the program they name). */
static void probes_line(const json_t *pr, FILE *md)
{
	const json_t *progs = json_object_get(pr, "programs");
	json_t *p, *q;
	size_t i, j, n_on = 0;

	fprintf(md, "- probes: on — ");
	json_array_foreach(progs, i, p)
	{
		if (json_is_true(json_object_get(p, "attached")))
			fprintf(md, "%s%s", n_on++ ? ", " : "", jstr(p, "name"));
	}
	fprintf(md, " attached");
	json_array_foreach(progs, i, p)
	{
		const char *kind = jstr(p, "kind");
		bool first = true;
		size_t count = 0;

		if (json_is_true(json_object_get(p, "attached")))
			continue;
		json_array_foreach(progs, j, q)
		{
			if (json_is_true(json_object_get(q, "attached")) ||
			    strcmp(jstr(q, "kind"), kind))
				continue;
			if (j < i)
				first = false; /* this kind was already printed */
			count++;
		}
		if (first)
			fprintf(md, "; %zu %s not attached (e.g. %s: %s)", count, kind,
				jstr(p, "name"), jstr(p, "reason"));
	}
	fprintf(md, "\n");
}

static void summary_header(const json_t *run, FILE *md)
{
	const json_t *m = json_object_get(run, "machine");
	const json_t *cpu = json_object_get(m, "cpu");
	const json_t *pr = json_object_get(run, "probes");
	const json_t *cmd = json_object_get(run, "command");
	const json_t *v;
	size_t i;

	fprintf(md, "# spawnscope summary\n\n");
	if (!json_is_true(json_object_get(run, "complete")))
		fprintf(md, "> **Incomplete run** (interrupted or failed): only the points that "
			    "finished are below.\n\n");
	fprintf(md, "- command: `");
	json_array_foreach(cmd, i, v)
	    fprintf(md, "%s%s", i ? " " : "", json_string_value(v) ?: "?");
	fprintf(md, "`\n- started: %s, seed %lld\n", jstr(run, "started"),
		(long long)json_integer_value(json_object_get(run, "seed")));
	fprintf(md, "- machine: %s, kernel %s, %s (%lld online CPUs, hypervisor %s)\n",
		jstr(m, "hostname"), jstr(m, "kernel"), jstr(cpu, "brand"),
		(long long)json_integer_value(json_object_get(cpu, "online")),
		jstr(cpu, "hypervisor"));
	fprintf(md, "- THP %s; ASLR %s; clocksource %s; glibc %s\n",
		jstr(json_object_get(m, "thp"), "enabled"), jstr(m, "aslr"), jstr(m, "clocksource"),
		jstr(m, "glibc"));
	fprintf(md, "- timer overhead (clock_gettime pair, median): %.0f ns\n",
		json_number_value(json_object_get(run, "timer_overhead_ns")));
	if (json_is_true(json_object_get(pr, "enabled")))
		probes_line(pr, md);
	else
		fprintf(md, "- probes: off — %s\n", jstr(pr, "reason"));
	fprintf(md, "\nAll times are CLOCK_MONOTONIC ns from just before the spawn call; "
		    "quantiles over n samples, [95%% bootstrap interval] of the median.\n\n");
}

struct summary_arg {
	const json_t *run;
	const char *plot_failures; /* "" or "latency (why); phases (why)" */
};

static int fill_summary(FILE *md, void *arg)
{
	const struct summary_arg *sa = arg;
	const json_t *run = sa->run;

	summary_header(run, md);
	if (sa->plot_failures[0])
		fprintf(md, "> **Plots not drawn** (the measurements below are unaffected): %s\n\n",
			sa->plot_failures);
	for (size_t i = 0; i < experiment_count(); i++) {
		const struct experiment *e = experiment_at(i);
		if (e->summarize && experiment_in_run(run, e->name)) {
			e->summarize(run, md);
			footprint_summary(run, e->name, md);
		}
	}
	return ferror(md) ? -EIO : 0;
}

int report_write_summary(const json_t *run, FILE *md)
{
	struct summary_arg arg = {run, ""};

	return fill_summary(md, &arg);
}

/* Both outputs of plot name whole, else both removed (a partial plot is not left looking
 * like a result) and why filled. */
static int check_outputs(const char *dir, const char *name, char *why, size_t len)
{
	static const char *const fmts[] = {"svg", "png"};
	char path[PATH_MAX + 64];
	int bad = 0;

	for (size_t i = 0; i < 2 && !bad; i++) {
		snprintf(path, sizeof(path), "%s/plots/%s.%s", dir, name, fmts[i]);
		bad = plotfile_check(path, why, len);
	}
	for (size_t i = 0; i < 2 && bad; i++) {
		snprintf(path, sizeof(path), "%s/plots/%s.%s", dir, name, fmts[i]);
		unlink(path);
	}
	return bad ? 1 : 0;
}

/* A directory with run.json alone (a committed baseline) has no per-point data to draw from:
 * said, not failed; its report.html keeps the plots it has. */
static void no_data(const char *dir, const char *plot, const char *file)
{
	fprintf(stderr,
		"spawnscope: plot %s not redrawn: no %s in %s (run.json alone does not hold the "
		"points)\n",
		plot, file, dir);
}

/* Add "name (why)" to the list of plots not drawn. */
static void note_failure(char *failed, size_t flen, const char *name, const char *why)
{
	size_t used = strlen(failed);

	snprintf(failed + used, flen - used, "%s%s (%s)", used ? "; " : "", name, why);
}

/* One figure: its data written or checked, its variables file checked, gnuplot run, both
 * outputs checked. 0, or 1 with the reason added to failed; missing data is not a failure. */
static int render_plot(const struct exp_plot *p, const char *dir, const json_t *run,
		       const char *scripts, bool quiet, char *failed, size_t flen)
{
	char data[PATH_MAX + 64], why[PATH_MAX + 96];
	int wrc;

	if (p->series) {
		if ((wrc = p->series(run, dir)) < 0) {
			snprintf(why, sizeof(why), "writing %s: %s", p->data, strerror(-wrc));
			fprintf(stderr, "spawnscope: plots: %s/%s\n", dir, why);
			note_failure(failed, flen, p->name, why);
			return 1;
		}
		if (wrc == 0) {
			no_data(dir, p->name, p->needs ? p->needs : p->data);
			return 0;
		}
	} else {
		snprintf(data, sizeof(data), "%s/%s", dir, p->data);
		if (access(data, R_OK)) {
			if (!p->optional)
				no_data(dir, p->name, p->needs ? p->needs : p->data);
			return 0;
		}
	}
	snprintf(data, sizeof(data), "%s/points-%s.gp", dir, p->name);
	if ((wrc = plot_vars_check(data, why, sizeof(why)))) {
		if (wrc != -EPERM)
			snprintf(why, sizeof(why), "%s", strerror(-wrc));
		fprintf(stderr, "spawnscope: plots: %s not loaded: %s\n", data, why);
		note_failure(failed, flen, p->name, why);
		return 1;
	}
	why[0] = 0;
	if (plot_render(scripts, dir, p->name) ||
	    (check_outputs(dir, p->name, why, sizeof(why)) &&
	     fprintf(stderr, "spawnscope: plots: %s\n", why))) {
		note_failure(failed, flen, p->name,
			     why[0] ? why : "not drawn by gnuplot: its message went to stderr");
		return 1;
	}
	if (!quiet)
		fprintf(stderr, "spawnscope: plot %s/plots/%s.svg\n", dir, p->name);
	return 0;
}

/* Render every plot of the run; the names of those not drawn, with why, go to failed. */
static int render_plots(const json_t *run, const char *dir, bool quiet, char *failed, size_t flen)
{
	char scripts[PATH_MAX];
	int status = 0;

	failed[0] = 0;
	if (plot_scripts_dir(scripts, sizeof(scripts))) {
		fprintf(stderr, "spawnscope: warning: plots: cannot find the scripts directory "
				"(set SPAWNSCOPE_SCRIPTS)\n");
		snprintf(failed, flen, "no scripts directory (set SPAWNSCOPE_SCRIPTS)");
		return 1;
	}
	for (size_t i = 0; i < experiment_count(); i++) {
		const struct experiment *e = experiment_at(i);

		if (!experiment_in_run(run, e->name))
			continue;
		for (const struct exp_plot *p = e->plots; p && p->name; p++)
			if (render_plot(p, dir, run, scripts, quiet, failed, flen))
				status = 1;
	}
	return status;
}

#define HTML_MAX_PLOTS 24

struct plot_list {
	const char *svgs[HTML_MAX_PLOTS];
	char names[HTML_MAX_PLOTS][96];
	size_t n;
};

static void add_plot(struct plot_list *l, const char *dir, const char *file)
{
	char path[PATH_MAX + 128];

	if (l->n == HTML_MAX_PLOTS)
		return;
	snprintf(l->names[l->n], sizeof(l->names[l->n]), "plots/%s", file);
	snprintf(path, sizeof(path), "%s/%s", dir, l->names[l->n]);
	if (!access(path, R_OK)) {
		l->svgs[l->n] = l->names[l->n];
		l->n++;
	}
}

/* NAME.svg, then the script's other figures NAME-*.svg (contention.gp draws two) */
static void add_plots_of(struct plot_list *l, const char *dir, const char *name)
{
	char file[80], path[PATH_MAX + 16];
	size_t len = strlen(name);
	struct dirent **ents = NULL;
	int n;

	snprintf(file, sizeof(file), "%s.svg", name);
	add_plot(l, dir, file);
	snprintf(path, sizeof(path), "%s/plots", dir);
	n = scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		size_t dl = strlen(d);
		if (dl > len + 5 && !strncmp(d, name, len) && d[len] == '-' &&
		    !strcmp(d + dl - 4, ".svg"))
			add_plot(l, dir, d);
		free(ents[i]);
	}
	free(ents);
}

/* report.html: summary.md and every plot this run has, inline. 0 or 1 (message printed). */
static int write_html(const json_t *run, const char *dir)
{
	struct plot_list l = {.n = 0};
	int rc;

	for (size_t i = 0; i < experiment_count(); i++) {
		const struct experiment *e = experiment_at(i);

		if (!experiment_in_run(run, e->name))
			continue;
		for (const struct exp_plot *p = e->plots; p && p->name; p++)
			add_plots_of(&l, dir, p->name);
	}
	rc = report_html_write(dir, "spawnscope run", "summary.md", l.svgs, l.n);
	if (rc)
		fprintf(stderr, "spawnscope: report: writing %s/report.html: %s\n", dir,
			strerror(-rc));
	return rc ? 1 : 0;
}

/* Every experiment's data files, from run.json (messages printed). 0 or the first -errno. */
static int write_data(const json_t *run, const char *dir)
{
	int status = 0;

	for (size_t i = 0; i < experiment_count(); i++) {
		const struct experiment *e = experiment_at(i);
		int rc;

		if (e->write_data && experiment_in_run(run, e->name) &&
		    (rc = e->write_data(run, dir)) && !status)
			status = rc;
	}
	return status;
}

/* Plot failures are warnings: summary.md says which plots are missing and why, and the exit
 * status stays that of the measurement (0 when it is complete). */
int results_report(const char *dir, bool quiet, bool data)
{
	char path[PATH_MAX + 16], err[PATH_MAX + 256], failed[PATH_MAX + 4096];
	json_t *run;
	struct summary_arg arg;
	int rc, data_rc = 0;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	run = runjson_load(path, err, sizeof(err));
	if (!run) {
		fprintf(stderr, "spawnscope: report: %s\n", err);
		return 2;
	}
	if (data)
		data_rc = write_data(run, dir);
	snprintf(path, sizeof(path), "%s/plots", dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		snprintf(failed, sizeof(failed), "%s: %s", path, strerror(errno));
		fprintf(stderr, "spawnscope: warning: plots: %s\n", failed);
	} else if (render_plots(run, dir, quiet, failed, sizeof(failed))) {
		fprintf(stderr, "spawnscope: warning: plots not drawn: %s\n", failed);
	}
	arg.run = run;
	arg.plot_failures = failed;
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	rc = atomic_write(path, fill_summary, &arg);
	if (rc)
		fprintf(stderr, "spawnscope: report: writing %s: %s\n", path, strerror(-rc));
	/* report.html, like the plots, is a view of run.json: a failure is a warning */
	if (!rc && write_html(run, dir))
		fprintf(stderr, "spawnscope: warning: report.html not written (see above)\n");
	json_decref(run);
	return rc || data_rc ? 1 : 0;
}
