/* spawnscope: command-line entry (list, run, report, compare, gate). */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "impls/registry.h"
#include "probes/probes.h"
#include "bench/core/backends_select.h"
#include "bench/compare/compare.h"
#include "bench/core/experiment.h"
#include "bench/core/footprint_report.h"
#include "bench/gate/gate.h"
#include "bench/core/machine.h"
#include "lab/state/memkind.h"
#include "lab/state/parent_state.h"
#include "bench/core/opts.h"
#include "bench/core/results.h"
#include "bench/core/rundir.h"
#include "bench/core/signals.h"
#include "bench/core/sampler.h"
#include "bench/lib/units.h"

#define SPAWNSCOPE_VERSION "0.1.0"

static void usage_exit_status(FILE *f)
{
	fprintf(f, "exit status: 0 success, 1 measurement failed, 2 usage or input error, 130 "
		   "interrupted\n");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: spawnscope list\n"
		"       spawnscope run EXPERIMENT [options]   (EXPERIMENT: %s, all)\n"
		"       spawnscope report DIR\n"
		"       spawnscope compare DIR DIR... [--label NAME=DIR] [--out DIR]\n"
		"       spawnscope gate --a CMD --b CMD [options] | --baseline OLD --current NEW\n"
		"\n",
		experiment_names());
	opts_usage_run(f, NULL);
	usage_exit_status(f);
}

/* `spawnscope run --help`, `run NAME --help`: NAME's options only. */
static void usage_run(FILE *f, const char *experiment)
{
	fprintf(f, "usage: spawnscope run EXPERIMENT [options]   (EXPERIMENT: %s, all)\n\n",
		experiment_names());
	opts_usage_run(f, experiment);
	usage_exit_status(f);
}

static int cmd_list(void)
{
	char why[256];
	struct probes *pr = NULL;
	json_t *pj;

	printf("backends:\n");
	for (size_t i = 0; i < backend_count(); i++) {
		const struct spawn_backend *be = backend_at(i);
		int rc;

		why[0] = 0;
		rc = be->available(why, sizeof(why));
		printf("  %-14s %-11s %s%s%s\n", be->name, rc ? "unavailable" : "available",
		       be->summary, rc ? " — " : "", rc ? why : "");
	}
	printf("\nexperiments:\n");
	for (size_t i = 0; i < experiment_count(); i++)
		printf("  %-14s %s\n", experiment_at(i)->name, experiment_at(i)->summary);

	printf("\nprobes:\n");
	why[0] = 0;
	probes_open(PROBES_AUTO, getpid(), &pr, why, sizeof(why));
	pj = json_object();
	probes_describe(pr, why, pj);
	if (!json_is_true(json_object_get(pj, "enabled")))
		printf("  off: %s\n", json_string_value(json_object_get(pj, "reason")) ?: why);
	json_t *p;
	size_t k;
	json_array_foreach(json_object_get(pj, "programs"), k, p)
	{
		const char *reason = json_string_value(json_object_get(p, "reason"));
		printf("  %-28s %-7s %s%s%s\n", json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "kind")),
		       json_is_true(json_object_get(p, "attached")) ? "attached" : "not attached",
		       reason && *reason ? " — " : "", reason ? reason : "");
	}
	json_decref(pj);
	probes_close(pr);
	return 0;
}

/* Directory holding this binary (targets live in <dir>/targets). */
static int exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n < 0)
		return -errno;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
	return 0;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "spawnscope: --cpu %d: sched_setaffinity: %s\n", cpu,
			strerror(errno));
		return 2;
	}
	return 0;
}

/* The driver's own anonymous RSS (RssAnon), recorded before each experiment: informative
 * (the lab, not the driver, is the parent of every measured child; see its footprint). */
static json_int_t driver_rss_anon(void)
{
	int64_t kb = proc_status_field(0, "RssAnon");

	return kb < 0 ? -1 : kb * 1024;
}

static uint64_t fresh_seed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)t.tv_sec * 1000000007ull) ^ (uint64_t)t.tv_nsec ^
	       ((uint64_t)getpid() << 32);
}

