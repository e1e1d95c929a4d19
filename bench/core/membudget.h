/* How much memory this process may still take: the tighter of MemAvailable and the room left
 * in its memory cgroup (v2 memory.max - memory.current, v1 memory.limit_in_bytes -
 * memory.usage_in_bytes), over every ancestor cgroup, since each level's limit applies. */
#ifndef SPAWNSCOPE_MEMBUDGET_H
#define SPAWNSCOPE_MEMBUDGET_H

#include <stddef.h>
#include <stdint.h>

struct membudget {
	uint64_t bytes;		/* the tighter of the two; 0 when neither is known */
	uint64_t meminfo_bytes; /* MemAvailable; 0 when /proc/meminfo is unreadable */
	uint64_t cgroup_bytes;	/* room in the tightest cgroup level; UINT64_MAX: no limit */
	char cgroup_path[256];	/* that level's directory, "" when no cgroup limit applies */
};

/* Fill b from /proc/meminfo, /proc/self/cgroup and /proc/self/mountinfo. */
void membudget_read(struct membudget *b);
/* "MemAvailable 3.1 GiB" or "cgroup /sys/fs/cgroup/x: 300 MiB left" for messages. */
const char *membudget_describe(const struct membudget *b, char *buf, size_t len);

#endif
