/* One field of /proc/PID/status (parent_state.h), read into a stack buffer: nothing is
 * allocated, so the lab can read its own footprint without changing it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent_state.h"

int64_t proc_status_field(pid_t pid, const char *key)
{
	char path[64], buf[4096];
	size_t klen = strlen(key);
	ssize_t r;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return r < 0 ? -errno : -ENODATA;
	buf[r] = 0;
	for (char *line = buf; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return strtoll(line + klen + 1, NULL, 10);
	return -ENOENT;
}
