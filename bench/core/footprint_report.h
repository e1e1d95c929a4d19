/* The lab's footprint (lab/lab_proto.h struct lab_footprint) in run.json and summary.md. */
#ifndef SPAWNSCOPE_FOOTPRINT_REPORT_H
#define SPAWNSCOPE_FOOTPRINT_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "lab/lab_proto.h"

/* {"rss_anon_bytes", "vmas", "fds", "threads"} (a new reference). */
json_t *footprint_json(const struct lab_footprint *fp);
/* One sentence under an experiment's section: what the parent of its children held (range
 * over its points), against the lab's baseline (run.json "lab"), and the largest change
 * during a point. Nothing when no entry of exp has a footprint. */
void footprint_summary(const json_t *run, const char *exp, FILE *md);

#endif
