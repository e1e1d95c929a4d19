/* Shared by tests/efork_*.c: paths of the build's programs, running efork_probe through a
 * context, and counting what a process holds (fds, mappings, RSS, children). Header-only. */
#ifndef SPAWNSCOPE_EFORK_TESTLIB_H
#define SPAWNSCOPE_EFORK_TESTLIB_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impls/efork/efork.h"
#include "proc_count.h"
#include "tap.h"

static char build_dir[PATH_MAX - 64], probe_path[PATH_MAX], exit0_path[PATH_MAX],
    helper_path[PATH_MAX];
static const unsigned strategies[2] = {EFORK_EMBRYO, EFORK_BLANK};
static const char *const strategy_names[2] = {"embryo", "blank"};
static char *const no_env[] = {NULL};

/* $SPAWNSCOPE_BUILD, else the directory above this test binary ($BUILD/tests/x.t). */
static inline void paths_init(void)
{
	const char *b = getenv("SPAWNSCOPE_BUILD");
	if (b && *b) {
		snprintf(build_dir, sizeof(build_dir), "%s", b);
	} else {
		ssize_t n = readlink("/proc/self/exe", build_dir, sizeof(build_dir) - 1);
		build_dir[n > 0 ? n : 0] = 0;
		for (int up = 0; up < 2; up++) {
			char *s = strrchr(build_dir, '/');
			if (s)
				*s = 0;
		}
	}
	snprintf(probe_path, sizeof(probe_path), "%s/tests/targets/efork_probe", build_dir);
	snprintf(exit0_path, sizeof(exit0_path), "%s/targets/exit0", build_dir);
	snprintf(helper_path, sizeof(helper_path), "%s/targets/efork_blank", build_dir);
	efork_set_helper(helper_path);
}

static inline int paths_missing(void)
{
	const char *need[] = {probe_path, exit0_path, helper_path};
	for (size_t i = 0; i < 3; i++)
		if (access(need[i], X_OK) < 0) {
			printf("1..0 # SKIP %s: %s (set SPAWNSCOPE_BUILD)\n", need[i],
			       strerror(errno));
			return 1;
		}
	return 0;
}

/* Read everything from fd into buf (NUL-terminated); closes fd. */
static inline void read_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	while (off + 1 < len &&
	       ((n = read(fd, buf + off, len - 1 - off)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			off += (size_t)n;
	buf[off] = 0;
	close(fd);
}

/* Install a fresh pipe at fd 1 of ctx; returns the read end (the caller's write end is closed). */
static inline int pipe_to_stdout(int ctx)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	int r = ectx_dup2(ctx, p[1], 1);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return -1;
	}
	return p[0];
}

/* Start efork_probe with args on ctx (stdout already a pipe read through rd), collect its
 * output and wait status, close ctx. 0, or -1 when the start failed (errno kept). */
static inline int probe_finish(int ctx, int rd, char *const args[], char *out, size_t len,
			       int *status)
{
	char *argv[32] = {"efork_probe"};
	int n = 1;
	for (; args && args[n - 1] && n < 31; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	if (eexecve(ctx, probe_path, argv, no_env) < 0) {
		int e = errno;
		close(rd);
		ectx_close(ctx);
		errno = e;
		return -1;
	}
	read_all(rd, out, len);
	ectx_wait(ctx, status);
	ectx_close(ctx);
	return 0;
}

static inline int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	int n = 0, c;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static inline long vm_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long v = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* An fd number that is not open in the caller (high, so that fds the library opens later
 * cannot take it). */
static inline int closed_fd(void)
{
	int fd = 1000;
	while (fcntl(fd, F_GETFD) >= 0)
		fd++;
	return fd;
}

/* out with newlines shown as '|', for one-line TAP descriptions (static buffer). */
static inline const char *oneline(const char *out)
{
	static char buf[512];
	size_t i = 0;
	for (; out[i] && i + 1 < sizeof(buf); i++)
		buf[i] = out[i] == '\n' ? '|' : out[i];
	buf[i] = 0;
	return buf;
}

/* No child of ours left, zombie or alive. */
static inline int no_children(void)
{
	int st;
	return waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

#endif
