#!/usr/bin/env bash
# Resource limits. A memory cgroup smaller than --parent-rss and an unreadable /proc/meminfo
# are refused up front (exit 2, the message says which limit), never an OOM kill. A full disk
# (a small tmpfs in a private mount namespace) and RLIMIT_FSIZE stop the run cleanly: exit 1,
# the errno named, run.json valid and incomplete, no temporary file, no truncated plot. A
# closed stderr pipe (2>&1 | head) does not kill the run.
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
tap_plan 13

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

# A PNG or SVG in dir/plots that is not whole (no IEND chunk / no </svg>): printed, one a line.
truncated_plots() {
	local f
	for f in "$1"/plots/*.png; do
		[ -e "$f" ] || continue
		[ "$(tail -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 49454e44ae426082 ] || echo "$f"
	done
	for f in "$1"/plots/*.svg; do
		[ -e "$f" ] || continue
		tail -c 64 "$f" | grep -q '</svg>' || echo "$f"
	done
}
temp_files() { find "$1" -regextype posix-extended -regex '.*\.(json|md|csv|gp)\.[^/]+$' 2>/dev/null; }

# A full disk: 160 KiB of tmpfs, a run whose samples need more.
if unshare -m true 2>/dev/null; then
	mkdir "$tmp/mnt" "$tmp/copy"
	# in the private namespace: mount, run, copy out what the run left, unmount (trap)
	cat >"$tmp/full.sh" <<-'SCRIPT'
		mnt=$1 copy=$2
		shift 2
		trap 'umount "$mnt"' EXIT
		mount -t tmpfs -o size=160k tmpfs "$mnt" || exit 97
		"$@" --out "$mnt/run" 2>"$copy/err"
		rc=$?
		cp -r "$mnt/run" "$copy/" 2>/dev/null
		exit $rc
	SCRIPT
	unshare -m bash "$tmp/full.sh" "$tmp/mnt" "$tmp/copy" "$SS" run latency \
		--backends fork-exec,vfork --samples 3000 --warmup 0 --probes off --quiet
	rc=$?
	[ "$rc" -eq 1 ]
	ok $? "a full disk: exit 1 (got $rc)"
	grep -q "No space left on device" "$tmp/copy/err" && ! grep -q "Input/output error" "$tmp/copy/err"
	ok $? "the write error is named: No space left on device"
	grep -q "run stopped" "$tmp/copy/err"
	ok $? "the run stops at the first failed write and says so"
	jq -e '.complete == false' "$tmp/copy/run/run.json" >/dev/null 2>&1
	ok $? "run.json is valid and marked complete: false"
	[ -z "$(temp_files "$tmp/copy/run")$(truncated_plots "$tmp/copy/run")" ]
	ok $? "no temporary file and no truncated plot left: $(temp_files "$tmp/copy/run") $(truncated_plots "$tmp/copy/run")"
	[ "$rc" -ne 1 ] && diag <"$tmp/copy/err"
	# plots on a full disk: a run whose data fit in 48 KiB, rendered there; the PNG cannot
	"$SS" run latency --backends fork-exec --samples 20 --warmup 0 --probes off --quiet \
		--out "$tmp/small" 2>/dev/null
	rm -rf "$tmp/small/plots" "$tmp/small/summary.md" "$tmp/small/report.html"
	mkdir "$tmp/copy2"
	cat >"$tmp/plots.sh" <<-'SCRIPT'
		mnt=$1 copy=$2 small=$3 ss=$4
		trap 'umount "$mnt"' EXIT
		mount -t tmpfs -o size=48k tmpfs "$mnt" || exit 97
		cp -r "$small" "$mnt/run"
		"$ss" report "$mnt/run" 2>"$copy/err"
		rc=$?
		cp -r "$mnt/run" "$copy/" 2>/dev/null
		exit $rc
	SCRIPT
	unshare -m bash "$tmp/plots.sh" "$tmp/mnt" "$tmp/copy2" "$tmp/small" "$SS"
	rc=$?
	[ "$rc" -eq 0 ] && [ -z "$(truncated_plots "$tmp/copy2/run")" ] &&
		grep -q "Plots not drawn" "$tmp/copy2/run/summary.md" && grep -Eq "truncated|empty|No space left" "$tmp/copy2/err"
	ok $? "report with no room for the PNG: exit 0 (got $rc), no truncated plot left ($(truncated_plots "$tmp/copy2/run")), summary.md and stderr say so"
else
	for i in 1 2 3 4 5 6; do skip "unshare -m not permitted" "full disk $i"; done
fi

# RLIMIT_FSIZE of 8 KiB: run.json cannot be written whole. SIGXFSZ must not kill the driver
# (exit 153) and leave a temporary file; the write fails with EFBIG and the run stops.
err=$(ulimit -f 8 && "$SS" run latency --backends fork-exec --samples 20 --warmup 0 --probes off \
	--quiet --out "$tmp/fsize" 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q "File too large" <<<"$err"
ok $? "under ulimit -f 8: exit 1 with 'File too large', not killed by SIGXFSZ (exit $rc)"
[ -z "$(temp_files "$tmp/fsize")" ]
ok $? "under ulimit -f: no temporary file left ($(temp_files "$tmp/fsize" | tr '\n' ' '))"

# stderr into a pipe whose reader is gone: SIGPIPE must not kill the run before its summary.
"$SS" run latency --backends fork-exec --samples 20 --warmup 0 --probes off --out "$tmp/pipe" 2>&1 |
	head -c 1 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] && [ -s "$tmp/pipe/summary.md" ] && jq -e '.complete' "$tmp/pipe/run.json" >/dev/null
ok $? "2>&1 | head -c 1: exit 0 (got $rc), run.json complete and summary.md written"
tap_done
