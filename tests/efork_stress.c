/*
 * efork under load and signals, for both strategies: two threads with separate contexts at
 * once, 10,000 spawns without fd, mapping, memory or zombie growth, a signal sent during
 * set-up never running a handler in the child, the start signal mask, and the child dying with
 * the thread that created it. An alarm turns any hang into a failure.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "impls/targets/stamp_proto.h"
#include "efork_testlib.h"

static char stamp_path[PATH_MAX];

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "Bail out! efork_stress: a call hung (alarm)\n";
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* ---- two threads, separate contexts ---------------------------------------------------- */

struct worker {
	unsigned flags;
	int spawns;
	int ok;	     /* spawns whose stamp arrived on this worker's own pipe and exited 0 */
	int foreign; /* bytes beyond one stamp per spawn */
	pthread_barrier_t *hold; /* warm-up: both threads alive at once before they exit */
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	char *argv[] = {"stamp", NULL};
	for (int i = 0; i < w->spawns; i++) {
		int c = efork(w->flags);
		if (c < 0)
			continue;
		int st = -1;
		if (ectx_dup2(c, p[1], STAMP_FD) == 0 &&
		    eexecve(c, stamp_path, argv, no_env) == 0 && ectx_wait(c, &st) == 0 &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			struct stamp_msg m;
			if (read(p[0], &m, sizeof(m)) == (ssize_t)sizeof(m))
				w->ok++;
		}
		ectx_close(c);
	}
	close(p[1]);
	char extra[64];
	ssize_t n;
	while ((n = read(p[0], extra, sizeof(extra))) > 0)
		w->foreign += (int)n;
	close(p[0]);
	if (w->hold)
		pthread_barrier_wait(w->hold);
	return NULL;
}

static int run_pair(struct worker *w)
{
	pthread_t t[2];
	int started = 0;
	for (int i = 0; i < 2; i++)
		started += pthread_create(&t[i], NULL, worker_run, &w[i]) == 0;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	return started;
}

static void test_threads(unsigned fl, const char *sn)
{
	/* first threads, alive at the same time: glibc keeps their stacks and malloc arenas for
	 * the later pair, so that only what efork keeps would show */
	pthread_barrier_t hold;
	pthread_barrier_init(&hold, NULL, 2);
	struct worker warm[2] = {{.flags = fl, .spawns = 1, .hold = &hold},
				 {.flags = fl, .spawns = 1, .hold = &hold}};
	if (run_pair(warm) != 2)
		tap_diag("warm-up threads did not start: %s", strerror(errno));
	pthread_barrier_destroy(&hold);
	int maps0 = count_maps(), fds0 = count_fds();
	struct worker w[2] = {{.flags = fl, .spawns = 300}, {.flags = fl, .spawns = 300}};
	int started = run_pair(w);
	tap_ok(started == 2 && w[0].ok == 300 && w[1].ok == 300 && !w[0].foreign && !w[1].foreign,
	       "%s: two threads, 300 spawns each at once: %d and %d stamps on their own pipes", sn,
	       w[0].ok, w[1].ok);
	/* each thread's stack cache is released when the thread exits */
	tap_ok(count_maps() == maps0 && count_fds() == fds0,
	       "%s: nothing left after the threads exit (maps %d -> %d, fds %d -> %d)", sn, maps0,
	       count_maps(), fds0, count_fds());
}

/* ---- many spawns ------------------------------------------------------------------------ */

static int spawn_exit0(unsigned fl, int dev_null)
{
	char *argv[] = {"exit0", NULL};
	int c = efork(fl);
	if (c < 0)
		return -1;
	int st = -1, ok = ectx_defer(c, 1) == 0 && ectx_dup2(c, dev_null, 0) == 0 &&
			  eexecve(c, exit0_path, argv, no_env) == 0 && ectx_wait(c, &st) == 0 &&
			  WIFEXITED(st) && WEXITSTATUS(st) == 0;
	ectx_close(c);
	return ok ? 0 : -1;
}

