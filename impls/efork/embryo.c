/*
 * The efork embryo: a child created with clone3(CLONE_VM | CLONE_FILES | CLONE_PIDFD |
 * CLONE_CLEAR_SIGHAND | CLONE_CHILD_CLEARTID) on a stack of its own. It shares the caller's
 * memory, so it runs raw system calls only (no libc: errno, TLS and the heap are the caller's),
 * parks on a futex and applies the commands the caller leaves in a shared block.
 *
 *  - Empty fd table at no cost: CLONE_FILES shares the caller's table (no dup_fd), then
 *    close_range(0, ~0U, CLOSE_RANGE_UNSHARE) gives the embryo a fresh one; __close_range
 *    copies only the fds below the range start (unshare_fd with max_fds 0), i.e. none.
 *  - Installing a caller fd needs a channel into that private table: the embryo creates an
 *    AF_UNIX socketpair in it, the caller takes one end with pidfd_getfd (a parent may ptrace
 *    its child, so Yama scope 1 allows it) and sends fds with SCM_RIGHTS.
 *  - Signals: the caller blocks everything across the clone, so the embryo starts with every
 *    signal blocked; CLONE_CLEAR_SIGHAND resets caught handlers to SIG_DFL in copy_sighand
 *    (flush_signal_handlers). The start mask is set just before execve.
 *  - The shared block holds the CLONE_CHILD_CLEARTID word: mm_release (at exec_mmap, or at
 *    exit) writes 0 there and FUTEX_WAKEs it, which tells the caller the embryo no longer uses
 *    the caller's memory: exec happened (or it died) and the stack can be reused.
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/kcmp.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "impls/rawsys.h"

/* ---- the block shared between caller and embryo ---------------------------------------- */

struct emb_shared {
	uint32_t go; /* caller -> embryo: sequence number of the posted batch (private futex) */
	uint32_t
	    done; /* embryo -> caller: sequence done; 0: left the mm (CLEARTID, shared futex) */
	uint32_t caller_waits; /* the caller sleeps on done: wake it */
	uint32_t embryo_waits; /* the embryo sleeps on go: wake it */
	int32_t caller_cpu;    /* CPU the caller spins on, -1 when it does not (see spinning) */
	int32_t embryo_cpu;    /* CPU the embryo runs on, -1 while it sleeps or has not started */
	uint32_t n;	       /* commands in the posted batch */
	int32_t err;	       /* outcome: 0 or -errno ... */
	uint32_t failed_at;    /* ... of command failed_at (== n when all succeeded) */
	int32_t chans[2];      /* embryo's numbers: [0] its end, [1] the end the caller takes */
	int32_t close_peer;    /* the caller holds its copy of chans[1]: the embryo may close it */
	int32_t init_err;      /* why the embryo could not start (then it exits, done -> 0) */
	int32_t caller_tgid;
	int32_t keep_chan;   /* EFORK_BLANK: chans[0] stays open across the exec */
	uint64_t spin_ticks; /* how long the embryo spins before sleeping (0: never) */
	uint32_t may_yield;  /* the caller saw no sign of load: one sched_yield per wait is cheap */
	const char *exec_path;
	char *const *exec_argv;
	char *const *exec_envp;
	uint32_t arena_used;
	struct ecmd cmds[EFORK_BATCH];
	char arena[EFORK_ARENA];
};

struct emb_region {
	struct emb_shared sh;
	void *base; /* the whole mapping: guard page, stack, this block */
	size_t len;
	char helper_arg[16]; /* EFORK_BLANK: argv[1] of the helper */
	char *helper_argv[3];
};

/* ---- ticks, for bounded spinning -------------------------------------------------------- */

static inline uint64_t ticks(void)
{
#if defined(__x86_64__)
	return __builtin_ia32_rdtsc();
#else
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
#endif
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("yield" ::: "memory");
#endif
}

static uint64_t ticks_per_us = 1;

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void ticks_calibrate(void)
{
	int64_t t0 = mono_ns();
	uint64_t k0 = ticks();
	while (mono_ns() - t0 < 100000)
		cpu_relax();
	uint64_t k1 = ticks();
	int64_t t1 = mono_ns();
	uint64_t per = (k1 - k0) * 1000 / (uint64_t)(t1 - t0);
	ticks_per_us = per ? per : 1;
}

