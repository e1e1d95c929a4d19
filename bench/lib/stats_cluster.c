/* The circular block bootstrap of p50 and p10 over clusters (bench/lib/stats_cluster.h).
 *
 * A resample is a multiplicity per cluster, so it never needs sorting: the samples are sorted
 * once, and each resample's quantile is found by walking them with the weight of their
 * cluster (type 7 on the resample's N* = sum of multiplicity x cluster size values). */
#include "stats_cluster.h"
#include "stats_boot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tagged {
	double v;
	uint32_t cluster;
};

static int cmp_tagged_value(const void *a, const void *b)
{
	return cmp_double(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
}

static int cmp_tagged_cluster(const void *a, const void *b)
{
	uint32_t x = ((const struct tagged *)a)->cluster, y = ((const struct tagged *)b)->cluster;

	return (x > y) - (x < y);
}

/* The value at 0-based rank r of a weighted resample; pos and below only move forward. */
static double weighted_rank(const struct tagged *t, const size_t *w, size_t n, size_t *pos,
			    size_t *below, size_t r)
{
	while (*pos < n && *below + w[t[*pos].cluster] <= r) {
		*below += w[t[*pos].cluster];
		(*pos)++;
	}
	return t[*pos < n ? *pos : n - 1].v;
}

/* Type-7 quantiles q[0] < q[1] of the resample with multiplicities w into out. */
static void weighted_quantiles(const struct tagged *t, const size_t *w, size_t n, size_t total,
			       const double *q, double *out, size_t k)
{
	size_t pos = 0, below = 0;

	for (size_t i = 0; i < k; i++) {
		double h = (double)(total - 1) * q[i], frac, a, b;
		size_t lo = (size_t)floor(h);

		if (lo >= total - 1)
			lo = total - 1;
		frac = h - (double)lo;
		a = weighted_rank(t, w, n, &pos, &below, lo);
		b = frac > 0 && lo + 1 < total ? weighted_rank(t, w, n, &pos, &below, lo + 1) : a;
		out[i] = a + frac * (b - a);
	}
}

/* The 2.5% and 97.5% points of the sorted bootstrap estimates b, moved away from the estimate
 * by the factor widen (each side keeps its own length: the interval stays asymmetric). */
static void widened(const double *b, double estimate, double widen, double ci[2])
{
	double lo = quantile_sorted(b, BOOT_RESAMPLES, 0.025);
	double hi = quantile_sorted(b, BOOT_RESAMPLES, 0.975);

	ci[0] = estimate - widen * (estimate > lo ? estimate - lo : 0);
	ci[1] = estimate + widen * (hi > estimate ? hi - estimate : 0);
}

int stats_cluster_ci(const double *x, const uint32_t *cluster, size_t n, uint64_t seed,
		     struct stats *st, size_t *n_clusters, size_t *run)
{
	static const double qs[2] = {0.10, 0.50};
	struct tagged *t;
	size_t *size, *w, m = 0, nb = 0, len;
	double *b10, *b50, est[2], widen;
	struct rng r;
	int rc = 0;

	st->ci95_p50[0] = st->ci95_p50[1] = st->ci95_p10[0] = st->ci95_p10[1] = NAN;
	*n_clusters = 0;
	*run = 0;
	if (n == 0)
		return -EINVAL;
	if (!(t = malloc(n * sizeof(*t))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			t[m++] = (struct tagged){x[i], cluster[i]};
	/* Renumber the clusters 0..B-1 in id order (ids may have gaps: rounds without a
	 * counted sample). */
	qsort(t, m, sizeof(*t), cmp_tagged_cluster);
	for (size_t i = 0; i < m; i++) {
		uint32_t id = t[i].cluster;

		if (i == 0 || id != t[i - 1].cluster)
			nb++;
		t[i].cluster = (uint32_t)(nb - 1);
		while (i + 1 < m && t[i + 1].cluster == id)
			t[++i].cluster = (uint32_t)(nb - 1);
	}
	*n_clusters = nb;
	if (nb < STATS_CLUSTER_MIN_ROUNDS) {
		free(t);
		return 0;
	}
	len = (size_t)lround(sqrt((double)nb));
	if (len < 1)
		len = 1;
	*run = len;
	size = calloc(nb, sizeof(*size));
	w = calloc(nb, sizeof(*w));
	b10 = malloc(2 * BOOT_RESAMPLES * sizeof(*b10));
	if (!size || !w || !b10) {
		rc = -ENOMEM;
		goto out;
	}
	b50 = b10 + BOOT_RESAMPLES;
	for (size_t i = 0; i < m; i++)
		size[t[i].cluster]++;
	qsort(t, m, sizeof(*t), cmp_tagged_value);
	rng_seed(&r, seed);
	for (size_t b = 0; b < BOOT_RESAMPLES; b++) {
		size_t taken = 0, total = 0;
		double q[2];

		memset(w, 0, nb * sizeof(*w));
		while (taken < nb) {
			size_t start = (size_t)rng_below(&r, nb);

			for (size_t j = 0; j < len && taken < nb; j++, taken++)
				w[(start + j) % nb]++;
		}
		for (size_t c = 0; c < nb; c++)
			total += w[c] * size[c];
		weighted_quantiles(t, w, m, total, qs, q, 2);
		b10[b] = q[0];
		b50[b] = q[1];
	}
	qsort(b10, BOOT_RESAMPLES, sizeof(*b10), cmp_double);
	qsort(b50, BOOT_RESAMPLES, sizeof(*b50), cmp_double);
	widen = t_crit95(nb / len > 1 ? nb / len - 1 : 1) / 1.959963984540054;
	for (size_t c = 0; c < nb; c++)
		w[c] = 1;
	weighted_quantiles(t, w, m, m, qs, est, 2);
	widened(b10, est[0], widen, st->ci95_p10);
	widened(b50, est[1], widen, st->ci95_p50);
out:
	free(b10);
	free(w);
	free(size);
	free(t);
	return rc;
}

int stats_round_se(const double *x, const uint32_t *cluster, size_t n, double se[2], size_t *rounds)
{
	static const double qs[2] = {0.10, 0.50};
	struct tagged *t;
	double *buf, *q[2];
	size_t nb = 0;

	se[0] = se[1] = NAN;
	*rounds = 0;
	if (n == 0)
		return -EINVAL;
	t = malloc(n * sizeof(*t));
	buf = malloc(n * sizeof(*buf));
	q[0] = malloc(n * sizeof(double));
	q[1] = malloc(n * sizeof(double));
	if (!t || !buf || !q[0] || !q[1]) {
		free(t);
		free(buf);
		free(q[0]);
		free(q[1]);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		t[i] = (struct tagged){x[i], cluster[i]};
	qsort(t, n, sizeof(*t), cmp_tagged_cluster);
	for (size_t i = 0; i < n;) {
		size_t k = 0, j = i;

		for (; j < n && t[j].cluster == t[i].cluster; j++)
			if (!isnan(t[j].v))
				buf[k++] = t[j].v;
		if (k) {
			qsort(buf, k, sizeof(*buf), cmp_double);
			for (int w = 0; w < 2; w++)
				q[w][nb] = quantile_sorted(buf, k, qs[w]);
			nb++;
		}
		i = j;
	}
	*rounds = nb;
	for (int w = 0; nb >= 3 && w < 2; w++) {
		double mean = 0, ss = 0;

		for (size_t r = 0; r < nb; r++)
			mean += q[w][r];
		mean /= (double)nb;
		for (size_t r = 0; r < nb; r++)
			ss += (q[w][r] - mean) * (q[w][r] - mean);
		se[w] = sqrt(ss / (double)(nb - 1) / (double)nb);
	}
	free(t);
	free(buf);
	free(q[0]);
	free(q[1]);
	return 0;
}
