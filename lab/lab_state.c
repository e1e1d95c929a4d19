/* The parent state an experiment configures, held by the lab while its children are timed:
 * memory of a kind (lab/state/memkind.c), open fds and RLIMIT_NOFILE (lab/state/fds.c),
 * load workers that share with the lab (lab/state/workers.c), and the post-fork
 * measurement (lab/state/postfork.c). One of each at a time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab/state/workers.h"
#include "lab/state/parent_state.h"
#include "lab.h"

static struct memregion mem;
static bool mem_held;
static struct fdset fds;
static int fds_cloexec = -1; /* FD_CLOEXEC state of every held fd */
static struct nofile_limit lim;
static bool lim_held;
static struct cw_group load;
static bool load_held;

void lab_mem_free(struct lab_msg *m)
{
	if (mem_held)
		memregion_free(&mem);
	mem_held = false;
	if (m)
		m->rc = 0;
}

void lab_mem_alloc(struct lab_msg *m)
{
	uint32_t kind = m->u.mem.kind, nvmas = m->u.mem.nvmas;
	uint64_t size = m->u.mem.size;

	lab_mem_free(NULL);
	if (kind >= MK__N) {
		m->rc = -EINVAL;
		snprintf(m->u.why, sizeof(m->u.why), "unknown memory kind %u", kind);
		return;
	}
	m->rc = memregion_alloc(&mem, (enum memkind)kind, size, nvmas ? nvmas : 1);
	if (m->rc) {
		snprintf(m->u.why, sizeof(m->u.why), "%s", strerror(-m->rc));
		return;
	}
	mem_held = true;
	m->u.mem_r.thp_bytes = mem.thp_bytes;
	m->u.mem_r.map_size = mem.map_size;
	m->u.mem_r.nvmas = mem.nvmas;
}

void lab_fds_close(struct lab_msg *m)
{
	int rc = 0;

	fdset_close(&fds);
	fds_cloexec = -1;
	if (lim_held)
		rc = nofile_restore(&lim);
	lim_held = false;
	if (m) {
		m->rc = rc;
		if (rc)
			snprintf(m->u.why, sizeof(m->u.why), "restoring RLIMIT_NOFILE: %s",
				 strerror(-rc));
	}
}

/* u.fds.cloexec < 0: only say how many fds RLIMIT_NOFILE's hard limit leaves room for. */
void lab_fds_open(struct lab_msg *m)
{
	uint64_t n = m->u.fds.n;
	int cloexec = m->u.fds.cloexec;
	size_t room = 0;
	int rc;

	lab_fds_close(NULL);
	rc = nofile_raise(&lim, (size_t)n, &room);
	if (rc) {
		m->rc = rc;
		snprintf(m->u.why, sizeof(m->u.why), "raising RLIMIT_NOFILE for %llu fds: %s",
			 (unsigned long long)n, strerror(-rc));
		return;
	}
	lim_held = true;
	m->u.fds_r.room = room;
	m->u.fds_r.hard_limit = (uint64_t)lim.saved.rlim_max;
	m->u.fds_r.n_open = 0;
	if (cloexec < 0) {
		lab_fds_close(NULL);
		m->rc = 0;
		return;
	}
	if (n > room) {
		lab_fds_close(NULL);
		m->rc = -EMFILE;
		snprintf(m->u.why, sizeof(m->u.why), "%llu fds: the hard limit leaves room for %zu",
			 (unsigned long long)n, room);
		return;
	}
	rc = fdset_open(&fds, (size_t)n, cloexec != 0);
	if (rc) {
		lab_fds_close(NULL);
		m->rc = rc;
		snprintf(m->u.why, sizeof(m->u.why), "opening %llu fds: %s", (unsigned long long)n,
			 strerror(-rc));
		return;
	}
	fds_cloexec = cloexec != 0;
	m->u.fds_r.n_open = fds.n;
	m->rc = 0;
}

