/*
 * efork_blank: the helper behind EFORK_BLANK. A static, libc-free program that an efork
 * embryo execs at once, so the child's set-up runs in a fresh address space with nothing of
 * the caller mapped. argv[1] is the fd (decimal) of its end of an AF_UNIX SOCK_SEQPACKET
 * channel to the caller; the environment is empty; every signal is blocked.
 *
 * It reads commands (struct ecmd, impls/targets/efork_proto.h), each a message with its
 * payload and, for EOP_DUP2, the fd as SCM_RIGHTS; applies them in order; after the first
 * failure it applies nothing more until it has reported it. It answers a command flagged
 * EWIRE_REPLY and every EOP_SYNC with a struct ereply. EOP_EXEC sets the start signal mask and
 * execs the program: on success the channel (close-on-exec) closes and the caller reads EOF;
 * on failure it answers with the errno, blocks everything again and waits for more.
 * Exit 127 when the caller goes away (EOF), 2 on a bad argv[1].
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "efork_proto.h"
#include "target_rt.h"

/* One message into buf; *fd: the SCM_RIGHTS fd that came with it, -EBADMSG if none, -EMFILE
 * if one was sent but could not be installed. */
static long recv_msg(int chan, void *buf, unsigned long len, long *fd)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	long r = raw_syscall3(SYS_recvmsg, chan, &msg, MSG_CMSG_CLOEXEC);
	*fd = -74; /* EBADMSG: no fd came */
	if (r < 0)
		return r;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		*fd = *(const int *)(const void *)CMSG_DATA(cm);
	else if (msg.msg_flags & MSG_CTRUNC)
		*fd = -24; /* EMFILE */
	return r;
}

static void reply(int chan, long err, unsigned idx)
{
	struct ereply rp = {.err = (int32_t)err, .failed_at = idx};
	raw_syscall6(SYS_sendto, chan, (long)&rp, sizeof(rp), MSG_NOSIGNAL, 0, 0);
}

static union {
	struct ecmd c;
	char b[EWIRE_CHUNK];
} in;

/* Up to this many argv+envp pointers live here; more get a mapping. */
#define STATIC_PTRS 1024
static char *ptrs_static[STATIC_PTRS];

/* Split a payload "path\0argv...\0envp...\0" into ptrs (argv, NULL, envp, NULL). 0 or -EINVAL. */
static long split(char *p, unsigned long plen, unsigned argc, unsigned envc, char **ptrs)
{
	char *end = p + plen;
	unsigned k = 0;
	if (!plen || end[-1])
		return -22;
	while (*p) /* the path */
		p++;
	p++;
	for (unsigned i = 0; i < argc + envc; i++) {
		if (p >= end)
			return -22;
		ptrs[k++] = p;
		while (*p)
			p++;
		p++;
		if (i + 1 == argc)
			ptrs[k++] = 0;
	}
	if (!argc)
		ptrs[k++] = 0;
	ptrs[k] = 0;
	return 0;
}

/* EOP_EXEC: 0 never comes back; -errno when the exec failed. */
static long do_exec(int chan, const struct ecmd *c, char *payload, unsigned long have)
{
	unsigned long plen = c->plen, nptr = (unsigned long)c->argc + c->envc + 2;
	char *area = 0, *p = payload;
	unsigned long area_len = 0;
	char **ptrs = ptrs_static;
	long r = 0;
	if (plen > have || nptr > STATIC_PTRS) {
		/* a long command line: the rest arrives in chunks, straight into a mapping */
		area_len = (plen + nptr * sizeof(char *) + 4095) & ~4095ul;
		r = raw_syscall6(SYS_mmap, 0, (long)area_len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r < 0 && r > -4096)
			return r;
		area = (char *)r;
		ptrs = (char **)(void *)area;
		p = area + nptr * sizeof(char *);
		if (plen <= have) {
			for (unsigned long i = 0; i < plen; i++)
				p[i] = payload[i];
		} else {
			for (unsigned long off = 0; off < plen;) {
				long fd, n = plen - off < EWIRE_CHUNK ? plen - off : EWIRE_CHUNK;
				n = recv_msg(chan, p + off, n, &fd);
				if (fd >= 0)
					eraw_close((int)fd);
				if (n <= 0)
					leave(127);
				off += n;
			}
		}
	}
	r = split(p, plen, c->argc, c->envc, ptrs);
	if (!r) {
		uint64_t all = efork_all_signals;
		raw_syscall2(SYS_prctl, PR_SET_PDEATHSIG, 0); /* exec would keep it */
		raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &c->cur, 0, EFORK_KSIGSET);
		r = raw_syscall3(SYS_execve, p, ptrs, ptrs + c->argc + 1);
		raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, EFORK_KSIGSET);
		raw_syscall2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	}
	if (area)
		raw_syscall2(SYS_munmap, area, area_len);
	return r;
}

__attribute__((noreturn, used)) void blank_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	long chan = argc > 1 ? parse_fd(argv[1]) : -1;
	if (chan < 0)
		leave(2);
	if (raw_syscall3(SYS_fcntl, chan, F_SETFD, FD_CLOEXEC) < 0)
		leave(2);
	int chans[1] = {(int)chan};
	long err = 0;
	unsigned idx = 0, failed_at = 0;
	for (;;) {
		long fd;
		long r = recv_msg(chans[0], in.b, sizeof(in.b), &fd);
		if (r <= 0 || (unsigned long)r < sizeof(struct ecmd))
			leave(127); /* EOF: the caller closed the context or went away */
		struct ecmd *c = &in.c;
		char *payload = in.b + sizeof(struct ecmd);
		unsigned long have = (unsigned long)r - sizeof(struct ecmd);
		if (c->op == EOP_SYNC) {
			reply(chans[0], err, err ? failed_at : idx);
			err = 0;
			idx = failed_at = 0;
			continue;
		}
		if (c->op == EOP_EXEC) {
			if (!err) {
				err = do_exec(chans[0], c, payload, have);
				failed_at = idx;
			}
			reply(chans[0], err, failed_at);
			err = 0;
			idx = failed_at = 0;
			continue;
		}
		if (fd >= 0 && c->op != EOP_DUP2) { /* not ours to keep */
			eraw_close((int)fd);
			fd = -74;
		}
		if (!err) {
			long e;
			if (c->plen && (c->plen != have || payload[have - 1])) {
				e = -22; /* EINVAL: a path must come whole and NUL-terminated */
				if (fd >= 0)
					eraw_close((int)fd);
			} else {
				c->path = payload;
				e = eapply(c, fd, chans, 1);
			}
			if (e < 0) {
				err = e;
				failed_at = idx;
			}
		} else if (fd >= 0) {
			eraw_close((int)fd);
		}
		idx++;
		if (c->flags & EWIRE_REPLY) {
			reply(chans[0], err, err ? failed_at : idx);
			err = 0;
			idx = failed_at = 0;
		}
	}
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n.type _start,@function\n_start:\n"
	"\txor %ebp, %ebp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall blank_main\n\thlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"
	"\tmov x29, #0\n\tmov x30, #0\n\tmov x0, sp\n\tbl blank_main\n");
#endif
