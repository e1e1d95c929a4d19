/* lockstat loader (see lockstat.h): the lock-function ranges go into rodata before load, the
 * aggregated maps are read, symbolised and sorted in user space. */
#include "lockstat.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockstat.skel.h"
#include "lockstat_ksyms.h"
#include "libbpf_log.h"
#include "lockstat_maps.h"
#include "mmap_lock_layout.h"
#include "pidns.h"

struct lockstat {
	struct lockstat_bpf *skel;
	struct ksyms ksyms;
	struct mmap_lock_layout mm_layout;
	pid_t tgid, global_tgid; /* as given, and as the kernel sees it */
	int64_t t_reset;	 /* CLOCK_MONOTONIC ns of the last reset (or the attach) */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t lockstat_window_ns(const struct lockstat *ls)
{
	return ls ? mono_ns() - ls->t_reset : 0;
}

/* Functions between the tracepoint and the lock's caller, beyond the two text sections:
 * qspinlock/rwlock slowpaths (pv and native), the rwsem slowpaths and the tracepoint glue. */
static const char *const lock_funcs[] = {
    "native_queued_spin_lock_slowpath",
    "__pv_queued_spin_lock_slowpath",
    "queued_read_lock_slowpath",
    "queued_write_lock_slowpath",
    "rwsem_down_read_slowpath",
    "rwsem_down_write_slowpath",
    "__traceiter_contention_begin",
    "__bpf_trace_contention_begin",
    "bpf_trace_run2",
    "percpu_down_write",
    "__percpu_down_read",
    "__mutex_lock_slowpath",
    "__bpf_trace_run",
};
/* mmap_lock:mmap_lock_acquire_returned is fired from this helper right after the lock. */
static const char *const mmap_funcs[] = {
    "__mmap_lock_do_trace_acquire_returned",
    "__traceiter_mmap_lock_acquire_returned",
    "__bpf_trace_mmap_lock_acquire_returned",
    "bpf_trace_run3",
    "__bpf_trace_run",
};

static void add_range(const struct ksyms *k, uint64_t lo, uint64_t hi, volatile __u64 *los,
		      volatile __u64 *his, volatile __u32 *n)
{
	if (!lo || hi <= lo || *n >= LS_MAX_RANGES)
		return;
	los[*n] = lo;
	his[*n] = hi;
	(*n)++;
	(void)k;
}

static void add_func(const struct ksyms *k, const char *name, volatile __u64 *los,
		     volatile __u64 *his, volatile __u32 *n)
{
	uint64_t lo, hi;
	if (ksyms_range(k, name, &lo, &hi) == 0)
		add_range(k, lo, hi, los, his, n);
}

static void set_ranges(struct lockstat *ls)
{
	struct lockstat_bpf__rodata *ro = ls->skel->rodata;
	const struct ksyms *k = &ls->ksyms;

	/* spin/rwlock entry points live in .spinlock.text; mutex, rwsem and schedule in
	 * .sched.text (include/asm-generic/vmlinux.lds.h, __lockfunc and __sched). */
	add_range(k, ksyms_addr(k, "__lock_text_start"), ksyms_addr(k, "__lock_text_end"),
		  ro->lock_lo, ro->lock_hi, &ro->n_lock_ranges);
	add_range(k, ksyms_addr(k, "__sched_text_start"), ksyms_addr(k, "__sched_text_end"),
		  ro->lock_lo, ro->lock_hi, &ro->n_lock_ranges);
	for (size_t i = 0; i < sizeof(lock_funcs) / sizeof(*lock_funcs); i++)
		add_func(k, lock_funcs[i], ro->lock_lo, ro->lock_hi, &ro->n_lock_ranges);
	for (size_t i = 0; i < sizeof(mmap_funcs) / sizeof(*mmap_funcs); i++)
		add_func(k, mmap_funcs[i], ro->mm_lo, ro->mm_hi, &ro->n_mm_ranges);
}

int lockstat_open(pid_t tgid, struct lockstat **out, char *why, size_t len)
{
	struct lockstat *ls = calloc(1, sizeof(*ls));
	libbpf_print_fn_t old;
	int err;

	char nswhy[240];

	*out = NULL;
	if (!ls) {
		snprintf(why, len, "lockstat: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ls->tgid = tgid;
	err = pidns_global_pid(tgid, &ls->global_tgid, nswhy, sizeof(nswhy));
	if (err) {
		snprintf(why, len, "lockstat: %s", nswhy);
		free(ls);
		return err;
	}
	mmap_lock_layout_read(&ls->mm_layout);
	if (!ls->mm_layout.known) {
		snprintf(why, len, "lockstat: %s", ls->mm_layout.why);
		free(ls);
		return -EOPNOTSUPP;
	}
	err = ksyms_load(&ls->ksyms, why, len);
	if (err) {
		free(ls);
		return err;
	}
	libbpf_debug = getenv("SPAWNSCOPE_PROBES_DEBUG") != NULL;
	libbpf_first_warn[0] = '\0';
	old = libbpf_set_print(libbpf_capture_print);
	ls->skel = lockstat_bpf__open();
	if (!ls->skel) {
		err = -errno;
		snprintf(why, len, "lockstat: open BPF object: %s", strerror(errno));
		goto fail;
	}
	ls->skel->rodata->filter_tgid = (__u32)ls->global_tgid;
	ls->skel->rodata->mm_memcg_path = ls->mm_layout.memcg_path;
	set_ranges(ls);
	err = lockstat_bpf__load(ls->skel);
	if (err) {
		snprintf(why, len,
			 "lockstat: load (needs CAP_BPF+CAP_PERFMON and the lock: and mmap_lock: "
			 "tracepoints in BTF): %s%s%s%s",
			 strerror(-err), libbpf_first_warn[0] ? " (" : "", libbpf_first_warn,
			 libbpf_first_warn[0] ? ")" : "");
		goto fail;
	}
	err = lockstat_bpf__attach(ls->skel);
	if (err) {
		snprintf(why, len, "lockstat: attach tp_btf lock:contention_* / mmap_lock:*: %s",
			 strerror(-err));
		goto fail;
	}
	libbpf_set_print(old);
	ls->t_reset = mono_ns();
	*out = ls;
	return 0;
fail:
	libbpf_set_print(old);
	lockstat_close(ls);
	return err < 0 ? err : -EINVAL;
}

/* Delete every key of a hash map (collected first: deleting while walking skips keys). */
static int clear_map(int fd, size_t key_size)
{
	char *keys = NULL, *prev = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			char *p = realloc(keys, cap * key_size);
			if (!p) {
				free(keys);
				return -ENOMEM;
			}
			keys = p;
		}
		prev = n ? keys + (n - 1) * key_size : NULL;
		if (bpf_map_get_next_key(fd, prev, keys + n * key_size) != 0)
			break;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) != 0 && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

int lockstat_reset(struct lockstat *ls)
{
	int err = 0, e;

	if (!ls)
		return -EINVAL;
	struct {
		struct bpf_map *map;
		size_t key_size;
	} maps[] = {
	    {ls->skel->maps.contention, sizeof(struct ls_key)},
	    {ls->skel->maps.mmap_holds, sizeof(struct mm_key)},
	    {ls->skel->maps.inflight, sizeof(__u32)},
	    {ls->skel->maps.mm_inflight, sizeof(__u32)},
	};
	for (size_t i = 0; i < sizeof(maps) / sizeof(*maps); i++)
		if ((e = clear_map(bpf_map__fd(maps[i].map), maps[i].key_size)) && !err)
			err = e;
	ls->t_reset = mono_ns();
	return err;
}

static const char *const class_names[LS__N] = {
    [LS_FILE_LOCK] = "file_lock",  [LS_MMAP_LOCK] = "mmap_lock",
    [LS_SIGLOCK] = "siglock",	   [LS_LEADER_ALLOC] = "task_lock(group_leader)",
    [LS_FS_LOCK] = "fs->seq.lock", [LS_RQ_LOCK] = "rq->__lock",
};

static const char *kind_of(unsigned flags)
{
	if (flags & LS_LCB_F_MUTEX)
		return "mutex";
	if (flags & LS_LCB_F_PERCPU)
		return flags & LS_LCB_F_WRITE ? "percpu-write" : "percpu-read";
	if (flags & LS_LCB_F_RT)
		return "rt-mutex";
	if (flags & LS_LCB_F_SPIN) {
		if (flags & LS_LCB_F_READ)
			return "rwlock-read";
		if (flags & LS_LCB_F_WRITE)
			return "rwlock-write";
		return "spinlock";
	}
	if (flags & LS_LCB_F_READ)
		return "rwsem-read";
	if (flags & LS_LCB_F_WRITE)
		return "rwsem-write";
	return "other";
}

static void name_caller(const struct ksyms *k, uint64_t addr, char *buf, size_t len)
{
	const char *s = addr ? ksyms_name(k, addr) : NULL;
	snprintf(buf, len, "%s", s ? s : "?");
}

static int cmp_rows(const void *a, const void *b)
{
	const struct lockstat_row *x = a, *y = b;
	return x->wait_ns > y->wait_ns ? -1 : x->wait_ns < y->wait_ns;
}

static int cmp_holds(const void *a, const void *b)
{
	const struct lockstat_hold *x = a, *y = b;
	return x->hold_ns > y->hold_ns ? -1 : x->hold_ns < y->hold_ns;
}

/* Several call sites of one function (e.g. dup_mmap locking the parent's and the child's
 * mm) are separate keys in the kernel: merge rows whose names match. Returns the new count. */
static size_t merge_rows(struct lockstat_row *r, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < out; k++)
			if (!strcmp(r[k].lock, r[i].lock) && !strcmp(r[k].caller, r[i].caller) &&
			    !strcmp(r[k].kind, r[i].kind))
				break;
		if (k == out) {
			r[out++] = r[i];
			continue;
		}
		r[k].count += r[i].count;
		r[k].wait_ns += r[i].wait_ns;
		if (r[i].max_ns > r[k].max_ns)
			r[k].max_ns = r[i].max_ns;
	}
	return out;
}

