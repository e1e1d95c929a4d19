/* The machine's level through each latency point (bench/lib/stats_level.h), from the block
 * medians of every arm of the point, into run.json's "machine_level" list. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "vs_reference.h"
#include "bench/core/results.h"
#include "bench/core/paired.h"
#include "bench/lib/stats_level.h"

/* The level's course through the point, read from metric m's block p50s of every arm.
 * 0, -ERANGE (too few rounds) or -ENOMEM. */
static int course_of(const struct arm *arms, size_t n, enum metric m, struct level_course *c)
{
	size_t rounds = 0, most = 0;
	double *lq = NULL, *buf = NULL;
	int rc = -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		if (arm_rounds(&arms[i]) > rounds)
			rounds = arm_rounds(&arms[i]);
		if (arms[i].n > most)
			most = arms[i].n;
	}
	if (!rounds)
		return -ERANGE;
	if ((lq = malloc(n * rounds * sizeof(*lq))) &&
	    (buf = malloc((most ? most : 1) * sizeof(*buf)))) {
		for (size_t i = 0; i < n; i++) {
			double *row = lq + i * rounds;

			arm_round_quantiles(&arms[i], m, 0.5, row, rounds, buf);
			for (size_t r = 0; r < rounds; r++)
				row[r] = row[r] > 0 ? log(row[r]) : NAN;
		}
		rc = stats_level_course(lq, n, rounds, c);
	}
	free(lq);
	free(buf);
	return rc;
}

/* The quantile intervals of metric m in every entry, widened by the level's wander; the
 * block bootstrap's own stays beside them as ci95_*_within. */
static void widen_entries(json_t **entries, size_t n, enum metric m, double sd)
{
	static const char *const q[2][3] = {{"p50", "ci95_p50", "ci95_p50_within"},
					    {"p10", "ci95_p10", "ci95_p10_within"}};

	for (size_t i = 0; i < n; i++) {
		json_t *st = entries[i] ? json_object_get(json_object_get(entries[i], "metrics"),
							  metric_names[m])
					: NULL;

		bool widened = false;

		for (size_t k = 0; st && k < 2; k++) {
			json_t *ci = json_object_get(st, q[k][1]);
			double est = json_number_value(json_object_get(st, q[k][0]));
			double b[2] = {json_number_value(json_array_get(ci, 0)),
				       json_number_value(json_array_get(ci, 1))};

			if (!json_is_number(json_array_get(ci, 0)) ||
			    !json_is_number(json_array_get(ci, 1)))
				continue; /* too few rounds for an interval: none to widen */
			json_object_set(st, q[k][2], ci);
			stats_level_widen(est, b, sd);
			json_object_set_new(st, q[k][1], json_pack("[ff]", b[0], b[1]));
			widened = true;
		}
		if (widened) {
			json_object_set_new(st, "ci_level_sd", json_real(sd));
			json_object_set_new(st, "ci_method",
					    json_string("circular block bootstrap over rounds, "
							"widened by the machine level's wander"));
		}
	}
}

void latency_store_level(struct run_ctx *ctx, json_t **entries, const struct arm *arms, size_t n,
			 uint64_t rss)
{
	json_t *root = results_root(ctx->res), *list = json_object_get(root, "machine_level");
	enum metric main = n ? arm_main_metric(&arms[0]) : M_REAPED;
	json_t *o = json_pack("{s:I, s:s, s:s}", "parent_rss", (json_int_t)rss, "metric",
			      metric_names[main], "quantile", "p50");

	if (!list) {
		list = json_array();
		json_object_set_new(root, "machine_level", list);
	}
	for (int m = 0; m < M__N; m++) {
		struct level_course c;
		int rc = course_of(arms, n, (enum metric)m, &c);

		if (rc == 0)
			widen_entries(entries, n, (enum metric)m, c.sd);
		if (m != (int)main)
			continue;
		if (rc == 0) {
			json_t *parts = json_array();

			for (size_t p = 0; p < LEVEL_PARTS; p++)
				json_array_append_new(parts, json_real(c.part[p]));
			json_object_set_new(o, "arms", json_integer((json_int_t)c.arms));
			json_object_set_new(o, "rounds", json_integer((json_int_t)c.rounds));
			json_object_set_new(o, "quarters", parts);
			json_object_set_new(o, "range", json_real(c.range));
			json_object_set_new(o, "wander_sd", json_real(c.sd));
		} else {
			json_object_set_new(o, "missing",
					    json_string(rc == -ERANGE
							    ? "fewer than 8 rounds with a block"
							    : strerror(-rc)));
		}
	}
	json_array_append_new(list, o);
}

void latency_level_summary(const json_t *run, json_int_t rss, FILE *md)
{
	const json_t *list = json_object_get(run, "machine_level"), *o;
	size_t i;

	json_array_foreach(list, i, o)
	{
		const json_t *parts = json_object_get(o, "quarters");
		const char *missing = json_string_value(json_object_get(o, "missing"));

		if (json_integer_value(json_object_get(o, "parent_rss")) != rss)
			continue;
		if (missing) {
			fprintf(md, "Machine level through the run: not computed (%s).\n\n",
				missing);
			return;
		}
		if (json_array_size(parts) != LEVEL_PARTS)
			return;
		fprintf(md,
			"Machine level by quarter of the run (per round, the median over the "
			"%lld arms of each block's %s p50 against the arm's own median): ",
			(long long)json_integer_value(json_object_get(o, "arms")),
			json_string_value(json_object_get(o, "metric")) ?: "?");
		for (size_t p = 0; p < LEVEL_PARTS; p++)
			fprintf(md, "%s%+.1f %%", p ? ", " : "",
				100 * json_number_value(json_array_get(parts, p)));
		fprintf(md,
			"; it moved %.1f %% while the run lasted, %.1f %% (sd) beyond its "
			"round-to-round noise, and the p50/p10 intervals above are widened by that "
			"wander: another run, at another time, sits at another level "
			"(docs/statistics.md). The ÷ ratios cancel the level.\n\n",
			100 * json_number_value(json_object_get(o, "range")),
			100 * json_number_value(json_object_get(o, "wander_sd")));
		return;
	}
}
