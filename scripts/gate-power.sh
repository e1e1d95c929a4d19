#!/usr/bin/env bash
# The regression gate's power on this machine: run `spawnscope gate` N times A/A (identical
# commands) and N times with B slowed by each of PCTS percent, and count false alarms and
# detections. B's slowdown is the example plug-in's busy-wait (EXAMPLE_SPAWN_DELAY_NS) sized
# to PCT % of the p10 of the metric, measured just before each gate run (the machine drifts).
#
# usage: scripts/gate-power.sh [-b BUILD] [-n N] [-p PCTS] [-t BUDGET] [-o OUT] [-- GATE_ARGS...]
#   -b build directory (default build)      -n runs per setting (default 20)
#   -p comma list of slowdowns in percent (default 10)
#   -t --budget for each gate run (default 60s)
#   -o directory for power.csv and power.md (default results/gate-power-<UTC time>)
#   GATE_ARGS go to every gate run (e.g. --threshold 3% --block 300)
# Exit status: 0 when it ran (the figures are the result), 2 for bad usage.
set -uo pipefail

build=build n=20 pcts=10 budget=60s out=''
while getopts "b:n:p:t:o:h" opt; do
	case $opt in
	b) build=$OPTARG ;;
	n) n=$OPTARG ;;
	p) pcts=$OPTARG ;;
	t) budget=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,13p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
extra=("$@")
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "gate-power: -n $n: want a positive count" >&2; exit 2; }
[[ $pcts =~ ^[0-9.]+(,[0-9.]+)*$ ]] || { echo "gate-power: -p $pcts: want e.g. 10,7,5" >&2; exit 2; }

ss=$(cd "$build" 2>/dev/null && pwd)/spawnscope
plug=$(dirname "$ss")/plugins/libexample.so
[ -x "$ss" ] && [ -f "$plug" ] || { echo "gate-power: $build: no spawnscope or plugins/libexample.so (run make)" >&2; exit 2; }
out=${out:-results/gate-power-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out" || { echo "gate-power: -o $out: cannot create" >&2; exit 2; }
tmp=$(mktemp -d /tmp/spawnscope-power-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
run="$ss run latency --backends plugin:$plug"

# p10 of t_first of the example plug-in now, in ns
calibrate() {
	rm -rf "$tmp/cal"
	"$ss" run latency --backends "plugin:$plug" --samples 200 --quiet --probes off \
		--out "$tmp/cal" 2>/dev/null || return 1
	python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["results"][0]["metrics"]["t_first"]["p10"]))' \
		"$tmp/cal/run.json"
}

csv=$out/power.csv
echo "setting,pct,run,base_p10_ns,delay_ns,exit,elapsed_s,pairs,change_pct,ci_lo_pct,ci_hi_pct" >"$csv"

one() { # setting pct run
	local setting=$1 pct=$2 i=$3 base delay=0 t0 t1 rc b
	base=$(calibrate) || { echo "gate-power: calibration run failed" >&2; return 1; }
	if [ "$setting" != aa ]; then
		delay=$(python3 -c "print(round($base * $pct / 100))")
	fi
	b="env EXAMPLE_SPAWN_DELAY_NS=$delay $run"
	[ "$setting" = aa ] && b=$run
	rm -rf "$tmp/g"
	t0=$(date +%s.%N)
	"$ss" gate --a "$run" --b "$b" --budget "$budget" --out "$tmp/g" --quiet "${extra[@]}" \
		>/dev/null 2>"$tmp/err"
	rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" -eq 2 ]; then
		echo "gate-power: the gate failed (exit 2):" >&2
		cat "$tmp/err" >&2
		return 1
	fi
	python3 - "$tmp/g/verdict.json" "$setting" "$pct" "$i" "$base" "$delay" "$rc" "$t0" "$t1" >>"$csv" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
setting, pct, i, base, delay, rc, t0, t1 = sys.argv[2:]
ph = v["phases"][-1]
c = next(c for c in ph["comparisons"] if c["decisive"])
lo, hi = c["ci95_pct"]
f = lambda x: "" if x is None else "%.3f" % x
print(",".join([setting, pct, i, base, delay, rc, "%.1f" % (float(t1) - float(t0)),
                str(sum(p["pairs"] for p in v["phases"])), f(c["change_pct"]), f(lo), f(hi)]))
EOF
	printf '%s %s%% run %d: exit %d\n' "$setting" "$pct" "$i" "$rc" >&2
}

for i in $(seq 1 "$n"); do
	one aa 0 "$i" || exit 1
done
IFS=, read -ra plist <<<"$pcts"
for pct in "${plist[@]}"; do
	for i in $(seq 1 "$n"); do
		one slow "$pct" "$i" || exit 1
	done
done

python3 - "$csv" "$out/power.md" "$budget" "${extra[*]:-}" <<'EOF'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
groups = {}
for r in rows:
    groups.setdefault((r["setting"], float(r["pct"])), []).append(r)
lines = ["## Gate power (scripts/gate-power.sh)", "",
         "budget %s per gate run; extra gate options: %s" % (sys.argv[3], sys.argv[4] or "none"), "",
         "| B | runs | exit 1 (regression) | exit 0 (pass) | exit 3 (inconclusive) | median s | max s | median change |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for (setting, pct), rs in sorted(groups.items(), key=lambda k: (k[0][0] != "aa", -k[0][1])):
    cnt = lambda e: sum(r["exit"] == e for r in rs)
    el = [float(r["elapsed_s"]) for r in rs]
    ch = [float(r["change_pct"]) for r in rs if r["change_pct"]]
    name = "A/A (identical)" if setting == "aa" else "+%g %% slower" % pct
    lines.append("| %s | %d | %d | %d | %d | %.1f | %.1f | %+.2f %% |" % (
        name, len(rs), cnt("1"), cnt("0"), cnt("3"), statistics.median(el), max(el),
        statistics.median(ch) if ch else float("nan")))
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "gate-power: raw results in $csv" >&2
