#!/usr/bin/env bash
# CI recipe: build the base revision and the checked-out head side by side, then run the
# paired regression gate (`spawnscope gate --a BASE --b HEAD`) in this one job.
#
# usage: scripts/ci-gate.sh [-r BASE_REF] [-o OUT] [-k] [-- GATE_OPTIONS...]
#   -r  base revision (default: origin/$GITHUB_BASE_REF on a GitHub pull request, else
#       origin/main); fetched with `git fetch` if missing
#   -o  the gate's output directory (default results/ci-gate)
#   -k  keep the base worktree and both build directories
#   GATE_OPTIONS go to `spawnscope gate` (e.g. --threshold 5% --budget 60s --metric t_first)
# Environment:
#   CI_GATE_BUILD  how to build a tree; run in the tree's root with $BUILD_DIR set
#                  (default: make BUILD="$BUILD_DIR" all)
#   CI_GATE_RUN    the measured command, @BUILD@ standing for the build directory
#                  (default: @BUILD@/spawnscope run latency --backends posix-spawn)
#                  e.g. for a libc: 'env LD_LIBRARY_PATH=@BUILD@/lib spawnscope run latency'
# Exit status: the gate's (0 pass, 1 regression, 2 usage/input error, 3 inconclusive), or
# 2 when a build fails.
set -uo pipefail

base_ref='' out=results/ci-gate keep=0
while getopts "r:o:kh" opt; do
	case $opt in
	r) base_ref=$OPTARG ;;
	o) out=$OPTARG ;;
	k) keep=1 ;;
	*) sed -n '2,20p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift

root=$(git rev-parse --show-toplevel 2>/dev/null) || { echo "ci-gate: not inside a git checkout" >&2; exit 2; }
cd "$root" || exit 2
if [ -z "$base_ref" ]; then
	base_ref=origin/${GITHUB_BASE_REF:-main}
fi
if ! git rev-parse --verify -q "$base_ref^{commit}" >/dev/null; then
	remote=${base_ref%%/*} branch=${base_ref#*/}
	git fetch --no-tags --depth=50 "$remote" "$branch" >&2 ||
		{ echo "ci-gate: -r $base_ref: cannot fetch it" >&2; exit 2; }
	git rev-parse --verify -q "$base_ref^{commit}" >/dev/null ||
		{ echo "ci-gate: -r $base_ref: no such revision" >&2; exit 2; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ci-gate-XXXXXX")
base_tree=$work/base
cleanup() {
	if [ "$keep" -eq 0 ]; then
		git worktree remove --force "$base_tree" 2>/dev/null
		rm -rf "$work"
	else
		echo "ci-gate: kept $work" >&2
	fi
}
trap cleanup EXIT

build_cmd=${CI_GATE_BUILD:-'make BUILD="$BUILD_DIR" all'}
run_tpl=${CI_GATE_RUN:-'@BUILD@/spawnscope run latency --backends posix-spawn'}

build() { # tree build_dir label
	echo "ci-gate: building $3 in $2" >&2
	(cd "$1" && BUILD_DIR=$2 bash -c "$build_cmd") >"$work/$3-build.log" 2>&1 || {
		echo "ci-gate: the $3 build failed; its log ends:" >&2
		tail -n 30 "$work/$3-build.log" >&2
		exit 2
	}
}

git worktree add --detach "$base_tree" "$base_ref" >&2 || { echo "ci-gate: git worktree add failed" >&2; exit 2; }
echo "ci-gate: base $base_ref = $(git -C "$base_tree" rev-parse --short HEAD), head $(git rev-parse --short HEAD)" >&2
build "$base_tree" "$work/base-build" base
build "$root" "$work/head-build" head

a_cmd=${run_tpl//@BUILD@/$work/base-build}
b_cmd=${run_tpl//@BUILD@/$work/head-build}
# the gate itself comes from the head build (it may be newer than the base's)
gate=$work/head-build/spawnscope
[ -x "$gate" ] || gate=$(command -v spawnscope) || { echo "ci-gate: no spawnscope binary to run the gate" >&2; exit 2; }
mkdir -p "$out"
"$gate" gate --a "$a_cmd" --b "$b_cmd" --out "$out" "$@"
rc=$?
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/summary.md" ] && cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
exit "$rc"
