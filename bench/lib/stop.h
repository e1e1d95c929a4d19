/* The process's stop flag: the first SIGINT/SIGTERM/SIGHUP raises it (the handler of
 * bench/core/signals.c counts the signals in it), and whatever loops reads it: a run
 * finishes the sample in flight, reaps and returns EXP_INTERRUPTED; the gate stops its block
 * command. One flag for every command of the program (one command runs per process). */
#ifndef SPAWNSCOPE_STOP_H
#define SPAWNSCOPE_STOP_H

#include <signal.h>

extern volatile sig_atomic_t g_interrupted;

#endif
