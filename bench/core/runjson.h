/* The one reader of run.json, shared by `report` and the gate: a regular file only (a FIFO
 * or a device is refused, never waited on), valid JSON without duplicate keys, schema
 * spawnscope/1, "results" an array of objects each with "experiment", "backend" (strings)
 * and "metrics" (an object), "fits" an array when present. */
#ifndef SPAWNSCOPE_RUNJSON_H
#define SPAWNSCOPE_RUNJSON_H

#include <jansson.h>
#include <stddef.h>

/* The parsed file (a new reference), or NULL with err set to a message naming path. */
json_t *runjson_load(const char *path, char *err, size_t len);

#endif
