/*
 * Reading the per-child records the spawn probes leave in their BPF maps and turning them
 * into the phases and values of probes.h.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probes.h"
#include "probes_internal.h"
#include "probes_raw.h"
#include "spawn_events.h"
#include "spawn.skel.h"
#include "spawn_fentry.skel.h"

/* Fetch and delete one element; falls back to lookup + delete where the kernel lacks
 * BPF_MAP_LOOKUP_AND_DELETE_ELEM for hash maps (before 5.14). */
static int take(struct bpf_map *map, __u32 key, void *val, size_t size)
{
	int err = bpf_map__lookup_and_delete_elem(map, &key, sizeof(key), val, size, 0);

	if (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP) {
		err = bpf_map__lookup_elem(map, &key, sizeof(key), val, size, 0);
		if (!err)
			bpf_map__delete_elem(map, &key, sizeof(key), 0);
	}
	return err;
}

int probes_collect_raw(struct probes *pr, pid_t child, struct probe_raw *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (!pr || child <= 0)
		return -ENOENT;
	err = take(pr->skel->maps.records, (__u32)child, &out->rec, sizeof(out->rec));
	if (err)
		return err == -ENOENT ? err : -ENOENT;
	if (pr->fskel)
		out->have_kfunc = !take(pr->fskel->maps.kf_records, (__u32)child, &out->kfunc,
					sizeof(out->kfunc));
	return 0;
}

static void value(struct probe_sample *s, enum probe_value v, __u64 x)
{
	s->value[v] = (int64_t)x;
	s->have_value |= 1u << v;
}

void probes_sample_from_raw(const struct probe_raw *raw, struct probe_sample *out)
{
	const struct spawn_record *r = &raw->rec;

	memset(out, 0, sizeof(*out));
	probe_phases_compute(r, &out->have_phase, &out->fallback, out->phase_ns);
	/* A CLONE_VM child has no mm of its own: no mm values. */
	if (r->flags & SRF_OWN_MM) {
		value(out, PV_PGTABLES_BYTES, r->pgtables_bytes);
		value(out, PV_MAP_COUNT, r->map_count);
	}
	if ((r->flags & SRF_OWN_FILES) && !(r->flags & SRF_FDS_TRUNCATED))
		value(out, PV_NR_FDS, r->nr_fds);
	for (int k = 0; raw->have_kfunc && k < SK__N; k++)
		if (raw->kfunc.calls[k]) {
			out->kfunc_ns[k] = (int64_t)raw->kfunc.ns[k];
			out->have_kfunc |= 1u << k;
		}
}

int probes_collect(struct probes *pr, pid_t child, struct probe_sample *out)
{
	struct probe_raw raw;
	int err = probes_collect_raw(pr, child, &raw);

	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	probes_sample_from_raw(&raw, out);
	return 0;
}

void probes_clear_map(struct bpf_map *map)
{
	__u32 key;

	while (!bpf_map__get_next_key(map, NULL, &key, sizeof(key)))
		if (bpf_map__delete_elem(map, &key, sizeof(key), 0))
			break;
}

long probes_live_count(struct probes *pr)
{
	__u32 key, next;
	long n = 0;
	int err;

	if (!pr)
		return -EINVAL;
	for (err = bpf_map__get_next_key(pr->skel->maps.live, NULL, &key, sizeof(key)); !err;
	     err = bpf_map__get_next_key(pr->skel->maps.live, &key, &next, sizeof(next)),
	    key = next)
		n++;
	return err == -ENOENT ? n : err;
}

void probes_reset(struct probes *pr)
{
	if (!pr)
		return;
	probes_clear_map(pr->skel->maps.records);
	if (pr->fskel)
		probes_clear_map(pr->fskel->maps.kf_records);
}