/*
 * Spinning. Sleeping on a futex costs a wake-up (an IPI, a context switch) on each side of each
 * hand-off, so a side that waits spins first — but only while the other side is known to be
 * running on another CPU. A freshly forked embryo is queued on the caller's own CPU (measured
 * here: every time), and a woken one is usually placed on its waker's (wake_affine): spinning
 * there would keep it off the CPU for the whole budget, and yielding in a loop hands the CPU
 * to whatever else is runnable for a slice per yield (milliseconds each on a loaded machine).
 * So each side publishes the CPU it spins on (-1 while it sleeps or has not run yet), spins
 * with `pause` while the other side's CPU is known and different, yields once otherwise (the
 * cheap hand-over when both share a CPU) unless the caller's thread saw a sign of load (a wait
 * that took over EMB_SLOW_WAIT_US: then no yields for EMB_YIELD_BACKOFF_MS), and then sleeps.
 * Budgets: the embryo waits for the caller's next call (µs of caller work); the caller waits for a
 * batch (µs) or an exec (tens of µs).
 */
#define EMB_SPIN_EMBRYO_US 50
#define EMB_SPIN_CALLER_US 300
#define EMB_SLOW_WAIT_US 1000
#define EMB_YIELD_BACKOFF_MS 100

/* ---- the embryo (raw system calls only from here to embryo_main) ------------------------ */

static inline void embryo_publish(struct emb_shared *sh, uint32_t seq)
{
	__atomic_store_n(&sh->done, seq, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sh->caller_waits, __ATOMIC_SEQ_CST))
		raw_syscall3(SYS_futex, &sh->done, FUTEX_WAKE, 1);
}

/* The caller no longer uses the mm we share (it exec'd): kcmp(KCMP_VM) says the two differ.
 * Without kcmp (ENOSYS, EPERM) we cannot tell and keep waiting. */
static inline bool embryo_orphaned(void)
{
	long self = raw_syscall0(SYS_getpid), parent = raw_syscall0(SYS_getppid);
	return raw_syscall5(SYS_kcmp, self, parent, KCMP_VM, 0, 0) > 0;
}

static inline int32_t embryo_cpu_now(void)
{
	unsigned cpu;
	return raw_syscall3(SYS_getcpu, &cpu, 0, 0) < 0 ? -1 : (int32_t)cpu;
}

static inline uint32_t embryo_wait_go(struct emb_shared *sh, uint32_t seen, int32_t me)
{
	uint32_t g;
	if (sh->spin_ticks && me >= 0) {
		uint64_t t0 = ticks();
		bool yielded = false;
		do {
			g = __atomic_load_n(&sh->go, __ATOMIC_ACQUIRE);
			if (g != seen)
				return g;
			int32_t cc = __atomic_load_n(&sh->caller_cpu, __ATOMIC_RELAXED);
			if (cc < 0 || cc == me) { /* the caller is not spinning elsewhere */
				if (yielded || !sh->may_yield)
					break;
				raw_syscall0(SYS_sched_yield);
				yielded = true;
				continue;
			}
			cpu_relax();
		} while (ticks() - t0 < sh->spin_ticks);
	}
	__atomic_store_n(&sh->embryo_cpu, -1, __ATOMIC_RELAXED);
	/* Wake now and then to check the caller still shares our mm: a caller that execs (in the
	 * thread that created us, so no parent-death signal) will never post again. */
	struct timespec tick = {.tv_sec = 2};
	for (;;) {
		__atomic_store_n(&sh->embryo_waits, 1, __ATOMIC_SEQ_CST);
		g = __atomic_load_n(&sh->go, __ATOMIC_SEQ_CST);
		if (g != seen)
			break;
		long r = raw_syscall4(SYS_futex, &sh->go, FUTEX_WAIT_PRIVATE, seen, &tick);
		if (r == -ETIMEDOUT && embryo_orphaned())
			raw_exit(127);
	}
	__atomic_store_n(&sh->embryo_waits, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->embryo_cpu, embryo_cpu_now(), __ATOMIC_RELAXED);
	return g;
}

/* The fd the caller sent for an EOP_DUP2 (already queued: the caller sends before posting). */
static inline long embryo_recv_fd(int chan)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	long r = raw_syscall3(SYS_recvmsg, chan, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (r < 0)
		return r;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return (msg.msg_flags & MSG_CTRUNC) ? -EMFILE : -EBADMSG;
	return *(const int *)(const void *)CMSG_DATA(cm);
}

