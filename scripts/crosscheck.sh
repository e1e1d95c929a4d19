#!/usr/bin/env bash
# Cross-check the driver's clock against hyperfine's: the same `stamp` target, spawned by
# `hyperfine -N` (no shell; Rust's std::process::Command, i.e. posix_spawn where it can) and by
# the driver's fork-exec and posix-spawn backends, in interleaved rounds so drift hits both.
# hyperfine's wall time per run is comparable with the driver's t_reaped (call -> reaped).
# Usage: scripts/crosscheck.sh [ROUNDS (default 5)] [RUNS per round (default 300)]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} runs=${2:-300}
B=${SPAWNSCOPE_BUILD:-build}
for t in hyperfine jq; do
	command -v "$t" >/dev/null || { echo "crosscheck: $t missing (scripts/deps.sh installs it)" >&2; exit 2; }
done
[ -x "$B/spawnscope" ] || { echo "crosscheck: $B/spawnscope missing: run make" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

for r in $(seq "$rounds"); do
	# stamp writes its 16-byte timestamp to the fd named in argv[1]: stdout, discarded by hyperfine
	hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$tmp/h$r.json" \
		"$B/targets/stamp 1" >/dev/null 2>&1
	jq -r '.results[0].times[] * 1e9' "$tmp/h$r.json" >>"$tmp/hyperfine.ns"
	"$B/spawnscope" run latency --backends fork-exec,posix-spawn --samples "$runs" --warmup 20 \
		--probes off --quiet --out "$tmp/d$r" --seed "$r"
	for be in fork-exec posix-spawn; do
		cut -d, -f7 "$tmp/d$r/samples/latency-$be.csv" | tail -n +2 | grep -v '^$' >>"$tmp/$be.ns"
	done
	echo "round $r/$rounds done" >&2
done

printf '%-34s %8s %12s\n' "what" "n" "median (µs)"
for f in hyperfine fork-exec posix-spawn; do
	n=$(wc -l <"$tmp/$f.ns")
	m=$(median <"$tmp/$f.ns")
	label=$([ "$f" = hyperfine ] && echo "hyperfine -N (wall per run)" || echo "spawnscope $f t_reaped")
	printf '%-34s %8d %12.1f\n' "$label" "$n" "$(awk -v m="$m" 'BEGIN { print m / 1000 }')"
done
