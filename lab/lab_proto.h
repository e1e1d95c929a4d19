/*
 * The contract between the driver and the lab (build/spawnscope-lab).
 *
 * The lab is the only process that spawns measured children. It is exec'd from its own
 * minimal binary (libc and libdl only), so a fork of it copies nothing of the driver's
 * libbpf/jansson/libcpuid state, heap or results tree: the parent of every measured child
 * holds exactly what the experiment configured (memory, fds, load workers) plus a small,
 * recorded and constant baseline (its footprint).
 *
 * Two channels:
 *  - a SOCK_SEQPACKET socket (fd LAB_SOCK_FD in the lab): one struct lab_msg per command,
 *    one reply per command; during LAB_RUN the lab also sends block events the driver answers
 *    (probe attach/detach and record collection happen in the driver, between blocks);
 *  - a shared memfd (LAB_ARENA_FD in the lab, mapped MAP_SHARED in both): struct lab_shared
 *    (the arms of a run, the plan, the stop flag, the sample in flight) and the sample
 *    arrays. The lab maps it MADV_DONTFORK, so its children never copy it (dup_mmap skips
 *    VM_DONTCOPY), and writes only the samples it takes: nothing grows while a point runs.
 */
#ifndef SPAWNSCOPE_LAB_PROTO_H
#define SPAWNSCOPE_LAB_PROTO_H

#include <stdint.h>
#include <sys/types.h>

#define LAB_PROTO_VERSION 1u
#define LAB_MAGIC 0x4c414231u /* "LAB1" */
#define LAB_SOCK_FD 3
#define LAB_ARENA_FD 4
/* Sparse: only the pages written are allocated (sample arrays of one point, a few MB);
 * the size bounds samples x arms of one point (≈ 89 million samples of 48 bytes). */
#define LAB_ARENA_BYTES (4ull << 30)
#define LAB_CTL_OFF (1ull << 20)      /* a copy of the load workers' control block */
#define LAB_CTL_BYTES (15ull << 20)   /* (256 workers' counters and latency samples) */
#define LAB_SAMPLES_OFF (16ull << 20) /* sample arrays start here */
#define LAB_MAX_ARMS 64
#define LAB_ARM_OPS 8
#define LAB_MAX_WORKERS 256
#define LAB_MAX_REPS 16

enum metric { M_RETURN, M_FIRST, M_REAPED, M__N };

struct sample {
	int64_t t[M__N]; /* ns; -1 when not measured */
	pid_t pid;
	int32_t err;	       /* 0, or -errno of a failed spawn/exec/reap (-ETIMEDOUT: killed) */
	uint32_t block;	       /* index of the block (round) it was taken in */
	uint16_t pos_in_block; /* 0: the first sample after an arm switch (left out of stats) */
	int16_t cpu_parent;    /* CPU the parent called spawn on, -1 unknown */
	int16_t cpu_child;     /* CPU the child stamped on, -1 unknown */
};

/* What the lab process holds, read from /proc/self at the start and end of a run. */
struct lab_footprint {
	int64_t rss_anon_bytes; /* RssAnon: private memory a fork copies the page tables of */
	int64_t vmas;		/* lines of /proc/self/maps: dup_mmap walks each */
	int64_t fds;		/* open fds: dup_fd copies the table */
	int64_t threads;
};

/* One fd action of an arm (struct spawn_fd_op with the path inline). */
struct lab_fd_op {
	int32_t kind, fd, newfd, oflag;
	uint32_t mode;
	char path[256];
};

struct lab_arm {
	/* set by the driver */
	char backend[96]; /* a built-in backend's name, or "" with plugin set */
	char plugin[512]; /* a plug-in's path (the lab loads it itself) */
	char label[96];
	uint32_t share;
	int32_t exec;
	int32_t fds_cloexec; /* -1: leave the lab's fd set as it is; 0/1: FD_CLOEXEC off/on */
	int32_t probes;	     /* -1: leave the probes; 0/1: the driver detaches/attaches them */
	int32_t collect;     /* 1: the driver collects probe records after each block */
	uint32_t n_ops;
	struct lab_fd_op ops[LAB_ARM_OPS];
	uint64_t samples_off; /* struct sample[cap] at this arena offset */
	uint64_t cap;
	/* set by the lab */
	uint64_t n, failures;
	int32_t first_err;
	int32_t pad;
};

struct lab_plan {
	uint64_t samples; /* per arm */
	uint64_t warmup;  /* per arm, round-robin, discarded */
	uint64_t block;	  /* samples per arm per round */
	uint64_t seed;
};

