/*
 * The contention experiment's operations and the worker loop that runs them.
 *
 * Workers share the parent's TLS when they share its memory (SHARE_VM, SHARE_THREAD: no
 * CLONE_SETTLS), so everything a worker runs is libc-free: raw syscalls (impls/rawsys.h) and
 * counters in the MAP_SHARED control block of workers.h.
 */
#ifndef SPAWNSCOPE_CONTENTION_OPS_H
#define SPAWNSCOPE_CONTENTION_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum cont_op {
	OP_DUP_CLOSE,  /* dup(own /dev/null fd) + close: alloc_fd/close_fd under files->file_lock */
	OP_OPEN_CLOSE, /* openat("/dev/null") + close: path walk + alloc_fd */
	OP_PIPE_CLOSE, /* pipe2 + two closes: two fds allocated per op */
	OP_READ_SHARED,	    /* 1-byte read of a shared /dev/zero fd: fdget fast/slow path */
	OP_GETRLIMIT,	    /* getrlimit(RLIMIT_NOFILE) */
	OP_SETRLIMIT,	    /* lower the soft RLIMIT_NOFILE by one, then restore it */
	OP_PRLIMIT_SIBLING, /* prlimit64(sibling, RLIMIT_NOFILE, same soft/hard): a remote write */
	OP_SPAWN_FAULTS,    /* spawn under load: the other workers page-fault fresh memory */
	OP_SPAWN_FDS,	    /* spawn under load: the other workers dup/close in a loop */
	OP__N,
	/* Not selectable: what the load workers of the spawn ops run, and a test hook. */
	OP_FAULT_CYCLE = OP__N, /* mmap FAULT_BYTES, touch each page, munmap: mmap_lock */
	OP_KCMP_PROBE,		/* record kcmp(KCMP_FILES/KCMP_VM) against the parent, exit */
	OP__ALL
};
extern const char *const cont_op_names[OP__N + 1]; /* NULL-terminated, --ops names */

/* Pages one OP_FAULT_CYCLE maps and touches. */
#define FAULT_PAGES 64

static inline bool cont_op_is_spawn(int op)
{
	return op == OP_SPAWN_FAULTS || op == OP_SPAWN_FDS;
}
/* What the background workers of a spawn op run. */
static inline int cont_spawn_load_op(int op)
{
	return op == OP_SPAWN_FAULTS ? OP_FAULT_CYCLE : OP_DUP_CLOSE;
}
/* Name of what one op is for a point ("dup+close", "fault cycle of 64 pages", ...). */
const char *cont_op_unit(int op);

/* One worker's slot in the shared control block, on its own cache lines. */
#define CW_MAX_SAMPLES 4096
#define CW_MAX_CPUS 1024
struct cw_slot {
	volatile uint64_t ops;	     /* operations completed, published when the worker stops */
	volatile int64_t err;	     /* -errno of the first failed operation, 0 if none */
	volatile int32_t done;	     /* 1 once ops/err/samples are final */
	volatile int32_t tid;	     /* the worker's own tid (raw gettid) */
	volatile int64_t kcmp_files; /* OP_KCMP_PROBE: kcmp result against the parent */
	volatile int64_t kcmp_vm;
	volatile uint64_t clock_ns; /* cheapest clock_gettime pair the worker saw */
	volatile uint64_t cpu_ns;   /* the worker's own CPU time from go to stop (THREAD_CPUTIME) */
	volatile uint32_t n_samples;
	volatile uint32_t sample_every; /* final stride (1 op timed out of sample_every) */
	uint32_t sample_ns[CW_MAX_SAMPLES];
} __attribute__((aligned(64)));

struct cw_ctl {
	volatile int32_t go;	/* futex: 0 until every worker is ready, then 1 */
	volatile int32_t ready; /* workers waiting at the barrier */
	volatile int32_t stop;	/* set by the parent when the duration is over */
	int32_t op;		/* enum cont_op every worker runs */
	int32_t n;		/* workers */
	int32_t shared_fd;	/* /dev/zero, read by read-shared */
	int32_t parent_pid;	/* for OP_KCMP_PROBE */
	uint64_t nofile_soft;	/* RLIMIT_NOFILE at start: what setrlimit restores */
	uint64_t nofile_hard;
	uint32_t sample_every;	   /* initial stride of latency sampling */
	int32_t n_cpus;		   /* CPUs the driver may run on; worker i is pinned to */
	int16_t cpus[CW_MAX_CPUS]; /* cpus[i % n_cpus] (as will-it-scale does); 0: no pinning */
	int32_t pids[256];	   /* worker pids/tids, for prlimit-sibling (filled at start) */
	struct cw_slot slot[];	   /* n of them */
};
#define CW_MAX_WORKERS 256

struct cw_arg {
	struct cw_ctl *ctl;
	int index;
};

/* The body of every worker (clone_start's fn): barrier, loop until ctl->stop, publish. */
int cw_worker_main(void *arg);

#endif
