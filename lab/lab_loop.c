/*
 * The timed loop, in the lab: spawn -> child -> reap, for the arms of lab_sh, interleaved in
 * blocks whose order is reshuffled every round.
 *
 * Every time is CLOCK_MONOTONIC ns relative to t0, read just before spawn(): t_return when
 * spawn() returned, t_first the child's stamp, t_reaped when reap() returned. Nothing is
 * allocated, formatted or written while a sample is timed; samples go straight into the
 * shared arena (MADV_DONTFORK). Between blocks the lab tells the driver (probes attach or
 * detach, probe records collected) only for arms that asked for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "bench/lib/rng.h"
#include "impls/registry.h"
#include "impls/targets/stamp_proto.h"
#include "lab.h"

extern char **environ;

/* enum exp_status of bench/core/experiment.h (the lab does not include the driver's headers) */
enum { LAB_EXP_OK = 0, LAB_EXP_FAILED = 1, LAB_EXP_INTERRUPTED = 130 };

/* What the lab builds from a struct lab_arm: the backend and a ready spawn request. Every
 * byte a child reads (path, argv, fd actions) lives here, in the lab's own memory: the arena
 * is MADV_DONTFORK, so a fork child has no such mapping (exec would fail with EFAULT). */
struct arm_rt {
	const struct spawn_backend *be;
	struct spawn_req req;
	struct spawn_fd_op ops[LAB_ARM_OPS + 1];
	char paths[LAB_ARM_OPS][sizeof(((struct lab_fd_op *)0)->path)];
	struct sample *s;
};

static struct arm_rt rt[LAB_MAX_ARMS];
static char target_path[sizeof(((struct lab_shared *)0)->target)];
static char *target_argv[2];
static int stamp_r = -1, stamp_w = -1;

int lab_loop_init(void)
{
	int p[2];

	/* The write end is dup2'd onto STAMP_FD by the child's first fd action, so where the
	 * pipe sits does not matter; it stays low, inside the fd table's first word, so that
	 * the lab's own fds never make dup_fd allocate a bigger table than the experiment's. */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	stamp_r = p[0];
	stamp_w = p[1];
	return 0;
}

/* Resolve the arm's backend (a plug-in is loaded once and kept) and build its request. */
static int arm_setup(uint32_t i, char *why, size_t len)
{
	const struct lab_arm *la = &lab_sh->arms[i];
	struct arm_rt *a = &rt[i];
	size_t n = 0;
	int rc;

	memset(a, 0, sizeof(*a));
	if (la->plugin[0]) {
		rc = backend_load_plugin(la->plugin, &a->be, why, len);
		if (rc)
			return rc;
	} else if (!(a->be = backend_find(la->backend))) {
		snprintf(why, len, "unknown backend '%s'", la->backend);
		return -ENOENT;
	}
	if (la->n_ops > LAB_ARM_OPS ||
	    la->samples_off + la->cap * sizeof(struct sample) > LAB_ARENA_BYTES ||
	    la->samples_off < LAB_SAMPLES_OFF) {
		snprintf(why, len, "arm %s: bad layout", la->label);
		return -EINVAL;
	}
	if (la->exec && lab_sh->target_stamps)
		a->ops[n++] =
		    (struct spawn_fd_op){.kind = SPAWN_FD_DUP2, .fd = stamp_w, .newfd = STAMP_FD};
	for (uint32_t k = 0; k < la->n_ops; k++) {
		memcpy(a->paths[k], la->ops[k].path, sizeof(a->paths[k]));
		a->paths[k][sizeof(a->paths[k]) - 1] = 0;
		a->ops[n++] = (struct spawn_fd_op){.kind = la->ops[k].kind,
						   .fd = la->ops[k].fd,
						   .newfd = la->ops[k].newfd,
						   .path = a->paths[k],
						   .oflag = la->ops[k].oflag,
						   .mode = la->ops[k].mode};
	}
	memcpy(target_path, lab_sh->target, sizeof(target_path));
	target_path[sizeof(target_path) - 1] = 0;
	target_argv[0] = target_path;
	target_argv[1] = NULL;
	a->req = (struct spawn_req){.path = target_path,
				    .argv = target_argv,
				    .envp = environ,
				    .fd_ops = a->ops,
				    .n_fd_ops = n,
				    .share = la->share,
				    .exec = la->exec != 0,
				    .stamp_fd = la->exec ? -1 : stamp_w,
				    .flags = SPAWN_REQ_NO_CAUGHT_SIGNALS};
	a->s = (struct sample *)((char *)lab_sh + la->samples_off);
	return 0;
}

