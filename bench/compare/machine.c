/* What differs between the compared runs: the machine (kernel, CPU, glibc, THP,
 * mitigations, ...), the probes and the options. Also the default run labels. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

/* Values that differ between any two runs of the same machine: not an explanation. */
static bool ignored(const char *path)
{
	static const char *const skip[] = {"machine.mem_available", "options.out", "options.seed",
					   "options.quiet"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(path, skip[i]))
			return true;
	return false;
}

/* Leaves of obj as "prefix.key" paths into keys (a JSON object: path -> true). */
static void collect_paths(const json_t *obj, const char *prefix, json_t *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v)
	{
		char *path;

		if (asprintf(&path, "%s.%s", prefix, k) < 0)
			continue;
		if (json_is_object(v))
			collect_paths(v, path, keys);
		else if (!ignored(path))
			json_object_set_new(keys, path, json_true());
		free(path);
	}
}

/* The value at "a.b.c" under root (NULL when absent). */
static const json_t *at_path(const json_t *root, const char *path)
{
	char *copy = strdup(path), *save = NULL;
	const json_t *v = root;

	if (!copy)
		return NULL;
	for (char *p = strtok_r(copy, ".", &save); p && v; p = strtok_r(NULL, ".", &save))
		v = json_object_get(v, p);
	free(copy);
	return v;
}

/* A short text for a value: strings as they are, the rest as compact JSON; "–" if absent. */
static char *text_of(const json_t *v)
{
	if (!v || json_is_null(v))
		return strdup("–");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static bool differs(const struct cmp *c, const char *path)
{
	char *first = text_of(at_path(c->runs[0].run, path));
	bool diff = false;

	for (size_t i = 1; i < c->n && first && !diff; i++) {
		char *t = text_of(at_path(c->runs[i].run, path));
		diff = !t || strcmp(t, first);
		free(t);
	}
	free(first);
	return diff;
}

/* the run's command line without the arguments that never change a result */
static char *command_of(const json_t *run)
{
	const json_t *cmd = json_object_get(run, "command");
	size_t len = 0, n = json_array_size(cmd);
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(json_string_value(json_array_get(cmd, i)) ?: "") + 1;
	if (!(s = calloc(1, len + 1)))
		return NULL;
	for (size_t i = 1; i < n; i++) {
		const char *a = json_string_value(json_array_get(cmd, i)) ?: "";
		if (!strcmp(a, "--out") || !strcmp(a, "--seed")) {
			i++;
			continue;
		}
		if (!strcmp(a, "--quiet") || !strcmp(a, "run"))
			continue;
		if (*s)
			strcat(s, " ");
		strcat(s, a);
	}
	return s;
}

/* One candidate label per run; false if every run gives the same text. */
static bool candidate(const struct cmp *c, char *(*of)(const json_t *run), char **out)
{
	bool diff = false;

	for (size_t i = 0; i < c->n; i++) {
		out[i] = of(c->runs[i].run);
		if (i && out[i] && out[0] && strcmp(out[i], out[0]))
			diff = true;
	}
	return diff;
}

static char *host_kernel(const json_t *run)
{
	const json_t *m = json_object_get(run, "machine");
	char *s;

	if (asprintf(&s, "%s %s", json_string_value(json_object_get(m, "hostname")) ?: "?",
		     json_string_value(json_object_get(m, "kernel")) ?: "?") < 0)
		return NULL;
	return s;
}

static char *glibc_of(const json_t *run)
{
	char *s;
	const char *g = json_string_value(at_path(run, "machine.glibc"));

	return asprintf(&s, "glibc %s", g ?: "?") < 0 ? NULL : s;
}

static char *cpu_brand(const json_t *run)
{
	return strdup(json_string_value(at_path(run, "machine.cpu.brand")) ?: "?");
}

static char *pinning(const json_t *run)
{
	const json_t *cpu = at_path(run, "options.cpu");
	char *s;

	if (!json_is_integer(cpu))
		return strdup("unpinned");
	return asprintf(&s, "pinned to CPU %lld", (long long)json_integer_value(cpu)) < 0 ? NULL
											  : s;
}

static char *probes_of(const json_t *run)
{
	return strdup(json_is_true(at_path(run, "probes.enabled")) ? "probes on" : "probes off");
}

void compare_default_labels(struct cmp *c)
{
	char *(*const of[])(const json_t *) = {host_kernel, glibc_of,  cpu_brand,
					       pinning,	    probes_of, command_of};
	char **cand = calloc(c->n, sizeof(*cand));
	bool chosen = false;

	for (size_t f = 0; f < sizeof(of) / sizeof(of[0]) && cand && !chosen; f++) {
		chosen = candidate(c, of[f], cand);
		for (size_t i = 0; i < c->n; i++) {
			if (chosen && !c->runs[i].label)
				c->runs[i].label = cand[i];
			else
				free(cand[i]);
			cand[i] = NULL;
		}
	}
	free(cand);
	for (size_t i = 0; i < c->n; i++) {
		char *copy;

		if (c->runs[i].label && *c->runs[i].label)
			continue;
		free(c->runs[i].label);
		c->runs[i].label = NULL;
		if ((copy = strdup(c->runs[i].dir))) {
			c->runs[i].label = strdup(basename(copy));
			free(copy);
		}
	}
	/* two runs with one label (a repeat): number them */
	for (size_t i = 1; i < c->n; i++)
		for (size_t j = 0; j < i; j++) {
			char *s;
			if (!c->runs[i].label || !c->runs[j].label ||
			    strcmp(c->runs[i].label, c->runs[j].label))
				continue;
			if (asprintf(&s, "%s #%zu", c->runs[i].label, i + 1) >= 0) {
				free(c->runs[i].label);
				c->runs[i].label = s;
			}
			break;
		}
}

/* The fields whose difference can move a spawn figure, named in the lead sentence. */
static const char *const explain[] = {"machine.kernel",
				      "machine.kernel_version",
				      "machine.cpu.brand",
				      "machine.cpu.online",
				      "machine.cpu.hypervisor",
				      "machine.glibc",
				      "machine.compiler",
				      "machine.thp.enabled",
				      "machine.aslr",
				      "machine.clocksource",
				      "machine.cmdline",
				      "probes.enabled",
				      "options.cpu",
				      "machine.smt",
				      "machine.cpufreq_governor",
				      "machine.cpu.model",
				      "machine.cpu.codename"};

static bool has_word(const char *s, const char *w, size_t n)
{
	while (*s) {
		size_t len = strcspn(s, " ");
		if (len == n && !strncmp(s, w, n))
			return true;
		s += len;
		s += strspn(s, " ");
	}
	return false;
}

/* A kernel command line against the first run's: only the parameters added (+) and
 * removed (−); the whole line is long and mostly the same. */
static void cmdline_diff(FILE *md, const json_t *ref, const json_t *run)
{
	const char *a = json_string_value(at_path(ref, "machine.cmdline")) ?: "";
	const char *b = json_string_value(at_path(run, "machine.cmdline")) ?: "";
	bool any = false;

	fprintf(md, " ");
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass ? a : b, *other = pass ? b : a;
		while (*s) {
			size_t len = strcspn(s, " ");
			if (len && !has_word(other, s, len)) {
				char *w = strndup(s, len);
				fprintf(md, "%s`%s", any ? " " : "", pass ? "−" : "+");
				compare_cell(md, w ? w : "?");
				fprintf(md, "`");
				free(w);
				any = true;
			}
			s += len;
			s += strspn(s, " ");
		}
	}
	fprintf(md, "%s |", any ? "" : "same parameters, another order");
}

