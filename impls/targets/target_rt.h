/* The little runtime the static, libc-free targets share: leaving, and reading a small
 * decimal argument (an fd number) without libc. */
#ifndef SPAWNSCOPE_TARGET_RT_H
#define SPAWNSCOPE_TARGET_RT_H

#include "../rawsys.h"

/* exit_group: every thread of the program, as a libc exit() would. */
static inline __attribute__((noreturn)) void leave(int code)
{
	for (;;)
		raw_syscall1(SYS_exit_group, code);
}

/* "123" -> 123; -1 for NULL, "" or anything that is not a small decimal number. */
static inline long parse_fd(const char *s)
{
	long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

#endif
