#!/bin/bash
# The probes inside a PID namespace. lockstat filters on the tgid the kernel sees: under
# `unshare --pid --fork` with the initial namespace's /proc still mounted it translates the
# test's own pid (1 in there) and sees its threads' contention; with the namespace's own /proc
# (--mount-proc) the global pid cannot be known and it refuses, naming the namespace. The spawn
# probes key children by global pids and refuse in any other namespace: `--probes auto` runs
# without them and says why. TAP; skipped when not root or without unshare.
set -u
. "$(dirname "$0")/lib/tap.bash"
PLAN=3
tap_plan $PLAN
LOCKSTAT_T="$SPAWNSCOPE_BUILD/tests/contention_lockstat.t"
skip_all() {
	for i in $(seq 1 $PLAN); do skip "$1" "probes in a PID namespace"; done
	tap_done
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "not root"
command -v unshare >/dev/null || skip_all "no unshare"
[ -x "$LOCKSTAT_T" ] || skip_all "no $LOCKSTAT_T (make $LOCKSTAT_T)"
"$SS" list 2>&1 | grep -q 'built without probes' && skip_all "built without probes"
TMP=$(mktemp -d /tmp/spawnscope-pidns.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

# 1: translated: lockstat loads and its checks pass (its first line says it attached)
timeout 120 unshare --pid --fork "$LOCKSTAT_T" >"$TMP/ns.out" 2>&1
status=$?
[ $status -eq 0 ] && grep -q '^ok 1 - lockstat loaded and attached' "$TMP/ns.out" &&
	! grep -q '^not ok' "$TMP/ns.out"
ok $? "unshare --pid: lockstat translates the pid and its checks pass (exit $status)"
[ $status -eq 0 ] || diag <"$TMP/ns.out"

# 2: the namespace's own /proc: refused, with the reason
timeout 60 unshare --pid --fork --mount-proc "$LOCKSTAT_T" >"$TMP/mp.out" 2>&1
reason=$(grep -m1 'SKIP' "$TMP/mp.out" | sed 's/.*# SKIP //')
grep -q 'PID namespace' <<<"$reason"
ok $? "unshare --pid --mount-proc: lockstat refused: ${reason:-no reason}"

# 3: the spawn probes refuse in a PID namespace; --probes auto runs without them and says so
timeout 120 unshare --pid --fork "$SS" run latency --backends vfork --samples 20 --probes auto \
	--quiet --out "$TMP/run" >"$TMP/run.out" 2>&1
status=$?
reason=$(jq -r '.probes.reason // ""' "$TMP/run/run.json" 2>/dev/null)
[ $status -eq 0 ] && [ "$(jq -r '.probes.enabled' "$TMP/run/run.json" 2>/dev/null)" = false ] &&
	grep -q 'PID namespace' <<<"$reason"
ok $? "unshare --pid: run --probes auto without the spawn probes (exit $status): $reason"
[ $status -eq 0 ] || diag <"$TMP/run.out"
tap_done
