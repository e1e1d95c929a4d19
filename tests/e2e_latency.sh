#!/usr/bin/env bash
# End to end: `spawnscope run latency --samples 200` produces a complete run directory that
# honours the run.json contract (parsed with real JSON parsers), CSVs, summary and plots.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 14
d="$tmp/run"

"$SS" run latency --samples 200 --probes off --quiet --out "$d" 2>"$tmp/err"
ok $? "run latency --samples 200 exits 0"
diag <"$tmp/err"
python3 -m json.tool "$d/run.json" >/dev/null
ok $? "run.json parses (python3 -m json.tool)"
jq -e '.schema == "spawnscope/1" and .complete == true and (.command | type == "array")
	and (.command[0] == "spawnscope")' "$d/run.json" >/dev/null
ok $? "schema, complete, command"
jq -e '.machine | (.kernel | type == "string") and (.cpu.vendor | type == "string")
	and (.cpu.brand | type == "string") and (.cpu.cores | type == "number") and has("cmdline")
	and has("thp") and has("aslr") and has("mitigations") and has("clocksource")
	and (.cpu | has("hypervisor"))' "$d/run.json" >/dev/null
ok $? "machine metadata: kernel, cpu, cmdline, THP, ASLR, mitigations, clocksource, hypervisor"
jq -e '(.probes.enabled | type == "boolean") and (.probes | has("programs"))
	and (.probes.reason | type == "string")' "$d/run.json" >/dev/null
ok $? "probes object says enabled/why and lists programs"
jq -e '.timer_overhead_ns > 0 and .timer_overhead_ns < 100000' "$d/run.json" >/dev/null
ok $? "timer overhead measured"
nb=$(jq '[.results[] | select(.experiment == "latency" and (has("skipped") | not))] | length' "$d/run.json")
[ "$nb" -ge 5 ]
ok $? "every built-in backend measured ($nb entries)"
jq -e 'all(.results[] | select(has("skipped") | not);
	(.params | has("target") and has("mode") and has("parent_rss"))
	and all(.metrics.t_return, .metrics.t_first, .metrics.t_reaped;
		.unit == "ns" and .n == 180 and .min <= .p10 and .p10 <= .p50 and .p50 <= .p90
		and .p90 <= .p99 and .p99 <= .max and (.mean | type == "number")
		and (.stddev | type == "number") and (.mad | type == "number")
		and (.ci95_p50 | length == 2) and (.ci95_p10 | length == 2)
		# 20 rounds of 10: fewer than the 40 a block-bootstrap interval needs, so no
		# interval (null) and the standard error between rounds instead
		and .ci_rounds == 20 and .ci95_p50[0] == null and .ci95_p10[1] == null
		and .se_p50_rounds > 0 and .se_p10_rounds > 0)
	and .metrics.t_return.p50 <= .metrics.t_reaped.p50
	and .metrics.t_first.p50 <= .metrics.t_reaped.p50
	and (.blocks | length == 20) and .n_switch_samples == 20
	and (.samples | type == "string"))' "$d/run.json" >/dev/null
ok $? "each result has params and statistics of t_return/t_first/t_reaped over 180 samples (200 less 20 switch samples)"
all_csv=0
for f in $(jq -r '.results[] | select(.samples) | .samples' "$d/run.json"); do
	[ "$(($(wc -l <"$d/$f") - 1))" -eq 200 ] || all_csv=1
done
ok $all_csv "each samples CSV has 200 rows"
head -1 "$d/samples/latency-vfork.csv" | grep -q '^i,block,pos_in_block,cpu_parent,cpu_child,pid,err,t_return_ns,t_first_ns,t_reaped_ns'
ok $? "CSV header"
grep -q '^| vfork | 180 | .*too few rounds' "$d/summary.md"
ok $? "summary.md has the latency table"
[ -s "$d/plots/latency.svg" ] && [ -s "$d/plots/latency.png" ]
ok $? "latency plot rendered (svg and png)"
[ -z "$(find "$d" -name '*.XXXXXX' -o -name 'run.json.*' -o -name '*.csv.*')" ]
ok $? "no temporary files left behind"
rm -rf "$d/plots" "$d/summary.md"
"$SS" report "$d" 2>/dev/null && [ -s "$d/summary.md" ] && [ -s "$d/plots/latency.svg" ]
ok $? "spawnscope report rebuilds summary.md and plots from run.json"
tap_done
