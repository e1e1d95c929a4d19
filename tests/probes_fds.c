/*
 * The spawn probes hold exactly what they say, in this process: the BPF fds in /proc/self/fd
 * (anon_inode:bpf-link, bpf-prog, bpf-map) and the links bpftool says this pid owns are
 * counted around probes_open, every detach/attach toggle and probes_close. Detached: no link
 * at all; attached: one per attached program; closed: nothing (back to the count before
 * open). A detach that forgot its links without destroying them (they would stay attached,
 * so "plain" arms would run probed) fails here. Needs root: skipped otherwise.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "probes/probes.h"
#include "tap.h"

#define TOGGLES 5
#define PLAN (2 + 2 * TOGGLES + 1)

enum { FD_LINK, FD_PROG, FD_MAP, FD__N };

/* BPF fds of this process by kind, from the targets of /proc/self/fd. */
static void count_bpf_fds(int n[FD__N])
{
	/* bpf_link_prime names link files "bpf_link"; programs and maps use dashes */
	static const char *const kinds[FD__N] = {"anon_inode:bpf_link", "anon_inode:bpf-prog",
						 "anon_inode:bpf-map"};
	char path[64], target[128];

	memset(n, 0, sizeof(int) * FD__N);
	for (int fd = 0; fd < 4096; fd++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		for (int k = 0; k < FD__N; k++)
			n[k] += !strcmp(target, kinds[k]);
	}
}

#define MAX_IDS 64

/* Ids of the links this process holds (link_id: in /proc/self/fdinfo/N); returns the count. */
static int held_link_ids(unsigned ids[MAX_IDS])
{
	char path[64], line[128];
	int n = 0;

	for (int fd = 0; fd < 4096 && n < MAX_IDS; fd++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "link_id: %u", &ids[n]) == 1) {
				n++;
				break;
			}
		fclose(f);
	}
	return n;
}

/* Whether bpftool's list of every link in the system (one `bpftool -j link show`) has id. */
static bool listed(const json_t *links, unsigned id)
{
	size_t i;
	json_t *l;

	json_array_foreach(links, i, l)
	{
		if (json_integer_value(json_object_get(l, "id")) == id)
			return true;
	}
	return false;
}

/* How many of ids bpftool still shows, polled for up to 2 s (the kernel frees a link once
 * its last reference is gone, possibly from a workqueue); -1 when bpftool cannot say. */
static int links_alive(const unsigned *ids, int n)
{
	int alive = 0;

	for (int try = 0; try < 20; try++) {
		FILE *p = popen("bpftool -j link show 2>/dev/null", "r");
		json_error_t jerr;
		json_t *links = p ? json_loadf(p, 0, &jerr) : NULL;

		if (p)
			pclose(p);
		if (!json_is_array(links)) {
			json_decref(links);
			return -1;
		}
		alive = 0;
		for (int i = 0; i < n; i++)
			alive += listed(links, ids[i]);
		json_decref(links);
		if (!alive)
			break;
		usleep(100000);
	}
	return alive;
}

/* Programs attached according to the probes' own description. */
static int attached_programs(struct probes *pr)
{
	json_t *obj = json_object(), *p;
	size_t i;
	int n = 0;

	probes_describe(pr, "", obj);
	json_array_foreach(json_object_get(obj, "programs"), i, p)
	{
		n += json_is_true(json_object_get(p, "attached"));
	}
	json_decref(obj);
	return n;
}

int main(void)
{
	struct probes *pr = NULL;
	char why[512];
	int base[FD__N], open_n[FD__N], n[FD__N], attached, alive, n_ids;
	unsigned ids[MAX_IDS];
	int err;

	tap_plan(PLAN);
	if (geteuid() != 0) {
		for (int i = 0; i < PLAN; i++)
			tap_skip_test("not root (needs CAP_BPF and CAP_PERFMON)", "probes fds");
		return tap_done();
	}
	count_bpf_fds(base);
	err = probes_open(PROBES_ON, getpid(), &pr, why, sizeof(why));
	if (err || !pr) {
		for (int i = 0; i < PLAN; i++)
			tap_skip_test(err ? why : "probes did not open", "probes fds");
		return tap_done();
	}
	attached = attached_programs(pr);
	count_bpf_fds(open_n);
	n_ids = held_link_ids(ids);
	tap_ok(attached >= 10 && open_n[FD_LINK] - base[FD_LINK] == attached &&
		   open_n[FD_PROG] > base[FD_PROG] && open_n[FD_MAP] > base[FD_MAP],
	       "open: %d link fds for %d attached programs; %d prog, %d map fds",
	       open_n[FD_LINK] - base[FD_LINK], attached, open_n[FD_PROG] - base[FD_PROG],
	       open_n[FD_MAP] - base[FD_MAP]);
	alive = links_alive(ids, n_ids);
	tap_ok(n_ids == attached && (alive < 0 || alive == n_ids),
	       "open: fdinfo shows %d link ids; bpftool shows %d of them", n_ids, alive);
	for (int t = 0; t < TOGGLES; t++) {
		int off = probes_set_attached(pr, false), on;

		count_bpf_fds(n);
		alive = links_alive(ids, n_ids); /* the links of the last attach */
		tap_ok(!off && n[FD_LINK] == base[FD_LINK] && alive <= 0 &&
			   n[FD_PROG] == open_n[FD_PROG] && n[FD_MAP] == open_n[FD_MAP],
		       "toggle %d detached (%d): %d link fds, %d of the %d links still in the "
		       "kernel; programs and maps kept (%d, %d)",
		       t, off, n[FD_LINK] - base[FD_LINK], alive, n_ids, n[FD_PROG] - base[FD_PROG],
		       n[FD_MAP] - base[FD_MAP]);
		on = probes_set_attached(pr, true);
		count_bpf_fds(n);
		n_ids = held_link_ids(ids);
		tap_ok(!on && n[FD_LINK] - base[FD_LINK] == attached && n_ids == attached &&
			   attached_programs(pr) == attached,
		       "toggle %d attached (%d%s%s): %d link fds, %d link ids", t, on,
		       on ? ": " : "", on ? probes_error(pr) : "", n[FD_LINK] - base[FD_LINK],
		       n_ids);
	}
	probes_close(pr);
	count_bpf_fds(n);
	alive = links_alive(ids, n_ids);
	tap_ok(!memcmp(n, base, sizeof(n)) && alive <= 0,
	       "closed: %d link, %d prog, %d map fds left; %d of the %d links still in the kernel",
	       n[FD_LINK] - base[FD_LINK], n[FD_PROG] - base[FD_PROG], n[FD_MAP] - base[FD_MAP],
	       alive, n_ids);
	return tap_done();
}
