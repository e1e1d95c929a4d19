/* Translating a pid of this process's PID namespace to the initial namespace's (pidns.h). */
#include "pidns.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ns_inode(const char *path, ino_t *ino)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*ino = st.st_ino;
	return 0;
}

bool pidns_is_initial(void)
{
	ino_t ino = 0;

	return ns_inode("/proc/self/ns/pid", &ino) || ino == PROC_PID_INIT_INO;
}

/* The last NSpid field of /proc/<dir>/status (the pid in the process's own namespace), or
 * -1. */
static long innermost_pid(const char *dir)
{
	char path[288], line[256];
	long last = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6)) {
			char *p = line + 6, *end;

			for (long v; (v = strtol(p, &end, 10)), end != p; p = end)
				last = v;
			break;
		}
	fclose(f);
	return last;
}

/* include/linux/sched.h */
#define PF_KTHREAD 0x00200000u

/* Whether /proc/2 (kthreadd, created right after init) is a kernel thread: kernel threads
 * exist in the initial PID namespace only, so this /proc is that namespace's view. */
static bool shows_kernel_threads(void)
{
	char buf[512], *p;
	unsigned long flags = 0;
	size_t n;
	FILE *f = fopen("/proc/2/stat", "re");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* after comm, which may hold spaces */
	/* state ppid pgrp session tty_nr tpgid flags (proc(5)) */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & PF_KTHREAD;
}

int pidns_global_pid(pid_t pid, pid_t *global, char *why, size_t len)
{
	ino_t own = 0, ino = 0;
	DIR *d;
	struct dirent *e;
	int err;

	*global = pid;
	if (pidns_is_initial())
		return 0;
	if ((err = ns_inode("/proc/self/ns/pid", &own)))
		return err;
	/* /proc shows the pids of the namespace it was mounted for (proc_pid_lookup): only the
	 * initial namespace's view shows kernel threads */
	if (!shows_kernel_threads()) {
		snprintf(why, len,
			 "runs in a PID namespace (inode %llu) and /proc shows that namespace, not "
			 "the initial one: the pid the kernel sees for %d is unknown (use the "
			 "initial namespace's /proc)",
			 (unsigned long long)own, (int)pid);
		return -EOPNOTSUPP;
	}
	d = opendir("/proc");
	if (!d) {
		err = -errno;
		snprintf(why, len, "opendir /proc: %s", strerror(errno));
		return err;
	}
	while ((e = readdir(d))) {
		char path[288];

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", e->d_name);
		if (ns_inode(path, &ino) || ino != own || innermost_pid(e->d_name) != pid)
			continue;
		*global = (pid_t)atol(e->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	snprintf(why, len, "pid %d of PID namespace inode %llu not found under /proc", (int)pid,
		 (unsigned long long)own);
	return -ESRCH;
}
