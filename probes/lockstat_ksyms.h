/* /proc/kallsyms, sorted, for lockstat: caller names and the address ranges of functions. */
#ifndef SPAWNSCOPE_LOCKSTAT_KSYMS_H
#define SPAWNSCOPE_LOCKSTAT_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	uint32_t name; /* offset into ksyms.names */
};

struct ksyms {
	struct ksym *sym;
	size_t n;
	char *names;
	size_t names_len, names_cap;
};

/* Read /proc/kallsyms (root, or kptr_restrict 0, shows real addresses). 0 or -errno with the
 * reason in why (-EPERM when every address reads as 0). */
int ksyms_load(struct ksyms *k, char *why, size_t len);
/* Symbol containing addr (the greatest start <= addr); NULL when below every symbol. */
const char *ksyms_name(const struct ksyms *k, uint64_t addr);
/* [start, next symbol's start) of the symbol called name. 0 or -ENOENT. */
int ksyms_range(const struct ksyms *k, const char *name, uint64_t *lo, uint64_t *hi);
/* Address of name, 0 if absent. */
uint64_t ksyms_addr(const struct ksyms *k, const char *name);
void ksyms_free(struct ksyms *k);

#endif