static inline long embryo_exec(struct emb_shared *sh, const struct ecmd *c)
{
	uint64_t all = efork_all_signals;
	if (sh->keep_chan)
		raw_syscall3(SYS_fcntl, sh->chans[0], F_SETFD, 0);
	else /* the program must not inherit our parent-death signal (exec keeps it) */
		raw_syscall2(SYS_prctl, PR_SET_PDEATHSIG, 0);
	raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &c->cur, 0, EFORK_KSIGSET);
	long r = raw_syscall3(SYS_execve, sh->exec_path, sh->exec_argv, sh->exec_envp);
	raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, EFORK_KSIGSET);
	if (sh->keep_chan)
		raw_syscall3(SYS_fcntl, sh->chans[0], F_SETFD, FD_CLOEXEC);
	else
		raw_syscall2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	return r;
}

static inline void embryo_run_batch(struct emb_shared *sh)
{
	uint32_t n = sh->n, i;
	long err = 0;
	if (sh->close_peer && sh->chans[1] >= 0) {
		eraw_close(sh->chans[1]);
		sh->chans[1] = -1;
	}
	for (i = 0; i < n; i++) {
		const struct ecmd *c = &sh->cmds[i];
		if (c->op == EOP_EXEC) {
			err = embryo_exec(sh, c);
			break; /* returns only on failure */
		}
		long rfd = c->op == EOP_DUP2 ? embryo_recv_fd(sh->chans[0]) : 0;
		err = eapply(c, rfd, sh->chans, 2);
		if (err < 0)
			break;
	}
	/* Commands after a failure are not applied, but their fds are in the channel: drop them
	 * so the next batch receives its own. */
	for (uint32_t j = i + 1; j < n; j++)
		if (sh->cmds[j].op == EOP_DUP2) {
			long fd = embryo_recv_fd(sh->chans[0]);
			if (fd >= 0)
				eraw_close((int)fd);
		}
	sh->err = (int32_t)err;
	sh->failed_at = i;
}

static __attribute__((noreturn)) void embryo_fail(struct emb_shared *sh, long err)
{
	sh->init_err = (int32_t)err;
	raw_exit(127); /* mm_release clears done and wakes the caller */
}

static int embryo_main(void *arg)
{
	struct emb_shared *sh = arg;
	long r = raw_syscall3(SYS_close_range, 0, ~0U, CLOSE_RANGE_UNSHARE);
	if (r < 0)
		embryo_fail(sh, r);
	/* Die with the caller's thread rather than park forever holding its mm. */
	r = raw_syscall2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	if (r < 0)
		embryo_fail(sh, r);
	if (raw_syscall0(SYS_getppid) != sh->caller_tgid)
		embryo_fail(sh, -ESRCH);
	int sv[2];
	r = raw_syscall4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	if (r < 0)
		embryo_fail(sh, r);
	sh->chans[0] = sv[0];
	sh->chans[1] = sv[1];
	int32_t me = embryo_cpu_now();
	__atomic_store_n(&sh->embryo_cpu, me, __ATOMIC_RELAXED);
	uint32_t seen = __atomic_load_n(&sh->go, __ATOMIC_ACQUIRE);
	embryo_publish(sh, seen);
	for (;;) {
		seen = embryo_wait_go(sh, seen, me);
		me = __atomic_load_n(&sh->embryo_cpu, __ATOMIC_RELAXED);
		embryo_run_batch(sh);
		embryo_publish(sh, seen);
	}
}

/* ---- clone3 with a stack of our own --------------------------------------------------- */

/* long efork_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg)
 * glibc's syscall() cannot be used: the child would return through the new, empty stack.
 * In the child, fn(arg) runs on the new stack and its return value is passed to exit. */