static void test_many(unsigned fl, const char *sn)
{
	int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < 50; i++) /* warm up: stack cache, allocator */
		spawn_exit0(fl, dev_null);
	int fds0 = count_fds(), maps0 = count_maps();
	long rss0 = vm_rss_kib();
	int fails = 0;
	for (int i = 0; i < 10000; i++)
		fails += spawn_exit0(fl, dev_null) < 0;
	int fds1 = count_fds(), maps1 = count_maps();
	long rss1 = vm_rss_kib();
	close(dev_null);
	tap_ok(fails == 0, "%s: 10000 spawns, %d failures", sn, fails);
	tap_ok(fds1 == fds0, "%s: no fd growth (%d -> %d)", sn, fds0, fds1);
	tap_ok(maps1 == maps0, "%s: no mapping growth (%d -> %d)", sn, maps0, maps1);
	/* a leak of even one 64 KiB stack or 4 KiB per spawn would show as tens of MiB */
	tap_ok(rss1 - rss0 < 1024, "%s: VmRSS %ld -> %ld KiB", sn, rss0, rss1);
	tap_ok(no_children(), "%s: no zombie", sn);
}

/* ---- signals ---------------------------------------------------------------------------- */

static atomic_int handler_runs;
static atomic_int handler_tid;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_store(&handler_tid, (int)syscall(SYS_gettid));
	atomic_fetch_add(&handler_runs, 1);
}

static unsigned long long status_hex(const char *out, const char *key)
{
	char pat[32];
	snprintf(pat, sizeof(pat), "status %s ", key);
	const char *p = strstr(out, pat);
	return p ? strtoull(p + strlen(pat), NULL, 16) : 0;
}

#define BIT(sig) (1ULL << ((sig)-1))

static void test_signals(unsigned fl, const char *sn)
{
	int runs0 = atomic_load(&handler_runs);
	/* 1: SIGUSR1 during set-up, kept blocked by the start mask: pending in the program */
	int c = efork(fl);
	int rd = c >= 0 ? pipe_to_stdout(c) : -1;
	int ok = rd >= 0 && ectx_umask(c, 022) == 0 &&
		 syscall(SYS_pidfd_send_signal, c, SIGUSR1, NULL, 0) == 0 &&
		 ectx_chdir(c, "/") == 0; /* the child runs another command with it pending */
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	ok = ok && ectx_sigmask(c, &m) == 0;
	char out[1024] = "", *args[] = {"status", NULL};
	int st = -1;
	int r = ok ? probe_finish(c, rd, args, out, sizeof(out), &st) : -1;
	unsigned long long pnd = status_hex(out, "SigPnd") | status_hex(out, "ShdPnd");
	tap_ok(r == 0 && WIFEXITED(st) && (pnd & BIT(SIGUSR1)) &&
		   status_hex(out, "SigBlk") == BIT(SIGUSR1),
	       "%s: SIGUSR1 sent during set-up is pending, blocked, in the program (%s)", sn,
	       oneline(out));
	/* 2: the same without blocking it: the default action kills the child; no handler */
	c = efork(fl);
	ok = c >= 0 && ectx_umask(c, 022) == 0 &&
	     syscall(SYS_pidfd_send_signal, c, SIGUSR1, NULL, 0) == 0 && ectx_chdir(c, "/") == 0;
	sigemptyset(&m);
	ok = ok && ectx_sigmask(c, &m) == 0;
	char *argv[] = {"exit0", NULL};
	st = -1;
	/* the signal is taken when the start mask unblocks it: just before or just after exec */
	int e = ok ? eexecve(c, exit0_path, argv, no_env) : -1;
	if (e == 0 || errno == ESRCH)
		ectx_wait(c, &st);
	if (c >= 0)
		ectx_close(c);
	tap_ok(ok && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1,
	       "%s: unblocked at start, SIGUSR1 takes its default action (status %#x)", sn, st);
	tap_ok(atomic_load(&handler_runs) == runs0,
	       "%s: the caller's SIGUSR1 handler never ran for the child (%d runs)", sn,
	       atomic_load(&handler_runs) - runs0);
	/* 3: the default start mask is the calling thread's */
	sigset_t usr2, old;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, &old);
	c = efork(fl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	rd = c >= 0 ? pipe_to_stdout(c) : -1;
	r = rd >= 0 ? probe_finish(c, rd, args, out, sizeof(out), &st) : -1;
	tap_ok(r == 0 && status_hex(out, "SigBlk") == BIT(SIGUSR2),
	       "%s: the program starts with the caller's mask at efork (SigBlk %llx)", sn,
	       status_hex(out, "SigBlk"));
}

