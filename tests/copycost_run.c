/* The copy-cost experiments run in-process against a lab: every fd the fdtable sweep made the
 * lab open is closed afterwards, the lab's RLIMIT_NOFILE is back to what it was (also when
 * interrupted), pagetable gives the lab's memory back, and the driver side keeps no fd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/core/backends_select.h"
#include "bench/experiments/copycost/copycost.h"
#include "bench/core/experiment.h"
#include "bench/core/lab_client.h"
#include "lab/state/parent_state.h"
#include "bench/core/results.h"
#include "bench/core/sampler.h"
#include "tap.h"

static char out_dir[] = "/tmp/copycost_run.XXXXXX";

/* What the lab held before and after the experiment, and its RLIMIT_NOFILE after. */
struct lab_view {
	struct lab_footprint before, after;
	struct rlimit nofile_before, nofile_after;
};

/* Run `spawnscope run WORDS...` in-process (the experiment and its options parsed as the
 * command line would be) into a fresh subdirectory of out_dir, in a fresh lab; its exit
 * status. */
static int run_exp(const char *const *words, const char *sub, struct lab_view *v)
{
	char dir[256], exe[4096];
	char *argv[32];
	int argc = 0;
	struct opts o;
	struct results *res = NULL;
	struct run_ctx ctx;
	struct target t;
	const char *build = getenv("SPAWNSCOPE_BUILD");
	snprintf(dir, sizeof dir, "%s/%s", out_dir, sub);
	snprintf(exe, sizeof exe, "%s", build ? build : ".");
	argv[argc++] = "run";
	for (; *words && argc < 28; words++)
		argv[argc++] = (char *)*words;
	argv[argc++] = "--out";
	argv[argc++] = dir;
	argv[argc++] = "--quiet";
	argv[argc++] = "--probes=off";
	argv[argc] = NULL;
	opts_defaults(&o);
	if (opts_parse_run(argc, argv, &o))
		return -1;
	const struct experiment *e = experiment_find(o.experiment);
	int rc = e && e->prepare ? e->prepare(&o) : 0;
	if (!e || rc)
		return e ? rc : -1;
	if (target_resolve(o.target, exe, &t) || results_open(&o, &res))
		return -1;
	memset(&ctx, 0, sizeof ctx);
	ctx.o = &o;
	ctx.res = res;
	ctx.exe_dir = exe;
	ctx.target = &t;
	ctx.seed = 42;
	if (backends_select(o.backends, &ctx.backends, &ctx.n_backends) ||
	    lab_start(exe, 10000000000, &ctx.lab)) {
		results_close(res);
		return -1;
	}
	lab_footprint(ctx.lab, &v->before);
	prlimit(ctx.lab->pid, RLIMIT_NOFILE, NULL, &v->nofile_before);
	rc = e->run(&ctx);
	lab_footprint(ctx.lab, &v->after);
	prlimit(ctx.lab->pid, RLIMIT_NOFILE, NULL, &v->nofile_after);
	lab_stop(ctx.lab);
	results_flush(res, rc == 0);
	results_close(res);
	free(ctx.backends);
	return rc;
}

static int rm_tree(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", out_dir);
	return system(cmd);
}

int main(void)
{
	struct rlimit before, after;
	if (!getenv("SPAWNSCOPE_BUILD")) {
		fprintf(stderr, "SPAWNSCOPE_BUILD must name the build directory\n");
		return 2;
	}
	if (!mkdtemp(out_dir)) {
		perror("mkdtemp");
		return 1;
	}
	tap_plan(10);

	/* a soft limit below the sweep, so that the experiment has to raise it */
	getrlimit(RLIMIT_NOFILE, &before);
	before.rlim_cur = before.rlim_max > 1024 ? 1024 : before.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &before)) {
		perror("setrlimit");
		return 1;
	}
	long fds_before = count_open_fds();
	struct lab_view v;
	int rc =
	    run_exp((const char *const[]){"fdtable", "--backends", "fork-exec,vfork,clone", "--fds",
					  "0,3000,50000", "--samples", "4", "--warmup", "0", NULL},
		    "fd", &v);
	tap_ok(rc == 0, "fdtable (0, 3000, 50000 fds) runs: %d", rc);
	tap_ok(v.after.fds == v.before.fds && count_open_fds() == fds_before,
	       "every fd opened for the sweep is closed (lab %lld, was %lld; driver %ld, was %ld)",
	       (long long)v.after.fds, (long long)v.before.fds, count_open_fds(), fds_before);
	tap_ok(v.nofile_after.rlim_cur == before.rlim_cur &&
		   v.nofile_after.rlim_max == before.rlim_max &&
		   v.nofile_before.rlim_cur == before.rlim_cur,
	       "the lab's RLIMIT_NOFILE restored (soft %llu hard %llu)",
	       (unsigned long long)v.nofile_after.rlim_cur,
	       (unsigned long long)v.nofile_after.rlim_max);

	/* an interrupt: the run stops early, still restores the limit and closes its fds */
	g_interrupted = 1;
	rc = run_exp((const char *const[]){"fdtable", "--backends", "fork-exec", "--fds",
					   "100,2000", "--samples", "3", NULL},
		     "fd-int", &v);
	g_interrupted = 0;
	tap_ok(rc == EXP_INTERRUPTED, "interrupted fdtable returns %d (got %d)", EXP_INTERRUPTED,
	       rc);
	tap_ok(v.nofile_after.rlim_cur == before.rlim_cur,
	       "the lab's RLIMIT_NOFILE restored after the interrupt");
	tap_ok(v.after.fds == v.before.fds && count_open_fds() == fds_before,
	       "no fd left open after the interrupt");

	/* raising and restoring by hand: the hard limit caps the room */
	struct nofile_limit lim;
	size_t room = 0;
	rc = nofile_raise(&lim, (size_t)before.rlim_max + 1000, &room);
	tap_ok(rc == 0 && room < (size_t)before.rlim_max + 1000,
	       "nofile_raise clamps to the hard limit (room %zu, hard %llu)", room,
	       (unsigned long long)before.rlim_max);
	nofile_restore(&lim);
	getrlimit(RLIMIT_NOFILE, &after);
	tap_ok(after.rlim_cur == before.rlim_cur, "nofile_restore puts the soft limit back");

	rc = run_exp((const char *const[]){"pagetable", "--backends", "vfork", "--sizes", "0,128M",
					   "--kinds", "anon,shared,file_ro", "--vmas", "1,64",
					   "--samples", "3", "--warmup", "0", NULL},
		     "pt", &v);
	tap_ok(rc == 0, "pagetable (anon, shared, file_ro; 64 VMAs) runs: %d", rc);
	tap_ok(v.after.rss_anon_bytes - v.before.rss_anon_bytes < 16 << 20 &&
		   v.after.vmas <= v.before.vmas + 8,
	       "the lab's memory is given back (RssAnon %lld kB before, %lld after; VMAs %lld, "
	       "%lld)",
	       (long long)v.before.rss_anon_bytes / 1024, (long long)v.after.rss_anon_bytes / 1024,
	       (long long)v.before.vmas, (long long)v.after.vmas);
	rm_tree();
	return tap_done();
}
