/*
 * Backend conformance: one table of checks that every registered backend passes (efork
 * backends registered later join automatically), plus the clone backend under several
 * share settings. Unavailable backends are skipped with their reason.
 *
 * Needs $SPAWNSCOPE_BUILD/tests/targets/childprobe and $SPAWNSCOPE_BUILD/targets/exit0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "impls/backend.h"
#include "impls/clone.h"
#include "impls/registry.h"
#include "impls/targets/stamp_proto.h"
#include "proc_count.h"
#include "tap.h"

/* Fixed fd numbers the checks use in the parent (moved there so the numbers are known). */
#define FD_ZERO_CLOEXEC 40 /* /dev/zero, O_CLOEXEC: DUP2 40->40 must keep it across exec */
#define FD_INHERITED 43	   /* /dev/zero without O_CLOEXEC: inherited unless BLANK_FDS */
#define FD_STAMP 44	   /* noexec stamp fd */
#define RACE_ROUNDS 100	   /* spawns per thread in the two-thread check */

struct subject {
	const struct spawn_backend *be;
	unsigned share; /* req.share */
	char label[64];
	bool sync; /* exec errors expected from spawn() */
	int leaks; /* zombie / fd-count violations seen so far */
	int runs;
};

static int closed_fd; /* an fd number not open in this process */
static char probe_path[PATH_MAX], exit0_path[PATH_MAX], noexec_path[PATH_MAX];
static char *const probe_env[] = {"A=1", "EMPTY=", "SPACES=a b  c", "", "LAST=\xc3\xa9t\xc3\xa9",
				  NULL};

/* No child left (zombie or live) and the fd count as before: else count a leak. */
static void check_clean(struct subject *s, int fds_before)
{
	int status;
	pid_t w = waitpid(-1, &status, WNOHANG);
	s->runs++;
	if (!(w < 0 && errno == ECHILD)) {
		tap_diag("%s: a child remains after reap (waitpid -> %d)", s->label, (int)w);
		s->leaks++;
		if (w == 0)
			while (waitpid(-1, &status, 0) > 0)
				;
	}
	int fds = count_fds();
	if (fds != fds_before) {
		tap_diag("%s: parent fd count %d -> %d", s->label, fds_before, fds);
		s->leaks++;
	}
}

struct run {
	int spawn_err, reap_err, status;
	char out[8192];
	size_t out_len;
};

/*
 * Spawn path with argv, fd 1 a pipe (installed by fd_ops for every backend, so a
 * BLANK_FDS backend works too), then extra ops; reap; then read what the child wrote (all
 * of it fits in the pipe, and the write end is only closed after the reap: a CLONE_FILES
 * child without CLONE_VFORK uses the parent's table until it unshares it).
 */
static int run_child(struct subject *s, const char *path, char *const *argv,
		     const struct spawn_fd_op *extra, size_t n_extra, struct run *r)
{
	struct spawn_fd_op ops[16];
	int p[2];
	int fds_before = count_fds();

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	ops[0] = (struct spawn_fd_op){.kind = SPAWN_FD_DUP2, .fd = p[1], .newfd = 1};
	for (size_t i = 0; i < n_extra && i < 15; i++)
		ops[1 + i] = extra[i];
	struct spawn_req req = {.path = path,
				.argv = argv,
				.envp = probe_env,
				.fd_ops = ops,
				.n_fd_ops = 1 + n_extra,
				.share = s->share,
				.exec = true,
				.stamp_fd = -1};
	struct spawn_child child;
	r->spawn_err = s->be->spawn(&req, &child);
	if (!r->spawn_err)
		r->reap_err = s->be->reap(&child, &r->status);
	close(p[1]);
	ssize_t n;
	while ((n = read(p[0], r->out + r->out_len, sizeof(r->out) - 1 - r->out_len)) > 0)
		r->out_len += (size_t)n;
	r->out[r->out_len] = '\0';
	close(p[0]);
	check_clean(s, fds_before);
	return 0;
}

static bool exited_with(const struct run *r, int code)
{
	return r->spawn_err == 0 && r->reap_err == 0 && WIFEXITED(r->status) &&
	       WEXITSTATUS(r->status) == code;
}

static void describe(const struct run *r, char *buf, size_t len)
{
	snprintf(buf, len, "spawn %s, reap %s, status 0x%x", strerror(-r->spawn_err),
		 strerror(-r->reap_err), (unsigned)r->status);
}

/* ---- the checks ---- */

static void check_args(struct subject *s)
{
	char *argv[] = {probe_path,
			"args",
			"",
			"with space",
			" lead and trail ",
			"tab\there",
			"\xc3\xbcml\xc3\xa4ut",
			"",
			NULL};
	char expect[1024], d[128];
	size_t len = 0;
	struct run r;
	for (char **a = argv; *a; a++)
		len += (size_t)snprintf(expect + len, sizeof(expect) - len, "A%s", *a) + 1;
	for (char *const *e = probe_env; *e; e++)
		len += (size_t)snprintf(expect + len, sizeof(expect) - len, "E%s", *e) + 1;
	run_child(s, probe_path, argv, NULL, 0, &r);
	describe(&r, d, sizeof(d));
	tap_ok(exited_with(&r, 0) && r.out_len == len && !memcmp(r.out, expect, len),
	       "%s: argv and envp arrive intact, empty strings and spaces included (%s, %zu/%zu "
	       "bytes)",
	       s->label, d, r.out_len, len);
}

/* The target of fd in a "fds" listing, or NULL. */
static const char *fd_target(const char *listing, int fd, char *buf, size_t len)
{
	char key[16];
	int klen = snprintf(key, sizeof(key), "%d ", fd);
	for (const char *l = listing; *l;) {
		const char *nl = strchr(l, '\n');
		size_t llen = nl ? (size_t)(nl - l) : strlen(l);
		if (llen >= (size_t)klen && !strncmp(l, key, (size_t)klen)) {
			size_t n = llen - (size_t)klen < len - 1 ? llen - (size_t)klen : len - 1;
			memcpy(buf, l + klen, n);
			buf[n] = '\0';
			return buf;
		}
		l += llen + (nl ? 1 : 0);
	}
	return NULL;
}

static int highest_fd(const char *listing)
{
	int hi = -1;
	for (const char *l = listing; *l;) {
		int fd = atoi(l);
		if (fd > hi)
			hi = fd;
		const char *nl = strchr(l, '\n');
		if (!nl)
			break;
		l = nl + 1;
	}
	return hi;
}

static void check_fd_order(struct subject *s)
{
	char *argv[] = {probe_path, "fds", NULL};
	/* dup2 the pipe to 5, close 5, open /dev/null at 5: only that order leaves /dev/null
	 * at 5. Then DUP2 40->40 clears FD_CLOEXEC, closing a closed fd is no error, and
	 * CLOSE_FROM 41 closes everything above. */
	const struct spawn_fd_op ops[] = {
	    {.kind = SPAWN_FD_DUP2, .fd = 1, .newfd = 5},
	    {.kind = SPAWN_FD_CLOSE, .fd = 5},
	    {.kind = SPAWN_FD_OPEN, .fd = 5, .path = "/dev/null", .oflag = O_RDONLY},
	    {.kind = SPAWN_FD_DUP2, .fd = FD_ZERO_CLOEXEC, .newfd = FD_ZERO_CLOEXEC},
	    {.kind = SPAWN_FD_CLOSE, .fd = closed_fd},
	    {.kind = SPAWN_FD_CLOSE_FROM, .fd = FD_ZERO_CLOEXEC + 1},
	};
	char t5[PATH_MAX], t40[PATH_MAX], d[128];
	struct run r;
	run_child(s, probe_path, argv, ops, sizeof(ops) / sizeof(ops[0]), &r);
	describe(&r, d, sizeof(d));
	const char *a = fd_target(r.out, 5, t5, sizeof(t5));
	const char *b = fd_target(r.out, FD_ZERO_CLOEXEC, t40, sizeof(t40));
	int hi = highest_fd(r.out);
	bool ok = exited_with(&r, 0) && a && !strcmp(a, "/dev/null") && b &&
		  !strcmp(b, "/dev/zero") && hi <= FD_ZERO_CLOEXEC;
	tap_ok(ok, "%s: fd actions in order (fd 5 -> %s, fd 40 -> %s, highest %d; %s)", s->label,
	       a ? a : "closed", b ? b : "closed", hi, d);
}

