/* The one run.json reader (bench/core/runjson.c) and the gate's use of it
 * (bench/gate/pairing.c): corrupt, truncated and wrong-schema files are clear errors, never
 * crashes; the entry getters read what is there and NULL/NaN/0 for what is not; entry keys,
 * values and A/B pairing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/gate/gate.h"
#include "bench/core/runjson.h"
#include "tap.h"

static char dir[64];

static void cleanup(void)
{
	if (dir[0])
		gate_rmtree(dir);
}

static const char *write_file(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return path;
	fputs(text, f);
	fclose(f);
	return path;
}

#define ENTRY(exp, be, params, p10)                                                                \
	"{\"experiment\":\"" exp "\",\"backend\":\"" be "\",\"params\":" params                    \
	",\"metrics\":{\"t_first\":{\"p10\":" p10 ",\"p50\":" p10 "}}}"
#define RUN(entries) "{\"schema\":\"spawnscope/1\",\"complete\":true,\"results\":[" entries "]}"

/* Loading text must fail with a message containing want. */
static void load_fails(const char *text, const char *want, const char *what)
{
	char err[512] = "";
	const char *path = write_file("bad.json", text);
	json_t *run = runjson_load(path, err, sizeof(err));

	tap_ok(!run && strstr(err, want) && strstr(err, path), "%s: refused (%s)", what, err);
	json_decref(run);
}

static void test_load(void)
{
	char err[512] = "", good[] = RUN(ENTRY("latency", "vfork", "{}", "1000"));
	char truncated[sizeof(good)];
	json_t *run;

	run = runjson_load(write_file("good.json", good), err, sizeof(err));
	tap_ok(run != NULL, "a minimal valid run loads (%s)", err);
	json_decref(run);

	memcpy(truncated, good, sizeof(good));
	truncated[sizeof(good) / 2] = 0;
	load_fails(truncated, "not valid JSON", "truncated file");
	load_fails("{\"schema\": \"spawnscope/1\", \"results\": [} garbage", "not valid JSON",
		   "corrupt file");
	load_fails("", "not valid JSON", "empty file");
	load_fails("\x7f"
		   "ELF\x01\x02",
		   "not valid JSON", "binary file");
	load_fails("[1, 2, 3]", "not an object", "top level array");
	load_fails("{\"results\": []}", "no \"schema\"", "no schema");
	load_fails("{\"schema\": \"spawnscope/0\", \"results\": []}", "schema 'spawnscope/0'",
		   "wrong schema version");
	load_fails("{\"schema\": 7, \"results\": []}", "no \"schema\"", "schema not a string");
	load_fails("{\"schema\": \"spawnscope/1\"}", "no \"results\"", "no results array");
	load_fails("{\"schema\": \"spawnscope/1\", \"results\": [{\"experiment\": \"latency\"}]}",
		   "results[0] lacks", "results entry without backend/metrics");
	load_fails("{\"schema\": \"spawnscope/1\", \"schema\": \"spawnscope/1\", \"results\": []}",
		   "duplicate", "duplicate keys");

	err[0] = 0;
	snprintf(err, sizeof(err), "%s/missing.json", dir);
	{
		char path[128], msg[512] = "";
		snprintf(path, sizeof(path), "%s", err);
		run = runjson_load(path, msg, sizeof(msg));
		tap_ok(!run && strstr(msg, "No such file"), "a missing file: %s", msg);
	}
}

static void test_values_and_keys(void)
{
	json_t *e = json_loads(ENTRY("latency", "vfork", "{\"b\":1,\"a\":2}", "1500.5"), 0, NULL);
	json_t *bad = json_loads(ENTRY("latency", "vfork", "{}", "-3"), 0, NULL);
	double v = 0;
	char *key = runjson_entry_key(e);

	tap_ok(key && !strcmp(key, "latency/vfork {\"a\":2,\"b\":1}"),
	       "entry key: experiment/backend and sorted params (%s)", key ? key : "NULL");
	free(key);
	key = runjson_entry_key(bad);
	tap_ok(key && !strcmp(key, "latency/vfork"), "entry key without params: %s", key);
	free(key);
	tap_ok(gate_entry_value(e, "t_first", "p10", &v) == 0 && v == 1500.5, "entry value p10");
	tap_ok(gate_entry_value(e, "t_reaped", "p10", &v) == -EINVAL, "a missing metric: -EINVAL");
	tap_ok(gate_entry_value(bad, "t_first", "p10", &v) == -EINVAL, "a negative time: -EINVAL");
	json_decref(e);
	json_decref(bad);
}

