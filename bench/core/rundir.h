/* The run directory given with --out: checked before anything is created or loaded, and on
 * --force emptied of what an earlier run wrote there (and of nothing else). */
#ifndef SPAWNSCOPE_RUNDIR_H
#define SPAWNSCOPE_RUNDIR_H

#include "opts.h"

/* 0 when --out is absent, absent on disk, or an empty writable directory (any directory with
 * --force); 2 with a message naming it otherwise (a file, a FIFO, a non-empty directory). */
int rundir_check(const struct opts *o);
/* Remove run.json, summary.md, the data files (*.csv, points-*.gp), their temporary files,
 * the .csv files in samples/ and the .svg/.png files in plots/ from dir; samples/ and plots/
 * themselves when left empty. Other files stay. 0 or -errno (message printed). */
int rundir_clear(const char *dir);

#endif
