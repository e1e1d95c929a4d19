/* Whether a plot gnuplot wrote is whole: a PNG that ends with its IEND chunk, an SVG that
 * ends with </svg>. gnuplot may exit 0 after a short write (a full disk), so its exit status
 * alone does not say the file is usable. */
#ifndef SPAWNSCOPE_PLOTFILE_H
#define SPAWNSCOPE_PLOTFILE_H

#include <stddef.h>

/* 0 when path is a complete PNG or SVG (by its suffix); -1 with why filled otherwise. */
int plotfile_check(const char *path, char *why, size_t len);

#endif