static void check_exit3(struct subject *s)
{
	char *argv[] = {probe_path, "exit", "3", NULL};
	char d[128];
	struct run r;
	run_child(s, probe_path, argv, NULL, 0, &r);
	describe(&r, d, sizeof(d));
	tap_ok(exited_with(&r, 3), "%s: exit status 3 comes back (%s)", s->label, d);
}

static void check_signaled(struct subject *s)
{
	char *argv[] = {probe_path, "kill", "9", NULL};
	char d[128];
	struct run r;
	run_child(s, probe_path, argv, NULL, 0, &r);
	describe(&r, d, sizeof(d));
	tap_ok(!r.spawn_err && !r.reap_err && WIFSIGNALED(r.status) && WTERMSIG(r.status) == 9,
	       "%s: death by SIGKILL comes back (%s)", s->label, d);
}

/* The error is seen at spawn() (SYNC_EXEC_ERROR) or at reap(), never both, never neither. */
static void check_exec_error(struct subject *s, const char *path, int want, const char *what)
{
	char *argv[] = {(char *)path, NULL};
	char d[128];
	struct run r;
	int runs_leaks = s->leaks;
	run_child(s, path, argv, NULL, 0, &r);
	describe(&r, d, sizeof(d));
	bool ok = s->sync ? r.spawn_err == -want : (r.spawn_err == 0 && r.reap_err == -want);
	tap_ok(ok && s->leaks == runs_leaks, "%s: %s gives %s at %s, no child remains (%s)",
	       s->label, what, strerror(want), s->sync ? "spawn" : "reap", d);
}

static void check_enoent(struct subject *s)
{
	check_exec_error(s, "/nonexistent/spawnscope-conformance", ENOENT, "a missing program");
}

static char noexec_file[PATH_MAX];
static void check_eacces(struct subject *s)
{
	check_exec_error(s, noexec_file, EACCES, "a non-executable file");
}

/* A failing fd action is reported like an exec error: DUP2 from a closed fd is -EBADF. */
static void check_fd_op_error(struct subject *s)
{
	char *argv[] = {probe_path, NULL};
	const struct spawn_fd_op ops[] = {{.kind = SPAWN_FD_DUP2, .fd = closed_fd, .newfd = 7}};
	char d[128];
	struct run r;
	int leaks = s->leaks;
	run_child(s, probe_path, argv, ops, 1, &r);
	describe(&r, d, sizeof(d));
	bool ok = s->sync ? r.spawn_err == -EBADF : (r.spawn_err == 0 && r.reap_err == -EBADF);
	tap_ok(ok && s->leaks == leaks,
	       "%s: a failing fd action (dup2 of closed fd %d) gives %s at %s (%s)", s->label,
	       closed_fd, strerror(EBADF), s->sync ? "spawn" : "reap", d);
}

/* "SigBlk:\t000...": the hex mask of that line, or ~0 when absent. */
static uint64_t status_mask(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ull;
}

