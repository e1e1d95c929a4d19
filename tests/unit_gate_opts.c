/* `spawnscope gate` option parsing: command splitting, percentages, durations, and the
 * checks on --a/--b (bench/gate/opts.c). Error messages go to stderr; TAP to stdout. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gate/gate.h"
#include "tap.h"

/* Split s and compare with the expected words (NULL-terminated). */
static bool splits_to(const char *s, const char *const *want)
{
	char **v = NULL, err[128];
	bool ok;
	size_t i = 0;

	if (gate_split_command(s, &v, err, sizeof(err)))
		return false;
	for (ok = true; want[i] || v[i]; i++)
		if (!want[i] || !v[i] || strcmp(want[i], v[i])) {
			tap_diag("word %zu: got '%s', want '%s'", i, v[i] ? v[i] : "(end)",
				 want[i] ? want[i] : "(end)");
			ok = false;
			break;
		}
	gate_argv_free(v);
	return ok;
}

static bool split_fails(const char *s, const char *reason)
{
	char **v = NULL, err[128] = "";
	int rc = gate_split_command(s, &v, err, sizeof(err));

	if (!rc)
		gate_argv_free(v);
	return rc == -EINVAL && strstr(err, reason);
}

static void test_split(void)
{
	tap_ok(splits_to("a b  c", (const char *[]){"a", "b", "c", NULL}), "split: plain words");
	tap_ok(
	    splits_to("  env X=1\tbuild/spawnscope run latency  ",
		      (const char *[]){"env", "X=1", "build/spawnscope", "run", "latency", NULL}),
	    "split: leading/trailing blanks and tabs");
	tap_ok(splits_to("a 'b c' \"d e\"", (const char *[]){"a", "b c", "d e", NULL}),
	       "split: single and double quotes group words");
	tap_ok(splits_to("x'y'\"z\"w", (const char *[]){"xyzw", NULL}),
	       "split: quotes join with adjacent text");
	tap_ok(splits_to("'a\\b' \"c\\\"d\\\\e\\x\"", (const char *[]){"a\\b", "c\"d\\e\\x", NULL}),
	       "split: backslash literal in '', escapes only \\\" \\\\ \\$ \\` in \"\"");
	tap_ok(splits_to("a\\ b c\\'d", (const char *[]){"a b", "c'd", NULL}),
	       "split: backslash outside quotes escapes the next character");
	tap_ok(splits_to("a '' b", (const char *[]){"a", "", "b", NULL}),
	       "split: '' is an empty word");
	tap_ok(splits_to("$HOME *", (const char *[]){"$HOME", "*", NULL}),
	       "split: no expansion of variables or globs");
	tap_ok(split_fails("a 'b", "unterminated single"), "split: unterminated ' is an error");
	tap_ok(split_fails("a \"b", "unterminated double"), "split: unterminated \" is an error");
	tap_ok(split_fails("a \\", "backslash"), "split: trailing backslash is an error");
	tap_ok(split_fails("   ", "empty"), "split: an empty command is an error");
}

static void test_numbers(void)
{
	double v = -1;

	tap_ok(gate_parse_percent("5%", &v) == 0 && fabs(v - 0.05) < 1e-12, "percent: 5%%");
	tap_ok(gate_parse_percent("2.5", &v) == 0 && fabs(v - 0.025) < 1e-12, "percent: 2.5");
	tap_ok(gate_parse_percent("0%", &v) == 0 && v == 0, "percent: 0%%");
	tap_ok(gate_parse_percent("5%%", &v) == -EINVAL && gate_parse_percent("x", &v) == -EINVAL &&
		   gate_parse_percent("", &v) == -EINVAL &&
		   gate_parse_percent("5 %", &v) == -EINVAL,
	       "percent: garbage rejected");
	tap_ok(gate_parse_percent("-1%", &v) == -ERANGE && gate_parse_percent("1e9", &v) == -ERANGE,
	       "percent: negative and huge rejected");
	tap_ok(gate_parse_percent("nan", &v) == -EINVAL, "percent: nan rejected");
	tap_ok(gate_parse_duration("60s", &v) == 0 && v == 60, "duration: 60s");
	tap_ok(gate_parse_duration("90", &v) == 0 && v == 90, "duration: 90 (seconds)");
	tap_ok(gate_parse_duration("1.5m", &v) == 0 && v == 90, "duration: 1.5m");
	tap_ok(gate_parse_duration("500ms", &v) == 0 && fabs(v - 0.5) < 1e-12, "duration: 500ms");
	tap_ok(gate_parse_duration("1h", &v) == 0 && v == 3600, "duration: 1h");
	tap_ok(
	    gate_parse_duration("0s", &v) == -ERANGE && gate_parse_duration("-5", &v) == -ERANGE &&
		gate_parse_duration("2d", &v) == -EINVAL && gate_parse_duration("s", &v) == -EINVAL,
	    "duration: zero, negative, unknown unit, no number rejected");
}

