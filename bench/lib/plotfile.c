/* Completeness of a written plot (see plotfile.h). */
#include "plotfile.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The last chunk of every PNG: length 0, type IEND, its CRC (PNG spec, 5.6). */
static const unsigned char png_end[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

int plotfile_check(const char *path, char *why, size_t len)
{
	unsigned char tail[64];
	struct stat st;
	ssize_t got;
	size_t want;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		snprintf(why, len, "%s: empty or not a regular file", path);
		close(fd);
		return -1;
	}
	want = (size_t)st.st_size < sizeof(tail) ? (size_t)st.st_size : sizeof(tail);
	got = pread(fd, tail, want, st.st_size - (off_t)want);
	close(fd);
	if (got != (ssize_t)want) {
		snprintf(why, len, "%s: cannot read its end", path);
		return -1;
	}
	if (has_suffix(path, ".png")) {
		if (want >= sizeof(png_end) &&
		    !memcmp(tail + want - sizeof(png_end), png_end, sizeof(png_end)))
			return 0;
	} else if (has_suffix(path, ".svg")) {
		while (want && (tail[want - 1] == '\n' || tail[want - 1] == ' ' ||
				tail[want - 1] == '\r' || tail[want - 1] == '\t'))
			want--;
		if (want >= 6 && !memcmp(tail + want - 6, "</svg>", 6))
			return 0;
	} else {
		return 0;
	}
	snprintf(why, len, "%s is truncated (%lld bytes; a full disk?)", path,
		 (long long)st.st_size);
	return -1;
}