/* The child's stamp, if it wrote one (anything older is discarded); *cpu: its CPU. */
static int64_t read_stamp(int16_t *cpu)
{
	struct stamp_msg m, last;
	bool got = false;

	*cpu = -1;
	while (read(stamp_r, &m, sizeof(m)) == (ssize_t)sizeof(m)) {
		last = m;
		got = true;
	}
	if (!got)
		return -1;
	*cpu = (int16_t)last.cpu;
	return last.sec * 1000000000 + last.nsec;
}

static void drain_stamps(void)
{
	char buf[256];

	while (read(stamp_r, buf, sizeof(buf)) > 0)
		;
}

/* One timed spawn. The driver watches sample_t0_ns and child_pid to kill a child that
 * outlives --sample-timeout; it names the sample it killed by its sequence number, so a
 * verdict about one sample can never land on the next. */
static void take_sample(struct arm_rt *a, struct sample *out)
{
	struct spawn_child child;
	int64_t t0, t1, t2, stamp;
	int rc, status = 0;

	memset(&child, 0, sizeof(child));
	child.pidfd = -1;
	out->t[M_RETURN] = out->t[M_FIRST] = out->t[M_REAPED] = -1;
	out->pid = 0;
	out->cpu_child = -1;
	out->cpu_parent = (int16_t)sched_getcpu(); /* vDSO, outside the timed span */
	uint64_t seq = lab_sh->sample_seq + 1;
	lab_sh->sample_seq = seq;
	lab_sh->sample_t0_ns = now_ns();

	t0 = now_ns();
	rc = a->be->spawn(&a->req, &child);
	t1 = now_ns();
	if (rc) {
		lab_sh->sample_t0_ns = 0;
		out->err = lab_sh->timed_out_seq == seq ? -ETIMEDOUT : rc;
		drain_stamps();
		return;
	}
	lab_sh->child_pid = child.pid;
	rc = a->be->reap(&child, &status);
	t2 = now_ns();
	lab_sh->sample_t0_ns = 0;
	lab_sh->child_pid = 0;
	out->pid = child.pid;
	stamp = read_stamp(&out->cpu_child);
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = -ECHILD; /* the target did not exit 0: a measurement of something else */
	if (lab_sh->timed_out_seq == seq)
		rc = -ETIMEDOUT;
	out->err = rc;
	if (rc)
		return;
	out->t[M_RETURN] = t1 - t0;
	out->t[M_REAPED] = t2 - t0;
	out->t[M_FIRST] = stamp >= t0 ? stamp - t0 : -1;
}

static int arm_state(uint32_t i)
{
	return lab_fds_apply(lab_sh->arms[i].fds_cloexec);
}

/* Tell the driver about a block of arm i (only arms that asked). 0, or -errno: abort. */
static int block_event(uint32_t op, uint32_t i, uint32_t block, uint64_t start, uint64_t n)
{
	struct lab_msg m;

	memset(&m, 0, sizeof(m));
	m.op = op;
	m.u.ev.arm = i;
	m.u.ev.block = block;
	m.u.ev.start = start;
	m.u.ev.n = n;
	return lab_event(&m);
}

/* n samples of arm i into its array. -errno when the driver aborts the run. */
static int take_block(uint32_t i, uint64_t n, uint32_t block)
{
	struct lab_arm *la = &lab_sh->arms[i];
	struct arm_rt *a = &rt[i];
	uint64_t start = la->n;
	int rc;

	if (la->probes >= 0 && (rc = block_event(LAB_EV_BLOCK_BEGIN, i, block, start, 0)))
		return rc;
	if ((rc = arm_state(i)))
		return rc;
	for (uint64_t k = 0; k < n && la->n < la->cap && !lab_sh->stop; k++) {
		struct sample *s = &a->s[la->n];

		take_sample(a, s);
		if (s->err) {
			la->failures++;
			if (!la->first_err)
				la->first_err = s->err;
		}
		s->block = block;
		s->pos_in_block = (uint16_t)(k > UINT16_MAX ? UINT16_MAX : k);
		la->n++;
		lab_sh->done++;
	}
	if (la->collect && la->n > start &&
	    (rc = block_event(LAB_EV_BLOCK_END, i, block, start, la->n - start)))
		return rc;
	return 0;
}

