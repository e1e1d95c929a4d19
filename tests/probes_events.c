/*
 * The spawn probes against real spawns: the programs load and attach; for every backend
 * each child's events arrive, in order, inside the user-space spawn -> reap span; the phases
 * are non-negative and bounded by t_reaped; vfork's parent_blocked covers the child's exec
 * up to the release of the shared mm (the parent's syscall exit follows the child's execve
 * entry; sched_process_exec itself may come later, see docs/probes.md);
 * pgtables_bytes grows when the parent touches 256 MiB more; nr_fds counts the fds copied.
 * Needs root (CAP_BPF + CAP_PERFMON): skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "impls/registry.h"
#include "probes/probes.h"
#include "tap.h"

#if SPAWNSCOPE_HAVE_BPF
#include "probes/probes_raw.h"

#define N_SPAWNS 20
#define EXTRA_FDS 100
#define BIG_RSS (256ul << 20)

static const char *const backends[] = {"fork-exec",    "vfork", "posix-spawn", "clone",
				       "clone3-pidfd", "efork", "efork-blank"};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))
/* open, describe, fork-exec and vfork extras, pgtables, nr_fds, detach, fallbacks (5 + 3),
 * nothing left tracked, nothing dropped */
#define N_OTHER 17

static char exit0_path[4096];
static char *child_argv[] = {exit0_path, NULL};
static char *child_envp[] = {NULL};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One child of be running exit0: its raw record and the user-space span. 0 or -errno. */
static int spawn_one(struct probes *pr, const struct spawn_backend *be, struct probe_raw *raw,
		     int64_t *t0, int64_t *t_reaped)
{
	struct spawn_req req = {.path = exit0_path,
				.argv = child_argv,
				.envp = child_envp,
				.exec = true,
				.stamp_fd = -1};
	struct spawn_child child;
	int status, err;

	*t0 = now_ns();
	err = be->spawn(&req, &child);
	if (err)
		return err;
	err = be->reap(&child, &status);
	*t_reaped = now_ns();
	if (err)
		return err;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return probes_collect_raw(pr, child.pid, raw);
}

/* Events that must arrive for an exec-mode spawn, in the order they must arrive. The
 * parent's syscall exit is checked apart: it may come before or after the child's events. */
static const int ordered[] = {SE_SYS_ENTER, SE_NEWTASK,	   SE_FORK, SE_WAKEUP_NEW,
			      SE_FIRST_RUN, SE_EXEC_ENTER, SE_EXEC, SE_EXIT};
#define N_ORDERED (sizeof(ordered) / sizeof(ordered[0]))

/* NULL when the record is consistent, else what is wrong. */
static const char *check_record(const struct probe_raw *raw, int64_t t0, int64_t t_reaped,
				bool vfork_like)
{
	const __u64 *t = raw->rec.t;
	struct probe_sample s;

	/* The child's first sched_switch in is missed now and then (slow spawns on a loaded
	 * machine): first_run_delay then comes from the child's return from the syscall, which
	 * must be there. Every other event must. */
	for (size_t i = 0; i < SE__N; i++)
		if (!t[i] && !(i == SE_FIRST_RUN && raw->rec.t_child_ret))
			return "an event is missing";
	for (size_t i = 0, prev = 0; i < N_ORDERED; i++) {
		if (!t[ordered[i]])
			continue;
		if (i && t[ordered[prev]] > t[ordered[i]])
			return "events out of order";
		prev = i;
	}
	if (t[SE_SYS_EXIT] < t[SE_FORK])
		return "parent's syscall exit before sched_process_fork";
	/* first_run_delay's fallback: the child's own return from the syscall, after its
	 * first run and before its exec */
	if (!raw->rec.t_child_ret || raw->rec.t_child_ret < t[SE_WAKEUP_NEW] ||
	    raw->rec.t_child_ret < t[SE_FIRST_RUN] || raw->rec.t_child_ret > t[SE_EXEC_ENTER])
		return "the child's return from the syscall is missing or out of order";
	if ((int64_t)t[SE_SYS_ENTER] < t0 || (int64_t)t[SE_EXIT] > t_reaped ||
	    (int64_t)t[SE_SYS_EXIT] > t_reaped)
		return "events outside the user-space spawn -> reap span";
	probes_sample_from_raw(raw, &s);
	for (int ph = 0; ph < PH__N; ph++) {
		if (!(s.have_phase & (1u << ph)))
			continue;
		if (s.phase_ns[ph] < 0 || s.phase_ns[ph] > t_reaped - t0)
			return "a phase is negative or longer than t_reaped";
	}
	for (int ph = 0; ph < PH_PARENT_BLOCKED + 1; ph++)
		if (ph != PH_MMAP_LOCK_HOLD && !(s.have_phase & (1u << ph)))
			return "a phase is missing";
	if (!t[SE_FIRST_RUN] && !(s.fallback & (1u << PH_FIRST_RUN_DELAY)))
		return "first_run_delay from the fallback is not flagged as such";
	if (vfork_like) {
		/* CLONE_VFORK: the parent sleeps in wait_for_vfork_done until the child's exec
		 * releases the old mm (begin_new_exec -> exec_mmap -> exec_mm_release ->
		 * complete_vfork_done), which is before sched_process_exec. */
		if (t[SE_SYS_EXIT] < t[SE_EXEC_ENTER])
			return "vfork parent returned before the child entered exec";
	}
	return NULL;
}

