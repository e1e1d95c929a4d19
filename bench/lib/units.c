/* Sizes ("64K", "1.5GiB"), comma-separated lists, byte counts for humans, log-spaced sweeps.
 *
 * Rules: sizes are binary (1K = 1024), the suffix is K, M, G or T in any case, optionally
 * followed by "i", "iB" or "B" ("4096B" is also fine). A decimal point is allowed only with a
 * suffix ("1.5G"; "1.5" is not a byte count) and the result is rounded to the nearest byte.
 * No sign, no spaces, no trailing characters. Lists split on ',', tolerate blanks around each
 * element and reject empty elements. On a bad element *bad points to a copy of it in a static
 * buffer (valid until the next list call); an overflowing element gives -ERANGE, other bad
 * elements -EINVAL. Names match exactly (case-sensitive); repeats are allowed.
 * log_space rounds every point to the nearest multiple (halves up), never below one multiple
 * for a nonzero point, drops repeats, returns 0 for n == 0 or lo > hi, and gives hi alone
 * for n == 1. Nothing here prints. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define FRAC_DIGITS_MAX 18 /* 10^18 < 2^63: further digits cannot change the byte count */

/* Decimal digits at *p into *v; advances *p. 0, -EINVAL (no digit) or -ERANGE. */
static int parse_digits(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return 0;
}

/* The shift of a binary suffix letter, or -1. */
static int suffix_shift(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'k':
		return 10;
	case 'm':
		return 20;
	case 'g':
		return 30;
	case 't':
		return 40;
	}
	return -1;
}

int parse_size(const char *s, uint64_t *out)
{
	uint64_t whole, frac = 0, scale = 1, bytes;
	unsigned __int128 part;
	int rc, shift = 0, has_frac = 0;

	if (!s)
		return -EINVAL;
	rc = parse_digits(&s, &whole);
	if (rc < 0)
		return rc;
	if (*s == '.') {
		s++;
		has_frac = 1;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		for (int k = 0; isdigit((unsigned char)*s); s++, k++) {
			if (k >= FRAC_DIGITS_MAX)
				continue;
			frac = frac * 10 + (uint64_t)(*s - '0');
			scale *= 10;
		}
	}
	if (suffix_shift(*s) >= 0) {
		shift = suffix_shift(*s++);
		if (*s == 'i' || *s == 'I')
			s++;
	}
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s != '\0')
		return -EINVAL;
	if (has_frac && shift == 0)
		return -EINVAL;

	if (shift && whole > (UINT64_MAX >> shift))
		return -ERANGE;
	bytes = whole << shift;
	/* frac/scale of one unit, rounded to the nearest byte (half up). */
	part = ((unsigned __int128)frac << shift) * 2 + scale;
	part /= (unsigned __int128)scale * 2;
	if ((uint64_t)part > UINT64_MAX - bytes)
		return -ERANGE;
	*out = bytes + (uint64_t)part;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	int rc = parse_digits(&s, out);

	if (rc < 0)
		return rc;
	return *s == '\0' ? 0 : -EINVAL;
}

static char bad_element[128];

static const char *remember_bad(const char *elem)
{
	snprintf(bad_element, sizeof(bad_element), "%s", elem);
	return bad_element;
}

/* Cut the list (a private copy) into trimmed, NUL-terminated elements: returns a malloc'd
 * array of pointers into copy and the count, or NULL with errno set (EINVAL: an empty
 * element, reported through *bad). */
static char **split_list(char *copy, size_t *count, const char **bad)
{
	size_t n = 1, i = 0;
	char **elems, *p = copy;

	for (const char *c = copy; *c; c++)
		n += *c == ',';
	elems = malloc(n * sizeof(*elems));
	if (!elems) {
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		char *end = strchr(p, ','), *last;

		if (end)
			*end = '\0';
		while (isspace((unsigned char)*p))
			p++;
		last = p + strlen(p);
		while (last > p && isspace((unsigned char)last[-1]))
			*--last = '\0';
		if (*p == '\0') {
			*bad = remember_bad(p);
			free(elems);
			errno = EINVAL;
			return NULL;
		}
		elems[i++] = p;
		if (!end)
			break;
		p = end + 1;
	}
	*count = i;
	return elems;
}

typedef int (*u64_parser)(const char *, uint64_t *);

static int parse_list_with(const char *s, u64_parser parse, uint64_t **out, size_t *n,
			   const char **bad)
{
	char *copy, **elems = NULL;
	uint64_t *vals = NULL;
	size_t count = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	*bad = NULL;
	copy = strdup(s ? s : "");
	if (!copy)
		return -ENOMEM;
	elems = split_list(copy, &count, bad);
	if (!elems) {
		rc = -errno;
		goto out;
	}
	vals = malloc(count * sizeof(*vals));
	if (!vals) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		rc = parse(elems[i], &vals[i]);
		if (rc < 0) {
			*bad = remember_bad(elems[i]);
			goto out;
		}
	}
	*out = vals;
	*n = count;
	vals = NULL;
out:
	free(vals);
	free(elems);
	free(copy);
	return rc;
}

