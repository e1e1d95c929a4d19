/* Parsing of sizes and comma-separated lists on the command line. All parsers reject
 * negative values, trailing garbage and overflow, and print nothing: callers print
 * "spawnscope: --sizes: bad value 'x': ..." and exit 2. */
#ifndef SPAWNSCOPE_UNITS_H
#define SPAWNSCOPE_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "4096", "64K", "1M", "1.5G", "2T" (binary multiples, case-insensitive, optional "iB"/"B").
 * 0 or -EINVAL / -ERANGE. */
int parse_size(const char *s, uint64_t *out);
/* A whole number in [lo, hi], base 10. 0, -EINVAL (empty, "1e3", trailing garbage, beyond
 * long) or -ERANGE (outside [lo, hi]); *out is set only on success. */
int parse_long_in(const char *s, long lo, long hi, long *out);
/* "1,2,4" or "0,64K,1G" into a malloc'd array; 0 or -EINVAL with *bad set to the element. */
int parse_size_list(const char *s, uint64_t **out, size_t *n, const char **bad);
int parse_u64_list(const char *s, uint64_t **out, size_t *n, const char **bad);
/* Each element must be one of valid[] (NULL-terminated). Returns indexes into valid. */
int parse_name_list(const char *s, const char *const *valid, int **out, size_t *n,
		    const char **bad);
/* "a, b, c" made of valid[] for error messages; static buffer. */
const char *names_joined(const char *const *valid);
/* Human form of a duration in ns with three significant digits: "950 ns", "12.3 µs",
 * "1.23 ms", "2.5 s"; "n/a" for NaN. Into buf. */
const char *fmt_ns(double ns, char *buf, size_t len);
/* Human form of a byte count: "0", "64 KiB", "1 GiB"; into buf. */
const char *fmt_bytes(uint64_t b, char *buf, size_t len);
/* n log-spaced values from lo to hi inclusive (0 allowed as first), rounded to multiple. */
size_t log_space(uint64_t lo, uint64_t hi, size_t n, uint64_t multiple, uint64_t *out);

/* A wait status in words: "exited with status 1", "killed by signal 9 (Killed)". */
const char *wait_status_str(int status, char *buf, size_t len);

#endif
