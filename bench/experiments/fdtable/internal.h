/* The fdtable experiment's parts: its variants and its outputs. */
#ifndef SPAWNSCOPE_FDTABLE_H
#define SPAWNSCOPE_FDTABLE_H

#include <jansson.h>
#include <stdio.h>

#include "bench/experiments/copycost/copycost.h"

enum fd_variant {
	FV_INHERIT,   /* parent's fds inheritable: dup_fd copies them, exit closes them */
	FV_CLOEXEC,   /* FD_CLOEXEC on all: copied at fork, closed by do_close_on_exec */
	FV_FILES,     /* clone with CLONE_FILES: no dup_fd, but exec's unshare_files copies */
	FV_CLOSEFROM, /* the child closes everything above the stamp fd (close_range) */
	FV_EFORK,     /* efork: a blank child, no table to copy */
	FV__N
};
extern const char *const fd_variant_names[FV__N + 1];

/* After the points: the ns-per-fd fits into run.json "fits". */
void fd_add_fits(struct run_ctx *ctx);
/* DIR/points-fdtable.csv and DIR/points-fdtable.gp (the variables of scripts/fdtable.gp)
 * from run.json. 0 or -errno. */
int fd_write_data(const json_t *run, const char *dir);
void fd_summarize(const json_t *run, FILE *md);

#endif
