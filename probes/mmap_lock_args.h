/* The mmap_lock tracepoints' arguments from the raw context (one u64 per argument), for
 * probes/spawn.bpf.c and probes/lockstat.bpf.c. Slot 0 is mm. Kernels 5.10-6.13 pass
 * (mm, memcg_path, write, success), 6.14+ (mm, write, success): the loader reads which from
 * the kernel's BTF (probes/mmap_lock_layout.c) and sets mm_memcg_path, read-only data the
 * verifier knows the value of, so the branch for the other layout (which would read past the
 * last argument) is never walked. Each slot is read by its own instruction with a constant
 * offset: the verifier refuses a context access at a computed offset. */
#ifndef SPAWNSCOPE_MMAP_LOCK_ARGS_H
#define SPAWNSCOPE_MMAP_LOCK_ARGS_H

const volatile bool mm_memcg_path = false;

/* The u64 at byte offset WITH (memcg_path layout) or WITHOUT (6.14+) of the context. */
#define MM_CTX_SLOT(ctx, with, without)                                                            \
	({                                                                                         \
		unsigned long long __v;                                                            \
		if (mm_memcg_path)                                                                 \
			asm volatile("%0 = *(u64 *)(%1 + " #with ")" : "=r"(__v) : "r"(ctx));      \
		else                                                                               \
			asm volatile("%0 = *(u64 *)(%1 + " #without ")" : "=r"(__v) : "r"(ctx));   \
		__v;                                                                               \
	})

static __always_inline bool mm_arg_write(unsigned long long *ctx)
{
	return (bool)MM_CTX_SLOT(ctx, 16, 8);
}

/* mmap_lock_acquire_returned only. */
static __always_inline bool mm_arg_success(unsigned long long *ctx)
{
	return (bool)MM_CTX_SLOT(ctx, 24, 16);
}

static __always_inline struct mm_struct *mm_arg_mm(unsigned long long *ctx)
{
	return (struct mm_struct *)ctx[0];
}

#endif
