/* Sorting doubles and type-7 quantiles of sorted data (quantile.h). */
#include "quantile.h"

#include <math.h>
#include <stdlib.h>

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	int nx = isnan(x), ny = isnan(y);

	/* NaNs sort after every number and compare equal to each other. */
	if (nx || ny)
		return nx - ny;
	return (x > y) - (x < y);
}

double quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (n == 0 || isnan(q))
		return NAN;
	if (q <= 0)
		return sorted[0];
	if (q >= 1)
		return sorted[n - 1];
	/* Type 7: h = (n - 1) q, linear between the order statistics around h. */
	h = (double)(n - 1) * q;
	lo = (size_t)floor(h);
	if (lo >= n - 1)
		return sorted[n - 1];
	frac = h - (double)lo;
	if (frac == 0)
		return sorted[lo];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double quantile_of(double *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return quantile_sorted(v, n, q);
}