static uint64_t own_blocked_mask(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/thread-self/status", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return status_mask(buf, "SigBlk:");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void check_signals(struct subject *s)
{
	char *argv[] = {probe_path, "sig", NULL};
	struct sigaction sa = {.sa_handler = on_usr1}, old_usr1, old_pipe;
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigset_t set, old_mask;
	char d[128];
	struct run r;

	/* A distinctive parent state: SIGUSR2 and SIGWINCH blocked, a handler for SIGUSR1,
	 * SIGPIPE ignored. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGWINCH);
	sigaction(SIGUSR1, &sa, &old_usr1);
	sigaction(SIGPIPE, &ign, &old_pipe);
	pthread_sigmask(SIG_BLOCK, &set, &old_mask);
	uint64_t parent_blk = own_blocked_mask();
	run_child(s, probe_path, argv, NULL, 0, &r);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGUSR1, &old_usr1, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);

	describe(&r, d, sizeof(d));
	uint64_t blk = status_mask(r.out, "SigBlk:"), ign_m = status_mask(r.out, "SigIgn:"),
		 cgt = status_mask(r.out, "SigCgt:");
	uint64_t bit_usr1 = 1ull << (SIGUSR1 - 1), bit_pipe = 1ull << (SIGPIPE - 1);
	tap_ok(exited_with(&r, 0) && blk == parent_blk && (blk & (1ull << (SIGUSR2 - 1))) &&
		   !(cgt & bit_usr1) && (ign_m & bit_pipe),
	       "%s: child mask = parent's (%016llx vs %016llx), SIGUSR1 handler not inherited "
	       "(SigCgt %016llx), SIGPIPE still ignored (SigIgn %016llx) (%s)",
	       s->label, (unsigned long long)blk, (unsigned long long)parent_blk,
	       (unsigned long long)cgt, (unsigned long long)ign_m, d);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check_noexec(struct subject *s)
{
	char *argv[] = {noexec_path, NULL};
	int p[2], status = -1, fds_before = count_fds();
	struct spawn_child child;
	struct stamp_msg msg;
	char d[160];

	if (pipe2(p, O_CLOEXEC) != 0 || dup3(p[1], FD_STAMP, 0) < 0) {
		tap_ok(0, "%s: noexec: pipe: %s", s->label, strerror(errno));
		return;
	}
	close(p[1]);
	/* DUP2 FD_STAMP->FD_STAMP installs it in a BLANK_FDS child; a no-op elsewhere. */
	const struct spawn_fd_op ops[] = {
	    {.kind = SPAWN_FD_DUP2, .fd = FD_STAMP, .newfd = FD_STAMP}};
	struct spawn_req req = {.path = noexec_path,
				.argv = argv,
				.envp = probe_env,
				.fd_ops = ops,
				.n_fd_ops = 1,
				.share = s->share,
				.exec = false,
				.stamp_fd = FD_STAMP};
	int64_t t0 = now_ns();
	int spawn_err = s->be->spawn(&req, &child), reap_err = 0;
	if (!spawn_err)
		reap_err = s->be->reap(&child, &status);
	int64_t t1 = now_ns();
	close(FD_STAMP);
	ssize_t n = read(p[0], &msg, sizeof(msg));
	close(p[0]);
	check_clean(s, fds_before);
	snprintf(d, sizeof(d), "spawn %s, reap %s, status 0x%x, %zd stamp bytes",
		 strerror(-spawn_err), strerror(-reap_err), (unsigned)status, n);
	if (s->be->caps & SPAWN_CAP_NOEXEC) {
		int64_t t = msg.sec * 1000000000 + msg.nsec;
		tap_ok(!spawn_err && !reap_err && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			   n == (ssize_t)sizeof(msg) && t >= t0 && t <= t1,
		       "%s: noexec child stamps inside the spawn..reap window and exits 0 (%s)",
		       s->label, d);
	} else {
		tap_ok(spawn_err < 0 && n == 0,
		       "%s: noexec refused cleanly without SPAWN_CAP_NOEXEC (%s)", s->label, d);
	}
}

static void check_inherit(struct subject *s)
{
	char *argv[] = {probe_path, "fds", NULL};
	char t[PATH_MAX], d[128];
	struct run r;
	int z = open("/dev/zero", O_RDONLY);
	if (z < 0 || dup3(z, FD_INHERITED, 0) < 0) {
		tap_ok(0, "%s: inheritance: /dev/zero: %s", s->label, strerror(errno));
		if (z >= 0)
			close(z);
		return;
	}
	close(z);
	run_child(s, probe_path, argv, NULL, 0, &r);
	close(FD_INHERITED);
	describe(&r, d, sizeof(d));
	const char *got = fd_target(r.out, FD_INHERITED, t, sizeof(t));
	if (s->be->caps & SPAWN_CAP_BLANK_FDS) {
		/* Only fd 1 was installed. */
		bool only_1 = highest_fd(r.out) == 1 && fd_target(r.out, 1, t, sizeof(t)) &&
			      !fd_target(r.out, 0, t, sizeof(t));
		tap_ok(exited_with(&r, 0) && !got && only_1,
		       "%s: BLANK_FDS: the child sees only the installed fd 1 (%s)", s->label, d);
	} else {
		tap_ok(exited_with(&r, 0) && got && !strcmp(got, "/dev/zero"),
		       "%s: an fd without FD_CLOEXEC is inherited (fd %d -> %s; %s)", s->label,
		       FD_INHERITED, got ? got : "missing", d);
	}
}

/* Two threads spawn at once, one a program that exits 3, the other a missing program: every
 * result must be its own (the exec-error slots and stacks of one spawn never serve another). */
struct racer {
	struct subject *s;
	const char *path;
	int want_err, want_code, bad, done;
};

static void *race(void *arg)
{
	struct racer *rc = arg;
	char *argv[] = {(char *)rc->path, "exit", "3", NULL};
	const struct spawn_fd_op ops[] = {{.kind = SPAWN_FD_CLOSE, .fd = FD_ZERO_CLOEXEC}};
	struct spawn_req req = {.path = rc->path,
				.argv = argv,
				.envp = probe_env,
				.fd_ops = ops,
				.n_fd_ops = 1,
				.share = rc->s->share,
				.exec = true,
				.stamp_fd = -1};
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct spawn_child child;
		int status = -1, reap_err = 0;
		int err = rc->s->be->spawn(&req, &child);
		if (!err)
			reap_err = rc->s->be->reap(&child, &status);
		int got = err ? err : reap_err;
		if (got != -rc->want_err ||
		    (!rc->want_err && !(WIFEXITED(status) && WEXITSTATUS(status) == rc->want_code)))
			rc->bad++;
		rc->done++;
	}
	return NULL;
}

