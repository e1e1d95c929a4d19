/* Leak checks for the C tests: how many entries a /proc directory has. Header-only. */
#ifndef SPAWNSCOPE_PROC_COUNT_H
#define SPAWNSCOPE_PROC_COUNT_H

#include <dirent.h>

/* Entries of path other than "." and ".."; -1 if it cannot be listed. */
static inline int count_dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Open fds of this process, not counting the listing's own. -1 on error. */
static inline int count_fds(void)
{
	int n = count_dir_entries("/proc/self/fd");
	return n < 0 ? -1 : n - 1;
}

#endif
