#!/usr/bin/env bash
# Cross-check spawnscope against an independent minimal program and hyperfine, interleaved.
#
# Per round, on the same libc-free `exit0` target: hyperfine -N (its wall time per run),
# tests/targets/refspawn (a plain C loop: fork+execve, vfork+execve, posix_spawn; waitpid),
# and spawnscope's fork-exec, vfork and posix-spawn (`run latency --target exit0`, t_reaped,
# first-of-block samples left out as in every spawnscope statistic) once with --probes off and
# once with --probes auto (headline arms are measured with the probes detached). Each source's
# median over all rounds is compared with refspawn's for the same primitive: spawnscope is
# within ±10 % or this script says FAIL and exits 1.
# The sources run in a fresh random order every round, so drift hits them alike. refspawn and
# the lab both idle 250 ms and warm up before they measure; hyperfine is shown, not judged: its
# runs all fall in the first ~100 ms of a freshly exec'd process, while the kernel's initial
# utilisation estimate still sends its children to the other CPU (docs/lab.md).
# Usage: scripts/crosscheck.sh [ROUNDS (default 8)] [RUNS per source and round (default 200)]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-8} runs=${2:-200}
B=${SPAWNSCOPE_BUILD:-build}
for t in hyperfine jq awk; do
	command -v "$t" >/dev/null || { echo "crosscheck: $t missing (scripts/deps.sh installs it)" >&2; exit 2; }
done
[ -x "$B/spawnscope" ] || { echo "crosscheck: $B/spawnscope missing: run make" >&2; exit 2; }
make --no-print-directory -s BUILD="$B" "$B/tests/targets/refspawn" >/dev/null
T="$B/targets/exit0"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
# t_reaped of a samples CSV (column named t_reaped_ns), first-of-block samples left out
reaped() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["pos_in_block"] > 0 && $c["err"] == 0 && $c["t_reaped_ns"] != "" { print $c["t_reaped_ns"] }' "$1"; }

probes_modes="off auto"
source_run() {
	case $1 in
	hyperfine)
		hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$tmp/h.json" "$T" \
			>/dev/null 2>&1
		jq -r '.results[0].times[] * 1e9' "$tmp/h.json" >>"$tmp/hyperfine.ns" ;;
	ref-*)
		"$B/tests/targets/refspawn" "${1#ref-}" "$runs" "$T" 20 >>"$tmp/$1.ns" ;;
	ss-*)
		p=${1#ss-} d="$tmp/d-$1-$r"
		# exit0 gives no t_first to plot: only a complete run.json counts here
		"$B/spawnscope" run latency --backends fork-exec,vfork,posix-spawn --target exit0 \
			--samples "$runs" --warmup 20 --probes "$p" --quiet --out "$d" --seed "$r" \
			2>"$tmp/err" || jq -e '.complete' "$d/run.json" >/dev/null 2>&1 ||
			{ cat "$tmp/err" >&2; exit 2; }
		for be in fork-exec vfork posix-spawn; do
			reaped "$d/samples/latency-$be.csv" >>"$tmp/ss-$p-$be.ns"
		done
		[ "$p" = off ] || jq -e '.probes.enabled' "$d/run.json" >/dev/null ||
			echo "crosscheck: note: --probes $p ran without probes here" >&2 ;;
	esac
}
for r in $(seq "$rounds"); do
	for s in $(printf '%s\n' hyperfine ref-fork ref-vfork ref-posix_spawn ss-off ss-auto | shuf); do
		source_run "$s"
	done
	echo "round $r/$rounds done" >&2
done

med() { awk -v m="$(median <"$1")" 'BEGIN { printf "%.1f", m / 1000 }'; }
printf '%-42s %7s %12s %10s\n' "what (exit0 target, call -> reaped)" "n" "median µs" "÷ ref"
printf '%-42s %7d %12s %10s\n' "hyperfine -N (wall per run)" "$(wc -l <"$tmp/hyperfine.ns")" \
	"$(med "$tmp/hyperfine.ns")" "–"
fail=0
for pair in fork:fork-exec vfork:vfork posix_spawn:posix-spawn; do
	mode=${pair%%:*} be=${pair#*:}
	ref=$(med "$tmp/ref-$mode.ns")
	printf '%-42s %7d %12s %10s\n' "refspawn $mode" "$(wc -l <"$tmp/ref-$mode.ns")" "$ref" "1.00"
	for p in $probes_modes; do
		v=$(med "$tmp/ss-$p-$be.ns")
		ratio=$(awk -v a="$v" -v b="$ref" 'BEGIN { printf "%.2f", a / b }')
		ok=$(awk -v x="$ratio" 'BEGIN { print (x >= 0.90 && x <= 1.10) ? "ok" : "FAIL" }')
		[ "$ok" = ok ] || fail=1
		printf '%-42s %7d %12s %10s %s\n' "spawnscope $be (--probes $p)" \
			"$(wc -l <"$tmp/ss-$p-$be.ns")" "$v" "$ratio" "$ok"
	done
done
exit $fail
