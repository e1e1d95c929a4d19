/* Do an arm's block medians form two groups? Here they do when some rounds' children ran on
 * the other CPU (docs/statistics.md): such an arm's p50 is a mixture whose share of slow
 * rounds is luck, so the summary flags it. */
#ifndef SPAWNSCOPE_STATS_MODES_H
#define SPAWNSCOPE_STATS_MODES_H

#include <stdbool.h>
#include <stddef.h>

#define MODES_MIN_BLOCKS 10 /* fewer block medians: no verdict */

struct modes {
	bool two_groups;
	double low, high;  /* geometric mean of each group (two-component fit) */
	double share_high; /* fraction of blocks in the high group */
	double delta_bic;  /* BIC(one normal) - BIC(two normals), on log values */
	size_t n;
};

/* Fit one and two normals (EM) to log(v[0..n)), v > 0. Two groups when the two-normal fit
 * is very strongly preferred (delta BIC > 10, Kass & Raftery 1995), each group holds at
 * least 3 blocks and 5 % of them (fewer are disturbed rounds, not a mode), the groups' centres
 * differ by at least 20 % and by more than twice the larger group's spread (two normals closer than
 * that make one hump, not two). -EINVAL for n < MODES_MIN_BLOCKS or a value <= 0, -ENOMEM; 0
 * otherwise. */
int block_modes(const double *v, size_t n, struct modes *out);

#endif
