/* --out checks and --force clearing (see rundir.h). */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* What a run writes at the top of its directory (results.c, report.c, the experiments'
 * data files for gnuplot), and the temporary names atomic_write may leave after a kill. */
static bool own_top_file(const char *name)
{
	return !strcmp(name, "run.json") || !strcmp(name, "summary.md") ||
	       starts_with(name, "run.json.") || starts_with(name, "summary.md.") ||
	       ends_with(name, ".csv") || (starts_with(name, "points-") && ends_with(name, ".gp"));
}

static bool own_sub_file(const char *sub, const char *name)
{
	if (!strcmp(sub, "samples"))
		return ends_with(name, ".csv");
	return ends_with(name, ".svg") || ends_with(name, ".png");
}

/* Remove the files of dirfd that own() accepts (regular files only). 0 or -errno. */
static int clear_files(int dirfd, const char *path, const char *sub)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		rc = -errno;
		close(dirfd);
		return rc;
	}
	while ((e = readdir(d))) {
		struct stat st;
		bool own = sub ? own_sub_file(sub, e->d_name) : own_top_file(e->d_name);

		if (!own || fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dirfd, e->d_name, 0) && !rc) {
			rc = -errno;
			fprintf(stderr, "spawnscope: --force: removing %s/%s%s%s: %s\n", path,
				sub ? sub : "", sub ? "/" : "", e->d_name, strerror(errno));
		}
	}
	closedir(d);
	return rc;
}

int rundir_clear(const char *dir)
{
	static const char *const subs[] = {"samples", "plots"};
	int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (top < 0)
		return errno == ENOENT ? 0 : -errno;
	for (size_t i = 0; i < 2; i++) {
		int fd = openat(top, subs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!rc)
			rc = clear_files(fd, dir, subs[i]);
		else
			close(fd);
		unlinkat(top, subs[i], AT_REMOVEDIR); /* only when empty */
	}
	if (!rc)
		rc = clear_files(top, dir, NULL);
	else
		close(top);
	return rc;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

int rundir_check(const struct opts *o)
{
	struct stat st;

	if (!o->out)
		return 0;
	if (!o->out[0]) {
		fprintf(stderr, "spawnscope: --out: bad value '': an empty path\n");
		return 2;
	}
	if (stat(o->out, &st)) {
		if (errno == ENOENT)
			return 0; /* created by results_open, with its parents */
		fprintf(stderr,
			"spawnscope: --out %s: cannot create a writable run directory: %s\n",
			o->out, strerror(errno));
		return 2;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "spawnscope: --out %s: exists and is not a directory\n", o->out);
		return 2;
	}
	if (access(o->out, W_OK | X_OK)) {
		fprintf(stderr, "spawnscope: --out %s: cannot write there: %s\n", o->out,
			strerror(errno));
		return 2;
	}
	if (!o->force && !dir_is_empty(o->out)) {
		fprintf(
		    stderr,
		    "spawnscope: --out %s: not empty (a previous run?); give another directory, "
		    "or --force to remove the earlier run's files there\n",
		    o->out);
		return 2;
	}
	return 0;
}
