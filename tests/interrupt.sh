#!/usr/bin/env bash
# Ctrl-C mid-run: every child reaped, what finished written with "complete": false, exit 130.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
tap_plan 6
d="$tmp/run"

"$SS" run latency --samples 5000000 --warmup 0 --probes off --quiet --out "$d" 2>"$tmp/err" &
pid=$!
# wait until the first block has been stored in run.json... or at most 10 s
for _ in $(seq 100); do
	[ -s "$d/run.json" ] && [ "$(find "$d/samples" -name '*.csv' 2>/dev/null | wc -l)" -eq 0 ] && sleep 1 && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 130 ]
ok $? "SIGINT mid-run exits 130 (got $rc)"
jq -e '.complete == false' "$d/run.json" >/dev/null
ok $? "run.json is valid and marked complete: false"
n=$(jq '[.results[] | select(.metrics.t_reaped.n > 0)] | length' "$d/run.json")
[ "${n:-0}" -ge 1 ]
ok $? "the samples taken before the interrupt are kept ($n entries)"
grep -q 'Incomplete run' "$d/summary.md"
ok $? "summary.md written and says the run is incomplete"
! pgrep -f "$SPAWNSCOPE_BUILD/targets/stamp" >/dev/null
ok $? "no target process left running"
[ -z "$(find "$d" -name 'run.json.*')" ]
ok $? "no temporary file left"
tap_done
