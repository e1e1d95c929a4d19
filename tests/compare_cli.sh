#!/usr/bin/env bash
# `spawnscope compare` as a user meets it: two short latency runs (one pinned with --cpu 0),
# compared; compare.md names both runs and what differs; report.html of the comparison and
# of a run is well-formed and self-contained, and headless Chromium renders it to a real
# picture; the plots draw without a gnuplot warning; bad inputs exit 2 with the reason.
# No timing is asserted.
set -u
. "$(dirname "$0")/lib/tap.bash"
. "$(dirname "$0")/lib/report_env.bash"
report_env compare
tap_plan 29

A="$TMP/unpinned" B="$TMP/pinned" C="$TMP/cmp"
"$SS" run latency --quick --samples 40 --backends vfork,posix-spawn --quiet --out "$A" \
	>/dev/null 2>"$TMP/runA.err"
ok $? "first run (latency --quick --samples 40, vfork and posix-spawn)"
"$SS" run latency --quick --samples 40 --backends vfork,posix-spawn --cpu 0 --quiet \
	--out "$B" >/dev/null 2>"$TMP/runB.err"
ok $? "second run, pinned with --cpu 0"
[ -s "$A/report.html" ] && [ -s "$A/summary.md" ]
ok $? "a run writes report.html beside summary.md"

"$SS" compare "$A" "$B" --out "$C" >"$TMP/cmp.out" 2>"$TMP/cmp.err"
ok $? "compare of the two runs exits 0"
[ ! -s "$TMP/cmp.err" ]
ok $? "compare prints nothing on stderr (no gnuplot warning)"
[ -s "$TMP/cmp.err" ] && diag <"$TMP/cmp.err"
grep -q 'pinned to CPU 0' "$C/compare.md" && grep -q '| unpinned |' "$C/compare.md"
ok $? "compare.md labels the runs by what differs (unpinned / pinned to CPU 0)"
grep -q 'could explain a change:\*\* options.cpu' "$C/compare.md" &&
	grep -q '^| options.cpu | – | 0 |' "$C/compare.md"
ok $? "compare.md names the differing option (options.cpu)"
n=$(grep -cE '^\| (vfork|posix-spawn) \| pinned to CPU 0 \| ([+-][0-9.]+ % \[|[0-9]+ vs [0-9]+ blocks)' "$C/compare.md")
[ "$n" -eq 2 ]
ok $? "the change table has a row per backend against the first run ($n rows)"
for f in compare-latency.svg compare-latency.png; do [ -s "$C/plots/$f" ] || false; done
ok $? "plots/compare-latency.svg and .png"
grep -q '>unpinned<' "$C/plots/compare-latency.svg" && grep -q '>pinned to CPU 0<' "$C/plots/compare-latency.svg"
ok $? "the plot names both runs"
python3 "$LIB/html_check.py" "$C/report.html" | diag
ok "${PIPESTATUS[0]}" "compare's report.html is well-formed and self-contained"
python3 "$LIB/html_check.py" "$A/report.html" | diag
ok "${PIPESTATUS[0]}" "the run's report.html is well-formed and self-contained"
[ "$(grep -c '<svg' "$C/report.html")" -ge 1 ] && ! grep -qi '<img' "$C/report.html"
ok $? "the plots are inline SVG"
printf '<!DOCTYPE html><html><body><p><b>x</p><script src="https://x/y.js"></script></body></html>' >"$TMP/bad.html"
python3 "$LIB/html_check.py" "$TMP/bad.html" >/dev/null
[ $? -eq 1 ]
ok $? "the HTML check itself rejects a mis-nested, script-loading page"

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -n "$CHROMIUM" ]; then
	for page in "$C" "$A"; do
		prof=$(mktemp -d "$TMP/profile.XXXXXX")
		timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$prof" --window-size=1300,1400 --screenshot="$page.png" \
			"file://$page/report.html" >"$TMP/chromium.log" 2>&1
		python3 "$LIB/png_check.py" "$page.png" | diag
		ok "${PIPESTATUS[0]}" "headless Chromium renders $(basename "$page")/report.html to a non-trivial picture"
	done
else
	skip "no chromium (scripts/deps.sh installs it)" "Chromium screenshot of the comparison"
	skip "no chromium (scripts/deps.sh installs it)" "Chromium screenshot of the run"
fi

