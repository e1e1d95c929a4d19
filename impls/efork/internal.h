/* efork internals: the context record and the two transports behind impls/efork/efork.h. */
#ifndef SPAWNSCOPE_EFORK_INT_H
#define SPAWNSCOPE_EFORK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impls/targets/efork_proto.h"

/* Commands per round trip (deferred mode fills a batch before it flushes). */
#define EFORK_BATCH 16
/* Bytes of path strings one embryo batch can carry (a longer path gets a batch of its own). */
#define EFORK_ARENA 8192
/* A path the child may resolve: PATH_MAX including the NUL. */
#define EFORK_PATH_MAX 4096

enum ectx_state { ECTX_UNSTARTED, ECTX_STARTED, ECTX_DEAD };

struct emb_region; /* embryo.c: stack + shared command block */

struct ectx {
	int fd; /* the pidfd = the context */
	pid_t pid;
	unsigned flags;
	enum ectx_state state;
	bool defer;
	bool spin;  /* the caller may run on another CPU than the child: spin before sleeping */
	long steps; /* set-up calls since efork */
	long failed_step; /* for ectx_failed_step */
	int pending_err;  /* deferred: -errno found on the caller's side at pending_step */
	long pending_step;
	uint64_t start_mask; /* kernel sigset the program starts with */
	/* commands sent but not yet answered, and the set-up call each belongs to */
	uint32_t nq;
	long q_step[EFORK_BATCH];
	int chan;		/* the caller's end of the child's AF_UNIX channel, or -1 */
	struct emb_region *emb; /* the embryo's stack and shared block, NULL once released */
	uint32_t seq;		/* last batch posted to the embryo */
};

/* ---- embryo.c: the CLONE_VM embryo ---- */
/* Create the embryo for c (fills fd, pid, emb, spin). 0 or -errno. */
int emb_create(struct ectx *c);
/* Queue cmd (parent_fd: the fd to send with EOP_DUP2) as set-up call `step`; with sync, flush.
 * 0 or -errno with *failed_step. */
int emb_submit(struct ectx *c, const struct ecmd *cmd, int parent_fd, long step, bool sync,
	       long *failed_step);
/* One round trip for the queued commands. 0 or -errno with *failed_step. */
int emb_flush(struct ectx *c, long *failed_step);
/* Queued commands, then execve in the embryo. 0: started (stack released); -errno with
 * *failed_step (-1: the exec itself). keep_chan: the helper start of EFORK_BLANK (the embryo's
 * channel end stays open across this exec and its number becomes argv[1]). */
int emb_exec(struct ectx *c, const char *path, char *const argv[], char *const envp[],
	     bool keep_chan, long *failed_step);
/* Make sure c->chan holds the caller's end of the embryo's channel. 0 or -errno. */
int emb_fetch_chan(struct ectx *c);
/* The embryo's own number of its channel end (valid after emb_fetch_chan). */
int emb_chan_number(struct ectx *c);
/* Kill (unless started) and reap; return the stack. */
void emb_destroy(struct ectx *c);
/* Give the stack back once the embryo has left the shared mm (exec or exit). */
void emb_release(struct ectx *c);

/* ---- blank.c: the helper behind EFORK_BLANK ---- */
int blank_create(struct ectx *c);
int blank_submit(struct ectx *c, const struct ecmd *cmd, int parent_fd, long step, bool sync,
		 long *failed_step);
int blank_flush(struct ectx *c, long *failed_step);
int blank_exec(struct ectx *c, const char *path, char *const argv[], char *const envp[],
	       long *failed_step);

/* ---- wire.c: sending on the channel ---- */
/* sendmsg with an optional fd (SCM_RIGHTS) and MSG_NOSIGNAL: 0 or -errno (EPIPE/ECONNRESET
 * become -ESRCH: the child is gone). */
int ewire_send(int sock, const void *buf, size_t len, int fd);
/* The same with the message in two pieces (header and payload). */
int ewire_send2(int sock, const void *a, size_t alen, const void *b, size_t blen, int fd);
/* Kill (SIGKILL through the pidfd) and reap the child of c. */
void ectx_kill_reap(struct ectx *c);
/* waitid(P_PIDFD) turned into a wait status. 0 or -errno. */
int ectx_waitid(int pidfd, int *status, int options);

#endif
