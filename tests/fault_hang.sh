#!/usr/bin/env bash
# A child that never exits. The first SIGINT asks the run to stop after the sample in flight;
# a second one kills every child and the driver exits 130 within a few seconds, with run.json
# valid and nothing left running. The paired gate keeps its --budget while a block command
# hangs: the command's whole process group is stopped and reaped.
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/fault.bash"
tap_plan 4
printf '#!/bin/sh\nexec sleep 600\n' >"$tmp/hang" && chmod +x "$tmp/hang"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

SPAWNSCOPE_FAULT_MARK=$mark "$REAPER" 2000 "$SS" run latency --target "$tmp/hang" --backends fork-exec \
	--samples 5 --warmup 0 --probes off --quiet --out "$tmp/run" 2>"$tmp/err" &
reaper=$!
drv=
for _ in $(seq 100); do drv=$(pgrep -P "$reaper" | head -1) && [ -n "$drv" ] && pgrep -P "$drv" >/dev/null && break; sleep 0.05; done
sleep 0.5
kill -INT "$drv"
sleep 1
# (the first SIGINT waits for the sample in flight: the hung child; a per-sample timeout
# shorter than this second would end it first, and the second signal then finds nothing)
t0=$(now_ms)
kill -INT "$drv" 2>/dev/null
# bounded: a driver that does not escalate is killed after 10 s (and the test fails)
for _ in $(seq 200); do kill -0 "$drv" 2>/dev/null || break; sleep 0.05; done
kill -0 "$drv" 2>/dev/null && for p in $(marked); do kill -KILL "$p"; done
wait "$reaper"
rc=$?
took=$(($(now_ms) - t0))
[ "$rc" -eq 130 ] && [ "$took" -lt 5000 ]
ok $? "a second SIGINT: exit 130 (got $rc) in ${took} ms (< 5 s: children killed, 3 s grace at most)"
[ -z "$(marked)" ] && [ "$rc" -ne 99 ]
ok $? "nothing left running (the hung target was killed and reaped): $(grep orphan "$tmp/err")"
jq -e '.complete == false' "$tmp/run/run.json" >/dev/null 2>&1
ok $? "run.json valid, complete: false"

t0=$(now_ms)
SPAWNSCOPE_FAULT_MARK=$mark timeout -k 2 30 "$REAPER" 2000 "$SS" gate --a "sh -c 'sleep 600; :'" \
	--b "sh -c 'sleep 600; :'" --budget 3s --out "$tmp/gate" >/dev/null 2>"$tmp/gerr"
rc=$?
took=$(($(now_ms) - t0))
[ "$took" -lt 12000 ] && [ "$rc" -ne 99 ] && [ -z "$(marked)" ] && grep -q -- "--budget spent" "$tmp/gerr"
ok $? "gate --budget 3s with hung block commands: over in ${took} ms (< 12 s), exit $rc, their process group gone"
[ "$rc" -eq 99 ] && grep orphan "$tmp/gerr" | diag
tap_done
