/* What the numbers were measured on: CPU (libcpuid), kernel, and the /proc and /sys settings
 * that move spawn costs (THP, ASLR, mitigations, clocksource, hypervisor). */
#ifndef SPAWNSCOPE_MACHINE_H
#define SPAWNSCOPE_MACHINE_H

#include <jansson.h>

/* A new JSON object describing this machine; never NULL (unreadable items are null). */
json_t *machine_describe(void);

/* The first line of a small /proc or /sys file, trailing newline removed, into buf.
 * Returns buf, or NULL if unreadable. */
char *read_line_file(const char *path, char *buf, size_t len);

#endif
