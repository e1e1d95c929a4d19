#!/bin/bash
# The layers of the tree (README, Development) and no circles. Every `#include "..."` of the
# C sources (bench/, lab/, impls/, probes/) is an edge from one file to another, and every
# call between the built objects (the undefined symbols of one object that another defines,
# from nm) an edge from one .c file to another. Fails on an edge
#   from bench/lib/ to anything outside bench/lib/,
#   from bench/core/ to an experiment, the gate, compare, report or main,
#   from impls/ to bench/, probes/ or lab/, from probes/ to bench/ or lab/,
#   from lab/ to the driver (bench/ other than bench/lib/),
# and on any circle: files that include each other, or .c files that call each other, directly
# or round a longer loop (tsort finds them). A header that declares a sibling's functions is
# not a circle; two files whose functions need each other are. TAP.

set -u
. "$(dirname "$0")/lib/tap.bash"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OBJ="$SPAWNSCOPE_BUILD/obj"
TMP=$(mktemp -d /tmp/spawnscope-layering.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
tap_plan 8

# "from to" per include, resolved the way the Makefile's -I. and the compiler do: relative to
# the including file first, then from the repository root; generated headers (BPF skeletons,
# vmlinux.h) resolve to neither and are left out.
include_edges() {
	cd "$ROOT" || return 1
	git ls-files -- 'bench/*.[ch]' 'lab/*.[ch]' 'impls/*.[ch]' 'probes/*.[ch]' |
		while read -r f; do
			d=$(dirname "$f")
			sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/p' "$f" |
				while read -r inc; do
					if [ -e "$d/$inc" ]; then
						to=$(realpath -m --relative-to=. "$d/$inc")
					elif [ -e "$inc" ]; then
						to=$inc
					else
						continue
					fi
					echo "$f $to"
				done
		done
}

# "from to" per call or data reference between objects: a global symbol one object leaves
# undefined and another defines. The lab and the driver are two programs that may each define
# a symbol: a definer under the user's own top folder wins. main is every program's own.
call_edges() {
	# objects of sources that still exist (a moved file leaves its old object behind)
	find "$OBJ" -name '*.o' -printf '%P\n' | sort |
		while read -r o; do [ -e "$ROOT/${o%.o}.c" ] && echo "$o"; done >"$TMP/objs"
	while read -r o; do
		nm --defined-only -g "$OBJ/$o" | awk -v m="${o%.o}.c" '$3 != "main" { print "D", $3, m }'
		nm -u "$OBJ/$o" | awk -v m="${o%.o}.c" '{ print "U", $2, m }'
	done <"$TMP/objs" |
		awk 'function top(p) { sub(/\/.*/, "", p); return p }
		     $1 == "D" { defs[$2] = defs[$2] " " $3; next }
		     { uses[++n] = $2 " " $3 }
		     END {
			for (i = 1; i <= n; i++) {
				split(uses[i], u, " ")
				k = split(defs[u[1]], d, " ")
				pick = k ? d[1] : ""
				for (j = 1; j <= k; j++)
					if (top(d[j]) == top(u[2])) { pick = d[j]; break }
				if (pick != "" && pick != u[2])
					print u[2], pick
			}
		     }' | sort -u
}

include_edges | sort -u >"$TMP/includes"
[ -s "$TMP/includes" ] && grep -q '^bench/core/sampler.h impls/backend.h$' "$TMP/includes"
ok $? "the include graph is read ($(wc -l <"$TMP/includes") edges, sampler -> impls/backend among them)"

if [ -e "$OBJ/bench/core/sampler.o" ]; then
	call_edges >"$TMP/calls"
	grep -q '^bench/core/sampler.c bench/core/lab_client.c$' "$TMP/calls"
	ok $? "the call graph is read from $OBJ ($(wc -l <"$TMP/calls") edges, sampler -> lab_client among them)"
else
	: >"$TMP/calls"
	ok 1 "the call graph is read: no objects under $OBJ (make all first)"
fi
sort -u "$TMP/includes" "$TMP/calls" >"$TMP/edges"
# a file includes itself through nothing: tsort reads "x x" as a node, not a loop

# violations FROM_REGEX TO_REGEX [EXCEPT_REGEX]: the edges that break one rule
violations() {
	awk -v f="$1" -v t="$2" -v x="${3:-^$}" '$1 ~ f && $2 ~ t && $2 !~ x' "$TMP/edges"
}
rule() {
	local desc=$1 out
	shift
	out=$(violations "$@")
	[ -z "$out" ]
	ok $? "$desc"
	[ -z "$out" ] || diag <<<"$out"
}
rule "bench/lib includes and calls nothing above it" '^bench/lib/' '.' '^bench/lib/'
rule "bench/core names no experiment, gate, compare, report or main" '^bench/core/' \
	'^bench/(experiments|gate|compare|report)/|^bench/main\\.c$'
rule "impls/ reaches nothing in bench/, probes/ or lab/" '^impls/' '^(bench|probes|lab)/'
rule "probes/ reaches nothing in bench/ or lab/" '^probes/' '^(bench|lab)/'
rule "lab/ reaches nothing of the driver (bench/ beyond bench/lib)" '^lab/' '^bench/' '^bench/lib/'

tsort "$TMP/edges" 2>"$TMP/loops" >/dev/null
! grep -q 'loop' "$TMP/loops"
ok $? "no circle of includes or calls"
grep -v 'input contains a loop' "$TMP/loops" | sed 's/^tsort: //' | diag
grep -q 'input contains a loop' "$TMP/loops" && diag <<<"(tsort lists each circle's members)"

tap_done
