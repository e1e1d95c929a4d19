/*
 * What the spawn probes record, shared by the BPF programs (probes/spawn*.bpf.c) and the
 * loader (probes/probes.c). Fixed-width __u32/__u64 only: vmlinux.h's u32/u64 do not exist in
 * user space, and the layout must be the same on both sides.
 */
#ifndef SPAWNSCOPE_SPAWN_EVENTS_H
#define SPAWNSCOPE_SPAWN_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Events of one child's life, in the order they happen; each stamped with
 * bpf_ktime_get_ns() (CLOCK_MONOTONIC), 0 when not seen. */
enum spawn_event {
	SE_SYS_ENTER,  /* parent enters clone/clone3/fork/vfork (raw_syscalls:sys_enter) */
	SE_NEWTASK,    /* task:task_newtask, end of copy_process */
	SE_FORK,       /* sched:sched_process_fork, in kernel_clone after copy_process */
	SE_WAKEUP_NEW, /* sched:sched_wakeup_new, wake_up_new_task */
	SE_FIRST_RUN,  /* the child's first sched:sched_switch in */
	SE_EXEC_ENTER, /* the child's first execve/execveat entry */
	SE_EXEC,       /* the child's first sched:sched_process_exec (exec succeeded) */
	SE_SYS_EXIT,   /* parent leaves the syscall (vfork: after the child's exec or exit) */
	SE_EXIT,       /* sched:sched_process_exit of the child */
	SE__N
};

/* spawn_record.flags */
enum spawn_record_flag {
	SRF_OWN_MM = 1u << 0,	 /* the child got its own mm copy (no CLONE_VM) */
	SRF_OWN_FILES = 1u << 1, /* the child got its own fd table copy (no CLONE_FILES) */
	SRF_FDS_TRUNCATED =
	    1u << 2,		 /* fd bitmap larger than SPAWN_FD_WORDS words: nr_fds partial */
	SRF_LOCK_HELD = 1u << 3, /* a write hold of the parent's mmap_lock was seen */
};

/* The largest fd table whose open-fd bitmap is counted: SPAWN_FD_WORDS * 64 fds. */
#define SPAWN_FD_WORDS 4096

/* Per child, keyed by the child's pid (== its tgid: thread creations are not recorded). */
struct spawn_record {
	__u64 t[SE__N];
	__u64 mmap_lock_hold_ns; /* parent's mmap_lock write hold(s) between entry and fork */
	__u64 pgtables_bytes;	 /* child mm->pgtables_bytes at sched_process_fork */
	__u64 map_count;	 /* child mm->map_count at sched_process_fork */
	__u64 nr_fds;		 /* bits set in the child's fdt->open_fds at sched_process_fork */
	__u64 clone_flags;	 /* from task_newtask */
	__u32 parent_tid;	 /* the thread that forked */
	__u32 syscall_nr;	 /* the parent's syscall (raw number), 0 when not seen */
	__u32 flags;		 /* enum spawn_record_flag */
	__u32 mmap_lock_holds;	 /* number of write holds summed in mmap_lock_hold_ns */
	__u64 start_ns;		 /* the child's task->start_time: a reused pid is another task */
	__u64 t_child_ret;	 /* the child's own return from the spawning syscall (its
				    raw_syscalls:sys_exit after ret_from_fork): first_run's fallback */
};

/* Counters of what the programs could not record (spawn.bpf.c .bss, read by the loader). */
struct spawn_drops {
	__u64 records_full;  /* a child's record did not fit in `records` */
	__u64 inflight_full; /* a spawning syscall did not fit in `inflight` */
	__u64 live_full;     /* a tracked process did not fit in `live` (its spawns not timed) */
};

/* Per forking thread, keyed by its tid, from the syscall entry to its exit. */
struct spawn_inflight {
	__u64 t_enter;
	__u64 t_newtask;
	__u64 clone_flags;
	__u64 lock_since;   /* write hold of the parent's mmap_lock in progress since, or 0 */
	__u64 lock_hold_ns; /* completed write holds before sched_process_fork */
	__u32 lock_holds;
	__u32 syscall_nr;
	__u32 child_pid; /* set at sched_process_fork; then lock events no longer count */
	__u32 pad;
};

/* Kernel functions timed by the fentry/fexit programs (probes/spawn_fentry.bpf.c). */
enum spawn_kfunc {
	SK_COPY_PROCESS,
	SK_DUP_MM,   /* often inlined into copy_mm, then absent from BTF: */
	SK_DUP_MMAP, /* ... dup_mmap is timed as well */
	SK_DUP_FD,
	SK_COPY_PAGE_RANGE, /* called once per copied VMA: summed */
	SK_BEGIN_NEW_EXEC,
	SK__N
};

/* Per child (keyed by pid): time spent inside each function on its behalf. */
struct spawn_kfunc_record {
	__u64 ns[SK__N];
	__u64 exec_since; /* begin_new_exec in progress since, or 0 */
	__u32 calls[SK__N];
};

/* Per forking thread (keyed by tid) while copy_process runs. */
struct spawn_kfunc_inflight {
	__u64 since[SK__N]; /* entry time of the call in progress, 0 when none */
	struct spawn_kfunc_record acc;
};

#endif
