/* Small deterministic PRNG (splitmix64 seeding xoshiro256**) for shuffles and bootstraps:
 * the same seed gives the same block orders and resamples on every machine. */
#ifndef SPAWNSCOPE_RNG_H
#define SPAWNSCOPE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n); /* uniform in [0, n), unbiased */
void rng_shuffle(struct rng *r, size_t *v, size_t n);
/* v = a fresh random permutation of 0 .. n-1 (the order of the points of a sweep, or of the
 * arms of a round). */
void rng_permutation(struct rng *r, size_t *v, size_t n);

#endif
