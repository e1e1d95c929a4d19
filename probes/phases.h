/*
 * The probe phases, one row each: what a phase is called in run.json and the CSV columns,
 * which two events of the child's timeline (enum spawn_event, spawn_events.h) bound it, its
 * unit, which samples its coverage counts, and where a second source may stand in. The
 * collector (probes_collect.c), the coverage (bench/core/probe_coverage.c), the sample CSV
 * and phases.csv iterate this table; scripts/phases.gp reads phases.csv by column name.
 *
 * A phase computed from timestamps the BPF programs already record is one row here (plus its
 * function in phases.c when it is not the plain span t[to] - t[from]); a phase that needs a
 * new timestamp needs spawn.bpf.c to record it first.
 *
 * Row: X(ID, "name", the other fields of struct probe_phase_def); ID names it in C (PH_ID).
 */
#ifndef SPAWNSCOPE_PROBE_PHASES_H
#define SPAWNSCOPE_PROBE_PHASES_H

#include <stdbool.h>
#include <stdint.h>

#define PROBE_PHASES(X)                                                                            \
	X(KERNEL_CREATE, "kernel_create", .unit = "ns", .from = SE_SYS_ENTER, .to = SE_FORK,       \
	  .what = "parent's clone/fork/vfork/clone3 entry -> sched_process_fork")                  \
	X(WAKEUP, "wakeup", .unit = "ns", .from = SE_FORK, .to = SE_WAKEUP_NEW,                    \
	  .what = "sched_process_fork -> sched_wakeup_new")                                        \
	X(FIRST_RUN_DELAY, "first_run_delay", .unit = "ns", .from = SE_WAKEUP_NEW,                 \
	  .to = SE_FIRST_RUN, .compute = phase_first_run, .source = "sched_switch",                \
	  .fallback = "child_syscall_exit",                                                        \
	  .fallback_what = "the child's return from the syscall (an upper bound)",                 \
	  .what = "sched_wakeup_new -> the child's first sched_switch in")                         \
	X(EXEC, "exec", .unit = "ns", .from = SE_EXEC_ENTER, .to = SE_EXEC,                        \
	  .applies = PHASE_IF_EXEC, .what = "child's execve entry -> sched_process_exec")          \
	X(PARENT_BLOCKED, "parent_blocked", .unit = "ns", .from = SE_SYS_ENTER, .to = SE_SYS_EXIT, \
	  .what = "parent's syscall entry -> its exit")                                            \
	X(MMAP_LOCK_HOLD, "mmap_lock_hold", .unit = "ns", .compute = phase_mmap_lock_hold,         \
	  .applies = PHASE_IF_OWN_MM, .what = "parent's mmap_lock write hold during dup_mmap")

#define PROBE_PHASE_ID(id, ...) PH_##id,
enum probe_phase { PROBE_PHASES(PROBE_PHASE_ID) PH__N };
#undef PROBE_PHASE_ID

/* Which good samples a phase's coverage expects it in. */
enum probe_phase_applies {
	PHASE_ALWAYS,	 /* every sample with a probe record, and every one without */
	PHASE_IF_EXEC,	 /* only when the arm's children exec */
	PHASE_IF_OWN_MM, /* only for a child with its own mm (pgtables_bytes recorded): a
			    CLONE_VM child has no dup_mmap; unknown without a record */
};

struct spawn_record;
struct probe_phase_def;
/* A phase's value from a child's record: true with *ns set, and *fallback when it came from
 * the row's second source; false when the record does not have it. */
typedef bool probe_phase_fn(const struct probe_phase_def *d, const struct spawn_record *r,
			    int64_t *ns, bool *fallback);

struct probe_phase_def {
	const char *name; /* run.json phases.<name>, CSV column <name> (samples: <name>_ns) */
	const char *unit;
	int from, to;		 /* enum spawn_event: the span's two events */
	probe_phase_fn *compute; /* NULL: t[to] - t[from] when both were seen, in order */
	enum probe_phase_applies applies;
	const char *source;	   /* coverage "sources" key of the first source, when ... */
	const char *fallback;	   /* ... a second one may stand in (its key), else NULL */
	const char *fallback_what; /* the second source in words (summary.md) */
	const char *what;	   /* the events that bound it */
};

extern const struct probe_phase_def probe_phases[PH__N];
/* probe_phases[i].name, for code that takes a name list */
extern const char *const probe_phase_names[PH__N];

/* The row named name, or NULL. */
const struct probe_phase_def *probe_phase_find(const char *name);

/* Every phase of a child's record into *have (bit i: phase i), *fallback (bit i: from its
 * second source) and ns[]. */
void probe_phases_compute(const struct spawn_record *r, uint32_t *have, uint32_t *fallback,
			  int64_t ns[PH__N]);

#endif