static void test_backend(struct probes *pr, const char *name)
{
	const struct spawn_backend *be = backend_find(name);
	char why[256];
	size_t good = 0, lock = 0, own_mm = 0, covers_exec = 0, fallback = 0;
	const char *bad = NULL;
	bool vfork_like = !strcmp(name, "vfork") || !strcmp(name, "posix-spawn");

	if (!be || (be->available && be->available(why, sizeof(why)))) {
		tap_skip_test(be ? why : "not built", "%s: events in order within the span", name);
		if (!strcmp(name, "fork-exec") || !strcmp(name, "vfork"))
			tap_skip_test(be ? why : "not built", "%s: mm values", name);
		return;
	}
	for (int i = 0; i < N_SPAWNS; i++) {
		struct probe_raw raw;
		int64_t t0, t_reaped;
		int err = spawn_one(pr, be, &raw, &t0, &t_reaped);

		if (err) {
			bad = err == -ENOENT ? "no record for the child" : strerror(-err);
			break;
		}
		bad = check_record(&raw, t0, t_reaped, vfork_like);
		if (bad) {
			for (int e = 0; e < SE__N; e++)
				tap_diag("event %d at +%lld ns", e,
					 raw.rec.t[e] ? (long long)((int64_t)raw.rec.t[e] - t0)
						      : -1LL);
			break;
		}
		good++;
		covers_exec += raw.rec.t[SE_SYS_EXIT] >= raw.rec.t[SE_EXEC];
		fallback += !raw.rec.t[SE_FIRST_RUN];
		own_mm += !!(raw.rec.flags & SRF_OWN_MM);
		lock += !!(raw.rec.flags & SRF_LOCK_HELD);
	}
	tap_ok(good == N_SPAWNS,
	       "%s: %zu/%d children with every event, in order, within the span%s%s", name, good,
	       N_SPAWNS, bad ? ": " : "", bad ? bad : "");
	if (vfork_like)
		tap_diag("%s: the parent returned after sched_process_exec in %zu of %zu", name,
			 covers_exec, good);
	if (fallback)
		tap_diag(
		    "%s: sched_switch into the child missed in %zu of %zu: first_run_delay from "
		    "its return from the syscall",
		    name, fallback, good);
	if (!strcmp(name, "fork-exec"))
		tap_ok(own_mm == good && lock == good,
		       "fork-exec: own mm and an mmap_lock write hold in %zu and %zu of %zu",
		       own_mm, lock, good);
	if (!strcmp(name, "vfork"))
		tap_ok(own_mm == 0 && lock == 0,
		       "vfork: CLONE_VM child has no mm values nor lock hold (%zu, %zu)", own_mm,
		       lock);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median of a value over N_SPAWNS fork-exec children; 0 when a spawn fails. */
static __u64 median_of(struct probes *pr, size_t offset)
{
	const struct spawn_backend *be = backend_find("fork-exec");
	__u64 v[N_SPAWNS];

	for (int i = 0; i < N_SPAWNS; i++) {
		struct probe_raw raw;
		int64_t t0, t1;

		if (spawn_one(pr, be, &raw, &t0, &t1))
			return 0;
		memcpy(&v[i], (const char *)&raw.rec + offset, sizeof(__u64));
	}
	qsort(v, N_SPAWNS, sizeof(v[0]), cmp_u64);
	return v[N_SPAWNS / 2];
}

static void test_pgtables(struct probes *pr)
{
	__u64 before = median_of(pr, offsetof(struct spawn_record, pgtables_bytes)), after;
	/* 256 MiB of 4 KiB pages need 128 PTE pages (512 KiB); THP-mapped, the same number of
	 * deposited page tables (pgtable_trans_huge_deposit) counts in pgtables_bytes too. */
	char *mem = mmap(NULL, BIG_RSS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED) {
		tap_ok(0, "pgtables_bytes: mmap 256 MiB: %s", strerror(errno));
		return;
	}
	for (size_t off = 0; off < BIG_RSS; off += 4096)
		((volatile char *)mem)[off] = 1;
	after = median_of(pr, offsetof(struct spawn_record, pgtables_bytes));
	munmap(mem, BIG_RSS);
	tap_ok(before && after >= before + (256u << 10),
	       "pgtables_bytes grows by >= 256 KiB with 256 MiB touched: %llu -> %llu",
	       (unsigned long long)before, (unsigned long long)after);
}

static void test_nr_fds(struct probes *pr)
{
	int fds[EXTRA_FDS], n = 0;
	__u64 before = median_of(pr, offsetof(struct spawn_record, nr_fds)), after;

	for (; n < EXTRA_FDS; n++) {
		fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0)
			break;
	}
	after = median_of(pr, offsetof(struct spawn_record, nr_fds));
	for (int i = 0; i < n; i++)
		close(fds[i]);
	tap_ok(n == EXTRA_FDS && before && after == before + EXTRA_FDS,
	       "nr_fds counts the fds dup_fd copied: %llu -> %llu with %d more open",
	       (unsigned long long)before, (unsigned long long)after, n);
}

