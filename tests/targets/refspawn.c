/*
 * refspawn: the independent minimal reference scripts/crosscheck.sh compares spawnscope with.
 * A plain libc program, no harness: for N iterations, read CLOCK_MONOTONIC, create a child
 * with MODE (fork + execve, vfork + execve, or posix_spawn without attributes), waitpid, read
 * the clock again; print each round trip in ns, one per line. The child gets this program's
 * environment, as spawnscope's children get the lab's (execve copies it: copy_strings).
 * It idles 250 ms first, as the lab does before each point: a freshly exec'd process starts
 * with the kernel's initial utilisation estimate (post_init_entity_util_avg), and until that
 * decays the fork balancing puts its children on the other CPU (seen here: the first 500
 * forks 175 µs at the median, from the 1,000th on 96 µs).
 * WARMUP more round trips (default 20) are taken first and not printed, as the lab's warm-up.
 * Usage: refspawn fork|vfork|posix_spawn N TARGET [WARMUP]
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	extern char **environ;
	char *cargv[2], **cenvp = environ;
	const long warmup = argc == 5 ? strtol(argv[4], NULL, 10) : 20;
	long n;
	long long *ns;

	if ((argc != 4 && argc != 5) || (n = strtol(argv[2], NULL, 10)) <= 0 || warmup < 0 ||
	    (strcmp(argv[1], "fork") && strcmp(argv[1], "vfork") &&
	     strcmp(argv[1], "posix_spawn"))) {
		fprintf(stderr, "usage: refspawn fork|vfork|posix_spawn N TARGET [WARMUP]\n");
		return 2;
	}
	cargv[0] = argv[3];
	cargv[1] = NULL;
	ns = calloc((size_t)(n + warmup), sizeof(*ns));
	if (!ns)
		return 1;
	usleep(250000);
	for (long i = 0; i < n + warmup; i++) {
		long long t0 = now_ns();
		int status;
		pid_t pid;

		if (argv[1][0] == 'p') {
			int rc = posix_spawn(&pid, argv[3], NULL, NULL, cargv, cenvp);
			if (rc) {
				fprintf(stderr, "refspawn: posix_spawn %s: %s\n", argv[3],
					strerror(rc));
				return 1;
			}
		} else {
			pid = argv[1][0] == 'f' ? fork() : vfork();
			if (pid == 0) {
				execve(argv[3], cargv, cenvp);
				_exit(127);
			}
			if (pid < 0) {
				perror("refspawn: fork");
				return 1;
			}
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "refspawn: %s did not exit 0\n", argv[3]);
			return 1;
		}
		ns[i] = now_ns() - t0;
	}
	for (long i = warmup; i < n + warmup; i++)
		printf("%lld\n", ns[i]);
	free(ns);
	return 0;
}
