// SPDX-License-Identifier: GPL-2.0
/*
 * Per-child phase timing of every spawn made by the driver (target_tgid) and its descendants.
 *
 * Every tracepoint has two programs: a tp_btf one (preferred: BTF-typed arguments, cheapest
 * dispatch) and a raw_tp twin for kernels that refuse tp_btf. The loader enables one of each
 * pair by a trial load (probes/probes.c). Both call the same handlers below, which only read
 * kernel memory through BPF_CORE_READ so that they verify under either program type.
 *
 * Kernel path followed (kernel/fork.c kernel_clone): raw_syscalls:sys_enter (clone, clone3,
 * fork, vfork) -> copy_process (copy_mm -> dup_mm -> dup_mmap holds the parent's mmap_lock for
 * write) -> task:task_newtask -> sched:sched_process_fork -> wake_up_new_task
 * (sched:sched_wakeup_new) -> [CLONE_VFORK: wait_for_vfork_done] -> raw_syscalls:sys_exit.
 * The child: first sched:sched_switch in, execve entry, sched:sched_process_exec,
 * sched:sched_process_exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "mmap_lock_args.h"
#include "spawn_events.h"

char LICENSE[] SEC("license") = "GPL";

/* The driver's tgid, set before load. */
const volatile __u32 target_tgid = 0;

/* Children's records, by pid, until the driver collects them after the reap (or resets).
 * A plain hash: a full map is counted (drops.records_full), never evicts silently. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct spawn_record);
} records SEC(".maps");

#include "live_map.h"

/* Threads of tracked processes inside a spawning syscall, by tid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct spawn_inflight);
} inflight SEC(".maps");

struct spawn_drops drops = {};

struct fd_words {
	__u64 w[SPAWN_FD_WORDS];
};
/* Room to copy a child's open-fd bitmap (too big for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fd_words);
} fd_scratch SEC(".maps");

/* Spawning syscalls in flight in descendants (not the driver itself): while 0, mmap_lock
 * events of other processes skip the inflight lookup. Stale-high only costs time. */
__s64 desc_inflight = 0;

#if defined(__TARGET_ARCH_x86)
#define NR_CLONE 56
#define NR_FORK 57
#define NR_VFORK 58
#define NR_EXECVE 59
#define NR_EXECVEAT 322
#define NR_CLONE3 435
#define REGS_SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#define REGS_SYSCALL_NR_BTF(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
/* asm-generic/unistd.h: arm64 has no fork/vfork syscalls. */
#define NR_CLONE 220
#define NR_FORK (-1)
#define NR_VFORK (-1)
#define NR_EXECVE 221
#define NR_EXECVEAT 281
#define NR_CLONE3 435
#define REGS_SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#define REGS_SYSCALL_NR_BTF(regs) ((regs)->syscallno)
#else
#error "spawn.bpf.c: syscall numbers known for x86 and arm64 only"
#endif

static __always_inline bool is_spawn_syscall(long id)
{
	return id == NR_CLONE || id == NR_CLONE3 || id == NR_FORK || id == NR_VFORK;
}

static __always_inline bool is_exec_syscall(long id)
{
	return id == NR_EXECVE || id == NR_EXECVEAT;
}

/* The watched process itself, or a live descendant of it (leader is the process's group
 * leader: its start time tells a reused pid from the process that was tracked). */
static __always_inline bool tracked_process(__u32 tgid, struct task_struct *leader)
{
	if (tgid == target_tgid)
		return true;
	__u64 *start = bpf_map_lookup_elem(&live, &tgid);

	return start && *start == BPF_CORE_READ(leader, start_time);
}

/* The record of this very task (pid and start time), or NULL. */
static __always_inline struct spawn_record *record_of_pid(__u32 pid, struct task_struct *task)
{
	struct spawn_record *r = bpf_map_lookup_elem(&records, &pid);

	return r && r->start_ns == BPF_CORE_READ(task, start_time) ? r : NULL;
}

static __always_inline struct spawn_record *record_of(struct task_struct *task)
{
	return record_of_pid(BPF_CORE_READ(task, pid), task);
}

static __always_inline struct task_struct *current_leader(void)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(cur, group_leader);
}

