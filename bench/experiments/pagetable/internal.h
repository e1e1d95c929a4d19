/* The pagetable experiment's parts: its grid of points and its outputs. */
#ifndef SPAWNSCOPE_PAGETABLE_H
#define SPAWNSCOPE_PAGETABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "bench/experiments/copycost/copycost.h"

/* Its options (zero: the defaults): comma lists, parsed into the grid by pt_grid_parse. */
struct pt_opts {
	const char *sizes; /* --sizes: memory sizes */
	const char *kinds; /* --kinds: memory kinds */
	const char *vmas;  /* --vmas: VMA counts */
};

struct pt_grid {
	uint64_t *sizes; /* the size axis, bytes */
	size_t n_sizes;
	int *kinds; /* enum memkind, the size axis is swept for each */
	size_t n_kinds;
	uint64_t *vmas;		  /* the VMA axis: mappings at vma_size (anon), after clamping */
	uint64_t *vmas_requested; /* as asked for */
	size_t n_vmas;
	uint64_t vma_size;
};

/* Parse --sizes/--kinds/--vmas (or the defaults, shorter with quick) and refuse sizes
 * beyond MemAvailable. 0, EXP_USAGE or EXP_FAILED (message printed). */
int pt_grid_parse(const struct pt_opts *po, bool quick, struct pt_grid *g, bool quiet);
void pt_grid_free(struct pt_grid *g);

/* After the points: the fits into run.json "fits". */
void pt_add_fits(struct run_ctx *ctx);
/* DIR/points-pagetable.csv and DIR/points-pagetable.gp (the variables of
 * scripts/pagetable.gp) from run.json. 0 or -errno. */
int pt_write_data(const json_t *run, const char *dir);
void pt_summarize(const json_t *run, FILE *md);
/* The memory kinds measured on the size axis, in memkind order; a new JSON array. */
json_t *pt_kinds_in_order(const json_t *run);

#endif
