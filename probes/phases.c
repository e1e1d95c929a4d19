/* The probe phase table (phases.h), and the names of the per-child values and kernel
 * functions. Built with and without eBPF support: nothing here touches libbpf. */
#include "phases.h"

#include <string.h>

#include "probes.h"
#include "spawn_events.h"

_Static_assert(PROBE_KFUNCS == SK__N, "probes.h PROBE_KFUNCS and enum spawn_kfunc differ");

static bool span(__u64 from, __u64 to, int64_t *ns)
{
	if (!from || !to || to < from)
		return false;
	*ns = (int64_t)(to - from);
	return true;
}

/* The sched_switch into the child may be missed: its own return from the syscall (right
 * after its first run, ret_from_fork) bounds the delay from above; flagged as a fallback. */
static bool phase_first_run(const struct probe_phase_def *d, const struct spawn_record *r,
			    int64_t *ns, bool *fallback)
{
	if (span(r->t[d->from], r->t[d->to], ns))
		return true;
	*fallback = true;
	return r->t_child_ret && span(r->t[d->from], r->t_child_ret, ns);
}

/* A CLONE_VM child has no mm of its own: no dup_mmap, no lock hold. */
static bool phase_mmap_lock_hold(const struct probe_phase_def *d, const struct spawn_record *r,
				 int64_t *ns, bool *fallback)
{
	(void)d;
	(void)fallback;
	if (!(r->flags & SRF_OWN_MM) || !(r->flags & SRF_LOCK_HELD))
		return false;
	*ns = (int64_t)r->mmap_lock_hold_ns;
	return true;
}

#define PROBE_PHASE_ROW(id, phase_name, ...) [PH_##id] = {.name = phase_name, __VA_ARGS__},
const struct probe_phase_def probe_phases[PH__N] = {PROBE_PHASES(PROBE_PHASE_ROW)};
#undef PROBE_PHASE_ROW

#define PROBE_PHASE_NAME(id, phase_name, ...) [PH_##id] = phase_name,
const char *const probe_phase_names[PH__N] = {PROBE_PHASES(PROBE_PHASE_NAME)};
#undef PROBE_PHASE_NAME

const char *const probe_kfunc_names[PROBE_KFUNCS] = {
    "copy_process", "dup_mm", "dup_mmap", "dup_fd", "copy_page_range", "begin_new_exec",
};
const char *const probe_value_names[PV__N] = {
    [PV_PGTABLES_BYTES] = "pgtables_bytes",
    [PV_MAP_COUNT] = "map_count",
    [PV_NR_FDS] = "nr_fds",
};

const struct probe_phase_def *probe_phase_find(const char *name)
{
	for (int p = 0; name && p < PH__N; p++)
		if (!strcmp(probe_phases[p].name, name))
			return &probe_phases[p];
	return NULL;
}

void probe_phases_compute(const struct spawn_record *r, uint32_t *have, uint32_t *fallback,
			  int64_t ns[PH__N])
{
	for (int p = 0; p < PH__N; p++) {
		const struct probe_phase_def *d = &probe_phases[p];
		bool fb = false;

		if (d->compute ? d->compute(d, r, &ns[p], &fb)
			       : span(r->t[d->from], r->t[d->to], &ns[p])) {
			*have |= 1u << p;
			*fallback |= (uint32_t)fb << p;
		}
	}
}
