# Set-up shared by the fault tests: a scratch directory, a marker every process of the run
# under test inherits (SPAWNSCOPE_FAULT_MARK=$mark in its environment), and a clean-up that
# SIGKILLs whatever still carries the marker and removes the scratch directory, even when the
# test fails. Source it after tap.bash; runs go under "$REAPER" (tests/targets/subreaper).
REAPER="$SPAWNSCOPE_BUILD/tests/targets/subreaper"
tmp=$(mktemp -d)
mark="spawnscope-fault-$$-$RANDOM"
# pids of live processes carrying our marker (zombies have an empty environ)
marked() { grep -lsz "^SPAWNSCOPE_FAULT_MARK=$mark\$" /proc/[0-9]*/environ | cut -d/ -f3; }
fault_cleanup() {
	local p
	for p in $(marked); do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap fault_cleanup EXIT
