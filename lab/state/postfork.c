/* A fork child kept alive on purpose: its VmPTE is the page-table copy fork made
 * (copy_page_range), and while it lives every parent write to a private page takes a
 * copy-on-write fault (do_wp_page -> wp_page_copy) — the cost fork leaves behind. */
#include "parent_state.h"

#include "bench/lib/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int held_child_fork(struct held_child *c)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(p[0]);
		close(p[1]);
		return -err;
	}
	if (pid == 0) {
		char byte;
		close(p[1]);
		/* EOF (the parent closed its end) or any error ends the wait */
		while (read(p[0], &byte, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	c->pid = pid;
	c->release_fd = p[1];
	return 0;
}

int held_child_release(struct held_child *c)
{
	int status, rc = 0;
	if (c->release_fd >= 0)
		close(c->release_fd);
	c->release_fd = -1;
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			break;
		}
	}
	c->pid = -1;
	return rc;
}

long vmpte_kb_of(pid_t pid)
{
	return (long)proc_status_field(pid, "VmPTE");
}

void postfork_free(struct postfork_result *p)
{
	free(p->vmpte_kb);
	free(p->no_child_ns);
	free(p->child_alive_ns);
	free(p->after_exit_ns);
	free(p->post_fork_ns);
	free(p->post_exit_ns);
	memset(p, 0, sizeof *p);
}

static int fail_child(const struct memregion *r, const char *what, int err)
{
	fprintf(stderr, "spawnscope: pagetable: %s child for %s memory of %llu bytes: %s\n", what,
		memkind_names[r->kind], (unsigned long long)r->size, strerror(err));
	return -err;
}

/* One repetition: the pass with no child, a fork child's VmPTE and the pass while it lives,
 * then a pass after a second fork child has already exited (the parent's PTEs stay
 * write-protected after copy_page_range, so each page still faults once, without a copy). */
static int one_rep(struct memregion *r, bool passes, struct postfork_result *p, size_t i)
{
	struct held_child c;
	int rc;
	double no_child = passes ? (double)memregion_write_pass(r) : 0;
	if ((rc = held_child_fork(&c)) < 0)
		return fail_child(r, "fork of the held", -rc);
	long kb = vmpte_kb_of(c.pid);
	double alive = passes ? (double)memregion_write_pass(r) : 0;
	if ((rc = held_child_release(&c)) < 0)
		return fail_child(r, "reaping the held", -rc);
	if (kb < 0)
		return fail_child(r, "VmPTE of the held", (int)-kb);
	p->vmpte_kb[i] = (double)kb;
	if (!passes)
		return 0;
	if ((rc = held_child_fork(&c)) < 0)
		return fail_child(r, "fork of the exiting", -rc);
	if ((rc = held_child_release(&c)) < 0)
		return fail_child(r, "reaping the exiting", -rc);
	double after = (double)memregion_write_pass(r);
	p->no_child_ns[i] = no_child;
	p->child_alive_ns[i] = alive;
	p->after_exit_ns[i] = after;
	p->post_fork_ns[i] = alive - no_child;
	p->post_exit_ns[i] = after - no_child;
	return 0;
}

int postfork_measure(struct memregion *r, size_t reps, double max_seconds, bool passes,
		     const volatile int *stop, struct postfork_result *out)
{
	memset(out, 0, sizeof *out);
	out->passes = passes;
	if (reps == 0)
		reps = 1;
	double **arrays[] = {&out->vmpte_kb,	  &out->no_child_ns,  &out->child_alive_ns,
			     &out->after_exit_ns, &out->post_fork_ns, &out->post_exit_ns};
	for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
		*arrays[k] = calloc(reps, sizeof(double));
		if (!*arrays[k]) {
			postfork_free(out);
			return -ENOMEM;
		}
	}
	/* the sampler's fork children left the parent's PTEs write-protected (copy_page_range
	 * does that to the parent too): one unmeasured pass makes them writable again, so the
	 * no-child pass measures plain stores */
	if (passes)
		memregion_write_pass(r);
	int64_t start = now_ns();
	for (size_t i = 0; i < reps; i++) {
		if (stop && *stop)
			return i ? 0 : -EINTR;
		int rc = one_rep(r, passes, out, i);
		if (rc < 0)
			return rc;
		out->n = i + 1;
		/* at gigabytes one pass costs seconds: stop once the budget is spent */
		if ((double)(now_ns() - start) > max_seconds * 1e9)
			break;
	}
	return 0;
}