/* ---- the creating thread exits ---------------------------------------------------------- */

static void *make_context(void *arg)
{
	int *ctx = arg;
	*ctx = efork(ctx[1] ? EFORK_BLANK : EFORK_EMBRYO);
	if (*ctx >= 0)
		ectx_umask(*ctx, 022); /* make sure the child is up */
	return NULL;
}

static void test_parent_thread_exit(unsigned fl, const char *sn)
{
	int ctx[2] = {-1, fl == EFORK_BLANK};
	pthread_t t;
	if (pthread_create(&t, NULL, make_context, ctx) == 0)
		pthread_join(t, NULL);
	int st = -1;
	int waited = ctx[0] >= 0 && ectx_wait(ctx[0], &st) == 0;
	tap_ok(waited && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	       "%s: an unstarted child dies with the thread that created it (status %#x)", sn, st);
	if (ctx[0] >= 0)
		ectx_close(ctx[0]);
}

/* ---- the caller execs with an unstarted embryo ---------------------------------------- */

static char proc_state(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static void test_caller_execs(void)
{
	/* A process creates an embryo, then execs (in the same thread: no parent-death signal).
	 * The embryo notices (kcmp KCMP_VM) and exits instead of holding the old mm forever. */
	int info[2], hold[2];
	if (pipe(info) < 0 || pipe(hold) < 0) {
		tap_ok(0, "caller execs: pipe: %s", strerror(errno));
		return;
	}
	pid_t caller = fork();
	if (caller == 0) {
		close(info[0]);
		close(hold[1]);
		int c = efork(EFORK_EMBRYO);
		pid_t e = c >= 0 && ectx_umask(c, 022) == 0 ? ectx_pid(c) : -1;
		if (write(info[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		dup2(hold[0], 0);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		char *argv[] = {"efork_probe", "read", "0", NULL};
		execve(probe_path, argv, no_env);
		_exit(127);
	}
	close(info[1]);
	close(hold[0]);
	pid_t embryo = -1;
	if (read(info[0], &embryo, sizeof(embryo)) != sizeof(embryo))
		embryo = -1;
	close(info[0]);
	char st = embryo > 0 ? proc_state(embryo) : 0;
	for (int i = 0; i < 100 && st && st != 'Z'; i++) {
		usleep(50000);
		st = proc_state(embryo);
	}
	tap_ok(embryo > 0 && (st == 'Z' || st == 0),
	       "an embryo whose caller exec'd exits by itself (state %c)", st ? st : '-');
	close(hold[1]); /* the caller's program reads EOF and exits */
	int ws;
	waitpid(caller, &ws, 0);
}

int main(void)
{
	paths_init();
	if (paths_missing())
		return 0;
	snprintf(stamp_path, sizeof(stamp_path), "%s/targets/stamp", build_dir);
	signal(SIGALRM, on_alarm);
	alarm(55);
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	tap_plan(2 + 2 * 12);
	raise(SIGUSR1);
	tap_ok(atomic_load(&handler_runs) == 1 &&
		   atomic_load(&handler_tid) == (int)syscall(SYS_gettid),
	       "the SIGUSR1 handler records the thread it runs on");
	atomic_store(&handler_runs, 0);
	for (int s = 0; s < 2; s++) {
		unsigned fl = strategies[s];
		const char *sn = strategy_names[s];
		test_threads(fl, sn);		 /* 2 */
		test_many(fl, sn);		 /* 5 */
		test_signals(fl, sn);		 /* 4 */
		test_parent_thread_exit(fl, sn); /* 1 */
	}
	test_caller_execs();
	return tap_done();
}
