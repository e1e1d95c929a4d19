/* The gate's child commands (one spawnscope run per block): spawn, wait, interrupt. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "bench/lib/clock.h"
#include "bench/lib/stop.h"
#include "bench/core/signals.h"

void gate_install_signals(void)
{
	signals_install(&g_interrupted);
}

/* The block command runs in a process group of its own, so that what it started (a shell's
 * children, a hung target) is stopped with it: the group gets SIGTERM, a few seconds to write
 * its partial run (none after a second signal), then SIGKILL; the command is always reaped
 * and whatever is left of its group killed. */
static void stop_child(pid_t pid, int *status)
{
	const struct timespec tick = {0, 50 * 1000 * 1000};

	kill(-pid, SIGTERM);
	for (int i = 0; i < 100 && g_interrupted < 2; i++) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR)) {
			kill(-pid, SIGKILL);
			return;
		}
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

double gate_child_deadline;

/* The block command, between fork and exec: in a process group of its own (stop_child), dies
 * with the gate (a SIGKILLed gate would otherwise leave it measuring, and its own workers,
 * for as long as it likes), stdin and
 * stdout on /dev/null, stderr to errfd, the gate's caught handlers back to default (exec
 * does that: flush_signal_handlers). Exits 127 when it cannot. */
static void child_exec(char *const *argv, int errfd, int report_fd, pid_t gate)
{
	int null_in = open("/dev/null", O_RDONLY), null_out = open("/dev/null", O_WRONLY);
	int err;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != gate)
		_exit(127); /* the gate is already gone */
	setpgid(0, 0);
	if (null_in < 0 || null_out < 0 || dup2(null_in, 0) < 0 || dup2(null_out, 1) < 0 ||
	    dup2(errfd, 2) < 0)
		_exit(127);
	execvp(argv[0], argv);
	err = errno; /* to the gate through the close-on-exec pipe: "cannot run" */
	if (write(report_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

int gate_run_child(char *const *argv, const char *errpath, int *status)
{
	pid_t gate = getpid(), pid;
	int errfd, pidfd, report[2], exec_err = 0;

	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (errfd < 0)
		return -errno;
	if (pipe2(report, O_CLOEXEC)) {
		int err = errno;
		close(errfd);
		return -err;
	}
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(errfd);
		close(report[0]);
		close(report[1]);
		return -err;
	}
	if (pid == 0)
		child_exec(argv, errfd, report[1], gate);
	setpgid(pid, pid); /* also here: stop_child may run before the child gets to it */
	close(errfd);
	close(report[1]);
	/* EOF at exec (close-on-exec), or the errno of a failed exec */
	while (read(report[0], &exec_err, sizeof(exec_err)) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (exec_err) {
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
		return -exec_err;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		double left = gate_child_deadline > 0 ? gate_child_deadline - now_s() : 1.0;
		pid_t r;

		if (g_interrupted) {
			stop_child(pid, status);
			if (pidfd >= 0)
				close(pidfd);
			return -EINTR;
		}
		if (left <= 0) {
			fprintf(stderr,
				"spawnscope gate: --budget spent while '%s' was still running: "
				"stopped it\n",
				argv[0]);
			stop_child(pid, status);
			break;
		}
		/* without a pidfd (kernel < 5.3), look every 50 ms */
		if (pidfd >= 0)
			poll(&p, 1, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
		else
			nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			int err = errno;
			if (pidfd >= 0)
				close(pidfd);
			return -err;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return g_interrupted ? -EINTR : 0;
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
