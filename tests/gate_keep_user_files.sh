#!/usr/bin/env bash
# The paired gate removes only the block directories it created itself (issue 13 item 2): a
# user's OUT/blocks/ survives a gate that fails at once and one that runs to the end, and no
# directory of the gate's own is left behind.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d /tmp/spawnscope-gatekeep-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tap_plan 4

mkdir -p "$tmp/out/blocks" && echo mine >"$tmp/out/blocks/keep.txt"
"$SS" gate --a /nonexistent --b /nonexistent --out "$tmp/out" --quiet >/dev/null 2>"$tmp/err1"
rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot run '/nonexistent'" "$tmp/err1"
ok $? "a gate whose commands cannot run: exit 2 with the reason (exit $rc)"
[ "$(cat "$tmp/out/blocks/keep.txt" 2>/dev/null)" = mine ] && \
	[ -z "$(find "$tmp/out" -maxdepth 1 -name 'blocks.*' -type d)" ]
ok $? "after it: the user's OUT/blocks/keep.txt is intact, no block directory of the gate left"

RUN="$SS run latency --backends vfork --probes off --warmup 2"
"$SS" gate --a "$RUN" --b "$RUN" --block 20 --min-pairs 6 --max-pairs 6 --budget 30s \
	--out "$tmp/out" --quiet >/dev/null 2>"$tmp/err2"
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
ok $? "a short A/A gate in the same --out runs to a verdict (exit $rc)"
[ "$(cat "$tmp/out/blocks/keep.txt" 2>/dev/null)" = mine ] && \
	[ -z "$(find "$tmp/out" -maxdepth 1 -name 'blocks.*' -type d)" ] && [ -f "$tmp/out/blocks.csv" ]
ok $? "after it: OUT/blocks/keep.txt intact, its own block directory removed, blocks.csv written"
tap_done
