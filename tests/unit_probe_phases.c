/*
 * The probe phase table (probes/phases.h): every row is complete and its name unique and
 * found by probe_phase_find; probe_phases_compute on made-up records gives each span, leaves
 * out a phase whose events are missing or out of order, takes first_run_delay from the
 * child's syscall return when the sched_switch was missed (flagged as a fallback), and
 * mmap_lock_hold only for a child with its own mm that took the lock.
 */
#include <string.h>

#include "probes/phases.h"
#include "probes/spawn_events.h"
#include "tap.h"

static void compute(const struct spawn_record *r, uint32_t *have, uint32_t *fb, int64_t *ns)
{
	*have = *fb = 0;
	memset(ns, 0, PH__N * sizeof(*ns));
	probe_phases_compute(r, have, fb, ns);
}

int main(void)
{
	struct spawn_record r;
	uint32_t have, fb;
	int64_t ns[PH__N];
	int complete = 1, unique = 1, found = 1;

	tap_plan(12);
	for (int p = 0; p < PH__N; p++) {
		const struct probe_phase_def *d = &probe_phases[p];

		complete &= d->name && *d->name && d->unit && d->what &&
			    (!d->fallback || (d->source && d->fallback_what)) &&
			    (d->compute || (d->from < SE__N && d->to < SE__N && d->from != d->to));
		for (int q = 0; q < p; q++)
			unique &= strcmp(probe_phases[q].name, d->name) != 0;
		found &= probe_phase_find(d->name) == d && probe_phase_names[p] == d->name;
	}
	tap_ok(complete, "every row has a name, unit, description, and two events or a function");
	tap_ok(unique, "the %d phase names are unique", PH__N);
	tap_ok(found && !probe_phase_find("no_such_phase") && !probe_phase_find(NULL),
	       "probe_phase_find finds each row by name and nothing else");

	memset(&r, 0, sizeof(r));
	for (int e = 0; e < SE__N; e++)
		r.t[e] = 1000 + 100 * (uint64_t)e * (uint64_t)e; /* increasing, uneven steps */
	r.flags = SRF_OWN_MM | SRF_LOCK_HELD;
	r.mmap_lock_hold_ns = 77;
	compute(&r, &have, &fb, ns);
	tap_ok(have == (1u << PH__N) - 1 && !fb,
	       "a full record with its own mm: every phase (0x%x)", have);
	tap_ok(ns[PH_KERNEL_CREATE] == (int64_t)(r.t[SE_FORK] - r.t[SE_SYS_ENTER]) &&
		   ns[PH_WAKEUP] == (int64_t)(r.t[SE_WAKEUP_NEW] - r.t[SE_FORK]) &&
		   ns[PH_EXEC] == (int64_t)(r.t[SE_EXEC] - r.t[SE_EXEC_ENTER]) &&
		   ns[PH_PARENT_BLOCKED] == (int64_t)(r.t[SE_SYS_EXIT] - r.t[SE_SYS_ENTER]),
	       "spans are t[to] - t[from]");
	tap_ok(ns[PH_FIRST_RUN_DELAY] == (int64_t)(r.t[SE_FIRST_RUN] - r.t[SE_WAKEUP_NEW]),
	       "first_run_delay from the sched_switch");
	tap_ok(ns[PH_MMAP_LOCK_HOLD] == 77, "mmap_lock_hold is the recorded hold");

	r.t[SE_FIRST_RUN] = 0;
	r.t_child_ret = r.t[SE_WAKEUP_NEW] + 5;
	compute(&r, &have, &fb, ns);
	tap_ok((have >> PH_FIRST_RUN_DELAY & 1) && fb == 1u << PH_FIRST_RUN_DELAY &&
		   ns[PH_FIRST_RUN_DELAY] == 5,
	       "sched_switch missed: first_run_delay from the child's return, flagged (%lld)",
	       (long long)ns[PH_FIRST_RUN_DELAY]);

	r.t_child_ret = 0;
	compute(&r, &have, &fb, ns);
	tap_ok(!(have >> PH_FIRST_RUN_DELAY & 1), "neither source: no first_run_delay");

	r.t[SE_EXEC] = r.t[SE_EXEC_ENTER] - 1;
	r.t[SE_WAKEUP_NEW] = 0;
	compute(&r, &have, &fb, ns);
	tap_ok(!(have >> PH_EXEC & 1) && !(have >> PH_WAKEUP & 1) && (have >> PH_KERNEL_CREATE & 1),
	       "an event out of order or missing leaves only its phases out (0x%x)", have);

	r.flags = SRF_LOCK_HELD; /* CLONE_VM: no mm of its own */
	compute(&r, &have, &fb, ns);
	tap_ok(!(have >> PH_MMAP_LOCK_HOLD & 1), "a CLONE_VM child has no mmap_lock_hold");
	r.flags = SRF_OWN_MM;
	compute(&r, &have, &fb, ns);
	tap_ok(!(have >> PH_MMAP_LOCK_HOLD & 1), "own mm without a write hold seen: none either");
	return tap_done();
}
