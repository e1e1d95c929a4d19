/* libbpf's messages, kept for error reports (libbpf_log.h). */
#include "libbpf_log.h"

#include <stdio.h>
#include <string.h>

/* libbpf's messages: the first warning of a failed load is the informative one ("failed to
 * find kernel BTF type ID of 'dup_mm'"); the rest (verifier dumps) go nowhere unless
 * SPAWNSCOPE_PROBES_DEBUG is set. */
char libbpf_first_warn[200];
bool libbpf_debug;

int libbpf_capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	if (libbpf_debug) {
		va_list copy;

		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level != LIBBPF_WARN || libbpf_first_warn[0])
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (!n || strchr(line, '\n'))
		return 0;
	{
		const char *msg = strncmp(line, "libbpf: ", 8) ? line : line + 8;
		size_t m = strlen(msg);

		if (m >= sizeof(libbpf_first_warn))
			m = sizeof(libbpf_first_warn) - 1;
		memcpy(libbpf_first_warn, msg, m);
		libbpf_first_warn[m] = '\0';
	}
	return 0;
}
