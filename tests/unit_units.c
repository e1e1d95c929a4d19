/* bench/lib/units.c: every accepted and rejected size form, lists, names, fmt_bytes, log_space. */
#include "tap.h"
#include "bench/lib/units.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)
#define TIB (1024ULL * GIB)

static void size_ok(const char *s, uint64_t want)
{
	uint64_t got = 0;
	int rc = parse_size(s, &got);

	tap_ok(rc == 0 && got == want, "parse_size(\"%s\") = %llu (rc %d, got %llu)", s,
	       (unsigned long long)want, rc, (unsigned long long)got);
}

static void size_bad(const char *s, int want_rc)
{
	uint64_t got = 12345;
	int rc = parse_size(s, &got);

	tap_ok(rc == want_rc && got == 12345, "parse_size(\"%s\") rejected with %s (rc %d)",
	       s ? s : "(null)", want_rc == -ERANGE ? "-ERANGE" : "-EINVAL", rc);
}

static void test_sizes(void)
{
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("64K", 64 * KIB);
	size_ok("64k", 64 * KIB);
	size_ok("64KB", 64 * KIB);
	size_ok("64Ki", 64 * KIB);
	size_ok("64KiB", 64 * KIB);
	size_ok("64kib", 64 * KIB);
	size_ok("4096B", 4096);
	size_ok("1M", MIB);
	size_ok("1G", GIB);
	size_ok("2T", 2 * TIB);
	size_ok("1.5G", 3 * GIB / 2);
	size_ok("1.5GiB", 3 * GIB / 2);
	size_ok("1.5gb", 3 * GIB / 2);
	size_ok("0.5K", 512);
	size_ok("1.1K", 1126);		/* 1126.4 rounds down */
	size_ok("1.0009765625K", 1025); /* exactly 1 + 1/1024 KiB */
	size_ok("0.0001K", 0);		/* 0.1024 bytes */
	size_ok("0.0005K", 1);		/* 0.512 bytes rounds up */
	size_ok("007", 7);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16777215T", 16777215 * TIB);
	size_ok("1.0000000000000000000000001K", 1024); /* digits past 18 are ignored */

	size_bad("-1", -EINVAL);
	size_bad("+1", -EINVAL);
	size_bad("", -EINVAL);
	size_bad(NULL, -EINVAL);
	size_bad("12Q", -EINVAL);
	size_bad("1.2.3", -EINVAL);
	size_bad("1.5", -EINVAL); /* a fraction of a byte */
	size_bad("K", -EINVAL);
	size_bad(".5K", -EINVAL);
	size_bad("1.K", -EINVAL);
	size_bad("1 K", -EINVAL);
	size_bad(" 1K", -EINVAL);
	size_bad("1K ", -EINVAL);
	size_bad("1KiBx", -EINVAL);
	size_bad("1iB", -EINVAL);
	size_bad("1KK", -EINVAL);
	size_bad("0x10", -EINVAL);
	size_bad("1e3", -EINVAL);
	size_bad("18446744073709551616", -ERANGE);
	size_bad("99999999999999999999999", -ERANGE);
	size_bad("16777216T", -ERANGE);			  /* 2^64 */
	size_bad("17179869184G", -ERANGE);		  /* 2^64 */
	size_bad("16777215.99999999999999999T", -ERANGE); /* rounds to 2^64 */
}

static void test_size_lists(void)
{
	uint64_t *v = NULL;
	const char *bad = NULL;
	size_t n = 0;
	int rc;

	rc = parse_size_list("0,64K,1G", &v, &n, &bad);
	tap_ok(rc == 0 && n == 3 && v[0] == 0 && v[1] == 64 * KIB && v[2] == GIB,
	       "size list 0,64K,1G");
	free(v);
	rc = parse_size_list(" 1 , 2K ,3 ", &v, &n, &bad);
	tap_ok(rc == 0 && n == 3 && v[0] == 1 && v[1] == 2048 && v[2] == 3,
	       "blanks around elements are tolerated");
	free(v);
	rc = parse_size_list("4096", &v, &n, &bad);
	tap_ok(rc == 0 && n == 1 && v[0] == 4096, "one-element list");
	free(v);

	rc = parse_size_list("1,,2", &v, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "") == 0 && !v && n == 0,
	       "empty element rejected, nothing returned");
	rc = parse_size_list("1,2,", &v, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "") == 0, "trailing comma rejected");
	rc = parse_size_list(",1", &v, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "") == 0, "leading comma rejected");
	rc = parse_size_list("", &v, &n, &bad);
	tap_ok(rc == -EINVAL && !v, "empty list rejected");
	rc = parse_size_list(" , ", &v, &n, &bad);
	tap_ok(rc == -EINVAL, "blank elements rejected");
	rc = parse_size_list("1,2x,3", &v, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "2x") == 0, "bad element named: '%s'",
	       bad ? bad : "(null)");
	rc = parse_size_list("1, -4 ", &v, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "-4") == 0, "negative element named, trimmed");
	rc = parse_size_list("1,99999999999999999999", &v, &n, &bad);
	tap_ok(rc == -ERANGE && bad && strcmp(bad, "99999999999999999999") == 0 && !v,
	       "overflowing element: -ERANGE and named");
}

