/* Parent memory of a chosen kind: mapped, split into VMAs and touched so that fork's
 * dup_mmap/copy_page_range has exactly the work the kind implies. */
#include "memkind.h"
#include "bench/lib/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE_4K 4096ULL
#define HUGE_2M (2ULL << 20)

const char *const memkind_names[MK__N + 1] = {
    [MK_ANON] = "anon",
    [MK_THP] = "thp",
    [MK_UNTOUCHED] = "untouched",
    [MK_SHARED] = "shared",
    [MK_FILE_RO] = "file_ro",
    [MK_DONTFORK] = "dontfork",
    [MK_WIPEONFORK] = "wipeonfork",
    [MK__N] = NULL,
};

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

static uint64_t mapped_bytes(const struct memregion *r)
{
	return (uint64_t)r->nvmas * r->map_size;
}

static int fail(const struct memregion *r, const char *what, int err)
{
	fprintf(stderr, "spawnscope: memory kind %s, %llu bytes in %u mappings: %s: %s\n",
		memkind_names[r->kind], (unsigned long long)r->size, r->nvmas, what, strerror(err));
	return -err;
}

/* An unlinked file of len bytes for MK_FILE_RO. Sparse: reading it through the mapping
 * makes filemap_fault allocate one zeroed page-cache page per 4 KiB, without disk writes. */
static int open_backing_file(uint64_t len)
{
	const char *dirs[] = {getenv("TMPDIR"), "/var/tmp", "/tmp"};
	int fd = -1, err = ENOENT;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && fd < 0; i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0)
			err = errno;
	}
	if (fd < 0) {
		errno = err;
		return -1;
	}
	if (ftruncate(fd, (off_t)len) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Reserve len bytes aligned to align (2 MiB for THP so whole PMDs fit) by over-mapping
 * and trimming both ends. */
static void *map_aligned(uint64_t len, uint64_t align, int prot, int flags, int fd)
{
	uint64_t extra = align > PAGE_4K ? align : 0;
	char *p = mmap(NULL, len + extra, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		return MAP_FAILED;
	if (!extra)
		return p;
	char *aligned = (char *)round_up((uintptr_t)p, align);
	if (aligned > p)
		munmap(p, (size_t)(aligned - p));
	char *tail = aligned + len;
	if (tail < p + len + extra)
		munmap(tail, (size_t)(p + len + extra - tail));
	return aligned;
}

/* Sum the huge-page-mapped kB of every smaps entry inside [lo, hi). */
static uint64_t huge_bytes_in(uintptr_t lo, uintptr_t hi)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return 0;
	char line[512];
	bool inside = false;
	uint64_t kb_total = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long start, end;
		unsigned long long kb;
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			inside = start >= lo && end <= hi;
			continue;
		}
		if (!inside)
			continue;
		if (sscanf(line, "AnonHugePages: %llu kB", &kb) == 1 ||
		    sscanf(line, "ShmemPmdMapped: %llu kB", &kb) == 1 ||
		    sscanf(line, "FilePmdMapped: %llu kB", &kb) == 1)
			kb_total += kb;
	}
	fclose(f);
	return kb_total * 1024;
}

static bool kind_is_touched(enum memkind kind)
{
	return kind != MK_UNTOUCHED;
}

/* Write (or, for the read-only file, read) one byte per 4 KiB page. */
static void touch_pages(struct memregion *r)
{
	volatile unsigned char *p = r->base;
	uint64_t len = mapped_bytes(r), sum = 0;
	if (r->kind == MK_FILE_RO) {
		for (uint64_t off = 0; off < len; off += PAGE_4K)
			sum += p[off];
	} else {
		for (uint64_t off = 0; off < len; off += PAGE_4K)
			p[off] = (unsigned char)(off / PAGE_4K) | 1;
		sum = len / PAGE_4K;
	}
	r->sum += sum;
}

/* Split the one mapping into nvmas VMAs that cannot merge back: every odd piece gets
 * MADV_RANDOM (VM_RAND_READ), and is_mergeable_vma requires identical vm_flags. Anonymous
 * pieces also alternate protection (read-write / write-only: VM_READ differs, stores still
 * work on x86-64 and arm64, which have no write-only page permission). */
static int split_vmas(struct memregion *r)
{
	for (unsigned i = 1; i < r->nvmas; i += 2) {
		char *piece = (char *)r->base + (uint64_t)i * r->map_size;
		if (madvise(piece, r->map_size, MADV_RANDOM) < 0)
			return fail(r, "madvise(MADV_RANDOM) to split mappings", errno);
		if (r->kind != MK_FILE_RO && mprotect(piece, r->map_size, PROT_WRITE) < 0)
			return fail(r, "mprotect(PROT_WRITE) to split mappings", errno);
	}
	return 0;
}

