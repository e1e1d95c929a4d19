#!/bin/busybox sh
# /init of the kernel-test initramfs (scripts/kernel-test.sh): runs the probe tests and two
# probed runs on the booted kernel and prints one "KT ok|not ok - ..." line per check, "KT #"
# diagnostics, then "KT end" and powers off. Timings under TCG are not figures.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
# SPAWNSCOPE_TCG: the one check that needs real parallel timing (spinlock contention) may skip
export SPAWNSCOPE_BUILD=/build SPAWNSCOPE_TCG=1 HOME=/tmp
kt() { echo "KT $*"; }
stamp() { kt "# at $(cut -d' ' -f1 /proc/uptime) s: $*"; }
check() { # description, then a command that succeeds when the check holds
	local what=$1
	shift
	if "$@"; then kt "ok - $what"; else kt "not ok - $what"; fi
}
# run_limited OUT CMD...: CMD's output into OUT, at most RUN_LIMIT seconds (guest clock); a
# hang must not eat the host's whole timeout: say where every process is, kill it, go on.
# Sets rc.
run_limited() {
	local out=$1 pid waited=0
	shift
	"$@" >"$out" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null && [ $waited -lt "$RUN_LIMIT" ]; do
		sleep 1
		waited=$((waited + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		kt "# $* still running after $RUN_LIMIT s: processes and kernel stacks"
		for p in /proc/[0-9]*/task/[0-9]*; do
			# user tasks, and kernel threads in uninterruptible sleep
			[ -s "${p%/task/*}/cmdline" ] || [ "$(cut -d' ' -f3 $p/stat)" = D ] || continue
			kt "# ${p#/proc/} $(cat $p/comm) $(cut -d' ' -f3 $p/stat) wchan $(cat $p/wchan)"
			sed 's/^/KT #   /' $p/stack | head -12
		done 2>/dev/null
		kill -9 $pid
	fi
	wait $pid
	rc=$?
}
probed_run() { # experiment: spawnscope run EXPERIMENT --quick --probes on into /tmp/EXPERIMENT
	stamp "run $1"
	run_limited /tmp/"$1".out /build/spawnscope run "$1" --quick --probes on --quiet --out /tmp/"$1"
	sed 's/^/KT # /' /tmp/"$1".out
	# no gnuplot nor plot scripts in the initramfs: the plots fail (a warning, or exit 1 in
	# older drivers); anything else must not
	local other
	other=$(grep -v '^spawnscope: \(warning: \)\?plots\?\( not drawn\)\?: ' /tmp/"$1".out | grep -c .)
	check "run $1 --quick --probes on: exit $rc, complete, no error but the plots ($other)" \
		sh -c "[ $rc -le 1 ] && [ $other -eq 0 ] && jq -e .complete /tmp/$1/run.json >/dev/null"
}
RUN_LIMIT=${RUN_LIMIT:-600} # seconds per test or probed run (guest clock)
kt "# kernel $(uname -r), $(nproc) CPUs"
for t in /build/tests/*.t; do
	name=${t##*/}
	stamp "$name"
	run_limited /tmp/"$name".out "$t"
	sed 's/^/KT # /' /tmp/"$name".out
	fails=$(grep -c '^not ok' /tmp/"$name".out)
	passes=$(grep -c '^ok' /tmp/"$name".out)
	check "$name: exit $rc, $passes ok, $fails not ok" test "$rc" -eq 0 -a "$fails" -eq 0
	skipped=$(grep '^ok.*# SKIP' /tmp/"$name".out | grep -vc 'under qemu TCG')
	check "$name: nothing skipped but what TCG cannot show ($skipped)" test "$skipped" -eq 0
	if [ "$skipped" -ne 0 ]; then # libbpf's log (the verifier's refusal) says why
		SPAWNSCOPE_PROBES_DEBUG=1 "$t" 2>&1 | grep -v '^ok\|^#\|^not ok' | tail -40 |
			sed 's/^/KT # libbpf: /'
	fi
done
J=/tmp/latency/run.json
probed_run latency
kt "# probes: $(jq -r '.probes.reason' $J)"
kt "# mmap_lock layout: $(jq -r '.probes.mmap_lock_layout' $J)"
jq -r '.probes.programs[] | "KT # \(.name) \(.kind) \(if .attached then "attached" else "not attached: \(.reason)" end)"' $J
check "fentry/fexit programs attached: $(jq '[.probes.programs[] | select(.kind == "fentry" and .attached)] | length' $J)" \
	jq -e '[.probes.programs[] | select(.kind == "fentry" and .attached)] | length > 0' $J
jq -r '.results[] | select(.backend == "fork-exec[probes]") | .kernel_functions | to_entries[] | "KT # fork-exec[probes] \(.key): n \(.value.n), median \(.value.p50) ns"' $J
check "fentry durations in run.json: fork-exec[probes] kernel_functions has copy_process and dup_mmap" \
	jq -e '[.results[] | select(.backend == "fork-exec[probes]") | .kernel_functions | has("copy_process") and has("dup_mmap")] | all and length > 0' $J
check "mmap_lock layout read from BTF: $(jq -r '.probes.mmap_lock_layout' $J)" \
	jq -e '.probes.mmap_lock_layout | test("^mm, ")' $J
jq -r '.results[] | select(.phases) | .backend as $b | .phases | to_entries[] | "KT # \($b) \(.key): n \(.value.n) of \(.value.n_expected), coverage \(.value.coverage), median \(.value.p50 // "-") ns\(if .value.sources then ", sources \(.value.sources)" else "" end)"' $J
check "every phase of every probed result covers >= 99 % of its samples" \
	jq -e '[.results[] | .phases // {} | to_entries[] | select(.value.coverage != null and .value.coverage < 0.99)] | length == 0' $J
check "fork-exec[probes] has mmap_lock_hold (the layout reads write/success right)" \
	jq -e '[.results[] | select(.backend == "fork-exec[probes]") | .phases.mmap_lock_hold.n // 0] | min > 0' $J
C=/tmp/contention/run.json
probed_run contention
kt "# lockstat: $(jq -c '.lockstat' $C)"
check "lockstat enabled with the mmap_lock layout from BTF" jq -e '.lockstat.enabled and (.lockstat.mmap_lock_layout | test("^mm, "))' $C
jq -r '.results[] | select(.lockstat_total_wait_ns) | "KT # \(.backend) \(.params.op) x\(.params.workers): total wait \(.lockstat_total_wait_ns) ns in a window of \(.lockstat_window_ns) ns"' $C
check "lockstat total wait <= (workers + driver) x window in every point" \
	jq -e '[.results[] | select(.lockstat_total_wait_ns) | select(.lockstat_total_wait_ns > (.params.workers + 1) * .lockstat_window_ns)] | length == 0' $C
check "lockstat recorded points" jq -e '[.results[] | select(.lockstat_total_wait_ns)] | length > 0' $C
stamp "done"
kt end
poweroff -f
