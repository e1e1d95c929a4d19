/*
 * efork_probe: the child of tests/efork_api.c. Runs its arguments as commands, in order,
 * writing lines to fd 1:
 *   fds        "fds N N ..." — the open fds (not the listing's own), ascending
 *   read N     "read N <first line of fd N>"
 *   status     "SigBlk/SigPnd/ShdPnd/Umask ..." lines of /proc/self/status, as "status KEY VALUE"
 *   cwd        "cwd <getcwd>"
 *   nofile     "nofile <soft> <hard>"
 *   ids        "ids <pid> <sid> <pgid>"
 *   exit N     exit with status N
 *   args ...   "args N BYTES": how many arguments follow and their total length (ends the list)
 * Exits 0 after the last command; 100 when a command fails.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "efork_probe: %s: %s\n", what, strerror(errno));
	exit(100);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		fail("/proc/self/fd");
	int fds[1024], n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 1024) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, (size_t)n, sizeof(int), cmp_int);
	printf("fds");
	for (int i = 0; i < n; i++)
		printf(" %d", fds[i]);
	printf("\n");
}

static void read_fd(int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		fail("read");
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("read %d %s\n", fd, buf);
}

static void status_lines(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		fail("/proc/self/status");
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		char key[32], val[128];
		if (sscanf(line, "%31[^:]:%127s", key, val) != 2)
			continue;
		if (!strcmp(key, "SigBlk") || !strcmp(key, "SigPnd") || !strcmp(key, "ShdPnd") ||
		    !strcmp(key, "Umask"))
			printf("status %s %s\n", key, val);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "fds")) {
			list_fds();
		} else if (!strcmp(a, "read") && i + 1 < argc) {
			read_fd(atoi(argv[++i]));
		} else if (!strcmp(a, "status")) {
			status_lines();
		} else if (!strcmp(a, "cwd")) {
			char buf[PATH_MAX];
			if (!getcwd(buf, sizeof(buf)))
				fail("getcwd");
			printf("cwd %s\n", buf);
		} else if (!strcmp(a, "nofile")) {
			struct rlimit rl;
			getrlimit(RLIMIT_NOFILE, &rl);
			printf("nofile %llu %llu\n", (unsigned long long)rl.rlim_cur,
			       (unsigned long long)rl.rlim_max);
		} else if (!strcmp(a, "ids")) {
			printf("ids %d %d %d\n", (int)getpid(), (int)getsid(0), (int)getpgid(0));
		} else if (!strcmp(a, "args")) {
			size_t bytes = 0;
			for (int k = i + 1; k < argc; k++)
				bytes += strlen(argv[k]);
			printf("args %d %zu\n", argc - i - 1, bytes);
			break;
		} else if (!strcmp(a, "exit") && i + 1 < argc) {
			fflush(stdout);
			exit(atoi(argv[++i]));
		} else {
			errno = EINVAL;
			fail(a);
		}
	}
	if (fflush(stdout))
		fail("stdout");
	return 0;
}
