/*
 * efork: the public API (impls/efork/efork.h). Contexts are looked up by fd in a table; each call
 * becomes an ecmd for the context's strategy (embryo.c or blank.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "efork.h"
#include "internal.h"

/* ---- fd -> context -----------------------------------------------------------------------------
 */

static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ectx **tab;
static size_t tab_cap;

static int tab_put(struct ectx *c)
{
	int err = 0;
	pthread_mutex_lock(&tab_lock);
	if ((size_t)c->fd >= tab_cap) {
		size_t cap = tab_cap ? tab_cap : 64;
		while (cap <= (size_t)c->fd)
			cap *= 2;
		struct ectx **t = realloc(tab, cap * sizeof(*t));
		if (!t) {
			err = ENOMEM;
		} else {
			memset(t + tab_cap, 0, (cap - tab_cap) * sizeof(*t));
			tab = t;
			tab_cap = cap;
		}
	}
	if (!err)
		tab[c->fd] = c;
	pthread_mutex_unlock(&tab_lock);
	return err;
}

static struct ectx *tab_get(int fd)
{
	struct ectx *c = NULL;
	pthread_mutex_lock(&tab_lock);
	if (fd >= 0 && (size_t)fd < tab_cap)
		c = tab[fd];
	pthread_mutex_unlock(&tab_lock);
	return c;
}

