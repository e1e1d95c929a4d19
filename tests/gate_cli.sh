#!/usr/bin/env bash
# `spawnscope gate` end to end: exit codes (A/A never 1; a forced +50 % slowdown 1), the
# output files, saved runs (regression, corrupt/truncated/wrong-schema/incomplete input ->
# 2), usage errors, a failing command, Ctrl-C, and plug-ins through the driver (two copies
# in one run, another ABI refused). The slowdown is injected with the example plug-in's
# EXAMPLE_SPAWN_DELAY_NS busy-wait, sized from a measured p10, so no absolute time is assumed.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d /tmp/spawnscope-gate-XXXXXX)
bg=
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null && wait "$bg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
tap_plan 27

PLUG="$SPAWNSCOPE_BUILD/plugins/libexample.so"
RUN="$SS run latency --backends plugin:$PLUG"
json_ok() { python3 -c 'import json,sys; [json.load(open(f)) for f in sys.argv[1:]]' "$@"; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# --- the size of a +50 % slowdown: half the example's p10 of t_first, measured here
"$SS" run latency --backends "plugin:$PLUG" --samples 400 --quiet --probes off --out "$tmp/cal" 2>/dev/null
p10=$(field "$tmp/cal/run.json" 'int(d["results"][0]["metrics"]["t_first"]["p10"])' 2>/dev/null)
[ -n "$p10" ] && [ "$p10" -gt 0 ]
ok $? "calibration run gives the example's p10 (${p10:-?} ns)"
delay=$(( ${p10:-100000} / 2 ))
# saved runs are unpaired: load that comes and goes between the two runs is not cancelled,
# so their slowdown is made larger (+200 %) to keep the test deterministic
delay_saved=$(( ${p10:-100000} * 2 ))

# --- paired A/A: pass or inconclusive, never a regression
"$SS" gate --a "$RUN" --b "$RUN" --budget 20s --block 200 --out "$tmp/aa" --quiet >"$tmp/aa.md" 2>"$tmp/aa.err"
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
ok $? "A/A: exit 0 or 3, never 1 (exit $rc)"
[ -f "$tmp/aa/summary.md" ] && json_ok "$tmp/aa/verdict.json" "$tmp/aa/bencher.json" "$tmp/aa/github-action-benchmark.json"
ok $? "A/A: summary.md, verdict.json, bencher.json, github-action-benchmark.json written, valid JSON"
[ "$(field "$tmp/aa/verdict.json" 'd["exit_status"]')" = "$rc" ] && \
	[ "$(field "$tmp/aa/verdict.json" 'd["mode"]')" = paired ]
ok $? "A/A: verdict.json records mode paired and the exit status"
grep -q '| comparison | metric | A | B | change \[95% CI\] | p | verdict |' "$tmp/aa.md" && \
	grep -q 'latency/example | t_first p10' "$tmp/aa.md"
ok $? "A/A: the Markdown table is printed (metric, A, B, change, p, verdict)"
[ "$(field "$tmp/aa/github-action-benchmark.json" 'd[0]["unit"]')" = ns ] && \
	[ -n "$(field "$tmp/aa/bencher.json" 'd["latency/example"]["t-first-p10"]["value"]')" ]
ok $? "A/A: exports in github-action-benchmark and Bencher (BMF) shape"
[ -z "$(find "$tmp/aa" -maxdepth 1 -name "blocks*" -type d)" ] && [ "$(wc -l <"$tmp/aa/blocks.csv")" -gt 8 ]
ok $? "A/A: per-block directories removed, blocks.csv kept"

# --- paired, B slowed by +50 %: a confirmed regression
"$SS" gate --a "$RUN" --b "env EXAMPLE_SPAWN_DELAY_NS=$delay $RUN" --budget 30s --block 200 \
	--out "$tmp/slow" --quiet >"$tmp/slow.md" 2>"$tmp/slow.err"
rc=$?
ok $((rc != 1)) "B slowed by +50 % ($delay ns busy-wait): exit 1 (exit $rc)"
[ "$(field "$tmp/slow/verdict.json" 'd["confirmed"] and len(d["phases"])')" = 2 ]
ok $? "+50 %: confirmed by a second run (two phases in verdict.json)"
grep -q '\*\*regression\*\*' "$tmp/slow.md"
ok $? "+50 %: the table says regression"

# --- saved runs: a run is the unit, three a side for a verdict
for k in 1 2 3; do
	"$SS" run latency --backends "plugin:$PLUG" --samples 600 --quiet --probes off --out "$tmp/base$k" 2>/dev/null
	"$SS" run latency --backends "plugin:$PLUG" --samples 600 --quiet --probes off --out "$tmp/same$k" 2>/dev/null
	EXAMPLE_SPAWN_DELAY_NS=$delay_saved "$SS" run latency --backends "plugin:$PLUG" --samples 600 \
		--quiet --probes off --out "$tmp/cur$k" 2>/dev/null
done
ln -s base1 "$tmp/base"
ln -s cur1 "$tmp/cur"
three() { for k in 1 2 3; do printf -- '--%s\n%s\n' "$1" "$tmp/$2$k/run.json"; done; }
mapfile -t B < <(three baseline base)
mapfile -t C < <(three current cur)
mapfile -t S < <(three current same)
"$SS" gate "${B[@]}" "${C[@]}" --out "$tmp/sv" >"$tmp/sv.md" 2>/dev/null
ok $((rc = $?, rc != 1)) "saved: three +200 % current runs against three baseline runs: a regression (exit $rc)"
grep -q 'weaker' "$tmp/sv.md" && [ "$(field "$tmp/sv/verdict.json" 'd["weaker"]')" = True ] && \
	grep -q '3 baseline and 3 current runs' "$tmp/sv.md"
ok $? "saved: clearly labelled weaker, says runs are the unit (table and verdict.json)"
"$SS" gate "${B[@]}" "${S[@]}" --out "$tmp/sv0" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
ok $? "saved: three A/A runs a side are not a regression (exit $rc)"
expect_exit 3 "insufficient replicates: 1 baseline and 1 current run\(s\)" \
	"saved: one run a side (A/A) is 'insufficient replicates', exit 3" \
	-- "$SS" gate --baseline "$tmp/base1/run.json" --current "$tmp/same1/run.json" --out "$tmp/sv1"

head -c 300 "$tmp/base/run.json" >"$tmp/trunc.json"
expect_exit 2 "trunc.json: not valid JSON \(corrupt or truncated\?\)" "saved: truncated baseline -> 2" \
	-- "$SS" gate --baseline "$tmp/trunc.json" --current "$tmp/cur/run.json" --out "$tmp/x"
printf '\x00\x01garbage{{{' >"$tmp/corrupt.json"
expect_exit 2 "corrupt.json: not valid JSON" "saved: corrupt baseline -> 2" \
	-- "$SS" gate --baseline "$tmp/corrupt.json" --current "$tmp/cur/run.json" --out "$tmp/x"
sed 's#"spawnscope/1"#"spawnscope/9"#' "$tmp/base/run.json" >"$tmp/schema.json"
expect_exit 2 "schema 'spawnscope/9', this spawnscope reads 'spawnscope/1'" \
	"saved: wrong-schema baseline -> 2" \
	-- "$SS" gate --baseline "$tmp/schema.json" --current "$tmp/cur/run.json" --out "$tmp/x"
sed 's#"complete": *true#"complete": false#' "$tmp/base/run.json" >"$tmp/incomplete.json"
expect_exit 2 "marked incomplete" "saved: an incomplete (interrupted) run -> 2" \
	-- "$SS" gate --baseline "$tmp/incomplete.json" --current "$tmp/cur/run.json" --out "$tmp/x"
expect_exit 2 "nonexistent.json: No such file" "saved: missing baseline -> 2" \
	-- "$SS" gate --baseline "$tmp/nonexistent.json" --current "$tmp/cur/run.json" --out "$tmp/x"

# --- usage and failing commands
expect_exit 2 "has --out" "--a containing --out -> 2" -- "$SS" gate --a "$RUN --out x" --b "$RUN"
expect_exit 2 "either --a and --b" "no mode -> 2" -- "$SS" gate --threshold 5%
expect_exit 2 "A command \(block initial-0000\) exited with status 1" "a failing A command -> 2" \
	-- "$SS" gate --a false --b "$RUN" --out "$tmp/x"
expect_exit 2 "B: cannot run '/nonexistent/spawnscope': No such file" "a missing B program -> 2" \
	-- "$SS" gate --a "$RUN" --b "/nonexistent/spawnscope run latency" --out "$tmp/x"

# --- Ctrl-C: exit 130, children reaped, block directories removed
"$SS" gate --a "$RUN" --b "$RUN" --budget 60s --min-pairs 1000 --max-pairs 1000 --out "$tmp/int" \
	--quiet >/dev/null 2>"$tmp/int.err" &
bg=$!
sleep 2
kill -INT "$bg"
wait "$bg"
rc=$?
bg=
[ "$rc" -eq 130 ] && [ -z "$(find "$tmp/int" -maxdepth 1 -name "blocks*" -type d)" ] && ! pgrep -f -- "$tmp/int" >/dev/null
ok $? "SIGINT: exit 130 (got $rc), no child left, block directories removed"

# --- plug-ins through the driver
cp "$PLUG" "$tmp/libexample2.so"
"$SS" run latency --backends "plugin:$PLUG,plugin:$tmp/libexample2.so,posix-spawn" --samples 100 \
	--quiet --probes off --out "$tmp/two" 2>"$tmp/two.err"
[ "$(field "$tmp/two/run.json" '",".join(sorted(e["backend"] for e in d["results"]))')" = \
	"example,example@example2,posix-spawn" ]
ok $? "two copies of a plug-in and a built-in interleave in one run (example, example@example2)"
if cc -std=gnu11 -w -fPIC -shared -I"$(dirname "$0")/.." -x c -o "$tmp/libabi99.so" - <<'EOF'
#include "impls/backend.h"
static int av(char *w, size_t l) { (void)w; (void)l; return 0; }
const struct spawn_backend spawnscope_backend = { .abi = 99, .size = sizeof(struct spawn_backend),
	.name = "abi99", .available = av };
EOF
then
	expect_exit 2 "plugin:$tmp/libabi99.so: refused: plug-in ABI version 99, this spawnscope speaks version 1" \
		"a plug-in of another ABI version is refused with a clear message" \
		-- "$SS" run latency --backends "plugin:$tmp/libabi99.so" --out "$tmp/x"
else
	skip "cc cannot build a test plug-in" "a plug-in of another ABI version is refused"
fi
expect_exit 2 "plugin:$tmp/nope.so: No such file or directory" "a missing plug-in file -> 2" \
	-- "$SS" run latency --backends "plugin:$tmp/nope.so" --out "$tmp/x"
tap_done
