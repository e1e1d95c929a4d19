/* The contention experiment's operations, run by workers with raw syscalls only (a worker
 * that shares the parent's memory also shares its TLS: glibc's errno, stack guard and
 * malloc arenas are not ours to touch). */
#include "ops.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "impls/rawsys.h"

const char *const cont_op_names[OP__N + 1] = {
    "dup-close", "open-close",	    "pipe-close",   "read-shared", "getrlimit",
    "setrlimit", "prlimit-sibling", "spawn-faults", "spawn-fds",   NULL,
};

const char *cont_op_unit(int op)
{
	switch (op) {
	case OP_DUP_CLOSE:
		return "dup + close";
	case OP_OPEN_CLOSE:
		return "openat /dev/null + close";
	case OP_PIPE_CLOSE:
		return "pipe2 + 2 closes";
	case OP_READ_SHARED:
		return "1-byte read of a shared /dev/zero fd";
	case OP_GETRLIMIT:
		return "getrlimit";
	case OP_SETRLIMIT:
		return "setrlimit lower + restore (2 calls)";
	case OP_PRLIMIT_SIBLING:
		return "prlimit64 write on a sibling worker";
	case OP_SPAWN_FAULTS:
	case OP_SPAWN_FDS:
		return "spawn + reap";
	case OP_FAULT_CYCLE:
		return "mmap + touch 64 pages + munmap";
	default:
		return "?";
	}
}

struct krlimit {
	uint64_t cur, max;
};