/* Parse a gate command line given as words after "gate". */
static int parse(struct gate_opts *g, const char *const *words)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "gate";
	for (; *words && argc < 31; words++)
		argv[argc++] = (char *)*words;
	argv[argc] = NULL;
	gate_opts_defaults(g);
	return gate_opts_parse(argc, argv, g);
}

static void test_parse(void)
{
	struct gate_opts g;
	int rc;

	rc = parse(&g, (const char *[]){"--a", "sp run latency --backends 'vfork'", "--b",
					"env X=1 sp run latency", "--threshold", "3%", "--budget",
					"2m", "--metric", "t_reaped", "--block", "500", NULL});
	tap_ok(rc == 0 && g.a_argv && g.b_argv && !strcmp(g.a_argv[4], "vfork") &&
		   !strcmp(g.b_argv[0], "env") && fabs(g.threshold - 0.03) < 1e-12 &&
		   g.budget_s == 120 && !strcmp(g.metric, "t_reaped") && g.block == 500,
	       "paired options parse (rc %d)", rc);
	gate_opts_free(&g);

	rc = parse(&g, (const char *[]){"--baseline", "old.json", "--current", "new.json", NULL});
	tap_ok(rc == 0 && !g.a_argv && !strcmp(g.baseline, "old.json") &&
		   !strcmp(g.quantile, "p10") && fabs(g.threshold - 0.05) < 1e-12 &&
		   g.budget_s == 60,
	       "saved options parse, defaults p10 / 5%% / 60 s");
	gate_opts_free(&g);

	rc = parse(&g, (const char *[]){"--a", "sp run latency --out x", "--b", "sp", NULL});
	tap_ok(rc == 2 && !g.a_argv, "--a with --out: exit 2, nothing left allocated");
	rc = parse(&g, (const char *[]){"--a", "sp", "--b", "sp run --out=x", NULL});
	tap_ok(rc == 2, "--b with --out=x: exit 2");
	rc = parse(&g, (const char *[]){"--a", "sp --ou x", "--b", "sp", NULL});
	tap_ok(rc == 2, "--a with the abbreviation --ou: exit 2");
	rc = parse(&g, (const char *[]){"--a", "sp --samples 9", "--b", "sp", NULL});
	tap_ok(rc == 2, "--a with --samples: exit 2 (the gate sets the block size)");
	rc = parse(&g, (const char *[]){"--a", "sp run -- --out", "--b", "sp", NULL});
	tap_ok(rc == 0, "--out after \"--\" is an argument, not an option: accepted");
	gate_opts_free(&g);
	rc = parse(&g, (const char *[]){"--a", "sp 'unterminated", "--b", "sp", NULL});
	tap_ok(rc == 2, "unterminated quote in --a: exit 2");
	rc = parse(&g, (const char *[]){"--a", "sp", NULL});
	tap_ok(rc == 2, "--a without --b: exit 2");
	rc = parse(&g, (const char *[]){"--baseline", "x", NULL});
	tap_ok(rc == 2, "--baseline without --current: exit 2");
	rc = parse(&g, (const char *[]){"--a", "sp", "--b", "sp", "--baseline", "x", "--current",
					"y", NULL});
	tap_ok(rc == 2, "both modes at once: exit 2");
	rc = parse(&g, (const char *[]){NULL});
	tap_ok(rc == 2, "no mode: exit 2");
	rc = parse(
	    &g, (const char *[]){"--baseline", "x", "--current", "y", "--metric", "t_last", NULL});
	tap_ok(rc == 2, "unknown --metric: exit 2");
	rc = parse(
	    &g, (const char *[]){"--baseline", "x", "--current", "y", "--threshold", "abc", NULL});
	tap_ok(rc == 2, "bad --threshold: exit 2");
	rc =
	    parse(&g, (const char *[]){"--baseline", "x", "--current", "y", "--noise", "6%", NULL});
	tap_ok(rc == 2, "--noise above --threshold: exit 2");
	rc = parse(&g, (const char *[]){"--baseline", "x", "--current", "y", "--block", "5", NULL});
	tap_ok(rc == 2, "--block below 10: exit 2");
	rc = parse(&g, (const char *[]){"--baseline", "x", "--current", "y", "--min-pairs", "20",
					"--max-pairs", "10", NULL});
	tap_ok(rc == 2, "--max-pairs below --min-pairs: exit 2");
	rc = parse(&g, (const char *[]){"--baseline", "x", "--current", "y", "stray", NULL});
	tap_ok(rc == 2, "a stray argument: exit 2");
	rc = parse(&g, (const char *[]){"--baseline", "x", "--current", "y", "--bogus", NULL});
	tap_ok(rc == 2, "an unknown option: exit 2");
	rc = parse(&g, (const char *[]){"--baseline", "x", "--current", NULL});
	tap_ok(rc == 2, "an option without its value: exit 2");
}

int main(void)
{
	tap_plan(12 + 12 + 20);
	test_split();
	test_numbers();
	test_parse();
	return tap_done();
}
