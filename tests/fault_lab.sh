#!/usr/bin/env bash
# Two faults the measurement process itself must survive (issue 13, items 5 and 6; fixed by the
# lab of issue 10): a low RLIMIT_NOFILE (ulimit -n 64: the stamp pipe and the lab's sockets
# must fit, or the limit be raised within the hard one), and a --target that never exits (a
# per-sample timeout kills and reaps it, the run goes on and reports it, nothing is left).
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/fault.bash"
tap_plan 5
hang_cap=60

for exp in latency fdtable; do
	err=$(ulimit -n 64 && timeout -k 5 120 "$SS" run "$exp" --quick --backends fork-exec --probes off \
		--quiet --out "$tmp/nofile-$exp" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && jq -e .complete "$tmp/nofile-$exp/run.json" >/dev/null 2>&1
	ok $? "ulimit -n 64: run $exp --quick completes (exit $rc)"
	[ "$rc" -ne 0 ] && head -3 <<<"$err" | diag
done

printf '#!/bin/sh\nexec sleep 600\n' >"$tmp/hang" && chmod +x "$tmp/hang"
t0=$(date +%s)
SPAWNSCOPE_FAULT_MARK=$mark timeout -k 5 "$hang_cap" "$REAPER" 2000 "$SS" run latency --target "$tmp/hang" \
	--backends fork-exec --samples 2 --warmup 0 --sample-timeout 1 --probes off --quiet \
	--out "$tmp/hang-run" \
	>/dev/null 2>"$tmp/err"
rc=$?
took=$(($(date +%s) - t0))
[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] && [ "$rc" -ne 99 ]
ok $? "a --target that never exits: the run ends by itself (exit $rc after ${took} s; 124 = still running after $hang_cap s)"
grep -q "sample-timeout" "$tmp/err" && jq -e '[.results[] | .failures // 0] | add > 0' "$tmp/hang-run/run.json" >/dev/null 2>&1
ok $? "the timeout is reported on stderr and counted as failures in run.json"
[ -z "$(marked)" ] && [ "$rc" -ne 99 ]
ok $? "the hung target was killed and reaped: nothing left running"
tap_done
