/* Exec-error slots in one MAP_SHARED page (impls/exec_error.h). */
#include "exec_error.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#define WORDS (EXEC_ERROR_SLOTS / 64)

static volatile int *page;   /* EXEC_ERROR_SLOTS ints, MAP_SHARED | MAP_ANONYMOUS */
static uint64_t used[WORDS]; /* bit set: slot taken (process-private) */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static int atfork_err;

/* A forked child gets the parent's page as a *shared* mapping: if it spawned too, parent
 * and child would hand out the same slots. Forget the page there; the child maps its own on
 * first use (the old mapping stays, so a slot a fork-exec child already holds still works). */
static void forget_in_child(void)
{
	page = NULL;
	for (int i = 0; i < WORDS; i++)
		used[i] = 0;
}

static void register_atfork(void)
{
	atfork_err = pthread_atfork(NULL, NULL, forget_in_child);
}

/* The page, mapped on first use; two threads racing here keep one mapping. */
static volatile int *get_page(int *err)
{
	volatile int *p = __atomic_load_n(&page, __ATOMIC_ACQUIRE);
	if (p)
		return p;
	pthread_once(&atfork_once, register_atfork);
	if (atfork_err) {
		*err = -atfork_err;
		return NULL;
	}
	void *m = mmap(NULL, EXEC_ERROR_SLOTS * sizeof(int), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	volatile int *expected = NULL;
	if (!__atomic_compare_exchange_n(&page, &expected, (volatile int *)m, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		munmap(m, EXEC_ERROR_SLOTS * sizeof(int));
		return expected;
	}
	return m;
}

int exec_error_acquire(void)
{
	int err = 0;
	volatile int *p = get_page(&err);
	if (!p)
		return err;
	for (int w = 0; w < WORDS; w++) {
		uint64_t cur = __atomic_load_n(&used[w], __ATOMIC_RELAXED);
		while (~cur) {
			int bit = __builtin_ctzll(~cur);
			if (__atomic_compare_exchange_n(&used[w], &cur, cur | (1ull << bit), false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
				int slot = w * 64 + bit;
				p[slot] = 0;
				return slot;
			}
		}
	}
	return -EAGAIN;
}

volatile int *exec_error_slot(int slot)
{
	return &page[slot];
}

int exec_error_release(int slot)
{
	int val = page[slot];
	__atomic_fetch_and(&used[slot / 64], ~(1ull << (slot % 64)), __ATOMIC_RELEASE);
	return val;
}