/* The programs in run.json's form: every one listed, the required ones attached. */
static void test_describe(struct probes *pr)
{
	json_t *obj = json_object(), *p;
	size_t i, n_att = 0, n_all = 0, bad_kind = 0, no_reason = 0;
	bool fork_att = false, enter_att = false;

	probes_describe(pr, "", obj);
	json_array_foreach(json_object_get(obj, "programs"), i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		bool att = json_is_true(json_object_get(p, "attached"));

		const char *kind = json_string_value(json_object_get(p, "kind"));
		const char *reason = json_string_value(json_object_get(p, "reason"));

		n_all++;
		n_att += att;
		if (!kind ||
		    (strcmp(kind, "tp_btf") && strcmp(kind, "raw_tp") && strcmp(kind, "fentry")))
			bad_kind++;
		if (!att && (!reason || !*reason))
			no_reason++;
		if (att && !strncmp(name, "sp_fork_", 8))
			fork_att = true;
		if (att && !strncmp(name, "sp_enter_", 9))
			enter_att = true;
		tap_diag("%-16s %-7s %s %s", name, kind ? kind : "?",
			 att ? "attached" : "not attached", reason ? reason : "");
	}
	tap_ok(json_is_true(json_object_get(obj, "enabled")) && fork_att && enter_att &&
		   n_att >= 10 && n_all >= 20 && !bad_kind && !no_reason,
	       "programs load and attach: %zu of %zu listed are attached (%zu unknown kinds, %zu "
	       "not attached without a reason)",
	       n_att, n_all, bad_kind, no_reason);
	json_decref(obj);
}

static void test_detach(struct probes *pr)
{
	const struct spawn_backend *be = backend_find("fork-exec");
	struct probe_raw raw;
	int64_t t0, t1;
	int off = probes_set_attached(pr, false);
	int err = spawn_one(pr, be, &raw, &t0, &t1);
	int on = probes_set_attached(pr, true);
	int err2 = spawn_one(pr, be, &raw, &t0, &t1);

	tap_ok(!off && err == -ENOENT && !on && !err2,
	       "detached: no record (%d); re-attached: recorded (%d)", err, err2);
}

/* Every child has exited and been reaped: none is still "live" (tracked) in the kernel, so a
 * reused pid cannot inherit the tracking; nothing was dropped. */
