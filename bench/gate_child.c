/* The gate's child commands (one spawnscope run per block): spawn, wait, interrupt. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"

extern char **environ;

volatile sig_atomic_t gate_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	gate_interrupted = 1;
}

void gate_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waitpid returns EINTR and we look */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The child gets SIGTERM (a Ctrl-C on the terminal has reached it already: same process
 * group), a few seconds to write its partial run, then SIGKILL. Always reaps. */
static void stop_child(pid_t pid, int *status)
{
	const struct timespec tick = {0, 50 * 1000 * 1000};

	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

int gate_run_child(char *const *argv, const char *errpath, int *status)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int errfd, rc;

	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (errfd < 0)
		return -errno;
	if ((rc = posix_spawn_file_actions_init(&fa))) {
		close(errfd);
		return -rc;
	}
	if (!(rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) &&
	    !(rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)))
		rc = posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	/* The gate's own handlers are reset in the child by posix_spawn (caught -> SIG_DFL). */
	if (!rc)
		rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(errfd);
	if (rc)
		return -rc;
	for (;;) {
		pid_t r = waitpid(pid, status, 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (gate_interrupted) {
			stop_child(pid, status);
			return -EINTR;
		}
	}
	return gate_interrupted ? -EINTR : 0;
}

void gate_print_tail(const char *path, int lines)
{
	char buf[8192];
	FILE *f = fopen(path, "re");
	size_t n;
	long size;
	int seen = 0;
	char *start;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size > (long)sizeof(buf) - 1)
		fseek(f, size - (long)sizeof(buf) + 1, SEEK_SET);
	else
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	start = buf;
	for (size_t i = n; i-- > 0;)
		if (buf[i] == '\n' && ++seen == lines) {
			start = buf + i + 1;
			break;
		}
	for (char *line = strtok(start, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(stderr, "  | %s\n", line);
}
