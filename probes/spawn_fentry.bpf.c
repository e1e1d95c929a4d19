// SPDX-License-Identifier: GPL-2.0
/*
 * Time spent inside the kernel functions that do a spawn's copying, per child, with
 * fentry/fexit: copy_process, dup_mm (or dup_mmap where dup_mm is inlined into copy_mm and
 * has no BTF entry), dup_fd, copy_page_range (once per copied VMA, summed) and
 * begin_new_exec (the child's point of no return in exec).
 *
 * Optional: many kernels refuse fentry (no BPF trampoline, lockdown, or EPERM in a VM, as
 * on the machine this was written on). The loader trial-loads each function's pair and
 * reports in run.json which attached and why the others did not.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "spawn_events.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid = 0;

/* Per child pid: the durations, moved here from kf_inflight when copy_process returns. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct spawn_kfunc_record);
} kf_records SEC(".maps");

/* Per forking thread (tid) while copy_process runs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct spawn_kfunc_inflight);
} kf_inflight SEC(".maps");

#include "live_map.h"

static __always_inline bool tracked_tgid(__u32 tgid)
{
	if (tgid == target_tgid)
		return true;
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	__u64 *start = bpf_map_lookup_elem(&live, &tgid);

	return start && *start == BPF_CORE_READ(cur, group_leader, start_time);
}

static __always_inline int kf_enter(int fn)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct spawn_kfunc_inflight *in;

	if (fn == SK_COPY_PROCESS) {
		if (!tracked_tgid(pid_tgid >> 32))
			return 0;
		struct spawn_kfunc_inflight fresh = {};

		bpf_map_update_elem(&kf_inflight, &tid, &fresh, BPF_ANY);
	}
	in = bpf_map_lookup_elem(&kf_inflight, &tid);
	if (in && fn >= 0 && fn < SK__N)
		in->since[fn] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline struct spawn_kfunc_inflight *kf_leave(int fn)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct spawn_kfunc_inflight *in = bpf_map_lookup_elem(&kf_inflight, &tid);

	if (!in || fn < 0 || fn >= SK__N || !in->since[fn])
		return in;
	in->acc.ns[fn] += now - in->since[fn];
	in->acc.calls[fn]++;
	in->since[fn] = 0;
	return in;
}

SEC("fentry/copy_process")
int BPF_PROG(sp_cp_in)
{
	return kf_enter(SK_COPY_PROCESS);
}

SEC("fexit/copy_process")
int BPF_PROG(sp_cp_out, struct pid *pid, int trace, int node, struct kernel_clone_args *args,
	     struct task_struct *ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct spawn_kfunc_inflight *in = kf_leave(SK_COPY_PROCESS);

	if (!in)
		return 0;
	/* copy_process returns ERR_PTR(-errno) on failure. */
	if ((unsigned long)ret < (unsigned long)-4095L && ret) {
		__u32 cpid = BPF_CORE_READ(ret, pid);

		/* Threads (CLONE_THREAD) are not spawns. */
		if (cpid == (__u32)BPF_CORE_READ(ret, tgid))
			bpf_map_update_elem(&kf_records, &cpid, &in->acc, BPF_ANY);
	}
	bpf_map_delete_elem(&kf_inflight, &tid);
	return 0;
}

SEC("fentry/dup_mm")
int BPF_PROG(sp_dupmm_in)
{
	return kf_enter(SK_DUP_MM);
}

SEC("fexit/dup_mm")
int BPF_PROG(sp_dupmm_out)
{
	kf_leave(SK_DUP_MM);
	return 0;
}

SEC("fentry/dup_mmap")
int BPF_PROG(sp_dupmmap_in)
{
	return kf_enter(SK_DUP_MMAP);
}

SEC("fexit/dup_mmap")
int BPF_PROG(sp_dupmmap_out)
{
	kf_leave(SK_DUP_MMAP);
	return 0;
}

SEC("fentry/dup_fd")
int BPF_PROG(sp_dupfd_in)
{
	return kf_enter(SK_DUP_FD);
}

SEC("fexit/dup_fd")
int BPF_PROG(sp_dupfd_out)
{
	kf_leave(SK_DUP_FD);
	return 0;
}

SEC("fentry/copy_page_range")
int BPF_PROG(sp_cpr_in)
{
	return kf_enter(SK_COPY_PAGE_RANGE);
}

SEC("fexit/copy_page_range")
int BPF_PROG(sp_cpr_out)
{
	kf_leave(SK_COPY_PAGE_RANGE);
	return 0;
}

/* begin_new_exec runs in the child: keyed by its pid in kf_records. */
SEC("fentry/begin_new_exec")
int BPF_PROG(sp_bne_in)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	struct spawn_kfunc_record *r = bpf_map_lookup_elem(&kf_records, &pid);

	if (r)
		r->exec_since = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/begin_new_exec")
int BPF_PROG(sp_bne_out)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	struct spawn_kfunc_record *r = bpf_map_lookup_elem(&kf_records, &pid);

	if (r && r->exec_since) {
		r->ns[SK_BEGIN_NEW_EXEC] += now - r->exec_since;
		r->calls[SK_BEGIN_NEW_EXEC]++;
		r->exec_since = 0;
	}
	return 0;
}
