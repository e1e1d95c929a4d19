/* The simulation tests' own random numbers, independent of bench/lib/stats.c's PRNG: a 64-bit LCG
 * (Knuth's MMIX constants), its top 53 bits as a uniform in (0, 1), Box-Muller normals.
 * Header-only. */
#ifndef SPAWNSCOPE_TESTS_SYNTH_H
#define SPAWNSCOPE_TESTS_SYNTH_H

#include <math.h>
#include <stdint.h>

static inline double synth_unif(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(*state >> 11) + 0.5) / 9007199254740992.0;
}

static inline double synth_gauss(uint64_t *state) /* one of the Box-Muller pair */
{
	double u = synth_unif(state);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * synth_unif(state));
}

#endif
