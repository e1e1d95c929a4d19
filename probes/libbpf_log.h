/* libbpf's messages for the loaders (probes.c, lockstat.c): the first warning of a failed
 * load is the informative one ("failed to find kernel BTF type ID of 'dup_mm'", a verifier
 * refusal); the rest go to stderr only with SPAWNSCOPE_PROBES_DEBUG set. */
#ifndef SPAWNSCOPE_LIBBPF_LOG_H
#define SPAWNSCOPE_LIBBPF_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include <bpf/libbpf.h>

extern char libbpf_first_warn[200]; /* "" until a warning arrives; clear it before a load */
extern bool libbpf_debug;	    /* set from SPAWNSCOPE_PROBES_DEBUG by the loader */

/* The libbpf_set_print callback that fills libbpf_first_warn. */
int libbpf_capture_print(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif
