/*
 * The rules of impls/efork/efork.h, for both strategies: call order, errors with the child's errno,
 * refusal after start, exec failure then retry, deferred mode, the blank fd table, closing
 * unstarted and started contexts. An alarm turns any hang into a failure.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include "efork_testlib.h"

static char tmpdir[] = "/tmp/efork_api.XXXXXX";
static char datafile[PATH_MAX];

static void cleanup(void)
{
	if (datafile[0])
		unlink(datafile);
	rmdir(tmpdir);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "Bail out! efork_api: a call hung (alarm)\n";
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	cleanup();
	_exit(1);
}

static int err_is(int r, int want)
{
	return r == -1 && errno == want;
}

static void test_basics(unsigned fl, const char *sn)
{
	int c = efork(fl);
	tap_ok(c >= 0, "%s: efork returns a context fd (%s)", sn, c < 0 ? strerror(errno) : "ok");
	if (c < 0)
		return;
	int fdfl = fcntl(c, F_GETFD);
	tap_ok(fdfl >= 0 && (fdfl & FD_CLOEXEC), "%s: the context fd is close-on-exec", sn);
	tap_ok(ectx_pid(c) > 0, "%s: ectx_pid gives the child", sn);
	int rd = pipe_to_stdout(c);
	char out[512];
	int st = -1;
	char *args[] = {"exit", "7", NULL};
	tap_ok(rd >= 0 && probe_finish(c, rd, args, out, sizeof(out), &st) == 0 && WIFEXITED(st) &&
		   WEXITSTATUS(st) == 7,
	       "%s: exit status 7 comes back through ectx_wait (status %#x)", sn, st);
}

static void test_order(unsigned fl, const char *sn)
{
	int c = efork(fl);
	int p[2];
	if (c < 0 || pipe2(p, O_CLOEXEC) < 0) {
		tap_ok(0, "%s: order: efork/pipe: %s", sn, strerror(errno));
		return;
	}
	int rd = pipe_to_stdout(c);
	/* dup2 then close then open at 5: the file is what the program finds there. Then open
	 * at 6 and dup2 over it: the pipe wins. */
	int ok = ectx_dup2(c, p[1], 5) == 0 && ectx_close_fd(c, 5) == 0 &&
		 ectx_open(c, 5, datafile, O_RDONLY, 0) == 0 &&
		 ectx_open(c, 6, datafile, O_RDONLY, 0) == 0 && ectx_dup2(c, p[0], 6) == 0;
	close(p[0]);
	tap_ok(ok, "%s: dup2, close, open at one number, open then dup2 at another", sn);
	if (write(p[1], "through-the-pipe\n", 17) != 17)
		tap_diag("write to pipe: %s", strerror(errno));
	close(p[1]);
	char out[1024];
	int st = -1;
	char *args[] = {"read", "5", "read", "6", "fds", NULL};
	int r = probe_finish(c, rd, args, out, sizeof(out), &st);
	tap_ok(r == 0 && strstr(out, "read 5 efork-data") != NULL,
	       "%s: fd 5 holds the file opened last", sn);
	tap_ok(r == 0 && strstr(out, "read 6 through-the-pipe") != NULL,
	       "%s: fd 6 holds the pipe installed last", sn);
	tap_ok(r == 0 && strstr(out, "fds 1 5 6\n") != NULL, "%s: exactly fds 1 5 6 (%s)", sn,
	       oneline(out));
}

static void test_errors(unsigned fl, const char *sn)
{
	int c = efork(fl);
	if (c < 0) {
		tap_ok(0, "%s: errors: efork: %s", sn, strerror(errno));
		return;
	}
	int notopen = closed_fd();
	tap_ok(err_is(ectx_dup2(c, notopen, 3), EBADF), "%s: dup2 of a closed parent fd: EBADF",
	       sn);
	tap_ok(err_is(ectx_dup2(c, 0, -1), EBADF), "%s: dup2 to a negative number: EBADF", sn);
	struct rlimit nof;
	getrlimit(RLIMIT_NOFILE, &nof);
	tap_ok(err_is(ectx_dup2(c, 0, (int)nof.rlim_cur), EBADF),
	       "%s: dup2 beyond the child's RLIMIT_NOFILE: EBADF", sn);
	tap_ok(err_is(ectx_close_fd(c, 42), EBADF), "%s: close of an fd not open: EBADF", sn);
	tap_ok(err_is(ectx_open(c, 3, "/nonexistent/efork", O_RDONLY, 0), ENOENT),
	       "%s: open of a missing path: ENOENT", sn);
	tap_ok(err_is(ectx_chdir(c, "/nonexistent/efork"), ENOENT),
	       "%s: chdir to a missing path: ENOENT", sn);
	tap_ok(err_is(ectx_close_range(c, 9, 3), EINVAL), "%s: close_range lo > hi: EINVAL", sn);
	struct rlimit bad = {.rlim_cur = 100, .rlim_max = 10};
	tap_ok(err_is(ectx_setrlimit(c, RLIMIT_NOFILE, &bad), EINVAL),
	       "%s: rlimit cur > max: EINVAL", sn);
	tap_ok(err_is(ectx_setrlimit(c, 4242, &nof), EINVAL), "%s: unknown resource: EINVAL", sn);
	struct rlimit up = {.rlim_cur = nof.rlim_cur, .rlim_max = nof.rlim_max + 1};
	if (nof.rlim_max != RLIM_INFINITY && setrlimit(RLIMIT_NOFILE, &up) < 0 && errno == EPERM)
		tap_ok(err_is(ectx_setrlimit(c, RLIMIT_NOFILE, &up), EPERM),
		       "%s: raising the hard limit without CAP_SYS_RESOURCE: EPERM", sn);
	else
		tap_skip_test("this process may raise RLIMIT_NOFILE's hard limit", "%s: EPERM", sn);
	struct rlimit low = {.rlim_cur = 64, .rlim_max = nof.rlim_max};
	tap_ok(ectx_setrlimit(c, RLIMIT_NOFILE, &low) == 0 && err_is(ectx_dup2(c, 0, 100), EBADF),
	       "%s: the child's own lowered RLIMIT_NOFILE applies to later dup2", sn);
	tap_ok(ectx_setsid(c) == 0 && err_is(ectx_setsid(c), EPERM),
	       "%s: setsid, then setsid again: EPERM", sn);
	tap_ok(ectx_umask(c, 027) == 0 && ectx_chdir(c, tmpdir) == 0, "%s: umask and chdir succeed",
	       sn);
	long steps_before = ectx_failed_step(c);
	tap_ok(steps_before == -1, "%s: failed_step is -1 after a success", sn);
	int rd = pipe_to_stdout(c);
	char out[1024];
	int st = -1;
	char *args[] = {"cwd", "status", "nofile", "ids", NULL};
	int r = rd >= 0 ? probe_finish(c, rd, args, out, sizeof(out), &st) : -1;
	char want[PATH_MAX + 8];
	snprintf(want, sizeof(want), "cwd %s\n", tmpdir);
	tap_ok(r == 0 && strstr(out, want), "%s: the program starts in the chdir'd directory", sn);
	tap_ok(r == 0 && strstr(out, "status Umask 0027"), "%s: with the umask set", sn);
	char nofile[64];
	snprintf(nofile, sizeof(nofile), "nofile 64 %llu", (unsigned long long)nof.rlim_max);
	tap_ok(r == 0 && strstr(out, nofile), "%s: with the rlimit set", sn);
	int pid = 0, sid = 0, pgid = 0;
	const char *ids = r == 0 ? strstr(out, "ids ") : NULL;
	tap_ok(ids && sscanf(ids, "ids %d %d %d", &pid, &sid, &pgid) == 3 && sid == pid &&
		   pgid == pid,
	       "%s: in its own session (pid %d sid %d pgid %d)", sn, pid, sid, pgid);
	/* A stale context: every call says EBADF. */
	tap_ok(err_is(ectx_umask(c, 0), EBADF) && err_is(ectx_close(c), EBADF) &&
		   err_is(eexecve(c, exit0_path, (char *[]){"x", NULL}, no_env), EBADF) &&
		   err_is(ectx_dup2(c, 0, 0), EBADF) && ectx_pid(c) == -1,
	       "%s: a closed context: EBADF from every call", sn);
}

