/* CLOCK_MONOTONIC in ns: the one clock every figure of spawnscope is read from. */
#ifndef SPAWNSCOPE_CLOCK_H
#define SPAWNSCOPE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}
static inline int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t);
}
/* The same clock in seconds, for deadlines and elapsed times. */
static inline double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#endif
