/* Reading a run directory's run.json (see runjson.h). */
#include "runjson.h"

#include <errno.h>
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
