/* gnuplot, run without a shell on a results directory (see report_plot.h). */
#include <errno.h>
#include <regex.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/core/experiment.h"
#include "report_plot.h"
#include "bench/core/results.h"
#include "bench/core/runjson.h"

extern char **environ;

/* Absolute, since gnuplot runs in the results directory. */
static int absolute_dir(const char *path, char *buf, size_t len)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return -errno;
	if ((size_t)snprintf(buf, len, "%s", real) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int plot_scripts_dir(char *buf, size_t len)
{
	const char *env = getenv("SPAWNSCOPE_SCRIPTS");
	char exe[PATH_MAX - 32], path[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env)
		return absolute_dir(env, buf, len);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(path, sizeof(path), "%s/../scripts", exe);
	if (!absolute_dir(path, buf, len))
		return 0;
	snprintf(path, sizeof(path), "%s/scripts", SPAWNSCOPE_SRCDIR);
	return absolute_dir(path, buf, len);
}

/* environ with GNUPLOT_LIB replaced: gnuplot searches it for `load` (palette.gp). */
static char **env_with_lib(const char *scripts, char **lib)
{
	size_t n = 0, j = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 2, sizeof(*env))))
		return NULL;
	if (asprintf(lib, "GNUPLOT_LIB=%s", scripts) < 0) {
		free(env);
		return NULL;
	}
	env[j++] = *lib;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "GNUPLOT_LIB=", 12))
			env[j++] = environ[i];
	return env;
}

int plot_render(const char *scripts, const char *dir, const char *name)
{
	char gp[PATH_MAX + 64];
	char *argv[] = {"gnuplot", gp, NULL};
	char *lib = NULL, **env;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	/* scripts is absolute (plot_scripts_dir): gnuplot runs in dir */
	snprintf(gp, sizeof(gp), "%s/%s.gp", scripts, name);
	if (!(env = env_with_lib(scripts, &lib))) {
		fprintf(stderr, "spawnscope: plots: %s\n", strerror(ENOMEM));
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	/* the directory is the child's cwd (glibc >= 2.29): its name is never parsed */
	rc = posix_spawn_file_actions_addchdir_np(&fa, dir);
	if (!rc)
		rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	free(lib);
	if (rc) {
		fprintf(stderr,
			"spawnscope: plots: gnuplot in %s: %s (scripts/deps.sh installs it)\n", dir,
			strerror(rc));
		return 1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "spawnscope: plots: %s failed for %s\n", gp, dir);
		return 1;
	}
	return 0;
}

/* One line of a variables file: a comment, or NAME = LITERAL, or array NAME[N] = [LITERAL,
 * ...], where LITERAL is a number, NaN, a single-quoted string ('' for a quote) or a
 * double-quoted one without backquote, @ or backslash (gnuplot runs `...` and expands @macros
 * inside double quotes). */
static const char var_line[] =
    "^(#.*|[A-Za-z_][A-Za-z0-9_]* = (LIT)|array [A-Za-z_][A-Za-z0-9_]*\\[[0-9]+\\] = "
    "\\[(LIT)(, (LIT))*\\])?$";
static const char literal[] = "-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|'([^'\n]|'')*'|\"[^\"`@\\\\\n]*\"";

int plot_vars_check(const char *path, char *why, size_t len)
{
	char *pattern = NULL, *line = NULL, *q;
	size_t cap = 0, n = 0;
	regex_t re;
	FILE *f;
	int rc = 0;

	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0 : -errno;
	/* LIT stands for the literal in the line pattern */
	for (const char *p = var_line; *p; p++)
		n += strncmp(p, "LIT", 3) ? 1 : strlen(literal);
	if (!(pattern = calloc(n + 1, 1))) {
		fclose(f);
		return -ENOMEM;
	}
	q = pattern;
	for (const char *p = var_line; *p; p++) {
		if (strncmp(p, "LIT", 3)) {
			*q++ = *p;
		} else {
			memcpy(q, literal, strlen(literal));
			q += strlen(literal);
			p += 2;
		}
	}
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
		free(pattern);
		fclose(f);
		return -EINVAL;
	}
	for (size_t no = 1; getline(&line, &cap, f) > 0; no++) {
		line[strcspn(line, "\n")] = 0;
		if (regexec(&re, line, 0, NULL, 0)) {
			snprintf(why, len, "line %zu is not a variable spawnscope writes", no);
			rc = -EPERM;
			break;
		}
	}
	regfree(&re);
	free(pattern);
	free(line);
	fclose(f);
	return rc;
}

