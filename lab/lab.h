/* The lab process's own parts (lab_main.c, lab_channel.c, lab_loop.c, lab_state.c,
 * lab_footprint.c). */
#ifndef SPAWNSCOPE_LAB_H
#define SPAWNSCOPE_LAB_H

#include <stdbool.h>
#include <stdint.h>

#include "lab_proto.h"

/* The shared arena (mapped MADV_DONTFORK) and the socket to the driver (lab_channel.c). */
extern struct lab_shared *lab_sh;
extern int lab_sock;

/* Send one message to the driver; for events, wait for its LAB_REPLY into *m.
 * 0 or -errno (the driver is gone: the lab exits). */
int lab_send(const struct lab_msg *m);
int lab_event(struct lab_msg *m);
/* Receive one message from the driver. 0 or -errno (-EPIPE: it closed the socket). */
int lab_recv(struct lab_msg *m);

/* LAB_RUN and LAB_ONE (lab_loop.c). lab_loop_init makes the stamp pipe. */
int lab_loop_init(void);
int lab_run(void);			       /* enum exp_status */
int lab_one(uint32_t arm, struct sample *out); /* 0 or -errno (the arm cannot be set up) */

/* Parent state (lab_state.c): each handler fills the reply in place. */
void lab_mem_alloc(struct lab_msg *m);
void lab_mem_free(struct lab_msg *m);
void lab_fds_open(struct lab_msg *m);
void lab_fds_close(struct lab_msg *m);
void lab_load_start(struct lab_msg *m);
void lab_load_stop(struct lab_msg *m);
void lab_postfork(struct lab_msg *m);
/* Before a block of an arm: put the held fds' FD_CLOEXEC as the arm wants. 0 or -errno. */
int lab_fds_apply(int cloexec);
/* Release everything held (at LAB_QUIT and on errors). */
void lab_state_release(void);

/* /proc/self of the lab (lab_footprint.c). 0 or -errno. */
int lab_footprint_read(struct lab_footprint *fp);

#endif
