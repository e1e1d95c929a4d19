// SPDX-License-Identifier: GPL-2.0
/*
 * Lock contention and mmap_lock holds of the driver and its children, aggregated in the
 * kernel by lock and calling function.
 *
 *   lock:contention_begin/end      (kernel/locking: qspinlock, rwsem, mutex, rwlock slowpaths)
 *   mmap_lock:mmap_lock_start_locking / _acquire_returned / _released
 *
 * The caller is the first stack frame after the lock functions: user space passes the address
 * ranges of the lock text (__lock_text_start.., __sched_text_start.., the queued_*_slowpath
 * functions, the tracepoint glue) in rodata, so the aggregation key is (lock, caller).
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lockstat_maps.h"
#include "mmap_lock_args.h"

char LICENSE[] SEC("license") = "GPL";

/* Set before load: the driver's tgid as the kernel sees it (global pid, translated by the
 * loader); its threads and direct children are measured. */
const volatile __u32 filter_tgid = 0;
const volatile __u32 n_lock_ranges = 0;
const volatile __u64 lock_lo[LS_MAX_RANGES] = {};
const volatile __u64 lock_hi[LS_MAX_RANGES] = {};
const volatile __u32 n_mm_ranges = 0;
const volatile __u64 mm_lo[LS_MAX_RANGES] = {};
const volatile __u64 mm_hi[LS_MAX_RANGES] = {};

/* rq->__lock of each CPU as learned from the tasks that ran there (se.cfs_rq->rq, with
 * CONFIG_FAIR_GROUP_SCHED), keyed by the lock's address (value: the CPU): schedule() and
 * try_to_wake_up contend on it when workers outnumber CPUs. The per-CPU `runqueues` has no
 * kallsyms address without KALLSYMS_ALL. One lookup, no loop over CPUs (6.1's verifier
 * rejected that loop as infinite). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LS_MAX_CPUS);
	__type(key, __u64);
	__type(value, __u32);
} rq_locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LS_MAX_KEYS);
	__type(key, struct ls_key);
	__type(value, struct ls_val);
} contention SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LS_MAX_KEYS);
	__type(key, __u32);
	__type(value, struct ls_inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LS_MAX_KEYS);
	__type(key, struct mm_key);
	__type(value, struct mm_val);
} mmap_holds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LS_MAX_KEYS);
	__type(key, __u32);
	__type(value, struct mm_inflight);
} mm_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[LS_STACK]);
} stackbuf SEC(".maps");

static __always_inline bool interesting(struct task_struct *t)
{
	if (BPF_CORE_READ(t, tgid) == (int)filter_tgid)
		return true;
	return BPF_CORE_READ(t, real_parent, tgid) == (int)filter_tgid;
}

static __always_inline bool in_ranges(__u64 ip, const volatile __u64 *lo, const volatile __u64 *hi,
				      __u32 n)
{
	for (int j = 0; j < LS_MAX_RANGES; j++) {
		if (j >= n)
			break;
		if (ip >= lo[j] && ip < hi[j])
			return true;
	}
	return false;
}

/* First frame after the run of frames inside the given ranges; 0 if none. */
static __always_inline __u64 find_caller(void *ctx, const volatile __u64 *lo,
					 const volatile __u64 *hi, __u32 n)
{
	__u32 zero = 0;
	__u64 *stk = bpf_map_lookup_elem(&stackbuf, &zero);
	bool seen = false;
	long sz;

	if (!stk)
		return 0;
	sz = bpf_get_stack(ctx, stk, LS_STACK * sizeof(__u64), 0);
	if (sz <= 0)
		return 0;
	for (int i = 0; i < LS_STACK; i++) {
		if (i >= sz / 8)
			break;
		bool in = in_ranges(stk[i], lo, hi, n);
		if (in)
			seen = true;
		else if (seen)
			return stk[i];
	}
	return 0;
}

/* fs_struct on older kernels (6.1): spinlock_t lock next to a seqcount_spinlock_t seq (whose lock
 * pointer exists only with LOCKDEP/PREEMPT_RT); later one seqlock_t seq holds the spinlock. */
struct fs_struct___spin {
	spinlock_t lock;
} __attribute__((preserve_access_index));

