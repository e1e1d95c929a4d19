/*
 * childprobe: the conformance test's child. Runs its arguments as commands, in order,
 * writing to fd 1:
 *   args      every argv element as "A<text>\0", then every environ entry as "E<text>\0"
 *   fds       one line "N <readlink /proc/self/fd/N>" per open fd (not the listing's own)
 *   sig       the SigBlk, SigIgn and SigCgt lines of /proc/self/status
 *   exit N    exit with status N
 *   kill N    send itself signal N
 * Exits 0 after the last command; 100 when a command fails (message on fd 2 if open).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void fail(const char *what)
{
	fprintf(stderr, "childprobe: %s: %s\n", what, strerror(errno));
	exit(100);
}

static void put(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(1, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail("write to fd 1");
		}
		s += w;
		n -= (size_t)w;
	}
}

static void echo_args(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		put("A", 1);
		put(argv[i], strlen(argv[i]) + 1);
	}
	for (char **e = environ; *e; e++) {
		put("E", 1);
		put(*e, strlen(*e) + 1);
	}
}

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char line[PATH_MAX + 64], link[PATH_MAX], path[64];
	if (!d)
		fail("/proc/self/fd");
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			n = 0;
		link[n] = '\0';
		int len = snprintf(line, sizeof(line), "%d %s\n", fd, link);
		put(line, (size_t)len);
	}
	closedir(d);
}

static void signal_lines(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	if (!f)
		fail("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7) ||
		    !strncmp(line, "SigCgt:", 7))
			put(line, strlen(line));
	fclose(f);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "args")) {
			echo_args(argc, argv);
			break; /* the remaining arguments are data */
		} else if (!strcmp(argv[i], "fds")) {
			list_fds();
		} else if (!strcmp(argv[i], "sig")) {
			signal_lines();
		} else if (!strcmp(argv[i], "exit") && i + 1 < argc) {
			exit(atoi(argv[++i]));
		} else if (!strcmp(argv[i], "kill") && i + 1 < argc) {
			kill(getpid(), atoi(argv[++i]));
			errno = 0;
			fail("still alive after kill");
		} else {
			errno = EINVAL;
			fail(argv[i]);
		}
	}
	return 0;
}
