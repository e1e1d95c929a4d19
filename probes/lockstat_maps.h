/* Map layouts shared by probes/lockstat.bpf.c (kernel side) and probes/lockstat.c (loader).
 * __u32/__u64 only: the same header compiles against vmlinux.h and <linux/types.h>. */
#ifndef SPAWNSCOPE_LOCKSTAT_MAPS_H
#define SPAWNSCOPE_LOCKSTAT_MAPS_H

#define LS_MAX_RANGES 16 /* address ranges of lock-internal functions skipped to the caller */
#define LS_STACK 24	 /* kernel frames examined per event */
#define LS_DEPTH 4	 /* nested contentions / mmap_lock holds per task */
#define LS_MAX_KEYS 8192
#define LS_MAX_CPUS 256 /* runqueue locks are recognised on the first LS_MAX_CPUS CPUs */

/* include/trace/events/lock.h: the flags argument of lock:contention_begin. */
#define LS_LCB_F_SPIN (1U << 0)
#define LS_LCB_F_READ (1U << 1)
#define LS_LCB_F_WRITE (1U << 2)
#define LS_LCB_F_RT (1U << 3)
#define LS_LCB_F_PERCPU (1U << 4)
#define LS_LCB_F_MUTEX (1U << 5)

/* Which per-task lock an address is, found from the contending task's own pointers (the
 * way perf lock contention names mmap_lock and siglock): dynamic locks have no symbol. */
enum ls_class {
	LS_OTHER,	 /* symbolise through kallsyms or print the address */
	LS_FILE_LOCK,	 /* current->files->file_lock */
	LS_MMAP_LOCK,	 /* current->mm->mmap_lock */
	LS_SIGLOCK,	 /* current->sighand->siglock */
	LS_LEADER_ALLOC, /* current->group_leader->alloc_lock (task_lock(group_leader)) */
	LS_FS_LOCK,	 /* current->fs->seq.lock (path walks, chdir) */
	LS_RQ_LOCK,	 /* some CPU's runqueue lock, rq->__lock */
	LS__N
};

struct ls_key {
	__u64 lock;   /* address (0 for the per-task classes, so threads of one mm merge) */
	__u64 caller; /* first kernel frame outside the lock functions */
	__u32 cls;    /* enum ls_class */
	__u32 flags;  /* LCB_F_* */
};

struct ls_val {
	__u64 count;
	__u64 wait_ns;
	__u64 max_ns;
};

struct ls_inflight_ent {
	__u64 lock, ts, caller;
	__u32 cls, flags;
};

/* One contention in flight per task: the first contention_begin wins. A sleeping mutex
 * wait fires begin several times and end once (kernel/locking/mutex.c
 * __mutex_lock_common: before the optimistic spin, before sleeping, again around each
 * re-spin); a lock contended while waiting for another (the mutex's wait_lock) is inside
 * the outer wait and is not counted apart, as perf lock contention does. So one task's
 * waits never overlap: their sum is at most the time it ran. */
struct ls_inflight {
	struct ls_inflight_ent e;
};

/* mmap_lock holds (trace/events/mmap_lock.h), keyed by the acquiring function. */
struct mm_key {
	__u64 caller;
	__u32 write;
	__u32 pad;
};

struct mm_val {
	__u64 count;
	__u64 hold_ns, max_hold_ns;
	__u64 wait_ns, max_wait_ns; /* start_locking -> acquire_returned */
};

struct mm_inflight_ent {
	__u64 mm, ts_start, ts_acq, caller;
	__u32 write, acquired;
};

struct mm_inflight {
	__u32 depth, pad;
	struct mm_inflight_ent e[LS_DEPTH];
};

#endif