/* The getters every reader uses: present, missing and mistyped values. */
static void test_getters(void)
{
	json_t *e = json_loads(
	    "{\"experiment\":\"pagetable\",\"backend\":\"vfork\",\"params\":{\"kind\":\"anon\","
	    "\"size\":1048576,\"workers\":4,\"ratio\":0.5},\"metrics\":{\"t_reaped\":{\"p10\":900,"
	    "\"p50\":1000.5,\"ci95_p50\":[990,1010],\"ci95_p10\":[880,null]},\"ops_per_s\":42}}",
	    0, NULL);
	json_t *odd = json_loads("{\"experiment\":7,\"params\":[],\"metrics\":\"x\"}", 0, NULL);
	double lo, hi;

	tap_ok(e && !strcmp(runjson_experiment(e), "pagetable") &&
		   !strcmp(runjson_backend(e), "vfork") && !runjson_experiment(odd) &&
		   !runjson_backend(odd),
	       "experiment and backend; NULL when not strings");
	tap_ok(!strcmp(runjson_param_str(e, "kind"), "anon") && !runjson_param_str(e, "size") &&
		   !runjson_param_str(e, "nope") && !runjson_param_str(odd, "kind"),
	       "a string param; NULL when missing or not a string");
	tap_ok(runjson_param(e, "size") == 1048576 && runjson_param(e, "ratio") == 0.5 &&
		   isnan(runjson_param(e, "kind")) && isnan(runjson_param(odd, "size")),
	       "a number param; NaN when missing or not a number");
	tap_ok(runjson_param_int(e, "workers") == 4 && runjson_param_int(e, "ratio") == 0 &&
		   runjson_param_int(e, "nope") == 0,
	       "an integer param; 0 when missing or not an integer");
	tap_ok(runjson_metric(e, "t_reaped", "p50") == 1000.5 &&
		   runjson_metric(e, "ops_per_s", NULL) == 42 &&
		   isnan(runjson_metric(e, "t_reaped", "p99")) &&
		   isnan(runjson_metric(e, "t_first", "p50")) &&
		   isnan(runjson_metric(e, "t_reaped", NULL)) &&
		   isnan(runjson_metric(odd, "t_reaped", "p50")),
	       "metrics.M.Q and a bare metrics.M; NaN when missing or not a number");
	tap_ok(json_is_object(runjson_metric_stats(e, "t_reaped")) &&
		   runjson_num(runjson_metric_stats(e, "t_reaped"), "p10") == 900 &&
		   !runjson_metric_stats(e, "t_first"),
	       "a metric's statistics object and a number of it");
	tap_ok(runjson_interval(runjson_metric_stats(e, "t_reaped"), "ci95_p50", &lo, &hi) &&
		   lo == 990 && hi == 1010,
	       "an interval [lo, hi]");
	tap_ok(!runjson_interval(runjson_metric_stats(e, "t_reaped"), "ci95_p10", &lo, &hi) &&
		   lo == 880 && isnan(hi) &&
		   !runjson_interval(runjson_metric_stats(e, "t_reaped"), "ci95_p90", &lo, &hi) &&
		   isnan(lo) && isnan(hi),
	       "a half or missing interval: false, NaN where missing");
	tap_ok(runjson_metric_level(e, "t_reaped") == 1000.5 &&
		   runjson_metric_level(e, "ops_per_s") == 42 &&
		   isnan(runjson_metric_level(e, "t_first")) &&
		   isnan(runjson_metric_level(odd, "ops_per_s")),
	       "a metric's level: its p50, or the bare number; NaN when neither");
	json_decref(e);
	json_decref(odd);
}

