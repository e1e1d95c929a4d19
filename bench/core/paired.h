/* Two arms of one run compared round by round: each round gives both arms one block, so the
 * log-ratio of their block summaries cancels whatever the machine did during that round. The
 * estimate is the Hodges-Lehmann shift of those log-ratios with its signed-rank interval
 * (the gate's code: gate_shift_paired). */
#ifndef SPAWNSCOPE_PAIRED_H
#define SPAWNSCOPE_PAIRED_H

#include <jansson.h>

#include "bench/lib/shift.h"
#include "sampler.h"

/* The metric the comparisons of a run use: t_first when the arm's target stamps (some
 * counted sample has it), else t_reaped. */
enum metric arm_main_metric(const struct arm *a);

/* Rounds of a: one more than its largest round id (0 when it has no sample). */
size_t arm_rounds(const struct arm *a);
/* q-quantile of metric m of the counted samples of each round of a, indexed by round id
 * (NaN for a round without one) into out[0..rounds); buf holds a->n doubles. */
void arm_round_quantiles(const struct arm *a, enum metric m, double q, double *out, size_t rounds,
			 double *buf);

/* Per round present in both arms, the q-quantile (type 7) of metric m over the samples that
 * count (sample_counts) of ref and of arm; then the shift of arm against ref on the log
 * scale into *s (s->est, lo, hi are log ratios; s->n the rounds paired). 0, -ERANGE (no
 * round has both), -EDOM or -ENOMEM. */
int paired_by_round(const struct arm *ref, const struct arm *arm, enum metric m, double q,
		    struct gate_shift *s);

/* The shift as {quantile, estimate, ci95: [lo, hi], rounds}, ratios (exp of the log shift);
 * an infinite bound (too few rounds for a finite interval) is null. */
json_t *paired_json(const struct gate_shift *s, const char *quantile);

#endif