static void test_u64_lists(void)
{
	uint64_t *v = NULL;
	const char *bad = NULL;
	size_t n = 0;
	int rc;

	rc = parse_u64_list("1,2,4", &v, &n, &bad);
	tap_ok(rc == 0 && n == 3 && v[0] == 1 && v[1] == 2 && v[2] == 4, "u64 list 1,2,4");
	free(v);
	rc = parse_u64_list(" 8 ,\t16", &v, &n, &bad);
	tap_ok(rc == 0 && n == 2 && v[0] == 8 && v[1] == 16, "u64 list with blanks and a tab");
	free(v);
	rc = parse_u64_list("1,2K", &v, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "2K") == 0, "u64 list takes no suffix");
	rc = parse_u64_list("1.5", &v, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "1.5") == 0, "u64 list takes no decimals");
	rc = parse_u64_list("-3", &v, &n, &bad);
	tap_ok(rc == -EINVAL, "u64 list rejects negatives");
	rc = parse_u64_list("18446744073709551616", &v, &n, &bad);
	tap_ok(rc == -ERANGE, "u64 list overflow is -ERANGE");
	rc = parse_u64_list("3,", &v, &n, &bad);
	tap_ok(rc == -EINVAL && !v && n == 0, "u64 list with an empty element");
}

static void test_names(void)
{
	static const char *const valid[] = {"fork-exec", "vfork", "posix-spawn", "clone", NULL};
	static const char *const none[] = {NULL};
	const char *long_names[200];
	const char *bad = NULL;
	int *idx = NULL;
	size_t n = 0;
	int rc;

	rc = parse_name_list("vfork, clone", valid, &idx, &n, &bad);
	tap_ok(rc == 0 && n == 2 && idx[0] == 1 && idx[1] == 3, "names to indexes");
	free(idx);
	rc = parse_name_list("fork-exec", valid, &idx, &n, &bad);
	tap_ok(rc == 0 && n == 1 && idx[0] == 0, "a single name");
	free(idx);
	rc = parse_name_list("vfork,nope", valid, &idx, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "nope") == 0 && !idx && n == 0,
	       "unknown name named");
	rc = parse_name_list("Vfork", valid, &idx, &n, &bad);
	tap_ok(rc == -EINVAL, "names are case-sensitive");
	rc = parse_name_list("vfork,", valid, &idx, &n, &bad);
	tap_ok(rc == -EINVAL && bad && strcmp(bad, "") == 0, "empty name rejected");
	rc = parse_name_list("", valid, &idx, &n, &bad);
	tap_ok(rc == -EINVAL, "empty name list rejected");
	rc = parse_name_list("vfor", valid, &idx, &n, &bad);
	tap_ok(rc == -EINVAL, "a prefix is not a name");

	tap_ok(strcmp(names_joined(valid), "fork-exec, vfork, posix-spawn, clone") == 0,
	       "names_joined: '%s'", names_joined(valid));
	tap_ok(strcmp(names_joined(none), "") == 0, "names_joined of nothing is empty");
	for (int i = 0; i < 199; i++)
		long_names[i] = "a-rather-long-backend-name";
	long_names[199] = NULL;
	const char *j = names_joined(long_names);
	size_t len = strlen(j);
	tap_ok(len < 1024 && len > 900 &&
		   strcmp(j + len - 31, "a-rather-long-backend-name, ...") == 0,
	       "names_joined too long for its buffer ends after a whole name with ', ...'");
}

static void bytes_is(uint64_t b, const char *want)
{
	char buf[32];

	tap_ok(strcmp(fmt_bytes(b, buf, sizeof(buf)), want) == 0,
	       "fmt_bytes(%llu) = '%s' (got '%s')", (unsigned long long)b, want, buf);
}

