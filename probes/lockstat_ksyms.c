/* Kernel symbols for lockstat (see lockstat_ksyms.h). */
#include "lockstat_ksyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add_name(struct ksyms *k, const char *name, uint32_t *off)
{
	size_t len = strlen(name) + 1;
	if (k->names_len + len > k->names_cap) {
		size_t cap = k->names_cap ? k->names_cap * 2 : 1 << 20;
		while (cap < k->names_len + len)
			cap *= 2;
		char *p = realloc(k->names, cap);
		if (!p)
			return -ENOMEM;
		k->names = p;
		k->names_cap = cap;
	}
	memcpy(k->names + k->names_len, name, len);
	*off = (uint32_t)k->names_len;
	k->names_len += len;
	return 0;
}

int ksyms_load(struct ksyms *k, char *why, size_t len)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0, nonzero = 0;
	int err = 0;

	memset(k, 0, sizeof(*k));
	if (!f) {
		err = -errno;
		snprintf(why, len, "/proc/kallsyms: %s", strerror(errno));
		return err;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type == 'a' || type == 'A' || type == 'U')
			continue;
		if (addr)
			nonzero++;
		if (k->n == cap) {
			cap = cap ? cap * 2 : 65536;
			struct ksym *p = realloc(k->sym, cap * sizeof(*p));
			if (!p) {
				err = -ENOMEM;
				break;
			}
			k->sym = p;
		}
		err = add_name(k, name, &k->sym[k->n].name);
		if (err)
			break;
		k->sym[k->n++].addr = addr;
	}
	fclose(f);
	if (err) {
		snprintf(why, len, "/proc/kallsyms: %s", strerror(-err));
		ksyms_free(k);
		return err;
	}
	if (!nonzero) {
		snprintf(why, len,
			 "/proc/kallsyms shows no addresses (kptr_restrict; needs root or "
			 "kernel.kptr_restrict=0)");
		ksyms_free(k);
		return -EPERM;
	}
	qsort(k->sym, k->n, sizeof(*k->sym), cmp_ksym);
	return 0;
}

static size_t find_le(const struct ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n; /* first index with sym.addr > addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->sym[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo; /* lo - 1 is the answer when lo > 0 */
}

const char *ksyms_name(const struct ksyms *k, uint64_t addr)
{
	size_t i = find_le(k, addr);
	return i ? k->names + k->sym[i - 1].name : NULL;
}

int ksyms_range(const struct ksyms *k, const char *name, uint64_t *lo, uint64_t *hi)
{
	for (size_t i = 0; i < k->n; i++) {
		if (strcmp(k->names + k->sym[i].name, name))
			continue;
		size_t j = i + 1;
		while (j < k->n && k->sym[j].addr == k->sym[i].addr)
			j++;
		*lo = k->sym[i].addr;
		*hi = j < k->n ? k->sym[j].addr : k->sym[i].addr + 1;
		return 0;
	}
	return -ENOENT;
}

uint64_t ksyms_addr(const struct ksyms *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->names + k->sym[i].name, name))
			return k->sym[i].addr;
	return 0;
}

void ksyms_free(struct ksyms *k)
{
	free(k->sym);
	free(k->names);
	memset(k, 0, sizeof(*k));
}
