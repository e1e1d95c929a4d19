/* Signal dispositions (see signals.h). Everything reached from a handler is a raw system
 * call: no stdio, no malloc. */
#include "signals.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

volatile int32_t *volatile g_lab_stop;
volatile pid_t g_lab_pgrp;

static volatile sig_atomic_t *stop_flag;
static volatile sig_atomic_t signals_seen;

static void say(const char *msg)
{
	ssize_t r = write(STDERR_FILENO, msg, strlen(msg));
	(void)r;
}

static int spared(long pid, const volatile int32_t *spare, int n_spare)
{
	for (int i = 0; i < n_spare; i++)
		if (spare[i] == pid)
			return 1;
	return 0;
}

int signals_kill_listed(const char *path, const volatile int32_t *spare, int n_spare)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t len;
	long pid = 0;

	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (ssize_t i = 0; i < len; i++) {
		if (buf[i] >= '0' && buf[i] <= '9') {
			pid = pid * 10 + (buf[i] - '0');
		} else if (pid) {
			n += !spared(pid, spare, n_spare) && kill((pid_t)pid, SIGKILL) == 0;
			pid = 0;
		}
	}
	if (pid)
		n += !spared(pid, spare, n_spare) && kill((pid_t)pid, SIGKILL) == 0;
	return n;
}

int signals_kill_children(void)
{
	char dents[4096], path[64];
	int dir = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	long got;

	if (dir < 0)
		return 0;
	while ((got = syscall(SYS_getdents64, dir, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(dents + off);
			size_t plen = strlen("/proc/self/task/");

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
			    plen + strlen(d->d_name) + strlen("/children") >= sizeof(path))
				continue;
			memcpy(path, "/proc/self/task/", plen);
			strcpy(path + plen, d->d_name);
			strcat(path, "/children");
			n += signals_kill_listed(path, NULL, 0);
		}
	}
	close(dir);
	return n;
}

static void on_alarm(int sig)
{
	(void)sig;
	say("spawnscope: could not finish writing in time after the second signal; exiting\n");
	_exit(130);
}

static void on_stop(int sig)
{
	(void)sig;
	signals_seen++;
	*stop_flag = signals_seen; /* 2 or more: stop waiting politely */
	if (g_lab_stop)
		*g_lab_stop = 1; /* the lab finishes the sample in flight and returns */
	if (signals_seen == 2) {
		struct sigaction sa;

		say("spawnscope: second signal: killing every child process, writing what "
		    "finished\n");
		if (g_lab_pgrp > 0) /* the lab and its children, in its own process group */
			kill(-g_lab_pgrp, SIGKILL);
		signals_kill_children();
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		alarm(SIGNALS_GRACE_S);
	} else if (signals_seen > 2) {
		if (g_lab_pgrp > 0)
			kill(-g_lab_pgrp, SIGKILL);
		signals_kill_children();
		_exit(130);
	}
}

static void on_ignored(int sig)
{
	(void)sig; /* the write that raised it fails with EPIPE / EFBIG and says so */
}

void signals_install_write_errors(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ignored;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGXFSZ, &sa, NULL);
}

void signals_install(volatile sig_atomic_t *flag)
{
	struct sigaction sa;

	stop_flag = flag;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: blocking waits return EINTR and re-check */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signals_install_write_errors();
}
