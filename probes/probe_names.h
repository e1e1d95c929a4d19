/* The names of the phases and values as they appear in run.json and the CSV columns.
 * Included by exactly one of probes.c (probes built) or nobpf.c (built without probes). */
#ifndef SPAWNSCOPE_PROBE_NAMES_H
#define SPAWNSCOPE_PROBE_NAMES_H

#include "probes.h"

#define PROBE_NAMES_DEFINE                                                                         \
	const char *const probe_phase_names[PH__N] = {                                             \
	    [PH_KERNEL_CREATE] = "kernel_create",     [PH_WAKEUP] = "wakeup",                      \
	    [PH_FIRST_RUN_DELAY] = "first_run_delay", [PH_EXEC] = "exec",                          \
	    [PH_PARENT_BLOCKED] = "parent_blocked",   [PH_MMAP_LOCK_HOLD] = "mmap_lock_hold",      \
	};                                                                                         \
	const char *const probe_kfunc_names[PROBE_KFUNCS] = {                                      \
	    "copy_process", "dup_mm", "dup_mmap", "dup_fd", "copy_page_range", "begin_new_exec",   \
	};                                                                                         \
	const char *const probe_value_names[PV__N] = {                                             \
	    [PV_PGTABLES_BYTES] = "pgtables_bytes",                                                \
	    [PV_MAP_COUNT] = "map_count",                                                          \
	    [PV_NR_FDS] = "nr_fds",                                                                \
	}

#endif
