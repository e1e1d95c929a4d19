/* bench/report/report_plot.c's plot_vars_check: a variables file the gnuplot scripts load
 * holds only comments and NAME = literal lines; anything else (a command gnuplot would run)
 * is refused with its line number. plot_quote's output always passes. */
#include "tap.h"
#include "bench/report/report_plot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/unit_plot_vars.XXXXXX";

static int check_text(const char *text, char *why, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	why[0] = 0;
	return plot_vars_check(path, why, len);
}

int main(void)
{
	char why[160];
	int fd = mkstemp(path), rc;

	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	tap_plan(6);

	rc = check_text("# written by spawnscope\npt_n_main = 12\npt_lo = 1.5e-3\n"
			"pt_ref = 'fork-exec'\npt_kind = \"anon\"\narray a[2] = [1, 'x']\n",
			why, sizeof why);
	tap_ok(rc == 0, "comments, numbers, quoted strings and arrays pass (rc %d: %s)", rc, why);

	rc = check_text("pt_n_main = 3\npt_ref = \"x\"; system(\"touch /tmp/x\")\n", why,
			sizeof why);
	tap_ok(rc == -EPERM && strstr(why, "line 2"), "a command after a value is refused (%s)",
	       why);
	rc = check_text("pt_ref = \"`touch /tmp/x`\"\n", why, sizeof why);
	tap_ok(rc == -EPERM, "a backquote in double quotes is refused (rc %d)", rc);
	rc = check_text("system('touch /tmp/x')\n", why, sizeof why);
	tap_ok(rc == -EPERM && strstr(why, "line 1"), "a bare command is refused (%s)", why);

	/* what plot_quote writes for a hostile name passes and stays one literal */
	FILE *f = fopen(path, "w");
	fputs("pt_backends = ", f);
	plot_quote(f, "v'; system('touch /tmp/x'); '\"`touch /tmp/x`");
	fputc('\n', f);
	fclose(f);
	rc = plot_vars_check(path, why, sizeof why);
	tap_ok(rc == 0, "plot_quote of a hostile name is a literal the check accepts (rc %d)", rc);

	unlink(path);
	rc = plot_vars_check(path, why, sizeof why);
	tap_ok(rc == 0, "an absent file is not an error (rc %d)", rc);
	return tap_done();
}
