#!/usr/bin/env bash
# Round-paired comparisons in `run latency`: every entry but the reference's carries
# vs_reference (p50 and p10 ratios with intervals over the rounds both arms have), --reference
# moves the reference, an unknown reference is said (stderr and "missing"), and the summary's
# ratio columns name the reference. Correctness only: no timing is asserted.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d /tmp/spawnscope-paired-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tap_plan 5

run() { "$SS" run latency --backends vfork,clone --samples 200 --block 10 --warmup 4 \
	--probes off --quiet "$@" 2>"$tmp/err"; }
run --out "$tmp/a"
jq -e '[.results[] | select(.backend == "clone")][0].vs_reference
	| .reference == "vfork" and .metric == "t_first" and .quantile == "p50"
	and .rounds == 20 and .ci95[0] <= .estimate and .estimate <= .ci95[1]
	and .p10.quantile == "p10" and .p10.rounds == 20' "$tmp/a/run.json" >/dev/null &&
	jq -e '[.results[] | select(.backend == "vfork")][0] | has("vs_reference") | not' \
		"$tmp/a/run.json" >/dev/null
ok $? "clone carries vs_reference against vfork (p50 and p10, 20 rounds); vfork has none"
grep -q "| backend | n | t_return p10 / p50 | .* | ÷ vfork, p10 | ÷ vfork, p50 | modes |" "$tmp/a/summary.md"
ok $? "the summary's ratio columns name the reference"
run --reference clone --out "$tmp/b"
jq -e '[.results[] | select(.backend == "vfork")][0].vs_reference.reference == "clone"' \
	"$tmp/b/run.json" >/dev/null
ok $? "--reference clone: vfork is compared with clone"
run --reference nosuch --out "$tmp/c"
rc=$?
[ "$rc" -eq 0 ] && grep -q -- "--reference nosuch: no such arm" "$tmp/err" &&
	jq -e '[.results[].vs_reference.missing] | all(. != null)' "$tmp/c/run.json" >/dev/null
ok $? "an unknown --reference is said on stderr and in every entry (exit $rc)"
"$SS" run latency --reference "" --out "$tmp/d" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--reference" "$tmp/err"
ok $? "an empty --reference is a usage error (exit $rc)"
tap_done
