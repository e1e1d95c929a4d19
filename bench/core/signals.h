/* Signal dispositions of the driver and the gate: installed first thing, before anything
 * slow (probe loading takes a quarter of a second), so no signal finds the default. */
#ifndef SPAWNSCOPE_SIGNALS_H
#define SPAWNSCOPE_SIGNALS_H

#include <signal.h>
#include <stdint.h>

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
/* Only the SIGPIPE / SIGXFSZ part (list, report: a Ctrl-C there may kill at once). */
void signals_install_write_errors(void);

/* SIGKILL every pid listed in one /proc/PID/task/T/children file but the n_spare pids of
 * spare. Async-signal-safe. Returns how many were signalled. */
int signals_kill_listed(const char *path, const volatile int32_t *spare, int n_spare);

/* SIGKILL every child of every thread of this process (/proc/self/task/T/children).
 * Async-signal-safe. Returns how many were signalled. */
int signals_kill_children(void);

#endif
