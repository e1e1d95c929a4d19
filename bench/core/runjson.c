/* Reading a run directory's run.json (see runjson.h). */
#include "runjson.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"

json_t *runjson_load(const char *path, char *err, size_t len)
{
	json_error_t je;
	json_t *run, *schema, *results, *fits;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO named run.json must not hang the reader until someone writes */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	run = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (!run) {
		if (je.line < 0)
			snprintf(err, len, "%s: %s", path, je.text);
		else
			snprintf(err, len,
				 "%s: not valid JSON (corrupt or truncated?): %s at line %d "
				 "column %d",
				 path, je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(run)) {
		snprintf(err, len, "%s: not a spawnscope run (the top level is not an object)",
			 path);
		goto bad;
	}
	schema = json_object_get(run, "schema");
	if (!json_is_string(schema)) {
		snprintf(err, len, "%s: not a spawnscope run (no \"schema\")", path);
		goto bad;
	}
	if (strcmp(json_string_value(schema), RESULTS_SCHEMA)) {
		snprintf(err, len, "%s: schema '%s', this spawnscope reads '%s'", path,
			 json_string_value(schema), RESULTS_SCHEMA);
		goto bad;
	}
	results = json_object_get(run, "results");
	if (!json_is_array(results)) {
		snprintf(err, len, "%s: no \"results\" array", path);
		goto bad;
	}
	fits = json_object_get(run, "fits");
	if (fits && !json_is_array(fits)) {
		snprintf(err, len, "%s: \"fits\" is not an array", path);
		goto bad;
	}
	for (size_t i = 0; i < json_array_size(results); i++) {
		json_t *e = json_array_get(results, i);
		if (!json_is_object(e) || !json_is_string(json_object_get(e, "experiment")) ||
		    !json_is_string(json_object_get(e, "backend")) ||
		    !json_is_object(json_object_get(e, "metrics"))) {
			snprintf(
			    err, len,
			    "%s: results[%zu] lacks \"experiment\", \"backend\" or \"metrics\"",
			    path, i);
			goto bad;
		}
	}
	return run;
bad:
	json_decref(run);
	return NULL;
}

const char *runjson_experiment(const json_t *entry)
{
	return json_string_value(json_object_get(entry, "experiment"));
}

const char *runjson_backend(const json_t *entry)
{
	return json_string_value(json_object_get(entry, "backend"));
}

char *runjson_entry_key(const json_t *entry)
{
	const char *exp = runjson_experiment(entry), *be = runjson_backend(entry);
	json_t *params = json_object_get(entry, "params");
	char *p = NULL, *key = NULL;

	if (json_is_object(params) && json_object_size(params))
		p = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	if (asprintf(&key, "%s/%s%s%s", exp ? exp : "?", be ? be : "?", p ? " " : "", p ? p : "") <
	    0)
		key = NULL;
	free(p);
	return key;
}

const char *runjson_param_str(const json_t *entry, const char *key)
{
	return json_string_value(json_object_get(json_object_get(entry, "params"), key));
}

double runjson_param(const json_t *entry, const char *key)
{
	return runjson_num(json_object_get(entry, "params"), key);
}

json_int_t runjson_param_int(const json_t *entry, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(entry, "params"), key));
}

const json_t *runjson_metric_stats(const json_t *entry, const char *metric)
{
	return json_object_get(json_object_get(entry, "metrics"), metric);
}

double runjson_metric(const json_t *entry, const char *metric, const char *q)
{
	const json_t *m = runjson_metric_stats(entry, metric);
	const json_t *v = q ? json_object_get(m, q) : m;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

double runjson_metric_level(const json_t *entry, const char *metric)
{
	return runjson_metric(entry, metric,
			      json_is_object(runjson_metric_stats(entry, metric)) ? "p50" : NULL);
}

json_int_t runjson_blocks_most(const json_t *entry)
{
	const json_t *b;
	json_int_t most = 0;
	size_t i;

	json_array_foreach(json_object_get(entry, "blocks"), i, b)
	{
		json_int_t n = json_integer_value(json_object_get(b, "n"));
		if (n > most)
			most = n;
	}
	return most;
}

bool runjson_block_full(const json_t *block, json_int_t most)
{
	/* in double: n * 2 overflows for a (corrupt) n near ±2^63 */
	return (double)json_integer_value(json_object_get(block, "n")) * 2 >= (double)most;
}

double runjson_num(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

bool runjson_interval(const json_t *obj, const char *key, double *lo, double *hi)
{
	const json_t *ci = json_object_get(obj, key), *a = json_array_get(ci, 0),
		     *b = json_array_get(ci, 1);

	*lo = json_is_number(a) ? json_number_value(a) : NAN;
	*hi = json_is_number(b) ? json_number_value(b) : NAN;
	return json_is_number(a) && json_is_number(b);
}
