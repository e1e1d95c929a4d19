/* The run directory and run.json: created up front, rewritten atomically after every point,
 * so an interrupted run leaves a valid file marked "complete": false. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "experiment.h"
#include "machine.h"
#include "results.h"
#include "rundir.h"

struct results {
	char dir[PATH_MAX];
	json_t *root;
	int write_error; /* -errno of the first failed write: the run stops (results_failed) */
};

/* A run that cannot write its results stops at once, like an interrupt, instead of measuring
 * on into files it cannot keep (the experiments' loops look at g_interrupted). */
static void stop_on_write_error(struct results *r, int rc)
{
	if (!rc || r->write_error)
		return;
	r->write_error = rc;
	g_interrupted = 1;
}

int results_write_error(const struct results *r)
{
	return r->write_error;
}

int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The contents go to an unnamed file (O_TMPFILE) in the target's directory, are synced, then
 * get a temporary name and are renamed over the target: a kill at any point leaves the old
 * file or the new one, and no named temporary file except in the instant between linkat and
 * rename. Without O_TMPFILE (a file system that lacks it), a mkostemp file is used. */
static int open_unnamed(const char *path, char *tmp, size_t len)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd >= 0) {
		tmp[0] = 0;
		return fd;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	if ((size_t)snprintf(tmp, len, "%s.XXXXXX", path) >= len)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Give the unnamed file fd a temporary name next to path (in tmp). 0 or -errno. */
static int name_unnamed(int fd, const char *path, char *tmp, size_t len)
{
	char self[64];
	static unsigned serial;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 100; tries++) {
		if ((size_t)snprintf(tmp, len, "%s.%d-%u", path, (int)getpid(), serial++) >= len)
			return -ENAMETOOLONG;
		if (!linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW))
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int atomic_write(const char *path, int (*fill)(FILE *f, void *arg), void *arg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, rc, fill_rc;
	bool unnamed;

	fd = open_unnamed(path, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	unnamed = !tmp[0];
	f = fdopen(fd, "w");
	if (!f) {
		rc = -errno;
		close(fd);
		if (!unnamed)
			unlink(tmp);
		return rc;
	}
	fill_rc = fill(f, arg);
	/* the flush's errno (ENOSPC, EFBIG, EDQUOT) says more than a fill's generic -EIO */
	rc = fflush(f) ? -errno : fill_rc;
	if (!rc && fsync(fileno(f)))
		rc = -errno;
	/* readable by others like an ordinary file, whatever the umask (mkostemp makes 0600) */
	if (!rc)
		fchmod(fileno(f), 0644);
	if (!rc && unnamed)
		rc = name_unnamed(fileno(f), path, tmp, sizeof(tmp));
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc && tmp[0])
		unlink(tmp);
	return rc;
}

static int default_dir(char *buf, size_t len)
{
	char host[128];
	time_t now = time(NULL);
	struct tm tm;

	if (gethostname(host, sizeof(host)))
		strcpy(host, "host");
	host[sizeof(host) - 1] = 0;
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	gmtime_r(&now, &tm);
	if ((size_t)snprintf(buf, len, "results/%s-%04d%02d%02dT%02d%02d%02dZ", host,
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static const char *probes_mode_name(enum probes_mode m)
{
	return m == PROBES_ON ? "on" : m == PROBES_OFF ? "off" : "auto";
}

int results_open(const struct opts *o, struct results **out)
{
	struct results *r = calloc(1, sizeof(*r));
	char sub[PATH_MAX + 16];
	json_t *cmd, *opt;
	time_t now = time(NULL);
	struct tm tm;
	char when[32];
	int rc;

	if (!r)
		return 1;
	if (o->out) {
		if (strlen(o->out) >= sizeof(r->dir)) {
			fprintf(stderr, "spawnscope: --out: path too long\n");
			free(r);
			return 2;
		}
		strcpy(r->dir, o->out);
	} else if (default_dir(r->dir, sizeof(r->dir))) {
		free(r);
		return 1;
	}
	/* --force: the directory was checked up front (rundir_check); what an earlier run
	 * left there goes now, so its samples cannot mix with this run's */
	rc = o->force ? rundir_clear(r->dir) : 0;
	if (!rc)
		rc = mkdir_p(r->dir);
	if (!rc) {
		snprintf(sub, sizeof(sub), "%s/samples", r->dir);
		rc = mkdir_p(sub);
	}
	if (!rc) {
		snprintf(sub, sizeof(sub), "%s/plots", r->dir);
		rc = mkdir_p(sub);
	}
	if (!rc && access(r->dir, W_OK))
		rc = -errno;
	if (rc) {
		fprintf(stderr, "spawnscope: %s %s: cannot create a writable run directory: %s\n",
			o->out ? "--out" : "results directory", r->dir, strerror(-rc));
		free(r);
		return o->out ? 2 : 1;
	}

	r->root = json_object();
	json_object_set_new(r->root, "schema", json_string(RESULTS_SCHEMA));
	json_object_set_new(r->root, "complete", json_false());
	cmd = json_array();
	json_array_append_new(cmd, json_string("spawnscope"));
	for (int i = 0; i < o->argc; i++)
		json_array_append_new(cmd, json_string(o->argv[i]));
	json_object_set_new(r->root, "command", cmd);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(r->root, "started", json_string(when));
	json_object_set_new(r->root, "seed", json_integer((json_int_t)o->seed));
	opt = json_object();
	json_object_set_new(opt, "probes", json_string(probes_mode_name(o->probes)));
	json_object_set_new(opt, "quick", json_boolean(o->quick));
	json_object_set_new(opt, "cpu", o->cpu >= 0 ? json_integer(o->cpu) : json_null());
	json_object_set_new(r->root, "options", opt);
	json_object_set_new(r->root, "machine", machine_describe());
	json_object_set_new(r->root, "probes", json_object());
	json_object_set_new(r->root, "results", json_array());
	json_object_set_new(r->root, "fits", json_array());
	*out = r;
	if (results_flush(r, false)) {
		results_close(r);
		return 2;
	}
	return 0;
}

const char *results_dir(const struct results *r)
{
	return r->dir;
}

json_t *results_root(struct results *r)
{
	return r->root;
}

json_t *results_add(struct results *r, const char *experiment, const char *backend, json_t *params)
{
	json_t *e = json_object();

	json_object_set_new(e, "experiment", json_string(experiment));
	json_object_set_new(e, "backend", json_string(backend));
	json_object_set_new(e, "params", params ? params : json_object());
	json_object_set_new(e, "metrics", json_object());
	json_array_append_new(json_object_get(r->root, "results"), e);
	return e;
}

/* JSON has no NaN: a value that could not be computed is null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *pair(const double v[2])
{
	return json_pack("[oo]", num(v[0]), num(v[1]));
}

json_t *results_add_fit(struct results *r, const char *experiment, const char *backend,
			const char *metric, const char *x, const char *x_unit, const struct fit *f,
			json_t *extra)
{
	json_t *o = json_object();

	json_object_set_new(o, "experiment", json_string(experiment));
	json_object_set_new(o, "backend", json_string(backend));
	json_object_set_new(o, "metric", json_string(metric));
	json_object_set_new(o, "x", json_string(x));
	json_object_set_new(o, "x_unit", json_string(x_unit));
	json_object_set_new(o, "n", json_integer((json_int_t)f->n));
	json_object_set_new(o, "slope_ns", num(f->slope));
	json_object_set_new(o, "intercept_ns", num(f->intercept));
	json_object_set_new(o, "r2", num(f->r2));
	json_object_set_new(o, "slope_ci95", pair(f->slope_ci95));
	if (extra) {
		json_object_update(o, extra);
		json_decref(extra);
	}
	json_array_append_new(json_object_get(r->root, "fits"), o);
	return o;
}

json_t *json_stats(const struct stats *s, const char *unit)
{
	json_t *o = json_object();

	json_object_set_new(o, "unit", json_string(unit));
	json_object_set_new(o, "n", json_integer((json_int_t)s->n));
	json_object_set_new(o, "min", num(s->min));
	json_object_set_new(o, "p10", num(s->p10));
	json_object_set_new(o, "p50", num(s->p50));
	json_object_set_new(o, "p90", num(s->p90));
	json_object_set_new(o, "p99", num(s->p99));
	json_object_set_new(o, "max", num(s->max));
	json_object_set_new(o, "mean", num(s->mean));
	json_object_set_new(o, "stddev", num(s->stddev));
	json_object_set_new(o, "mad", num(s->mad));
	json_object_set_new(o, "ci95_p50", pair(s->ci95_p50));
	json_object_set_new(o, "ci95_p10", pair(s->ci95_p10));
	return o;
}

json_t *json_stats_of(const double *x, size_t n, const char *unit, uint64_t seed)
{
	struct stats st;

	if (!n || stats_compute(x, n, seed, &st))
		return NULL;
	return json_stats(&st, unit);
}

static int dump_json(FILE *f, void *arg)
{
	errno = 0;
	if (json_dumpf((json_t *)arg, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10)))
		return errno ? -errno : -EIO;
	fputc('\n', f);
	return 0;
}

int results_flush(struct results *r, bool complete)
{
	char path[PATH_MAX + 16];
	int rc;

	json_object_set_new(r->root, "complete", json_boolean(complete));
	snprintf(path, sizeof(path), "%s/run.json", r->dir);
	rc = atomic_write(path, dump_json, r->root);
	if (rc)
		fprintf(stderr, "spawnscope: writing %s: %s\n", path, strerror(-rc));
	stop_on_write_error(r, rc);
	return rc;
}

int write_data_file(const char *dir, const char *relpath, int (*fill)(FILE *f, void *arg),
		    void *arg)
{
	char path[PATH_MAX + 256];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, relpath);
	rc = atomic_write(path, fill, arg);
	if (rc)
		fprintf(stderr, "spawnscope: writing %s: %s\n", path, strerror(-rc));
	return rc;
}

int results_write_file(struct results *r, const char *relpath, int (*fill)(FILE *f, void *arg),
		       void *arg)
{
	int rc = write_data_file(r->dir, relpath, fill, arg);

	stop_on_write_error(r, rc);
	return rc;
}

void results_write_failed(struct results *r, int rc)
{
	stop_on_write_error(r, rc);
}

void results_close(struct results *r)
{
	if (!r)
		return;
	json_decref(r->root);
	free(r);
}
