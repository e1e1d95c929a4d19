/* The driver's side of the lab: see lab_client.h and lab/lab_proto.h. */
#include "lab_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "experiment.h"
#include "signals.h"
#include "bench/lib/units.h"

extern char **environ;

/* How often the driver wakes while the lab measures: every wake-up is a few µs of CPU taken
 * on a machine whose CPUs the lab and its children are using, so it wakes only as often as
 * the sample timeout's precision (a quarter of it) or a progress line (twice a second) needs.
 * A signal wakes it at once (poll returns EINTR). */
#define PROGRESS_MS 500
#define WATCH_MIN_MS 50

static int watch_interval_ms(const struct lab *l, const struct lab_progress *p)
{
	int64_t ms = l->sample_timeout_ns > 0 ? l->sample_timeout_ns / 4000000 : 1000;

	if (p && p->what && p->tty && ms > PROGRESS_MS)
		ms = PROGRESS_MS;
	if (l->deadline_ns && ms > 1000)
		ms = 1000;
	return ms < WATCH_MIN_MS ? WATCH_MIN_MS : (int)ms;
}
/* The lab's hello: an exec and a few syscalls. */
#define HELLO_TIMEOUT_MS 10000

/* The lab is gone: reap it and say how it ended. */
static int lab_lost(struct lab *l, int err)
{
	char how[96] = "still running";
	int status;

	if (l->dead)
		return -EPIPE;
	l->dead = true;
	if (waitpid(l->pid, &status, 0) == l->pid)
		wait_status_str(status, how, sizeof(how));
	fprintf(stderr, "spawnscope: the lab (pid %d) stopped answering (%s): %s\n", (int)l->pid,
		strerror(-err), how);
	return -EPIPE;
}

static int send_msg(struct lab *l, const struct lab_msg *m)
{
	ssize_t n;

	do
		n = send(l->sock, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*m))
		return 0;
	return lab_lost(l, n < 0 ? -errno : -EPROTO);
}

/* Kill the sample in flight: its child when the lab has one, else (a spawn that never
 * returned) every child of the lab that is not a load worker. */
static void kill_sample(struct lab *l)
{
	char path[64];
	pid_t pid = l->sh->child_pid;
	int n_workers = l->sh->n_workers;

	if (pid > 0) {
		kill(pid, SIGKILL);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)l->pid, (int)l->pid);
	signals_kill_listed(path, l->sh->worker_pids,
			    n_workers < LAB_MAX_WORKERS ? n_workers : LAB_MAX_WORKERS);
}

static void watch(struct lab *l)
{
	uint64_t seq = l->sh->sample_seq;
	int64_t t0 = l->sh->sample_t0_ns;

	if (g_interrupted)
		l->sh->stop = 1;
	if (l->deadline_ns && now_ns() > l->deadline_ns && !l->point_expired) {
		l->point_expired = true;
		l->sh->stop = 1; /* the lab returns what it has; the caller fails the point */
	}
	/* t0 must belong to seq: read seq, t0, seq again (the lab writes seq, then t0) */
	if (t0 && l->sample_timeout_ns > 0 && l->sh->sample_seq == seq &&
	    l->sh->timed_out_seq != seq && now_ns() - t0 > l->sample_timeout_ns) {
		l->sh->timed_out_seq = seq;
		if (l->sh->sample_seq == seq && l->sh->sample_t0_ns)
			kill_sample(l);
	}
}

static void show_progress(const struct lab *l, const struct lab_progress *p, bool final)
{
	uint64_t done = l->sh->done, total = l->sh->total;

	if (!p || !p->what || !p->tty)
		return;
	fprintf(stderr, "\r\033[K%s %llu/%llu (%.0f%%)%s", p->what, (unsigned long long)done,
		(unsigned long long)total, total ? 100.0 * (double)done / (double)total : 100.0,
		final ? "\n" : "");
}