long efork_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
#if defined(__x86_64__)
__asm__(".text\n"
	".globl efork_clone3\n"
	".hidden efork_clone3\n"
	".type efork_clone3,@function\n"
	"efork_clone3:\n"
	"	mov %rdx, %r8\n" /* fn and arg survive the syscall in r8/r9 */
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n" /* __NR_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n" /* child: the stack top is 16-aligned, call pushes 8 */
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n" /* __NR_exit */
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size efork_clone3, .-efork_clone3\n");
#elif defined(__aarch64__)
__asm__(".text\n"
	".globl efork_clone3\n"
	".hidden efork_clone3\n"
	".type efork_clone3,%function\n"
	"efork_clone3:\n"
	"	mov x10, x2\n"
	"	mov x11, x3\n"
	"	mov x8, #435\n"
	"	svc #0\n"
	"	cbnz x0, 1f\n"
	"	mov x29, xzr\n"
	"	mov x30, xzr\n"
	"	mov x0, x11\n"
	"	blr x10\n"
	"	mov x8, #93\n"
	"	svc #0\n"
	"	brk #0\n"
	"1:	ret\n"
	".size efork_clone3, .-efork_clone3\n");
#endif

/* ---- stacks: a small per-thread cache ---------------------------------------------------- */

#define EMB_STACK (64 * 1024)
#define EMB_CACHE 4

static __thread struct emb_region *emb_cache[EMB_CACHE];
static __thread unsigned emb_ncache;
static __thread bool emb_cache_keyed;
static pthread_key_t emb_key;
static pthread_once_t emb_key_once = PTHREAD_ONCE_INIT;
static size_t page_size;

static void emb_cache_drain(void *unused)
{
	(void)unused;
	while (emb_ncache) {
		struct emb_region *r = emb_cache[--emb_ncache];
		munmap(r->base, r->len);
	}
}

static void emb_key_init(void)
{
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	pthread_key_create(&emb_key, emb_cache_drain);
	ticks_calibrate();
}

static size_t round_page(size_t n)
{
	return (n + page_size - 1) & ~(page_size - 1);
}

static struct emb_region *region_get(void)
{
	pthread_once(&emb_key_once, emb_key_init);
	if (emb_ncache)
		return emb_cache[--emb_ncache];
	size_t stack = round_page(EMB_STACK), block = round_page(sizeof(struct emb_region));
	size_t len = page_size + stack + block;
	char *base = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base, page_size, PROT_NONE) < 0) { /* guard below the stack */
		munmap(base, len);
		return NULL;
	}
	struct emb_region *r = (struct emb_region *)(void *)(base + page_size + stack);
	r->base = base;
	r->len = len;
	return r;
}

static void region_put(struct emb_region *r)
{
	if (emb_ncache < EMB_CACHE) {
		if (!emb_cache_keyed) { /* drain this thread's cache when it exits */
			pthread_setspecific(emb_key, (void *)1);
			emb_cache_keyed = true;
		}
		emb_cache[emb_ncache++] = r;
		return;
	}
	munmap(r->base, r->len);
}

/* ---- the caller's side ------------------------------------------------------------------- */

static bool may_spin(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return false;
	return CPU_COUNT(&set) > 1;
}

static uint32_t next_seq(uint32_t s)
{
	return ++s ? s : 1; /* 0 is the CLEARTID value */
}

/* Yields are off in this thread until then (ticks): it saw a slow wait, a sign that other
 * work competes for its CPU and a yield would cost a whole slice. */
static __thread uint64_t yields_off_until;

static bool yield_allowed(void)
{
	return ticks() >= yields_off_until;
}

/* Spin (see above), then sleep on the futex. */
static int wait_done_inner(struct ectx *c, uint32_t want)
{
	struct emb_shared *sh = &c->emb->sh;
	uint32_t d;
	if (c->spin) {
		int32_t me = sched_getcpu();
		__atomic_store_n(&sh->caller_cpu, me, __ATOMIC_RELAXED);
		uint64_t t0 = ticks(), budget = EMB_SPIN_CALLER_US * ticks_per_us;
		bool yielded = false;
		do {
			d = __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE);
			if (d == want || d == 0)
				return d ? 0 : -ESRCH;
			int32_t ec = __atomic_load_n(&sh->embryo_cpu, __ATOMIC_RELAXED);
			if (ec < 0 || ec == me) { /* not running elsewhere: probably queued here */
				if (yielded || !yield_allowed())
					break;
				sched_yield();
				yielded = true;
				continue;
			}
			cpu_relax();
		} while (ticks() - t0 < budget);
	}
	__atomic_store_n(&sh->caller_cpu, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->caller_waits, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		d = __atomic_load_n(&sh->done, __ATOMIC_SEQ_CST);
		if (d == want || d == 0)
			break;
		/* shared futex: the kernel's CLEARTID wake (mm_release) is FUTEX_WAKE without
		 * FUTEX_PRIVATE_FLAG, and private and shared keys differ */
		syscall(SYS_futex, &sh->done, FUTEX_WAIT, d, NULL, NULL, 0);
	}
	__atomic_store_n(&sh->caller_waits, 0, __ATOMIC_RELAXED);
	return d ? 0 : -ESRCH;
}

