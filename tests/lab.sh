#!/usr/bin/env bash
# The lab as a user meets it: every spawn result records the parent's footprint and it does
# not move while a point runs; the lab is a separate exec'd program in its own process group
# with /dev/null on stdin; it dies with the driver; a point that runs too long is stopped by
# --point-timeout with its samples kept. (A hung child and a low RLIMIT_NOFILE:
# tests/fault_lab.sh.)
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
tap_plan 7

# 1-3: footprint of every spawn result, over latency, pagetable and fdtable points
d="$tmp/fp"
for exp in "latency --parent-rss 0,64M" "pagetable --sizes 0,64M --kinds anon,shared --vmas 1,512" \
	"fdtable --fds 0,2000"; do
	# shellcheck disable=SC2086
	"$SS" run $exp --quick --samples 12 --block 4 --probes off --quiet \
		--out "$d/${exp%% *}" 2>>"$tmp/err" || echo "run $exp failed" >>"$tmp/err"
done
diag <"$tmp/err"
cat "$d"/*/run.json >"$tmp/all.json"
n=$(jq -s '[.[].results[] | select(.samples)] | length' "$tmp/all.json")
nf=$(jq -s '[.[].results[] | select(.samples and .footprint)] | length' "$tmp/all.json")
[ "$n" -gt 20 ] && [ "$n" -eq "$nf" ]
ok $? "every spawn result records the lab's footprint ($nf of $n)"
bad=$(jq -s '[.[].results[] | select(.footprint) | .footprint
	| select(.end.vmas != .start.vmas or .end.fds != .start.fds or .end.threads != .start.threads
		or (.end.rss_anon_bytes - .start.rss_anon_bytes) > 4096
		or (.start.rss_anon_bytes - .end.rss_anon_bytes) > 4096)] | length' "$tmp/all.json")
[ "$bad" -eq 0 ]
ok $? "footprint end == start in every point (RssAnon within a page; VMAs, fds, threads equal): $bad differ"
jq -se '[.[] | .lab.baseline | .vmas > 0 and .fds >= 3 and .threads == 1] | all' "$tmp/all.json" >/dev/null &&
	grep -q '^Parent of every child: the lab process' "$d/latency/summary.md"
ok $? "run.json has the lab's baseline; summary.md says what the parent held"

# 4-6: the lab process itself, seen from outside while a run is in flight
"$SS" run latency --samples 5000000 --warmup 0 --backends vfork --probes off --quiet \
	--out "$tmp/long" 2>/dev/null &
pid=$!
lab=
for _ in $(seq 100); do
	for c in $(cat /proc/$pid/task/*/children 2>/dev/null); do
		grep -q spawnscope-lab "/proc/$c/cmdline" 2>/dev/null && lab=$c
	done
	[ -n "$lab" ] && break
	sleep 0.05
done
[ -n "$lab" ] && [ "$(readlink "/proc/$lab/exe")" = "$(readlink -f "$SPAWNSCOPE_BUILD/spawnscope-lab")" ]
ok $? "the lab is its own binary, exec'd by the driver (pid ${lab:-none})"
lab_pgrp=$(awk '{print $5}' "/proc/$lab/stat" 2>/dev/null)
drv_pgrp=$(awk '{print $5}' "/proc/$pid/stat" 2>/dev/null)
[ -n "$lab_pgrp" ] && [ "$lab_pgrp" != "$drv_pgrp" ] && [ "$(readlink "/proc/$lab/fd/0")" = /dev/null ]
ok $? "own process group ($lab_pgrp, driver's $drv_pgrp), stdin /dev/null"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
gone=1
for _ in $(seq 40); do
	kill -0 "$lab" 2>/dev/null || { gone=0; break; }
	sleep 0.05
done
[ "$gone" -eq 0 ]
ok $? "SIGKILL of the driver takes the lab with it (PR_SET_PDEATHSIG)"

# 7: a point that would run for minutes is stopped by --point-timeout, its samples kept
start=$(date +%s)
"$SS" run latency --backends vfork --samples 10000000 --warmup 0 --point-timeout 1 \
	--probes off --quiet --out "$tmp/pto" 2>"$tmp/pto-err"
rc=$?
took=$(($(date +%s) - start))
[ "$rc" -eq 1 ] && [ "$took" -lt 15 ] && grep -q 'point-timeout' "$tmp/pto-err" &&
	jq -e '.complete == false and .results[0].metrics.t_reaped.n > 100' "$tmp/pto/run.json" >/dev/null
ok $? "--point-timeout 1 stops a long point after ${took}s (exit $rc), keeps its samples, says why"

tap_done
