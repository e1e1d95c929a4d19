/*
 * Exec-error slots: where a child that failed before or at exec leaves its -errno for the
 * parent. One MAP_SHARED page of int slots, so a slot written by a child survives into the
 * parent whether or not the child shares the address space (fork, vfork, CLONE_VM, clone3).
 * A pipe would not do: its CLOEXEC trick breaks when the child shares the fd table.
 *
 * Slots are taken from an atomic bitmap, so threads that spawn at once never collide.
 */
#ifndef SPAWNSCOPE_EXEC_ERROR_H
#define SPAWNSCOPE_EXEC_ERROR_H

#define EXEC_ERROR_SLOTS 1024

/* Take a free slot and zero it. Slot index >= 0, or -errno (-EAGAIN: all in use). */
int exec_error_acquire(void);
/* The slot's address; the child stores -errno there with a plain volatile write. */
volatile int *exec_error_slot(int slot);
/* The value the child left (0: none) and give the slot back. */
int exec_error_release(int slot);

#endif
