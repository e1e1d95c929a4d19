/* Small helpers the built-in backends share (parent side only). */
#ifndef SPAWNSCOPE_SPAWN_UTIL_H
#define SPAWNSCOPE_SPAWN_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "backend.h"

/* waitpid(pid, status, 0), retried on EINTR. 0 or -errno. */
int spawn_wait_pid(pid_t pid, int *status);

/* The siginfo waitid() gives for a dead child -> the wait status waitpid would have given
 * (0 for stopped/continued, which the callers do not ask for). */
int wait_status_from_siginfo(const siginfo_t *info);

/* available() for a backend with SPAWN_CAP_NOEXEC: spawn a noexec child through be and reap
 * it. 0 when it exited 0; else -errno with "what: reason" in why. */
int spawn_try_noexec(const struct spawn_backend *be, const char *what, char *why, size_t len);

/* For backends without SPAWN_CAP_HONOURS_SHARE: req itself when req->share is 0, else *copy
 * with share cleared (child_run unshares the fd table for SHARE_FILES requests). */
const struct spawn_req *spawn_req_unshared(const struct spawn_req *req, struct spawn_req *copy);

#endif
