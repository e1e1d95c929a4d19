/* The machine's level through one run, read from every arm at once. The arms of a point run
 * interleaved, one block each per round, so whatever the machine does in a round (another
 * job, a host neighbour, a frequency step) moves all of them: per round, the median over
 * arms of each arm's log block quantile minus that arm's own median is the round's level.
 * Its course over the run's quarters says how far the machine moved while the run lasted:
 * something no interval computed from this run can see beyond (a run at another time sits
 * at another level), so the summary prints it beside the intervals. */
#ifndef SPAWNSCOPE_STATS_LEVEL_H
#define SPAWNSCOPE_STATS_LEVEL_H

#include <stddef.h>

#define LEVEL_PARTS 4

struct level_course {
	size_t arms, rounds;	  /* arms with a block in some round; rounds with a level */
	double part[LEVEL_PARTS]; /* median level of each quarter of the rounds, as a
				   * fraction relative to the whole run's (0.05 = 5 % slower) */
	double range;		  /* max - min of part[] */
	/* How far the level wanders between quarter-runs beyond what round-to-round noise
	 * explains, on the log scale: the parts' sample variance less (pi/2) s^2 / m, the
	 * variance a median of m independent rounds of spread s would have (s: the rounds'
	 * level spread, 1.4826 MAD), floored at 0; the square root. A steady machine gives
	 * about 0: the block bootstrap has already counted its round-to-round noise. */
	double sd;
};

/* lq[a * n_rounds + r]: log of arm a's block quantile in round r (NaN: no block). 0, or
 * -ERANGE when fewer than 2 * LEVEL_PARTS rounds have a level, -ENOMEM. */
int stats_level_course(const double *lq, size_t n_arms, size_t n_rounds, struct level_course *out);

/* Widen a 95 % interval [ci[0], ci[1]] of a quantile est (> 0) by the level's wander: on the
 * log scale each side's half-width h becomes sqrt(h^2 + (1.96 sd)^2). A run's quantile is the
 * arm's cost at the level the machine held during the run; another run, at another time,
 * holds another level, and the spread of the level between a run's quarters is the evidence
 * of how far it wanders. NaN bounds stay NaN. */
void stats_level_widen(double est, double ci[2], double sd);

#endif
