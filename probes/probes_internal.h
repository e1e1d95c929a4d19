/* What probes.c (loading, attaching) and probes_collect.c (reading records) share. */
#ifndef SPAWNSCOPE_PROBES_INTERNAL_H
#define SPAWNSCOPE_PROBES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "mmap_lock_layout.h"
#include "probes.h"

struct spawn_bpf;
struct spawn_fentry_bpf;
struct bpf_program;
struct bpf_link;

enum prog_kind { PK_TP_BTF, PK_RAW_TP, PK_FENTRY };

#define REASON_LEN 320

/* One program of either object, loaded or not, and why not. */
struct prog_slot {
	char name[32];
	enum prog_kind kind;
	struct bpf_program *prog; /* NULL when not loaded */
	struct bpf_link *link;	  /* NULL when not attached */
	bool attached_at_open;	  /* re-attaching it (probes_set_attached) must succeed */
	char reason[REASON_LEN];  /* why it is not loaded/attached; "" when it is */
};

#define PROBES_MAX_PROGS 48

struct probes {
	struct spawn_bpf *skel;		/* the tracepoint programs (required) */
	struct spawn_fentry_bpf *fskel; /* the fentry programs, NULL when none loaded */
	struct prog_slot progs[PROBES_MAX_PROGS];
	size_t n_progs;
	bool attached;			   /* probes_set_attached state */
	char summary[512];		   /* run.json "reason" when enabled */
	pid_t watch_tgid;		   /* the process whose spawns are timed (target_tgid) */
	struct mmap_lock_layout mm_layout; /* the running kernel's mmap_lock tracepoints */
	char error[320];		   /* why the last probes_set_attached failed */
};

/* Delete every element of a hash map (probes_collect.c). */
struct bpf_map;
void probes_clear_map(struct bpf_map *map);

#endif
