#!/usr/bin/env bash
# The copy-cost experiments through the binary: bad input is a usage error (exit 2), and a
# small pagetable sweep shows, within one run, that fork's cost grows with touched memory
# while vfork's does not, that VmPTE grows, and that MADV_DONTFORK memory costs nothing.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 17

expect_exit 2 "sizes.*12Q" "pagetable --sizes 12Q is a usage error" -- \
	"$SS" run pagetable --sizes 12Q --out "$tmp/bad1"
expect_exit 2 "sizes.*-1" "pagetable --sizes -1 is a usage error" -- \
	"$SS" run pagetable --sizes 0,-1 --out "$tmp/bad2"
expect_exit 2 "MemAvailable" "pagetable refuses sizes beyond MemAvailable before starting" -- \
	"$SS" run pagetable --sizes 64T --out "$tmp/bad3"
[ -z "$(ls -A "$tmp/bad3/samples" 2>/dev/null)" ]
ok $? "nothing was measured for the refused size"
expect_exit 2 "kinds.*bogus" "pagetable --kinds bogus is a usage error" -- \
	"$SS" run pagetable --kinds anon,bogus --out "$tmp/bad4"
expect_exit 2 "vmas" "pagetable --vmas x is a usage error" -- \
	"$SS" run pagetable --vmas x --out "$tmp/bad5"
expect_exit 2 "fds.*-5" "fdtable --fds -5 is a usage error" -- \
	"$SS" run fdtable --fds 0,-5 --out "$tmp/bad6"
expect_exit 2 "variants.*nope" "fdtable --variants nope is a usage error" -- \
	"$SS" run fdtable --variants inherit,nope --out "$tmp/bad7"

d="$tmp/pt"
"$SS" run pagetable --sizes 0,64M,256M --kinds anon,dontfork --vmas 0 \
	--backends fork-exec,vfork --samples 12 --warmup 1 --probes off --quiet --out "$d" 2>"$tmp/err"
ok $? "run pagetable (0, 64 and 256 MiB, anon and dontfork, fork-exec and vfork) exits 0"
diag <"$tmp/err"

# p10 of t_reaped for backend/kind/size: the samples a busy machine delays by a scheduler
# tick (4 ms here, more than a 256 MiB fork) move p50 of a dozen samples, not p10
p10() {
	jq -r --arg b "$1" --arg k "$2" --argjson s "$3" '[.results[] | select(.experiment ==
		"pagetable" and .backend == $b and .params.kind == $k and .params.size == $s
		and .params.axis == "size")][0].metrics.t_reaped.p10' "$d/run.json"
}
m=$((256 << 20))
fork_grow=$(awk -v a="$(p10 fork-exec anon $m)" -v b="$(p10 fork-exec anon 0)" 'BEGIN{print a-b}')
vfork_grow=$(awk -v a="$(p10 vfork anon $m)" -v b="$(p10 vfork anon 0)" 'BEGIN{print a-b}')
echo "# fork-exec grows by $fork_grow ns from 0 to 256 MiB, vfork by $vfork_grow ns"
awk -v f="$fork_grow" -v v="$vfork_grow" 'BEGIN{ if (v < 0) v = -v; exit !(f > 0 && f > 10 * v) }'
ok $? "fork-exec's cost grows with touched memory, vfork's does not (same run, 10x gap)"
jq -e '[.fits[] | select(.experiment == "pagetable" and .backend == "fork-exec" and
	.kind == "anon" and .metric == "t_reaped" and .x_unit == "MiB")][0].slope_ns > 0' \
	"$d/run.json" >/dev/null
ok $? "fork-exec's fitted slope per MiB is positive"
jq -e '([.fits[] | select(.experiment == "pagetable" and .kind == "anon" and
	.metric == "t_reaped" and .x_unit == "MiB")] | map({(.backend): .slope_ns}) | add) as $s
	| ($s.vfork | fabs) * 10 < $s["fork-exec"]' "$d/run.json" >/dev/null
ok $? "vfork's slope is far below fork-exec's"
vmpte() {
	jq -r --arg k "$1" --argjson s "$2" '[.results[] | select(.experiment == "pagetable" and
		.backend == "postfork" and .params.kind == $k and .params.size == $s)][0]
		.metrics.vmpte_kb.p50' "$d/run.json"
}
echo "# fork child VmPTE: anon $(vmpte anon 0) kB at 0, $(vmpte anon $m) kB at 256 MiB;" \
	"dontfork $(vmpte dontfork $m) kB at 256 MiB"
# 256 MiB of 4 KiB pages needs 128 PTE pages (512 kB): the gap is far above noise
awk -v a="$(vmpte anon $m)" -v b="$(vmpte anon 0)" 'BEGIN{ exit !(a - b >= 256) }'
ok $? "the fork child's VmPTE grows with the parent's touched memory"
awk -v a="$(vmpte dontfork $m)" -v b="$(vmpte anon 0)" 'BEGIN{ exit !(a - b < 64) }'
ok $? "MADV_DONTFORK memory is not copied into the child (VmPTE as at size 0)"
dont_grow=$(awk -v a="$(p10 fork-exec dontfork $m)" -v b="$(p10 fork-exec dontfork 0)" 'BEGIN{print a-b}')
echo "# fork-exec grows by $dont_grow ns for 256 MiB of MADV_DONTFORK memory"
awk -v f="$fork_grow" -v d="$dont_grow" 'BEGIN{ exit !(d < f / 4) }'
ok $? "MADV_DONTFORK memory adds far less than the same size of anon memory"
jq -e '[.results[] | select(.backend == "postfork" and .params.kind == "anon" and
	.params.size > 0)][0].metrics.post_fork_ns.p50 > 0' "$d/run.json" >/dev/null
ok $? "post-fork copy-on-write cost is measured and positive"
[ -s "$d/points-pagetable.csv" ] && [ -s "$d/plots/pagetable.svg" ] && [ -s "$d/plots/pagetable.png" ] &&
	grep -Eq "^\| fork-exec \| .* \| (pays|nothing measurable|no growth \(drift\)) \|$" "$d/summary.md"
ok $? "points CSV, plots (svg, png) and the summary's slope table (a fork-exec row with its finding) are written"
tap_done
