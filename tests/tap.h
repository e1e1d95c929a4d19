/* Minimal TAP (kselftest style) for spawnscope's C tests: plan, ok/not ok, diagnostics,
 * skip, and the closing "# N passed, N failed" line. Header-only. */
#ifndef SPAWNSCOPE_TAP_H
#define SPAWNSCOPE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_fail, tap_skip;

static inline void tap_plan(int n)
{
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline __attribute__((format(printf, 2, 3))) int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	if (!cond)
		tap_fail++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline __attribute__((format(printf, 2, 3))) void tap_skip_test(const char *why,
								       const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	tap_skip++;
	printf("ok %d - ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
}

static inline __attribute__((format(printf, 1, 2))) void tap_diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Print the summary and return the exit status (0 when nothing failed). */
static inline int tap_done(void)
{
	printf("# %d passed, %d failed, %d skipped\n", tap_n - tap_fail - tap_skip, tap_fail,
	       tap_skip);
	return tap_fail ? 1 : 0;
}

#endif
