/* Wilcoxon signed-rank, Mann-Whitney U and Hodges-Lehmann estimates (see ranktest.h for the
 * conventions). Exact null distributions are computed as probabilities, not counts, so they
 * neither overflow nor lose precision for the sizes used here. */
#include "ranktest.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA95 0.05	/* the 95% intervals */
#define PROB_SLACK 1e-9 /* tail sums within this of alpha/2 count as equal to it */

struct keyed {
	double key;
	int tag; /* signed rank: 1 for a positive difference; Mann-Whitney: 1 for x */
};

static int cmp_keyed(const void *a, const void *b)
{
	double x = ((const struct keyed *)a)->key, y = ((const struct keyed *)b)->key;

	return (x > y) - (x < y);
}

static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

/* Sort v and return the sum of the average ranks (1-based) of the tagged entries; *ties gets
 * sum(t^3 - t) over the groups of tied keys. */
static double tagged_rank_sum(struct keyed *v, size_t n, double *ties)
{
	double sum = 0;

	qsort(v, n, sizeof(*v), cmp_keyed);
	*ties = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		double avg, t;

		while (j < n && v[j].key == v[i].key)
			j++;
		avg = ((double)(i + 1) + (double)j) / 2; /* ranks i+1 .. j */
		t = (double)(j - i);
		*ties += t * t * t - t;
		for (size_t k = i; k < j; k++)
			if (v[k].tag)
				sum += avg;
		i = j;
	}
	return sum;
}

/* P(W+ = s), s = 0 .. n(n+1)/2, for n untied nonzero differences: each rank k joins the
 * positive set with probability 1/2. Descending s keeps p[s - k] from the previous step. */
static void signed_rank_dist(size_t n, double *p)
{
	size_t top = 0;

	p[0] = 1;
	for (size_t k = 1; k <= n; k++) {
		top += k;
		for (size_t s = top + 1; s-- > 0;) {
			double with = s >= k ? p[s - k] : 0, without = s <= top - k ? p[s] : 0;
			p[s] = (with + without) / 2;
		}
	}
}

/* P(U = u), u = 0 .. m*n, for samples of m and n untied values. With i x's and j y's, the
 * largest value is an x with probability i / (i + j) and then beats all j y's:
 * f(i, j, u) = i/(i+j) f(i-1, j, u-j) + j/(i+j) f(i, j-1, u). Rows over j for two i. */
static int mann_whitney_dist(size_t m, size_t n, double *p)
{
	size_t width = m * n + 1;
	double *rows = calloc(2 * (n + 1) * width, sizeof(double)), *prev = rows, *cur;

	if (!rows)
		return -ENOMEM;
	cur = rows + (n + 1) * width;
	for (size_t j = 0; j <= n; j++)
		prev[j * width] = 1; /* i = 0: U is 0 */
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * width * sizeof(double));
		cur[0] = 1; /* j = 0: U is 0 */
		for (size_t j = 1; j <= n; j++) {
			double px = (double)i / (double)(i + j), py = 1 - px;
			double *c = cur + j * width, *left = cur + (j - 1) * width;
			const double *up = prev + j * width;

			for (size_t u = 0; u <= i * j; u++)
				c[u] = (u >= j ? px * up[u - j] : 0) + py * left[u];
		}
		double *swap = prev;
		prev = cur;
		cur = swap;
	}
	memcpy(p, prev + n * width, width * sizeof(double));
	free(rows);
	return 0;
}

/* Two-sided p for an integer statistic w under the symmetric null distribution p[0..top]. */
static double exact_two_sided(const double *p, size_t top, double w)
{
	double lower = 0, upper = 0;

	for (size_t s = 0; s <= top; s++) {
		if ((double)s <= w)
			lower += p[s];
		if ((double)s >= w)
			upper += p[s];
	}
	return fmin(1, 2 * fmin(lower, upper));
}

/* Two-sided p of a statistic with mean mu and variance var, continuity-corrected. */
static double normal_two_sided(double w, double mu, double var)
{
	double z;

	if (var <= 0)
		return 1;
	z = (fabs(w - mu) - 0.5) / sqrt(var);
	if (z < 0)
		z = 0;
	return erfc(z / M_SQRT2);
}

int signed_rank_test(const double *d, size_t n, struct signed_rank *r)
{
	struct keyed *v;
	size_t m = 0;
	double ties, nn;

	memset(r, 0, sizeof(*r));
	r->p = 1;
	r->exact = 1;
	if (n && (!d || !all_finite(d, n)))
		return -EDOM;
	for (size_t i = 0; i < n; i++)
		m += d[i] != 0;
	r->zeros = n - m;
	if (m == 0)
		return 0;
	v = malloc(m * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0)
			v[m++] = (struct keyed){fabs(d[i]), d[i] > 0};
	r->n = m;
	r->w_plus = tagged_rank_sum(v, m, &ties);
	free(v);

	if (m <= RANK_EXACT_SIGNED && ties == 0) {
		size_t top = m * (m + 1) / 2;
		double p[RANK_EXACT_SIGNED * (RANK_EXACT_SIGNED + 1) / 2 + 1];

		signed_rank_dist(m, p);
		r->p = exact_two_sided(p, top, r->w_plus);
		return 0;
	}
	nn = (double)m;
	r->exact = 0;
	r->p = normal_two_sided(r->w_plus, nn * (nn + 1) / 4,
				nn * (nn + 1) * (2 * nn + 1) / 24 - ties / 48);
	return 0;
}