int lab_call(struct lab *l, struct lab_msg *m, lab_event_fn fn, void *arg,
	     const struct lab_progress *progress)
{
	struct pollfd pfd = {.fd = l->sock, .events = POLLIN};
	int64_t last_progress = 0;
	int interval = watch_interval_ms(l, progress);
	int rc;

	if (l->dead)
		return -EPIPE;
	if ((rc = send_msg(l, m)))
		return rc;
	for (;;) {
		struct lab_msg in;
		ssize_t n;

		watch(l);
		if (progress && now_ns() - last_progress > PROGRESS_MS * 1000000LL) {
			show_progress(l, progress, false);
			last_progress = now_ns();
		}
		rc = poll(&pfd, 1, interval);
		if (rc < 0 && errno != EINTR)
			return lab_lost(l, -errno);
		if (rc <= 0)
			continue;
		n = recv(l->sock, &in, sizeof(in), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(in))
			return lab_lost(l, n < 0 ? -errno : n == 0 ? -EPIPE : -EPROTO);
		if (in.op == LAB_REPLY) {
			*m = in;
			show_progress(l, progress, true);
			return 0;
		}
		/* a block event: answer it, the lab waits */
		struct lab_msg re;
		memset(&re, 0, sizeof(re));
		re.op = LAB_REPLY;
		re.rc = fn ? fn(arg, &in, re.u.why, sizeof(re.u.why)) : 0;
		if ((rc = send_msg(l, &re)))
			return rc;
	}
}

int lab_start(const char *exe_dir, int64_t sample_timeout_ns, struct lab **out)
{
	char path[PATH_MAX], pidbuf[24];
	char *argv[3] = {path, pidbuf, NULL};
	posix_spawn_file_actions_t fa;
	struct pollfd pfd;
	struct lab_msg m;
	struct lab *l;
	int sv[2] = {-1, -1}, mfd = -1, hi_sock = -1, hi_mfd = -1, rc;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/spawnscope-lab", exe_dir);
	if (access(path, X_OK)) {
		rc = -errno;
		fprintf(stderr, "spawnscope: the lab %s: %s (build it with make)\n", path,
			strerror(errno));
		return rc;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->sock = -1;
	l->pid = -1;
	l->sample_timeout_ns = sample_timeout_ns;
	l->arena_off = LAB_SAMPLES_OFF;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) ||
	    (mfd = memfd_create("spawnscope-lab-arena", MFD_CLOEXEC)) < 0 ||
	    ftruncate(mfd, (off_t)LAB_ARENA_BYTES)) {
		rc = -errno;
		fprintf(stderr, "spawnscope: setting up the lab's channel: %s\n", strerror(errno));
		goto fail;
	}
	l->sh = mmap(NULL, LAB_ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (l->sh == MAP_FAILED) {
		rc = -errno;
		l->sh = NULL;
		fprintf(stderr, "spawnscope: mapping the lab's arena: %s\n", strerror(errno));
		goto fail;
	}
	l->sh->magic = LAB_MAGIC;
	l->sh->version = LAB_PROTO_VERSION;
	/* out of the way of 3 and 4, so the dup2s below cannot clobber each other */
	hi_sock = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
	hi_mfd = fcntl(mfd, F_DUPFD_CLOEXEC, 10);
	if (hi_sock < 0 || hi_mfd < 0) {
		rc = -errno;
		fprintf(stderr, "spawnscope: setting up the lab's channel: %s\n", strerror(errno));
		goto fail;
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, hi_sock, LAB_SOCK_FD);
	posix_spawn_file_actions_adddup2(&fa, hi_mfd, LAB_ARENA_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, LAB_ARENA_FD + 1);
	rc = -posix_spawn(&l->pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "spawnscope: starting the lab %s: %s\n", path, strerror(-rc));
		l->pid = -1;
		goto fail;
	}
	close(sv[1]);
	close(hi_sock);
	close(hi_mfd);
	close(mfd);
	sv[1] = hi_sock = hi_mfd = mfd = -1;
	l->sock = sv[0];
	pfd = (struct pollfd){.fd = l->sock, .events = POLLIN};
	if (poll(&pfd, 1, HELLO_TIMEOUT_MS) != 1 ||
	    recv(l->sock, &m, sizeof(m), 0) != (ssize_t)sizeof(m) || m.op != LAB_HELLO) {
		rc = lab_lost(l, -ETIMEDOUT);
		goto fail;
	}
	if (m.rc) {
		rc = m.rc;
		fprintf(stderr, "spawnscope: the lab could not start: %s\n", m.u.why);
		goto fail;
	}
	g_lab_stop = &l->sh->stop;
	g_lab_pgrp = l->pid; /* the lab made itself a group leader before its hello */
	*out = l;
	return 0;
fail:
	if (sv[1] >= 0)
		close(sv[1]);
	if (hi_sock >= 0)
		close(hi_sock);
	if (hi_mfd >= 0)
		close(hi_mfd);
	if (mfd >= 0)
		close(mfd);
	l->dead = l->dead || l->pid <= 0;
	lab_stop(l);
	return rc;
}

