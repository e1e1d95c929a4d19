/* The timed loop as the driver sees it: arms described to the lab, which takes the samples
 * (lab/lab_loop.c); probe state and records handled between blocks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impls/registry.h"
#include "sampler.h"
#include "bench/lib/stats.h"

const char *const metric_names[M__N] = {"t_return", "t_first", "t_reaped"};

int target_resolve(const char *spec, const char *exe_dir, struct target *t)
{
	struct stat st;

	memset(t, 0, sizeof(*t));
	if (!strcmp(spec, "stamp") || !strcmp(spec, "exit0")) {
		snprintf(t->path, sizeof(t->path), "%s/targets/%s", exe_dir, spec);
		t->name = !strcmp(spec, "stamp") ? "stamp" : "exit0";
		t->stamps = spec[0] == 's';
	} else {
		if (strlen(spec) >= sizeof(t->path)) {
			fprintf(stderr, "spawnscope: --target: path too long\n");
			return EXP_USAGE;
		}
		strcpy(t->path, spec);
		t->name = spec;
	}
	if (stat(t->path, &st)) {
		fprintf(stderr, "spawnscope: --target %s: %s: %s\n", spec, t->path,
			strerror(errno));
		return EXP_USAGE;
	}
	if (!S_ISREG(st.st_mode) || access(t->path, X_OK)) {
		fprintf(stderr, "spawnscope: --target %s: %s: not an executable file\n", spec,
			t->path);
		return EXP_USAGE;
	}
	t->argv[0] = t->path;
	t->argv[1] = NULL;
	return 0;
}

int sampler_open(struct sampler *sp, struct lab *lab, struct probes *probes, bool quiet)
{
	memset(sp, 0, sizeof(*sp));
	sp->lab = lab;
	sp->probes = probes;
	sp->quiet = quiet;
	sp->tty = !quiet && isatty(STDERR_FILENO);
	return 0;
}

void sampler_close(struct sampler *sp)
{
	sp->lab = NULL;
}

int sampler_prepare(struct sampler *sp, struct arm *a, const struct target *t, bool exec,
		    size_t cap)
{
	if (a->n_extra_ops > LAB_ARM_OPS)
		return -EINVAL;
	for (size_t i = 0; i < a->n_extra_ops; i++)
		if (a->extra_ops[i].path &&
		    strlen(a->extra_ops[i].path) >= sizeof(((struct lab_fd_op *)0)->path))
			return -ENAMETOOLONG;
	sp->t = t;
	a->req.exec = exec;
	a->lab = sp->lab;
	a->s = lab_samples_alloc(sp->lab, cap ? cap : 1, &a->samples_off);
	a->ph = sp->probes ? calloc(cap ? cap : 1, sizeof(*a->ph)) : NULL;
	if (!a->s || (sp->probes && !a->ph)) {
		fprintf(stderr,
			"spawnscope: %s: no room for %zu samples (%s): fewer --samples, or fewer "
			"backends per run\n",
			a->label, cap,
			!a->s ? "the lab's sample arena holds 4 GiB per point" : strerror(ENOMEM));
		arm_free(a);
		return -ENOMEM;
	}
	a->cap = cap;
	a->n = 0;
	return 0;
}

void arm_free(struct arm *a)
{
	if (a->s && a->lab)
		lab_samples_free(a->lab);
	free(a->ph);
	a->s = NULL;
	a->ph = NULL;
	a->n = a->cap = 0;
}

/* The arm as the lab reads it (lab/lab_proto.h). */
static void describe(const struct sampler *sp, const struct arm *a, struct lab_arm *la)
{
	const char *plugin = backend_plugin_path(a->be);

	memset(la, 0, sizeof(*la));
	snprintf(la->plugin, sizeof(la->plugin), "%s", plugin ? plugin : "");
	snprintf(la->backend, sizeof(la->backend), "%s", plugin ? "" : a->be->name);
	snprintf(la->label, sizeof(la->label), "%s", a->label);
	la->share = a->req.share;
	la->exec = a->req.exec;
	la->fds_cloexec = a->parent_fds == ARM_FDS_ASIS ? -1 : a->parent_fds == ARM_FDS_CLOEXEC;
	la->probes = sp->probes ? a->probes_attached : -1;
	la->collect = a->ph != NULL;
	la->n_ops = (uint32_t)a->n_extra_ops;
	for (size_t i = 0; i < a->n_extra_ops; i++) {
		const struct spawn_fd_op *op = &a->extra_ops[i];
		la->ops[i] = (struct lab_fd_op){.kind = op->kind,
						.fd = op->fd,
						.newfd = op->newfd,
						.oflag = op->oflag,
						.mode = op->mode};
		snprintf(la->ops[i].path, sizeof(la->ops[i].path), "%s", op->path ? op->path : "");
	}
	la->samples_off = a->samples_off;
	la->cap = a->cap;
}

static void describe_target(const struct sampler *sp)
{
	struct lab_shared *sh = sp->lab->sh;

	snprintf(sh->target, sizeof(sh->target), "%s", sp->t ? sp->t->path : "");
	sh->target_stamps = sp->t && sp->t->stamps;
}

struct run_events {
	struct sampler *sp;
	struct arm *arms;
	size_t n_arms;
	char why[256]; /* why the driver aborted the run */
};

