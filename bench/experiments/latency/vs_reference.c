/* The latency experiment's comparisons between arms, paired by round (bench/core/paired.h):
 * every arm against the reference backend, and each probed twin against its plain arm. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vs_reference.h"
#include "bench/core/paired.h"
#include "bench/core/results.h"

/* The arm of backend name with the same probe state as like, or NULL. */
static const struct arm *find_arm(const struct arm *arms, size_t n, const char *name,
				  const struct arm *like)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(arms[i].be->name, name) &&
		    arms[i].probes_attached == like->probes_attached)
			return &arms[i];
	return NULL;
}

/* {metric, quantile p50, estimate, ci95, rounds, p10: {...}} of arm against ref, or NULL. */
static json_t *compare(const struct arm *ref, const struct arm *arm, enum metric m)
{
	struct gate_shift s50, s10;
	json_t *o, *p10;

	if (paired_by_round(ref, arm, m, 0.50, &s50) || paired_by_round(ref, arm, m, 0.10, &s10))
		return NULL;
	o = paired_json(&s50, "p50");
	p10 = paired_json(&s10, "p10");
	json_object_set_new(o, "metric", json_string(metric_names[m]));
	json_object_set_new(o, "p10", p10);
	return o;
}

/* explicit: the user named the reference (--reference); the default one missing from a
 * --backends list without it is recorded in run.json, not warned about. */
static void store_vs_reference(const char *reference, bool explicit, json_t **entries,
			       const struct arm *arms, size_t n, uint64_t rss)
{
	bool warned = !explicit;

	for (size_t i = 0; i < n; i++) {
		const struct arm *ref = find_arm(arms, n, reference, &arms[i]);
		json_t *o;

		if (!entries[i] || ref == &arms[i])
			continue;
		if (!ref) {
			o = json_pack("{s:s, s:s}", "reference", reference, "missing",
				      "the reference backend was not measured at this point");
			if (!warned)
				fprintf(
				    stderr,
				    "spawnscope: latency: --reference %s: no such arm at parent "
				    "RSS %llu bytes; nothing is compared with it\n",
				    reference, (unsigned long long)rss);
			warned = true;
		} else if (!(o = compare(ref, &arms[i], arm_main_metric(ref)))) {
			continue; /* no round with counted samples in both arms */
		} else {
			json_object_set_new(o, "reference", json_string(ref->label));
		}
		json_object_set_new(entries[i], "vs_reference", o);
	}
}

/* The probes' own cost: per round, the twin's block p10 over the plain arm's. p10, not p50:
 * the median of a block is decided by which mode (same or other CPU) most of its samples fell
 * in, and the twins need not fall alike. */
static void store_probe_cost(struct run_ctx *ctx, json_t **entries, const struct arm *arms,
			     size_t n, uint64_t rss)
{
	json_t *list = json_object_get(results_root(ctx->res), "probe_overhead");

	if (!list) {
		list = json_array();
		json_object_set_new(results_root(ctx->res), "probe_overhead", list);
	}
	for (size_t i = 0; i + 1 < n; i++) {
		const struct arm *off = &arms[i], *on = &arms[i + 1];
		enum metric m = arm_main_metric(off);
		struct gate_shift s;
		json_t *o;

		if (off->be != on->be || off->probes_attached != 0 || on->probes_attached != 1 ||
		    paired_by_round(off, on, m, 0.10, &s))
			continue;
		o = paired_json(&s, "p10");
		json_object_set_new(o, "backend", json_string(off->be->name));
		json_object_set_new(o, "parent_rss", json_integer((json_int_t)rss));
		json_object_set_new(o, "metric", json_string(metric_names[m]));
		json_array_append(list, o);
		if (entries[i + 1])
			json_object_set_new(entries[i + 1], "probe_overhead", o);
		else
			json_decref(o);
	}
}

void latency_store_paired(struct run_ctx *ctx, const char *reference, bool explicit,
			  json_t **entries, struct arm *arms, size_t n, uint64_t rss)
{
	store_vs_reference(reference, explicit, entries, arms, n, rss);
	if (ctx->probes)
		store_probe_cost(ctx, entries, arms, n, rss);
	latency_store_level(ctx, entries, arms, n, rss);
}