/* The address of this fs_struct's spinlock, whichever layout the kernel has; 0 if neither. */
static __always_inline __u64 fs_lock_addr(struct fs_struct *fs)
{
	if (bpf_core_field_exists(fs->seq.lock))
		return (__u64)&fs->seq.lock;
	struct fs_struct___spin *old = (void *)fs;

	if (bpf_core_field_exists(old->lock))
		return (__u64)&old->lock;
	return 0;
}

static __always_inline __u32 classify(struct task_struct *t, __u64 lock)
{
	struct files_struct *files = BPF_CORE_READ(t, files);
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	struct sighand_struct *sighand = BPF_CORE_READ(t, sighand);
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	struct fs_struct *fs = BPF_CORE_READ(t, fs);

	if (files && lock == (__u64)&files->file_lock)
		return LS_FILE_LOCK;
	if (mm && lock == (__u64)&mm->mmap_lock)
		return LS_MMAP_LOCK;
	if (sighand && lock == (__u64)&sighand->siglock)
		return LS_SIGLOCK;
	if (leader && lock == (__u64)&leader->alloc_lock)
		return LS_LEADER_ALLOC;
	if (fs && lock == fs_lock_addr(fs))
		return LS_FS_LOCK;
	if (bpf_core_field_exists(struct cfs_rq, rq)) {
		struct rq *rq = BPF_CORE_READ(t, se.cfs_rq, rq);
		__u32 cpu = bpf_get_smp_processor_id();
		__u64 addr = (__u64)&rq->__lock;
		if (rq)
			bpf_map_update_elem(&rq_locks, &addr, &cpu, BPF_ANY);
	}
	return bpf_map_lookup_elem(&rq_locks, &lock) ? LS_RQ_LOCK : LS_OTHER;
}

/* Events the programs could not record (map full), read by the loader. */
__u64 inflight_full = 0;

SEC("tp_btf/contention_begin")
int BPF_PROG(ls_contention_begin, void *lock, unsigned int flags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ls_inflight in = {};

	if (!interesting(t) || bpf_map_lookup_elem(&inflight, &tid))
		return 0; /* first begin wins (see struct ls_inflight) */
	in.e.lock = (__u64)lock;
	in.e.flags = flags;
	in.e.cls = classify(t, (__u64)lock);
	in.e.caller = find_caller(ctx, lock_lo, lock_hi, n_lock_ranges);
	in.e.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&inflight, &tid, &in, BPF_NOEXIST))
		__sync_fetch_and_add(&inflight_full, 1);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(ls_contention_end, void *lock, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ls_inflight *in = bpf_map_lookup_elem(&inflight, &tid);
	struct ls_key key = {};
	struct ls_val *v, nv = {};
	__u64 now = bpf_ktime_get_ns(), wait;

	/* The end of a nested contention (another lock) or of one begun before attach. */
	if (!in || in->e.lock != (__u64)lock)
		return 0;
	struct ls_inflight_ent ent = in->e;

	bpf_map_delete_elem(&inflight, &tid);
	wait = now - ent.ts;
	key.cls = ent.cls;
	key.lock = key.cls == LS_OTHER ? (__u64)lock : 0;
	key.caller = ent.caller;
	key.flags = ent.flags;
	v = bpf_map_lookup_elem(&contention, &key);
	if (!v) {
		bpf_map_update_elem(&contention, &key, &nv, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&contention, &key);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->wait_ns, wait);
	if (wait > v->max_ns)
		v->max_ns = wait;
	return 0;
}

/* Add one finished hold (acquired at ent->ts_acq, ended at now) to its (caller, mode) row. */
static __always_inline void account_hold(const struct mm_inflight_ent *ent, __u64 now)
{
	struct mm_key key = {.caller = ent->caller, .write = ent->write};
	struct mm_val *v, nv = {};
	__u64 hold = now - ent->ts_acq, wait = ent->ts_acq - ent->ts_start;

	v = bpf_map_lookup_elem(&mmap_holds, &key);
	if (!v) {
		bpf_map_update_elem(&mmap_holds, &key, &nv, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&mmap_holds, &key);
		if (!v)
			return;
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->hold_ns, hold);
	__sync_fetch_and_add(&v->wait_ns, wait);
	if (hold > v->max_hold_ns)
		v->max_hold_ns = hold;
	if (wait > v->max_wait_ns)
		v->max_wait_ns = wait;
}