/* Wait until done == want (0) or 0 (-ESRCH: the embryo left the mm). */
static int wait_done(struct ectx *c, uint32_t want)
{
	uint64_t t0 = ticks();
	int r = wait_done_inner(c, want);
	uint64_t t1 = ticks();
	if (t1 - t0 > EMB_SLOW_WAIT_US * ticks_per_us)
		yields_off_until = t1 + EMB_YIELD_BACKOFF_MS * 1000 * ticks_per_us;
	return r;
}

/* The embryo has left: why (its start-up error, if it never got going). */
static int embryo_gone(struct ectx *c)
{
	c->state = ECTX_DEAD;
	int e = c->emb->sh.init_err;
	return e ? e : -ESRCH;
}

int emb_create(struct ectx *c)
{
	struct emb_region *r = region_get();
	if (!r)
		return -ENOMEM;
	struct emb_shared *sh = &r->sh;
	sh->go = 1;
	sh->done = 2; /* the embryo publishes go's value (1) once it is ready */
	sh->caller_waits = sh->embryo_waits = 0;
	sh->caller_cpu = sh->embryo_cpu = -1;
	sh->n = 0;
	sh->chans[0] = sh->chans[1] = -1;
	sh->close_peer = 0;
	sh->init_err = 0;
	sh->keep_chan = 0;
	sh->arena_used = 0;
	sh->caller_tgid = getpid();
	c->spin = may_spin();
	sh->spin_ticks = c->spin ? EMB_SPIN_EMBRYO_US * ticks_per_us : 0;
	sh->may_yield = c->spin && yield_allowed();
	c->emb = r;
	c->seq = 1;
	c->chan = -1;

	int pidfd = -1;
	struct clone_args args = {
	    .flags =
		CLONE_VM | CLONE_FILES | CLONE_PIDFD | CLONE_CLEAR_SIGHAND | CLONE_CHILD_CLEARTID,
	    .pidfd = (uintptr_t)&pidfd,
	    .child_tid = (uintptr_t)&sh->done,
	    .exit_signal = SIGCHLD,
	    .stack = (uintptr_t)r->base + page_size,
	    .stack_size = (uintptr_t)sh - ((uintptr_t)r->base + page_size),
	};
	/* Block every signal (raw: glibc's sigprocmask keeps its internal ones open) so that the
	 * embryo starts with all blocked; its start mask is the one the caller had. */
	uint64_t all = efork_all_signals, old;
	raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, EFORK_KSIGSET);
	long pid = efork_clone3(&args, sizeof(args), embryo_main, sh);
	raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, EFORK_KSIGSET);
	if (pid < 0) {
		region_put(r);
		c->emb = NULL;
		return (int)pid;
	}
	c->pid = (pid_t)pid;
	c->fd = pidfd;
	c->start_mask = old;
	return 0;
}

/* Wait until the embryo has its channel (its start-up). */
static int emb_ready(struct ectx *c)
{
	if (__atomic_load_n(&c->emb->sh.done, __ATOMIC_ACQUIRE) == c->seq)
		return 0;
	return wait_done(c, c->seq) < 0 ? embryo_gone(c) : 0;
}

int emb_fetch_chan(struct ectx *c)
{
	if (c->chan >= 0)
		return 0;
	int e = emb_ready(c);
	if (e)
		return e;
	int fd = (int)syscall(SYS_pidfd_getfd, c->fd, c->emb->sh.chans[1], 0);
	if (fd < 0)
		return -errno;
	c->chan = fd; /* close-on-exec: pidfd_getfd sets O_CLOEXEC */
	c->emb->sh.close_peer = 1;
	return 0;
}

int emb_chan_number(struct ectx *c)
{
	return c->emb->sh.chans[0];
}

