/* `spawnscope gate`: options, the output directory, then the paired or the saved mode. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gate.h"
#include "results.h"

/* --out, or results/gate-<YYYYmmddTHHMMSSZ> (like a run directory); created here. */
static int resolve_out(struct gate_opts *g, char *buf, size_t len)
{
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
	if ((rc = mkdir_p(g->out))) {
		fprintf(stderr, "spawnscope gate: --out %s: %s\n", g->out, strerror(-rc));
		return 2;
	}
	return 0;
}

int gate_main(int argc, char **argv)
{
	struct gate_opts g;
	char out[PATH_MAX];
	int rc;

	gate_opts_defaults(&g);
	rc = gate_opts_parse(argc, argv, &g);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!(rc = resolve_out(&g, out, sizeof(out))))
		rc = g.a_argv ? gate_run_paired(&g) : gate_run_saved(&g);
	gate_opts_free(&g);
	return rc;
}