/* Between blocks, in the driver: the probes' state for the next block, the records of the
 * last. The lab waits meanwhile, so none of this lands in a timed span. */
static int on_event(void *arg, const struct lab_msg *ev, char *why, size_t len)
{
	struct run_events *re = arg;
	struct sampler *sp = re->sp;
	struct arm *a;
	int rc;

	if (ev->op == LAB_EV_WARMED) {
		if (sp->probes)
			probes_reset(sp->probes);
		return 0;
	}
	if (ev->u.ev.arm >= re->n_arms)
		return -EPROTO;
	a = &re->arms[ev->u.ev.arm];
	if (ev->op == LAB_EV_BLOCK_BEGIN) {
		if (!sp->probes || a->probes_attached < 0)
			return 0;
		rc = probes_set_attached(sp->probes, a->probes_attached != 0);
		if (rc) {
			snprintf(why, len, "%s the probes for %s: %s",
				 a->probes_attached ? "attaching" : "detaching", a->label,
				 strerror(-rc));
			snprintf(re->why, sizeof(re->why), "%s", why);
		}
		return rc;
	}
	if (ev->op == LAB_EV_BLOCK_END && a->ph) {
		uint64_t end = ev->u.ev.start + ev->u.ev.n;
		for (uint64_t i = ev->u.ev.start; i < end && i < a->cap; i++) {
			memset(&a->ph[i], 0, sizeof(a->ph[i]));
			if (!a->s[i].err)
				probes_collect(sp->probes, a->s[i].pid, &a->ph[i]);
		}
	}
	return 0;
}

int sampler_run(struct sampler *sp, struct arm *arms, size_t n_arms,
		const struct sampler_plan *plan)
{
	struct lab_shared *sh = sp->lab->sh;
	struct run_events re = {.sp = sp, .arms = arms, .n_arms = n_arms};
	struct lab_progress pg = {.what = sp->what ? sp->what : "sampling", .tty = sp->tty};
	struct lab_msg m = {.op = LAB_RUN};
	int rc;

	if (n_arms > LAB_MAX_ARMS) {
		fprintf(stderr, "spawnscope: %s: %zu arms, the lab takes %d\n", pg.what, n_arms,
			LAB_MAX_ARMS);
		return EXP_FAILED;
	}
	describe_target(sp);
	for (size_t i = 0; i < n_arms; i++)
		describe(sp, &arms[i], &sh->arms[i]);
	sh->n_arms = (uint32_t)n_arms;
	sh->plan =
	    (struct lab_plan){plan->samples, plan->warmup, plan->block, plan->seed, LAB_SETTLE_NS};
	memset(&sh->fp_start, 0, sizeof(sh->fp_start));
	memset(&sh->fp_end, 0, sizeof(sh->fp_end));
	sp->lab->point_expired = false;
	sp->lab->deadline_ns = sp->lab->point_timeout_ns ? now_ns() + sp->lab->point_timeout_ns : 0;
	rc = lab_call(sp->lab, &m, on_event, &re, &pg);
	sp->lab->deadline_ns = 0;
	if (rc)
		return EXP_FAILED;
	for (size_t i = 0; i < n_arms; i++) {
		arms[i].n = sh->arms[i].n;
		arms[i].failures = sh->arms[i].failures;
		arms[i].first_err = sh->arms[i].first_err;
		arms[i].fp[0] = sh->fp_start;
		arms[i].fp[1] = sh->fp_end;
		arms[i].have_fp = sh->fp_start.vmas > 0 && sh->fp_end.vmas > 0;
	}
	if (m.rc < 0) {
		fprintf(stderr, "spawnscope: %s: the run was stopped: %s\n", pg.what,
			re.why[0] ? re.why : strerror(-m.rc));
		return EXP_FAILED;
	}
	if (sp->lab->point_expired && !g_interrupted) {
		/* the samples taken are kept; the next point starts afresh */
		sh->stop = 0;
		fprintf(stderr,
			"spawnscope: %s: stopped after --point-timeout (%.0f s); the samples taken "
			"are kept, the point counts as failed\n",
			pg.what, (double)sp->lab->point_timeout_ns / 1e9);
		return EXP_FAILED;
	}
	return m.rc;
}

int sampler_one(struct sampler *sp, struct arm *a, struct sample *out)
{
	struct lab_shared *sh = sp->lab->sh;
	struct lab_msg m = {.op = LAB_ONE};
	int rc;

	describe_target(sp);
	describe(sp, a, &sh->arms[0]);
	m.u.one.arm = 0;
	if ((rc = lab_call(sp->lab, &m, NULL, NULL, NULL)))
		return rc;
	if (m.rc)
		return m.rc;
	*out = sh->one;
	return out->err;
}

const char *sample_error_str(int err)
{
	if (err == -ECHILD)
		return "the target did not exit with status 0";
	if (err == -ETIMEDOUT)
		return "the child outlived --sample-timeout and was killed";
	return strerror(-err);
}

double timer_overhead_ns(void)
{
	enum { N = 2001 };
	static double d[N];

	for (int i = 0; i < N; i++) {
		int64_t a = now_ns();
		int64_t b = now_ns();
		d[i] = (double)(b - a);
	}
	qsort(d, N, sizeof(d[0]), cmp_double);
	return d[N / 2];
}
