/* The driver's side of the lab (lab/lab_proto.h): start it, give it commands, answer its
 * block events, watch the sample in flight for --sample-timeout, stop it. */
#ifndef SPAWNSCOPE_LAB_CLIENT_H
#define SPAWNSCOPE_LAB_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lab/lab_proto.h"

struct lab {
	pid_t pid;
	int sock;
	struct lab_shared *sh; /* the arena, mapped in both */
	uint64_t arena_off;    /* next free byte of the sample area */
	unsigned live;	       /* sample arrays handed out and not yet released */
	int64_t sample_timeout_ns;
	int64_t point_timeout_ns; /* a run longer than this is stopped and fails */
	int64_t deadline_ns;	  /* of the run in flight, 0 none */
	bool point_expired;	  /* the run in flight passed its deadline */
	bool dead;		  /* the lab exited: every call fails with -EPIPE */
	char why[256];		  /* the reason of the last failed command */
};

/* g_lab_stop and g_lab_pgrp, which lab_start sets for the signal handler: signals.h. */

/* Exec <exe_dir>/spawnscope-lab and wait for its hello. 0, or -errno (message printed).
 * The point timeout is set afterwards (l->point_timeout_ns, 0: none). */
int lab_start(const char *exe_dir, int64_t sample_timeout_ns, struct lab **out);
/* Ask it to quit, reap it, unmap. NULL is fine. */
void lab_stop(struct lab *l);

/* Answer one block event (LAB_EV_*): 0 to go on, -errno (why filled) to abort the run. */
typedef int (*lab_event_fn)(void *arg, const struct lab_msg *ev, char *why, size_t len);
struct lab_progress {
	const char *what; /* progress-line prefix; NULL: no progress line */
	bool tty;
};
/* Send *m, answer events with fn until the reply arrives in *m. 0 (m->rc is the command's
 * result), or -errno when the lab is gone (message printed). */
int lab_call(struct lab *l, struct lab_msg *m, lab_event_fn fn, void *arg,
	     const struct lab_progress *progress);

/* Room for a sample array in the arena; NULL when the arena is full. */
struct sample *lab_samples_alloc(struct lab *l, size_t cap, uint64_t *off);
void lab_samples_free(struct lab *l);

/* Parent state held by the lab. Each returns 0 or -errno with the lab's reason printed,
 * prefixed by what. */
struct lab_mem_info {
	uint64_t thp_bytes, map_size;
	unsigned nvmas;
};
int lab_hold_mem(struct lab *l, const char *what, int kind, uint64_t size, unsigned nvmas,
		 struct lab_mem_info *info);
int lab_release_mem(struct lab *l);
/* How many fds RLIMIT_NOFILE's hard limit lets the lab hold (*hard: that limit). */
int lab_fds_room(struct lab *l, const char *what, uint64_t want, uint64_t *room, uint64_t *hard);
int lab_hold_fds(struct lab *l, const char *what, uint64_t n, bool cloexec);
int lab_release_fds(struct lab *l, const char *what);
/* Load workers sharing with the lab as `sharing` says (lab/state/workers.h), released. */
int lab_start_load(struct lab *l, const char *what, int sharing, int op, int n,
		   uint32_t sample_every);
/* Stop and reap them; their counters in *r (u.load_r), and their whole control block
 * (struct cw_ctl, lab/state/ops.h) at lab_load_ctl() until the next load stops. */
int lab_stop_load(struct lab *l, const char *what, struct lab_msg *r);
static inline const void *lab_load_ctl(const struct lab *l)
{
	return (const char *)l->sh + LAB_CTL_OFF;
}
/* VmPTE of a fork child of the lab, and the write passes (parent_state.h); r->u.pf_r. */
int lab_postfork(struct lab *l, const char *what, unsigned reps, double max_seconds, bool passes,
		 struct lab_msg *r);
int lab_footprint(struct lab *l, struct lab_footprint *fp);

#endif