static __always_inline void stamp_once(struct spawn_record *r, int ev, __u64 now)
{
	if (!r->t[ev])
		r->t[ev] = now;
}

static __always_inline int on_sys_enter(long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if (is_exec_syscall(id)) {
		struct spawn_record *r =
		    record_of_pid(tid, (struct task_struct *)bpf_get_current_task());

		if (r)
			stamp_once(r, SE_EXEC_ENTER, bpf_ktime_get_ns());
		return 0;
	}
	if (!is_spawn_syscall(id) || !tracked_process(pid_tgid >> 32, current_leader()))
		return 0;
	struct spawn_inflight in = {.t_enter = bpf_ktime_get_ns(), .syscall_nr = (__u32)id};

	bool fresh = !bpf_map_lookup_elem(&inflight, &tid);

	if (bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY))
		__sync_fetch_and_add(&drops.inflight_full, 1);
	else if (fresh && (__u32)(pid_tgid >> 32) != target_tgid)
		__sync_fetch_and_add(&desc_inflight, 1);
	return 0;
}

/* Runs at every syscall exit in the system: the syscall number decides first. */
static __always_inline int on_sys_exit(long id)
{
	if (!is_spawn_syscall(id))
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct spawn_inflight *in = bpf_map_lookup_elem(&inflight, &tid);

	if (!in) {
		/* A new child leaves the syscall too: ret_from_fork -> syscall_exit_to_user_mode
		 * fires sys_exit in the child, right after its first run. */
		if (tid == (__u32)(pid_tgid >> 32)) {
			struct spawn_record *r =
			    record_of_pid(tid, (struct task_struct *)bpf_get_current_task());

			if (r && !r->t_child_ret)
				r->t_child_ret = now;
		}
		return 0;
	}
	if ((__u32)(pid_tgid >> 32) != target_tgid)
		__sync_fetch_and_add(&desc_inflight, -1);
	if (in->child_pid) {
		struct spawn_record *r = bpf_map_lookup_elem(&records, &in->child_pid);

		if (r)
			r->t[SE_SYS_EXIT] = now;
	}
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

static __always_inline int on_newtask(__u64 clone_flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct spawn_inflight *in = bpf_map_lookup_elem(&inflight, &tid);

	if (in) {
		in->t_newtask = bpf_ktime_get_ns();
		in->clone_flags = clone_flags;
	}
	return 0;
}

/* SWAR popcount: the BPF instruction set has none. */
static __always_inline __u64 popcount64(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

/* Open fds in the child's fresh table: dup_fd copied the parent's open_fds bitmap (up to the
 * last open fd, see count_open_files), so the bits set are the fds it copied. */
static __always_inline void count_fds(struct files_struct *files, struct spawn_record *r)
{
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	unsigned long *open_fds = BPF_CORE_READ(fdt, open_fds);
	__u32 words = BPF_CORE_READ(fdt, max_fds) / 64;
	__u32 zero = 0;
	__u64 bytes;
	__u64 n = 0;
	struct fd_words *buf = bpf_map_lookup_elem(&fd_scratch, &zero);

	if (!buf || !open_fds)
		return;
	if (words > SPAWN_FD_WORDS) {
		words = SPAWN_FD_WORDS;
		r->flags |= SRF_FDS_TRUNCATED;
	}
	/* Opaque to clang from here, so the bound below is checked on the very register the
	 * verifier sees passed to bpf_probe_read_kernel. */
	barrier_var(words);
	bytes = (__u64)words * 8;
	if (bytes > sizeof(buf->w))
		bytes = sizeof(buf->w);
	barrier_var(bytes);
	if (bpf_probe_read_kernel(buf->w, bytes, open_fds))
		return;
	for (__u32 i = 0; i < SPAWN_FD_WORDS; i++) {
		if (i >= words)
			break;
		n += popcount64(buf->w[i]);
	}
	r->nr_fds = n;
	r->flags |= SRF_OWN_FILES;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 cpid = BPF_CORE_READ(child, pid);

	/* Threads (CLONE_THREAD) are not spawns. */
	if (cpid != (__u32)BPF_CORE_READ(child, tgid) ||
	    !tracked_process(BPF_CORE_READ(parent, tgid), BPF_CORE_READ(parent, group_leader)))
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct spawn_record r = {};
	struct spawn_inflight *in = bpf_map_lookup_elem(&inflight, &tid);

	r.t[SE_FORK] = now;
	r.parent_tid = tid;
	r.start_ns = BPF_CORE_READ(child, start_time);
	if (in) {
		r.t[SE_SYS_ENTER] = in->t_enter;
		r.t[SE_NEWTASK] = in->t_newtask;
		r.clone_flags = in->clone_flags;
		r.syscall_nr = in->syscall_nr;
		r.mmap_lock_hold_ns = in->lock_hold_ns;
		r.mmap_lock_holds = in->lock_holds;
		if (in->lock_holds)
			r.flags |= SRF_LOCK_HELD;
		in->child_pid = cpid;
		in->lock_since = 0;
	}
	/* A CLONE_VM child shares the parent's mm (copy_mm takes a reference, no dup_mmap):
	 * nothing was copied, so no values are recorded for it. Likewise CLONE_FILES. */
	struct mm_struct *mm = BPF_CORE_READ(child, mm);

	if (mm && mm != BPF_CORE_READ(parent, mm)) {
		/* dup_mmap has copied every page table by now (copy_mm ran in copy_process). */
		if (bpf_core_field_exists(mm->pgtables_bytes))
			r.pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
		r.map_count = BPF_CORE_READ(mm, map_count);
		r.flags |= SRF_OWN_MM;
	}
	struct files_struct *files = BPF_CORE_READ(child, files);

	if (files && files != BPF_CORE_READ(parent, files))
		count_fds(files, &r);
	if (bpf_map_update_elem(&records, &cpid, &r, BPF_ANY))
		__sync_fetch_and_add(&drops.records_full, 1);
	if (bpf_map_update_elem(&live, &cpid, &r.start_ns, BPF_ANY))
		__sync_fetch_and_add(&drops.live_full, 1);
	return 0;
}

static __always_inline int on_wakeup_new(struct task_struct *task)
{
	struct spawn_record *r = record_of(task);

	if (r)
		stamp_once(r, SE_WAKEUP_NEW, bpf_ktime_get_ns());
	return 0;
}

/* Runs at every context switch: only a child or grandchild of the driver (parent_tgid,
 * grandparent_tgid) costs a map lookup. Deeper descendants get no first_run time. */
static __always_inline int on_switch(struct task_struct *next, __u32 parent_tgid,
				     __u32 grandparent_tgid)
{
	if (parent_tgid != target_tgid && grandparent_tgid != target_tgid)
		return 0;
	struct spawn_record *r = record_of(next);

	if (r)
		stamp_once(r, SE_FIRST_RUN, bpf_ktime_get_ns());
	return 0;
}

static __always_inline int on_exec(struct task_struct *task)
{
	struct spawn_record *r = record_of(task);

	if (r)
		stamp_once(r, SE_EXEC, bpf_ktime_get_ns());
	return 0;
}

/* The record stays for the driver to collect after the reap; the process is no longer
 * tracked (its pid may be reused), and a thread killed inside a spawn leaves no inflight. */
static __always_inline int on_exit(struct task_struct *task)
{
	__u32 pid = BPF_CORE_READ(task, pid);
	struct spawn_record *r = record_of_pid(pid, task);

	if (r)
		r->t[SE_EXIT] = bpf_ktime_get_ns();
	if (pid == (__u32)BPF_CORE_READ(task, tgid))
		bpf_map_delete_elem(&live, &pid);
	if (bpf_map_delete_elem(&inflight, &pid) == 0 &&
	    (__u32)BPF_CORE_READ(task, tgid) != target_tgid)
		__sync_fetch_and_add(&desc_inflight, -1);
	return 0;
}

/* The inflight record of the current thread if it is inside a spawning syscall. mmap_lock
 * events are frequent: the driver's own tgid or a descendant spawn in flight decide first. */
static __always_inline struct spawn_inflight *lock_inflight(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if ((__u32)(pid_tgid >> 32) != target_tgid && desc_inflight <= 0)
		return NULL;
	return bpf_map_lookup_elem(&inflight, &tid);
}

/* dup_mmap: mmap_write_lock_killable(oldmm) ... mmap_write_unlock(oldmm). The child's mm is
 * write-locked too (mmap_write_lock_nested): only the parent's own mm counts. */
static __always_inline struct mm_struct *current_mm(void)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(cur, mm);
}

static __always_inline void end_write_hold(struct spawn_inflight *in)
{
	in->lock_hold_ns += bpf_ktime_get_ns() - in->lock_since;
	in->lock_holds++;
	in->lock_since = 0;
}

/* A read "acquire" while the write hold is in progress is mmap_write_downgrade
 * (include/linux/mmap_lock.h: it fires acquire_returned(write=false) before
 * downgrade_write): the write hold ends there. */
static __always_inline int on_lock_acquired(struct mm_struct *mm, bool write, bool success)
{
	if (!success)
		return 0;
	struct spawn_inflight *in = lock_inflight();

	if (!in || mm != current_mm())
		return 0;
	if (write && !in->child_pid)
		in->lock_since = bpf_ktime_get_ns();
	else if (!write && in->lock_since)
		end_write_hold(in);
	return 0;
}

static __always_inline int on_lock_released(struct mm_struct *mm, bool write)
{
	if (!write)
		return 0;
	struct spawn_inflight *in = lock_inflight();

	if (in && in->lock_since && mm == current_mm())
		end_write_hold(in);
	return 0;
}

/* tp_btf programs (names <= 15 characters: the kernel keeps that much). */

SEC("tp_btf/sys_enter")
int BPF_PROG(sp_enter_btf, struct pt_regs *regs, long id)
{
	return on_sys_enter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sp_exit_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit(REGS_SYSCALL_NR_BTF(regs));
}

SEC("tp_btf/task_newtask")
int BPF_PROG(sp_newtask_btf, struct task_struct *task, __u64 clone_flags)
{
	return on_newtask(clone_flags);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sp_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sp_wakeup_btf, struct task_struct *task)
{
	return on_wakeup_new(task);
}

/* tp_btf arguments are typed kernel pointers: plain loads, no helper calls. */
SEC("tp_btf/sched_switch")
int BPF_PROG(sp_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *parent = next->real_parent;

	return on_switch(next, parent->tgid, parent->real_parent->tgid);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sp_exec_btf, struct task_struct *task)
{
	return on_exec(task);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sp_pexit_btf, struct task_struct *task)
{
	return on_exit(task);
}

/* The mmap_lock events' arguments depend on the kernel (probes/mmap_lock_args.h). */
SEC("tp_btf/mmap_lock_acquire_returned")
int sp_lockacq_btf(unsigned long long *ctx)
{
	return on_lock_acquired(mm_arg_mm(ctx), mm_arg_write(ctx), mm_arg_success(ctx));
}

SEC("tp_btf/mmap_lock_released")
int sp_lockrel_btf(unsigned long long *ctx)
{
	return on_lock_released(mm_arg_mm(ctx), mm_arg_write(ctx));
}

/* raw_tp twins: same arguments, untyped. */

SEC("raw_tp/sys_enter")
int BPF_PROG(sp_enter_raw, struct pt_regs *regs, long id)
{
	return on_sys_enter(id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sp_exit_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit(REGS_SYSCALL_NR(regs));
}

SEC("raw_tp/task_newtask")
int BPF_PROG(sp_newtask_raw, struct task_struct *task, __u64 clone_flags)
{
	return on_newtask(clone_flags);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(sp_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sp_wakeup_raw, struct task_struct *task)
{
	return on_wakeup_new(task);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(sp_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *parent = BPF_CORE_READ(next, real_parent);

	return on_switch(next, BPF_CORE_READ(parent, tgid),
			 BPF_CORE_READ(parent, real_parent, tgid));
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(sp_exec_raw, struct task_struct *task)
{
	return on_exec(task);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(sp_pexit_raw, struct task_struct *task)
{
	return on_exit(task);
}

SEC("raw_tp/mmap_lock_acquire_returned")
int sp_lockacq_raw(unsigned long long *ctx)
{
	return on_lock_acquired(mm_arg_mm(ctx), mm_arg_write(ctx), mm_arg_success(ctx));
}

SEC("raw_tp/mmap_lock_released")
int sp_lockrel_raw(unsigned long long *ctx)
{
	return on_lock_released(mm_arg_mm(ctx), mm_arg_write(ctx));
}