void plot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else
			fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
	fputc('\'', f);
}

struct series_arg {
	const json_t *run;
	const char *dir;
};

/* A latency entry whose samples file is in the directory (a baseline keeps only run.json). */
static bool has_samples(const struct series_arg *a, const json_t *e)
{
	const char *rel = json_string_value(json_object_get(e, "samples"));
	char path[PATH_MAX + 256];

	if (!rel)
		return false;
	snprintf(path, sizeof(path), "%s/%s", a->dir, rel);
	return access(path, R_OK) == 0;
}

static size_t count_series(const struct series_arg *a)
{
	json_t *e;
	size_t n = 0;

	RESULTS_FOREACH(a->run, "latency", i, e)
	n += has_samples(a, e);
	return n;
}

/* one gnuplot array over the latency entries that have a samples file */
static void latency_array(FILE *f, const struct series_arg *a, const char *name, size_t n,
			  void (*value)(FILE *f, const json_t *entry))
{
	json_t *e;
	size_t k = 0;

	fprintf(f, "array %s[%zu] = [", name, n);
	RESULTS_FOREACH(a->run, "latency", i, e)
	{
		if (!has_samples(a, e))
			continue;
		fputs(k++ ? ", " : "", f);
		value(f, e);
	}
	fputs("]\n", f);
}

static void value_file(FILE *f, const json_t *e)
{
	plot_quote(f, json_string_value(json_object_get(e, "samples")));
}

/* "vfork[probes]" -> "vfork": the twin is drawn in its own panel, in its backend's colour */
static void value_backend(FILE *f, const json_t *e)
{
	const char *b = runjson_backend(e) ?: "?";
	char *base = strdup(b), *br;

	if (!base)
		return plot_quote(f, b);
	if ((br = strstr(base, "[probes]")))
		*br = 0;
	plot_quote(f, base);
	free(base);
}

static void value_twin(FILE *f, const json_t *e)
{
	const char *p = runjson_param_str(e, "probes");
	fputs(p && !strcmp(p, "on") ? "1" : "0", f);
}

static void value_rss(FILE *f, const json_t *e)
{
	double rss = runjson_param(e, "parent_rss");

	fprintf(f, "%.0f", isnan(rss) ? 0 : rss);
}

/* Does the first samples file's header name pos_in_block? (runs before it was added do not) */
static bool has_pos_in_block(const struct series_arg *a)
{
	char path[PATH_MAX + 256], *line = NULL;
	size_t cap = 0;
	bool found = false;
	json_t *e;
	FILE *in;

	RESULTS_FOREACH(a->run, "latency", i, e)
	{
		if (!has_samples(a, e))
			continue;
		snprintf(path, sizeof(path), "%s/%s", a->dir,
			 json_string_value(json_object_get(e, "samples")));
		if ((in = fopen(path, "re"))) {
			if (getline(&line, &cap, in) > 0)
				found = strstr(line, ",pos_in_block,") != NULL;
			fclose(in);
		}
		break;
	}
	free(line);
	return found;
}

static int fill_latency_series(FILE *f, void *arg)
{
	const struct series_arg *a = arg;
	size_t n = count_series(a);

	fputs("# written by spawnscope from run.json: the series scripts/latency.gp draws\n", f);
	fprintf(f, "lat_n = %zu\nlat_has_pos = %d\n", n, has_pos_in_block(a));
	if (n) {
		latency_array(f, a, "lat_file", n, value_file);
		latency_array(f, a, "lat_backend", n, value_backend);
		latency_array(f, a, "lat_twin", n, value_twin);
		latency_array(f, a, "lat_rss", n, value_rss);
	}
	return ferror(f) ? -EIO : 0;
}

int plot_write_latency_series(const json_t *run, const char *dir)
{
	struct series_arg a = {run, dir};
	char path[PATH_MAX + 32];
	size_t n = count_series(&a);
	int rc;

	if (!n)
		return 0;
	snprintf(path, sizeof(path), "%s/latency-series.gp", dir);
	rc = atomic_write(path, fill_latency_series, &a);
	return rc ? rc : (int)(n > INT_MAX ? INT_MAX : n);
}
