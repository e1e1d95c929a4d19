/* Where the mmap_lock tracepoints keep their arguments on the running kernel, read from its
 * BTF (shared by the spawn probes and lockstat). Kernels 5.10-6.13 pass
 * (mm, const char *memcg_path, write[, success]); 6.14 dropped memcg_path (the event now
 * computes a cgroup id itself): (mm, write[, success]). The BPF programs read raw context
 * slots, so the loader must say which layout they run on. */
#ifndef SPAWNSCOPE_MMAP_LOCK_LAYOUT_H
#define SPAWNSCOPE_MMAP_LOCK_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

struct mmap_lock_layout {
	bool known;	   /* the tracepoints exist and have one of the two layouts */
	bool memcg_path;   /* the (mm, memcg_path, write, success) layout */
	int n_params;	   /* parameters of btf_trace_mmap_lock_acquire_returned (with ctx) */
	char describe[96]; /* for run.json: "mm, memcg_path, write, success (5.10-6.13)" */
	char why[160];	   /* when !known: why not */
};

/* Fill *out from the kernel's BTF (/sys/kernel/btf/vmlinux). Never fails: an unknown layout
 * is out->known == false with the reason in out->why. */
void mmap_lock_layout_read(struct mmap_lock_layout *out);

#endif
