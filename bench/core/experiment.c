/* The table of experiments, filled by each experiment file's constructor. */
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "sampler.h"

static const struct experiment *table[MAX_EXPERIMENTS];
static size_t n_table;

void experiment_register(const struct experiment *e)
{
	size_t i;

	if (n_table == MAX_EXPERIMENTS)
		abort(); /* a build with more experiments than slots: fix MAX_EXPERIMENTS */
	/* insertion by order keeps listings and `run all` deterministic */
	for (i = n_table; i > 0 && table[i - 1]->order > e->order; i--)
		table[i] = table[i - 1];
	table[i] = e;
	n_table++;
}

size_t experiment_count(void)
{
	return n_table;
}

const struct experiment *experiment_at(size_t i)
{
	return i < n_table ? table[i] : NULL;
}

const struct experiment *experiment_find(const char *name)
{
	for (size_t i = 0; i < n_table; i++)
		if (!strcmp(table[i]->name, name))
			return table[i];
	return NULL;
}

const char *experiment_names(void)
{
	static char buf[256];
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n_table && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? ", " : "",
					table[i]->name);
	return buf;
}

size_t experiment_select(const char *name, const struct experiment **out, size_t max)
{
	size_t n = 0;

	if (!strcmp(name, "all")) {
		for (size_t i = 0; i < n_table && n < max; i++)
			out[n++] = table[i];
		return n;
	}
	if (max && (out[0] = experiment_find(name)))
		n = 1;
	return n;
}

bool experiment_in_run(const json_t *run, const char *name)
{
	json_t *e;

	RESULTS_FOREACH(run, name, i, e)
	return true;
	return false;
}

void run_sampler_open(const struct run_ctx *ctx, struct sampler *sp)
{
	sampler_open(sp, ctx->lab, ctx->probes, ctx->o->quiet);
}