static void check_threads(struct subject *s)
{
	struct racer a = {.s = s, .path = probe_path, .want_code = 3};
	struct racer b = {.s = s, .path = "/nonexistent/spawnscope-race", .want_err = ENOENT};
	pthread_t ta, tb;
	int fds_before = count_fds();
	int e1 = pthread_create(&ta, NULL, race, &a);
	int e2 = e1 ? e1 : pthread_create(&tb, NULL, race, &b);
	if (!e1)
		pthread_join(ta, NULL);
	if (!e2)
		pthread_join(tb, NULL);
	check_clean(s, fds_before);
	tap_ok(!e1 && !e2 && a.done == RACE_ROUNDS && b.done == RACE_ROUNDS && !a.bad && !b.bad,
	       "%s: two threads spawning at once each get their own results (%d + %d wrong of "
	       "%d + %d; pthread_create: %s)",
	       s->label, a.bad, b.bad, a.done, b.done, strerror(e1 ? e1 : e2));
}

static void check_no_leaks(struct subject *s)
{
	tap_ok(s->leaks == 0, "%s: no zombie and no extra parent fd after %d spawn+reap runs",
	       s->label, s->runs);
}

static void (*const checks[])(struct subject *) = {
    check_args,	       check_fd_order, check_exit3,  check_signaled, check_enoent,  check_eacces,
    check_fd_op_error, check_signals,  check_noexec, check_inherit,  check_threads, check_no_leaks,
};
#define N_CHECKS (int)(sizeof(checks) / sizeof(checks[0]))

/* The clone backend again with these share settings (its default is the first subject). */
static const unsigned clone_variants[] = {SHARE_VFORK, SHARE_FILES, SHARE_VM,
					  SHARE_VM | SHARE_FILES | SHARE_FS | SHARE_IO,
					  SHARE_VM | SHARE_SIGHAND | SHARE_VFORK};