static void test_leftovers(struct probes *pr)
{
	struct probe_drops d;
	long live = probes_live_count(pr);
	int err = probes_drops(pr, &d);

	tap_ok(live == 0, "no reaped child is still tracked (%ld entries in live)", live);
	tap_ok(!err && !d.records_full && !d.inflight_full && !d.live_full,
	       "nothing dropped: records %llu, inflight %llu, live %llu full; %llu recursion "
	       "misses (%s)",
	       (unsigned long long)d.records_full, (unsigned long long)d.inflight_full,
	       (unsigned long long)d.live_full, (unsigned long long)d.recursion_misses,
	       err ? strerror(-err) : "ok");
}

/* Count attached programs of a kind in run.json's form. */
static size_t attached_of_kind(struct probes *pr, const char *kind)
{
	json_t *obj = json_object(), *p;
	size_t i, n = 0;

	probes_describe(pr, "", obj);
	json_array_foreach(json_object_get(obj, "programs"), i, p)
	{
		n += json_is_true(json_object_get(p, "attached")) &&
		     !strcmp(json_string_value(json_object_get(p, "kind")), kind);
	}
	json_decref(obj);
	return n;
}

/* The raw_tp fallback, as on a kernel that refuses the tp_btf programs of the tracepoints
 * in refuse ("all" or a comma list): those load as raw_tp twins, the others stay tp_btf,
 * and the records are as complete. Tests: 1 + 2 per backend. */
static void test_fallback(const char *refuse, size_t n_raw, const char *const *bes, int n_bes)
{
	struct probes *pr = NULL;
	char why[512];
	size_t raw = 0, btf = 0;
	int err;

	setenv("SPAWNSCOPE_PROBES_NO_TP_BTF", refuse, 1);
	err = probes_open(PROBES_ON, getpid(), &pr, why, sizeof(why));
	unsetenv("SPAWNSCOPE_PROBES_NO_TP_BTF");
	if (pr) {
		raw = attached_of_kind(pr, "raw_tp");
		btf = attached_of_kind(pr, "tp_btf");
	}
	if (!tap_ok(!err && pr && raw == n_raw && btf == 10 - n_raw,
		    "tp_btf refused for %s: %zu raw_tp twins and %zu tp_btf attached%s%s", refuse,
		    raw, btf, err ? ": " : "", err ? why : "")) {
		for (int i = 0; i < 2 * n_bes; i++)
			tap_skip_test("the fallback did not open", "raw_tp");
		probes_close(pr);
		return;
	}
	tap_diag("with tp_btf refused for %s:", refuse);
	for (int i = 0; i < n_bes; i++)
		test_backend(pr, bes[i]);
	probes_close(pr);
}

static int run_tests(void)
{
	const char *build = getenv("SPAWNSCOPE_BUILD");
	struct probes *pr = NULL;
	char why[512];
	int err;

	tap_plan((int)N_BACKENDS + N_OTHER);
	if (geteuid() != 0 || !build) {
		const char *skip =
		    build ? "not root (needs CAP_BPF and CAP_PERFMON)" : "SPAWNSCOPE_BUILD not set";
		for (size_t i = 0; i < N_BACKENDS + N_OTHER; i++)
			tap_skip_test(skip, "probes");
		return tap_done();
	}
	snprintf(exit0_path, sizeof(exit0_path), "%s/targets/exit0", build);
	err = probes_open(PROBES_ON, getpid(), &pr, why, sizeof(why));
	if (!tap_ok(err == 0 && pr, "probes_open(on): %s", err ? why : "ok")) {
		for (size_t i = 0; i < N_BACKENDS + N_OTHER - 1; i++)
			tap_skip_test("probes did not open", "probes");
		return tap_done();
	}
	test_describe(pr);
	probes_reset(pr);
	for (size_t i = 0; i < N_BACKENDS; i++)
		test_backend(pr, backends[i]);
	test_pgtables(pr);
	test_nr_fds(pr);
	test_detach(pr);
	test_leftovers(pr);
	probes_reset(pr);
	probes_close(pr);
	test_fallback("all", 10, (const char *const[]){"fork-exec", "vfork"}, 2);
	test_fallback("sched_switch,sys_exit", 2, (const char *const[]){"fork-exec"}, 1);
	return tap_done();
}
#endif

int main(void)
{
#if SPAWNSCOPE_HAVE_BPF
	return run_tests();
#else
	tap_plan(1);
	tap_skip_test("built without probes (no BTF, bpftool, clang or libbpf)", "probes");
	return tap_done();
#endif
}
