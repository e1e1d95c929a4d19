/* The pagetable experiment's parameter grid: --sizes, --kinds, --vmas and their defaults,
 * checked against the memory budget (MemAvailable or the memory cgroup's room, the tighter:
 * membudget.c) and vm.max_map_count before anything runs. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/units.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

void pt_grid_free(struct pt_grid *g)
{
	free(g->sizes);
	free(g->kinds);
	free(g->vmas);
	free(g->vmas_requested);
	memset(g, 0, sizeof *g);
}

/* The largest default size: min(4 GiB, memory budget / 4), whole MiB. */
static uint64_t default_top(void)
{
	uint64_t top = mem_available_bytes() / 4;
	if (top > 4 * GIB)
		top = 4 * GIB;
	return top / MIB * MIB;
}

static int bad_list(const char *opt, const char *bad, int rc)
{
	fprintf(stderr, "spawnscope: pagetable: %s: bad value '%s': %s\n", opt, bad ? bad : "",
		strerror(-rc));
	return EXP_USAGE;
}

/* Mappings this process may still create: vm.max_map_count minus what it has now, minus a
 * margin for the driver (the sampler, posix_spawn's child stack, libraries). */
static uint64_t vma_room(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long long max = 65530; /* DEFAULT_MAX_MAP_COUNT */
	if (f) {
		if (fscanf(f, "%llu", &max) != 1)
			max = 65530;
		fclose(f);
	}
	uint64_t have = 0;
	f = fopen("/proc/self/maps", "r");
	if (f) {
		int c;
		while ((c = getc(f)) != EOF)
			have += c == '\n';
		fclose(f);
	}
	uint64_t margin = have + 512;
	return max > margin ? max - margin : 1;
}

static int parse_sizes(const struct pt_opts *po, bool quick, struct pt_grid *g, uint64_t top)
{
	const char *bad;
	int rc;
	if (po->sizes) {
		rc = parse_size_list(po->sizes, &g->sizes, &g->n_sizes, &bad);
		return rc ? bad_list("--sizes", bad, rc) : 0;
	}
	/* log-spaced from 0 to the top, one MiB apart at least */
	size_t n = quick ? 4 : 6;
	uint64_t hi = quick && top > 128 * MIB ? 128 * MIB : top;
	g->sizes = calloc(n, sizeof *g->sizes);
	if (!g->sizes)
		return EXP_FAILED;
	g->n_sizes = log_space(0, hi, n, MIB, g->sizes);
	return 0;
}

static int parse_kinds(const struct pt_opts *po, struct pt_grid *g)
{
	const char *bad;
	if (po->kinds) {
		int rc = parse_name_list(po->kinds, memkind_names, &g->kinds, &g->n_kinds, &bad);
		if (rc) {
			fprintf(stderr,
				"spawnscope: pagetable: --kinds: bad value '%s': %s (valid: %s)\n",
				bad ? bad : "", strerror(-rc), names_joined(memkind_names));
			return EXP_USAGE;
		}
		return 0;
	}
	g->kinds = calloc(MK__N, sizeof *g->kinds);
	if (!g->kinds)
		return EXP_FAILED;
	for (int k = 0; k < MK__N; k++)
		g->kinds[g->n_kinds++] = k;
	return 0;
}

static int parse_vmas(const struct pt_opts *po, bool quick, struct pt_grid *g, bool quiet)
{
	static const uint64_t full_vmas[] = {1, 16, 256, 4096, 65536},
			      quick_vmas[] = {1, 256, 4096};
	const char *bad;
	if (po->vmas) {
		int rc = parse_u64_list(po->vmas, &g->vmas, &g->n_vmas, &bad);
		if (rc)
			return bad_list("--vmas", bad, rc);
		if (g->n_vmas == 1 && g->vmas[0] == 0)
			g->n_vmas = 0; /* "--vmas 0": no VMA axis */
		for (size_t i = 0; i < g->n_vmas; i++)
			if (g->vmas[i] == 0) {
				fprintf(stderr, "spawnscope: pagetable: --vmas: bad value '0': a "
						"count of mappings is at least 1 (a lone 0 skips "
						"the axis)\n");
				return EXP_USAGE;
			}
	} else {
		const uint64_t *src = quick ? quick_vmas : full_vmas;
		size_t n = quick ? sizeof quick_vmas / sizeof quick_vmas[0]
				 : sizeof full_vmas / sizeof full_vmas[0];
		g->vmas = calloc(n, sizeof *g->vmas);
		if (!g->vmas)
			return EXP_FAILED;
		memcpy(g->vmas, src, n * sizeof *src);
		g->n_vmas = n;
	}
	g->vmas_requested = calloc(g->n_vmas ? g->n_vmas : 1, sizeof *g->vmas_requested);
	if (!g->vmas_requested)
		return EXP_FAILED;
	uint64_t room = vma_room();
	for (size_t i = 0; i < g->n_vmas; i++) {
		g->vmas_requested[i] = g->vmas[i];
		if (g->vmas[i] > room) {
			if (!quiet)
				fprintf(stderr,
					"spawnscope: pagetable: %llu mappings exceed what "
					"vm.max_map_count leaves this process; clamped to %llu\n",
					(unsigned long long)g->vmas[i], (unsigned long long)room);
			g->vmas[i] = room;
		}
	}
	return 0;
}

int pt_grid_parse(const struct pt_opts *po, bool quick, struct pt_grid *g, bool quiet)
{
	memset(g, 0, sizeof *g);
	uint64_t top = default_top();
	int rc = parse_sizes(po, quick, g, top);
	if (!rc)
		rc = parse_kinds(po, g);
	if (!rc)
		rc = parse_vmas(po, quick, g, quiet);
	if (rc) {
		pt_grid_free(g);
		return rc;
	}
	uint64_t vma_size = quick ? 128 * MIB : GIB;
	g->vma_size = top && vma_size > top ? top : vma_size;
	if (g->vma_size < 64 * MIB)
		g->vma_size = 64 * MIB;

	/* refuse up front what cannot fit: each point holds its memory alone (freed between
	 * points), so the largest one must fit in the memory budget */
	uint64_t avail = mem_available_bytes(), largest = g->n_vmas ? g->vma_size : 0;
	for (size_t i = 0; i < g->n_sizes; i++)
		if (g->sizes[i] > largest)
			largest = g->sizes[i];
	if (avail && largest > avail) {
		char a[32], b[32];
		fprintf(stderr,
			"spawnscope: pagetable: a point of %s needs more than the memory budget "
			"(%s: MemAvailable or the memory cgroup's room, the tighter); "
			"refusing to start (choose smaller --sizes)\n",
			fmt_bytes(largest, a, sizeof a), fmt_bytes(avail, b, sizeof b));
		pt_grid_free(g);
		return EXP_USAGE;
	}
	if (!avail) {
		fprintf(stderr,
			"spawnscope: pagetable: no memory budget (neither /proc/meminfo's "
			"MemAvailable nor a cgroup limit could be read): %s; refusing to allocate "
			"blind\n",
			strerror(errno ? errno : ENOENT));
		pt_grid_free(g);
		return EXP_FAILED;
	}
	return 0;
}
