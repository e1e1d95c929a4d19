/* Order statistics of an array of doubles: the comparison for qsort and the type-7 quantile
 * of sorted data. Shared by stats.c and its bootstrap (stats_boot.c). */
#ifndef SPAWNSCOPE_QUANTILE_H
#define SPAWNSCOPE_QUANTILE_H

#include <stddef.h>

/* qsort comparison: ascending, NaNs after every number and equal to each other. */
int cmp_double(const void *a, const void *b);

/* Quantile of sorted data, Hyndman & Fan type 7 (R's default, numpy's "linear"). */
double quantile_sorted(const double *sorted, size_t n, double q);

/* Sort v[0..n) in place (cmp_double) and return its type-7 q-quantile; NaN when n == 0. */
double quantile_of(double *v, size_t n, double q);

#endif
