# BPF objects a process holds, for the shell tests. Source it after tap.bash.

# held_ids PID: the BPF programs and links PID holds, from its fdinfo (prog fds carry
# "prog_type:", link fds "link_type:"): "P id" and "L id" lines. Other users of the machine
# may run probes of their own at the same time: only the ids our processes held are checked.
held_ids() {
	for f in /proc/"$1"/fdinfo/*; do
		awk '/^link_id:/ { l = $2 } /^prog_id:/ { p = $2 } /^prog_type:/ { t = 1 }
		     END { if (l) print "L", l; else if (t && p) print "P", p }' "$f" 2>/dev/null
	done
}

# remaining KIND IDS...: the ids still shown by bpftool, polled for up to 5 s: the kernel frees
# a program or link asynchronously once its last fd is closed (bpf_prog_put defers the free
# through RCU and a workqueue), so one look right after exit can still see it
remaining() {
	local kind=$1 left try id
	shift
	for try in $(seq 50); do
		left=""
		for id in "$@"; do bpftool "$kind" show id "$id" >/dev/null 2>&1 && left="$left $id"; done
		[ -z "$left" ] && break
		sleep 0.1
	done
	echo "$left"
}