static __always_inline struct mm_inflight *mm_slot(__u32 tid)
{
	struct mm_inflight zero = {}, *in = bpf_map_lookup_elem(&mm_inflight, &tid);
	if (in)
		return in;
	bpf_map_update_elem(&mm_inflight, &tid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&mm_inflight, &tid);
}

/* The mmap_lock events' arguments depend on the kernel (probes/mmap_lock_args.h). */
SEC("tp_btf/mmap_lock_start_locking")
int ls_mm_start(unsigned long long *ctx)
{
	struct mm_struct *mm = mm_arg_mm(ctx);
	bool write = mm_arg_write(ctx);
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mm_inflight *in;

	if (!interesting(t))
		return 0;
	in = mm_slot(tid);
	if (!in)
		return 0;
	__u32 d = in->depth;
	if (d >= LS_DEPTH)
		return 0;
	in->e[d].mm = (__u64)mm;
	in->e[d].write = write;
	in->e[d].acquired = 0;
	in->e[d].caller = 0;
	in->e[d].ts_acq = 0;
	in->e[d].ts_start = bpf_ktime_get_ns();
	in->depth = d + 1;
	return 0;
}

SEC("tp_btf/mmap_lock_acquire_returned")
int ls_mm_acquired(unsigned long long *ctx)
{
	struct mm_struct *mm = mm_arg_mm(ctx);
	bool write = mm_arg_write(ctx), success = mm_arg_success(ctx);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mm_inflight *in = bpf_map_lookup_elem(&mm_inflight, &tid);

	if (!in)
		return 0;
	/* the top entry; one unsigned compare (depth 0 wraps around) bounds the index for the
	 * verifier (6.1's did not follow the two-sided check) */
	__u32 d = in->depth - 1;
	if (d >= LS_DEPTH)
		return 0;
	if (in->e[d].mm != (__u64)mm)
		return 0;
	/* mmap_write_downgrade (include/linux/mmap_lock.h) fires acquire_returned(write=false,
	 * success) on the held write lock, then downgrade_write: the write hold ends here and a
	 * read hold of the same lock begins, attributed to the caller that downgraded (munmap's
	 * teardown runs under it: it is not a write hold). */
	if (in->e[d].acquired) {
		if (write || !success || !in->e[d].write)
			return 0;
		__u64 now = bpf_ktime_get_ns();

		account_hold(&in->e[d], now);
		in->e[d].write = 0;
		in->e[d].ts_start = now;
		in->e[d].ts_acq = now;
		in->e[d].caller = find_caller(ctx, mm_lo, mm_hi, n_mm_ranges);
		return 0;
	}
	if (!success) { /* trylock or killable wait that failed: nothing is held */
		if (d == 0)
			bpf_map_delete_elem(&mm_inflight, &tid);
		else
			in->depth = d;
		return 0;
	}
	in->e[d].acquired = 1;
	in->e[d].ts_acq = bpf_ktime_get_ns();
	in->e[d].caller = find_caller(ctx, mm_lo, mm_hi, n_mm_ranges);
	return 0;
}

SEC("tp_btf/mmap_lock_released")
int ls_mm_released(unsigned long long *ctx)
{
	struct mm_struct *mm = mm_arg_mm(ctx);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mm_inflight *in = bpf_map_lookup_elem(&mm_inflight, &tid);

	if (!in)
		return 0;
	/* the top entry; one unsigned compare (depth 0 wraps around) bounds the index for the
	 * verifier (6.1's did not follow the two-sided check) */
	__u32 d = in->depth - 1;
	if (d >= LS_DEPTH)
		return 0;
	/* Holds nest (dup_mmap locks the child's mm inside the parent's); they release in
	 * reverse order, so the top entry is the one released. */
	struct mm_inflight_ent ent = in->e[d];
	if (d == 0)
		bpf_map_delete_elem(&mm_inflight, &tid);
	else
		in->depth = d;
	if (ent.mm != (__u64)mm || !ent.acquired)
		return 0; /* unbalanced (an event lost at attach time): dropped with its entry */
	account_hold(&ent, bpf_ktime_get_ns());
	return 0;
}

/* A task that exits leaves nothing in flight: its tid may be reused by an unrelated task. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(ls_task_exit, struct task_struct *task)
{
	__u32 tid = task->pid;

	bpf_map_delete_elem(&inflight, &tid);
	bpf_map_delete_elem(&mm_inflight, &tid);
	return 0;
}
