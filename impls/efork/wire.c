/* efork: what both strategies do on the caller's side with the child's channel and pidfd. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "impls/spawn_util.h"

int ewire_send2(int sock, const void *a, size_t alen, const void *b, size_t blen, int fd)
{
	struct iovec iov[2] = {{.iov_base = (void *)a, .iov_len = alen},
			       {.iov_base = (void *)b, .iov_len = blen}};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = blen ? 2 : 1};
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	ssize_t r;
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		return 0;
	return (errno == EPIPE || errno == ECONNRESET) ? -ESRCH : -errno;
}

int ewire_send(int sock, const void *buf, size_t len, int fd)
{
	return ewire_send2(sock, buf, len, NULL, 0, fd);
}

int ectx_waitid(int pidfd, int *status, int options)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r;
	do
		r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, options);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (status)
		*status = wait_status_from_siginfo(&si);
	return 0;
}

void ectx_kill_reap(struct ectx *c)
{
	/* ESRCH: already dead (a zombie still answers waitid); ECHILD from waitid: reaped
	 * elsewhere or SIGCHLD ignored — nothing remains either way. */
	syscall(SYS_pidfd_send_signal, c->fd, SIGKILL, NULL, 0);
	ectx_waitid(c->fd, NULL, WEXITED);
}
