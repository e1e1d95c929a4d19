/* The memory budget (see membudget.h). */
#include "membudget.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/state/memkind.h"
#include "bench/lib/units.h"

/* A cgroup v1 "no limit" is PAGE_COUNTER_MAX pages rounded: anything this large is none. */
#define NO_LIMIT_ABOVE (1ull << 62)

/* mountinfo escapes blanks as \040 (show_mountinfo -> seq_path_root with " \t\n\\"). */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

/* The mount point of the v2 hierarchy (v1 false) or of the v1 hierarchy with the memory
 * controller (v1 true), and the cgroup path its root stands for. 0 or -1. */
static int find_mount(bool v1, char *mnt, size_t mlen, char *root, size_t rlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int rc = -1;

	if (!f)
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		char *save = NULL, *field[5], *sep = strstr(line, " - ");
		char *fstype, *super;
		int i;

		if (!sep)
			continue;
		*sep = 0;
		fstype = strtok_r(sep + 3, " \n", &save);
		strtok_r(NULL, " \n", &save); /* source */
		super = strtok_r(NULL, " \n", &save);
		if (!fstype || strcmp(fstype, v1 ? "cgroup" : "cgroup2"))
			continue;
		if (v1) {
			bool memory = false;
			char *s2 = NULL;
			for (char *o = super ? strtok_r(super, ",", &s2) : NULL; o;
			     o = strtok_r(NULL, ",", &s2))
				memory |= !strcmp(o, "memory");
			if (!memory)
				continue;
		}
		save = NULL;
		for (i = 0; i < 5 && (field[i] = strtok_r(i ? NULL : line, " ", &save)); i++)
			;
		if (i < 5)
			continue;
		unescape_octal(field[3]);
		unescape_octal(field[4]);
		snprintf(root, rlen, "%s", field[3]);
		snprintf(mnt, mlen, "%s", field[4]);
		rc = 0;
	}
	fclose(f);
	return rc;
}

/* The cgroup path of this process in v2 (v1 false) or in the v1 memory hierarchy. */
static int own_cgroup(bool v1, char *path, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int rc = -1;

	if (!f)
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool match = false;

		if (!c2)
			continue;
		*c2 = 0;
		line[strcspn(line, ":")] = 0;
		if (!v1) {
			match = !strcmp(line, "0") && c2 == c1 + 1;
		} else {
			char *save = NULL;
			for (char *o = strtok_r(c1 + 1, ",", &save); o;
			     o = strtok_r(NULL, ",", &save))
				match |= !strcmp(o, "memory");
		}
		if (match) {
			c2[1 + strcspn(c2 + 1, "\n")] = 0;
			snprintf(path, len, "%s", c2 + 1);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* A cgroup file holding one number (or "max"); false when absent or unlimited. */
static bool read_limit_file(const char *dir, const char *name, uint64_t *out)
{
	char path[512], buf[64];
	FILE *f;
	bool ok;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) && strncmp(buf, "max", 3);
	fclose(f);
	if (ok)
		*out = strtoull(buf, NULL, 10);
	return ok;
}

/* The least room over dir and its ancestors up to (not beyond) the mount point mnt. */
static void walk_levels(const char *mnt, const char *rel, bool v1, struct membudget *b)
{
	char dir[256];
	size_t base = strlen(mnt);

	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(rel, "/") ? rel : "") >=
	    sizeof(dir))
		return;
	for (;;) {
		uint64_t limit, usage;

		if (read_limit_file(dir, v1 ? "memory.limit_in_bytes" : "memory.max", &limit) &&
		    limit < NO_LIMIT_ABOVE &&
		    read_limit_file(dir, v1 ? "memory.usage_in_bytes" : "memory.current", &usage)) {
			uint64_t room = limit > usage ? limit - usage : 0;
			if (room < b->cgroup_bytes) {
				b->cgroup_bytes = room;
				snprintf(b->cgroup_path, sizeof(b->cgroup_path), "%s", dir);
			}
		}
		char *slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < base)
			break;
		*slash = 0;
	}
}

static void cgroup_room(bool v1, struct membudget *b)
{
	char mnt[256], root[256], path[256];
	const char *rel;

	if (find_mount(v1, mnt, sizeof(mnt), root, sizeof(root)) ||
	    own_cgroup(v1, path, sizeof(path)))
		return;
	/* a mount of a sub-tree (root not "/") shows the cgroups below its root */
	rel = path;
	if (strcmp(root, "/")) {
		size_t n = strlen(root);
		if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
			return;
		rel = path[n] ? path + n : "/";
	}
	walk_levels(mnt, rel, v1, b);
}

void membudget_read(struct membudget *b)
{
	memset(b, 0, sizeof(*b));
	b->cgroup_bytes = UINT64_MAX;
	b->meminfo_bytes = meminfo_bytes("MemAvailable");
	cgroup_room(false, b);
	cgroup_room(true, b);
	b->bytes = b->meminfo_bytes;
	if (b->cgroup_bytes != UINT64_MAX && (!b->bytes || b->cgroup_bytes < b->bytes))
		b->bytes = b->cgroup_bytes;
}

const char *membudget_describe(const struct membudget *b, char *buf, size_t len)
{
	char n[32];

	if (b->cgroup_bytes != UINT64_MAX && b->bytes == b->cgroup_bytes)
		snprintf(buf, len, "memory cgroup %s: %s left below its limit", b->cgroup_path,
			 fmt_bytes(b->cgroup_bytes, n, sizeof(n)));
	else if (b->bytes)
		snprintf(buf, len, "MemAvailable %s", fmt_bytes(b->bytes, n, sizeof(n)));
	else
		snprintf(buf, len, "neither /proc/meminfo nor a memory cgroup limit is readable");
	return buf;
}

/* The two readers memkind.h declares: they live here, with the budget, so that memkind.c
 * (linked into the lab) needs nothing of the driver. */
uint64_t meminfo_bytes(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t klen = strlen(key);
	char line[256];
	uint64_t bytes = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			bytes = strtoull(line + klen + 1, NULL, 10) * 1024; /* the file says kB */
			break;
		}
	fclose(f);
	return bytes;
}

uint64_t mem_available_bytes(void)
{
	struct membudget b;

	membudget_read(&b);
	return b.bytes;
}
