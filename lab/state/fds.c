/* The parent's open fds for the fdtable sweep and the RLIMIT_NOFILE they need. dup_fd copies
 * the table up to the highest open fd (count_open_files) and takes a reference on every
 * open file; exit and exec's do_close_on_exec give them back one by one. */
#include "parent_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int fdset_open(struct fdset *s, size_t n, bool cloexec)
{
	memset(s, 0, sizeof *s);
	if (n == 0)
		return 0;
	s->fds = calloc(n, sizeof *s->fds);
	if (!s->fds) {
		fprintf(stderr, "spawnscope: fdtable: table of %zu fds: %s\n", n, strerror(ENOMEM));
		return -ENOMEM;
	}
	int first = open("/dev/null", O_RDONLY | (cloexec ? O_CLOEXEC : 0));
	if (first < 0) {
		int err = errno;
		fprintf(stderr, "spawnscope: fdtable: open /dev/null: %s\n", strerror(err));
		fdset_close(s);
		return -err;
	}
	s->fds[s->n++] = first;
	while (s->n < n) {
		int fd = fcntl(first, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
		if (fd < 0) {
			int err = errno;
			fprintf(stderr, "spawnscope: fdtable: opening fd %zu of %zu: %s\n",
				s->n + 1, n, strerror(err));
			fdset_close(s);
			return -err;
		}
		s->fds[s->n++] = fd;
	}
	return 0;
}

int fdset_set_cloexec(struct fdset *s, bool cloexec)
{
	for (size_t i = 0; i < s->n; i++)
		if (fcntl(s->fds[i], F_SETFD, cloexec ? FD_CLOEXEC : 0) < 0)
			return -errno;
	return 0;
}

void fdset_close(struct fdset *s)
{
	for (size_t i = 0; i < s->n; i++)
		close(s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->n = 0;
}

/* Entries of /proc/self/fd by getdents64 into a stack buffer: opendir would malloc, and
 * the heap it leaves touched would show up as footprint growth. */
long count_open_fds(void)
{
	char buf[4096];
	long n = 0;
	long r;
	int fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < r;) {
			const struct linux_dirent64 {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (const void *)(buf + off);
			n += d->name[0] != '.';
			off += d->reclen;
		}
	close(fd);
	return r < 0 ? -errno : n - 1; /* the listing's own fd */
}

/* The highest fd number in use + 1 would be more exact, but fds are allocated lowest-first
 * and the driver holds few: open count + want bounds what the sweep needs. */
int nofile_raise(struct nofile_limit *l, size_t want, size_t *room)
{
	memset(l, 0, sizeof *l);
	if (getrlimit(RLIMIT_NOFILE, &l->saved) < 0)
		return -errno;
	long open_now = count_open_fds();
	if (open_now < 0)
		return (int)open_now;
	/* a margin for what the driver and the sampler open meanwhile (stamp pipe, CSVs) */
	rlim_t need = (rlim_t)want + (rlim_t)open_now + 64;
	rlim_t hard = l->saved.rlim_max;
	rlim_t soft = need;
	if (hard != RLIM_INFINITY && soft > hard)
		soft = hard;
	if (soft > l->saved.rlim_cur) {
		struct rlimit nl = {.rlim_cur = soft, .rlim_max = hard};
		if (setrlimit(RLIMIT_NOFILE, &nl) < 0)
			return -errno;
		l->changed = true;
	} else {
		soft = l->saved.rlim_cur;
	}
	rlim_t usable = soft > (rlim_t)open_now + 64 ? soft - (rlim_t)open_now - 64 : 0;
	*room = usable < (rlim_t)want ? (size_t)usable : want;
	return 0;
}

int nofile_restore(struct nofile_limit *l)
{
	if (!l->changed)
		return 0;
	if (setrlimit(RLIMIT_NOFILE, &l->saved) < 0)
		return -errno;
	l->changed = false;
	return 0;
}