# a committed baseline (schema spawnscope/1, no per-sample CSVs) against a fresh run
BASE=$(ls -d "$ROOT"/results/baselines/*/ 2>/dev/null | head -1)
if [ -n "$BASE" ]; then
	"$SS" compare "$BASE" "$A" --out "$TMP/vsbase" >/dev/null 2>"$TMP/vsbase.err" &&
		[ ! -s "$TMP/vsbase.err" ] && grep -q '^## What differs between the runs' "$TMP/vsbase/compare.md"
	ok $? "a baseline against a fresh run: exit 0, no warning, the differences section"
	bk=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"]["kernel"])' "$BASE/run.json")
	if [ "$bk" != "$(uname -r)" ]; then
		grep -q '^| machine.kernel |' "$TMP/vsbase/compare.md"
		ok $? "... it names the kernel, which differs ($bk here: $(uname -r))"
	else
		grep -q 'could explain a change:' "$TMP/vsbase/compare.md"
		ok $? "... it lists what could explain a change (same kernel as the baseline)"
	fi
	# every experiment: the baseline against a copy of itself (two labels alike get numbered)
	mkdir -p "$TMP/copy" && cp -r "$BASE" "$TMP/copy/"
	"$SS" compare "$BASE" "$TMP/copy/$(basename "$BASE")" --out "$TMP/all" >/dev/null 2>"$TMP/all.err" && [ ! -s "$TMP/all.err" ]
	ok $? "a run all against itself: exit 0, no gnuplot warning"
	[ -s "$TMP/all/plots/compare-pagetable.svg" ] && [ -s "$TMP/all/plots/compare-fdtable.png" ] &&
		[ -s "$TMP/all/plots/compare-contention.svg" ] &&
		grep -q '^## What a page, a mapping and an fd cost at fork' "$TMP/all/compare.md" &&
		grep -q '^## Contention scaling' "$TMP/all/compare.md"
	ok $? "... pagetable, fdtable and contention curves overlaid, slopes and contention tables"
	grep -q ' #2 |' "$TMP/all/compare.md" && grep -q 'nothing recorded' "$TMP/all/compare.md"
	ok $? "... identical labels are numbered, and no recorded difference is said so"
else
	for i in 1 2 3 4 5; do skip "no results/baselines/*/" "baseline comparison $i"; done
fi

"$SS" compare "$A" "$B" --label "reference=$A" --out "$TMP/cmp2" >/dev/null 2>&1 &&
	grep -q '| reference |' "$TMP/cmp2/compare.md"
ok $? "--label NAME=DIR names a run"
mkdir -p "$TMP/partial"
sed 's/"complete": *true/"complete": false/' "$B/run.json" >"$TMP/partial/run.json"
"$SS" compare "$A" "$TMP/partial" --out "$TMP/cmp3" >/dev/null 2>&1 &&
	grep -q 'is an incomplete run' "$TMP/cmp3/compare.md"
ok $? "an incomplete run is compared and said to be incomplete"
expect_exit 2 'at least two run directories' "one run is a usage error (exit 2)" -- \
	"$SS" compare "$A" --out "$TMP/x1"
expect_exit 2 "$TMP/nope" "a missing directory is named (exit 2)" -- \
	"$SS" compare "$A" "$TMP/nope" --out "$TMP/x2"
mkdir -p "$TMP/other"
sed 's/"spawnscope\/1"/"spawnscope\/9"/' "$A/run.json" >"$TMP/other/run.json"
expect_exit 2 "schema 'spawnscope/9'" "a run of another schema is refused (exit 2)" -- \
	"$SS" compare "$A" "$TMP/other" --out "$TMP/x3"
mkdir -p "$TMP/noexp"
sed 's/"experiment": *"latency"/"experiment": "fdtable"/g' "$A/run.json" >"$TMP/noexp/run.json"
expect_exit 2 'no experiment is in every run' "runs without a common experiment are refused (exit 2)" -- \
	"$SS" compare "$A" "$TMP/noexp" --out "$TMP/x4"
expect_exit 2 'not one of the compared runs' "--label for a directory not compared (exit 2)" -- \
	"$SS" compare "$A" "$B" --label "x=$TMP" --out "$TMP/x5"
[ ! -e "$TMP/x1" ] && [ ! -e "$TMP/x3" ] && [ ! -e "$TMP/x4" ] && [ ! -e "$TMP/x5" ]
ok $? "a refused comparison creates no --out directory"
tap_done