static inline int64_t raw_clock_ns(clockid_t clk)
{
	struct timespec t;
	raw_syscall2(SYS_clock_gettime, clk, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static inline int64_t raw_now_ns(void)
{
	return raw_clock_ns(CLOCK_MONOTONIC);
}

static inline long raw_getrlimit(int res, struct krlimit *out)
{
#ifdef SYS_getrlimit
	return raw_syscall2(SYS_getrlimit, res, out);
#else
	return raw_syscall4(SYS_prlimit64, 0, res, 0, out);
#endif
}

static inline long raw_setrlimit(int res, const struct krlimit *in)
{
#ifdef SYS_setrlimit
	return raw_syscall2(SYS_setrlimit, res, in);
#else
	return raw_syscall4(SYS_prlimit64, 0, res, in, 0);
#endif
}

static inline long close_pair(long a, long b)
{
	long r1 = raw_syscall1(SYS_close, a);
	long r2 = raw_syscall1(SYS_close, b);
	return r1 < 0 ? r1 : r2;
}

/* One operation; 0 or -errno. own_fd: the worker's own /dev/null (dup-close's source). */
static long run_op(struct cw_ctl *ctl, int index, long own_fd, char *buf)
{
	long fd, r;
	int fds[2];
	struct krlimit lim;

	switch (ctl->op) {
	case OP_DUP_CLOSE:
		/* alloc_fd and file_close_fd both take files->file_lock (fs/file.c). Each worker
		 * dups its own open file (as will-it-scale's dup1 does), so f_count is not a
		 * cache line every worker shares: only the table is. */
		fd = raw_syscall1(SYS_dup, own_fd);
		if (fd < 0)
			return fd;
		return raw_syscall1(SYS_close, fd);
	case OP_OPEN_CLOSE:
		fd = raw_syscall4(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 0);
		if (fd < 0)
			return fd;
		return raw_syscall1(SYS_close, fd);
	case OP_PIPE_CLOSE:
		r = raw_syscall2(SYS_pipe2, fds, O_CLOEXEC);
		if (r < 0)
			return r;
		return close_pair(fds[0], fds[1]);
	case OP_READ_SHARED:
		/* fdget (__fget_light) skips the struct file refcount only while files->count == 1;
		 * a shared table puts every read on the atomic get/put of one shared f_count. */
		r = raw_syscall3(SYS_read, ctl->shared_fd, buf, 1);
		return r < 0 ? r : 0;
	case OP_GETRLIMIT:
		/* sys_getrlimit -> do_prlimit: task_lock(group_leader) around the copy-out (the
		 * kernel's own rlimit() reads are lockless READ_ONCE). */
		return raw_getrlimit(RLIMIT_NOFILE, &lim);
	case OP_SETRLIMIT:
		/* Lower the soft limit by one, then put back exactly the value found at start:
		 * never above it, and it is <= the hard limit, which is never touched. */
		lim.cur = ctl->nofile_soft - 1;
		lim.max = ctl->nofile_hard;
		r = raw_setrlimit(RLIMIT_NOFILE, &lim);
		if (r < 0)
			return r;
		lim.cur = ctl->nofile_soft;
		return raw_setrlimit(RLIMIT_NOFILE, &lim);
	case OP_PRLIMIT_SIBLING:
		/* A write of the unchanged limits into another worker: find_task_by_vpid,
		 * permission check, task_lock(tsk->group_leader) in do_prlimit. */
		lim.cur = ctl->nofile_soft;
		lim.max = ctl->nofile_hard;
		return raw_syscall4(SYS_prlimit64, ctl->pids[(index + 1) % ctl->n], RLIMIT_NOFILE,
				    &lim, 0);
	case OP_FAULT_CYCLE: {
		/* mmap and munmap take mmap_lock for write; each first touch is a page fault. */
		long size = FAULT_PAGES * 4096L;
		long p = raw_syscall6(SYS_mmap, 0, size, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p < 0 && p > -4096)
			return p;
		for (long off = 0; off < size; off += 4096)
			*(volatile char *)(p + off) = 1;
		return raw_syscall2(SYS_munmap, p, size);
	}
	default:
		return -22; /* EINVAL */
	}
}

/* Halve the samples kept (every other one) so the array covers the whole run evenly. */
static void decimate(struct cw_slot *s, uint32_t *n, uint32_t *every)
{
	uint32_t j = 0;
	for (uint32_t i = 0; i < *n; i += 2)
		s->sample_ns[j++] = s->sample_ns[i];
	*n = j;
	*every *= 2;
}

static void kcmp_probe(struct cw_ctl *ctl, struct cw_slot *s)
{
	long self = raw_syscall0(SYS_gettid);
	s->kcmp_files = raw_syscall5(SYS_kcmp, self, ctl->parent_pid, KCMP_FILES, 0, 0);
	s->kcmp_vm = raw_syscall5(SYS_kcmp, self, ctl->parent_pid, KCMP_VM, 0, 0);
}

/* "/proc/self/fd/" followed by fd, into buf (no stdio in a worker that may share memory). */
static void fd_path(char *buf, long fd)
{
	static const char prefix[] = "/proc/self/fd/";
	char digits[24];
	int n = 0, len = (int)sizeof(prefix) - 1;

	for (int i = 0; i < len; i++)
		buf[i] = prefix[i];
	do
		digits[n++] = (char)('0' + fd % 10);
	while ((fd /= 10) > 0);
	while (n)
		buf[len++] = digits[--n];
	buf[len] = 0;
}

/* A worker with a copy of the driver's fd table (vm, processes) closes its copies of the
 * BPF program, link and map fds: close-on-exec does nothing for a worker that never execs,
 * and a copy would keep the probes loaded and attached as long as the worker lives. */
static void close_inherited_bpf_fds(void)
{
	char dents[2048], path[48], target[24];
	long dir = raw_syscall4(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY, 0);
	long got;

	if (dir < 0)
		return;
	while ((got = raw_syscall3(SYS_getdents64, dir, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < got;) {
			/* struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name */
			unsigned short reclen;
			const char *name = dents + off + 19;
			long fd = 0, n;

			__builtin_memcpy(&reclen, dents + off + 16, sizeof(reclen));
			off += reclen;
			if (name[0] < '0' || name[0] > '9')
				continue;
			for (const char *c = name; *c; c++)
				fd = fd * 10 + (*c - '0');
			if (fd == dir)
				continue;
			fd_path(path, fd);
			n = raw_syscall4(SYS_readlinkat, AT_FDCWD, path, target,
					 sizeof(target) - 1);
			if (n >= 14 && !__builtin_memcmp(target, "anon_inode:bpf", 14))
				raw_syscall1(SYS_close, fd);
		}
	}
	raw_syscall1(SYS_close, dir);
}

int cw_worker_main(void *argp)
{
	struct cw_arg *arg = argp;
	struct cw_ctl *ctl = arg->ctl;
	struct cw_slot *s = &ctl->slot[arg->index];
	char buf[64];
	uint64_t ops = 0, clock_ns = UINT64_MAX;
	uint32_t every = ctl->sample_every ? ctl->sample_every : 1, n = 0, countdown = every;
	long err = 0, own_fd = -1;
	int64_t cpu0 = -1;

	s->tid = (int32_t)raw_syscall0(SYS_gettid);
	/* A worker that is a process of its own (files, vm, processes) dies with the driver: it
	 * would otherwise spin forever after a SIGKILL of the driver, holding a copy of its fds
	 * (BPF programs and links included). The parent check closes the race with a driver
	 * that died before the prctl (the worker was then reparented; see
	 * kernel/exit.c:forget_original_parent, which sends pdeath_signal only to children it
	 * finds at that moment). A CLONE_THREAD worker dies with the thread group anyway. */
	if (raw_syscall0(SYS_getpid) != ctl->parent_pid) {
		raw_syscall2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
		if (raw_syscall0(SYS_getppid) != ctl->parent_pid)
			return 1;
		if (raw_syscall5(SYS_kcmp, raw_syscall0(SYS_getpid), ctl->parent_pid, KCMP_FILES, 0,
				 0) != 0)
			close_inherited_bpf_fds();
	}
	/* One worker per CPU, round-robin, so the scheduler cannot stack workers that are
	 * meant to run at the same time on one CPU (where a spinlock is never contended). */
	if (ctl->n_cpus > 0) {
		unsigned long mask[CW_MAX_CPUS / (8 * sizeof(unsigned long))] = {0};
		int cpu = ctl->cpus[arg->index % ctl->n_cpus];
		mask[cpu / (8 * sizeof(unsigned long))] |= 1ul
							   << (cpu % (8 * sizeof(unsigned long)));
		raw_syscall3(SYS_sched_setaffinity, 0, sizeof(mask), mask);
	}
	/* The cheapest back-to-back clock pair: subtracted from each timed op. */
	for (int i = 0; i < 32; i++) {
		int64_t a = raw_now_ns(), b = raw_now_ns();
		if ((uint64_t)(b - a) < clock_ns)
			clock_ns = (uint64_t)(b - a);
	}
	s->clock_ns = clock_ns;
	if (ctl->op == OP_DUP_CLOSE) {
		own_fd = raw_syscall4(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 0);
		if (own_fd < 0)
			err = own_fd;
	}

	/* Barrier: everyone waits on ctl->go (a futex in shared memory: not private, the workers
	 * may be separate processes). */
	__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_RELEASE);
	raw_syscall6(SYS_futex, (long)&ctl->ready, FUTEX_WAKE, 1, 0, 0, 0);
	while (!__atomic_load_n(&ctl->go, __ATOMIC_ACQUIRE))
		raw_syscall6(SYS_futex, (long)&ctl->go, FUTEX_WAIT, 0, 0, 0, 0);

	if (ctl->op == OP_KCMP_PROBE) {
		kcmp_probe(ctl, s);
		goto out;
	}
	if (err)
		goto out;
	/* CPU time, not wall time, is what an op costs when the machine is shared: the
	 * worker's own thread clock from here to the end. */
	cpu0 = raw_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	while (!__atomic_load_n(&ctl->stop, __ATOMIC_RELAXED)) {
		long r;
		if (--countdown == 0) {
			int64_t t0 = raw_now_ns();
			r = run_op(ctl, arg->index, own_fd, buf);
			int64_t dt = raw_now_ns() - t0 - (int64_t)clock_ns;
			if (n == CW_MAX_SAMPLES)
				decimate(s, &n, &every);
			s->sample_ns[n++] = dt < 0	      ? 0
					    : dt > UINT32_MAX ? UINT32_MAX
							      : (uint32_t)dt;
			countdown = every;
		} else {
			r = run_op(ctl, arg->index, own_fd, buf);
		}
		if (r < 0) {
			/* After stop, a sibling may already be gone (prlimit-sibling: -ESRCH). */
			if (!__atomic_load_n(&ctl->stop, __ATOMIC_RELAXED))
				err = r;
			break;
		}
		ops++;
	}
out:
	if (cpu0 >= 0)
		s->cpu_ns = (uint64_t)(raw_clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0);
	if (own_fd >= 0)
		raw_syscall1(SYS_close, own_fd);
	s->ops = ops;
	s->err = err;
	s->n_samples = n;
	s->sample_every = every;
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return err ? 1 : 0;
}
