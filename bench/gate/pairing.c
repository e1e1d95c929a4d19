/* Which results entry of a run A pairs with which of a run B, and the value the gate reads
 * from an entry; run.json itself is read by bench/core/runjson.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "bench/core/runjson.h"

/* "experiment/backend": malloc'd. */
static char *short_key(const json_t *entry)
{
	const char *exp = runjson_experiment(entry), *be = runjson_backend(entry);
	char *key = NULL;

	if (asprintf(&key, "%s/%s", exp ? exp : "?", be ? be : "?") < 0)
		key = NULL;
	return key;
}

int gate_entry_value(const json_t *entry, const char *metric, const char *q, double *out)
{
	double x = runjson_metric(entry, metric, q);

	if (!isfinite(x) || x <= 0)
		return -EINVAL;
	*out = x;
	return 0;
}

void gate_pairing_free(struct gate_pairing *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	free(p->ia);
	free(p->ib);
	memset(p, 0, sizeof(*p));
}

static int pair_push(struct gate_pairing *p, size_t ia, size_t ib, char *name)
{
	size_t *na = realloc(p->ia, (p->n + 1) * sizeof(*na));
	if (na)
		p->ia = na;
	size_t *nb = realloc(p->ib, (p->n + 1) * sizeof(*nb));
	if (nb)
		p->ib = nb;
	char **nn = realloc(p->names, (p->n + 1) * sizeof(*nn));
	if (nn)
		p->names = nn;
	if (!na || !nb || !nn || !name) {
		free(name);
		return -ENOMEM;
	}
	p->ia[p->n] = ia;
	p->ib[p->n] = ib;
	p->names[p->n++] = name;
	return 0;
}

/* The first entry of A whose experiment and backend B also has, and the params that differ
 * between the two: why they were not paired (e.g. a run with probes, whose plain arms carry
 * "probes": "off", against a run without). "" when no such entry exists. */
static void explain_mismatch(const json_t *ra, const json_t *rb, char *why, size_t len)
{
	for (size_t i = 0; i < json_array_size(ra); i++) {
		const json_t *a = json_array_get(ra, i);
		for (size_t j = 0; j < json_array_size(rb); j++) {
			const json_t *b = json_array_get(rb, j), *pa, *pb, *v;
			const char *k;
			size_t used;

			if (!json_equal(json_object_get(a, "experiment"),
					json_object_get(b, "experiment")) ||
			    !json_equal(json_object_get(a, "backend"),
					json_object_get(b, "backend")))
				continue;
			pa = json_object_get(a, "params");
			pb = json_object_get(b, "params");
			used = (size_t)snprintf(why, len, ": e.g. %s/%s differs in params",
						runjson_experiment(a), runjson_backend(a));
			json_object_foreach((json_t *)pa, k, v)
			{
				if (used < len && !json_equal(v, json_object_get(pb, k)))
					used += (size_t)snprintf(why + used, len - used, " %s", k);
			}
			json_object_foreach((json_t *)pb, k, v)
			{
				if (used < len && !json_object_get(pa, k))
					used += (size_t)snprintf(why + used, len - used, " %s", k);
			}
			if (used < len &&
			    (json_object_get(pa, "probes") || json_object_get(pb, "probes")))
				snprintf(why + used, len - used,
					 " (one run had the probes and the other not: compare runs "
					 "made with the same --probes)");
			return;
		}
	}
}

int gate_pair_entries(const json_t *run_a, const json_t *run_b, struct gate_pairing *p, char *err,
		      size_t len)
{
	json_t *ra = json_object_get(run_a, "results"), *rb = json_object_get(run_b, "results");
	size_t na = json_array_size(ra), nb = json_array_size(rb);
	int rc = 0;

	memset(p, 0, sizeof(*p));
	if (!na || !nb) {
		snprintf(err, len, "the %s run has no results",
			 !na ? "A (baseline)" : "B (current)");
		return -ENOENT;
	}
	if (na == 1 && nb == 1) {
		char *ka = short_key(json_array_get(ra, 0));
		char *kb = short_key(json_array_get(rb, 0));
		char *name = NULL;

		if (ka && kb && asprintf(&name, strcmp(ka, kb) ? "%s vs %s" : "%s", ka, kb) < 0)
			name = NULL;
		free(ka);
		free(kb);
		rc = pair_push(p, 0, 0, name);
	} else {
		for (size_t i = 0; i < na && !rc; i++) {
			char *ka = runjson_entry_key(json_array_get(ra, i));
			for (size_t j = 0; j < nb && ka; j++) {
				char *kb = runjson_entry_key(json_array_get(rb, j));
				bool same = kb && !strcmp(ka, kb);
				free(kb);
				if (same) {
					rc = pair_push(p, i, j, short_key(json_array_get(ra, i)));
					break;
				}
			}
			if (!ka)
				rc = -ENOMEM;
			free(ka);
		}
		/* the params tell apart entries of one backend (a sweep): show them then */
		bool *dup = calloc(p->n ? p->n : 1, sizeof(*dup));
		if (!dup && !rc)
			rc = -ENOMEM;
		for (size_t i = 0; i < p->n && dup; i++)
			for (size_t j = 0; j < p->n; j++)
				if (i != j && !strcmp(p->names[i], p->names[j]))
					dup[i] = true;
		for (size_t i = 0; i < p->n && dup && !rc; i++) {
			char *full;
			if (!dup[i])
				continue;
			if (!(full = runjson_entry_key(json_array_get(ra, p->ia[i])))) {
				rc = -ENOMEM;
				break;
			}
			free(p->names[i]);
			p->names[i] = full;
		}
		free(dup);
	}
	if (rc) {
		snprintf(err, len, "%s", strerror(-rc));
		gate_pairing_free(p);
		return rc;
	}
	if (!p->n) {
		char why[512] = "";
		explain_mismatch(ra, rb, why, sizeof(why));
		snprintf(err, len,
			 "no results entry of A matches one of B (entries are paired by "
			 "experiment, backend and params when a run has several)%s",
			 why);
		return -ENOENT;
	}
	return 0;
}
