/*
 * The system calls each backend's child makes between its creation and its exec, counted
 * with strace on one spawn of the stamp target (the request the lab makes: one dup2 onto
 * STAMP_FD, default share, a parent that catches no signal, as the lab), and compared with
 * the table in docs/backends.md ("Child work before exec"), so the documented list cannot
 * drift from the code. Run as `child_syscalls.t --spawn NAME` it is the traced spawner.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impls/registry.h"
#include "impls/targets/stamp_proto.h"
#include "tap.h"

#define MAX_NAMES 64

/* One spawn and reap of build/targets/stamp with the backend; 0 when it exited 0. */
static int spawn_once(const char *name, const char *target)
{
	const struct spawn_backend *be = backend_find(name);
	char *argv[] = {(char *)target, NULL}, *envp[] = {NULL};
	struct spawn_child child = {.pidfd = -1};
	int p[2], status = 0;

	if (!be || pipe2(p, O_CLOEXEC))
		return 2;
	struct spawn_fd_op op = {.kind = SPAWN_FD_DUP2, .fd = p[1], .newfd = STAMP_FD};
	struct spawn_req req = {.path = target,
				.argv = argv,
				.envp = envp,
				.fd_ops = &op,
				.n_fd_ops = 1,
				.exec = true,
				.stamp_fd = -1,
				.flags = SPAWN_REQ_NO_CAUGHT_SIGNALS};
	if (be->spawn(&req, &child) || be->reap(&child, &status))
		return 3;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 4;
}

struct counts {
	char name[MAX_NAMES][32];
	int n[MAX_NAMES];
	int len;
};

/* The efork hand-off waits for the other side (spinning while it runs, yielding, then
 * sleeping): how many of these calls it makes is the scheduler's choice, so they are one
 * entry, without a count. */
#define WAITS "hand-off waits"
static bool is_wait(const char *name)
{
	return !strcmp(name, "futex") || !strcmp(name, "sched_yield") || !strcmp(name, "getcpu");
}

static void count(struct counts *c, const char *name)
{
	if (is_wait(name))
		name = WAITS;
	for (int i = 0; i < c->len; i++)
		if (!strcmp(c->name[i], name)) {
			c->n[i]++;
			return;
		}
	if (c->len < MAX_NAMES) {
		snprintf(c->name[c->len], sizeof(c->name[0]), "%s", name);
		c->n[c->len++] = 1;
	}
}

/* "rt_sigprocmask, dup3" style: names in order of first call, "×N" when repeated. */
static void format(const struct counts *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; i < c->len && off < len; i++)
		off +=
		    (size_t)snprintf(buf + off, len - off,
				     c->n[i] > 1 && strcmp(c->name[i], WAITS) ? "%s%s ×%d" : "%s%s",
				     i ? ", " : "", c->name[i], c->n[i]);
	if (!c->len)
		snprintf(buf, len, "none");
}

/* The calls of every process but the spawner (its pid given) until that process's execve
 * of the target: the child's work before exec. strace -f lines: "PID name(args) = r",
 * "PID name(args <unfinished ...>", "PID <... name resumed>...", "--- SIG", "+++ exited". */
static int child_calls(const char *log, int spawner, const char *target, struct counts *c)
{
	FILE *f = fopen(log, "r");
	char line[4096];
	int child = 0, done = 0;

	memset(c, 0, sizeof(*c));
	if (!f)
		return -errno;
	while (!done && fgets(line, sizeof(line), f)) {
		char name[32];
		int pid;

		if (sscanf(line, "%d %31[a-z0-9_](", &pid, name) != 2 || pid == spawner)
			continue;
		if (child && pid != child)
			continue;
		child = pid;
		if (!strcmp(name, "execve") && strstr(line, target))
			done = 1;
		else
			count(c, name);
	}
	fclose(f);
	return done ? 0 : -ENOENT;
}

/* The row for name in docs/backends.md's table: "| `name` | calls | ...". */
static int documented(const char *doc, const char *name, char *out, size_t len)
{
	FILE *f = fopen(doc, "r");
	char line[1024], key[64];
	int found = -ENOENT;

	if (!f)
		return -errno;
	snprintf(key, sizeof(key), "| `%s` | ", name);
	while (found && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key))) {
			char *start = line + strlen(key), *end = strstr(start, " |");
			if (end)
				*end = 0;
			snprintf(out, len, "%s", start);
			found = 0;
		}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	const char *build = getenv("SPAWNSCOPE_BUILD");
	char target[4096], doc[4096];

	if (!build)
		build = ".";
	snprintf(target, sizeof(target), "%s/targets/stamp", build);
	if (argc == 3 && !strcmp(argv[1], "--spawn"))
		return spawn_once(argv[2], target);

	tap_plan((int)backend_count());
	if (system("command -v strace >/dev/null 2>&1")) {
		for (size_t i = 0; i < backend_count(); i++)
			tap_skip_test("strace not installed", "%s", backend_at(i)->name);
		return tap_done();
	}
	snprintf(doc, sizeof(doc), "%s/docs/backends.md", SPAWNSCOPE_SRCDIR);
	for (size_t i = 0; i < backend_count(); i++) {
		const char *name = backend_at(i)->name;
		char log[] = "/tmp/child_syscalls.XXXXXX", cmd[8192], seen[1024], want[1024] = "?";
		struct counts c;
		int fd = mkstemp(log), rc, spawner = 0;
		FILE *f;

		if (fd < 0)
			return 1;
		close(fd);
		/* -qq: no attach/exit notes; the spawner's own pid is the first line's */
		snprintf(cmd, sizeof(cmd),
			 "strace -f -qq -o '%s' /proc/%d/exe --spawn '%s' >/dev/null 2>&1", log,
			 (int)getpid(), name);
		rc = system(cmd);
		f = fopen(log, "r");
		if (!f || fscanf(f, "%d", &spawner) != 1)
			spawner = 0;
		if (f)
			fclose(f);
		int crc = child_calls(log, spawner, target, &c);
		unlink(log);
		format(&c, seen, sizeof(seen));
		documented(doc, name, want, sizeof(want));
		tap_ok(rc == 0 && crc == 0 && !strcmp(seen, want),
		       "%s child before exec: %s (docs/backends.md: %s)", name,
		       crc ? "no exec seen" : seen, want);
	}
	return tap_done();
}
