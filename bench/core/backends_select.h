/* --backends: names (or plugin:PATH) -> the list of backends an experiment runs. */
#ifndef SPAWNSCOPE_BACKENDS_SELECT_H
#define SPAWNSCOPE_BACKENDS_SELECT_H

#include <stddef.h>

#include "impls/backend.h"

/* list NULL: every registered backend whose available() succeeds (the others are named on
 * stderr with their reason unless quiet). Otherwise each name must be known and available.
 * 0, or 2 with the message printed (unknown name: the valid ones are listed). *out is
 * malloc'd. */
int backends_select(const char *list, const struct spawn_backend ***out, size_t *n);

/* Is be among the n selected? */
int backends_contains(const struct spawn_backend *const *v, size_t n, const char *name);

#endif
