/*
 * Probe phase coverage (bench/core/probe_coverage.c): from a made-up arm whose samples miss some
 * phases, the counts, n_expected (exec only in exec mode, mmap_lock_hold only with an own mm,
 * failed samples and detached arms not counted), coverage and first_run_delay's sources; the
 * summary paragraph names a phase below 99 % and a fallback use, and says nothing when every
 * phase is covered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/core/probe_coverage.h"
#include "tap.h"

#define N 200

static struct sample s[N];
static struct probe_sample ph[N];

/* Every phase present, and an own mm (pgtables_bytes). */
static void full(struct probe_sample *p)
{
	memset(p, 0, sizeof(*p));
	p->have_phase = (1u << PH__N) - 1;
	p->have_value = 1u << PV_PGTABLES_BYTES;
}

static json_int_t get(json_t *entry, const char *phase, const char *key)
{
	return json_integer_value(
	    json_object_get(json_object_get(json_object_get(entry, "phases"), phase), key));
}

static char *summary_of(json_t *entry)
{
	json_t *run = json_pack("{s:[O]}", "results", entry);
	char *buf = NULL;
	size_t len = 0;
	FILE *md = open_memstream(&buf, &len);

	probe_coverage_summary(run, "latency", md);
	fclose(md);
	json_decref(run);
	return buf;
}

int main(void)
{
	struct arm a;
	json_t *entry;
	char *md;

	tap_plan(8);
	memset(&a, 0, sizeof(a));
	a.s = s;
	a.ph = ph;
	a.n = N;
	a.req.exec = true;
	a.probes_attached = 1;
	for (int i = 0; i < N; i++) {
		full(&ph[i]);
		s[i].pos_in_block = 1; /* 0 would be a block's first sample: not counted */
	}
	ph[0].have_phase &= ~(1u << PH_FIRST_RUN_DELAY); /* missed entirely */
	ph[1].fallback = 1u << PH_FIRST_RUN_DELAY;	 /* from the child's syscall exit */
	ph[2].have_phase &= ~(1u << PH_EXEC);		 /* exec missed */
	ph[3].have_phase &= ~(1u << PH_EXEC);		 /* exec missed */
	memset(&ph[4], 0, sizeof(ph[4]));		 /* no record at all */
	ph[5].have_value = 0;				 /* no own mm: no lock hold expected */
	ph[5].have_phase &= ~(1u << PH_MMAP_LOCK_HOLD);
	s[6].err = -1; /* a failed sample counts nowhere */
	memset(&ph[6], 0, sizeof(ph[6]));

	entry = json_pack("{s:s, s:s, s:{}}", "experiment", "latency", "backend", "x[probes]",
			  "phases");
	probe_coverage_store(&a, NULL, entry);
	tap_ok(get(entry, "kernel_create", "n") == N - 2 &&
		   get(entry, "kernel_create", "n_expected") == N - 1,
	       "kernel_create: %lld of %lld (no record: expected, not covered; failed: neither)",
	       (long long)get(entry, "kernel_create", "n"),
	       (long long)get(entry, "kernel_create", "n_expected"));
	tap_ok(get(entry, "exec", "n") == N - 4 && get(entry, "exec", "n_expected") == N - 1,
	       "exec: %lld of %lld", (long long)get(entry, "exec", "n"),
	       (long long)get(entry, "exec", "n_expected"));
	tap_ok(get(entry, "mmap_lock_hold", "n_expected") == N - 3,
	       "mmap_lock_hold expected only with an own mm and a record: %lld",
	       (long long)get(entry, "mmap_lock_hold", "n_expected"));
	json_t *src = json_object_get(
	    json_object_get(json_object_get(entry, "phases"), "first_run_delay"), "sources");
	tap_ok(json_integer_value(json_object_get(src, "child_syscall_exit")) == 1 &&
		   json_integer_value(json_object_get(src, "sched_switch")) == N - 4,
	       "first_run_delay sources: %lld sched_switch, %lld child_syscall_exit",
	       (long long)json_integer_value(json_object_get(src, "sched_switch")),
	       (long long)json_integer_value(json_object_get(src, "child_syscall_exit")));
	md = summary_of(entry);
	tap_ok(md && strstr(md, "`exec`: 196 of 199") && strstr(md, "`first_run_delay`") &&
		   !strstr(md, "`kernel_create`"),
	       "summary names exec (98.5 %%) and the fallback, not kernel_create (99.5 %%)");
	tap_diag("%s", md ? md : "(none)");
	free(md);
	json_decref(entry);

	for (int i = 0; i < N; i++) {
		full(&ph[i]);
		s[i].err = 0;
	}
	entry = json_pack("{s:s, s:s, s:{}}", "experiment", "latency", "backend", "x[probes]",
			  "phases");
	probe_coverage_store(&a, NULL, entry);
	md = summary_of(entry);
	tap_ok(md && !*md, "every phase covered: no paragraph");
	free(md);
	json_decref(entry);

	a.probes_attached = 0; /* the plain twin: probes detached */
	entry = json_pack("{s:s, s:s, s:{}}", "experiment", "latency", "backend", "x", "phases");
	probe_coverage_store(&a, NULL, entry);
	tap_ok(json_object_size(json_object_get(entry, "phases")) == 0 &&
		   !json_object_get(entry, "probe_records"),
	       "an arm with the probes detached gets no coverage");
	json_decref(entry);
	a.probes_attached = 1;
	a.req.exec = false; /* noexec: no exec phase expected */
	for (int i = 0; i < N; i++)
		ph[i].have_phase &= ~(1u << PH_EXEC);
	entry = json_pack("{s:s, s:s, s:{}}", "experiment", "latency", "backend", "x[probes]",
			  "phases");
	probe_coverage_store(&a, NULL, entry);
	tap_ok(!json_object_get(json_object_get(entry, "phases"), "exec"),
	       "noexec: exec is not expected");
	json_decref(entry);
	return tap_done();
}