static size_t merge_holds(struct lockstat_hold *h, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < out; k++)
			if (!strcmp(h[k].caller, h[i].caller) && h[k].write == h[i].write)
				break;
		if (k == out) {
			h[out++] = h[i];
			continue;
		}
		h[k].count += h[i].count;
		h[k].hold_ns += h[i].hold_ns;
		h[k].wait_ns += h[i].wait_ns;
		if (h[i].max_hold_ns > h[k].max_hold_ns)
			h[k].max_hold_ns = h[i].max_hold_ns;
		if (h[i].max_wait_ns > h[k].max_wait_ns)
			h[k].max_wait_ns = h[i].max_wait_ns;
	}
	return out;
}

int lockstat_read(struct lockstat *ls, struct lockstat_row **rows, size_t *n)
{
	int fd = bpf_map__fd(ls->skel->maps.contention);
	struct ls_key key, *prev = NULL;
	struct lockstat_row *out = NULL;
	size_t cnt = 0, cap = 0;

	*rows = NULL;
	*n = 0;
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		struct ls_val v;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) != 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			struct lockstat_row *p = realloc(out, cap * sizeof(*p));
			if (!p) {
				free(out);
				return -ENOMEM;
			}
			out = p;
		}
		struct lockstat_row *r = &out[cnt++];
		memset(r, 0, sizeof(*r));
		if (key.cls > LS_OTHER && key.cls < LS__N) {
			snprintf(r->lock, sizeof(r->lock), "%s", class_names[key.cls]);
		} else {
			/* Static locks have a data symbol only with CONFIG_KALLSYMS_ALL; an address
			 * inside a text symbol would be a wrong guess. */
			const char *s = ksyms_name(&ls->ksyms, key.lock);
			uint64_t at = s ? ksyms_addr(&ls->ksyms, s) : 0;
			if (s && at == key.lock)
				snprintf(r->lock, sizeof(r->lock), "%s", s);
			else
				snprintf(r->lock, sizeof(r->lock), "lock@0x%llx",
					 (unsigned long long)key.lock);
		}
		name_caller(&ls->ksyms, key.caller, r->caller, sizeof(r->caller));
		snprintf(r->kind, sizeof(r->kind), "%s", kind_of(key.flags));
		r->count = v.count;
		r->wait_ns = v.wait_ns;
		r->max_ns = v.max_ns;
	}
	cnt = merge_rows(out, cnt);
	if (cnt)
		qsort(out, cnt, sizeof(*out), cmp_rows);
	*rows = out;
	*n = cnt;
	return 0;
}

