/* How many samples a copy-cost point gets: a pilot sample of each arm measures what one
 * round costs at this point (fork of a 4 GiB parent takes 100+ ms here, vfork 0.2 ms), and
 * the point's time budget is divided by it. */
#include "copycost.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static size_t clamp_size(double v, size_t lo, size_t hi)
{
	if (!(v >= (double)lo))
		return lo;
	if (v >= (double)hi)
		return hi;
	return (size_t)v;
}

size_t budget_capacity(const struct budget *b, const struct opts *o)
{
	size_t block = o->block > 0 ? (size_t)o->block : b->block;
	size_t samples =
	    o->samples >= 0 ? (size_t)o->samples : (b->max_samples / block + 1) * block;
	size_t warmup = o->warmup >= 0 ? (size_t)o->warmup : b->warmup;
	return samples + warmup + 1;
}

int budget_plan(struct sampler *sp, struct arm *arms, size_t *n_arms, const struct budget *b,
		const struct opts *o, uint64_t seed, struct sampler_plan *plan)
{
	double round_ns = 0;
	for (size_t i = 0; i < *n_arms;) {
		if (g_interrupted)
			return EXP_INTERRUPTED;
		struct sample s;
		memset(&s, 0, sizeof s);
		int64_t t0 = now_ns();
		int rc = sampler_one(sp, &arms[i], &s);
		int64_t spent = now_ns() - t0;
		if (rc || s.err) {
			int err = s.err ? -s.err : -rc;
			fprintf(stderr,
				"spawnscope: %s: pilot spawn failed (%s); arm left out here\n",
				arms[i].label, strerror(err));
			/* keep the failed arm past the end so its owner still frees it */
			struct arm tmp = arms[i];
			arms[i] = arms[*n_arms - 1];
			arms[*n_arms - 1] = tmp;
			(*n_arms)--;
			continue;
		}
		/* the wall time of the whole sample (not only t_reaped): the driver's own work
		 * around each spawn is part of what the budget pays for */
		round_ns += (double)spent;
		i++;
	}
	if (*n_arms == 0)
		return EXP_FAILED;
	memset(plan, 0, sizeof *plan);
	plan->seed = seed;
	/* One block length for the whole sweep: the share of samples taken right after an arm
	 * switch (left out of the statistics) must not grow with the point's size. */
	plan->block = o->block > 0 ? (size_t)o->block : b->block;
	if (o->samples >= 0) {
		plan->samples = (size_t)o->samples;
	} else {
		size_t lo = (b->min_samples + plan->block - 1) / plan->block;
		size_t hi = b->max_samples / plan->block;
		size_t rounds =
		    clamp_size(b->point_seconds * 1e9 / fmax(round_ns * (double)plan->block, 1.0),
			       lo ? lo : 1, hi > lo ? hi : (lo ? lo : 1));
		plan->samples = rounds * plan->block;
	}
	plan->warmup = o->warmup >= 0 ? (size_t)o->warmup : b->warmup;
	return EXP_OK;
}
