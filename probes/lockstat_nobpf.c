/* lockstat without a BPF toolchain at build time: the same API, and every open says why. */
#include "lockstat.h"

#include <errno.h>
#include <stdio.h>

int lockstat_open(pid_t tgid, struct lockstat **out, char *why, size_t len)
{
	(void)tgid;
	*out = NULL;
	snprintf(why, len,
		 "built without eBPF support (the build machine lacked kernel BTF, clang, bpftool "
		 "or libbpf)");
	return -EOPNOTSUPP;
}

int lockstat_reset(struct lockstat *ls)
{
	(void)ls;
	return -EOPNOTSUPP;
}

int lockstat_read(struct lockstat *ls, struct lockstat_row **rows, size_t *n)
{
	(void)ls;
	*rows = NULL;
	*n = 0;
	return -EOPNOTSUPP;
}

int lockstat_read_mmap(struct lockstat *ls, struct lockstat_hold **rows, size_t *n)
{
	(void)ls;
	*rows = NULL;
	*n = 0;
	return -EOPNOTSUPP;
}

void lockstat_close(struct lockstat *ls)
{
	(void)ls;
}

void lockstat_describe(const struct lockstat *ls, json_t *obj)
{
	(void)ls;
	(void)obj;
}

int64_t lockstat_window_ns(const struct lockstat *ls)
{
	(void)ls;
	return 0;
}