int lab_fds_apply(int cloexec)
{
	int rc;

	if (cloexec < 0 || !fds.n || cloexec == fds_cloexec)
		return 0;
	rc = fdset_set_cloexec(&fds, cloexec != 0);
	if (rc) {
		fprintf(stderr, "spawnscope-lab: setting FD_CLOEXEC %s on %zu fds: %s\n",
			cloexec ? "on" : "off", fds.n, strerror(-rc));
		return rc;
	}
	fds_cloexec = cloexec;
	return 0;
}

static void load_release(void)
{
	if (!load_held)
		return;
	cw_stop(&load);
	cw_free(&load);
	load_held = false;
	lab_sh->n_workers = 0;
}

void lab_load_start(struct lab_msg *m)
{
	int n = m->u.load.n;

	load_release();
	if (n <= 0 || n > LAB_MAX_WORKERS) {
		m->rc = -EINVAL;
		snprintf(m->u.why, sizeof(m->u.why), "%d load workers (1..%d)", n, LAB_MAX_WORKERS);
		return;
	}
	m->rc = cw_start(&load, m->u.load.sharing, m->u.load.op, n, m->u.load.sample_every,
			 m->u.why, sizeof(m->u.why));
	if (m->rc)
		return;
	load_held = true;
	for (int w = 0; w < load.n; w++)
		lab_sh->worker_pids[w] = load.pids ? load.pids[w] : 0;
	lab_sh->n_workers = load.n;
	cw_go(&load);
}

void lab_load_stop(struct lab_msg *m)
{
	if (!load_held) {
		m->rc = -ESRCH;
		snprintf(m->u.why, sizeof(m->u.why), "no load workers");
		return;
	}
	cw_stop(&load);
	memset(&m->u.load_r, 0, sizeof(m->u.load_r));
	m->u.load_r.t_go = load.t_go;
	m->u.load_r.t_stop = load.t_stop;
	m->u.load_r.n = load.n;
	m->u.load_r.status_failed = load.status_failed;
	for (int w = 0; w < load.n; w++) {
		m->u.load_r.ops[w] = load.ctl->slot[w].ops;
		m->u.load_r.err[w] = load.ctl->slot[w].err;
	}
	/* the whole control block (per-worker CPU time, latency samples) for the driver */
	if (load.ctl_size <= LAB_CTL_BYTES) {
		memcpy((char *)lab_sh + LAB_CTL_OFF, load.ctl, load.ctl_size);
		m->u.load_r.ctl_size = load.ctl_size;
	}
	cw_free(&load);
	load_held = false;
	lab_sh->n_workers = 0;
	m->rc = 0;
}

void lab_postfork(struct lab_msg *m)
{
	struct postfork_result pf;
	uint32_t reps = m->u.pf.reps;
	bool passes = m->u.pf.passes;
	int rc;

	if (!mem_held) {
		m->rc = -ENOENT;
		snprintf(m->u.why, sizeof(m->u.why), "no memory held");
		return;
	}
	if (reps == 0 || reps > LAB_MAX_REPS)
		reps = reps ? LAB_MAX_REPS : 1;
	rc = postfork_measure(&mem, reps, m->u.pf.max_seconds, passes, &lab_sh->stop, &pf);
	memset(&m->u.pf_r, 0, sizeof(m->u.pf_r));
	m->rc = rc;
	if (rc) {
		snprintf(m->u.why, sizeof(m->u.why), "%s", strerror(-rc));
	} else {
		m->u.pf_r.n = (uint32_t)pf.n;
		m->u.pf_r.passes = pf.passes;
		for (size_t i = 0; i < pf.n; i++) {
			m->u.pf_r.vmpte_kb[i] = pf.vmpte_kb[i];
			m->u.pf_r.no_child_ns[i] = pf.no_child_ns[i];
			m->u.pf_r.child_alive_ns[i] = pf.child_alive_ns[i];
			m->u.pf_r.after_exit_ns[i] = pf.after_exit_ns[i];
			m->u.pf_r.post_fork_ns[i] = pf.post_fork_ns[i];
			m->u.pf_r.post_exit_ns[i] = pf.post_exit_ns[i];
		}
	}
	postfork_free(&pf);
}

void lab_state_release(void)
{
	load_release();
	lab_fds_close(NULL);
	lab_mem_free(NULL);
}
