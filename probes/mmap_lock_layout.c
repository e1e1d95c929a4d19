/* The mmap_lock tracepoints' argument layout from the running kernel's BTF: the typedef
 * btf_trace_<event> (include/trace/bpf_probe.h) is a pointer to the probe's prototype,
 * void (*)(void *__data, TP_PROTO...), so its parameter count and types tell the layout. */
#include "mmap_lock_layout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* The FUNC_PROTO behind typedef name, or NULL. */
static const struct btf_type *proto_of(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	const struct btf_type *t;

	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);
	while (t && (btf_is_typedef(t) || btf_is_ptr(t) || btf_is_const(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* Parameter i of a prototype is a pointer to (const) char: memcg_path. */
static bool param_is_char_ptr(const struct btf *btf, const struct btf_type *proto, int i)
{
	const struct btf_type *t = btf__type_by_id(btf, btf_params(proto)[i].type);

	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(btf, t->type);
	while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_int(t) && btf__name_by_offset(btf, t->name_off) &&
	       strstr(btf__name_by_offset(btf, t->name_off), "char");
}

void mmap_lock_layout_read(struct mmap_lock_layout *out)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *acq, *rel;
	int err = btf ? 0 : -errno;

	memset(out, 0, sizeof(*out));
	if (!btf) {
		snprintf(out->why, sizeof(out->why), "loading the kernel BTF: %s", strerror(-err));
		return;
	}
	acq = proto_of(btf, "btf_trace_mmap_lock_acquire_returned");
	rel = proto_of(btf, "btf_trace_mmap_lock_released");
	if (!acq || !rel) {
		snprintf(out->why, sizeof(out->why),
			 "no mmap_lock tracepoints in the kernel BTF (btf_trace_mmap_lock_*)");
		btf__free(btf);
		return;
	}
	out->n_params = btf_vlen(acq);
	if (out->n_params == 5 && btf_vlen(rel) == 4 && param_is_char_ptr(btf, acq, 2) &&
	    param_is_char_ptr(btf, rel, 2)) {
		out->known = out->memcg_path = true;
		snprintf(out->describe, sizeof(out->describe),
			 "mm, memcg_path, write, success (5.10-6.13)");
	} else if (out->n_params == 4 && btf_vlen(rel) == 3) {
		out->known = true;
		snprintf(out->describe, sizeof(out->describe), "mm, write, success (6.14+)");
	} else {
		snprintf(out->why, sizeof(out->why),
			 "unknown mmap_lock tracepoint layout: acquire_returned has %d parameters, "
			 "released %d (with the context)",
			 out->n_params, (int)btf_vlen(rel));
	}
	btf__free(btf);
}
