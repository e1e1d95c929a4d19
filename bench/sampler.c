/* The timed loop: spawn -> child -> reap, arms interleaved in randomized blocks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../impls/targets/stamp_proto.h"
#include "sampler.h"
#include "stats.h"

const char *const metric_names[M__N] = {"t_return", "t_first", "t_reaped"};

/* Far above anything a target installs, so the stamp pipe never collides with STAMP_FD. */
#define STAMP_PIPE_MIN_FD 100

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

static bool stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

int sampler_open(struct sampler *sp, struct probes *probes, bool quiet)
{
	int p[2], hi;

	memset(sp, 0, sizeof(*sp));
	sp->stamp_r = sp->stamp_w = -1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	/* The write end is dup2'd to STAMP_FD in the child by an fd op; keep it far from 3. */
	hi = fcntl(p[1], F_DUPFD_CLOEXEC, STAMP_PIPE_MIN_FD);
	if (hi < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	close(p[1]);
	/* The child writes with a blocking write on its own dup; O_NONBLOCK is per open file
	 * description and shared, but 16 bytes into an empty pipe never blocks anyway. */
	sp->stamp_r = p[0];
	sp->stamp_w = hi;
	sp->probes = probes;
	sp->quiet = quiet;
	sp->tty = !quiet && stderr_is_tty();
	return 0;
}

void sampler_close(struct sampler *sp)
{
	if (sp->stamp_r >= 0)
		close(sp->stamp_r);
	if (sp->stamp_w >= 0)
		close(sp->stamp_w);
	sp->stamp_r = sp->stamp_w = -1;
}

int sampler_prepare(struct sampler *sp, struct arm *a, const struct target *t, bool exec,
		    char *const *envp, size_t cap)
{
	size_t n = 0;

	if (a->n_extra_ops > sizeof(a->extra_ops) / sizeof(a->extra_ops[0]))
		return -EINVAL;
	if (exec && t->stamps)
		a->ops[n++] = (struct spawn_fd_op){
		    .kind = SPAWN_FD_DUP2, .fd = sp->stamp_w, .newfd = STAMP_FD};
	memcpy(a->ops + n, a->extra_ops, a->n_extra_ops * sizeof(a->ops[0]));
	n += a->n_extra_ops;
	a->req.path = t->path;
	a->req.argv = t->argv;
	a->req.envp = envp;
	a->req.fd_ops = a->ops;
	a->req.n_fd_ops = n;
	a->req.exec = exec;
	a->req.stamp_fd = exec ? -1 : sp->stamp_w;
	a->s = calloc(cap, sizeof(*a->s));
	a->ph = sp->probes ? calloc(cap, sizeof(*a->ph)) : NULL;
	if (!a->s || (sp->probes && !a->ph)) {
		arm_free(a);
		return -ENOMEM;
	}
	a->cap = cap;
	a->n = 0;
	return 0;
}

void arm_free(struct arm *a)
{
	free(a->s);
	free(a->ph);
	a->s = NULL;
	a->ph = NULL;
	a->n = a->cap = 0;
}

/* Read the child's stamp, if it wrote one; discard anything older. *cpu: the child's CPU. */
static int64_t read_stamp(int fd, int16_t *cpu)
{
	struct stamp_msg m, last;
	ssize_t r;
	bool got = false;

	*cpu = -1;
	while ((r = read(fd, &m, sizeof(m))) == (ssize_t)sizeof(m)) {
		last = m;
		got = true;
	}
	if (!got)
		return -1;
	*cpu = (int16_t)last.cpu;
	return last.sec * 1000000000 + last.nsec;
}

static void drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* One timed spawn. Nothing here allocates, formats or writes outside the child's own pipe. */
int sampler_one(struct sampler *sp, struct arm *a, struct sample *out)
{
	struct spawn_child child;
	int64_t t0, t1, t2, stamp;
	int rc, status = 0;

	memset(&child, 0, sizeof(child));
	child.pidfd = -1;
	out->t[M_RETURN] = out->t[M_FIRST] = out->t[M_REAPED] = -1;
	out->pid = 0;
	out->cpu_child = -1;
	out->cpu_parent = (int16_t)sched_getcpu(); /* vDSO: outside the timed span */

	t0 = now_ns();
	rc = a->be->spawn(&a->req, &child);
	t1 = now_ns();
	if (rc) {
		out->err = rc;
		drain(sp->stamp_r);
		return rc;
	}
	rc = a->be->reap(&child, &status);
	t2 = now_ns();
	out->pid = child.pid;
	stamp = read_stamp(sp->stamp_r, &out->cpu_child);
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = -ECHILD; /* the target did not exit 0: a measurement of something else */
	out->err = rc;
	if (rc)
		return rc;
	out->t[M_RETURN] = t1 - t0;
	out->t[M_REAPED] = t2 - t0;
	out->t[M_FIRST] = stamp >= t0 ? stamp - t0 : -1;
	return 0;
}

static void progress(struct sampler *sp, bool final)
{
	struct timespec now;

	if (!sp->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && ts_ns(&now) - ts_ns(&sp->last_progress) < 100000000)
		return;
	sp->last_progress = now;
	fprintf(stderr, "\r\033[K%s %zu/%zu (%.0f%%)%s", sp->what ? sp->what : "sampling", sp->done,
		sp->total, sp->total ? 100.0 * (double)sp->done / (double)sp->total : 100.0,
		final ? "\n" : "");
}

static void set_attached(struct sampler *sp, const struct arm *a)
{
	if (sp->probes && a->probes_attached >= 0)
		probes_set_attached(sp->probes, a->probes_attached != 0);
}

/* Take n samples of arm a into its array; the probe record of each is fetched after the
 * block so that map look-ups stay out of the spawn -> reap span of the next sample. */
static int take_block(struct sampler *sp, struct arm *a, size_t n, uint32_t block)
{
	size_t start = a->n;

	set_attached(sp, a);
	for (size_t i = 0; i < n && a->n < a->cap && !g_interrupted; i++) {
		struct sample *s = &a->s[a->n];

		if (sampler_one(sp, a, s)) {
			a->failures++;
			if (!a->first_err)
				a->first_err = s->err;
		}
		s->block = block;
		s->pos_in_block = (uint16_t)(i > UINT16_MAX ? UINT16_MAX : i);
		a->n++;
		sp->done++;
		progress(sp, false);
	}
	if (a->ph)
		for (size_t i = start; i < a->n; i++) {
			memset(&a->ph[i], 0, sizeof(a->ph[i]));
			if (!a->s[i].err)
				probes_collect(sp->probes, a->s[i].pid, &a->ph[i]);
		}
	/* every sample of the arm's first block failed: it cannot be measured */
	if (block == 0 && a->n > start && a->failures == a->n - start)
		return EXP_FAILED;
	return EXP_OK;
}

int sampler_run(struct sampler *sp, struct arm *arms, size_t n_arms,
		const struct sampler_plan *plan)
{
	struct rng rng;
	size_t *order = calloc(n_arms ? n_arms : 1, sizeof(*order));
	size_t block = plan->block ? plan->block : 1;
	size_t n_blocks = (plan->samples + block - 1) / block;
	int status = EXP_OK;

	if (!order)
		return EXP_FAILED;
	rng_seed(&rng, plan->seed);
	sp->done = 0;
	sp->total = n_arms * (plan->samples + plan->warmup);

	/* warm-up: round-robin, discarded (caches, page cache of the target, pid allocator) */
	for (size_t w = 0; w < plan->warmup && !g_interrupted; w++)
		for (size_t i = 0; i < n_arms && !g_interrupted; i++) {
			struct sample s;
			set_attached(sp, &arms[i]);
			sampler_one(sp, &arms[i], &s);
			sp->done++;
			progress(sp, false);
		}
	if (sp->probes)
		probes_reset(sp->probes);

	for (size_t b = 0; b < n_blocks && !g_interrupted; b++) {
		for (size_t i = 0; i < n_arms; i++)
			order[i] = i;
		rng_shuffle(&rng, order, n_arms);
		for (size_t k = 0; k < n_arms && !g_interrupted; k++) {
			struct arm *a = &arms[order[k]];
			size_t want = plan->samples - (size_t)b * block;

			if (want > block)
				want = block;
			if (a->failures == a->n && a->n && a->first_err)
				continue; /* already known unmeasurable */
			if (take_block(sp, a, want, (uint32_t)b) != EXP_OK)
				status = EXP_FAILED;
		}
	}
	progress(sp, true);
	free(order);
	if (g_interrupted)
		return EXP_INTERRUPTED;
	return status;
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
