/* Worker groups for the contention experiment (see workers.h). */
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "impls/backend.h"

const char *const cont_sharing_names[SH__N + 1] = {"threads", "files", "vm", "processes", NULL};

#define WORKER_STACK (64 * 1024)

unsigned cont_sharing_bits(int sharing)
{
	switch (sharing) {
	case SH_THREADS:
		return SHARE_THREAD; /* CLONE_THREAD: one signal_struct, so one set of rlimits */
	case SH_FILES:
		return SHARE_FILES;
	case SH_VM:
		return SHARE_VM;
	default:
		return 0;
	}
}

static long futex(volatile int32_t *addr, int cmd, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, cmd, val, ts, NULL, 0);
}

static bool is_thread(const struct cw_group *g)
{
	return g->sharing == SH_THREADS;
}

/* A worker that has already exited (without reaping it). */
static bool worker_gone(struct cw_group *g, int i)
{
	if (!g->pids[i])
		return true;
	if (is_thread(g))
		return __atomic_load_n(&g->stacks[i].tid_word, __ATOMIC_ACQUIRE) == 0;
	siginfo_t si = {0};
	if (waitid(P_PID, (id_t)g->pids[i], &si, WEXITED | WNOHANG | WNOWAIT) != 0)
		return true;
	return si.si_pid != 0;
}

static void reap_one(struct cw_group *g, int i)
{
	if (!g->pids[i])
		return;
	if (is_thread(g)) {
		clone_join_thread(&g->stacks[i]);
	} else {
		int status = 0;
		pid_t r;
		while ((r = waitpid(g->pids[i], &status, 0)) < 0 && errno == EINTR)
			;
		if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			g->status_failed++;
	}
	g->pids[i] = 0;
}

int cw_start(struct cw_group *g, int sharing, int op, int n, uint32_t sample_every, char *why,
	     size_t len)
{
	struct rlimit nofile;
	sigset_t all, old;
	int err = 0;

	memset(g, 0, sizeof(*g));
	g->sharing = sharing;
	g->op = op;
	g->n = n;
	if (n < 1 || n > CW_MAX_WORKERS) {
		snprintf(why, len, "worker count %d outside 1..%d", n, CW_MAX_WORKERS);
		return -EINVAL;
	}
	if (getrlimit(RLIMIT_NOFILE, &nofile) != 0) {
		err = -errno;
		snprintf(why, len, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		return err;
	}
	if (op == OP_SETRLIMIT && nofile.rlim_cur < 2) {
		snprintf(why, len, "setrlimit: soft RLIMIT_NOFILE %llu is too low to lower",
			 (unsigned long long)nofile.rlim_cur);
		return -EINVAL;
	}
	g->ctl_size = sizeof(struct cw_ctl) + (size_t)n * sizeof(struct cw_slot);
	g->ctl = mmap(NULL, g->ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->ctl == MAP_FAILED) {
		err = -errno;
		g->ctl = NULL;
		snprintf(why, len, "mmap of %zu bytes of worker control: %s", g->ctl_size,
			 strerror(-err));
		return err;
	}
	g->ctl->op = op;
	g->ctl->n = n;
	g->ctl->parent_pid = getpid();
	g->ctl->nofile_soft = nofile.rlim_cur;
	g->ctl->nofile_hard = nofile.rlim_max;
	g->ctl->sample_every = sample_every;
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
		for (int c = 0; c < CW_MAX_CPUS && c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &allowed))
				g->ctl->cpus[g->ctl->n_cpus++] = (int16_t)c;
	g->ctl->shared_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (g->ctl->shared_fd < 0) {
		err = -errno;
		snprintf(why, len, "open /dev/zero: %s", strerror(errno));
		goto fail;
	}
	g->stacks = calloc((size_t)n, sizeof(*g->stacks));
	g->args = calloc((size_t)n, sizeof(*g->args));
	g->pids = calloc((size_t)n, sizeof(*g->pids));
	if (!g->stacks || !g->args || !g->pids) {
		err = -ENOMEM;
		snprintf(why, len, "allocating %d workers: %s", n, strerror(ENOMEM));
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		err = clone_stack_alloc(&g->stacks[i], WORKER_STACK);
		if (err) {
			snprintf(why, len, "worker stack of %d KiB: %s", WORKER_STACK / 1024,
				 strerror(-err));
			goto fail;
		}
		g->args[i].ctl = g->ctl;
		g->args[i].index = i;
	}
	/* Workers start with every signal blocked: Ctrl-C reaches the driver alone, which stops
	 * and reaps them (a process-directed signal goes to a thread that does not block it). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < n; i++) {
		pid_t pid = clone_start(cont_sharing_bits(sharing), &g->stacks[i], cw_worker_main,
					&g->args[i], NULL);
		if (pid < 0) {
			err = pid;
			snprintf(why, len, "clone of worker %d (%s): %s", i,
				 cont_sharing_names[sharing], strerror(-err));
			break;
		}
		g->pids[i] = pid;
		g->ctl->pids[i] = pid;
		g->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto fail;
	return 0;
fail:
	cw_stop(g);
	cw_free(g);
	return err;
}

void cw_go(struct cw_group *g)
{
	struct timespec slice = {0, 20 * 1000 * 1000};
	int32_t r;

	while ((r = __atomic_load_n(&g->ctl->ready, __ATOMIC_ACQUIRE)) < g->started) {
		futex(&g->ctl->ready, FUTEX_WAIT, r, &slice);
		/* A worker that died before the barrier would keep us here forever. */
		bool dead = false;
		for (int i = 0; i < g->started && !dead; i++)
			dead = worker_gone(g, i);
		if (dead)
			break;
	}
	g->t_go = now_ns();
	__atomic_store_n(&g->ctl->go, 1, __ATOMIC_RELEASE);
	futex(&g->ctl->go, FUTEX_WAKE, INT_MAX, NULL);
}

void cw_sleep(double duration_s, volatile int *interrupted)
{
	int64_t end = now_ns() + (int64_t)(duration_s * 1e9);
	int64_t left;

	while (!*interrupted && (left = end - now_ns()) > 0) {
		int64_t step = left < 50000000 ? left : 50000000;
		struct timespec ts = {0, (long)step};
		nanosleep(&ts, NULL);
	}
}

void cw_stop(struct cw_group *g)
{
	if (!g->ctl)
		return;
	g->t_stop = now_ns();
	__atomic_store_n(&g->ctl->stop, 1, __ATOMIC_RELEASE);
	if (!__atomic_load_n(&g->ctl->go, __ATOMIC_ACQUIRE)) {
		/* Never released: let them through so they see stop at once. */
		g->t_go = g->t_stop;
		__atomic_store_n(&g->ctl->go, 1, __ATOMIC_RELEASE);
		futex(&g->ctl->go, FUTEX_WAKE, INT_MAX, NULL);
	}
	if (!g->pids)
		return;
	for (int i = 0; i < g->n; i++)
		reap_one(g, i);
}

void cw_free(struct cw_group *g)
{
	if (g->stacks)
		for (int i = 0; i < g->n; i++)
			clone_stack_free(&g->stacks[i]);
	free(g->stacks);
	free(g->args);
	free(g->pids);
	g->stacks = NULL;
	g->args = NULL;
	g->pids = NULL;
	if (g->ctl) {
		if (g->ctl->shared_fd >= 0)
			close(g->ctl->shared_fd);
		munmap(g->ctl, g->ctl_size);
		g->ctl = NULL;
	}
}
