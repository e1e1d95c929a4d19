#!/usr/bin/env bash
# SIGINT, SIGTERM and SIGKILL at a random (seeded, printed) point of each experiment's --quick
# run. Afterwards: nothing left running (the run is started under a child subreaper, so what
# it orphans is caught, and every process it made carries a marker in its environment), no
# BPF program or link it held still exists, run.json is valid JSON (marked incomplete after
# an interrupt), and no temporary file is left in the run directory.
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/bpf.bash"
. "$(dirname "$0")/lib/fault.bash"
seed=${FAULT_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
tap_plan 14
echo "# seed $seed (FAULT_SEED=$seed repeats these points)"

# experiment and the span (ms) its --quick run takes here, roughly: the signal lands in it
for case in latency:4000 pagetable:5000 fdtable:1500 contention:9000; do
	exp=${case%%:*} span=${case#*:}
	for sig in INT TERM KILL; do
		d="$tmp/$exp-$sig"
		at=$((50 + RANDOM % (span * 8 / 10)))
		: >"$tmp/ids"
		SPAWNSCOPE_FAULT_MARK=$mark "$REAPER" 3000 "$SS" run "$exp" --quick --quiet --out "$d" \
			>/dev/null 2>"$tmp/err" &
		reaper=$!
		drv=
		start=$(date +%s%N)
		while [ $((($(date +%s%N) - start) / 1000000)) -lt "$at" ] && kill -0 "$reaper" 2>/dev/null; do
			[ -z "$drv" ] && drv=$(pgrep -P "$reaper" | head -1)
			if [ -n "$drv" ]; then
				for p in "$drv" $(pgrep -P "$drv"); do held_ids "$p"; done >>"$tmp/ids"
			fi
			sleep 0.02
		done
		[ -n "$drv" ] && kill -"$sig" "$drv" 2>/dev/null
		wait "$reaper"
		rc=$?
		why=""
		case $sig in
		KILL) [ "$rc" -eq 137 ] || [ "$rc" -eq 0 ] || why="$why exit $rc (wanted 137, or 0 if it had finished);" ;;
		*) [ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] || why="$why exit $rc (wanted 130, or 0 if it had finished);" ;;
		esac
		[ "$rc" -eq 99 ] && why="$why processes left behind: $(grep orphan "$tmp/err" | tr '\n' ' ');"
		left=$(marked)
		[ -n "$left" ] && why="$why still running: $left;"
		# shellcheck disable=SC2046
		lp=$(remaining prog $(awk '$1 == "P" {print $2}' "$tmp/ids" | sort -u))
		# shellcheck disable=SC2046
		ll=$(remaining link $(awk '$1 == "L" {print $2}' "$tmp/ids" | sort -u))
		[ -n "$lp$ll" ] && why="$why BPF left: progs$lp links$ll;"
		if [ -e "$d/run.json" ]; then
			jq -e . "$d/run.json" >/dev/null 2>&1 || why="$why run.json is not valid JSON;"
			if [ "$sig" != KILL ] && [ "$rc" -eq 130 ]; then
				jq -e '.complete == false' "$d/run.json" >/dev/null 2>&1 ||
					why="$why interrupted but not marked incomplete;"
			fi
		fi
		tmpf=$(find "$tmp" -regextype posix-extended \
			-regex '.*\.(json|md|csv|gp)\.[^/]+$' 2>/dev/null | tr '\n' ' ')
		[ -n "$tmpf" ] && why="$why temporary files: $tmpf;"
		held="$(grep -c '^P' <(sort -u "$tmp/ids")) programs, $(grep -c '^L' <(sort -u "$tmp/ids")) links"
		[ -z "$why" ]
		ok $? "$exp: SIG$sig at ${at} ms: exit $rc, nothing left running, no BPF left (held: $held), run.json valid, no temp file"
		[ -n "$why" ] && echo "$why" | diag
		rm -rf "$d"
	done
done

# SIGKILL that surely lands while workers that are processes of their own (files) run: they
# must die with the driver (PR_SET_PDEATHSIG), not spin on holding its fds and BPF links.
SPAWNSCOPE_FAULT_MARK=$mark "$REAPER" -s 9 -a 1500 3000 "$SS" run contention --sharing files,vm,processes \
	--ops dup-close --workers 2 --duration 2 --quiet --out "$tmp/workers" >/dev/null 2>"$tmp/err"
rc=$?
left=$(marked)
[ "$rc" -eq 137 ] && [ -z "$left" ]
ok $? "contention workers die with a SIGKILLed driver (exit $rc; left: $(grep orphan "$tmp/err" | tr '\n' ' ')${left:-none})"

# The workers are the lab's (the lab is exec'd before the probes load, so it and its
# workers never hold the driver's BPF fds): while the driver holds programs, neither the lab
# nor any worker holds one.
"$SS" run contention --sharing vm,processes --ops dup-close --workers 2 --duration 1 --probes on \
	--quiet --out "$tmp/bpffds" >/dev/null 2>&1 &
drv=$!
drv_held=0 workers_held=0 workers_seen=0
while kill -0 "$drv" 2>/dev/null; do
	n=$(held_ids "$drv" | wc -l)
	for lab in $(pgrep -P "$drv"); do
		[ "$(cat /proc/"$lab"/comm 2>/dev/null)" = spawnscope-lab ] || continue # (gnuplot)
		for w in "$lab" $(pgrep -P "$lab"); do
			[ "$w" = "$lab" ] || workers_seen=$((workers_seen + 1))
			[ "$n" -gt 0 ] && drv_held=$n &&
				workers_held=$((workers_held + $(held_ids "$w" | wc -l)))
		done
	done
	sleep 0.05
done
wait "$drv"
if [ "$(jq -r '.probes.enabled' "$tmp/bpffds/run.json" 2>/dev/null)" = true ]; then
	[ "$drv_held" -gt 0 ] && [ "$workers_held" -eq 0 ] && [ "$workers_seen" -gt 0 ]
	ok $? "the lab and its vm/processes workers hold no BPF fd while the driver holds $drv_held (workers seen $workers_seen times, BPF fds in them: $workers_held)"
else
	skip "the probes did not load here" "workers hold no BPF fd"
fi
tap_done