static void test_exec_retry_and_refusal(unsigned fl, const char *sn)
{
	int c = efork(fl);
	if (c < 0) {
		tap_ok(0, "%s: retry: efork: %s", sn, strerror(errno));
		return;
	}
	char *argv[] = {"efork_probe", "exit", "5", NULL};
	tap_ok(err_is(eexecve(c, "/nonexistent/efork", argv, no_env), ENOENT) &&
		   ectx_failed_step(c) == -1,
	       "%s: exec of a missing program: ENOENT, failed_step -1", sn);
	tap_ok(err_is(eexecve(c, datafile, argv, no_env), EACCES),
	       "%s: exec of a non-executable file: EACCES", sn);
	tap_ok(eexecve(c, probe_path, argv, no_env) == 0, "%s: the same context then starts", sn);
	tap_ok(err_is(ectx_chdir(c, "/"), EBUSY) && err_is(ectx_dup2(c, 0, 0), EBUSY) &&
		   err_is(ectx_umask(c, 0), EBUSY) && err_is(ectx_sync(c), EBUSY) &&
		   err_is(eexecve(c, probe_path, argv, no_env), EBUSY),
	       "%s: after start, set-up and exec: EBUSY", sn);
	int st = -1;
	tap_ok(ectx_wait(c, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 5,
	       "%s: and it ran (status %#x)", sn, st);
	tap_ok(ectx_close(c) == 0, "%s: close after wait", sn);
}

static void test_deferred(unsigned fl, const char *sn)
{
	int c = efork(fl);
	if (c < 0) {
		tap_ok(0, "%s: deferred: efork: %s", sn, strerror(errno));
		return;
	}
	/* steps: 0 defer is not a step; 0 umask, 1 open (fails in the child), 2 chdir */
	tap_ok(ectx_defer(c, 1) == 0 && ectx_umask(c, 022) == 0 &&
		   ectx_open(c, 4, "/nonexistent/efork", O_RDONLY, 0) == 0 &&
		   ectx_chdir(c, "/") == 0,
	       "%s: deferred calls return 0 at once", sn);
	tap_ok(err_is(ectx_sync(c), ENOENT) && ectx_failed_step(c) == 1,
	       "%s: sync reports the child's ENOENT of step 1 (step %ld)", sn, ectx_failed_step(c));
	int notopen = closed_fd();
	int rd = pipe_to_stdout(c); /* step 3, deferred */
	tap_ok(ectx_dup2(c, notopen, 7) == 0, "%s: a bad parent fd is queued as a failure", sn);
	char *argv[] = {"efork_probe", "fds", NULL};
	tap_ok(err_is(eexecve(c, probe_path, argv, no_env), EBADF) && ectx_failed_step(c) == 4,
	       "%s: eexecve reports EBADF of step 4 and does not exec (step %ld)", sn,
	       ectx_failed_step(c));
	tap_ok(ectx_defer(c, 0) == 0 && ectx_open(c, 9, datafile, O_RDONLY, 0) == 0,
	       "%s: back to synchronous calls", sn);
	char out[512];
	int st = -1;
	char *args[] = {"fds", NULL};
	int r = rd >= 0 ? probe_finish(c, rd, args, out, sizeof(out), &st) : -1;
	tap_ok(r == 0 && strstr(out, "fds 1 9\n"), "%s: then starts with fds 1 9 (%s)", sn,
	       r == 0 ? oneline(out) : strerror(errno));
}

/* A command line far larger than one channel message (the helper receives it in chunks). */
static void test_long_command_line(unsigned fl, const char *sn)
{
	enum { NARGS = 150, ARGLEN = 2000 };
	static char big[NARGS][ARGLEN + 1];
	char *argv[NARGS + 3] = {"efork_probe", "args"};
	for (int i = 0; i < NARGS; i++) {
		memset(big[i], 'a' + i % 26, ARGLEN);
		big[i][ARGLEN] = 0;
		argv[i + 2] = big[i];
	}
	argv[NARGS + 2] = NULL;
	int c = efork(fl);
	int rd = c >= 0 ? pipe_to_stdout(c) : -1;
	char out[256] = "";
	int st = -1, r = -1;
	if (rd >= 0 && eexecve(c, probe_path, argv, no_env) == 0) {
		read_all(rd, out, sizeof(out));
		ectx_wait(c, &st);
		r = 0;
	} else if (rd >= 0) {
		close(rd);
	}
	if (c >= 0)
		ectx_close(c);
	char want[64];
	snprintf(want, sizeof(want), "args %d %d\n", NARGS, NARGS * ARGLEN);
	tap_ok(r == 0 && !strcmp(out, want), "%s: a %d KB command line arrives whole (%s)", sn,
	       NARGS * ARGLEN / 1000, oneline(out));
	c = efork(fl);
	static char longpath[PATH_MAX + 100];
	memset(longpath, 'x', sizeof(longpath) - 1);
	tap_ok(c >= 0 && err_is(ectx_chdir(c, longpath), ENAMETOOLONG),
	       "%s: a path longer than PATH_MAX: ENAMETOOLONG", sn);
	if (c >= 0)
		ectx_close(c);
}

static void test_blank_table(unsigned fl, const char *sn)
{
	/* Parent fds of every kind: inheritable, close-on-exec, and high numbers. */
	int a = open("/dev/null", O_RDONLY);
	int b = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int h = fcntl(a, F_DUPFD, 200);
	int c = efork(fl);
	if (c < 0 || a < 0 || b < 0 || h < 0) {
		tap_ok(0, "%s: blank: set-up: %s", sn, strerror(errno));
		return;
	}
	int rd = pipe_to_stdout(c);
	int ok = ectx_dup2(c, a, 0) == 0 && ectx_dup2(c, h, h) == 0;
	char out[512];
	int st = -1;
	char *args[] = {"fds", NULL};
	int r = ok && rd >= 0 ? probe_finish(c, rd, args, out, sizeof(out), &st) : -1;
	char want[64];
	snprintf(want, sizeof(want), "fds 0 1 %d\n", h);
	tap_ok(r == 0 && !strcmp(out, want), "%s: the program sees only installed fds: %s", sn,
	       r == 0 ? oneline(out) : strerror(errno));
	/* close_range over everything, then install at 0: the hidden channel does not show */
	c = efork(fl);
	rd = c >= 0 ? pipe_to_stdout(c) : -1;
	ok = rd >= 0 && ectx_close_range(c, 0, ~0U) == 0 && err_is(ectx_close_fd(c, 1), EBADF);
	int p[2];
	ok = ok && pipe2(p, O_CLOEXEC) == 0;
	ok = ok && ectx_dup2(c, p[1], 1) == 0 && ectx_dup2(c, a, 0) == 0;
	close(rd);
	if (ok)
		close(p[1]);
	r = ok ? probe_finish(c, p[0], args, out, sizeof(out), &st) : -1;
	tap_ok(r == 0 && !strcmp(out, "fds 0 1\n"),
	       "%s: close_range(0, ~0) then dup2 to 0 and 1: exactly fds 0 1 (%s)", sn,
	       r == 0 ? oneline(out) : "failed");
	close(a);
	close(b);
	close(h);
}

static void test_unstarted_cleanup(unsigned fl, const char *sn)
{
	/* warm the stack cache, then count */
	for (int i = 0; i < 8; i++) {
		int c = efork(fl);
		if (c >= 0)
			ectx_close(c);
	}
	int fds0 = count_fds(), maps0 = count_maps();
	int fails = 0;
	for (int i = 0; i < 300; i++) {
		int c = efork(fl);
		if (c < 0) {
			fails++;
			continue;
		}
		if (i % 3 == 0 && ectx_dup2(c, 1, 5) < 0)
			fails++;
		if (i % 3 == 1 && ectx_defer(c, 1) == 0)
			ectx_dup2(c, 2, 6); /* queued, never flushed */
		ectx_close(c);
	}
	int fds1 = count_fds(), maps1 = count_maps();
	tap_ok(fails == 0, "%s: 300 unstarted contexts created and closed (%d failures)", sn,
	       fails);
	tap_ok(fds1 == fds0, "%s: no fd left behind (%d -> %d)", sn, fds0, fds1);
	tap_ok(maps1 == maps0, "%s: no stack left behind (%d -> %d mappings)", sn, maps0, maps1);
	tap_ok(no_children(), "%s: no child left, zombie or alive", sn);
}

static void test_close_started(unsigned fl, const char *sn)
{
	int p[2];
	int c = efork(fl);
	if (c < 0 || pipe2(p, O_CLOEXEC) < 0) {
		tap_ok(0, "%s: close started: %s", sn, strerror(errno));
		return;
	}
	/* the program blocks reading a pipe until we close its other end */
	int ok = ectx_dup2(c, p[0], 0) == 0;
	close(p[0]);
	char *argv[] = {"efork_probe", "read", "0", "exit", "9", NULL};
	ok = ok && eexecve(c, probe_path, argv, no_env) == 0;
	pid_t pid = ectx_pid(c);
	ok = ok && ectx_close(c) == 0;
	tap_ok(ok, "%s: closing a started context returns 0", sn);
	tap_ok(kill(pid, 0) == 0, "%s: the program keeps running", sn);
	close(p[1]);
	int st = -1;
	tap_ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9,
	       "%s: and stays the caller's child (status %#x)", sn, st);
}

