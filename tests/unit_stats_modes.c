/* bench/lib/stats_modes.c on synthetic block medians: one hump is not flagged (in >= 97 % of
 * seeded draws), two groups like the same-CPU / other-CPU rounds measured here are (>= 95 %),
 * and two groups too close to make two humps are not. The generator is the test's own. */
#include "synth.h"
#include "tap.h"
#include "bench/lib/stats_modes.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>

#define BLOCKS 100
#define DRAWS 200

static uint64_t state = 77;

/* Share p of the blocks are `factor` times slower; log spread sd; a heavy tail when t3. */
static unsigned flagged(double p, double factor, double sd, int t3)
{
	double v[BLOCKS];
	unsigned hits = 0;
	struct modes m;

	for (int d = 0; d < DRAWS; d++) {
		for (int i = 0; i < BLOCKS; i++) {
			double e = synth_gauss(&state);
			if (t3) /* Student t with 3 dof: normal / sqrt(chi2_3 / 3) */
				e /= sqrt((synth_gauss(&state) * synth_gauss(&state) +
					   synth_gauss(&state) * synth_gauss(&state) +
					   synth_gauss(&state) * synth_gauss(&state)) /
					  3);
			v[i] = 43e3 * exp(sd * e) * (synth_unif(&state) < p ? factor : 1);
		}
		if (block_modes(v, BLOCKS, &m) == 0 && m.two_groups)
			hits++;
	}
	return hits;
}

int main(void)
{
	double few[5] = {1, 2, 3, 4, 5}, bad[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1};
	double v[20];
	struct modes m;
	unsigned h;

	tap_plan(8);
	h = flagged(0, 1, 0.05, 0);
	tap_ok(h <= DRAWS * 3 / 100, "one normal hump (sd 5 %%): flagged in %u of %d", h, DRAWS);
	h = flagged(0, 1, 0.05, 1);
	tap_ok(h <= DRAWS * 3 / 100, "one heavy-tailed hump (t3, 5 %%): flagged in %u of %d", h,
	       DRAWS);
	h = flagged(0.10, 2.3, 0.05, 0);
	tap_ok(h >= DRAWS * 95 / 100, "10 %% of blocks x2.3: flagged in %u of %d", h, DRAWS);
	h = flagged(0.40, 1.6, 0.08, 0);
	tap_ok(h >= DRAWS * 95 / 100, "40 %% of blocks x1.6: flagged in %u of %d", h, DRAWS);
	h = flagged(0.30, 1.05, 0.05, 0);
	tap_ok(h <= DRAWS * 3 / 100, "30 %% of blocks x1.05 (one hump): flagged in %u of %d", h,
	       DRAWS);

	for (int i = 0; i < 20; i++)
		v[i] = i < 15 ? 43e3 + 100 * i : 110e3 + 100 * i;
	int rc = block_modes(v, 20, &m);

	tap_ok(rc == 0 && m.two_groups && fabs(m.share_high - 0.25) < 0.01 && m.low > 43e3 &&
		   m.low < 45e3 && m.high > 111e3 && m.high < 113e3,
	       "15 blocks near 44 us and 5 near 112 us: groups %.0f and %.0f, %.0f %% high", m.low,
	       m.high, 100 * m.share_high);
	tap_ok(block_modes(few, 5, &m) == -EINVAL && !m.two_groups,
	       "fewer than %d blocks: no verdict", MODES_MIN_BLOCKS);
	tap_ok(block_modes(bad, 12, &m) == -EINVAL, "a value <= 0 is refused");
	return tap_done();
}
