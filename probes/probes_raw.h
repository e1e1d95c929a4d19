/* The probes' raw per-child record (every event time, the kernel function durations), for
 * tests and tools that need more than the phases of probes.h. Built only with probes. */
#ifndef SPAWNSCOPE_PROBES_RAW_H
#define SPAWNSCOPE_PROBES_RAW_H

#include <stdbool.h>

#include "probes.h"
#include "spawn_events.h"

struct probe_raw {
	struct spawn_record rec; /* event times: bpf_ktime_get_ns == CLOCK_MONOTONIC */
	bool have_kfunc;	 /* the fentry programs recorded this child */
	struct spawn_kfunc_record kfunc;
};

/* Like probes_collect (fetch and forget) but returns the raw record. 0 or -ENOENT. */
int probes_collect_raw(struct probes *pr, pid_t child, struct probe_raw *out);

/* Convert a raw record to the phases and values of probes.h. */
void probes_sample_from_raw(const struct probe_raw *raw, struct probe_sample *out);

/* Processes the programs track right now (entries of the `live` map), or -errno. */
long probes_live_count(struct probes *pr);

#endif
