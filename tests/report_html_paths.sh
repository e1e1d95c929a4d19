#!/usr/bin/env bash
# Issue 13, item 1: no run directory name reaches a shell or gnuplot's parser. A run written
# to `x;touch PWNED;y` or `$(touch PWNED2)` (run --out), or copied there and re-rendered with
# `spawnscope report`, executes nothing; a directory with spaces and quotes plots fine and
# gets its report.html. Before the fix, scripts/latency.gp ran `ls DIR/samples/...` through
# the shell and these created the PWNED files.
set -u
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/report_env.bash"
report_env paths
tap_plan 14
mkdir -p "$TMP/cwd" "$TMP/runs"
cd "$TMP/cwd" || exit 1

pwned() { find "$TMP" -name 'PWNED*' | grep -q .; }
short_run() { "$SS" run latency --quick --samples 20 --backends vfork --probes off --quiet --out "$1"; }

# run_into NAME ERRFILE: a short run into $TMP/runs/NAME, its exit status and plot checked
run_into() {
	local dir="$TMP/runs/$1"
	short_run "$dir" >/dev/null 2>"$2"
	ok $? "run --out '$1' completes (exit 0)"
	[ -s "$dir/plots/latency.svg" ] && ! pwned
	ok $? "... its plot is drawn and nothing named PWNED* was created"
}

semi="$TMP/runs/x;touch PWNED;y"
run_into 'x;touch PWNED;y' "$TMP/err1"
run_into '$(touch PWNED2)' "$TMP/err2"

copy="$TMP/runs/c;touch PWNED3;d"
cp -r "$semi" "$copy" && rm -f "$copy"/plots/*
"$SS" report "$copy" >/dev/null 2>"$TMP/err3"
ok $? "report of a copy in 'c;touch PWNED3;d' (exit 0)"
[ -s "$copy/plots/latency.svg" ] && [ -s "$copy/report.html" ] && ! pwned
ok $? "... plots and report.html rebuilt, nothing executed"
copy2="$TMP/runs/\`touch PWNED4\`"
cp -r "$semi" "$copy2" && "$SS" report "$copy2" >/dev/null 2>&1 && ! pwned
ok $? "report of a copy in a \`backquoted\` name executes nothing"

# names inside run.json reach gnuplot as data only: a backend named with quotes, backquotes
# and a gnuplot command in a received run.json
crafted="$TMP/runs/crafted"
cp -r "$semi" "$crafted"
python3 - "$crafted/run.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
for e in run["results"]:
    e["backend"] = "v`touch PWNED5`\"`touch PWNED6`\"'; system('touch PWNED7'); '<script>x</script>&amp"
json.dump(run, open(sys.argv[1], "w"))
PY
"$SS" report "$crafted" >/dev/null 2>"$TMP/err5"
ok $? "report of a run.json whose backend name holds quotes, backquotes and a gnuplot command (exit 0)"
[ -s "$crafted/plots/latency.svg" ] && ! pwned && ! grep -q warning "$TMP/err5"
ok $? "... plotted without a gnuplot warning (the long name abbreviated), nothing executed"
python3 "$LIB/html_check.py" "$crafted/report.html" | diag
ok "${PIPESTATUS[0]}" "... and its report.html has no <script> from the name (escaped in text and SVG)"

quoted="$TMP/runs/it's a \"run\" dir"
run_into "it's a \"run\" dir" "$TMP/err4"
[ -s "$quoted/plots/latency.png" ] && [ -s "$quoted/report.html" ]
ok $? "... latency.png and report.html are there too"
! grep -qi 'warning\|error' "$TMP/err4"
ok $? "... and gnuplot said nothing"
for f in "$TMP"/err*; do [ -s "$f" ] && diag <"$f"; done
tap_done
