/* The table of backends: built-ins register themselves at start-up (like fio's
 * register_ioengine), plug-ins are added by path. Not part of the plug-in ABI. */
#ifndef SPAWNSCOPE_REGISTRY_H
#define SPAWNSCOPE_REGISTRY_H

#include "backend.h"

/* order: position in listings and default runs (fork-exec 10, vfork 20, ... efork 60). */
void backend_register(const struct spawn_backend *be, int order);
#define SPAWN_BACKEND_REGISTER(var, order)                                                         \
	__attribute__((constructor)) static void register_##var(void)                              \
	{                                                                                          \
		backend_register(&(var), (order));                                                 \
	}

size_t backend_count(void);
const struct spawn_backend *backend_at(size_t i);	    /* in `order` */
const struct spawn_backend *backend_find(const char *name); /* NULL if unknown */

/* Load "plugin:PATH" (dlopen + SPAWN_PLUGIN_SYMBOL, ABI checked). 0, or -errno / -EPROTO with
 * a reason in why. The loaded backend is registered and returned in *out. */
int backend_load_plugin(const char *path, const struct spawn_backend **out, char *why, size_t len);

/* The file a loaded plug-in backend came from, or NULL for a built-in. */
const char *backend_plugin_path(const struct spawn_backend *be);

/* Comma-separated list of every registered backend name, for error messages. */
const char *backend_names(void);

#endif
