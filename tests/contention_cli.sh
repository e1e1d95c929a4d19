#!/usr/bin/env bash
# `spawnscope run contention`: bad names and counts are usage errors that list the valid
# choices; a short run of every op gives non-zero throughput in run.json with the contract's
# fields, the CSVs for the plot and a summary section; spawn-under-load entries per backend;
# Ctrl-C mid-point reaps every worker and leaves a valid, incomplete run.json.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
tap_plan 18

expect_exit 2 "--sharing: unknown name 'bogus' \(valid: threads, files, vm, processes\)" \
	"unknown sharing lists the valid ones" -- "$SS" run contention --sharing threads,bogus --out "$tmp/a"
expect_exit 2 "--ops: unknown name 'nope' \(valid: dup-close, open-close, pipe-close, read-shared, getrlimit, setrlimit, prlimit-sibling, spawn-faults, spawn-fds\)" \
	"unknown op lists the valid ones" -- "$SS" run contention --ops nope --out "$tmp/a"
expect_exit 2 "--workers: 0 is outside 1\.\." "zero workers refused" \
	-- "$SS" run contention --workers 0 --out "$tmp/a"
expect_exit 2 "--workers: 100000 is outside 1\.\.[0-9]+ .*--max-workers" "workers above the cap refused" \
	-- "$SS" run contention --workers 100000 --out "$tmp/a"
expect_exit 2 "--workers: bad value 'x'" "non-numeric workers refused" \
	-- "$SS" run contention --workers 1,x --out "$tmp/a"
[ ! -e "$tmp/a" ]
ok $? "no run directory is created for rejected input"

d="$tmp/run"
ops=dup-close,open-close,pipe-close,read-shared,getrlimit,setrlimit,prlimit-sibling
"$SS" run contention --ops "$ops" --workers 1,2 --duration 0.05 --quiet --out "$d" 2>"$tmp/err"
ok $? "short run of every worker op exits 0"
diag <"$tmp/err"
n=$(jq '[.results[] | select(.experiment == "contention")] | length' "$d/run.json")
[ "$n" -eq 56 ]
ok $? "7 ops x 4 sharings x 2 worker counts = 56 points ($n)"
jq -e 'all(.results[] | select(.experiment == "contention");
	(.params | (.sharing | type == "string") and (.op | type == "string") and (.workers | type == "number"))
	and (.metrics.ops_per_s > 0))' "$d/run.json" >/dev/null
ok $? "every point has params {sharing, op, workers} and ops_per_s > 0"
jq -e 'all(.results[] | select(.experiment == "contention");
	(.metrics.per_worker_ops_per_s | length) == .params.workers
	and (.metrics.op_ns | .unit == "ns" and .n > 0 and .p50 <= .p99)
	and (.metrics.efficiency | type == "number"))' "$d/run.json" >/dev/null
ok $? "per-worker ops/s, op_ns statistics and scaling efficiency on every point"
jq -e '(.lockstat.enabled | type == "boolean") and (.lockstat.reason | type == "string")
	and (if .lockstat.enabled then all(.results[] | select(.experiment == "contention");
		(.contention | type == "array")) else true end)' "$d/run.json" >/dev/null
ok $? "lockstat recorded (enabled or why not); breakdown on each point when enabled"
head -1 "$d/points-contention.csv" | grep -q '^sharing,op,workers,backend,ops_per_s' &&
	[ "$(tail -n +2 "$d/points-contention.csv" | wc -l)" -eq 56 ] && [ -r "$d/lockstat.csv" ]
ok $? "points-contention.csv (56 rows) and lockstat.csv written"
grep -q "^## Contention" "$d/summary.md" && grep -q "### dup-close" "$d/summary.md"
ok $? "summary.md has the contention section"
[ -s "$d/plots/contention.svg" ] && [ -s "$d/plots/contention.png" ]
ok $? "plots/contention.svg and .png rendered"

d2="$tmp/spawn"
"$SS" run contention --ops spawn-faults,spawn-fds --sharing threads,processes --workers 1,2 \
	--samples 6 --warmup 1 --quiet --out "$d2" 2>"$tmp/err2"
ok $? "spawn-under-load run exits 0"
diag <"$tmp/err2"
jq -e '[.results[] | select(.experiment == "contention" and .params.backend == "fork-exec"
	and .metrics.ops_per_s > 0 and .metrics.op_ns.n == 4 and .n_switch_samples == 2
	and .metrics.t_reaped.p50 > 0)] | length == 8' \
	"$d2/run.json" >/dev/null
ok $? "fork-exec timed at every spawn point (op_ns = t_reaped: 6 samples in blocks of 5, the 2 first-of-block left out)"

# Ctrl-C in the middle of a point: every worker is reaped and run.json stays valid.
d3="$tmp/int"
"$SS" run contention --ops dup-close --sharing processes --workers 3 --duration 30 --quiet \
	--probes off --out "$d3" 2>/dev/null &
pid=$!
workers=
for _ in $(seq 50); do
	# the workers are the lab's children (the lab is the driver's)
	workers=$(for c in $(cat /proc/$pid/task/*/children 2>/dev/null); do
		cat /proc/$c/task/*/children 2>/dev/null; done)
	[ "$(wc -w <<<"$workers")" -ge 3 ] && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
left=0
for w in $workers; do kill -0 "$w" 2>/dev/null && left=$((left + 1)); done
[ "$rc" -eq 130 ] && [ "$(wc -w <<<"$workers")" -ge 3 ] && [ "$left" -eq 0 ]
ok $? "SIGINT: exit 130, $(wc -w <<<"$workers") workers seen, $left left running"
jq -e '.complete == false' "$d3/run.json" >/dev/null
ok $? "interrupted run.json is valid and marked incomplete"
tap_done
