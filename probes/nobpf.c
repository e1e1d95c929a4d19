/*
 * The probes API for a driver built without eBPF support: the build machine lacked kernel
 * BTF (/sys/kernel/btf/vmlinux, needed to generate vmlinux.h), bpftool, clang or libbpf, so
 * the Makefile compiled this file instead of probes.c. Every call says so; nothing here
 * includes a skeleton or libbpf.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probes.h"

/* The Makefile may pass the exact reason with -DSPAWNSCOPE_NOBPF_REASON="\"...\"". */
#ifndef SPAWNSCOPE_NOBPF_REASON
#define SPAWNSCOPE_NOBPF_REASON                                                                    \
	"the build machine lacked kernel BTF (/sys/kernel/btf/vmlinux), bpftool, clang or "        \
	"libbpf"
#endif
#define NOBPF_WHY "built without probes: " SPAWNSCOPE_NOBPF_REASON

int probes_open(enum probes_mode mode, pid_t watch_tgid, struct probes **out, char *why, size_t len)
{
	(void)watch_tgid;
	*out = NULL;
	if (mode == PROBES_OFF) {
		if (len)
			snprintf(why, len, "probes off (--probes off)");
		return 0;
	}
	if (len)
		snprintf(why, len, "%s", NOBPF_WHY);
	return mode == PROBES_ON ? -EOPNOTSUPP : 0;
}

void probes_describe(const struct probes *pr, const char *why_off, json_t *obj)
{
	(void)pr;
	json_object_set_new(obj, "enabled", json_false());
	json_object_set_new(obj, "reason", json_string(why_off && *why_off ? why_off : NOBPF_WHY));
	json_object_set_new(obj, "programs", json_array());
}

int probes_collect(struct probes *pr, pid_t child, struct probe_sample *out)
{
	(void)pr;
	(void)child;
	(void)out;
	return -ENOENT;
}

void probes_reset(struct probes *pr)
{
	(void)pr;
}

int probes_set_attached(struct probes *pr, bool on)
{
	(void)pr;
	(void)on;
	return -EOPNOTSUPP;
}

const char *probes_error(const struct probes *pr)
{
	(void)pr;
	return NOBPF_WHY;
}

int probes_drops(const struct probes *pr, struct probe_drops *out)
{
	(void)pr;
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

void probes_drops_json(const struct probes *pr, json_t *obj, const char *key)
{
	(void)pr;
	(void)obj;
	(void)key;
}

void probes_close(struct probes *pr)
{
	(void)pr;
}
