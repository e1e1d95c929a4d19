/* Signal dispositions of the driver and the gate: installed first thing, before anything
 * slow (probe loading takes a quarter of a second), so no signal finds the default. */
#ifndef SPAWNSCOPE_SIGNALS_H
#define SPAWNSCOPE_SIGNALS_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* Seconds the run gets after a second SIGINT/SIGTERM/SIGHUP (children already killed) to
 * write what finished before the process exits 130 regardless. */
#define SIGNALS_GRACE_S 3

/* SIGINT, SIGTERM, SIGHUP: the first sets *flag (the run stops at the next sample and writes
 * what finished); the second SIGKILLs every child of this process (a hung target, workers,
 * a gate's block command) and exits 130 after SIGNALS_GRACE_S at the latest; a third exits
 * 130 at once. SIGPIPE and SIGXFSZ are caught by a handler that does nothing, so a write to a
 * closed pipe or beyond RLIMIT_FSIZE fails with EPIPE / EFBIG and is handled where it
 * happens; a caught signal goes back to SIG_DFL in an exec'd child (flush_signal_handlers),
 * an ignored one would not. */
void signals_install(volatile sig_atomic_t *flag);

/* The lab's stop flag the handler raises (NULL until a lab runs), and the lab's pid, which
 * is also its process group: a second signal kills the group, so the lab's children (a hung
 * target, load workers) go with it. 0 when no lab runs. Set by lab_start (lab_client.c). */
extern volatile int32_t *volatile g_lab_stop;
extern volatile pid_t g_lab_pgrp;
/* Only the SIGPIPE / SIGXFSZ part (list, report: a Ctrl-C there may kill at once). */
void signals_install_write_errors(void);

/* SIGKILL every pid listed in one /proc/PID/task/T/children file but the n_spare pids of
 * spare. Async-signal-safe. Returns how many were signalled. */
int signals_kill_listed(const char *path, const volatile int32_t *spare, int n_spare);

/* SIGKILL every child of every thread of this process (/proc/self/task/T/children).
 * Async-signal-safe. Returns how many were signalled. */
int signals_kill_children(void);

#endif