struct lab_shared {
	uint32_t magic, version;
	volatile int32_t stop;		 /* the driver's signal handler sets it: finish, return */
	volatile int32_t child_pid;	 /* the sample in flight's child once spawn() returned */
	volatile uint64_t sample_seq;	 /* the lab counts samples: the one in flight */
	volatile int64_t sample_t0_ns;	 /* CLOCK_MONOTONIC start of the sample in flight, 0 none */
	volatile uint64_t timed_out_seq; /* the driver killed the child of that sample */
	volatile uint64_t done, total;	 /* progress of a run: samples taken, to take */
	int32_t n_workers;		 /* load workers alive (never timed-out targets) */
	int32_t worker_pids[LAB_MAX_WORKERS];
	/* a run */
	char target[4096];
	int32_t target_stamps;
	uint32_t n_arms;
	struct lab_plan plan;
	struct lab_footprint fp_start, fp_end;
	struct sample one; /* LAB_ONE's sample */
	struct lab_arm arms[LAB_MAX_ARMS];
};

enum lab_op {
	LAB_HELLO = 1,	/* lab -> driver once, at start: rc 0, u.hello */
	LAB_MEM_ALLOC,	/* u.mem -> u.mem_r: hold memory of a kind (memkind.h) */
	LAB_MEM_FREE,	/* release it */
	LAB_FDS_OPEN,	/* u.fds -> u.fds_r: hold n fds of /dev/null (RLIMIT_NOFILE raised) */
	LAB_FDS_CLOSE,	/* close them, restore RLIMIT_NOFILE */
	LAB_LOAD_START, /* u.load: start load workers sharing with the lab, release them */
	LAB_LOAD_STOP,	/* stop and reap them -> u.load_r */
	LAB_POSTFORK,	/* u.pf -> u.pf_r: VmPTE of a fork child and the write passes */
	LAB_RUN,	/* the plan in lab_shared -> rc = enum exp_status, with events */
	LAB_ONE,	/* u.one.arm: one sample of that arm into lab_shared.one */
	LAB_FOOTPRINT,	/* -> u.fp */
	LAB_QUIT,
	/* events during LAB_RUN (lab -> driver; the driver answers with LAB_REPLY, rc 0 to go
	 * on or -errno to abort the run with u.why) */
	LAB_EV_WARMED,	    /* warm-up done: forget its probe records */
	LAB_EV_BLOCK_BEGIN, /* u.ev: set the probes for arm u.ev.arm */
	LAB_EV_BLOCK_END,   /* u.ev: samples [start, start + n) of arm u.ev.arm are taken */
	LAB_REPLY,
};

struct lab_msg {
	uint32_t op;
	int32_t rc; /* replies: 0 or -errno (LAB_RUN: enum exp_status) */
	union {
		struct {
			int32_t pid, version;
		} hello;
		struct {
			uint32_t kind, nvmas;
			uint64_t size;
		} mem;
		struct {
			uint64_t thp_bytes, map_size;
			uint32_t nvmas;
		} mem_r;
		struct {
			uint64_t n;
			int32_t cloexec;
		} fds;
		struct {
			uint64_t n_open, room, hard_limit;
		} fds_r;
		struct {
			int32_t sharing, op, n;
			uint32_t sample_every;
		} load;
		struct {
			int64_t t_go, t_stop;
			int32_t n, status_failed;
			uint64_t ops[LAB_MAX_WORKERS];
			int64_t err[LAB_MAX_WORKERS];
			uint64_t ctl_size; /* bytes of struct cw_ctl copied at LAB_CTL_OFF */
		} load_r;
		struct {
			uint32_t reps;
			int32_t passes;
			double max_seconds;
		} pf;
		struct {
			uint32_t n;
			int32_t passes;
			double vmpte_kb[LAB_MAX_REPS], no_child_ns[LAB_MAX_REPS],
			    child_alive_ns[LAB_MAX_REPS], after_exit_ns[LAB_MAX_REPS],
			    post_fork_ns[LAB_MAX_REPS], post_exit_ns[LAB_MAX_REPS];
		} pf_r;
		struct {
			uint32_t arm, block;
			uint64_t start, n;
		} ev;
		struct {
			uint32_t arm;
		} one;
		struct lab_footprint fp;
		char why[256]; /* failed replies: what went wrong */
	} u;
};

_Static_assert(sizeof(struct lab_shared) <= LAB_CTL_OFF, "lab_shared overlaps the ctl copy");

#endif
