/* Directories of the gate: its output directory and the per-block run directories. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gate.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) ? -errno : 0;
	return unlink(path) ? -errno : 0;
}

int gate_rmtree(const char *path)
{
	/* FTW_PHYS: a symlink is removed, never followed; FTW_DEPTH: children first */
	int rc = nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);

	if (rc == -1)
		return errno == ENOENT ? 0 : -errno;
	return rc;
}
