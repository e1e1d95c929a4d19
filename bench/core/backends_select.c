/* --backends resolution: names, plug-ins, availability (each tried for real). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impls/registry.h"
#include "backends_select.h"

static int add_unique(const struct spawn_backend **v, size_t *n, const struct spawn_backend *be)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == be) {
			fprintf(stderr, "spawnscope: --backends: '%s' given twice\n", be->name);
			return 2;
		}
	v[(*n)++] = be;
	return 0;
}

static int select_named(char *list, const struct spawn_backend **v, size_t *n)
{
	char *save = NULL, *tok;
	char why[256];

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct spawn_backend *be;
		int rc;

		if (!strncmp(tok, "plugin:", 7)) {
			why[0] = 0;
			rc = backend_load_plugin(tok + 7, &be, why, sizeof(why));
			if (rc) {
				fprintf(stderr, "spawnscope: --backends %s: %s\n", tok,
					why[0] ? why : strerror(-rc));
				return 2;
			}
		} else if (!(be = backend_find(tok))) {
			fprintf(stderr,
				"spawnscope: unknown backend '%s' (valid: %s, plugin:PATH)\n", tok,
				backend_names());
			return 2;
		}
		why[0] = 0;
		if ((rc = be->available(why, sizeof(why)))) {
			fprintf(stderr, "spawnscope: backend '%s' is not available here: %s\n",
				be->name, why[0] ? why : strerror(-rc));
			return 2;
		}
		if ((rc = add_unique(v, n, be)))
			return rc;
	}
	if (!*n) {
		fprintf(stderr, "spawnscope: --backends: empty list (valid: %s)\n",
			backend_names());
		return 2;
	}
	return 0;
}

int backends_select(const char *list, const struct spawn_backend ***out, size_t *n)
{
	size_t cap = backend_count() + 32;
	const struct spawn_backend **v = calloc(cap, sizeof(*v));
	int rc = 0;

	*n = 0;
	if (!v)
		return 1;
	if (list) {
		char *copy = strdup(list);
		size_t commas = 0;

		for (const char *p = list; *p; p++)
			commas += *p == ',';
		if (!copy || commas + 1 > cap - backend_count()) {
			free(copy);
			free(v);
			fprintf(stderr, "spawnscope: --backends: too many entries\n");
			return 2;
		}
		rc = select_named(copy, v, n);
		free(copy);
	} else {
		for (size_t i = 0; i < backend_count(); i++) {
			const struct spawn_backend *be = backend_at(i);
			char why[256] = "";

			if (be->available(why, sizeof(why)) == 0)
				v[(*n)++] = be;
			else
				fprintf(stderr, "spawnscope: skipping backend %s: %s\n", be->name,
					why);
		}
		if (!*n) {
			fprintf(stderr, "spawnscope: no backend is available here\n");
			rc = 1;
		}
	}
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int backends_contains(const struct spawn_backend *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->name, name))
			return 1;
	return 0;
}
