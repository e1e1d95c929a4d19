#!/bin/bash
# The probes' life cycle through the driver: while `spawnscope run latency --samples 50
# --probes on` runs it holds its BPF programs and links (ids read from its fdinfo); after it
# exits, bpftool prog/link show finds none of those ids (other users' probes on the shared
# machine do not disturb the check). Through the driver, run.json has the phases and
# pgtables_bytes grows with --parent-rss. Unprivileged (setpriv as nobody, no capabilities)
# `--probes auto` runs with the probes off and says why in run.json, and `--probes on` fails
# with a clear message.
# TAP; skipped when not root.

set -u
. "$(dirname "$0")/lib/tap.bash"
PLAN=11
tap_plan "$PLAN"

skip_all() {
	for i in $(seq 1 $PLAN); do echo "ok $i - probes life cycle # SKIP $1"; done
	echo "# 0 passed, 0 failed, $PLAN skipped"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "not root (needs CAP_BPF and CAP_PERFMON)"
for tool in bpftool jq setpriv awk; do
	command -v "$tool" >/dev/null || skip_all "$tool not installed"
done
BIN="${SPAWNSCOPE_BUILD:-}/spawnscope"
[ -x "$BIN" ] || skip_all "no driver at \$SPAWNSCOPE_BUILD/spawnscope"
"$BIN" list 2>&1 | grep -q 'built without probes' && skip_all "the driver was built without probes"

TMP=$(mktemp -d /tmp/spawnscope-probes.XXXXXX) || exit 1
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

. "$(dirname "$0")/lib/bpf.bash"
# Run the driver in the background, collect the ids it holds until it exits.
run_and_collect() { # out_dir log args...
	local out=$1 log=$2
	shift 2
	"$BIN" "$@" --quiet --out "$out" >"$log" 2>&1 &
	RUN_PID=$!
	while kill -0 "$RUN_PID" 2>/dev/null; do
		held_ids "$RUN_PID" >>"$TMP/ids.raw"
		sleep 0.01
	done
	wait "$RUN_PID"
	local status=$?
	RUN_PID=
	return $status
}

# 1-5: run latency --samples 50 --probes on; while it runs it holds our programs and links;
# after it exits none of them exists.
: >"$TMP/ids.raw"
run_and_collect "$TMP/on" "$TMP/on.out" run latency --samples 50 --probes on
status=$?
sort -u "$TMP/ids.raw" >"$TMP/ids"
progs=$(awk '$1 == "P" { print $2 }' "$TMP/ids")
links=$(awk '$1 == "L" { print $2 }' "$TMP/ids")
n_progs=$(echo "$progs" | wc -w)
n_links=$(echo "$links" | wc -w)
[ $status -eq 0 ] && [ "$(jq -r '.probes.enabled' "$TMP/on/run.json" 2>/dev/null)" = true ]
ok $? "run latency --samples 50 --probes on: exit $status, run.json probes.enabled true"
[ $status -eq 0 ] || sed 's/^/# /' "$TMP/on.out"
attached=$(jq '[.probes.programs[] | select(.attached)] | length' "$TMP/on/run.json" 2>/dev/null)
[ "$n_progs" -ge "${attached:-1}" ] && [ "$n_progs" -gt 0 ]
ok $? "while running, the driver held $n_progs BPF programs (run.json: ${attached:-?} attached)"
# links come and go while it runs: the latency experiment detaches the probes for its plain
# arms and re-attaches them for the [probes] twins, block by block, so how many link ids the
# polls of fdinfo saw depends on timing; that it held some, and that none outlive it, does not
[ "$n_links" -gt 0 ]
ok $? "while running, the driver held BPF links ($n_links ids seen)"
# loading the probes must not leave libbpf's parse of the kernel BTF on the driver's heap: every
# fork of the driver would copy those page tables (it made fork-exec 3x slower once)
rss=$(jq '.driver_rss_anon_bytes.latency // -1' "$TMP/on/run.json" 2>/dev/null)
[ "${rss:--1}" -ge 0 ] && [ "${rss:--1}" -lt $((4 << 20)) ]
ok $? "with the probes loaded the driver's own anonymous RSS stays small (${rss:-?} bytes < 4 MiB)"
# shellcheck disable=SC2086
left=$(remaining prog $progs)
[ -z "$left" ]
ok $? "no BPF program of the run remains after exit (of $n_progs:${left:- none left})"
# shellcheck disable=SC2086
left=$(remaining link $links)
[ -z "$left" ]
ok $? "no BPF link of the run remains after exit (of $n_links:${left:- none left})"

# 6-7: end to end through the driver: run.json carries the phases, the samples CSV the
# values, and pgtables_bytes grows with --parent-rss (256 MiB: 128 more PTE pages, 512 KiB).
"$BIN" run latency --backends fork-exec --parent-rss 0,256M --samples 20 --probes on --quiet \
	--out "$TMP/rss" >"$TMP/rss.out" 2>&1
status=$?
# with probes, latency measures each backend plain and as a twin "NAME[probes]" that carries them
phases=$(jq -r '[.results[] | select(.backend == "fork-exec[probes]") | .phases // {} | keys[]] | unique | join(",")' \
	"$TMP/rss/run.json" 2>/dev/null)
[ $status -eq 0 ] && [[ ",$phases," == *",kernel_create,"* ]] && [[ ",$phases," == *",mmap_lock_hold,"* ]] &&
	[[ ",$phases," == *",exec,"* ]] && [[ ",$phases," == *",parent_blocked,"* ]]
ok $? "run.json phases of fork-exec (exit $status): $phases"
[ $status -eq 0 ] || sed 's/^/# /' "$TMP/rss.out"
median_pgtables() { # median of the pgtables_bytes column of the samples CSV for parent_rss $1
	local csv
	csv=$(jq -r --argjson r "$1" '.results[] | select(.backend == "fork-exec[probes]" and .params.parent_rss == $r) | .samples' \
		"$TMP/rss/run.json" 2>/dev/null)
	if [ -z "$csv" ] || [ ! -r "$TMP/rss/$csv" ]; then
		echo 0
		return
	fi
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "pgtables_bytes") c = i; next }
		 c && $c != "" { print $c }' "$TMP/rss/$csv" | sort -n |
		awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'
}
pt0=$(median_pgtables 0)
pt256=$(median_pgtables $((256 << 20)))
[ "$pt0" -gt 0 ] && [ "$pt256" -ge $((pt0 + (256 << 10))) ]
ok $? "pgtables_bytes grows with --parent-rss: median $pt0 at 0, $pt256 at 256 MiB"