int signed_rank_paired(const double *x, const double *y, size_t n, struct signed_rank *r)
{
	double *d;
	int rc;

	if (n == 0)
		return signed_rank_test(NULL, 0, r);
	d = malloc(n * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		d[i] = x[i] - y[i];
	rc = signed_rank_test(d, n, r);
	free(d);
	return rc;
}

int mann_whitney_test(const double *x, size_t nx, const double *y, size_t ny,
		      struct mann_whitney *r)
{
	struct keyed *v;
	double ties, m = (double)nx, n = (double)ny, big_n = m + n, rank_x;

	memset(r, 0, sizeof(*r));
	r->nx = nx;
	r->ny = ny;
	r->p = 1;
	if (nx == 0 || ny == 0 || !all_finite(x, nx) || !all_finite(y, ny))
		return -EDOM;
	v = malloc((nx + ny) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < nx; i++)
		v[i] = (struct keyed){x[i], 1};
	for (size_t j = 0; j < ny; j++)
		v[nx + j] = (struct keyed){y[j], 0};
	rank_x = tagged_rank_sum(v, nx + ny, &ties);
	free(v);
	r->u = rank_x - m * (m + 1) / 2;

	if (nx < RANK_EXACT_TWO && ny < RANK_EXACT_TWO && ties == 0) {
		double *p = malloc((nx * ny + 1) * sizeof(*p));

		if (!p || mann_whitney_dist(nx, ny, p) < 0) {
			free(p);
			return -ENOMEM;
		}
		r->exact = 1;
		r->p = exact_two_sided(p, nx * ny, r->u);
		free(p);
		return 0;
	}
	r->p = normal_two_sided(r->u, m * n / 2,
				m * n / 12 * ((big_n + 1) - ties / (big_n * (big_n - 1))));
	return 0;
}

/* The Walsh averages (a_i + a_j) / 2, i <= j, of sorted a (b == NULL), or the differences
 * a_i - b_j of sorted a and b, as an implicit sorted list: each is nondecreasing in i and
 * monotone in j (IEEE rounding is monotone), so counting those <= t takes one two-pointer
 * pass, and the k-th smallest is found by bisection over the ordered bit patterns of
 * doubles: at most 64 passes, O(n) memory, the same value a full sort would give. */
struct pairs {
	const double *a, *b;
	size_t na, nb;
	size_t total;
};

static double pair_value(const struct pairs *p, size_t i, size_t j)
{
	return p->b ? p->a[i] - p->b[j] : (p->a[i] + p->a[j]) / 2;
}

static size_t pairs_at_most(const struct pairs *p, double t)
{
	size_t count = 0;

	if (p->b) {
		/* For each i the j with a_i - b_j <= t are a suffix that shrinks as i grows. */
		size_t j = 0;
		for (size_t i = 0; i < p->na; i++) {
			while (j < p->nb && pair_value(p, i, j) > t)
				j++;
			count += p->nb - j;
		}
		return count;
	}
	/* For each i the j >= i with (a_i + a_j) / 2 <= t are [i, j]; j only moves down. */
	size_t j = p->na;
	for (size_t i = 0; i < p->na; i++) {
		while (j > i && pair_value(p, i, j - 1) > t)
			j--;
		if (j <= i)
			break;
		count += j - i;
	}
	return count;
}

/* Doubles to unsigned keys in the same order (finite values and infinities) and back. */
static uint64_t order_key(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u >> 63 ? ~u : u | (1ULL << 63);
}

static double key_value(uint64_t k)
{
	uint64_t u = k >> 63 ? k & ~(1ULL << 63) : ~k;
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/* The k-th smallest (1-based, k <= total) of the implicit list. */
static double pairs_kth(const struct pairs *p, size_t k)
{
	uint64_t lo, hi;
	double v;

	if (p->b) {
		lo = order_key(pair_value(p, 0, p->nb - 1));
		hi = order_key(pair_value(p, p->na - 1, 0));
	} else {
		lo = order_key(pair_value(p, 0, 0));
		hi = order_key(pair_value(p, p->na - 1, p->na - 1));
	}
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (pairs_at_most(p, key_value(mid)) >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	v = key_value(lo);
	return v == 0 ? 0 : v; /* -0 and +0 count alike; report +0 */
}

/* Type-7 median of the implicit list. */
static double pairs_median(const struct pairs *p)
{
	double lo = pairs_kth(p, (p->total + 1) / 2);

	if (p->total % 2)
		return lo;
	return lo + 0.5 * (pairs_kth(p, p->total / 2 + 1) - lo);
}

static void interval_infinite(struct hl_shift *h)
{
	h->ci95[0] = -INFINITY;
	h->ci95[1] = INFINITY;
	h->coverage = 1;
}

/* The interval [(k), (M+1-k)] from the null distribution dist[0..M] of a statistic symmetric
 * about M/2: k is the largest with P(stat <= k-1) <= alpha/2. */
static void interval_exact(const struct pairs *p, const double *dist, double alpha,
			   struct hl_shift *h)
{
	double cum = 0;
	size_t k = 0;

	while (k <= p->total && cum + dist[k] <= alpha / 2 * (1 + PROB_SLACK)) {
		cum += dist[k];
		k++;
	}
	h->exact = 1;
	if (k == 0) {
		interval_infinite(h);
		return;
	}
	h->ci95[0] = pairs_kth(p, k);
	h->ci95[1] = pairs_kth(p, p->total + 1 - k);
	h->coverage = 1 - 2 * cum;
}

/* The same k from the normal approximation with continuity correction:
 * P(stat <= k-1) ~ Phi((k - 1/2 - mu) / sd) <= alpha/2  ->  k = floor(mu - z sd + 1/2). */
/* The standard normal quantile z with P(Z > z) = tail (0 < tail < 1/2), by bisection on erfc:
 * 200 halvings of [0, 40] reach the double's resolution. */
static double normal_upper_quantile(double tail)
{
	double lo = 0, hi = 40;

	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(mid / M_SQRT2) > tail)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static void interval_normal(const struct pairs *p, double sd, double alpha, struct hl_shift *h)
{
	double mu = (double)p->total / 2,
	       kf = floor(mu - normal_upper_quantile(alpha / 2) * sd + 0.5);
	size_t k;

	h->exact = 0;
	if (kf < 1) {
		interval_infinite(h);
		return;
	}
	k = (size_t)kf;
	h->ci95[0] = pairs_kth(p, k);
	h->ci95[1] = pairs_kth(p, p->total + 1 - k);
	h->coverage = 1 - erfc((mu - (kf - 0.5)) / sd / M_SQRT2);
}

static void hl_reset(struct hl_shift *h)
{
	memset(h, 0, sizeof(*h));
	h->estimate = h->ci95[0] = h->ci95[1] = h->coverage = NAN;
}

static double *sorted_copy(const double *x, size_t n)
{
	double *c = malloc(n * sizeof(*c));

	if (c) {
		memcpy(c, x, n * sizeof(*c));
		qsort(c, n, sizeof(*c), cmp_double);
	}
	return c;
}

int hodges_lehmann_one(const double *d, size_t n, struct hl_shift *h)
{
	return hodges_lehmann_one_level(d, n, ALPHA95, h);
}

int hodges_lehmann_one_level(const double *d, size_t n, double alpha, struct hl_shift *h)
{
	struct pairs p = {0};
	double *a;

	hl_reset(h);
	if (n == 0 || !all_finite(d, n))
		return -EDOM;
	if (n >= UINT32_MAX) /* n (n + 1) / 2 must fit */
		return -E2BIG;
	a = sorted_copy(d, n);
	if (!a)
		return -ENOMEM;
	p = (struct pairs){.a = a, .na = n, .total = n * (n + 1) / 2};
	h->n = n;
	h->estimate = pairs_median(&p);

	if (n <= RANK_EXACT_SIGNED) {
		double dist[RANK_EXACT_SIGNED * (RANK_EXACT_SIGNED + 1) / 2 + 1];

		signed_rank_dist(n, dist);
		interval_exact(&p, dist, alpha, h);
	} else {
		double nn = (double)n;
		interval_normal(&p, sqrt(nn * (nn + 1) * (2 * nn + 1) / 24), alpha, h);
	}
	free(a);
	return 0;
}

int hodges_lehmann_two(const double *x, size_t nx, const double *y, size_t ny, struct hl_shift *h)
{
	double *a, *b, *dist = NULL;
	struct pairs p;
	int rc = 0;

	hl_reset(h);
	if (nx == 0 || ny == 0 || !all_finite(x, nx) || !all_finite(y, ny))
		return -EDOM;
	if (nx > SIZE_MAX / ny)
		return -E2BIG;
	a = sorted_copy(x, nx);
	b = sorted_copy(y, ny);
	if (!a || !b) {
		rc = -ENOMEM;
		goto out;
	}
	p = (struct pairs){.a = a, .b = b, .na = nx, .nb = ny, .total = nx * ny};
	h->n = p.total;
	h->estimate = pairs_median(&p);

	if (nx < RANK_EXACT_TWO && ny < RANK_EXACT_TWO) {
		dist = malloc((p.total + 1) * sizeof(*dist));
		if (!dist || mann_whitney_dist(nx, ny, dist) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		interval_exact(&p, dist, ALPHA95, h);
	} else {
		double m = (double)nx, n = (double)ny;
		interval_normal(&p, sqrt(m * n * (m + n + 1) / 12), ALPHA95, h);
	}
out:
	free(dist);
	free(a);
	free(b);
	if (rc < 0)
		hl_reset(h);
	return rc;
}
