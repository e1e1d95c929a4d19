/*
 * efork set-up commands: their encoding and how a child applies them.
 *
 * Shared by both efork strategies: the embryo (a CLONE_VM child of the caller, impls/
 * impls/efork/embryo.c) and the efork_blank helper (a static libc-free program, impls/efork/blank.c here).
 * Everything below uses raw system calls only (impls/rawsys.h): no libc, no errno, no TLS.
 * Results are 0 or -errno.
 *
 * The child holds one or two "channel" fds of its own (an AF_UNIX socket the parent sends
 * fds and, for the helper, commands through). They are close-on-exec and hidden from set-up:
 * a command aimed at a channel number first moves the channel elsewhere, close_range skips it,
 * and close() of it reports EBADF as for any fd the parent never installed.
 */
#ifndef SPAWNSCOPE_EFORK_PROTO_H
#define SPAWNSCOPE_EFORK_PROTO_H

#include <fcntl.h>
#include <linux/close_range.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "../rawsys.h"

enum efork_op {
	EOP_DUP2 = 1,	 /* the fd that came with the command -> fd */
	EOP_CLOSE,	 /* close(fd) */
	EOP_CLOSE_RANGE, /* close_range(fd, hi, 0) */
	EOP_OPEN,	 /* open(path, oflag, mode) -> fd */
	EOP_CHDIR,	 /* chdir(path) */
	EOP_RLIMIT,	 /* prlimit64(0, fd, {cur, max}) */
	EOP_SETSID,	 /* setsid() */
	EOP_SETPGID,	 /* setpgid(0, fd) */
	EOP_UMASK,	 /* umask(mode) */
	EOP_SYNC, /* helper only: reply with the outcome of the commands since the last reply */
	EOP_EXEC, /* set the start mask (cur) and execve; helper: payload path, argv, envp */
};

/* The helper answers a command carrying this flag (and every EOP_SYNC). */
#define EWIRE_REPLY 1u

/* One command. On the helper's socket this struct is the message header (the path pointer is
 * not used there), followed by plen payload bytes in the same or following messages. */
struct ecmd {
	uint32_t op;
	uint32_t flags;
	int32_t fd;  /* target / lowest / resource / pgid, see enum efork_op */
	uint32_t hi; /* EOP_CLOSE_RANGE: highest fd */
	int32_t oflag;
	uint32_t mode;
	uint64_t cur; /* EOP_RLIMIT: soft limit; EOP_EXEC: the start signal mask (kernel sigset) */
	uint64_t max; /* EOP_RLIMIT: hard limit */
	uint32_t
	    plen; /* payload bytes: a NUL-terminated path; EOP_EXEC: path, argv, envp strings */
	uint32_t argc, envc;
	uint32_t pad;
	const char *path; /* where the child finds the path (embryo: the shared arena) */
};

/* The helper's answer. failed_at: index of the failed command among those since the previous
 * reply (== their count when everything succeeded); err: 0 or -errno. */
struct ereply {
	int32_t err;
	uint32_t failed_at;
};

/* Largest message on the helper's socket (SOCK_SEQPACKET keeps boundaries; a longer exec
 * payload follows in several messages of at most this size). */
#define EWIRE_CHUNK 65536u

/* The kernel's sigset is 64 bits on x86-64 and aarch64 (_NSIG 64). */
#define EFORK_KSIGSET 8
static const uint64_t efork_all_signals = ~(uint64_t)0;

static inline long eraw_close(int fd)
{
	return raw_syscall1(SYS_close, fd);
}

/* Move channel fd *ch away from number target (F_DUPFD_CLOEXEC finds the lowest free number,
 * which cannot be target since *ch occupies it). */
static inline long echan_evade(int *ch, int target)
{
	if (*ch != target)
		return 0;
	long n = raw_syscall3(SYS_fcntl, *ch, F_DUPFD_CLOEXEC, 0);
	if (n < 0)
		return n;
	eraw_close(*ch);
	*ch = (int)n;
	return 0;
}

