/* subreaper [-s SIG -a MS] GRACE_MS CMD ARGS...: run CMD as a child subreaper
 * (PR_SET_CHILD_SUBREAPER), optionally send it SIG MS milliseconds after it started, wait
 * for it, then wait up to GRACE_MS for everything it left behind: what CMD's processes
 * orphaned is reparented here (kernel/exit.c:find_new_reaper), so a leftover worker or
 * target cannot escape the check. Prints "orphan PID COMM" for each one still alive after
 * GRACE_MS, kills and reaps it, and exits 99; otherwise exits with CMD's status (128+N for
 * a signal N). For the fault tests. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Children of this (single-threaded) process that are not zombies. */
static int live_children(pid_t *out, int cap)
{
	char path[64], buf[8192];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (n < cap && fscanf(f, "%d", &out[n]) == 1) {
		char stat[64], st = '?';
		FILE *s;
		snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)out[n]);
		if ((s = fopen(stat, "re"))) {
			if (fgets(buf, sizeof(buf), s)) {
				char *rp = strrchr(buf, ')');
				if (rp && rp[1])
					st = rp[2];
			}
			fclose(s);
		}
		if (st != 'Z' && st != 'X')
			n++;
	}
	fclose(f);
	return n;
}

static void comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	buf[0] = 0;
	if ((f = fopen(path, "re"))) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	int sig = 0, opt, status = 0, orphans = 0;
	long after_ms = 0, grace_ms, t0;
	pid_t child, left[256];

	while ((opt = getopt(argc, argv, "+s:a:")) != -1) {
		if (opt == 's')
			sig = atoi(optarg);
		else if (opt == 'a')
			after_ms = atol(optarg);
		else
			return 2;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: subreaper [-s SIG -a MS] GRACE_MS CMD ARGS...\n");
		return 2;
	}
	grace_ms = atol(argv[optind++]);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		perror("subreaper: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	t0 = now_ms();
	child = fork();
	if (child < 0) {
		perror("subreaper: fork");
		return 2;
	}
	if (child == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "subreaper: exec %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(child, &status, sig ? WNOHANG : 0);
		if (r == child)
			break;
		if (r < 0 && errno != EINTR) {
			perror("subreaper: waitpid");
			return 2;
		}
		if (sig && now_ms() - t0 >= after_ms) {
			kill(child, sig);
			sig = 0;
		} else if (sig) {
			usleep(2000);
		}
	}
	/* what the command left: reap the zombies, wait for the living */
	for (long end = now_ms() + grace_ms;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!live_children(left, 256) || now_ms() >= end)
			break;
		usleep(20000);
	}
	orphans = live_children(left, 256);
	for (int i = 0; i < orphans; i++) {
		char comm[64];
		comm_of(left[i], comm, sizeof(comm));
		fprintf(stderr, "orphan %d %s\n", (int)left[i], comm);
		kill(left[i], SIGKILL);
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	if (orphans)
		return 99;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
