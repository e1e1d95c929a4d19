/* The table of backends (impls/registry.h): built-ins register from constructors, plug-ins
 * at run time; kept sorted by order, ties in registration order. */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	const struct spawn_backend *be;
	int order;
};

static struct entry *entries;
static size_t n_entries, cap_entries;
static char *names_buf;
static size_t names_for = (size_t)-1; /* n_entries when names_buf was built */

void backend_register(const struct spawn_backend *be, int order)
{
	if (n_entries == cap_entries) {
		size_t cap = cap_entries ? cap_entries * 2 : 16;
		struct entry *e = realloc(entries, cap * sizeof(*e));
		if (!e) {
			fprintf(stderr, "spawnscope: cannot register backend %s: out of memory\n",
				be->name);
			exit(1);
		}
		entries = e;
		cap_entries = cap;
	}
	/* Insert after every entry of the same or a lower order: a stable sort. */
	size_t at = n_entries;
	while (at > 0 && entries[at - 1].order > order)
		at--;
	memmove(&entries[at + 1], &entries[at], (n_entries - at) * sizeof(*entries));
	entries[at] = (struct entry){be, order};
	n_entries++;
}

size_t backend_count(void)
{
	return n_entries;
}

const struct spawn_backend *backend_at(size_t i)
{
	return i < n_entries ? entries[i].be : NULL;
}

const struct spawn_backend *backend_find(const char *name)
{
	for (size_t i = 0; i < n_entries; i++)
		if (strcmp(entries[i].be->name, name) == 0)
			return entries[i].be;
	return NULL;
}

const char *backend_names(void)
{
	if (names_buf && names_for == n_entries)
		return names_buf;
	size_t len = 1;
	for (size_t i = 0; i < n_entries; i++)
		len += strlen(entries[i].be->name) + 2;
	char *buf = malloc(len);
	if (!buf)
		return names_buf ? names_buf : "";
	size_t pos = 0;
	for (size_t i = 0; i < n_entries; i++)
		pos += (size_t)sprintf(buf + pos, "%s%s", i ? ", " : "", entries[i].be->name);
	buf[pos] = '\0';
	free(names_buf);
	names_buf = buf;
	names_for = n_entries;
	return names_buf;
}

/* At exit: give the table back (plug-ins are unloaded by their owner); later calls see an
 * empty registry rather than freed memory. */
__attribute__((destructor)) static void registry_free(void)
{
	free(entries);
	free(names_buf);
	entries = NULL;
	names_buf = NULL;
	n_entries = cap_entries = 0;
	names_for = (size_t)-1;
}
