/* Parent memory of a chosen kind and size, held while spawns are measured: what fork's
 * dup_mmap/copy_page_range has to copy (or may skip). */
#ifndef SPAWNSCOPE_MEMKIND_H
#define SPAWNSCOPE_MEMKIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum memkind {
	MK_ANON,       /* private anonymous, touched, 4 KiB pages (MADV_NOHUGEPAGE) */
	MK_THP,	       /* private anonymous, touched, MADV_HUGEPAGE */
	MK_UNTOUCHED,  /* private anonymous, mapped, never written */
	MK_SHARED,     /* MAP_SHARED anonymous, touched */
	MK_FILE_RO,    /* private read-only file mapping, read (page cache) */
	MK_DONTFORK,   /* touched, MADV_DONTFORK (VM_DONTCOPY: skipped by dup_mmap) */
	MK_WIPEONFORK, /* touched, MADV_WIPEONFORK (child gets zeroes) */
	MK__N
};
extern const char *const memkind_names[MK__N + 1]; /* "anon", "thp", ...; NULL-terminated */

struct memregion {
	enum memkind kind;
	uint64_t size;	       /* requested bytes */
	unsigned nvmas;	       /* mappings it was split into (alternating protections) */
	void *base;	       /* first mapping */
	void **maps;	       /* nvmas mappings when nvmas > 1 */
	uint64_t map_size;     /* bytes per mapping */
	int fd;		       /* MK_FILE_RO backing file, else -1 */
	uint64_t thp_bytes;    /* AnonHugePages actually obtained (from /proc/self/smaps) */
	volatile uint64_t sum; /* checksum of a read pass, keeps the touch observable */
};

/* A /proc/meminfo field ("MemTotal", "MemAvailable", ...) in bytes; 0 if unreadable. */
uint64_t meminfo_bytes(const char *key);
/* The memory this process may still take: the tighter of MemAvailable and its memory
 * cgroup's room (membudget.h); 0 when neither is known. */
uint64_t mem_available_bytes(void);

/* Map size bytes of kind in nvmas mappings (1 = one VMA) and touch it as the kind says.
 * 0, or -errno (message naming the size and errno printed). size 0 maps nothing. */
int memregion_alloc(struct memregion *r, enum memkind kind, uint64_t size, unsigned nvmas);
/* Write one byte per 4 KiB page (the post-fork copy-on-write pass); returns elapsed ns. */
int64_t memregion_write_pass(struct memregion *r);
void memregion_free(struct memregion *r);

#endif
