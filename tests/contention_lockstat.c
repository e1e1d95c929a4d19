/* lockstat (probes/lockstat.h): file_lock contention of threads sharing one fd table is seen
 * in the kernel and named "file_lock via alloc_fd/file_close_fd"; processes with private
 * tables show none; mmap_lock write holds of a fault loop are attributed to the mmap/munmap
 * paths; reset forgets everything. Skips (with the reason) where BPF cannot load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bench/contention_workers.h"
#include "../probes/lockstat.h"
#include "proc_count.h"
#include "tap.h"

#define PLAN 6

static void run(int sh, int op, int n, double s)
{
	struct cw_group g;
	char why[256];
	volatile int never = 0;

	if (cw_start(&g, sh, op, n, 64, why, sizeof(why))) {
		tap_diag("cw_start: %s", why);
		return;
	}
	cw_go(&g);
	cw_sleep(s, &never);
	cw_stop(&g);
	cw_free(&g);
}

static uint64_t file_lock_waits(struct lockstat *ls, char *callers, size_t len)
{
	struct lockstat_row *rows;
	size_t n;
	uint64_t waits = 0;

	callers[0] = 0;
	if (lockstat_read(ls, &rows, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].lock, "file_lock")) {
			waits += rows[i].count;
			size_t off = strlen(callers);
			snprintf(callers + off, len - off, "%s%s", off ? "," : "", rows[i].caller);
		}
	free(rows);
	return waits;
}

int main(void)
{
	struct lockstat *ls;
	char why[256], callers[512];
	struct lockstat_hold *holds;
	size_t nh;

	tap_plan(PLAN);
	int fds_before = count_fds();
	if (lockstat_open(getpid(), &ls, why, sizeof(why))) {
		for (int i = 0; i < PLAN; i++)
			tap_skip_test(why, "lockstat check %d", i + 1);
		return tap_done();
	}
	/* Loaded and attached: programs, maps and links are fds of this process. */
	tap_ok(ls != NULL && count_fds() > fds_before,
	       "lockstat loaded and attached (%d fds before, %d after)", fds_before, count_fds());

	/* Three threads (more than the CPUs here) hammering one table at ≈1M ops/s. */
	uint64_t w = 0;
	int tries = 0;
	/* On a loaded machine the threads can all land on one CPU for a whole run; a spinlock
	 * holder is not preempted there, so nothing contends. Try again a few times. */
	while (!w && tries++ < 5) {
		lockstat_reset(ls);
		run(SH_THREADS, OP_DUP_CLOSE, 3, 0.4);
		w = file_lock_waits(ls, callers, sizeof(callers));
	}
	tap_ok(w > 0 && (strstr(callers, "alloc_fd") || strstr(callers, "close_fd")),
	       "threads dup-close: %llu file_lock waits via %s (try %d)", (unsigned long long)w,
	       callers, tries);

	lockstat_reset(ls);
	run(SH_PROCESSES, OP_DUP_CLOSE, 2, 0.4);
	w = file_lock_waits(ls, callers, sizeof(callers));
	tap_ok(w == 0, "processes dup-close (private tables): %llu file_lock waits",
	       (unsigned long long)w);

	lockstat_reset(ls);
	run(SH_THREADS, OP_FAULT_CYCLE, 2, 0.3);
	bool mmap_write = false;
	if (lockstat_read_mmap(ls, &holds, &nh) == 0) {
		for (size_t i = 0; i < nh; i++)
			if (holds[i].write && holds[i].count > 0 &&
			    (strstr(holds[i].caller, "mmap") || strstr(holds[i].caller, "munmap")))
				mmap_write = true;
		tap_ok(mmap_write,
		       "fault loop: mmap_lock write holds by the mmap/munmap paths (%zu "
		       "callers, first %s)",
		       nh, nh ? holds[0].caller : "-");
		free(holds);
	} else {
		tap_ok(0, "lockstat_read_mmap");
	}

	/* The driver itself may take mmap_lock between reset and read (malloc): what must be
	 * gone are the workers' thousands of holds and every file_lock row. */
	lockstat_reset(ls);
	struct lockstat_row *rows;
	size_t nr;
	uint64_t most = 0;
	int rc = lockstat_read(ls, &rows, &nr);
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(rows[i].lock, "file_lock"))
			most = UINT64_MAX;
	free(rows);
	rc |= lockstat_read_mmap(ls, &holds, &nh);
	for (size_t i = 0; i < nh; i++)
		if (holds[i].count > most)
			most = holds[i].count;
	free(holds);
	tap_ok(rc == 0 && most < 100,
	       "reset forgets the workers' records (largest count left %llu)",
	       (unsigned long long)most);
	lockstat_close(ls);
	tap_ok(count_fds() == fds_before,
	       "closed: no BPF program, map or link fd left (%d fds, %d before)", count_fds(),
	       fds_before);
	return tap_done();
}
