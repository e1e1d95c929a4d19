#!/usr/bin/env bash
# Resource limits: a memory cgroup smaller than --parent-rss, an unreadable /proc/meminfo.
# Each must be refused up front (exit 2, the message says which limit), never an OOM kill.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
cg=
cleanup() {
	if [ -n "$cg" ] && [ -d "$cg" ]; then
		# move anything left back to the parent before removing the group
		while read -r p; do echo "$p" >"$(dirname "$cg")/cgroup.procs"; done <"$cg/cgroup.procs" 2>/dev/null
		rmdir "$cg" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
tap_plan 4

# A memory cgroup of 300 MiB: v2 when its memory controller is on, else the v1 hierarchy.
# mountinfo: optional fields come before " - ", then fstype, source, super options
mounts() { awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $(i + 3), $5; break } }' /proc/self/mountinfo; }
v2mnt=$(mounts | awk '$1 == "cgroup2" {print $3; exit}')
v1mnt=$(mounts | awk '$1 == "cgroup" && $2 ~ /(^|,)memory(,|$)/ {print $3; exit}')
if [ -n "$v2mnt" ] && grep -qw memory "$v2mnt/cgroup.controllers" 2>/dev/null; then
	parent="$v2mnt$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)"
	limitfile=memory.max
elif [ -n "$v1mnt" ]; then
	parent="$v1mnt$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)"
	limitfile=memory.limit_in_bytes
fi
parent=${parent%/}
if [ -n "$parent" ] && mkdir "$parent/spawnscope-test-$$" 2>/dev/null; then
	cg="$parent/spawnscope-test-$$"
	echo $((300 << 20)) >"$cg/$limitfile"
	err=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		"$SS" run latency --parent-rss 512M --samples 5 --probes off --out "$tmp/cg" 2>&1)
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "memory cgroup $cg" <<<"$err"
	ok $? "--parent-rss 512M inside a 300 MiB memory cgroup: refused, exit 2, the cgroup named (exit $rc)"
	[ -n "$err" ] && echo "$err" | diag
	[ ! -e "$tmp/cg" ]
	ok $? "no run directory created"
else
	skip "no writable memory cgroup here" "cgroup limit refused"
	skip "no writable memory cgroup here" "no run directory created"
fi

# /proc/meminfo unreadable (an empty file bound over it in a private mount namespace) and no
# cgroup limit: the budget is unknown, so a --parent-rss is refused rather than trusted.
if unshare -m true 2>/dev/null; then
	: >"$tmp/empty"
	err=$(unshare -m sh -c 'mount --bind "$1" /proc/meminfo && shift && exec "$@"' sh \
		"$tmp/empty" "$SS" run latency --parent-rss 64M --samples 5 --probes off \
		--out "$tmp/mi" 2>&1)
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "parent-rss 64 MiB: cannot tell how much memory" <<<"$err"
	ok $? "unreadable /proc/meminfo without a cgroup limit: --parent-rss refused (exit $rc)"
	[ ! -e "$tmp/mi" ]
	ok $? "no run directory created"
else
	skip "unshare -m not permitted" "meminfo unreadable"
	skip "unshare -m not permitted" "no run directory created"
fi
tap_done
