/*
 * Plug-in backends (like fio's external ioengines): `--backends plugin:./libfoo.so` loads a
 * shared object that exports `const struct spawn_backend spawnscope_backend` (backend.h).
 *
 * The ABI check: `abi` must equal SPAWN_BACKEND_ABI, and `size` must cover every field this
 * build reads (a larger size is a newer plug-in that appended fields: those are ignored).
 * A name that is already registered (a built-in, or another copy of the same plug-in) is
 * disambiguated as "name@file" (file: the basename without "lib" and ".so"), so two builds
 * of one plug-in can be A/B'd in one run; loading the very same object twice returns the
 * backend registered the first time.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry.h"

#define PLUGIN_MAX 16

/* Loaded plug-ins live until exit: their code is in the backend table. */
static struct loaded_plugin {
	void *handle;
	const struct spawn_backend *exported; /* the plug-in's own struct */
	struct spawn_backend *renamed;	      /* our copy when the name was taken, else NULL */
	char name[96];
	char path[PATH_MAX]; /* as loaded: the lab loads the same file */
} plugins[PLUGIN_MAX];
static size_t n_plugins;

/* Highest order of any built-in is 60-70; plug-ins list after them, in load order. */
#define PLUGIN_ORDER_BASE 1000

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '+';
}

/* The name becomes part of CSV file names and of --backends lists. */
static int check_name(const char *name, char *why, size_t len)
{
	size_t n;

	if (!name || !*name) {
		snprintf(why, len, "refused: its backend has no name");
		return -EPROTO;
	}
	n = strnlen(name, 64);
	if (n >= 64) {
		snprintf(why, len, "refused: its backend name is longer than 63 characters");
		return -EPROTO;
	}
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(name[i])) {
			snprintf(why, len,
				 "refused: backend name '%s' has character '%c' (allowed: letters, "
				 "digits, "
				 "'-', '_', '.', '+')",
				 name, name[i]);
			return -EPROTO;
		}
	return 0;
}

static int check_abi(const struct spawn_backend *be, char *why, size_t len)
{
	/* Every field this build reads must be inside what the plug-in declared. */
	const size_t need = offsetof(struct spawn_backend, reap) + sizeof(be->reap);
	int rc;

	if (be->abi != SPAWN_BACKEND_ABI) {
		snprintf(why, len,
			 "refused: plug-in ABI version %u, this spawnscope speaks version %u: "
			 "rebuild the "
			 "plug-in against this spawnscope's impls/backend.h",
			 be->abi, SPAWN_BACKEND_ABI);
		return -EPROTO;
	}
	if (be->size < need) {
		snprintf(
		    why, len,
		    "refused: plug-in struct spawn_backend is %u bytes, ABI %u needs at least %zu: "
		    "rebuild it against this spawnscope's impls/backend.h",
		    be->size, SPAWN_BACKEND_ABI, need);
		return -EPROTO;
	}
	if ((rc = check_name(be->name, why, len)))
		return rc;
	if (!be->available || !be->spawn || !be->reap) {
		snprintf(why, len, "refused: plug-in backend '%s' lacks %s()", be->name,
			 !be->available ? "available"
			 : !be->spawn	? "spawn"
					: "reap");
		return -EPROTO;
	}
	return 0;
}

/* "name@stem" where stem is the file's basename without "lib" and ".so". */
static void alt_name(const char *name, const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char stem[64];
	size_t n;

	base = base ? base + 1 : path;
	if (!strncmp(base, "lib", 3) && base[3])
		base += 3;
	snprintf(stem, sizeof(stem), "%.*s", (int)sizeof(stem) - 1, base);
	n = strlen(stem);
	if (n > 3 && !strcmp(stem + n - 3, ".so"))
		stem[n - 3] = 0;
	for (char *c = stem; *c; c++)
		if (!name_char_ok(*c))
			*c = '_';
	snprintf(out, len, "%s@%s", name, stem);
}

int backend_load_plugin(const char *spec, const struct spawn_backend **out, char *why, size_t len)
{
	char path[PATH_MAX], name[96];
	const struct spawn_backend *be;
	struct loaded_plugin *pl;
	struct stat st;
	void *handle;
	int rc;

	if (!strncmp(spec, "plugin:", 7))
		spec += 7;
	if (!*spec) {
		snprintf(why, len, "plugin: needs a path (plugin:./libfoo.so)");
		return -EINVAL;
	}
	/* A bare file name means the file here, not a search of the library path. */
	if (snprintf(path, sizeof(path), "%s%s", strchr(spec, '/') ? "" : "./", spec) >=
	    (int)sizeof(path)) {
		snprintf(why, len, "%s", strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if (stat(path, &st)) {
		rc = -errno;
		snprintf(why, len, "%s", strerror(errno));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		return -EINVAL;
	}
	dlerror();
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		const char *e = dlerror();
		snprintf(why, len, "cannot load: %s", e ? e : "dlopen failed");
		return -ELIBBAD;
	}
	be = dlsym(handle, SPAWN_PLUGIN_SYMBOL);
	if (!be) {
		snprintf(why, len,
			 "no symbol '%s' (a plug-in exports const struct spawn_backend %s)",
			 SPAWN_PLUGIN_SYMBOL, SPAWN_PLUGIN_SYMBOL);
		dlclose(handle);
		return -EPROTO;
	}
	/* The same object loaded again (dlopen returns the same handle): same backend. */
	for (size_t i = 0; i < n_plugins; i++)
		if (plugins[i].exported == be) {
			dlclose(handle); /* drop the extra reference */
			*out = plugins[i].renamed ? plugins[i].renamed : plugins[i].exported;
			return 0;
		}
	if ((rc = check_abi(be, why, len))) {
		dlclose(handle);
		return rc;
	}
	if (n_plugins == PLUGIN_MAX) {
		snprintf(why, len, "more than %d plug-ins", PLUGIN_MAX);
		dlclose(handle);
		return -EMFILE;
	}
	pl = &plugins[n_plugins];
	memset(pl, 0, sizeof(*pl));
	snprintf(name, sizeof(name), "%s", be->name);
	if (backend_find(name)) {
		alt_name(be->name, path, name, sizeof(name));
		if (backend_find(name)) {
			snprintf(why, len,
				 "backend name '%s' is taken, and so is '%s': rename the plug-in "
				 "file or its backend",
				 be->name, name);
			dlclose(handle);
			return -EEXIST;
		}
		pl->renamed = malloc(sizeof(*pl->renamed));
		if (!pl->renamed) {
			snprintf(why, len, "%s", strerror(ENOMEM));
			dlclose(handle);
			return -ENOMEM;
		}
		/* Only the fields this build knows are copied: the rest is the plug-in's. */
		memcpy(pl->renamed, be, sizeof(*pl->renamed));
		snprintf(pl->name, sizeof(pl->name), "%s", name);
		pl->renamed->name = pl->name;
		fprintf(stderr,
			"spawnscope: plug-in %s: backend name '%s' is taken; registered as '%s'\n",
			path, be->name, name);
	}
	pl->handle = handle;
	pl->exported = be;
	snprintf(pl->path, sizeof(pl->path), "%s", path);
	n_plugins++;
	*out = pl->renamed ? pl->renamed : be;
	backend_register(*out, PLUGIN_ORDER_BASE + (int)n_plugins);
	return 0;
}

const char *backend_plugin_path(const struct spawn_backend *be)
{
	for (size_t i = 0; i < n_plugins; i++)
		if (plugins[i].exported == be || plugins[i].renamed == be)
			return plugins[i].path;
	return NULL;
}
