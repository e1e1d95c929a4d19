/* SPDX-License-Identifier: MIT */
/*
 * spawnscope backend interface: one table of interchangeable ways to create a process.
 *
 * This header is the public, versioned plug-in ABI as well: a shared object loaded with
 * `--backends plugin:./libfoo.so` exports
 *
 *     const struct spawn_backend spawnscope_backend = { SPAWN_BACKEND_ABI_INIT, ... };
 *
 * and is refused when its `abi` differs from SPAWN_BACKEND_ABI. Only plain C types cross it.
 *
 * A backend knows how to create, start and reap a child; nothing else (no timing, no I/O
 * of its own, no allocation that outlives the child). All functions return 0 or -errno:
 * they never rely on the caller's errno.
 */
#ifndef SPAWNSCOPE_BACKEND_H
#define SPAWNSCOPE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump on any change to the structs below that is not an append at the end. */
#define SPAWN_BACKEND_ABI 1u

/* File actions applied in the child, in array order, before exec. */
enum spawn_fd_op_kind {
	SPAWN_FD_DUP2 = 1,   /* dup2(fd, newfd); fd == newfd clears FD_CLOEXEC (POSIX 2024) */
	SPAWN_FD_CLOSE,	     /* close(fd); closing an fd that is not open is not an error */
	SPAWN_FD_OPEN,	     /* open(path, oflag, mode) and place the result at fd */
	SPAWN_FD_CLOSE_FROM, /* close every fd >= fd (close_range) */
};

struct spawn_fd_op {
	int kind;	  /* enum spawn_fd_op_kind */
	int fd;		  /* DUP2: source; CLOSE: the fd; OPEN: target number; CLOSE_FROM: lowest */
	int newfd;	  /* DUP2: target number */
	const char *path; /* OPEN */
	int oflag;	  /* OPEN */
	unsigned mode;	  /* OPEN */
};

/* What a variable-weight backend (SPAWN_CAP_HONOURS_SHARE) shares with the parent. */
enum spawn_share {
	SHARE_VM = 1u << 0,	 /* CLONE_VM: no dup_mmap / copy_page_range */
	SHARE_FILES = 1u << 1,	 /* CLONE_FILES: no dup_fd; exec unshares (unshare_files) */
	SHARE_FS = 1u << 2,	 /* CLONE_FS */
	SHARE_SIGHAND = 1u << 3, /* CLONE_SIGHAND (kernel requires CLONE_VM with it) */
	SHARE_IO = 1u << 4,	 /* CLONE_IO */
	SHARE_VFORK = 1u << 5,	 /* CLONE_VFORK: parent sleeps until the child execs or exits */
};
/* What glibc's posix_spawn shares: clone(CLONE_VM|CLONE_VFORK) (sysdeps/unix/sysv/linux/spawni.c)
 */
#define SHARE_DEFAULT (SHARE_VM | SHARE_VFORK)

struct spawn_req {
	const char *path;  /* program to exec (exec mode) */
	char *const *argv; /* NULL-terminated */
	char *const *envp; /* NULL-terminated */
	const struct spawn_fd_op *fd_ops;
	size_t n_fd_ops;
	unsigned share; /* enum spawn_share bits; 0 means the backend's default */
	bool exec;	/* false ("noexec"): the child stamps (if stamp_fd >= 0) and _exit(0)s */
	int stamp_fd;	/* noexec: a CLOCK_MONOTONIC stamp is written here first thing */
	unsigned flags; /* enum spawn_req_flags (appended in ABI 1: zero-initialised callers
			 * and older plug-ins keep the careful default) */
};

enum spawn_req_flags {
	/* The caller catches no signal (every disposition is SIG_DFL or SIG_IGN) while it
	 * spawns, so a child sharing its memory has no parent's handler to reset before exec:
	 * the 60-signal rt_sigaction walk of a CLONE_VM child is skipped. The lab sets it (it
	 * installs no handler); a library that cannot know leaves it clear. */
	SPAWN_REQ_NO_CAUGHT_SIGNALS = 1u << 0,
};

struct spawn_child {
	pid_t pid;
	int pidfd;	   /* -1 when the backend has none */
	uintptr_t priv[4]; /* backend scratch (stack pointer, error slot, ...) */
};

enum spawn_caps {
	SPAWN_CAP_NOEXEC = 1u << 0,	     /* supports req.exec == false */
	SPAWN_CAP_PIDFD = 1u << 1,	     /* fills spawn_child.pidfd */
	SPAWN_CAP_HONOURS_SHARE = 1u << 2,   /* req.share changes what is shared */
	SPAWN_CAP_SYNC_EXEC_ERROR = 1u << 3, /* exec failure comes back from spawn(); else reap() */
	SPAWN_CAP_BLANK_FDS = 1u << 4,	     /* child sees only the fds that fd_ops install */
};

struct spawn_backend {
	uint32_t abi;  /* SPAWN_BACKEND_ABI */
	uint32_t size; /* sizeof(struct spawn_backend) as the plug-in saw it */
	const char *name;
	const char *summary;
	unsigned caps; /* enum spawn_caps */
	/* Try the primitive (never guess from versions). 0: usable; -errno: not, reason in why. */
	int (*available)(char *why, size_t len);
	/* Create and start a child for req. 0 and *child filled, or -errno and no child remains.
	 * With SPAWN_CAP_SYNC_EXEC_ERROR an exec failure is returned here (child already reaped).
	 */
	int (*spawn)(const struct spawn_req *req, struct spawn_child *child);
	/* Wait for the child, store its wait status, release everything spawn() took (pidfd,
	 * stack, error slot). Always reaps. 0, or -errno of a failed exec (then *status is the
	 * child's raw status), or -errno of the wait itself. */
	int (*reap)(struct spawn_child *child, int *status);
};

#define SPAWN_BACKEND_ABI_INIT .abi = SPAWN_BACKEND_ABI, .size = sizeof(struct spawn_backend)

/* Name of the symbol a plug-in exports. */
#define SPAWN_PLUGIN_SYMBOL "spawnscope_backend"

#ifdef __cplusplus
}
#endif
#endif
