#!/usr/bin/env bash
# What a run leaves on disk. An existing non-empty --out is refused unless --force, which
# removes only an earlier run's files; a plot that cannot be drawn is a warning (exit 0 for a
# complete measurement, a note in summary.md); `report` of a directory holding only run.json
# works; the saved gate says why a run with probes does not pair with one without; the paired
# gate deletes nothing it did not create.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 11
small=(--backends fork-exec --samples 20 --warmup 0 --probes off --quiet)

"$SS" run latency "${small[@]}" --out "$tmp/r" 2>/dev/null
: >"$tmp/r/samples/stale-backend.csv"
echo "my notes" >"$tmp/r/notes.txt"
err=$("$SS" run latency "${small[@]}" --out "$tmp/r" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && grep -q "not empty" <<<"$err" && [ -e "$tmp/r/samples/stale-backend.csv" ]
ok $? "a second run into the same --out is refused (exit $rc) and changes nothing"
"$SS" run latency "${small[@]}" --out "$tmp/r" --force 2>/dev/null
rc=$? force_rc=$rc
[ "$rc" -eq 0 ] && [ ! -e "$tmp/r/samples/stale-backend.csv" ] && jq -e .complete "$tmp/r/run.json" >/dev/null
ok $? "--force: exit $rc, the earlier run's samples are gone (no mixing)"
[ "$force_rc" -eq 0 ] && [ "$(cat "$tmp/r/notes.txt" 2>/dev/null)" = "my notes" ]
ok $? "--force leaves files that are not spawnscope's alone"

# --target exit0 gives no t_first: the latency plot has nothing to draw
"$SS" run latency "${small[@]}" --target exit0 --out "$tmp/e0" 2>"$tmp/e0.err"
rc=$?
[ "$rc" -eq 0 ] && jq -e .complete "$tmp/e0/run.json" >/dev/null && grep -q "Plots not drawn" "$tmp/e0/summary.md"
ok $? "a plot that cannot be drawn (--target exit0): exit $rc, summary.md says which plots are missing"
grep -q "spawnscope: warning: plots not drawn: latency" "$tmp/e0.err"
ok $? "... and stderr calls it a warning"
# no gnuplot at all
env PATH=/nonexistent "$SS" run latency "${small[@]}" --out "$tmp/nognuplot" 2>/dev/null
rc=$?
[ "$rc" -eq 0 ] && grep -q "Plots not drawn" "$tmp/nognuplot/summary.md"
ok $? "no gnuplot on PATH: exit $rc, noted in summary.md"
# an --out with a space, a newline and a quote
odd="$tmp/odd dir
with 'quote"
"$SS" run latency "${small[@]}" --out "$odd" 2>/dev/null
rc=$?
[ "$rc" -eq 0 ] && [ -s "$odd/summary.md" ]
ok $? "an --out with a space, a newline and a quote: exit $rc, summary.md written"
# report of a directory that holds only run.json
mkdir "$tmp/only" && cp "$tmp/r/run.json" "$tmp/only/"
"$SS" report "$tmp/only" 2>/dev/null
rc=$?
[ "$rc" -eq 0 ] && [ -s "$tmp/only/summary.md" ]
ok $? "report of a directory with only run.json: exit $rc, summary.md written"

# saved gate: a run with probes against one without
if "$SS" run latency --backends fork-exec --samples 100 --block 20 --warmup 0 --probes on --quiet \
	--out "$tmp/p1" 2>/dev/null; then
	"$SS" run latency --backends fork-exec --samples 100 --block 20 --warmup 0 --probes off --quiet \
		--out "$tmp/p0" 2>/dev/null
	err=$("$SS" gate --baseline "$tmp/p1/run.json" --current "$tmp/p0/run.json" --out "$tmp/g" 2>&1)
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "differs in params probes" <<<"$err" && grep -q "same --probes" <<<"$err"
	ok $? "saved gate, probes vs none: exit $rc, and the message says why they do not pair"
	[ ! -e "$tmp/g" ]
	ok $? "... and leaves no gate directory"
else
	skip "the probes cannot load here" "saved gate, probes vs none"
	skip "the probes cannot load here" "no gate directory"
fi

# the paired gate, failing at once, must not delete a user's files in OUT/blocks/
mkdir -p "$tmp/gout/blocks" && echo keep >"$tmp/gout/blocks/user.txt"
"$SS" gate --a /nonexistent --b /nonexistent --out "$tmp/gout" >/dev/null 2>&1
[ -e "$tmp/gout/blocks/user.txt" ]
ok $? "the paired gate leaves a user's OUT/blocks/user.txt alone"
tap_done
