/*
 * EFORK_BLANK, the caller's side: an embryo (embryo.c) whose only command is to exec the
 * static helper impls/targets/efork_blank, keeping its end of the channel open across that exec.
 * From then on nothing of the caller is mapped in the child; set-up commands travel as
 * SOCK_SEQPACKET messages (fds as SCM_RIGHTS), the helper answers when asked, and execs the
 * program at EOP_EXEC. A successful exec closes the helper's close-on-exec channel end, so the
 * caller reads EOF; a failed one is answered with the errno.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "efork.h"
#include "internal.h"

/* ---- where the helper is ------------------------------------------------------------------- */

static pthread_mutex_t helper_lock = PTHREAD_MUTEX_INITIALIZER;
static char helper_set[PATH_MAX];   /* efork_set_helper */
static char helper_found[PATH_MAX]; /* the default, searched once */
static bool helper_searched;

int efork_set_helper(const char *path)
{
	if (path && strlen(path) >= sizeof(helper_set)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	pthread_mutex_lock(&helper_lock);
	if (path)
		strcpy(helper_set, path);
	else
		helper_set[0] = 0;
	pthread_mutex_unlock(&helper_lock);
	return 0;
}

static void helper_search(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = 0;
	static const char *const rel[] = {"/targets/efork_blank", "/../targets/efork_blank"};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char cand[PATH_MAX];
		if ((size_t)snprintf(cand, sizeof(cand), "%s%s", exe, rel[i]) >= sizeof(cand))
			continue;
		if (access(cand, X_OK) == 0 && realpath(cand, helper_found))
			return;
	}
	helper_found[0] = 0;
}

int efork_helper_path(char *buf, size_t len)
{
	const char *env = getenv("SPAWNSCOPE_EFORK_HELPER");
	int err = 0;
	pthread_mutex_lock(&helper_lock);
	const char *p = helper_set;
	if (!*p && env && *env)
		p = env;
	if (!*p) {
		if (!helper_searched) {
			helper_search();
			helper_searched = true;
		}
		p = helper_found;
	}
	if (!*p)
		err = ENOENT;
	else if (strlen(p) >= len)
		err = ERANGE;
	else
		strcpy(buf, p);
	pthread_mutex_unlock(&helper_lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* ---- the protocol ---------------------------------------------------------------------------- */

static char *const empty_env[] = {NULL};

int blank_create(struct ectx *c)
{
	char helper[PATH_MAX];
	if (efork_helper_path(helper, sizeof(helper)) < 0)
		return -errno;
	int e = emb_create(c);
	if (e)
		return e;
	long step;
	e = emb_fetch_chan(c);
	if (!e)
		e = emb_exec(c, helper, NULL, empty_env, true, &step);
	if (e) {
		emb_destroy(c);
		if (c->chan >= 0)
			close(c->chan);
		c->chan = -1;
		close(c->fd);
		return e;
	}
	return 0;
}

/* Read the helper's answer to everything sent since the last one. */
static int blank_reply(struct ectx *c, long *failed_step, bool exec)
{
	struct ereply rp;
	ssize_t r;
	do
		r = recv(c->chan, &rp, sizeof(rp), 0);
	while (r < 0 && errno == EINTR);
	uint32_t n = c->nq;
	c->nq = 0;
	if (r == 0 && exec) { /* exec closed the helper's end: the program runs */
		*failed_step = -1;
		return 0;
	}
	if (r == 0 || (r < 0 && errno == ECONNRESET)) {
		c->state = ECTX_DEAD;
		return -ESRCH;
	}
	if (r < 0)
		return -errno;
	if (r != sizeof(rp))
		return -EPROTO;
	if (!rp.err)
		return 0;
	*failed_step = rp.failed_at < n ? c->q_step[rp.failed_at] : -1;
	return rp.err;
}

int blank_flush(struct ectx *c, long *failed_step)
{
	if (!c->nq)
		return 0;
	struct ecmd h = {.op = EOP_SYNC, .flags = EWIRE_REPLY};
	int e = ewire_send(c->chan, &h, sizeof(h), -1);
	if (e)
		return e;
	return blank_reply(c, failed_step, false);
}

int blank_submit(struct ectx *c, const struct ecmd *cmd, int parent_fd, long step, bool sync,
		 long *failed_step)
{
	*failed_step = step;
	size_t plen = cmd->path ? strnlen(cmd->path, EFORK_PATH_MAX) + 1 : 0;
	if (plen > EFORK_PATH_MAX)
		return -ENAMETOOLONG;
	if (c->nq == EFORK_BATCH) {
		int e = blank_flush(c, failed_step);
		if (e)
			return e;
		*failed_step = step;
	}
	struct ecmd h = *cmd;
	h.flags = sync ? EWIRE_REPLY : 0;
	h.plen = (uint32_t)plen;
	h.path = NULL;
	int e = ewire_send2(c->chan, &h, sizeof(h), cmd->path, plen,
			    cmd->op == EOP_DUP2 ? parent_fd : -1);
	if (e) {
		if (e == -ESRCH)
			c->state = ECTX_DEAD;
		return e;
	}
	c->q_step[c->nq++] = step;
	return sync ? blank_reply(c, failed_step, false) : 0;
}

static size_t strings_size(char *const v[], uint32_t *count)
{
	size_t n = 0;
	uint32_t k = 0;
	for (; v && v[k]; k++)
		n += strlen(v[k]) + 1;
	*count = k;
	return n;
}

static char *strings_put(char *dst, char *const v[])
{
	for (size_t k = 0; v && v[k]; k++) {
		size_t l = strlen(v[k]) + 1;
		memcpy(dst, v[k], l);
		dst += l;
	}
	return dst;
}

int blank_exec(struct ectx *c, const char *path, char *const argv[], char *const envp[],
	       long *failed_step)
{
	*failed_step = -1;
	if (c->nq == EFORK_BATCH) {
		int e = blank_flush(c, failed_step);
		if (e)
			return e;
	}
	struct ecmd h = {.op = EOP_EXEC, .flags = EWIRE_REPLY, .cur = c->start_mask};
	size_t plen = strlen(path) + 1;
	plen += strings_size(argv, &h.argc);
	plen += strings_size(envp, &h.envc);
	if (plen > UINT32_MAX)
		return -E2BIG;
	h.plen = (uint32_t)plen;
	char *buf = malloc(plen);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, path, strlen(path) + 1);
	strings_put(strings_put(buf + strlen(path) + 1, argv), envp);
	/* Header and payload in one message when they fit; else the header alone, then the
	 * payload in chunks (the helper receives those straight into a mapping of plen bytes). */
	size_t first = sizeof(h) + plen <= EWIRE_CHUNK ? plen : 0;
	int e = ewire_send2(c->chan, &h, sizeof(h), buf, first, -1);
	for (size_t off = first; !e && off < plen; off += EWIRE_CHUNK) {
		size_t len = plen - off < EWIRE_CHUNK ? plen - off : EWIRE_CHUNK;
		e = ewire_send(c->chan, buf + off, len, -1);
	}
	free(buf);
	if (e) {
		if (e == -ESRCH)
			c->state = ECTX_DEAD;
		return e;
	}
	c->q_step[c->nq++] = -1;
	e = blank_reply(c, failed_step, true);
	if (!e) { /* the channel has no other end any more */
		close(c->chan);
		c->chan = -1;
	}
	return e;
}
