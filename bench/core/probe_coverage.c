/* Probe phase coverage per result (see probe_coverage.h). */
#include "probe_coverage.h"

#include <stdbool.h>
#include <string.h>

static bool has_record(const struct probe_sample *ph)
{
	return ph->have_phase || ph->have_value;
}

/* Whether phase d should exist for this sample of arm a. */
static bool phase_expected(const struct arm *a, const struct probe_sample *ph,
			   const struct probe_phase_def *d)
{
	switch (d->applies) {
	case PHASE_IF_EXEC:
		return a->req.exec;
	case PHASE_IF_OWN_MM: /* own mm: dup_mmap took the parent's lock */
		return (ph->have_value >> PV_PGTABLES_BYTES) & 1u;
	case PHASE_ALWAYS:
		break;
	}
	return true;
}

void probe_coverage_store(const struct arm *a, const struct probes *pr, json_t *entry)
{
	json_t *phases = json_object_get(entry, "phases");
	size_t good = 0, records = 0;

	/* an arm measured with the probes detached (the plain twin) has no records to count */
	if (!phases || !a->ph || a->probes_attached == 0)
		return;
	for (size_t i = 0; i < a->n; i++)
		if (sample_counts(&a->s[i])) {
			good++;
			records += has_record(&a->ph[i]);
		}
	for (int p = 0; p < PH__N; p++) {
		const struct probe_phase_def *d = &probe_phases[p];
		size_t n = 0, expected = 0, fallback = 0;
		json_t *st;

		for (size_t i = 0; i < a->n; i++) {
			const struct probe_sample *ph = &a->ph[i];

			/* a sample without any record counts as expected, not covered */
			if (!sample_counts(&a->s[i]) ||
			    (has_record(ph) && !phase_expected(a, ph, d)))
				continue;
			if (!has_record(ph) && d->applies == PHASE_IF_OWN_MM)
				continue; /* unknown whether it has its own mm */
			expected++;
			n += (ph->have_phase >> p) & 1u;
			fallback += (ph->fallback >> p) & 1u;
		}
		if (!expected)
			continue;
		st = json_object_get(phases, d->name);
		if (!st) {
			st = json_object();
			json_object_set_new(phases, d->name, st);
		}
		json_object_set_new(st, "n", json_integer((json_int_t)n));
		json_object_set_new(st, "n_expected", json_integer((json_int_t)expected));
		json_object_set_new(st, "coverage", json_real((double)n / (double)expected));
		if (d->fallback)
			json_object_set_new(st, "sources",
					    json_pack("{s:I, s:I}", d->source,
						      (json_int_t)(n - fallback), d->fallback,
						      (json_int_t)fallback));
	}
	json_object_set_new(entry, "probe_records",
			    json_pack("{s:I, s:I, s:f}", "samples", (json_int_t)good, "with_record",
				      (json_int_t)records, "coverage",
				      good ? (double)records / (double)good : 0.0));
	probes_drops_json(pr, entry, "probe_drops");
}

static json_int_t int_of(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void header_once(FILE *md, bool *done)
{
	if (!*done)
		fprintf(md, "Probe coverage below %.0f %%, from a fallback source, or dropped:\n\n",
			100 * PROBE_COVERAGE_MIN);
	*done = true;
}

void probe_coverage_summary(const json_t *run, const char *experiment, FILE *md)
{
	const json_t *drops = NULL;
	bool header = false;
	json_t *e;

	RESULTS_FOREACH(run, experiment, i, e)
	{
		const json_t *phases = json_object_get(e, "phases"), *st;
		const char *name;

		json_object_foreach((json_t *)phases, name, st)
		{
			const struct probe_phase_def *d = probe_phase_find(name);
			const json_t *src =
			    d && d->fallback ? json_object_get(st, "sources") : NULL;
			double cov = json_number_value(json_object_get(st, "coverage"));

			if (!json_object_get(st, "coverage") ||
			    (cov >= PROBE_COVERAGE_MIN && !(src && int_of(src, d->fallback))))
				continue;
			header_once(md, &header);
			fprintf(md, "- %s `%s`: %lld of %lld samples (%.2f %%)",
				json_string_value(json_object_get(e, "backend")), name,
				(long long)int_of(st, "n"), (long long)int_of(st, "n_expected"),
				100 * cov);
			if (src)
				fprintf(md, "; %lld from %s, %lld from %s",
					(long long)int_of(src, d->source), d->source,
					(long long)int_of(src, d->fallback), d->fallback_what);
			fprintf(md, "\n");
		}
		/* cumulative since the probes were opened: the last result's are the run's */
		if (json_object_get(e, "probe_drops"))
			drops = json_object_get(e, "probe_drops");
	}
	if (drops && (int_of(drops, "records_map_full") || int_of(drops, "inflight_map_full") ||
		      int_of(drops, "live_map_full") || int_of(drops, "recursion_misses"))) {
		header_once(md, &header);
		fprintf(md,
			"- dropped by the probes during the run: %lld records, %lld inflight, %lld "
			"live (map full); %lld program runs skipped by the kernel (recursion)\n",
			(long long)int_of(drops, "records_map_full"),
			(long long)int_of(drops, "inflight_map_full"),
			(long long)int_of(drops, "live_map_full"),
			(long long)int_of(drops, "recursion_misses"));
	}
	if (header)
		fprintf(md, "\n");
}
