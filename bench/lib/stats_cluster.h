/* Intervals of quantiles for clustered samples: the samples of one arm come in blocks (one
 * per round) that share the machine's state, and neighbouring rounds are correlated, so the
 * round, not the sample, is resampled. */
#ifndef SPAWNSCOPE_STATS_CLUSTER_H
#define SPAWNSCOPE_STATS_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define STATS_CLUSTER_MIN_ROUNDS 40

/* 95% percentile intervals of p50 and p10 of x[0..n) (NaN samples dropped), where sample i
 * belongs to cluster[i] (the round; clusters are taken in increasing id order). Circular
 * block bootstrap over the clusters (Politis & Romano 1992): BOOT_RESAMPLES resamples, each
 * made of runs of `run` consecutive clusters starting at uniform positions (wrapping around),
 * B clusters in all; run = round(sqrt(B)); each side of the percentile interval is then
 * stretched away from the estimate by t(B/run - 1) / 1.96 (about B/run independent stretches
 * stand behind it). Overwrites st->ci95_p50/p10; fewer than STATS_CLUSTER_MIN_ROUNDS clusters
 * leave them NaN: the coverage was checked by simulation at 40 and 100 rounds
 * (tests/unit_stats_coverage.c); with 20 or 30 rounds the p10 interval covers only 89-91 %
 * when slow rounds come in runs.
 * *n_clusters and *run get B and the run length. 0, -EINVAL (n == 0) or -ENOMEM. */
int stats_cluster_ci(const double *x, const uint32_t *cluster, size_t n, uint64_t seed,
		     struct stats *st, size_t *n_clusters, size_t *run);

/* The standard error of p10 and p50 from the spread between rounds, for points with too few
 * rounds for an interval: the sample standard deviation of the rounds' own quantiles (type
 * 7, over each round's samples) over sqrt(B). se[0] p10, se[1] p50; NaN with fewer than 3
 * rounds. *rounds gets B. 0, -EINVAL (n == 0) or -ENOMEM. */
int stats_round_se(const double *x, const uint32_t *cluster, size_t n, double se[2],
		   size_t *rounds);

#endif
