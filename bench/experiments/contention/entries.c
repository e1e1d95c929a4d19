/* What every contention point's run.json entry carries, for both kinds of point (the
 * worker points of contention.c, the spawn-under-load points of spawn.c): its params and the
 * lockstat breakdown read since the last reset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

json_t *cont_params(int sharing, int op, int workers, const char *backend)
{
	json_t *p = json_object();
	json_object_set_new(p, "sharing", json_string(cont_sharing_names[sharing]));
	json_object_set_new(p, "op", json_string(cont_op_names[op]));
	json_object_set_new(p, "workers", json_integer(workers));
	if (backend)
		json_object_set_new(p, "backend", json_string(backend));
	return p;
}

void cont_attach_locks(struct cont_run *cr, json_t **entries, size_t n)
{
	struct lockstat_row *rows = NULL;
	struct lockstat_hold *holds = NULL;
	size_t nr = 0, nh = 0;
	uint64_t total_wait = 0;
	json_t *locks, *mm;

	if (!cr->ls) {
		for (size_t i = 0; i < n; i++)
			json_object_set_new(entries[i], "lockstat", json_string(cr->ls_why));
		return;
	}
	if (lockstat_read(cr->ls, &rows, &nr) || lockstat_read_mmap(cr->ls, &holds, &nh)) {
		fprintf(stderr, "spawnscope: contention: reading lockstat maps: %s\n",
			strerror(errno));
		free(rows);
		free(holds);
		return;
	}
	locks = json_array();
	for (size_t i = 0; i < nr && i < CONT_TOP_LOCKS; i++)
		json_array_append_new(locks,
				      json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "lock",
						rows[i].lock, "caller", rows[i].caller, "kind",
						rows[i].kind, "count", (json_int_t)rows[i].count,
						"wait_ns", (json_int_t)rows[i].wait_ns, "max_ns",
						(json_int_t)rows[i].max_ns));
	mm = json_array();
	for (size_t i = 0; i < nh && i < CONT_TOP_LOCKS; i++)
		json_array_append_new(mm, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "caller",
						    holds[i].caller, "mode",
						    holds[i].write ? "write" : "read", "count",
						    (json_int_t)holds[i].count, "hold_ns",
						    (json_int_t)holds[i].hold_ns, "max_hold_ns",
						    (json_int_t)holds[i].max_hold_ns, "wait_ns",
						    (json_int_t)holds[i].wait_ns, "max_wait_ns",
						    (json_int_t)holds[i].max_wait_ns));
	for (size_t i = 0; i < nr; i++)
		total_wait += rows[i].wait_ns;
	for (size_t i = 0; i < n; i++) {
		json_object_set(entries[i], "contention", locks);
		json_object_set(entries[i], "mmap_lock", mm);
		/* every row, not only the top ones: bounded by (tasks watched) x window */
		json_object_set_new(entries[i], "lockstat_total_wait_ns",
				    json_integer((json_int_t)total_wait));
		json_object_set_new(entries[i], "lockstat_window_ns",
				    json_integer((json_int_t)lockstat_window_ns(cr->ls)));
	}
	json_decref(locks);
	json_decref(mm);
	free(rows);
	free(holds);
}
