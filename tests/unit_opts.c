/* bench/core/opts.c: one parser for the core's options and every experiment's rows. Values
 * land in the owner's struct, every experiment's options are reset before a parse, an option
 * of an experiment not selected is refused, `all` (or no experiment yet) takes them all,
 * and the rows themselves are consistent (no name twice, help and parser on each). */
#include "tap.h"
#include "bench/core/experiment.h"
#include "bench/core/opts.h"

#include <stdio.h>
#include <string.h>

/* The destination of experiment exp's option name, or NULL. */
static void *dest_of(const char *exp, const char *name)
{
	const struct experiment *e = experiment_find(exp);
	for (const struct opt_row *r = e ? e->options : NULL; r && r->name; r++)
		if (!strcmp(r->name, name))
			return (char *)e->opts + r->offset;
	return NULL;
}

static int parse(struct opts *o, const char *const *words)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "run";
	for (; *words && argc < 31; words++)
		argv[argc++] = (char *)*words;
	argv[argc] = NULL;
	opts_defaults(o);
	return opts_parse_run(argc, argv, o);
}

int main(void)
{
	struct opts o;
	char why[256] = "";
	int rc;

	tap_plan(11);
	rc = opts_check_rows(why, sizeof why);
	tap_ok(rc == 0, "the rows are consistent (%s)", rc ? why : "every name once");

	const char **fds = dest_of("fdtable", "fds");
	rc = parse(&o, (const char *const[]){"fdtable", "--fds", "0,64", "--samples", "7", NULL});
	tap_ok(rc == 0 && fds && *fds && !strcmp(*fds, "0,64") && o.samples == 7,
	       "an experiment's option lands in its struct, a common one in struct opts (rc %d)",
	       rc);
	rc = parse(&o, (const char *const[]){"fdtable", NULL});
	tap_ok(rc == 0 && fds && !*fds && o.samples == -1,
	       "every experiment's options are back to their defaults at the next parse");

	fprintf(stderr, "# expected: a refusal naming fdtable\n");
	rc = parse(&o, (const char *const[]){"latency", "--fds", "10", NULL});
	tap_ok(rc == 2, "an option of an experiment not selected is refused (rc %d)", rc);

	double *duration = dest_of("contention", "duration");
	rc = parse(&o, (const char *const[]){"--duration", "2.5", "all", "--fds", "3", NULL});
	tap_ok(rc == 0 && duration && *duration == 2.5 && !strcmp(o.experiment, "all") && fds &&
		   !strcmp(*fds, "3"),
	       "run all takes every experiment's options, before or after its name (rc %d)", rc);

	rc = parse(&o, (const char *const[]){"nosuch", "--fds", "3", NULL});
	tap_ok(rc == 0 && !strcmp(o.experiment, "nosuch") && fds && !strcmp(*fds, "3"),
	       "an unknown experiment takes every option: the caller names the bad experiment "
	       "(rc %d)",
	       rc);

	fprintf(stderr, "# expected: --duration: bad value '0'\n");
	rc = parse(&o, (const char *const[]){"contention", "--duration", "0", NULL});
	tap_ok(rc == 2, "a value out of its row's range is refused (rc %d)", rc);
	fprintf(stderr, "# expected: an empty element in the list\n");
	rc = parse(&o, (const char *const[]){"pagetable", "--sizes", "1M,,2M", NULL});
	tap_ok(rc == 2, "a list with an empty element is refused (rc %d)", rc);

	rc = parse(&o, (const char *const[]){"latency", "--help", NULL});
	tap_ok(rc == -1 && o.experiment && !strcmp(o.experiment, "latency"),
	       "--help after an experiment asks for that experiment's usage (rc %d)", rc);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	opts_usage_run(f, "fdtable");
	fclose(f);
	tap_ok(text && strstr(text, "  --fds LIST") && strstr(text, "  --samples N") &&
		   !strstr(text, "--duration"),
	       "the usage of one experiment: the common rows and its own");
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	opts_usage_run(f, NULL);
	fclose(f);
	size_t rows = 0;
	for (size_t i = 0; i < experiment_count(); i++)
		for (const struct opt_row *r = experiment_at(i)->options; r && r->name; r++) {
			char want[64];
			snprintf(want, sizeof want, "\n  --%s", r->name);
			rows += strstr(text, want) != NULL;
		}
	size_t all_rows = 0;
	for (size_t i = 0; i < experiment_count(); i++)
		for (const struct opt_row *r = experiment_at(i)->options; r && r->name; r++)
			all_rows++;
	tap_ok(all_rows > 0 && rows == all_rows,
	       "the full usage lists every experiment's rows "
	       "(%zu of %zu)",
	       rows, all_rows);
	free(text);
	return tap_done();
}
