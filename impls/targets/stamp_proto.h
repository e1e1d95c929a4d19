/* The contract between the driver and the `stamp` target (and noexec children). */
#ifndef SPAWNSCOPE_STAMP_PROTO_H
#define SPAWNSCOPE_STAMP_PROTO_H

#include <stdint.h>

#include "../rawsys.h"

/* The stamp target writes to this fd unless argv[1] names another (decimal). */
#define STAMP_FD 3

/* 24 bytes, written with one write(2): CLOCK_MONOTONIC read with a raw syscall first thing,
 * then the CPU the child runs on (getcpu, read after the clock so it adds nothing to the
 * stamp; -1 when getcpu failed). */
struct stamp_msg {
	int64_t sec;
	int64_t nsec;
	int32_t cpu;
	int32_t reserved; /* 0 */
};

/* The CPU the caller runs on, by raw syscall (no vDSO, no libc), or -1. */
static inline int32_t stamp_cpu(void)
{
	unsigned cpu = 0;

	return raw_syscall3(SYS_getcpu, &cpu, 0, 0) < 0 ? -1 : (int32_t)cpu;
}

#endif
