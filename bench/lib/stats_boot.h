/* The percentile bootstrap behind stats_compute (private to bench/lib/stats.c). */
#ifndef SPAWNSCOPE_STATS_BOOT_H
#define SPAWNSCOPE_STATS_BOOT_H

#include <stddef.h>
#include <stdint.h>

#define BOOT_RESAMPLES 2000
/* Up to this many samples a resample is drawn index by index (bit-exact everywhere); above,
 * its order statistics are drawn directly from their Beta distributions. */
#define BOOT_COUNTS_MAX 2048

/* 95% intervals for p50 and p10 of sorted[0..n) (n >= 1) into ci_p50 and ci_p10; 0 or
 * -ENOMEM. */
int stats_bootstrap(const double *sorted, size_t n, uint64_t seed, double ci_p50[2],
		    double ci_p10[2]);

#endif
