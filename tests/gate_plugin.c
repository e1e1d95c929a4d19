/*
 * Plug-in backends (impls/plugin.c) and the in-tree example plug-in
 * ($SPAWNSCOPE_BUILD/plugins/libexample.so): loading, the backend contract (argv and envp
 * intact, fd actions, the stamp target, exit status, ENOENT from spawn, no zombie, no leaked
 * fd), the injected delay, two copies side by side, and refusal of plug-ins built for
 * another ABI (compiled here with cc into a temporary directory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/gate/gate.h"
#include "impls/registry.h"
#include "impls/targets/stamp_proto.h"
#include "proc_count.h"
#include "tap.h"

extern char **environ;

/* The Makefile passes the source tree; `make test` runs from it anyway. */
#ifndef SPAWNSCOPE_SRCDIR
#define SPAWNSCOPE_SRCDIR "."
#endif

static char tmp[64];
static char build[4096];

static void cleanup(void)
{
	if (tmp[0])
		gate_rmtree(tmp);
}

static bool no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static int spawn_reap(const struct spawn_backend *be, const char *path, char *const *argv,
		      char *const *envp, const struct spawn_fd_op *ops, size_t n_ops, int *status)
{
	struct spawn_req req = {.path = path,
				.argv = argv,
				.envp = envp,
				.fd_ops = ops,
				.n_fd_ops = n_ops,
				.exec = true,
				.stamp_fd = -1};
	struct spawn_child c = {.pidfd = -1};
	int rc = be->spawn(&req, &c);

	if (rc)
		return rc;
	return be->reap(&c, status);
}

static void test_example(const struct spawn_backend *be)
{
	char stamp[4200], why[256] = "";
	char *sh_argv[] = {"sh", "-c",	"test \"$1\" = 'a b' && test \"$X\" = 'y z' && exit 3",
			   "sh", "a b", NULL};
	char *envp[] = {"X=y z", NULL};
	int status = -1, rc, fds0, p[2];

	tap_ok(be->available(why, sizeof(why)) == 0, "example: available (%s)", why);
	rc = spawn_reap(be, "/bin/sh", sh_argv, envp, NULL, 0, &status);
	tap_ok(rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 3,
	       "example: argv and envp arrive intact, exit status 3 comes back (rc %d)", rc);

	snprintf(stamp, sizeof(stamp), "%s/targets/stamp", build);
	if (pipe2(p, O_CLOEXEC)) {
		tap_ok(0, "pipe2: %s", strerror(errno));
		return;
	}
	{
		struct spawn_fd_op ops[] = {{.kind = SPAWN_FD_DUP2, .fd = p[1], .newfd = STAMP_FD}};
		char *argv[] = {"stamp", NULL};
		struct stamp_msg m = {0};
		ssize_t n;

		rc = spawn_reap(be, stamp, argv, environ, ops, 1, &status);
		close(p[1]);
		n = read(p[0], &m, sizeof(m));
		close(p[0]);
		tap_ok(rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			   n == (ssize_t)sizeof(m) && m.sec > 0,
		       "example: the stamp target gets fd %d by a dup2 action and stamps (rc %d, "
		       "%zd bytes)",
		       STAMP_FD, rc, n);
	}
	{
		char *argv[] = {"nope", NULL};
		rc =
		    spawn_reap(be, "/nonexistent/spawnscope-nope", argv, environ, NULL, 0, &status);
		tap_ok(rc == -ENOENT && no_children(),
		       "example: a missing program is -ENOENT from spawn, no child left (rc %d)",
		       rc);
	}
	fds0 = count_fds();
	for (int i = 0; i < 50; i++) {
		char *argv[] = {"exit0", NULL};
		char exit0[4200];
		snprintf(exit0, sizeof(exit0), "%s/targets/exit0", build);
		if ((rc = spawn_reap(be, exit0, argv, environ, NULL, 0, &status)))
			break;
	}
	tap_ok(rc == 0 && count_fds() == fds0 && no_children(),
	       "example: 50 spawn+reap: no zombie, no extra fd (rc %d)", rc);
}

/* Copy the example to tmp/libexample_delay.so and load it with a delay in the env: a
 * second plug-in named "example" -> registered as "example@example_delay". */
static void test_copy_and_delay(const char *so, const struct spawn_backend *first)
{
	char copy[128], cmd[4400], why[512] = "";
	const struct spawn_backend *be = NULL, *again = NULL;
	struct timespec t0, t1;
	char *argv[] = {"exit0", NULL}, exit0[4200];
	int rc, status;
	double ms;

	snprintf(copy, sizeof(copy), "%s/libexample_delay.so", tmp);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", so, copy);
	if (system(cmd)) {
		tap_ok(0, "cp %s: failed", so);
		return;
	}
	setenv("EXAMPLE_SPAWN_DELAY_NS", "20000000", 1); /* 20 ms: read when loaded */
	rc = backend_load_plugin(copy, &be, why, sizeof(why));
	unsetenv("EXAMPLE_SPAWN_DELAY_NS");
	tap_ok(rc == 0 && be && be != first && !strcmp(be->name, "example@example_delay") &&
		   backend_find("example@example_delay") == be && backend_find("example") == first,
	       "a second copy named 'example' is registered as '%s' beside the first (%s)",
	       be ? be->name : "?", why);
	if (rc)
		return;
	snprintf(exit0, sizeof(exit0), "%s/targets/exit0", build);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = spawn_reap(be, exit0, argv, environ, NULL, 0, &status);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* a busy-wait of 20 ms cannot take less than 20 ms: a floor, not a timing threshold */
	tap_ok(rc == 0 && ms >= 20, "EXAMPLE_SPAWN_DELAY_NS=20000000 delays the spawn (%.1f ms)",
	       ms);
	rc = backend_load_plugin(copy, &again, why, sizeof(why));
	tap_ok(rc == 0 && again == be, "loading the same file again gives the same backend");
}

