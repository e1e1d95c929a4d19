/* The contract between the driver and the `stamp` target (and noexec children). */
#ifndef SPAWNSCOPE_STAMP_PROTO_H
#define SPAWNSCOPE_STAMP_PROTO_H

#include <stdint.h>

/* The stamp target writes to this fd unless argv[1] names another (decimal). */
#define STAMP_FD 3

/* 16 bytes, written with one write(2): CLOCK_MONOTONIC read with a raw syscall. */
struct stamp_msg {
	int64_t sec;
	int64_t nsec;
};

#endif
