/* `spawnscope gate`: options, the output directory, then the paired or the saved mode. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "gate.h"
#include "bench/lib/clock.h"
#include "bench/core/results.h"

/* The first component of path that does not exist yet (what mkdir_p will create), copied
 * to buf; "" when path exists. */
static void first_missing(const char *path, char *buf, size_t len)
{
	struct stat st;
	char *slash;

	buf[0] = 0;
	if ((size_t)snprintf(buf, len, "%s", path) >= len || !stat(buf, &st)) {
		buf[0] = 0;
		return;
	}
	for (;;) {
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return;
		*slash = 0;
		if (!stat(buf, &st)) {
			*slash = '/';
			return;
		}
	}
}

/* --out, or results/gate-<YYYYmmddTHHMMSSZ> (like a run directory); created here, after
 * refusing a path that exists and is not a directory (a file, a FIFO). */
static int resolve_out(struct gate_opts *g, char *buf, size_t len, char *created, size_t clen)
{
	struct stat st;
	int rc;

	if (!g->out) {
		time_t t = time(NULL);
		struct tm tm;
		char stamp[32];

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(buf, len, "results/gate-%s", stamp);
		g->out = buf;
	}
	if (!stat(g->out, &st) && !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "spawnscope gate: --out %s: exists and is not a directory\n",
			g->out);
		return 2;
	}
	first_missing(g->out, created, clen);
	if ((rc = mkdir_p(g->out))) {
		fprintf(stderr, "spawnscope gate: --out %s: %s\n", g->out, strerror(-rc));
		return 2;
	}
	return 0;
}

int gate_main(int argc, char **argv)
{
	struct gate_opts g;
	char out[PATH_MAX], created[PATH_MAX] = "";
	int rc;

	gate_opts_defaults(&g);
	rc = gate_opts_parse(argc, argv, &g);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (g.a_argv)
		gate_install_signals(); /* before anything is created or started */
	if (!(rc = resolve_out(&g, out, sizeof(out), created, sizeof(created)))) {
		if (g.a_argv)
			gate_child_deadline = now_s() + g.budget_s;
		rc = g.a_argv ? gate_run_paired(&g) : gate_run_saved(&g);
	}
	/* a refused input leaves nothing behind: remove the directories this gate created
	 * when they are still empty (rmdir refuses otherwise) */
	if (rc == 2 && created[0]) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", g.out);
		while (strlen(dir) >= strlen(created) && !rmdir(dir)) {
			char *slash = strrchr(dir, '/');
			if (!slash)
				break;
			*slash = 0;
		}
	}
	gate_opts_free(&g);
	return rc;
}