static void test_fmt_bytes(void)
{
	char small[4];

	bytes_is(0, "0");
	bytes_is(1, "1 B");
	bytes_is(512, "512 B");
	bytes_is(1023, "1023 B");
	bytes_is(1024, "1 KiB");
	bytes_is(64 * KIB, "64 KiB");
	bytes_is(1536, "1.5 KiB");
	bytes_is(1500, "1.46 KiB");
	bytes_is(GIB, "1 GiB");
	bytes_is(3 * GIB / 2, "1.5 GiB");
	bytes_is(3 * TIB, "3 TiB");
	bytes_is(UINT64_MAX, "16 EiB");
	fmt_bytes(64 * KIB, small, sizeof(small));
	tap_ok(strcmp(small, "64 ") == 0, "fmt_bytes truncates into a small buffer");
}

static int same(const uint64_t *got, size_t n, const uint64_t *want, size_t wn)
{
	return n == wn && memcmp(got, want, n * sizeof(*got)) == 0;
}

static void test_log_space(void)
{
	uint64_t out[32];
	size_t n;

	static const uint64_t rss[] = {0, 4096, 262144, 16777216, 1073741824};
	n = log_space(0, GIB, 5, 4096, out);
	tap_ok(same(out, n, rss, 5), "0..1G in 5, multiples of 4096: 0, 4K, 256K, 16M, 1G");

	static const uint64_t decades[] = {1, 10, 100, 1000};
	n = log_space(1, 1000, 4, 1, out);
	tap_ok(same(out, n, decades, 4), "1..1000 in 4: 1, 10, 100, 1000");

	static const uint64_t dedup[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	n = log_space(1, 10, 20, 1, out);
	tap_ok(same(out, n, dedup, 10), "1..10 in 20: duplicates removed, 10 left (got %zu)", n);

	static const uint64_t pages[] = {4096, 8192, 16384, 32768, 65536};
	n = log_space(4096, 65536, 5, 4096, out);
	tap_ok(same(out, n, pages, 5), "4K..64K in 5: powers of two");

	static const uint64_t thousands[] = {1000, 10000, 100000, 1000000};
	n = log_space(1000, 1000000, 4, 1000, out);
	tap_ok(same(out, n, thousands, 4), "1000..1e6 in 4, multiples of 1000");

	/* Values ln-spaced from 3 to 1e6 in 7 (python3: round(exp(...))): a non-trivial ratio. */
	static const uint64_t odd[] = {3, 25, 208, 1732, 14422, 120094, 1000000};
	n = log_space(3, 1000000, 7, 1, out);
	tap_ok(same(out, n, odd, 7), "3..1e6 in 7");

	static const uint64_t rounded[] = {4096, 8192};
	n = log_space(1, 7000, 2, 4096, out);
	tap_ok(same(out, n, rounded, 2), "nonzero values never round below one multiple");

	static const uint64_t ends[] = {1, 4294967296ULL, UINT64_MAX};
	n = log_space(1, UINT64_MAX, 3, 1, out);
	tap_ok(same(out, n, ends, 3), "1..2^64-1 in 3 without overflow");
	n = log_space(1, UINT64_MAX, 2, 4096, out);
	tap_ok(n == 2 && out[1] == UINT64_MAX - 4095, "rounding never wraps past 2^64");

	n = log_space(7, 7, 5, 1, out);
	tap_ok(n == 1 && out[0] == 7, "lo == hi gives one value");
	n = log_space(0, 0, 5, 4096, out);
	tap_ok(n == 1 && out[0] == 0, "0..0 gives one zero");
	n = log_space(0, MIB, 1, 4096, out);
	tap_ok(n == 1 && out[0] == 0, "n = 1 from zero gives the zero");
	static const uint64_t zero_two[] = {0, MIB};
	n = log_space(0, MIB, 2, 4096, out);
	tap_ok(same(out, n, zero_two, 2), "n = 2 from zero gives 0 and hi");
	n = log_space(5, 9, 1, 1, out);
	tap_ok(n == 1 && out[0] == 9, "n = 1 gives hi");
	tap_ok(log_space(10, 5, 4, 1, out) == 0, "lo > hi gives nothing");
	tap_ok(log_space(1, 5, 0, 1, out) == 0, "n = 0 gives nothing");
	static const uint64_t mult0[] = {1, 10, 100};
	n = log_space(1, 100, 3, 0, out);
	tap_ok(same(out, n, mult0, 3), "multiple 0 acts as 1");
}

int main(void)
{
	tap_plan(105);
	test_sizes();
	test_size_lists();
	test_u64_lists();
	test_names();
	test_fmt_bytes();
	test_log_space();
	return tap_done();
}
