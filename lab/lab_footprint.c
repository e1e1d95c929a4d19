/* The lab's footprint: what a fork of it copies besides the configured state. Read with
 * fixed buffers (no allocation), so reading it does not change it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/state/parent_state.h"
#include "lab.h"

/* Lines of a /proc file, counted in chunks (maps of 65,536 VMAs is megabytes). */
static int64_t count_lines(const char *path)
{
	char buf[8192];
	int64_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < r; i++)
			n += buf[i] == '\n';
	close(fd);
	return r < 0 ? -errno : n;
}

int lab_footprint_read(struct lab_footprint *fp)
{
	int64_t kb = proc_status_field(0, "RssAnon");

	fp->rss_anon_bytes = kb < 0 ? kb : kb * 1024;
	fp->threads = proc_status_field(0, "Threads");
	fp->vmas = count_lines("/proc/self/maps");
	fp->fds = count_open_fds();
	return fp->rss_anon_bytes < 0 ? (int)fp->rss_anon_bytes : 0;
}