static int setup_paths(void)
{
	const char *build = getenv("SPAWNSCOPE_BUILD");
	if (!build || !*build) {
		fprintf(stderr, "conformance: SPAWNSCOPE_BUILD is not set\n");
		return -1;
	}
	snprintf(probe_path, sizeof(probe_path), "%s/tests/targets/childprobe", build);
	snprintf(exit0_path, sizeof(exit0_path), "%s/targets/exit0", build);
	snprintf(noexec_path, sizeof(noexec_path), "%s", exit0_path);
	if (access(probe_path, X_OK) != 0) {
		fprintf(stderr, "conformance: %s: %s\n", probe_path, strerror(errno));
		return -1;
	}
	for (closed_fd = 200; closed_fd > FD_STAMP && fcntl(closed_fd, F_GETFD) != -1; closed_fd--)
		;
	snprintf(noexec_file, sizeof(noexec_file), "/tmp/spawnscope-conf-XXXXXX");
	int fd = mkstemp(noexec_file);
	if (fd < 0) {
		fprintf(stderr, "conformance: mkstemp %s: %s\n", noexec_file, strerror(errno));
		return -1;
	}
	/* A shell script without the x bit: execve refuses it with EACCES. */
	if (write(fd, "#!/bin/sh\nexit 0\n", 17) != 17 || fchmod(fd, 0644) != 0) {
		fprintf(stderr, "conformance: %s: %s\n", noexec_file, strerror(errno));
		close(fd);
		unlink(noexec_file);
		return -1;
	}
	close(fd);
	/* fd 40: /dev/zero with FD_CLOEXEC, for the DUP2 40->40 check. */
	int z = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (z < 0 || dup3(z, FD_ZERO_CLOEXEC, O_CLOEXEC) < 0) {
		fprintf(stderr, "conformance: /dev/zero: %s\n", strerror(errno));
		unlink(noexec_file);
		return -1;
	}
	close(z);
	return 0;
}

/* SPAWNSCOPE_CONFORMANCE_ONLY=a,b limits the run to those labels (e.g. under valgrind,
 * which cannot follow CLONE_VM children). */
static bool selected(const char *label)
{
	const char *only = getenv("SPAWNSCOPE_CONFORMANCE_ONLY");
	size_t len = strlen(label);
	if (!only || !*only)
		return true;
	for (const char *p = only; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == len && !strncmp(p, label, n))
			return true;
		p += n + (end ? 1 : 0);
	}
	return false;
}

static void run_subject(struct subject *s)
{
	char why[256] = "";
	if (!selected(s->label)) {
		for (int i = 0; i < N_CHECKS; i++)
			tap_skip_test("not in SPAWNSCOPE_CONFORMANCE_ONLY", "%s: check %d",
				      s->label, i + 1);
		return;
	}
	int err = s->be->available ? s->be->available(why, sizeof(why)) : -ENOSYS;
	if (err) {
		for (int i = 0; i < N_CHECKS; i++)
			tap_skip_test(why[0] ? why : strerror(-err), "%s: check %d", s->label,
				      i + 1);
		return;
	}
	for (int i = 0; i < N_CHECKS; i++)
		checks[i](s);
}

/* Plug-ins join the table too: every $SPAWNSCOPE_BUILD/plugins/lib*.so is loaded (and so
 * registered) before the loop, as `--backends plugin:PATH` would. */
static int load_plugins(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], why[256];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/plugins", getenv("SPAWNSCOPE_BUILD"));
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		const struct spawn_backend *be;
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "lib", 3) || len < 4 || strcmp(e->d_name + len - 3, ".so"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		why[0] = 0;
		if (backend_load_plugin(path, &be, why, sizeof(why))) {
			fprintf(stderr, "conformance: %s: %s\n", path, why);
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

int main(void)
{
	size_t n;
	const struct spawn_backend *clone_be = backend_find("clone");
	size_t n_variants = clone_be ? sizeof(clone_variants) / sizeof(clone_variants[0]) : 0;

	if (setup_paths() != 0 || load_plugins() != 0)
		return 2;
	n = backend_count();
	tap_plan((int)((n + n_variants) * (size_t)N_CHECKS));
	for (size_t i = 0; i < n; i++) {
		struct subject s = {.be = backend_at(i)};
		snprintf(s.label, sizeof(s.label), "%s", s.be->name);
		s.sync = s.be->caps & SPAWN_CAP_SYNC_EXEC_ERROR;
		run_subject(&s);
	}
	for (size_t i = 0; i < n_variants; i++) {
		struct subject s = {.be = clone_be, .share = clone_variants[i]};
		snprintf(s.label, sizeof(s.label), "clone[%s]", share_format(s.share));
		/* Without CLONE_VFORK the parent does not wait for the exec: errors at reap. */
		s.sync = clone_variants[i] & SHARE_VFORK;
		run_subject(&s);
	}
	close(FD_ZERO_CLOEXEC);
	unlink(noexec_file);
	return tap_done();
}
