/* The latency experiment's round-paired comparisons (bench/experiments/latency/vs_reference.c). */
#ifndef SPAWNSCOPE_LATENCY_PAIRED_H
#define SPAWNSCOPE_LATENCY_PAIRED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/core/experiment.h"
#include "bench/core/sampler.h"

/* For the arms[0..n) of one point (entries[i] is arms[i]'s results entry): "vs_reference"
 * in every entry but the reference's own (the arm of backend reference, with the same
 * probe state), and with probes the probe cost of each twin ("probe_overhead", also
 * appended to the run's top-level list). */
void latency_store_paired(struct run_ctx *ctx, const char *reference, json_t **entries,
			  struct arm *arms, size_t n, uint64_t rss);

#endif