int main(void)
{
	paths_init();
	if (paths_missing())
		return 0;
	signal(SIGALRM, on_alarm);
	alarm(50);
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return 1;
	}
	snprintf(datafile, sizeof(datafile), "%s/data", tmpdir);
	int fd = open(datafile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "efork-data\n", 11) != 11) {
		printf("Bail out! %s: %s\n", datafile, strerror(errno));
		cleanup();
		return 1;
	}
	close(fd);

	tap_plan(2 * 50 + 5);
	tap_ok(err_is(efork(7), EINVAL), "efork with unknown flags: EINVAL");
	char found[PATH_MAX];
	efork_set_helper(NULL);
	unsetenv("SPAWNSCOPE_EFORK_HELPER");
	char real[PATH_MAX];
	tap_ok(efork_helper_path(found, sizeof(found)) == 0 && realpath(helper_path, real) &&
		   !strcmp(found, real),
	       "the helper is found next to the build's programs (%s)", found);
	tap_ok(efork_set_helper("/nonexistent/efork_blank") == 0 &&
		   err_is(efork(EFORK_BLANK), ENOENT),
	       "EFORK_BLANK with a missing helper: ENOENT");
	tap_ok(no_children(), "and no child remains");
	efork_set_helper(helper_path);
	char tiny[4];
	tap_ok(err_is(efork_helper_path(tiny, sizeof(tiny)), ERANGE),
	       "helper path buffer too small: ERANGE");

	for (int s = 0; s < 2; s++) {
		unsigned fl = strategies[s];
		const char *sn = strategy_names[s];
		test_basics(fl, sn);		     /* 4 */
		test_order(fl, sn);		     /* 4 */
		test_errors(fl, sn);		     /* 19 */
		test_exec_retry_and_refusal(fl, sn); /* 6 */
		test_deferred(fl, sn);		     /* 6 */
		test_long_command_line(fl, sn);	     /* 2 */
		test_blank_table(fl, sn);	     /* 2 */
		test_unstarted_cleanup(fl, sn);	     /* 4 */
		test_close_started(fl, sn);	     /* 3 */
	}
	cleanup();
	return tap_done();
}
