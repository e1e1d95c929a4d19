/* The lab's channel to the driver (lab.h): the shared arena and the command socket, and the
 * send/receive of one message; the loop and the state handlers use it, lab_main.c dispatches. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"

struct lab_shared *lab_sh;
int lab_sock = LAB_SOCK_FD;

int lab_send(const struct lab_msg *m)
{
	for (;;) {
		ssize_t n = send(lab_sock, m, sizeof(*m), MSG_NOSIGNAL);
		if (n == (ssize_t)sizeof(*m))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : -EPROTO;
	}
}

int lab_recv(struct lab_msg *m)
{
	for (;;) {
		ssize_t n = recv(lab_sock, m, sizeof(*m), 0);
		if (n == (ssize_t)sizeof(*m))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n == 0 ? -EPIPE : -EPROTO;
	}
}

int lab_event(struct lab_msg *m)
{
	int rc = lab_send(m);

	if (rc)
		return rc;
	rc = lab_recv(m);
	if (rc)
		return rc;
	return m->op == LAB_REPLY ? m->rc : -EPROTO;
}
