/* Raw clone on a stack of our own (impls/clone.h): share-flag mapping and parsing, child
 * stacks with a guard page, clone_start and the CLEARTID-futex join of SHARE_THREAD workers. */
#include "clone.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "rawsys.h"

/* The flags of a real thread (what pthread_create passes, minus CLONE_SETTLS). */
#define THREAD_CLONE_FLAGS                                                                         \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |        \
	 CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)

static const struct {
	const char *name;
	unsigned bit;
	unsigned long flag;
} share_names[] = {
    {"vm", SHARE_VM, CLONE_VM},
    {"files", SHARE_FILES, CLONE_FILES},
    {"fs", SHARE_FS, CLONE_FS},
    {"sighand", SHARE_SIGHAND, CLONE_SIGHAND},
    {"io", SHARE_IO, CLONE_IO},
    {"vfork", SHARE_VFORK, CLONE_VFORK},
    {"thread", SHARE_THREAD, THREAD_CLONE_FLAGS},
};
#define N_SHARE_NAMES (sizeof(share_names) / sizeof(share_names[0]))

unsigned long share_to_clone_flags(unsigned share)
{
	unsigned long flags = 0;
	for (size_t i = 0; i < N_SHARE_NAMES; i++)
		if (share & share_names[i].bit)
			flags |= share_names[i].flag;
	return flags;
}

int share_parse(const char *list, unsigned *share, const char **bad)
{
	static __thread char bad_buf[64];
	unsigned bits = 0;
	const char *p = list;

	*bad = NULL;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t i;
		for (i = 0; i < N_SHARE_NAMES; i++)
			if (strlen(share_names[i].name) == len &&
			    strncmp(share_names[i].name, p, len) == 0)
				break;
		if (i == N_SHARE_NAMES) {
			if (len >= sizeof(bad_buf))
				len = sizeof(bad_buf) - 1;
			memcpy(bad_buf, p, len);
			bad_buf[len] = '\0';
			*bad = bad_buf;
			return -EINVAL;
		}
		bits |= share_names[i].bit;
		p += len;
		if (*p == ',')
			p++;
	}
	/* copy_process refuses CLONE_SIGHAND without CLONE_VM (EINVAL). */
	if ((bits & SHARE_SIGHAND) && !(bits & (SHARE_VM | SHARE_THREAD))) {
		*bad = "sighand (needs vm)";
		return -EINVAL;
	}
	*share = bits;
	return 0;
}

const char *share_format(unsigned share)
{
	static __thread char buf[64];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_SHARE_NAMES; i++) {
		if (!(share & share_names[i].bit))
			continue;
		size_t n = strlen(share_names[i].name);
		if (len + n + 2 > sizeof(buf))
			break;
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, share_names[i].name, n + 1);
		len += n;
	}
	return buf;
}

int clone_stack_alloc(struct clone_stack *st, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t total = ((size + (size_t)page - 1) & ~((size_t)page - 1)) + (size_t)page;
	void *p = mmap(NULL, total, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* The lowest page is the guard: an overflow faults instead of scribbling on a neighbour. */
	if (mprotect(p, (size_t)page, PROT_NONE) != 0) {
		int err = -errno;
		munmap(p, total);
		return err;
	}
	st->base = p;
	st->size = total;
	st->tid_word = 0;
	return 0;
}

void clone_stack_free(struct clone_stack *st)
{
	if (st->base)
		munmap(st->base, st->size);
	st->base = NULL;
	st->size = 0;
}

pid_t clone_start(unsigned share, struct clone_stack *st, int (*fn)(void *), void *arg, int *pidfd)
{
	unsigned long flags = share_to_clone_flags(share);
	/* Top of the stack, 16-byte aligned as both ABIs want at a call. */
	void *top = (void *)(((uintptr_t)st->base + st->size) & ~(uintptr_t)15);
	pid_t pid;

	if (!st->base)
		return -EINVAL;
	if (share & SHARE_THREAD) {
		/* CLONE_PIDFD would also use parent_tid, which carries the tid here. */
		if (pidfd)
			return -EINVAL;
		/* CLONE_PARENT_SETTID: kernel_clone stores the tid before wake_up_new_task, so a
		 * join that starts at once cannot see 0 before the child has run. */
		st->tid_word = 0;
		pid = clone(fn, top, (int)(flags | CLONE_PARENT_SETTID), arg, &st->tid_word, NULL,
			    &st->tid_word);
	} else if (pidfd) {
		/* Legacy clone returns the pidfd through parent_tid (kernel_clone, CLONE_PIDFD). */
		pid = clone(fn, top, (int)(flags | CLONE_PIDFD | SIGCHLD), arg, pidfd, NULL, NULL);
	} else {
		pid = clone(fn, top, (int)(flags | SIGCHLD), arg);
	}
	return pid < 0 ? -errno : pid;
}

void clone_join_thread(struct clone_stack *st)
{
	int tid;
	/* mm_release clears the word and does a shared FUTEX_WAKE (not FUTEX_PRIVATE_FLAG:
	 * the keys would differ), so wait without the private flag too. */
	while ((tid = __atomic_load_n(&st->tid_word, __ATOMIC_ACQUIRE)) != 0)
		raw_syscall6(SYS_futex, (long)&st->tid_word, FUTEX_WAIT, tid, 0, 0, 0);
}