/* Post the queued batch and wait for it. */
static int emb_round_trip(struct ectx *c, long *failed_step, bool exec)
{
	struct emb_shared *sh = &c->emb->sh;
	int e = emb_ready(c);
	if (e)
		return e;
	uint32_t n = c->nq;
	sh->n = n;
	c->seq = next_seq(c->seq);
	sh->may_yield = c->spin && yield_allowed();
	__atomic_store_n(&sh->go, c->seq, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sh->embryo_waits, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &sh->go, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	c->nq = 0;
	sh->arena_used = 0;
	if (wait_done(c, c->seq) < 0) {
		if (exec) { /* mm_release at exec_mmap: the program runs */
			*failed_step = -1;
			return 0;
		}
		return embryo_gone(c);
	}
	if (!sh->err)
		return 0;
	uint32_t at = sh->failed_at;
	*failed_step = at < n ? c->q_step[at] : -1;
	return sh->err;
}

int emb_flush(struct ectx *c, long *failed_step)
{
	if (!c->nq)
		return 0;
	return emb_round_trip(c, failed_step, false);
}

static int emb_queue(struct ectx *c, const struct ecmd *cmd, long step, long *failed_step)
{
	struct emb_shared *sh = &c->emb->sh;
	size_t plen = cmd->path ? strnlen(cmd->path, EFORK_PATH_MAX) + 1 : 0;
	if (plen > EFORK_PATH_MAX)
		return -ENAMETOOLONG;
	if (c->nq == EFORK_BATCH || sh->arena_used + plen > EFORK_ARENA) {
		int e = emb_round_trip(c, failed_step, false);
		if (e)
			return e;
	}
	struct ecmd *q = &sh->cmds[c->nq];
	*q = *cmd;
	if (plen) {
		char *dst = sh->arena + sh->arena_used;
		memcpy(dst, cmd->path, plen);
		q->path = dst;
		sh->arena_used += (uint32_t)plen;
	}
	c->q_step[c->nq++] = step;
	return 0;
}

int emb_submit(struct ectx *c, const struct ecmd *cmd, int parent_fd, long step, bool sync,
	       long *failed_step)
{
	*failed_step = step;
	if (cmd->op == EOP_DUP2) {
		/* Flush first when the batch is full, so the fd sent now belongs to this batch. */
		if (c->nq == EFORK_BATCH) {
			int e = emb_round_trip(c, failed_step, false);
			if (e)
				return e;
			*failed_step = step;
		}
		int e = emb_fetch_chan(c);
		if (!e)
			e = ewire_send(c->chan, "", 1, parent_fd);
		if (e)
			return e;
	}
	int e = emb_queue(c, cmd, step, failed_step);
	if (e || !sync)
		return e;
	return emb_round_trip(c, failed_step, false);
}

int emb_exec(struct ectx *c, const char *path, char *const argv[], char *const envp[],
	     bool keep_chan, long *failed_step)
{
	struct emb_shared *sh = &c->emb->sh;
	struct ecmd x = {.op = EOP_EXEC, .cur = c->start_mask};
	if (keep_chan) {
		struct emb_region *r = c->emb;
		int e = emb_ready(c);
		if (e)
			return e;
		int n = sh->chans[0], len = 0;
		char tmp[12];
		do
			tmp[len++] = (char)('0' + n % 10);
		while ((n /= 10));
		for (int i = 0; i < len; i++)
			r->helper_arg[i] = tmp[len - 1 - i];
		r->helper_arg[len] = 0;
		r->helper_argv[0] = (char *)"efork_blank";
		r->helper_argv[1] = r->helper_arg;
		r->helper_argv[2] = NULL;
		argv = r->helper_argv;
		x.cur = efork_all_signals; /* the helper keeps everything blocked until its exec */
	}
	sh->exec_path = path;
	sh->exec_argv = argv;
	sh->exec_envp = envp;
	sh->keep_chan = keep_chan;
	if (c->nq == EFORK_BATCH) {
		int e = emb_round_trip(c, failed_step, false);
		if (e)
			return e;
	}
	sh->cmds[c->nq] = x;
	c->q_step[c->nq++] = -1;
	int e = emb_round_trip(c, failed_step, true);
	if (!e)
		emb_release(c);
	return e;
}

void emb_release(struct ectx *c)
{
	if (!c->emb)
		return;
	region_put(c->emb);
	c->emb = NULL;
}

void emb_destroy(struct ectx *c)
{
	if (c->state != ECTX_STARTED)
		ectx_kill_reap(c);
	emb_release(c);
}
