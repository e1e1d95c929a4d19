/*
 * The timed loop (lab/lab_loop.c) through the lab's own protocol: a real lab, four arms,
 * 3 rounds of blocks of 4 after 2 warm-up samples each. Checks that the warm-up is taken and
 * discarded before the first block, that every round runs every arm once in the order the
 * seeded shuffle gives (a fresh order each round), that block indices and positions are
 * right and the first sample of each block is marked, that the driver is told about each
 * block (begin with the arm's probe state, end with the samples taken), and that the lab's
 * footprint does not change while it runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/core/lab_client.h"
#include "bench/lib/rng.h"
#include "tap.h"

#define N_ARMS 4
#define ROUNDS 3
#define BLOCK 4
#define WARMUP 2
#define SEED 7

static const char *const backends[N_ARMS] = {"fork-exec", "vfork", "posix-spawn", "clone"};

struct event_log {
	int warmed;		 /* WARMED events */
	int warmed_before_block; /* 1 while no block event preceded it */
	int begin[ROUNDS][N_ARMS], n_begin[ROUNDS];
	int ends, ends_right;
	int other;
};

static int on_event(void *arg, const struct lab_msg *ev, char *why, size_t len)
{
	struct event_log *log = arg;
	(void)why;
	(void)len;

	if (ev->op == LAB_EV_WARMED) {
		log->warmed++;
		log->warmed_before_block = log->n_begin[0] == 0;
	} else if (ev->op == LAB_EV_BLOCK_BEGIN && ev->u.ev.block < ROUNDS &&
		   log->n_begin[ev->u.ev.block] < N_ARMS) {
		log->begin[ev->u.ev.block][log->n_begin[ev->u.ev.block]++] = (int)ev->u.ev.arm;
	} else if (ev->op == LAB_EV_BLOCK_END) {
		log->ends++;
		log->ends_right +=
		    ev->u.ev.start == (uint64_t)ev->u.ev.block * BLOCK && ev->u.ev.n == BLOCK;
	} else {
		log->other++;
	}
	return 0;
}

int main(void)
{
	const char *build = getenv("SPAWNSCOPE_BUILD");
	struct event_log log;
	struct lab *lab;
	struct lab_msg m = {.op = LAB_RUN};

	tap_plan(9);
	if (!build || lab_start(build, 5000000000LL, &lab)) {
		tap_ok(0, "the lab starts (SPAWNSCOPE_BUILD=%s)", build ? build : "unset");
		return tap_done();
	}
	struct lab_shared *sh = lab->sh;
	snprintf(sh->target, sizeof(sh->target), "%s/targets/stamp", build);
	sh->target_stamps = 1;
	sh->n_arms = N_ARMS;
	sh->plan = (struct lab_plan){
	    .samples = ROUNDS * BLOCK, .warmup = WARMUP, .block = BLOCK, .seed = SEED};
	for (int i = 0; i < N_ARMS; i++) {
		struct lab_arm *a = &sh->arms[i];
		memset(a, 0, sizeof(*a));
		snprintf(a->backend, sizeof(a->backend), "%s", backends[i]);
		snprintf(a->label, sizeof(a->label), "%s", backends[i]);
		a->exec = 1;
		a->fds_cloexec = -1;
		a->probes = 0; /* ask for the begin event */
		a->collect = 1;
		a->cap = ROUNDS * BLOCK;
		if (!lab_samples_alloc(lab, a->cap, &a->samples_off))
			return 1;
	}
	memset(&log, 0, sizeof(log));
	int rc = lab_call(lab, &m, on_event, &log, NULL);
	tap_ok(rc == 0 && m.rc == 0, "the run completes (%d, status %d)", rc, m.rc);

	tap_ok(log.warmed == 1 && log.warmed_before_block,
	       "warm-up taken before the first block, announced once (%d)", log.warmed);
	uint64_t taken = 0;
	for (int i = 0; i < N_ARMS; i++)
		taken += sh->arms[i].n;
	tap_ok(sh->done == (uint64_t)N_ARMS * (ROUNDS * BLOCK + WARMUP) &&
		   taken == (uint64_t)N_ARMS * ROUNDS * BLOCK,
	       "%llu spawns, %llu kept: the %d warm-up samples are discarded",
	       (unsigned long long)sh->done, (unsigned long long)taken, N_ARMS * WARMUP);

	/* the order of every round is the seeded shuffle's, a fresh one each round */
	struct rng rng;
	size_t order[N_ARMS];
	int same_order = 1, distinct_rounds = 0;
	rng_seed(&rng, SEED);
	for (int b = 0; b < ROUNDS; b++) {
		for (int i = 0; i < N_ARMS; i++)
			order[i] = (size_t)i;
		rng_shuffle(&rng, order, N_ARMS);
		same_order &= log.n_begin[b] == N_ARMS;
		for (int i = 0; i < N_ARMS && log.n_begin[b] == N_ARMS; i++)
			same_order &= log.begin[b][i] == (int)order[i];
		if (b && memcmp(log.begin[b], log.begin[b - 1], sizeof(log.begin[b])))
			distinct_rounds++;
	}
	tap_ok(same_order, "every round runs every arm once, in the seeded shuffle's order");
	tap_ok(distinct_rounds > 0, "the order changes between rounds (%d of %d changes)",
	       distinct_rounds, ROUNDS - 1);
	tap_ok(log.ends == N_ARMS * ROUNDS && log.ends_right == log.ends && !log.other,
	       "the driver hears the end of each block with its samples (%d of %d right)",
	       log.ends_right, log.ends);

	int counts_ok = 1, marks_ok = 1, errs = 0;
	for (int i = 0; i < N_ARMS; i++) {
		const struct lab_arm *a = &sh->arms[i];
		const struct sample *s = (const struct sample *)((const char *)sh + a->samples_off);
		counts_ok &= a->n == ROUNDS * BLOCK && a->failures == 0;
		for (uint64_t j = 0; j < a->n; j++) {
			counts_ok &= s[j].block == j / BLOCK;
			marks_ok &= s[j].pos_in_block == j % BLOCK;
			errs += s[j].err != 0 || s[j].t[M_REAPED] < s[j].t[M_RETURN] ||
				s[j].t[M_FIRST] < 0;
		}
	}
	tap_ok(counts_ok && !errs,
	       "each arm: %d samples, block index = round, no failure, times ordered (%d bad)",
	       ROUNDS * BLOCK, errs);
	tap_ok(marks_ok, "pos_in_block counts 0..%d in every block (0 = the switch sample)",
	       BLOCK - 1);
	tap_ok(sh->fp_start.vmas > 0 && sh->fp_end.vmas == sh->fp_start.vmas &&
		   sh->fp_end.fds == sh->fp_start.fds &&
		   sh->fp_end.threads == sh->fp_start.threads &&
		   sh->fp_end.rss_anon_bytes - sh->fp_start.rss_anon_bytes <= 4096,
	       "the lab's footprint holds still: RssAnon %lld -> %lld B, %lld -> %lld VMAs, "
	       "%lld -> %lld fds",
	       (long long)sh->fp_start.rss_anon_bytes, (long long)sh->fp_end.rss_anon_bytes,
	       (long long)sh->fp_start.vmas, (long long)sh->fp_end.vmas,
	       (long long)sh->fp_start.fds, (long long)sh->fp_end.fds);
	lab_stop(lab);
	return tap_done();
}