int lockstat_read_mmap(struct lockstat *ls, struct lockstat_hold **rows, size_t *n)
{
	int fd = bpf_map__fd(ls->skel->maps.mmap_holds);
	struct mm_key key, *prev = NULL;
	struct lockstat_hold *out = NULL;
	size_t cnt = 0, cap = 0;

	*rows = NULL;
	*n = 0;
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		struct mm_val v;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) != 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			struct lockstat_hold *p = realloc(out, cap * sizeof(*p));
			if (!p) {
				free(out);
				return -ENOMEM;
			}
			out = p;
		}
		struct lockstat_hold *h = &out[cnt++];
		memset(h, 0, sizeof(*h));
		name_caller(&ls->ksyms, key.caller, h->caller, sizeof(h->caller));
		h->write = key.write;
		h->count = v.count;
		h->hold_ns = v.hold_ns;
		h->max_hold_ns = v.max_hold_ns;
		h->wait_ns = v.wait_ns;
		h->max_wait_ns = v.max_wait_ns;
	}
	cnt = merge_holds(out, cnt);
	if (cnt)
		qsort(out, cnt, sizeof(*out), cmp_holds);
	*rows = out;
	*n = cnt;
	return 0;
}

void lockstat_describe(const struct lockstat *ls, json_t *obj)
{
	if (!ls)
		return;
	json_object_set_new(obj, "mmap_lock_layout", json_string(ls->mm_layout.describe));
	json_object_set_new(obj, "tgid", json_integer(ls->tgid));
	json_object_set_new(obj, "tgid_seen_by_kernel", json_integer(ls->global_tgid));
	json_object_set_new(obj, "inflight_map_full",
			    json_integer((json_int_t)ls->skel->bss->inflight_full));
}

void lockstat_close(struct lockstat *ls)
{
	if (!ls)
		return;
	lockstat_bpf__destroy(ls->skel);
	ksyms_free(&ls->ksyms);
	free(ls);
}