/* An experiment's data files from run.json as it stands after its run: a failure stops the
 * run (a full disk), as any failed write into the run directory. */
static int write_data(const struct experiment *e, struct results *res)
{
	int rc;

	if (!e->write_data)
		return 0;
	rc = e->write_data(results_root(res), results_dir(res));
	if (rc)
		results_write_failed(res, rc);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct opts o;
	struct run_ctx ctx;
	struct results *res = NULL;
	struct probes *pr = NULL;
	struct target target;
	const struct experiment *selected[MAX_EXPERIMENTS];
	size_t n_selected = 0;
	char dir[PATH_MAX], why[512] = "";
	char **argv_copy;
	int rc, status = EXP_OK;

	/* getopt permutes argv: keep the command as typed for run.json */
	argv_copy = calloc((size_t)argc + 1, sizeof(*argv_copy));
	if (!argv_copy)
		return 1;
	memcpy(argv_copy, argv, (size_t)argc * sizeof(*argv));
	opts_defaults(&o);
	rc = opts_parse_run(argc, argv, &o);
	if (rc) {
		if (rc < 0)
			usage_run(stdout, o.experiment);
		free(argv_copy);
		return rc < 0 ? 0 : rc;
	}
	o.argv = argv_copy;
	n_selected = experiment_select(o.experiment, selected, MAX_EXPERIMENTS);
	if (!n_selected) {
		fprintf(stderr, "spawnscope: unknown experiment '%s' (valid: %s, all)\n",
			o.experiment, experiment_names());
		free(argv_copy);
		return 2;
	}
	for (size_t i = 0; i < n_selected; i++)
		if (selected[i]->prepare && (rc = selected[i]->prepare(&o))) {
			free(argv_copy);
			return rc;
		}

	memset(&ctx, 0, sizeof(ctx));
	ctx.o = &o;
	if (exe_dir(dir, sizeof(dir))) {
		fprintf(stderr, "spawnscope: /proc/self/exe: %s\n", strerror(errno));
		free(argv_copy);
		return 1;
	}
	ctx.exe_dir = dir;
	ctx.seed = o.seed ? o.seed : fresh_seed();
	o.seed = ctx.seed;

	if ((o.cpu >= 0 && (rc = pin_cpu(o.cpu))) ||
	    (rc = backends_select(o.backends, &ctx.backends, &ctx.n_backends))) {
		free(argv_copy);
		return rc;
	}
	if ((rc = target_resolve(o.target, dir, &target)) || (rc = rundir_check(&o))) {
		free(ctx.backends);
		free(argv_copy);
		return rc;
	}
	ctx.target = &target;
	/* The lab first: the probes watch its tgid, and it holds none of their fds. */
	rc = lab_start(dir, (int64_t)(o.sample_timeout * 1e9), &ctx.lab);
	if (rc) {
		free(ctx.backends);
		free(argv_copy);
		return 1;
	}
	ctx.lab->point_timeout_ns = (int64_t)(o.point_timeout * 1e9);
	rc = probes_open(o.probes, ctx.lab->pid, &pr, why, sizeof(why));
	if (g_interrupted) {
		/* a signal while the probes loaded: nothing was measured, nothing is written */
		fprintf(stderr, "spawnscope: interrupted before the run started\n");
		probes_close(pr);
		lab_stop(ctx.lab);
		free(ctx.backends);
		free(argv_copy);
		return EXP_INTERRUPTED;
	}
	if (rc || (!pr && o.probe_overhead)) {
		fprintf(stderr, "spawnscope: %s: %s\n",
			rc ? "--probes on" : "--probe-overhead: the probes cannot run", why);
		lab_stop(ctx.lab);
		free(ctx.backends);
		free(argv_copy);
		return 1;
	}
	ctx.probes = pr;
	/* Loading the probes made libbpf parse the kernel's BTF (megabytes) on our heap: hand
	 * the freed part back. No measured child is a fork of the driver (the lab spawns them),
	 * but the driver shares the machine with the lab and its children. */
	malloc_trim(0);

	rc = results_open(&o, &res);
	if (rc) {
		probes_close(pr);
		lab_stop(ctx.lab);
		free(ctx.backends);
		free(argv_copy);
		return rc;
	}
	ctx.res = res;
	probes_describe(pr, why, json_object_get(results_root(res), "probes"));
	{
		struct lab_footprint fp;
		json_t *lab =
		    json_pack("{s:s, s:f, s:f}", "process", "spawnscope-lab", "sample_timeout_s",
			      o.sample_timeout, "point_timeout_s", o.point_timeout);
		if (lab_footprint(ctx.lab, &fp) == 0)
			json_object_set_new(lab, "baseline", footprint_json(&fp));
		json_object_set_new(results_root(res), "lab", lab);
	}
	json_object_set_new(results_root(res), "driver_rss_anon_bytes", json_object());
	json_object_set_new(results_root(res), "timer_overhead_ns", json_real(timer_overhead_ns()));
	results_flush(res, false);

	for (size_t i = 0; i < n_selected && !g_interrupted; i++) {
		if (!o.quiet)
			fprintf(stderr, "spawnscope: %s: %s\n", selected[i]->name,
				selected[i]->summary);
		if (pr && probes_set_attached(pr, !selected[i]->detach_probes)) {
			fprintf(stderr, "spawnscope: %s not run: %s\n", selected[i]->name,
				probes_error(pr));
			if (status == EXP_OK)
				status = EXP_FAILED;
			continue;
		}
		/* what the previous experiment freed stays mapped in glibc's arenas */
		malloc_trim(0);
		json_object_set_new(json_object_get(results_root(res), "driver_rss_anon_bytes"),
				    selected[i]->name, json_integer(driver_rss_anon()));
		rc = selected[i]->run(&ctx);
		/* its data files from whatever finished, interrupted or not */
		if (write_data(selected[i], res) && rc != EXP_INTERRUPTED)
			rc = EXP_FAILED;
		if (rc == EXP_INTERRUPTED || g_interrupted) {
			status = EXP_INTERRUPTED;
			break;
		}
		if (ctx.lab->dead) { /* said why when it happened; nothing more can be measured */
			status = EXP_FAILED;
			break;
		}
		if (rc && status == EXP_OK)
			status = rc;
	}
	if (results_write_error(res)) {
		/* the run stopped because its results could not be written (a full disk) */
		fprintf(stderr, "spawnscope: run stopped: cannot write into %s: %s\n",
			results_dir(res), strerror(-results_write_error(res)));
		status = EXP_FAILED;
	}
	if (results_flush(res, status == EXP_OK) && status == EXP_OK)
		status = EXP_FAILED;
	probes_close(pr);
	lab_stop(ctx.lab);
	if (!o.quiet)
		fprintf(stderr, "spawnscope: results in %s\n", results_dir(res));
	/* Ctrl-C keeps what finished: the summary and plots are still rendered */
	g_interrupted = 0;
	rc = results_report(results_dir(res), o.quiet, false);
	if (rc && status == EXP_OK)
		status = rc;
	if (!o.quiet)
		fprintf(stderr, "spawnscope: open %s/report.html\n", results_dir(res));
	results_close(res);
	free(ctx.backends);
	free(argv_copy);
	return status;
}

int main(int argc, char **argv)
{
	signals_install_write_errors();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc > 2) {
			fprintf(stderr, "spawnscope: list: unexpected argument '%s'\n", argv[2]);
			return 2;
		}
		return cmd_list();
	}
	if (!strcmp(argv[1], "run")) {
		signals_install(&g_interrupted);
		return cmd_run(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "report")) {
		if (argc != 3) {
			fprintf(stderr, "usage: spawnscope report DIR\n");
			return 2;
		}
		return results_report(argv[2], false, true);
	}
	if (!strcmp(argv[1], "gate"))
		return gate_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return compare_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf("spawnscope %s\n", SPAWNSCOPE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "spawnscope: unknown command '%s' (list, run, report, compare, gate)\n",
		argv[1]);
	return 2;
}
