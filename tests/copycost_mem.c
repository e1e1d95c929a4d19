/* Memory kinds and the fork child kept alive: each kind maps, splits and touches what it
 * says, a fork child's VmPTE follows what copy_page_range copied, and the post-fork pass
 * sees copy-on-write. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/experiments/copycost/copycost.h"
#include "lab/state/memkind.h"
#include "tap.h"

#define MIB (1ULL << 20)

static long maps_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;
	while (f && (c = getc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

/* VmPTE of a fork child while r is held (kB). */
static long child_vmpte(struct memregion *r)
{
	struct held_child c;
	(void)r;
	if (held_child_fork(&c))
		return -1;
	long kb = vmpte_kb_of(c.pid);
	held_child_release(&c);
	return kb;
}

int main(void)
{
	struct memregion r;
	tap_plan(14);
	tap_ok(mem_available_bytes() > 64 * MIB, "MemAvailable is read (%llu bytes)",
	       (unsigned long long)mem_available_bytes());

	int all_ok = 1;
	for (int k = 0; k < MK__N; k++) {
		int rc = memregion_alloc(&r, k, 8 * MIB, 1);
		all_ok &= rc == 0 && r.base != NULL && r.map_size == 8 * MIB;
		int64_t w = memregion_write_pass(&r);
		if (k == MK_FILE_RO)
			all_ok &= w == -EACCES;
		else
			all_ok &= w >= 0;
		memregion_free(&r);
		all_ok &= r.base == NULL && r.fd == -1;
	}
	tap_ok(all_ok, "every kind maps 8 MiB, writes (file_ro refuses) and frees");
	tap_ok(memregion_alloc(&r, MK__N, MIB, 1) == -EINVAL, "an unknown kind is refused");
	tap_ok(memregion_alloc(&r, MK_ANON, 0, 1) == 0 && r.base == NULL, "size 0 maps nothing");
	memregion_free(&r);

	long maps0 = maps_count();
	int rc = memregion_alloc(&r, MK_ANON, 64 * MIB, 512);
	long maps1 = maps_count();
	tap_ok(rc == 0 && maps1 - maps0 >= 512, "512 mappings stay 512 VMAs (maps grew by %ld)",
	       maps1 - maps0);
	memregion_free(&r);
	tap_ok(maps_count() <= maps0 + 1, "freeing unmaps all of them");

	rc = memregion_alloc(&r, MK_THP, 64 * MIB, 1);
	if (rc == 0 && r.thp_bytes == 0)
		tap_skip_test("THP not obtained here (transparent_hugepage off?)",
			      "MADV_HUGEPAGE memory is PMD-mapped");
	else
		tap_ok(rc == 0 && r.thp_bytes >= 2 * MIB,
		       "MADV_HUGEPAGE memory is PMD-mapped (%llu B)",
		       (unsigned long long)r.thp_bytes);
	memregion_free(&r);

	struct memregion none;
	memregion_alloc(&none, MK_ANON, 0, 1);
	long base = child_vmpte(&none);
	memregion_alloc(&r, MK_ANON, 128 * MIB, 1);
	long anon = child_vmpte(&r);
	memregion_free(&r);
	/* 128 MiB of 4 KiB pages fill 64 PTE pages: 256 kB */
	tap_ok(base > 0 && anon - base >= 200,
	       "fork child's VmPTE: %ld kB, %ld kB with 128 MiB anon", base, anon);
	static const enum memkind skipped[] = {MK_DONTFORK, MK_WIPEONFORK, MK_SHARED, MK_FILE_RO,
					       MK_UNTOUCHED};
	for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
		memregion_alloc(&r, skipped[i], 128 * MIB, 1);
		long kb = child_vmpte(&r);
		memregion_free(&r);
		/* vma_needs_copy: no anon pages to copy, so no page tables either */
		tap_ok(kb >= 0 && kb - base < 64,
		       "%s memory adds no page tables to the child (%ld kB)",
		       memkind_names[skipped[i]], kb);
	}

	memregion_alloc(&r, MK_ANON, 32 * MIB, 1);
	struct postfork_result pf;
	rc = postfork_measure(&r, 2, 30, true, NULL, &pf);
	tap_ok(rc == 0 && pf.n >= 1 && pf.post_fork_ns[0] > 0 &&
		   pf.child_alive_ns[0] > pf.no_child_ns[0],
	       "writing 32 MiB with a fork child alive costs more than without (%.0f vs %.0f ns)",
	       pf.n ? pf.child_alive_ns[0] : 0, pf.n ? pf.no_child_ns[0] : 0);
	postfork_free(&pf);
	memregion_free(&r);
	return tap_done();
}