static struct ectx *tab_take(int fd)
{
	struct ectx *c = NULL;
	pthread_mutex_lock(&tab_lock);
	if (fd >= 0 && (size_t)fd < tab_cap) {
		c = tab[fd];
		tab[fd] = NULL;
	}
	pthread_mutex_unlock(&tab_lock);
	return c;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

/* ---- creation ----------------------------------------------------------------------------------
 */

static void ctx_free_child(struct ectx *c)
{
	if (c->flags == EFORK_BLANK) {
		if (c->state != ECTX_STARTED)
			ectx_kill_reap(c);
	} else {
		emb_destroy(c);
	}
	if (c->chan >= 0)
		close(c->chan);
}

int efork(unsigned flags)
{
	if (flags != EFORK_EMBRYO && flags != EFORK_BLANK)
		return fail(EINVAL);
	struct ectx *c = calloc(1, sizeof(*c));
	if (!c)
		return fail(ENOMEM);
	c->flags = flags;
	c->chan = -1;
	c->failed_step = -1;
	int e = flags == EFORK_BLANK ? blank_create(c) : emb_create(c);
	if (e) {
		free(c);
		return fail(-e);
	}
	e = tab_put(c);
	if (e) {
		ctx_free_child(c);
		close(c->fd);
		free(c);
		return fail(e);
	}
	return c->fd;
}

/* ---- set-up -------------------------------------------------------------------------------------
 */

static int usable(struct ectx *c)
{
	if (!c)
		return EBADF;
	if (c->state == ECTX_STARTED)
		return EBUSY;
	if (c->state == ECTX_DEAD)
		return ESRCH;
	return 0;
}

static int submit(struct ectx *c, const struct ecmd *cmd, int parent_fd, long step, bool sync,
		  long *failed_step)
{
	if (c->flags == EFORK_BLANK)
		return blank_submit(c, cmd, parent_fd, step, sync, failed_step);
	return emb_submit(c, cmd, parent_fd, step, sync, failed_step);
}

static int flush(struct ectx *c, long *failed_step)
{
	if (c->flags == EFORK_BLANK)
		return blank_flush(c, failed_step);
	return emb_flush(c, failed_step);
}

static int setup(int fd, const struct ecmd *cmd, int parent_fd)
{
	struct ectx *c = tab_get(fd);
	int err = usable(c);
	if (err)
		return fail(err);
	long step = c->steps++, fs = step;
	if (c->defer) {
		/* after a failure the remaining calls are not applied (reported at the next flush)
		 */
		if (!c->pending_err) {
			int e = submit(c, cmd, parent_fd, step, false, &fs);
			if (e) {
				c->pending_err = e;
				c->pending_step = fs;
			}
		}
		return 0;
	}
	int e = submit(c, cmd, parent_fd, step, true, &fs);
	c->failed_step = e ? fs : -1;
	return e ? fail(-e) : 0;
}

int ectx_dup2(int ctx, int parent_fd, int child_fd)
{
	struct ecmd c = {.op = EOP_DUP2, .fd = child_fd};
	return setup(ctx, &c, parent_fd);
}

int ectx_close_fd(int ctx, int child_fd)
{
	struct ecmd c = {.op = EOP_CLOSE, .fd = child_fd};
	return setup(ctx, &c, -1);
}

int ectx_close_range(int ctx, unsigned lo, unsigned hi)
{
	struct ecmd c = {.op = EOP_CLOSE_RANGE, .fd = (int32_t)lo, .hi = hi};
	return setup(ctx, &c, -1);
}

int ectx_open(int ctx, int child_fd, const char *path, int oflag, mode_t mode)
{
	if (!path)
		return fail(EFAULT);
	struct ecmd c = {
	    .op = EOP_OPEN, .fd = child_fd, .oflag = oflag, .mode = mode, .path = path};
	return setup(ctx, &c, -1);
}

int ectx_chdir(int ctx, const char *path)
{
	if (!path)
		return fail(EFAULT);
	struct ecmd c = {.op = EOP_CHDIR, .path = path};
	return setup(ctx, &c, -1);
}

int ectx_setrlimit(int ctx, int resource, const struct rlimit *rl)
{
	if (!rl)
		return fail(EFAULT);
	struct ecmd c = {
	    .op = EOP_RLIMIT, .fd = resource, .cur = rl->rlim_cur, .max = rl->rlim_max};
	return setup(ctx, &c, -1);
}

int ectx_setsid(int ctx)
{
	struct ecmd c = {.op = EOP_SETSID};
	return setup(ctx, &c, -1);
}

int ectx_setpgid(int ctx, pid_t pgid)
{
	struct ecmd c = {.op = EOP_SETPGID, .fd = pgid};
	return setup(ctx, &c, -1);
}

int ectx_umask(int ctx, mode_t mask)
{
	struct ecmd c = {.op = EOP_UMASK, .mode = mask & 0777};
	return setup(ctx, &c, -1);
}

int ectx_sigmask(int ctx, const sigset_t *mask)
{
	struct ectx *c = tab_get(ctx);
	int err = usable(c);
	if (err)
		return fail(err);
	if (!mask)
		return fail(EFAULT);
	c->steps++; /* applied at exec, cannot fail */
	/* glibc's sigset_t starts with the kernel's 64-bit set */
	memcpy(&c->start_mask, mask, sizeof(c->start_mask));
	return 0;
}

/* ---- deferred mode --------------------------------------------------------------------------- */

static int ctx_flush(struct ectx *c)
{
	long fs = -1;
	int e = flush(c, &fs);
	if (!e && c->pending_err) {
		e = c->pending_err;
		fs = c->pending_step;
	}
	c->pending_err = 0;
	c->failed_step = e ? fs : -1;
	return e;
}

int ectx_sync(int ctx)
{
	struct ectx *c = tab_get(ctx);
	int err = usable(c);
	if (err)
		return fail(err);
	int e = ctx_flush(c);
	return e ? fail(-e) : 0;
}

int ectx_defer(int ctx, int on)
{
	struct ectx *c = tab_get(ctx);
	int err = usable(c);
	if (err)
		return fail(err);
	int e = 0;
	if (!on)
		e = ctx_flush(c);
	c->defer = on != 0;
	return e ? fail(-e) : 0;
}

long ectx_failed_step(int ctx)
{
	struct ectx *c = tab_get(ctx);
	if (!c)
		return fail(EBADF);
	return c->failed_step;
}

/* ---- start, wait, release ----------------------------------------------------------------------
 */

int eexecve(int ctx, const char *path, char *const argv[], char *const envp[])
{
	struct ectx *c = tab_get(ctx);
	int err = usable(c);
	if (err)
		return fail(err);
	if (!path || !argv || !envp)
		return fail(EFAULT);
	long fs = -1;
	int e;
	if (c->pending_err) {
		e = ctx_flush(c);
		return fail(-e);
	}
	if (c->flags == EFORK_BLANK)
		e = blank_exec(c, path, argv, envp, &fs);
	else
		e = emb_exec(c, path, argv, envp, false, &fs);
	c->failed_step = e ? fs : -1;
	if (e)
		return fail(-e);
	c->state = ECTX_STARTED;
	if (c->chan >= 0) { /* nothing to send any more */
		close(c->chan);
		c->chan = -1;
	}
	return 0;
}

pid_t ectx_pid(int ctx)
{
	struct ectx *c = tab_get(ctx);
	if (!c)
		return fail(EBADF);
	return c->pid;
}

int ectx_wait(int ctx, int *status)
{
	struct ectx *c = tab_get(ctx);
	if (!c)
		return fail(EBADF);
	int e = ectx_waitid(c->fd, status, WEXITED);
	if (e)
		return fail(-e);
	if (c->state == ECTX_UNSTARTED)
		c->state = ECTX_DEAD;
	return 0;
}

int ectx_close(int ctx)
{
	struct ectx *c = tab_take(ctx);
	if (!c)
		return fail(EBADF);
	ctx_free_child(c);
	close(c->fd);
	free(c);
	return 0;
}