void lab_stop(struct lab *l)
{
	struct lab_msg m;

	if (!l)
		return;
	if (!l->dead && l->sock >= 0) {
		memset(&m, 0, sizeof(m));
		m.op = LAB_QUIT;
		lab_call(l, &m, NULL, NULL, NULL);
	}
	if (l->pid > 0 && !l->dead) {
		int status;
		while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (g_lab_stop == &l->sh->stop) {
		g_lab_stop = NULL;
		g_lab_pgrp = 0;
	}
	if (l->sock >= 0)
		close(l->sock);
	if (l->sh)
		munmap(l->sh, LAB_ARENA_BYTES);
	free(l);
}

struct sample *lab_samples_alloc(struct lab *l, size_t cap, uint64_t *off)
{
	uint64_t bytes = ((uint64_t)cap * sizeof(struct sample) + 63) & ~63ull;

	if (l->arena_off + bytes > LAB_ARENA_BYTES)
		return NULL;
	*off = l->arena_off;
	l->arena_off += bytes;
	l->live++;
	return (struct sample *)((char *)l->sh + *off);
}

void lab_samples_free(struct lab *l)
{
	if (l->live && --l->live == 0)
		l->arena_off = LAB_SAMPLES_OFF;
}

/* A command with no events: 0 or -errno, the lab's reason printed after what. */
static int command(struct lab *l, const char *what, struct lab_msg *m)
{
	int rc = lab_call(l, m, NULL, NULL, NULL);

	if (rc) {
		snprintf(l->why, sizeof(l->why), "the lab stopped answering");
		return rc;
	}
	if (m->rc) {
		snprintf(l->why, sizeof(l->why), "%s", m->u.why[0] ? m->u.why : strerror(-m->rc));
		if (what)
			fprintf(stderr, "spawnscope: %s: %s\n", what, l->why);
	}
	return m->rc;
}

int lab_hold_mem(struct lab *l, const char *what, int kind, uint64_t size, unsigned nvmas,
		 struct lab_mem_info *info)
{
	struct lab_msg m = {.op = LAB_MEM_ALLOC};
	int rc;

	m.u.mem.kind = (uint32_t)kind;
	m.u.mem.size = size;
	m.u.mem.nvmas = nvmas;
	if ((rc = command(l, what, &m)))
		return rc;
	if (info)
		*info =
		    (struct lab_mem_info){m.u.mem_r.thp_bytes, m.u.mem_r.map_size, m.u.mem_r.nvmas};
	return 0;
}

int lab_release_mem(struct lab *l)
{
	struct lab_msg m = {.op = LAB_MEM_FREE};

	return command(l, "releasing the lab's memory", &m);
}

int lab_fds_room(struct lab *l, const char *what, uint64_t want, uint64_t *room, uint64_t *hard)
{
	struct lab_msg m = {.op = LAB_FDS_OPEN};
	int rc;

	m.u.fds.n = want;
	m.u.fds.cloexec = -1;
	if ((rc = command(l, what, &m)))
		return rc;
	*room = m.u.fds_r.room;
	*hard = m.u.fds_r.hard_limit;
	return 0;
}

int lab_hold_fds(struct lab *l, const char *what, uint64_t n, bool cloexec)
{
	struct lab_msg m = {.op = LAB_FDS_OPEN};

	m.u.fds.n = n;
	m.u.fds.cloexec = cloexec;
	return command(l, what, &m);
}

int lab_release_fds(struct lab *l, const char *what)
{
	struct lab_msg m = {.op = LAB_FDS_CLOSE};

	return command(l, what, &m);
}

int lab_start_load(struct lab *l, const char *what, int sharing, int op, int n,
		   uint32_t sample_every)
{
	struct lab_msg m = {.op = LAB_LOAD_START};

	m.u.load.sharing = sharing;
	m.u.load.op = op;
	m.u.load.n = n;
	m.u.load.sample_every = sample_every;
	return command(l, what, &m);
}

int lab_stop_load(struct lab *l, const char *what, struct lab_msg *r)
{
	memset(r, 0, sizeof(*r));
	r->op = LAB_LOAD_STOP;
	return command(l, what, r);
}

int lab_postfork(struct lab *l, const char *what, unsigned reps, double max_seconds, bool passes,
		 struct lab_msg *r)
{
	memset(r, 0, sizeof(*r));
	r->op = LAB_POSTFORK;
	r->u.pf.reps = reps;
	r->u.pf.max_seconds = max_seconds;
	r->u.pf.passes = passes;
	return command(l, what, r);
}

int lab_footprint(struct lab *l, struct lab_footprint *fp)
{
	struct lab_msg m = {.op = LAB_FOOTPRINT};
	int rc = command(l, "reading the lab's footprint", &m);

	if (!rc)
		*fp = m.u.fp;
	return rc;
}
