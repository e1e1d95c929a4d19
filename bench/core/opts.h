/* The command line of `spawnscope run`, parsed once and shared by every experiment. */
#ifndef SPAWNSCOPE_OPTS_H
#define SPAWNSCOPE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probes_mode.h"

struct opts {
	const char *experiment; /* latency | pagetable | fdtable | contention | all */
	const char *backends;	/* comma list or NULL: every available one */
	long samples;		/* -1: experiment default */
	long warmup;		/* -1: experiment default */
	long block;		/* samples per interleaved block; -1: default */
	const char *target;	/* stamp | exit0 | PATH */
	bool exec;		/* --mode exec (true) | noexec */
	/* --parent-rss LIST: bytes of touched anonymous memory held while measuring, one latency
	 * point per value (default 0; `run all`: 0 and 1 GiB when MemAvailable allows). */
	uint64_t parent_rss[8];
	size_t n_parent_rss; /* 0: not given */
	unsigned share;	     /* --share: enum spawn_share bits for the clone backend; 0 default */
	/* Experiment-specific lists, parsed by the experiment that uses them (units.h helpers). */
	const char *sizes;    /* pagetable: memory sizes */
	const char *kinds;    /* pagetable: memory kinds */
	const char *vmas;     /* pagetable: VMA counts */
	const char *fds;      /* fdtable: open fd counts */
	const char *variants; /* fdtable: variants */
	const char *sharing;  /* contention */
	const char *ops;      /* contention */
	const char *workers;  /* contention */
	long max_workers;     /* contention cap; -1: 4 x online CPUs */
	double duration;      /* contention seconds per point; < 0: default */
	double sample_timeout; /* seconds one spawn-to-reap may take before its child is killed */
	double point_timeout;  /* seconds one point's run may take before it is stopped */
	enum probes_mode probes;
	bool probe_overhead;   /* latency: interleave probes on and off, record the ratio */
	const char *reference; /* latency: the backend others are compared with (vfork) */
	int cpu;	       /* -1: no pinning */
	const char *out;       /* run directory; NULL: results/<host>-<UTC> */
	bool quick;
	bool quiet;
	bool force;    /* --force: an existing non-empty --out loses spawnscope's own files */
	uint64_t seed; /* 0: from the clock; recorded in run.json */
	/* The whole argv, for run.json "command". */
	int argc;
	char **argv;
};

/* Parse argv after "run". 0 ok; 2 usage error (message already printed). */
int opts_parse_run(int argc, char **argv, struct opts *o);
void opts_defaults(struct opts *o);

#endif
