/* Running the gnuplot scripts of scripts/ on a results directory, and the variables files
 * they read. No path ever reaches a shell or gnuplot's parser: gnuplot runs with the
 * directory as its working directory, the scripts name their files relative to it, and the
 * variables files hold strings in gnuplot's single-quoted form ('' for a quote). */
#ifndef SPAWNSCOPE_REPORT_PLOT_H
#define SPAWNSCOPE_REPORT_PLOT_H

#include <jansson.h>
#include <stdio.h>

/* The scripts directory (SPAWNSCOPE_SCRIPTS, else next to the binary, else the source
 * tree). 0 or -ENOENT. */
int plot_scripts_dir(char *buf, size_t len);
/* gnuplot SCRIPTS/NAME.gp with cwd = dir and GNUPLOT_LIB = SCRIPTS (for `load "palette.gp"`).
 * 0 ok; 1 failed (message printed, naming dir and the script). */
int plot_render(const char *scripts, const char *dir, const char *name);
/* A variables file a script will `load` (DIR/points-*.gp, which a run directory received
 * from elsewhere could hold anything in): 0 when it is absent or holds only comments and
 * NAME = literal lines; -EPERM with the line in why otherwise (gnuplot would run it). */
int plot_vars_check(const char *path, char *why, size_t len);
/* s as a gnuplot single-quoted string literal (newlines become spaces). */
void plot_quote(FILE *f, const char *s);
/* DIR/latency-series.gp for scripts/latency.gp from run.json's latency entries whose
 * samples file is in DIR (file, backend, probes twin, parent RSS of each series). The number
 * of series (0: none, nothing written) or -errno. */
int plot_write_latency_series(const json_t *run, const char *dir);

#endif
