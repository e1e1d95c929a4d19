/* The map of tracked processes alive now, for probes/spawn.bpf.c (which fills it) and
 * probes/spawn_fentry.bpf.c (the loader points its copy at the same map with
 * bpf_map__reuse_fd). Children and deeper descendants of target_tgid, by pid, with their
 * task->start_time: added at sched_process_fork, deleted at sched_process_exit. Whether a
 * process's spawns are recorded is decided here, never from the per-child records (which
 * outlive the process): a reused pid with another start time is not tracked. */
#ifndef SPAWNSCOPE_LIVE_MAP_H
#define SPAWNSCOPE_LIVE_MAP_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} live SEC(".maps");

#endif