int parse_size_list(const char *s, uint64_t **out, size_t *n, const char **bad)
{
	return parse_list_with(s, parse_size, out, n, bad);
}

int parse_u64_list(const char *s, uint64_t **out, size_t *n, const char **bad)
{
	return parse_list_with(s, parse_u64, out, n, bad);
}

int parse_name_list(const char *s, const char *const *valid, int **out, size_t *n, const char **bad)
{
	char *copy, **elems = NULL;
	int *idx = NULL, rc = 0;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	*bad = NULL;
	copy = strdup(s ? s : "");
	if (!copy)
		return -ENOMEM;
	elems = split_list(copy, &count, bad);
	if (!elems) {
		rc = -errno;
		goto out;
	}
	idx = malloc(count * sizeof(*idx));
	if (!idx) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		int k = 0;

		while (valid[k] && strcmp(valid[k], elems[i]) != 0)
			k++;
		if (!valid[k]) {
			*bad = remember_bad(elems[i]);
			rc = -EINVAL;
			goto out;
		}
		idx[i] = k;
	}
	*out = idx;
	*n = count;
	idx = NULL;
out:
	free(idx);
	free(elems);
	free(copy);
	return rc;
}

const char *names_joined(const char *const *valid)
{
	static char buf[1024];
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; valid[i]; i++) {
		int w = snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? ", " : "", valid[i]);

		if (w < 0 || (size_t)w >= sizeof(buf) - used) {
			/* Too many names for the buffer: end after the last whole one, visibly. */
			size_t at = used + 6 <= sizeof(buf) ? used : sizeof(buf) - 6;
			strcpy(buf + at, ", ...");
			break;
		}
		used += (size_t)w;
	}
	return buf;
}

int parse_long_in(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

const char *fmt_ns(double ns, char *buf, size_t len)
{
	double a = fabs(ns);
	if (isnan(ns))
		snprintf(buf, len, "n/a");
	else if (a >= 1e9)
		snprintf(buf, len, "%.3g s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, len, "%.3g µs", ns / 1e3);
	else
		snprintf(buf, len, "%.3g ns", ns);
	return buf;
}

const char *fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	int u = 0;
	char num[32], *dot;

	if (len == 0)
		return buf;
	if (b == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	while (u < 6 && b >> (10 * (u + 1)))
		u++;
	if ((b & ((1ULL << (10 * u)) - 1)) == 0) {
		snprintf(buf, len, "%llu %s", (unsigned long long)(b >> (10 * u)), unit[u]);
		return buf;
	}
	/* Not a whole number of units: two decimals, trailing zeros dropped ("1.5 GiB"). */
	snprintf(num, sizeof(num), "%.2f", ldexp((double)b, -10 * u));
	dot = strchr(num, '.');
	if (dot) {
		char *end = num + strlen(num);
		while (end > dot && (end[-1] == '0' || end[-1] == '.'))
			*--end = '\0';
	}
	snprintf(buf, len, "%s %s", num, unit[u]);
	return buf;
}

/* x rounded to the nearest multiple of m (halves up), never below m for x > 0 and never
 * past the largest multiple that fits in 64 bits. */
static uint64_t round_multiple(uint64_t x, uint64_t m)
{
	uint64_t down = x / m * m, rem = x - down;

	if (x == 0)
		return 0;
	if (down == 0)
		return m;
	if (rem >= m - rem && down <= UINT64_MAX - m)
		return down + m;
	return down;
}

/* k points a .. b (a > 0) with equal ratios, each rounded, appended without duplicates;
 * a single point is b. */
static size_t geometric(uint64_t a, uint64_t b, size_t k, uint64_t m, uint64_t *out, size_t used)
{
	double la = log((double)a), lb = log((double)b);

	for (size_t i = 0; i < k; i++) {
		uint64_t x;

		if (i == k - 1) {
			x = b; /* the top is always in, also when k == 1 */
		} else if (i == 0 || a == b) {
			x = a;
		} else {
			double v = exp(la + (lb - la) * (double)i / (double)(k - 1));
			/* Nearest integer first (exp(log 1000 / 3) is 9.999...). It may land a hair
			 * outside [a, b], and (double)b itself may exceed 2^64 - 1. */
			v = floor(v + 0.5);
			x = v <= (double)a ? a : v >= (double)b ? b : (uint64_t)v;
		}
		x = round_multiple(x, m);
		if (used == 0 || out[used - 1] != x)
			out[used++] = x;
	}
	return used;
}

size_t log_space(uint64_t lo, uint64_t hi, size_t n, uint64_t multiple, uint64_t *out)
{
	if (multiple == 0)
		multiple = 1;
	if (n == 0 || lo > hi)
		return 0;
	if (lo > 0)
		return geometric(lo, hi, n, multiple, out, 0);
	/* A zero start has no logarithm: 0 first, then the rest from one multiple up to hi. */
	out[0] = 0;
	if (n == 1 || hi == 0)
		return 1;
	return geometric(multiple < hi ? multiple : hi, hi, n - 1, multiple, out, 1);
}

const char *wait_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status %#x", status);
	return buf;
}
