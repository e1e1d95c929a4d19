#!/usr/bin/env bash
# The saved-run gate on whole `run all` files: entries that are not spawn samples (no per-block
# summaries: contention points, post-fork passes) are skipped with a note and the rest are
# compared; a file where nothing has blocks is still an input error (exit 2).
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 3
for r in a b; do
	"$SS" run latency --backends vfork --samples 200 --block 20 --warmup 5 --probes off \
		--quiet --out "$tmp/$r" || exit 1
	# a contention-like point: metrics, no blocks
	jq '.results += [{"experiment": "contention", "backend": "threads",
		"params": {"op": "dup-close", "workers": 1}, "metrics": {"ops_per_s": 1000}}]' \
		"$tmp/$r/run.json" >"$tmp/$r/mixed.json"
	jq '.results |= map(del(.blocks))' "$tmp/$r/run.json" >"$tmp/$r/noblocks.json"
done
# three replicates a side (the same file: this test is about which entries are compared)
"$SS" gate --baseline "$tmp/a/mixed.json" --baseline "$tmp/a/mixed.json" --baseline "$tmp/a/mixed.json" \
	--current "$tmp/b/mixed.json" --current "$tmp/b/mixed.json" --current "$tmp/b/mixed.json" --out "$tmp/g1" \
	>"$tmp/g1.out" 2>"$tmp/g1.err"
rc=$?
[ "$rc" -ne 2 ] && grep -q "latency/vfork" "$tmp/g1.out"
ok $? "mixed files: the spawn entries are compared (exit $rc)"
grep -q "not compared" "$tmp/g1.err"
ok $? "mixed files: the entries without blocks are named as not compared"
"$SS" gate --baseline "$tmp/a/noblocks.json" --current "$tmp/b/noblocks.json" --out "$tmp/g2" \
	>/dev/null 2>"$tmp/g2.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "per-block summaries" "$tmp/g2.err"
ok $? "no entry with blocks: input error, exit 2 ($rc)"
tap_done