# 8-10: unprivileged. nobody must read the binary and its targets and write --out.
mkdir -p "$TMP/bin" && cp -r "$BIN" "$SPAWNSCOPE_BUILD/spawnscope-lab" "$SPAWNSCOPE_BUILD/targets" "$TMP/bin/" &&
	chmod -R a+rX "$TMP/bin" && chmod 777 "$TMP" && chmod 755 "$TMP/bin"
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
nobody "$TMP/bin/spawnscope" run latency --samples 20 --probes auto --quiet \
	--out "$TMP/auto" >"$TMP/auto.out" 2>&1
status=$?
enabled=$(jq -r '.probes.enabled' "$TMP/auto/run.json" 2>/dev/null)
reason=$(jq -r '.probes.reason // ""' "$TMP/auto/run.json" 2>/dev/null)
[ $status -eq 0 ] && [ "$enabled" = false ] && [ -n "$reason" ]
ok $? "unprivileged --probes auto: exit $status, probes.enabled=$enabled, reason: $reason"
[ $status -eq 0 ] || sed 's/^/# /' "$TMP/auto.out"
nprogs=$(jq '.probes.programs | length' "$TMP/auto/run.json" 2>/dev/null)
nattached=$(jq '[.probes.programs[] | select(.attached)] | length' "$TMP/auto/run.json" 2>/dev/null)
[ "${nprogs:-0}" -gt 0 ] && [ "${nattached:-1}" -eq 0 ]
ok $? "unprivileged: run.json lists ${nprogs:-0} programs, ${nattached:-?} attached"
nobody "$TMP/bin/spawnscope" run latency --samples 20 --probes on --quiet \
	--out "$TMP/onfail" >"$TMP/onfail.out" 2>&1
status=$?
msg=$(head -c 400 "$TMP/onfail.out" | tr "\n" " ")
{ [ $status -eq 1 ] || [ $status -eq 2 ]; } && grep -q 'probes' "$TMP/onfail.out" &&
	grep -q 'CAP_BPF' "$TMP/onfail.out"
ok $? "unprivileged --probes on fails: exit $status: $msg"

tap_done
