/* libFuzzer target for the run.json reader (bench/core/runjson.c: runjson_load and the entry
 * getters every reader uses), the summary every experiment writes through it, and the
 * saved-run gate reading two of them.
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz); any crash, sanitizer
 * report, hang or "(null)" in summary.md is a failure. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/gate/gate.h"
#include "bench/core/results.h"
#include "bench/core/runjson.h"

static char out_dir[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");

	snprintf(out_dir, sizeof(out_dir), "%s/spawnscope-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(out_dir))
		abort();
	/* the gate prints its table and messages: run with -close_fd_mask=3 (libFuzzer keeps
	 * its own copy of stderr for crash reports) */
	return 0;
}

/* (the input itself may hold the text "(null)": then the check is skipped) */
static void summary_has_no_null(const json_t *run)
{
	char *text = NULL;
	size_t len = 0;
	FILE *md = open_memstream(&text, &len);

	if (!md)
		abort();
	report_write_summary(run, md);
	fclose(md);
	if (text && memmem(text, len, "(null)", 6)) {
		/* a missing string printed through %s: the line goes to SPAWNSCOPE_FUZZ_NULL_LOG */
		const char *log = getenv("SPAWNSCOPE_FUZZ_NULL_LOG");
		FILE *f = log ? fopen(log, "w") : NULL;
		if (f) {
			fwrite(text, 1, len, f);
			fclose(f);
		}
		abort();
	}
	free(text);
}

static void saved_gate(const char *path)
{
	struct gate_opts g;

	gate_opts_defaults(&g);
	g.baseline = path;
	g.current = path;
	g.out = out_dir;
	g.quiet = true;
	gate_run_saved(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[4200];
	int fd = memfd_create("run.json", MFD_CLOEXEC);
	json_t *run;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	run = runjson_load(path, err, sizeof(err));
	if (run) {
		if (!memmem(data, size, "(null)", 6))
			summary_has_no_null(run);
		json_decref(run);
		saved_gate(path);
	}
	close(fd);
	return 0;
}
