/* How many samples each probe phase covers, stored with the phase statistics in run.json and
 * flagged in summary.md when below PROBE_COVERAGE_MIN: a missing phase is counted, never
 * silent. */
#ifndef SPAWNSCOPE_PROBE_COVERAGE_H
#define SPAWNSCOPE_PROBE_COVERAGE_H

#include <jansson.h>
#include <stdio.h>

#include "sampler.h"

#define PROBE_COVERAGE_MIN 0.99

/* Into each phases.<name> of a result (created when the phase is absent but expected): "n",
 * "n_expected" (good samples the phase applies to: exec only in exec mode, mmap_lock_hold
 * only for a child with its own mm), "coverage" = n / n_expected; first_run_delay also
 * "sources" {sched_switch, child_syscall_exit}. Into the result: "probe_records" (good samples
 * with a probe record) and "probe_drops" (pr's counters since the probes were opened). */
void probe_coverage_store(const struct arm *a, const struct probes *pr, json_t *entry);

/* A summary.md paragraph listing every result's phase below PROBE_COVERAGE_MIN, the
 * fallback counts and the drops; nothing when every phase is covered. */
void probe_coverage_summary(const json_t *run, const char *experiment, FILE *md);

#endif
