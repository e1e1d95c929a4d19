/* The latency experiment's report side (bench/experiments/latency/report.c). */
#ifndef SPAWNSCOPE_LATENCY_H
#define SPAWNSCOPE_LATENCY_H

#include <jansson.h>
#include <stdio.h>

#include "bench/core/experiment.h"

/* summary.md section: one table per parent RSS, phases and probe overhead when present. */
void latency_summarize(const json_t *run, FILE *md);
/* DIR/phases.csv (medians of every probe phase per backend and parent RSS) for
 * scripts/phases.gp, from run.json; written only when some entry has phases. 0 or -errno. */
int latency_write_data(const json_t *run, const char *dir);

#endif
