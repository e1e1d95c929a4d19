/* The machine's level through each latency point (bench/lib/stats_level.h), from the block
 * medians of every arm of the point, into run.json's "machine_level" list. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "vs_reference.h"
#include "bench/core/results.h"
#include "bench/lib/paired.h"
#include "bench/lib/stats_level.h"

/* {parent_rss, metric, quantile, arms, rounds, quarters, range} or with "missing": why. */
static json_t *level_json(const struct arm *arms, size_t n, uint64_t rss)
{
	enum metric m = n ? arm_main_metric(&arms[0]) : M_REAPED;
	size_t rounds = 0, most = 0;
	struct level_course c;
	double *lq = NULL, *buf = NULL;
	json_t *o = json_pack("{s:I, s:s, s:s}", "parent_rss", (json_int_t)rss, "metric",
			      metric_names[m], "quantile", "p50");
	int rc = -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		if (arm_rounds(&arms[i]) > rounds)
			rounds = arm_rounds(&arms[i]);
		if (arms[i].n > most)
			most = arms[i].n;
	}
	if (rounds && (lq = malloc(n * rounds * sizeof(*lq))) &&
	    (buf = malloc((most ? most : 1) * sizeof(*buf)))) {
		for (size_t i = 0; i < n; i++) {
			double *row = lq + i * rounds;

			arm_round_quantiles(&arms[i], m, 0.5, row, rounds, buf);
			for (size_t r = 0; r < rounds; r++)
				row[r] = row[r] > 0 ? log(row[r]) : NAN;
		}
		rc = stats_level_course(lq, n, rounds, &c);
	} else if (!rounds) {
		rc = -ERANGE;
	}
	free(lq);
	free(buf);
	if (rc == 0) {
		json_t *parts = json_array();

		for (size_t p = 0; p < LEVEL_PARTS; p++)
			json_array_append_new(parts, json_real(c.part[p]));
		json_object_set_new(o, "arms", json_integer((json_int_t)c.arms));
		json_object_set_new(o, "rounds", json_integer((json_int_t)c.rounds));
		json_object_set_new(o, "quarters", parts);
		json_object_set_new(o, "range", json_real(c.range));
	} else {
		json_object_set_new(o, "missing",
				    json_string(rc == -ERANGE ? "fewer than 8 rounds with a block"
							      : strerror(-rc)));
	}
	return o;
}

void latency_store_level(struct run_ctx *ctx, const struct arm *arms, size_t n, uint64_t rss)
{
	json_t *root = results_root(ctx->res), *list = json_object_get(root, "machine_level");

	if (!list) {
		list = json_array();
		json_object_set_new(root, "machine_level", list);
	}
	json_array_append_new(list, level_json(arms, n, rss));
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
			"; it moved %.1f %% while the run lasted. The intervals above are this "
			"run's; the machine can sit at another level in another run "
			"(docs/statistics.md), the ÷ ratios cancel it.\n\n",
			100 * json_number_value(json_object_get(o, "range")));
		return;
	}
}
