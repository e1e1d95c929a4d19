/* The copy-cost experiments run in-process: every fd the fdtable sweep opened is closed
 * afterwards, RLIMIT_NOFILE is back to what it was (also when interrupted), and pagetable
 * gives its memory back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../bench/backends_select.h"
#include "../bench/copycost.h"
#include "../bench/experiment.h"
#include "../bench/results.h"
#include "tap.h"

static char out_dir[] = "/tmp/copycost_run.XXXXXX";

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Run experiment name with o into a fresh subdirectory of out_dir; its exit status. */
static int run_exp(const char *name, struct opts *o, const char *sub)
{
	char dir[256], exe[4096];
	struct results *res = NULL;
	struct run_ctx ctx;
	const char *build = getenv("SPAWNSCOPE_BUILD");
	snprintf(dir, sizeof dir, "%s/%s", out_dir, sub);
	snprintf(exe, sizeof exe, "%s", build ? build : ".");
	o->out = dir;
	o->experiment = name;
	o->quiet = true;
	o->probes = PROBES_OFF;
	const struct experiment *e = experiment_find(name);
	if (!e || results_open(o, &res))
		return -1;
	memset(&ctx, 0, sizeof ctx);
	ctx.o = o;
	ctx.res = res;
	ctx.exe_dir = exe;
	ctx.seed = 42;
	if (backends_select(o->backends, &ctx.backends, &ctx.n_backends)) {
		results_close(res);
		return -1;
	}
	int rc = e->check ? e->check(o) : 0;
	if (!rc)
		rc = e->run(&ctx);
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
	struct opts o;
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
	opts_defaults(&o);
	o.backends = "fork-exec,vfork,clone";
	o.fds = "0,3000,50000";
	o.samples = 4;
	o.warmup = 0;
	int rc = run_exp("fdtable", &o, "fd");
	tap_ok(rc == 0, "fdtable (0, 3000, 50000 fds) runs: %d", rc);
	tap_ok(count_open_fds() == fds_before,
	       "every fd opened for the sweep is closed (%ld, was %ld)", count_open_fds(),
	       fds_before);
	getrlimit(RLIMIT_NOFILE, &after);
	tap_ok(after.rlim_cur == before.rlim_cur && after.rlim_max == before.rlim_max,
	       "RLIMIT_NOFILE restored (soft %llu hard %llu)", (unsigned long long)after.rlim_cur,
	       (unsigned long long)after.rlim_max);

	/* an interrupt: the run stops early, still restores the limit and closes its fds */
	opts_defaults(&o);
	o.backends = "fork-exec";
	o.fds = "100,2000";
	o.samples = 3;
	g_interrupted = 1;
	rc = run_exp("fdtable", &o, "fd-int");
	g_interrupted = 0;
	tap_ok(rc == EXP_INTERRUPTED, "interrupted fdtable returns %d (got %d)", EXP_INTERRUPTED,
	       rc);
	getrlimit(RLIMIT_NOFILE, &after);
	tap_ok(after.rlim_cur == before.rlim_cur, "RLIMIT_NOFILE restored after the interrupt");
	tap_ok(count_open_fds() == fds_before, "no fd left open after the interrupt");

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

	long rss0 = rss_kb();
	opts_defaults(&o);
	o.backends = "vfork";
	o.sizes = "0,128M";
	o.kinds = "anon,shared,file_ro";
	o.vmas = "1,64";
	o.samples = 3;
	o.warmup = 0;
	rc = run_exp("pagetable", &o, "pt");
	tap_ok(rc == 0, "pagetable (anon, shared, file_ro; 64 VMAs) runs: %d", rc);
	long rss1 = rss_kb();
	tap_ok(rss1 - rss0 < 64 * 1024, "its memory is given back (RSS %ld kB before, %ld after)",
	       rss0, rss1);
	rm_tree();
	return tap_done();
}