/* Build a plug-in from source text in tmp; 0 or -1. */
static int build_plugin(const char *name, const char *src, char *so, size_t len)
{
	char c[160], cmd[4800];
	FILE *f;

	snprintf(c, sizeof(c), "%s/%s.c", tmp, name);
	snprintf(so, len, "%s/lib%s.so", tmp, name);
	if (!(f = fopen(c, "w")))
		return -1;
	fprintf(f, "#include \"impls/backend.h\"\n%s\n", src);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -std=gnu11 -w -fPIC -shared -I'%s' -o '%s' '%s'",
		 SPAWNSCOPE_SRCDIR, so, c);
	return system(cmd) ? -1 : 0;
}

#define FUNCS                                                                                      \
	"static int av(char *w, size_t l) { (void)w; (void)l; return 0; }\n"                       \
	"static int sp(const struct spawn_req *r, struct spawn_child *c) { (void)r; (void)c; "     \
	"return -1; }\n"                                                                           \
	"static int rp(struct spawn_child *c, int *s) { (void)c; (void)s; return 0; }\n"

static void refused(const char *name, const char *src, int want_rc, const char *want_why,
		    const char *what)
{
	const struct spawn_backend *be = NULL;
	char so[200], why[512] = "";
	size_t before = backend_count();
	int rc;

	if (build_plugin(name, src, so, sizeof(so))) {
		tap_skip_test("cannot compile a test plug-in with cc", "%s", what);
		return;
	}
	rc = backend_load_plugin(so, &be, why, sizeof(why));
	tap_ok(rc == want_rc && strstr(why, want_why) && backend_count() == before,
	       "%s: refused with rc %d: %s", what, rc, why);
}

static void test_refusals(void)
{
	char why[512] = "", junk[160];
	const struct spawn_backend *be = NULL;
	int rc;

	refused("abi99",
		FUNCS "const struct spawn_backend spawnscope_backend = { .abi = 99, .size = "
		      "sizeof(struct spawn_backend), .name = \"abi99\", .available = av, .spawn = "
		      "sp, .reap = rp };",
		-EPROTO, "plug-in ABI version 99", "a plug-in of ABI version 99");
	refused("small",
		FUNCS "const struct spawn_backend spawnscope_backend = { .abi = SPAWN_BACKEND_ABI, "
		      ".size = 16, .name = \"small\", .available = av, .spawn = sp, .reap = rp };",
		-EPROTO, "is 16 bytes", "a plug-in whose struct is smaller than this ABI's");
	refused("nosym", FUNCS "const struct spawn_backend other = { SPAWN_BACKEND_ABI_INIT };",
		-EPROTO, "no symbol 'spawnscope_backend'", "a shared object without the symbol");
	refused("noreap",
		FUNCS "const struct spawn_backend spawnscope_backend = { SPAWN_BACKEND_ABI_INIT, "
		      ".name = \"noreap\", .available = av, .spawn = sp };",
		-EPROTO, "lacks reap()", "a plug-in without reap()");
	refused("badname",
		FUNCS "const struct spawn_backend spawnscope_backend = { SPAWN_BACKEND_ABI_INIT, "
		      ".name = \"a/b\", .available = av, .spawn = sp, .reap = rp };",
		-EPROTO, "has character '/'", "a plug-in named 'a/b'");

	snprintf(junk, sizeof(junk), "%s/libjunk.so", tmp);
	{
		FILE *f = fopen(junk, "w");
		if (f) {
			fputs("not an ELF object\n", f);
			fclose(f);
		}
	}
	rc = backend_load_plugin(junk, &be, why, sizeof(why));
	tap_ok(rc == -ELIBBAD && strstr(why, "cannot load"), "a text file: refused: %s", why);
	rc = backend_load_plugin("/nonexistent/libx.so", &be, why, sizeof(why));
	tap_ok(rc == -ENOENT && strstr(why, "No such file"), "a missing file: -ENOENT: %s", why);
	rc = backend_load_plugin("", &be, why, sizeof(why));
	tap_ok(rc == -EINVAL, "an empty path: -EINVAL: %s", why);
}

int main(void)
{
	const char *b = getenv("SPAWNSCOPE_BUILD");
	const struct spawn_backend *be = NULL;
	char so[4200], why[512] = "";
	int rc;

	if (!b || !*b) {
		fprintf(stderr, "gate_plugin: SPAWNSCOPE_BUILD is not set\n");
		return 2;
	}
	snprintf(build, sizeof(build), "%s", b);
	snprintf(tmp, sizeof(tmp), "/tmp/spawnscope-plugin-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	tap_plan(2 + 5 + 3 + 8);
	snprintf(so, sizeof(so), "plugin:%s/plugins/libexample.so", build);
	rc = backend_load_plugin(so, &be, why, sizeof(why));
	tap_ok(rc == 0 && be && !strcmp(be->name, "example") && backend_find("example") == be,
	       "plugin:libexample.so loads and registers as 'example' (%s)", why);
	tap_ok(be && be->abi == SPAWN_BACKEND_ABI && (be->caps & SPAWN_CAP_SYNC_EXEC_ERROR) &&
		   !(be->caps & SPAWN_CAP_NOEXEC),
	       "example: ABI %u, caps: synchronous exec errors, no noexec", SPAWN_BACKEND_ABI);
	if (rc) {
		for (int i = 0; i < 16; i++)
			tap_skip_test("the example plug-in did not load", "plug-in check %d", i);
		return tap_done();
	}
	test_example(be);
	test_copy_and_delay(so + 7, be);
	test_refusals();
	return tap_done();
}