int lab_run(void)
{
	uint32_t n_arms = lab_sh->n_arms;
	const struct lab_plan *plan = &lab_sh->plan;
	uint64_t block = plan->block ? plan->block : 1;
	uint64_t n_blocks = (plan->samples + block - 1) / block;
	size_t order[LAB_MAX_ARMS];
	struct rng rng;
	int status = LAB_EXP_OK, rc;

	if (n_arms > LAB_MAX_ARMS)
		return -EINVAL;
	for (uint32_t i = 0; i < n_arms; i++) {
		char why[256] = "";
		lab_sh->arms[i].n = lab_sh->arms[i].failures = 0;
		lab_sh->arms[i].first_err = 0;
		if ((rc = arm_setup(i, why, sizeof(why)))) {
			fprintf(stderr, "spawnscope-lab: %s: %s\n", lab_sh->arms[i].label, why);
			return rc;
		}
	}
	/* Let the scheduler forget the set-up. Mapping, touching or unmapping gigabytes, opening
	 * 65,536 fds, or the driver writing run.json, keeps a CPU busy for up to seconds; its
	 * PELT load (halving every 32 ms) then makes the fork balancing of wake_up_new_task
	 * (select_task_rq_fair, SD_BALANCE_FORK) put new children on the other CPU for the
	 * next ~100 ms, and a short point measures the cross-CPU start-up instead of its own
	 * configuration (seen here: 2x for the first rounds after a 2 GiB point). */
	if (plan->settle_ns) {
		struct timespec ts = {.tv_sec = (time_t)(plan->settle_ns / 1000000000),
				      .tv_nsec = (long)(plan->settle_ns % 1000000000)};
		while (nanosleep(&ts, &ts) && errno == EINTR && !lab_sh->stop)
			;
	}
	rng_seed(&rng, plan->seed);
	lab_sh->done = 0;
	lab_sh->total = n_arms * (plan->samples + plan->warmup);

	/* warm-up: round-robin, discarded (caches, page cache of the target, pid allocator) */
	for (uint64_t w = 0; w < plan->warmup && !lab_sh->stop; w++)
		for (uint32_t i = 0; i < n_arms && !lab_sh->stop; i++) {
			struct sample s;
			if ((rc = arm_state(i)))
				return rc;
			take_sample(&rt[i], &s);
			lab_sh->done++;
		}
	if ((rc = block_event(LAB_EV_WARMED, 0, 0, 0, 0)))
		return rc;
	lab_footprint_read(&lab_sh->fp_start);

	for (uint64_t b = 0; b < n_blocks && !lab_sh->stop; b++) {
		rng_permutation(&rng, order, n_arms);
		for (uint32_t k = 0; k < n_arms && !lab_sh->stop; k++) {
			uint32_t i = (uint32_t)order[k];
			struct lab_arm *la = &lab_sh->arms[i];
			uint64_t want = plan->samples - b * block;
			uint64_t before = la->n;

			if (want > block)
				want = block;
			if (la->n && la->failures == la->n && la->first_err)
				continue; /* already known unmeasurable */
			if ((rc = take_block(i, want, (uint32_t)b)))
				return rc;
			/* every sample of the arm's first block failed: it cannot be measured */
			if (b == 0 && la->n > before && la->failures == la->n - before)
				status = LAB_EXP_FAILED;
		}
	}
	lab_footprint_read(&lab_sh->fp_end);
	return lab_sh->stop ? LAB_EXP_INTERRUPTED : status;
}

int lab_one(uint32_t arm, struct sample *out)
{
	char why[256] = "";
	int rc;

	if (arm >= LAB_MAX_ARMS)
		return -EINVAL;
	if ((rc = arm_setup(arm, why, sizeof(why)))) {
		fprintf(stderr, "spawnscope-lab: %s: %s\n", lab_sh->arms[arm].label, why);
		return rc;
	}
	if ((rc = arm_state(arm)))
		return rc;
	memset(out, 0, sizeof(*out));
	take_sample(&rt[arm], out);
	return 0;
}