static int kind_advice(struct memregion *r)
{
	uint64_t len = mapped_bytes(r);
	int advice[3], n = 0;
	const char *names[3];
	switch (r->kind) {
	case MK_ANON:
	case MK_UNTOUCHED:
		advice[n] = MADV_NOHUGEPAGE, names[n++] = "MADV_NOHUGEPAGE";
		break;
	case MK_THP:
		advice[n] = MADV_HUGEPAGE, names[n++] = "MADV_HUGEPAGE";
		break;
	case MK_DONTFORK: /* VM_DONTCOPY: dup_mmap skips the VMA entirely */
		advice[n] = MADV_NOHUGEPAGE, names[n++] = "MADV_NOHUGEPAGE";
		advice[n] = MADV_DONTFORK, names[n++] = "MADV_DONTFORK";
		break;
	case MK_WIPEONFORK: /* VM_WIPEONFORK: vma_needs_copy is false, child sees zeroes */
		advice[n] = MADV_NOHUGEPAGE, names[n++] = "MADV_NOHUGEPAGE";
		advice[n] = MADV_WIPEONFORK, names[n++] = "MADV_WIPEONFORK";
		break;
	case MK_SHARED:
	case MK_FILE_RO:
	case MK__N:
		break;
	}
	for (int i = 0; i < n; i++)
		if (madvise(r->base, len, advice[i]) < 0)
			return fail(r, names[i], errno);
	return 0;
}

int memregion_alloc(struct memregion *r, enum memkind kind, uint64_t size, unsigned nvmas)
{
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->size = size;
	r->nvmas = nvmas ? nvmas : 1;
	r->fd = -1;
	if ((unsigned)kind >= MK__N) {
		fprintf(stderr, "spawnscope: memory kind %d (of %d): %s\n", (int)kind, MK__N,
			strerror(EINVAL));
		r->kind = MK_ANON;
		return -EINVAL;
	}
	if (size == 0) {
		r->map_size = 0;
		return 0;
	}
	uint64_t piece = size / r->nvmas;
	r->map_size = piece < PAGE_4K ? PAGE_4K : round_up(piece, PAGE_4K);
	uint64_t len = mapped_bytes(r);

	int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uint64_t align = PAGE_4K;
	if (kind == MK_SHARED)
		flags = MAP_SHARED | MAP_ANONYMOUS;
	if (kind == MK_THP)
		align = HUGE_2M;
	if (kind == MK_FILE_RO) {
		r->fd = open_backing_file(len);
		if (r->fd < 0)
			return fail(r,
				    "temporary backing file (O_TMPFILE in $TMPDIR, /var/tmp, /tmp)",
				    errno);
		prot = PROT_READ;
		flags = MAP_PRIVATE;
	}
	void *base = map_aligned(len, align, prot, flags, r->fd);
	if (base == MAP_FAILED) {
		int err = errno;
		memregion_free(r);
		return fail(r, "mmap", err);
	}
	r->base = base;
	int rc = kind_advice(r);
	if (rc == 0 && kind_is_touched(kind))
		touch_pages(r);
	if (rc == 0 && r->nvmas > 1) {
		r->maps = calloc(r->nvmas, sizeof *r->maps);
		if (!r->maps)
			rc = fail(r, "mapping table", ENOMEM);
		for (unsigned i = 0; rc == 0 && i < r->nvmas; i++)
			r->maps[i] = (char *)base + (uint64_t)i * r->map_size;
		if (rc == 0)
			rc = split_vmas(r);
	}
	if (rc < 0) {
		memregion_free(r);
		return rc;
	}
	/* smaps has one entry per VMA; tens of thousands of them make the read slow, and
	 * only THP-capable pieces matter, so count huge pages for the kinds that may get them. */
	if (kind == MK_THP || kind == MK_SHARED || kind == MK_FILE_RO)
		r->thp_bytes = huge_bytes_in((uintptr_t)base, (uintptr_t)base + len);
	return 0;
}

int64_t memregion_write_pass(struct memregion *r)
{
	if (!r->base)
		return 0;
	if (r->kind == MK_FILE_RO)
		return -EACCES; /* PROT_READ mapping: there is nothing to write */
	volatile unsigned char *p = r->base;
	uint64_t len = mapped_bytes(r);
	unsigned char value = (unsigned char)(r->sum | 1);
	int64_t t0 = now_ns(); /* a plain store per page: only a copy-on-write fault costs */
	for (uint64_t off = 0; off < len; off += PAGE_4K)
		p[off] = value;
	int64_t t1 = now_ns();
	r->sum += len / PAGE_4K;
	return t1 - t0;
}

void memregion_free(struct memregion *r)
{
	if (r->base)
		munmap(r->base, mapped_bytes(r));
	free(r->maps);
	if (r->fd >= 0)
		close(r->fd);
	r->base = NULL;
	r->maps = NULL;
	r->fd = -1;
}
