#!/usr/bin/env bash
# The run.json readers under libFuzzer (ASan + UBSan, clang): the committed corpus (real runs
# plus the inputs that once hit undefined behaviour) replays clean, then FUZZ_TIME seconds
# (default 20; `make fuzz`: 600) of mutation find no crash, sanitizer report, hang or
# "(null)" in a summary. make test builds the target and sets SPAWNSCOPE_FUZZ.
: "${SPAWNSCOPE_BUILD:=unused}" # (tap.bash wants it; this test runs only SPAWNSCOPE_FUZZ)
. "$(dirname "$0")/lib/tap.bash"
tap_plan 2
corpus="$(cd "$(dirname "$0")" && pwd)/fuzz/corpus"
if [ -z "${SPAWNSCOPE_FUZZ:-}" ] || [ ! -x "$SPAWNSCOPE_FUZZ" ]; then
	skip "SPAWNSCOPE_FUZZ not built (make fuzz-build)" "corpus replays clean"
	skip "SPAWNSCOPE_FUZZ not built (make fuzz-build)" "fuzzing finds nothing"
	tap_done
	exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp # the target's scratch directory for the gate's outputs
export SPAWNSCOPE_FUZZ_NULL_LOG=$tmp/null-summary.md # a summary with "(null)" lands here
mkdir "$tmp/new" "$tmp/artifacts"
"$SPAWNSCOPE_FUZZ" -close_fd_mask=3 "$corpus"/* >"$tmp/replay.log" 2>&1
ok $? "the committed corpus ($(ls "$corpus" | wc -l) inputs) replays without a finding"
grep -E "runtime error|ERROR|SUMMARY" "$tmp/replay.log" | head -5 | diag
seed=${FUZZ_SEED:-$RANDOM}
echo "# fuzzing ${FUZZ_TIME:-20} s, -seed=$seed"
"$SPAWNSCOPE_FUZZ" -seed="$seed" -max_total_time="${FUZZ_TIME:-20}" -timeout=10 -rss_limit_mb=1024 \
	-close_fd_mask=3 -artifact_prefix="$tmp/artifacts/" "$tmp/new" "$corpus" >"$tmp/fuzz.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && [ -z "$(ls "$tmp/artifacts")" ]
ok $? "${FUZZ_TIME:-20} s of fuzzing: no crash, sanitizer report or hang (exit $rc)"
if [ "$rc" -ne 0 ]; then
	grep -E "runtime error|ERROR|SUMMARY|Test unit| in [a-z_]+ /" "$tmp/fuzz.log" | head -16 | diag
	[ -e "$tmp/null-summary.md" ] && grep -m3 "(null)" "$tmp/null-summary.md" | cut -c1-200 | diag
	for f in "$tmp"/artifacts/*; do [ -f "$f" ] && { echo "# artifact (base64):"; base64 -w0 "$f" | head -c 4000 | diag; echo; }; done
fi
tap_done
