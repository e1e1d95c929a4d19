/* In-kernel phase timing for spawns: the driver's view of the eBPF probes. */
#ifndef SPAWNSCOPE_PROBES_H
#define SPAWNSCOPE_PROBES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "phases.h"
#include "probes_mode.h"

/* Per-child values read at fork with BPF_CORE_READ. */
enum probe_value {
	PV_PGTABLES_BYTES, /* child mm->pgtables_bytes */
	PV_MAP_COUNT,	   /* child mm->map_count */
	PV_NR_FDS,	   /* open fds copied into the child (dup_fd) */
	PV__N
};
/* Kernel functions the fentry/fexit programs time per child, where the kernel allows them
 * (the order of enum spawn_kfunc in spawn_events.h). */
#define PROBE_KFUNCS 6
extern const char *const probe_kfunc_names[PROBE_KFUNCS]; /* "copy_process", ... */
extern const char *const probe_value_names[PV__N];

struct probe_sample {
	uint32_t have_phase; /* bit i set: phase_ns[i] valid */
	uint32_t fallback;   /* bit i set: phase i came from its second source (first_run_delay:
				the child's return from the spawning syscall, sched_switch missed) */
	uint32_t have_value; /* bit j set: value[j] valid */
	int64_t phase_ns[PH__N];
	int64_t value[PV__N];
	uint32_t have_kfunc;		/* bit k set: kfunc_ns[k] valid */
	int64_t kfunc_ns[PROBE_KFUNCS]; /* time inside each function for this child (summed) */
};

struct probes;

/* PROBES_OFF: *out = NULL, returns 0. PROBES_AUTO: loads what it can; if nothing usable,
 * *out = NULL, returns 0 and why says so. PROBES_ON: returns -errno with why when the
 * probes cannot run. Filters on watch_tgid (the process that spawns: the lab) and its
 * descendants. */
int probes_open(enum probes_mode mode, pid_t watch_tgid, struct probes **out, char *why,
		size_t len);

/* Fill the run.json "probes" object: {"enabled": bool, "reason": "...", "programs":
 * [{"name", "kind", "attached", "reason"}]}. pr may be NULL (why_off explains). */
void probes_describe(const struct probes *pr, const char *why_off, json_t *obj);

/* Fetch and forget the record for a reaped child. 0 found, -ENOENT none. Call outside
 * timed regions. */
int probes_collect(struct probes *pr, pid_t child, struct probe_sample *out);

/* Forget everything recorded so far (e.g. warm-up children). */
void probes_reset(struct probes *pr);

/* Detach (false) or re-attach (true) every program, keeping maps: for measuring the probes'
 * own overhead with interleaved on/off blocks. 0, or -errno when any link could not be
 * destroyed or any program that attached at open does not attach again (then every program
 * is detached and probes_error() says why): the caller must not take samples as "probed". */
int probes_set_attached(struct probes *pr, bool on);
/* Why the last probes_set_attached failed ("" if it did not). */
const char *probes_error(const struct probes *pr);

/* What the programs could not record since probes_open: full maps and program runs the
 * kernel skipped (recursion_misses of bpf_prog_info: a program already running on that CPU). */
struct probe_drops {
	uint64_t records_full, inflight_full, live_full;
	uint64_t recursion_misses;
};
/* 0, or -errno (-EINVAL for pr == NULL). */
int probes_drops(const struct probes *pr, struct probe_drops *out);
/* Store the drops as a JSON object {"records_map_full":..., ...} in obj[key]; nothing for
 * pr == NULL. */
void probes_drops_json(const struct probes *pr, json_t *obj, const char *key);

/* Detach and free everything: no program or link remains. NULL is fine. */
void probes_close(struct probes *pr);

#endif
