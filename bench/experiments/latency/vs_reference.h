/* The latency experiment's round-paired comparisons (bench/experiments/latency/vs_reference.c). */
#ifndef SPAWNSCOPE_LATENCY_PAIRED_H
#define SPAWNSCOPE_LATENCY_PAIRED_H

#include <jansson.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/core/experiment.h"
#include "bench/core/sampler.h"

/* For the arms[0..n) of one point (entries[i] is arms[i]'s results entry): "vs_reference"
 * in every entry but the reference's own (the arm of backend reference, with the same
 * probe state), and with probes the probe cost of each twin ("probe_overhead", also
 * appended to the run's top-level list). */
void latency_store_paired(struct run_ctx *ctx, const char *reference, bool explicit,
			  json_t **entries, struct arm *arms, size_t n, uint64_t rss);
/* The machine's level through the point (bench/lib/stats_level.h), appended to run.json's
 * "machine_level" list, and every entry's p50/p10 intervals widened by its wander
 * (latency_store_paired calls it). */
void latency_store_level(struct run_ctx *ctx, json_t **entries, const struct arm *arms, size_t n,
			 uint64_t rss);
/* Its line in summary.md for the point at parent RSS rss. */
void latency_level_summary(const json_t *run, json_int_t rss, FILE *md);

#endif
