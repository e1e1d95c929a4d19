/* The machine's level through a run (bench/lib/stats_level.c) on synthetic block medians:
 * arms at different costs, each round's level shared by every arm, arm noise on top. */
#include "synth.h"
#include "tap.h"
#include "bench/lib/stats_level.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>

#define ARMS 7
#define ROUNDS 100

/* lq of ARMS arms over ROUNDS rounds: arm a costs (a + 1) * 40 us; rounds from step_from on
 * are slower by step; noise is the per-block relative sd; one arm misses every 10th round. */
static void fill(double *lq, double step, size_t step_from, double noise, uint64_t seed)
{
	uint64_t state = seed;

	for (size_t a = 0; a < ARMS; a++)
		for (size_t r = 0; r < ROUNDS; r++)
			lq[a * ROUNDS + r] = (a == 3 && r % 10 == 0)
						 ? NAN
						 : log((double)(a + 1) * 40e3) +
						       (r >= step_from ? log1p(step) : 0) +
						       noise * synth_gauss(&state);
}

int main(void)
{
	static double lq[ARMS * ROUNDS];
	struct level_course c;
	int rc;

	tap_plan(6);
	fill(lq, 0, ROUNDS, 0.05, 1);
	rc = stats_level_course(lq, ARMS, ROUNDS, &c);
	tap_ok(rc == 0 && c.arms == ARMS && c.rounds == ROUNDS,
	       "steady machine: %d arms, %d rounds (got rc %d, %zu, %zu)", ARMS, ROUNDS, rc, c.arms,
	       c.rounds);
	tap_ok(c.range < 0.03,
	       "steady machine, 5 %% block noise: the quarters agree within 3 %% "
	       "(range %.2f %%)",
	       c.range * 100);

	fill(lq, 0.10, 3 * ROUNDS / 4, 0.05, 2);
	rc = stats_level_course(lq, ARMS, ROUNDS, &c);
	tap_ok(rc == 0 && fabs(c.part[0]) < 0.02 && fabs(c.part[1]) < 0.02 &&
		   fabs(c.part[2]) < 0.02 && fabs(c.part[3] - 0.10) < 0.03,
	       "10 %% step in the last quarter: quarters %+.1f %+.1f %+.1f %+.1f %%",
	       c.part[0] * 100, c.part[1] * 100, c.part[2] * 100, c.part[3] * 100);
	tap_ok(fabs(c.range - 0.10) < 0.03, "and it moved 10 %% (range %.1f %%)", c.range * 100);

	/* one arm alone still gives its own course */
	fill(lq, 0.10, ROUNDS / 2, 0.02, 3);
	rc = stats_level_course(lq, 1, ROUNDS, &c);
	tap_ok(rc == 0 && c.part[0] < -0.03 && c.part[3] > 0.03 && fabs(c.range - 0.10) < 0.03,
	       "one arm, 10 %% step at half time: first quarter %+.1f %%, last %+.1f %%",
	       c.part[0] * 100, c.part[3] * 100);
	tap_ok(stats_level_course(lq, ARMS, 7, &c) == -ERANGE, "7 rounds: -ERANGE");
	return tap_done();
}