/* Full blocks: at least half the samples of the largest. */
static void test_blocks(void)
{
	json_t *e = json_loads("{\"blocks\":[{\"n\":200},{\"n\":200},{\"n\":100},{\"n\":99},"
			       "{\"n\":-9223372036854775807}]}",
			       0, NULL);
	json_t *none = json_loads("{\"blocks\":{}}", 0, NULL);
	json_int_t most = runjson_blocks_most(e);
	const json_t *b = json_object_get(e, "blocks");

	tap_ok(most == 200 && runjson_blocks_most(none) == 0, "the largest block's n (%lld)",
	       (long long)most);
	tap_ok(runjson_block_full(json_array_get(b, 0), most) &&
		   runjson_block_full(json_array_get(b, 2), most) &&
		   !runjson_block_full(json_array_get(b, 3), most) &&
		   !runjson_block_full(json_array_get(b, 4), most),
	       "half the largest is full, below is not, a huge negative n is not (no overflow)");
	json_decref(e);
	json_decref(none);
}

static void test_pairing(void)
{
	json_t *one_a = json_loads(RUN(ENTRY("latency", "posix-spawn", "{}", "1")), 0, NULL);
	json_t *one_b = json_loads(RUN(ENTRY("latency", "example", "{}", "1")), 0, NULL);
	json_t *two_a = json_loads(RUN(ENTRY("latency", "vfork", "{}",
					     "1") "," ENTRY("latency", "posix-spawn", "{}", "1")),
				   0, NULL);
	json_t *two_b =
	    json_loads(RUN(ENTRY("latency", "posix-spawn", "{}", "1") "," ENTRY(
			   "latency", "clone", "{}", "1") "," ENTRY("latency", "vfork", "{}", "1")),
		       0, NULL);
	json_t *sweep = json_loads(RUN(ENTRY("pt", "vfork", "{\"rss\":0}",
					     "1") "," ENTRY("pt", "vfork", "{\"rss\":1}", "1")),
				   0, NULL);
	json_t *other = json_loads(
	    RUN(ENTRY("latency", "clone", "{}", "1") "," ENTRY("latency", "efork", "{}", "1")), 0,
	    NULL);
	json_t *empty = json_loads(RUN(""), 0, NULL);
	struct gate_pairing p;
	char err[256] = "";
	int rc;

	rc = gate_pair_entries(one_a, one_b, &p, err, sizeof(err));
	tap_ok(rc == 0 && p.n == 1 && !strcmp(p.names[0], "latency/posix-spawn vs latency/example"),
	       "one entry each: paired whatever the names (%s)", rc ? err : p.names[0]);
	gate_pairing_free(&p);
	rc = gate_pair_entries(two_a, two_b, &p, err, sizeof(err));
	tap_ok(rc == 0 && p.n == 2 && p.ia[0] == 0 && p.ib[0] == 2 && p.ia[1] == 1 &&
		   p.ib[1] == 0 && !strcmp(p.names[0], "latency/vfork"),
	       "several entries: paired by key, unmatched ones left out");
	gate_pairing_free(&p);
	rc = gate_pair_entries(sweep, sweep, &p, err, sizeof(err));
	tap_ok(rc == 0 && p.n == 2 && strstr(p.names[0], "rss") && strstr(p.names[1], "rss") &&
		   strcmp(p.names[0], p.names[1]),
	       "a sweep of one backend: names show the params (%s, %s)", p.n ? p.names[0] : "",
	       p.n > 1 ? p.names[1] : "");
	gate_pairing_free(&p);
	rc = gate_pair_entries(two_a, other, &p, err, sizeof(err));
	tap_ok(rc == -ENOENT && strstr(err, "no results entry"), "nothing in common: -ENOENT (%s)",
	       err);
	rc = gate_pair_entries(empty, one_b, &p, err, sizeof(err));
	tap_ok(rc == -ENOENT && strstr(err, "no results"), "an empty run: -ENOENT (%s)", err);
	json_decref(one_a);
	json_decref(one_b);
	json_decref(two_a);
	json_decref(two_b);
	json_decref(sweep);
	json_decref(other);
	json_decref(empty);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/spawnscope-gate-json-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	tap_plan(13 + 5 + 9 + 2 + 5);
	test_load();
	test_values_and_keys();
	test_getters();
	test_blocks();
	test_pairing();
	return tap_done();
}
