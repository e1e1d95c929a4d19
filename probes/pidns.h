/* The pid the BPF programs see (the initial PID namespace's) for a pid of ours. */
#ifndef SPAWNSCOPE_PIDNS_H
#define SPAWNSCOPE_PIDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* include/linux/proc_ns.h: the inode number of the initial PID namespace. */
#define PROC_PID_INIT_INO 0xEFFFFFFCu

/* Whether this process runs in the initial PID namespace (true when /proc cannot tell). */
bool pidns_is_initial(void);

/* *global = pid as the kernel's BPF helpers see it (task->pid in the initial namespace).
 * In the initial namespace that is pid itself; in another one, it is found through a /proc
 * that shows the initial namespace (NSpid of /proc/N/status, N in the same namespace as we).
 * 0, or -errno with the reason in why (e.g. /proc shows only our own namespace). */
int pidns_global_pid(pid_t pid, pid_t *global, char *why, size_t len);

#endif
