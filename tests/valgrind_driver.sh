#!/usr/bin/env bash
# The driver is valgrind-clean: no invalid access, no definite or indirect leak, for a run and
# for a report. (Backends built on clone3 or CLONE_VM are left out: valgrind emulates neither,
# and its own `list` says so.)
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 2
if ! command -v valgrind >/dev/null; then
	skip "valgrind not installed" "run under valgrind"
	skip "valgrind not installed" "report under valgrind"
	tap_done
	exit
fi
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect)
"${vg[@]}" "$SS" run latency --backends fork-exec,vfork --samples 20 --warmup 2 --probes off \
	--quiet --out "$tmp/r" 2>"$tmp/err"
ok $? "run latency under valgrind: clean"
diag <"$tmp/err"
"${vg[@]}" "$SS" report "$tmp/r" 2>"$tmp/err2"
ok $? "report under valgrind: clean"
diag <"$tmp/err2"
tap_done