static json_t *machine_keys(const struct cmp *c)
{
	json_t *keys = json_object();

	for (size_t i = 0; keys && i < c->n; i++) {
		collect_paths(json_object_get(c->runs[i].run, "machine"), "machine", keys);
		collect_paths(json_object_get(c->runs[i].run, "options"), "options", keys);
		json_object_set_new(keys, "probes.enabled", json_true());
	}
	return keys;
}

void compare_explain_md(const struct cmp *c, FILE *md)
{
	json_t *keys = machine_keys(c);
	const char *k;
	json_t *v;
	size_t n_diff = 0, n_mitig = 0;

	fprintf(md, "**What differs between the runs that could explain a change:**");
	for (size_t e = 0; e < sizeof(explain) / sizeof(explain[0]); e++)
		if (differs(c, explain[e]))
			fprintf(md, "%s %s", n_diff++ ? "," : "", explain[e]);
	json_object_foreach(keys, k, v)
	{
		if (!strncmp(k, "machine.mitigations.", 20) && differs(c, k))
			n_mitig++;
	}
	if (n_mitig)
		fprintf(md, "%s %zu CPU vulnerability mitigation(s)", n_diff++ ? "," : "", n_mitig);
	{
		char *c0 = command_of(c->runs[0].run);
		bool cmd_diff = false;
		for (size_t i = 1; i < c->n && c0; i++) {
			char *ci = command_of(c->runs[i].run);
			cmd_diff |= !ci || strcmp(ci, c0);
			free(ci);
		}
		free(c0);
		if (cmd_diff)
			fprintf(md, "%s the command line", n_diff++ ? "," : "");
	}
	if (!n_diff)
		fprintf(md, " nothing recorded: same kernel, CPU, glibc, THP, mitigations, probes "
			    "and options (the difference is the machine's state at the time)");
	fprintf(md, " (the table at the end has the values).\n\n");
	json_decref(keys);
}

void compare_machine_md(const struct cmp *c, FILE *md)
{
	json_t *keys = machine_keys(c);
	const char *k;
	json_t *v;

	fprintf(md, "\n## What differs between the runs\n\n");
	if (!keys)
		return;
	compare_header(c, md, "field", false);
	fprintf(md, "| command |");
	for (size_t i = 0; i < c->n; i++) {
		char *s = command_of(c->runs[i].run);
		fprintf(md, " `");
		compare_cell(md, s ?: "?");
		fprintf(md, "` |");
		free(s);
	}
	fprintf(md, "\n");
	json_object_foreach(keys, k, v)
	{
		if (!differs(c, k))
			continue;
		fprintf(md, "| %s |", k);
		for (size_t i = 0; i < c->n; i++) {
			char *t;

			if (!strcmp(k, "machine.cmdline") && i) {
				cmdline_diff(md, c->runs[0].run, c->runs[i].run);
				continue;
			}
			t = text_of(at_path(c->runs[i].run, k));
			fprintf(md, " ");
			compare_cell(md, t ?: "?");
			fprintf(md, " |");
			free(t);
		}
		fprintf(md, "\n");
	}
	fprintf(md, "\nFields not listed are identical in every run.\n");
	json_decref(keys);
}
