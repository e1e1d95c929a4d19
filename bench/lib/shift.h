/* How far B sits from A on the log scale, with an interval and a p-value: paired (Wilcoxon
 * signed rank, one-sample Hodges-Lehmann), unpaired (Mann-Whitney U, two-sample HL) and runs as
 * the unit (Student's t, Welch's for unequal numbers of runs). The gate decides from these;
 * comparisons and the latency experiment report them. */
#ifndef SPAWNSCOPE_SHIFT_H
#define SPAWNSCOPE_SHIFT_H

#include <stdbool.h>
#include <stddef.h>

/* A shift of B against A on the log scale: est = Hodges-Lehmann estimate of log(B/A),
 * [lo, hi] its ~95% distribution-free interval, p the two-sided rank-test p-value, stat
 * the test statistic (W+ for paired, U for unpaired). */
struct gate_shift {
	size_t n;	    /* pairs (paired) or the smaller group size (unpaired) */
	double est, lo, hi; /* log ratios */
	double p;
	double stat;
	bool paired;
};

/* Paired: d[i] = log(b[i] / a[i]); Wilcoxon signed-rank p and the one-sample HL interval.
 * 0, -EDOM (a value <= 0 or not finite), -ERANGE (n too small for an interval), -ENOMEM. */
int gate_shift_paired(const double *a, const double *b, size_t n, struct gate_shift *s);
/* The same with a (1 - alpha) interval in lo/hi (a sequential look's share of alpha). */
int gate_shift_paired_level(const double *a, const double *b, size_t n, double alpha,
			    struct gate_shift *s);
/* Unpaired: Mann-Whitney U on log values and the two-sample HL shift of log(b) - log(a). */
int gate_shift_unpaired(const double *a, size_t na, const double *b, size_t nb,
			struct gate_shift *s);

/* Runs as the unit: a[i], b[j] one summary per run (> 0); the shift is mean(log b) -
 * mean(log a) with Student's t interval on the pooled variance when na == nb, else Welch's
 * (Satterthwaite's degrees of freedom, rounded down);
 * p two-sided, stat the t statistic. -ERANGE with fewer than 2 runs a side, -EDOM. */
int gate_shift_runs(const double *a, size_t na, const double *b, size_t nb, struct gate_shift *s);

#endif
