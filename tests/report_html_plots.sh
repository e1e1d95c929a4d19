#!/usr/bin/env bash
# Every gnuplot script draws a small `run all` without one warning (stderr empty of
# gnuplot's "warning:"), every figure is in plots/ as SVG and PNG, and report.html holds them
# all inline, well-formed and self-contained. A few seconds; no timing is asserted.
set -u
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/report_env.bash"
report_env plots
tap_plan 8
d="$TMP/run"

"$SS" run all --quick --backends vfork,fork-exec --parent-rss 0 --sizes 0,8M --kinds anon,thp \
	--fds 0,64 --workers 1,2 --ops dup-close,spawn-fds --sharing threads,processes \
	--duration 0.2 --quiet --out "$d" >/dev/null 2>"$TMP/run.err"
ok $? "a small run all completes (exit 0)"
! grep -q 'warning' "$TMP/run.err"
ok $? "no gnuplot warning while drawing it"
grep 'warning' "$TMP/run.err" | head -5 | diag
missing=""
for f in latency pagetable fdtable contention contention-locks; do
	for ext in svg png; do [ -s "$d/plots/$f.$ext" ] || missing="$missing $f.$ext"; done
done
[ -z "$missing" ]
ok $? "every figure drawn as SVG and PNG${missing:+ (missing:$missing)}"
n=$(grep -c '<figure>' "$d/report.html" 2>/dev/null)
[ "${n:-0}" -ge 5 ]
ok $? "report.html holds every figure inline ($n figures)"
python3 "$LIB/html_check.py" "$d/report.html" | diag
ok "${PIPESTATUS[0]}" "report.html is well-formed and self-contained"
# a received run directory may hold anything: report rebuilds the variables files the
# scripts load from run.json (a planted line does not survive), and a name from run.json
# reaches gnuplot only as a quoted literal
cp -r "$d" "$TMP/planted"
echo "pt_ref = \"x\"; system(\"touch $TMP/PWNED\")" >>"$TMP/planted/points-pagetable.gp"
python3 - "$TMP/planted/run.json" "$TMP/PWNED" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
for e in run["results"]:
    if e["experiment"] == "pagetable" and e["backend"] == "vfork":
        e["backend"] = "v'; system('touch %s'); '\"`touch %s`" % (sys.argv[2], sys.argv[2])
json.dump(run, open(sys.argv[1], "w"))
PY
"$SS" report "$TMP/planted" >/dev/null 2>"$TMP/planted.err"
[ ! -e "$TMP/PWNED" ] && ! grep -q 'system("touch' "$TMP/planted/points-pagetable.gp" &&
	grep -q "^pt_backends = '.*v''; system(''touch" "$TMP/planted/points-pagetable.gp" &&
	! grep -q 'not loaded' "$TMP/planted.err"
ok $? "a planted command (points-pagetable.gp, a name in run.json) is not run"

# a committed baseline holds run.json, summary.md and plots/ only: report says what it cannot
# redraw, keeps the plots there are and still writes report.html
BASE=$(ls -d "$ROOT"/results/baselines/*/ 2>/dev/null | head -1)
if [ -n "$BASE" ]; then
	cp -r "$BASE" "$TMP/base"
	"$SS" report "$TMP/base" >/dev/null 2>"$TMP/base.err"
	ok $? "report of a baseline (run.json without per-point data) exits 0"
	grep -q 'latency not redrawn: no samples/latency-\*.csv' "$TMP/base.err" &&
		python3 "$LIB/html_check.py" "$TMP/base/report.html" >/dev/null
	ok $? "... says which plots it cannot redraw, and writes a well-formed report.html"
else
	skip "no results/baselines/*/" "report of a baseline"
	skip "no results/baselines/*/" "report of a baseline: the notes"
fi
tap_done
