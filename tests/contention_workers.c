/* The contention experiment's workers: each sharing configuration really shares what it
 * claims (kcmp from inside a worker against the driver), every op runs with non-zero
 * throughput under every sharing, a failing worker does not stop the others from being
 * reaped, and nothing is left behind (fds, children, threads, RLIMIT_NOFILE). */
#include <dirent.h>
#include <errno.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/state/workers.h"
#include "proc_count.h"
#include "tap.h"

static bool no_children(void)
{
	return waitpid(-1, NULL, WNOHANG | __WALL) < 0 && errno == ECHILD;
}

/* Run op with n workers for about ms milliseconds; the group is left stopped, not freed. */
static int run_group(struct cw_group *g, int sh, int op, int n, int ms)
{
	char why[256];
	volatile int never = 0;
	int rc = cw_start(g, sh, op, n, 16, why, sizeof(why));

	if (rc) {
		tap_diag("cw_start %s op %d: %s", cont_sharing_names[sh], op, why);
		return rc;
	}
	cw_go(g);
	cw_sleep(ms / 1000.0, &never);
	cw_stop(g);
	return 0;
}

static void check_sharing(int sh)
{
	struct cw_group g;
	bool want_files = sh == SH_THREADS || sh == SH_FILES;
	bool want_vm = sh == SH_THREADS || sh == SH_VM;

	if (run_group(&g, sh, OP_KCMP_PROBE, 2, 0)) {
		tap_ok(0, "%s: workers start", cont_sharing_names[sh]);
		tap_ok(0, "%s: kcmp VM", cont_sharing_names[sh]);
		return;
	}
	long kf = g.ctl->slot[0].kcmp_files, kv = g.ctl->slot[0].kcmp_vm;
	if (kf < 0 || kv < 0) {
		tap_skip_test(strerror((int)-(kf < 0 ? kf : kv)), "%s: kcmp KCMP_FILES",
			      cont_sharing_names[sh]);
		tap_skip_test("kcmp unavailable", "%s: kcmp KCMP_VM", cont_sharing_names[sh]);
	} else {
		tap_ok((kf == 0) == want_files && (g.ctl->slot[1].kcmp_files == 0) == want_files,
		       "%s: fd table %s with the driver (kcmp KCMP_FILES = %ld)",
		       cont_sharing_names[sh], want_files ? "shared" : "private", kf);
		tap_ok((kv == 0) == want_vm && (g.ctl->slot[1].kcmp_vm == 0) == want_vm,
		       "%s: mm %s with the driver (kcmp KCMP_VM = %ld)", cont_sharing_names[sh],
		       want_vm ? "shared" : "private", kv);
	}
	cw_free(&g);
}

static void check_op(int sh, int op)
{
	struct cw_group g;
	uint64_t total = 0;
	bool clean = true, sampled = false;

	if (run_group(&g, sh, op, 2, 40)) {
		tap_ok(0, "%s %s: workers start", cont_sharing_names[sh],
		       op < OP__N ? cont_op_names[op] : "fault-cycle");
		return;
	}
	for (int i = 0; i < g.n; i++) {
		total += g.ctl->slot[i].ops;
		clean &= g.ctl->slot[i].done && !g.ctl->slot[i].err;
		sampled |= g.ctl->slot[i].n_samples > 0; /* a worker may get no CPU in 40 ms */
	}
	tap_ok(total > 0 && clean && sampled && !g.status_failed,
	       "%s %s: 2 workers, %llu ops, no error, latency sampled", cont_sharing_names[sh],
	       op < OP__N ? cont_op_names[op] : "fault-cycle", (unsigned long long)total);
	cw_free(&g);
}

int main(void)
{
	static const int ops[] = {OP_DUP_CLOSE, OP_OPEN_CLOSE, OP_PIPE_CLOSE,	   OP_READ_SHARED,
				  OP_GETRLIMIT, OP_SETRLIMIT,  OP_PRLIMIT_SIBLING, OP_FAULT_CYCLE};
	const int n_ops = sizeof(ops) / sizeof(*ops);
	struct rlimit before, after;
	struct cw_group g;
	int fds0 = count_fds(), tasks0 = count_dir_entries("/proc/self/task");

	tap_plan(SH__N * 2 + SH__N * n_ops + 6);
	getrlimit(RLIMIT_NOFILE, &before);
	for (int sh = 0; sh < SH__N; sh++)
		check_sharing(sh);
	for (int sh = 0; sh < SH__N; sh++)
		for (int i = 0; i < n_ops; i++)
			check_op(sh, ops[i]);

	/* A failing op (an op number run_op does not know: -EINVAL at once) in every worker. */
	if (run_group(&g, SH_PROCESSES, OP__ALL, 3, 10) == 0) {
		bool all_failed = true;
		for (int i = 0; i < g.n; i++)
			all_failed &= g.ctl->slot[i].done && g.ctl->slot[i].err == -EINVAL;
		tap_ok(all_failed && g.status_failed == 3,
		       "failing workers report -EINVAL and a failure status (%d)", g.status_failed);
		cw_free(&g);
	} else {
		tap_ok(0, "failing workers start");
	}
	tap_ok(no_children(), "every worker reaped: no child left");
	tap_ok(count_dir_entries("/proc/self/task") == tasks0, "no thread left (%d tasks)",
	       count_dir_entries("/proc/self/task"));
	tap_ok(count_fds() == fds0, "no fd left (%d before, %d after)", fds0, count_fds());
	getrlimit(RLIMIT_NOFILE, &after);
	tap_ok(before.rlim_cur == after.rlim_cur && before.rlim_max == after.rlim_max,
	       "RLIMIT_NOFILE restored after setrlimit/prlimit-sibling (%llu/%llu)",
	       (unsigned long long)after.rlim_cur, (unsigned long long)after.rlim_max);
	/* Bad input to the group itself. */
	char why[256];
	tap_ok(cw_start(&g, SH_THREADS, OP_DUP_CLOSE, CW_MAX_WORKERS + 1, 16, why, sizeof(why)) ==
		   -EINVAL,
	       "more than %d workers refused: %s", CW_MAX_WORKERS, why);
	return tap_done();
}
