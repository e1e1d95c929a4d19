/*
 * Kernel lock contention of the driver and its direct children, aggregated in the kernel by
 * lock and calling function (lock:contention_begin/end, tp_btf), plus mmap_lock hold times
 * by acquiring function (mmap_lock:* tracepoints). Symbolised through /proc/kallsyms.
 *
 * Built from probes/lockstat.c when the build machine has a BPF toolchain and kernel BTF;
 * otherwise probes/lockstat_nobpf.c provides the same API and lockstat_open says why not.
 */
#ifndef SPAWNSCOPE_LOCKSTAT_H
#define SPAWNSCOPE_LOCKSTAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lockstat;

struct lockstat_row {
	char lock[64];	 /* "file_lock", "mmap_lock", "task_lock(group_leader)", a symbol, or
			    "lock@0xADDR" when kallsyms has no data symbol for it */
	char caller[64]; /* function that took the lock, e.g. "alloc_fd"; "?" if not found */
	char kind[16];	 /* "spinlock", "rwsem-write", "mutex", ... (LCB_F_* flags) */
	uint64_t count;	 /* contended acquisitions */
	uint64_t wait_ns, max_ns;
};

struct lockstat_hold {
	char caller[64]; /* function that acquired mmap_lock, e.g. "dup_mmap" */
	bool write;
	uint64_t count;
	uint64_t hold_ns, max_hold_ns;
	uint64_t wait_ns, max_wait_ns;
};

/* Load and attach, measuring tgid's threads and its direct children. tgid is a pid of this
 * process's PID namespace; it is translated to the one the kernel sees (refused, with the
 * reason, when /proc cannot tell). 0, or -errno with the reason in why (no BPF in this
 * build, no BTF, no kallsyms addresses, unknown mmap_lock layout, verifier refusal...). */
int lockstat_open(pid_t tgid, struct lockstat **out, char *why, size_t len);
/* Forget everything aggregated so far. 0 or -errno. */
int lockstat_reset(struct lockstat *ls);
/* Contended locks since the last reset, by wait_ns descending: a malloc'd array in *rows
 * (free it), *n rows. 0 or -errno. */
int lockstat_read(struct lockstat *ls, struct lockstat_row **rows, size_t *n);
/* mmap_lock holds since the last reset, by hold_ns descending. 0 or -errno. */
int lockstat_read_mmap(struct lockstat *ls, struct lockstat_hold **rows, size_t *n);
/* ns since the last lockstat_reset (or the attach): every wait read since then lies inside
 * this window, so one task's total wait (first begin wins: they never overlap) is at most
 * this long. 0 for NULL. */
int64_t lockstat_window_ns(const struct lockstat *ls);
/* Into obj: "mmap_lock_layout" (the tracepoints' arguments on this kernel), "tgid",
 * "tgid_seen_by_kernel", "inflight_map_full" (contentions not recorded: map full). NULL: no
 * change. */
void lockstat_describe(const struct lockstat *ls, json_t *obj);
/* Detach and free; NULL is fine. */
void lockstat_close(struct lockstat *ls);

#endif
