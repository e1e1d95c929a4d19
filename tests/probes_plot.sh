#!/bin/bash
# scripts/phases.gp on a hand-made RUNDIR/phases.csv: both images appear, one panel per
# parent_rss value, a phase that does not apply (empty field) is fine, and a missing CSV is
# an error (exit 2); columns are found by name (another order, an added phase drawn as a
# marker). TAP; skipped without gnuplot.

set -u
. "$(dirname "$0")/lib/tap.bash"
PLAN=7
tap_plan "$PLAN"
if ! command -v gnuplot >/dev/null; then
	for i in $(seq 1 $PLAN); do echo "ok $i - phases.gp # SKIP gnuplot not installed"; done
	echo "# 0 passed, 0 failed, $PLAN skipped"
	exit 0
fi
GP="$(cd "$(dirname "$0")/.." && pwd)/scripts/phases.gp"
TMP=$(mktemp -d /tmp/spawnscope-phases.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/phases.csv" <<'CSV'
backend,parent_rss,kernel_create,wakeup,first_run_delay,exec,parent_blocked,mmap_lock_hold
fork-exec,0,62000,2100,25000,95000,70000,21000
vfork,0,18000,1900,15000,90000,130000,
posix-spawn,0,19000,2000,14000,92000,125000,
fork-exec,1073741824,14500000,2500,30000,96000,14600000,13900000
vfork,1073741824,19000,1900,15000,90000,131000,
posix-spawn,1073741824,20000,2000,14000,92000,126000,
CSV
mkdir -p "$TMP/plots" "$TMP/missing"
(cd "$TMP" && gnuplot "$GP") >"$TMP/out" 2>&1
status=$?
ok $status "phases.gp renders a two-panel phases.csv (exit $status)"
[ $status -eq 0 ] || sed 's/^/# /' "$TMP/out"
grep -q '<svg' "$TMP/plots/phases.svg" 2>/dev/null
ok $? "plots/phases.svg is an SVG"
[ "$(head -c 8 "$TMP/plots/phases.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
ok $? "plots/phases.png is a PNG"
titles=$(grep -c 'parent RSS' "$TMP/plots/phases.svg" 2>/dev/null)
[ "$titles" -eq 2 ] && grep -q 'parent RSS 1 GiB' "$TMP/plots/phases.svg"
ok $? "one panel per parent_rss value ($titles panel titles, 1 GiB among them)"
(cd "$TMP/missing" && gnuplot "$GP") >/dev/null 2>&1
status=$?
[ $status -eq 2 ]
ok $? "a run directory without phases.csv is an error (exit $status)"

# the same phases in another order, plus a phase the script has never heard of
mkdir -p "$TMP/named/plots"
cat >"$TMP/named/phases.csv" <<'CSV'
backend,parent_rss,wakeup,exec,kernel_create,mmap_lock_hold,first_run_delay,parent_blocked,newtask_to_fork
fork-exec,0,2100,95000,62000,21000,25000,70000,5000
vfork,0,1900,90000,18000,,15000,130000,3000
CSV
(cd "$TMP/named" && gnuplot "$GP") >"$TMP/out" 2>&1
status=$?
svg="$TMP/named/plots/phases.svg"
[ $status -eq 0 ] && grep -q '>fork-exec<' "$svg" && grep -q '>vfork<' "$svg"
ok $? "columns in another order: rendered with the backends as x labels (exit $status)"
[ $status -eq 0 ] || sed 's/^/# /' "$TMP/out"
grep -q 'newtask_to_fork (not stacked)' "$svg" && grep -q 'parent_blocked (not stacked)' "$svg" &&
	grep -q 'kernel_create: mmap_lock write hold' "$svg"
ok $? "a phase column the script does not name is drawn as a marker with its header name"

tap_done