static inline long echans_evade(int *chans, int nchan, int target)
{
	for (int i = 0; i < nchan; i++) {
		long r = echan_evade(&chans[i], target);
		if (r < 0)
			return r;
	}
	return 0;
}

/* close_range(lo, hi) that leaves the (at most two) channel fds alone. */
static inline long eclose_range_around(unsigned lo, unsigned hi, const int *chans, int nchan)
{
	if (lo > hi)
		return -22; /* EINVAL, as close_range says */
	unsigned skip[2];
	int ns = 0;
	for (int i = 0; i < nchan && ns < 2; i++)
		if (chans[i] >= 0 && (unsigned)chans[i] >= lo && (unsigned)chans[i] <= hi)
			skip[ns++] = (unsigned)chans[i];
	if (ns == 2 && skip[0] > skip[1]) {
		unsigned t = skip[0];
		skip[0] = skip[1];
		skip[1] = t;
	}
	unsigned from = lo; /* channel fds are ints: skip[i] + 1 cannot wrap */
	for (int i = 0; i < ns; i++) {
		if (skip[i] > from) {
			long r = raw_syscall3(SYS_close_range, from, skip[i] - 1, 0);
			if (r < 0)
				return r;
		}
		from = skip[i] + 1;
	}
	if (from <= hi) {
		long r = raw_syscall3(SYS_close_range, from, hi, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Place fd src (a temporary, close-on-exec) at target and close the temporary. */
static inline long einstall(long src, int target, int cloexec)
{
	if (src == target)
		return raw_syscall3(SYS_fcntl, src, F_SETFD, cloexec ? FD_CLOEXEC : 0);
	long r = raw_syscall3(SYS_dup3, src, target, cloexec ? O_CLOEXEC : 0);
	eraw_close((int)src);
	return r < 0 ? r : 0;
}

static inline int echan_is(const int *chans, int nchan, int fd)
{
	for (int i = 0; i < nchan; i++)
		if (chans[i] >= 0 && chans[i] == fd)
			return 1;
	return 0;
}

/*
 * Apply one command (everything but EOP_SYNC/EOP_EXEC). rfd: for EOP_DUP2, the fd received
 * with it (a close-on-exec temporary, consumed here) or -errno if none arrived.
 */
static inline long eapply(const struct ecmd *c, long rfd, int *chans, int nchan)
{
	long r;
	switch (c->op) {
	case EOP_DUP2:
		if (rfd < 0)
			return rfd;
		if (c->fd < 0) {
			eraw_close((int)rfd);
			return -9; /* EBADF, as dup2 says for a negative target */
		}
		r = echans_evade(chans, nchan, c->fd);
		if (r < 0) {
			eraw_close((int)rfd);
			return r;
		}
		return einstall(rfd, c->fd, 0);
	case EOP_CLOSE:
		if (echan_is(chans, nchan, c->fd))
			return -9; /* EBADF: the parent never installed it */
		return raw_syscall1(SYS_close, c->fd);
	case EOP_CLOSE_RANGE:
		return eclose_range_around((unsigned)c->fd, c->hi, chans, nchan);
	case EOP_OPEN:
		if (c->fd < 0)
			return -9;
		r = echans_evade(chans, nchan, c->fd);
		if (r < 0)
			return r;
		r = raw_syscall4(SYS_openat, AT_FDCWD, c->path, c->oflag | O_CLOEXEC, c->mode);
		if (r < 0)
			return r;
		return einstall(r, c->fd, c->oflag & O_CLOEXEC);
	case EOP_CHDIR:
		return raw_syscall1(SYS_chdir, c->path);
	case EOP_RLIMIT: {
		uint64_t lim[2] = {c->cur, c->max};
		return raw_syscall4(SYS_prlimit64, 0, c->fd, lim, 0);
	}
	case EOP_SETSID:
		r = raw_syscall0(SYS_setsid);
		return r < 0 ? r : 0;
	case EOP_SETPGID:
		return raw_syscall2(SYS_setpgid, 0, c->fd);
	case EOP_UMASK:
		raw_syscall1(SYS_umask, c->mode);
		return 0;
	default:
		return -22; /* EINVAL */
	}
}

#endif
