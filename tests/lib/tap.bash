# TAP helpers for spawnscope's shell tests (kselftest style). Source it; call tap_plan N,
# ok COND-EXIT-STATUS "description", tap_done at the end.
: "${SPAWNSCOPE_BUILD:?SPAWNSCOPE_BUILD must name the build directory (make test sets it)}"
SS="$SPAWNSCOPE_BUILD/spawnscope"
_tap_n=0 _tap_fail=0 _tap_skip=0

tap_plan() { echo "TAP version 13"; echo "1..$1"; }

# ok STATUS DESCRIPTION: STATUS 0 passes (pass "$?" of the check just run)
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		_tap_fail=$((_tap_fail + 1))
		echo "not ok $_tap_n - $2"
	fi
}

skip() {
	_tap_n=$((_tap_n + 1)) _tap_skip=$((_tap_skip + 1))
	echo "ok $_tap_n - $2 # SKIP $1"
}

diag() { sed 's/^/# /'; }

tap_done() {
	echo "# $((_tap_n - _tap_fail - _tap_skip)) passed, $_tap_fail failed, $_tap_skip skipped"
	[ "$_tap_fail" -eq 0 ]
}

# expect_exit CODE PATTERN DESCRIPTION -- CMD...: exit status CODE and stderr matching PATTERN
expect_exit() {
	local code=$1 pat=$2 desc=$3 err rc
	shift 4
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$code" ] && grep -qE -- "$pat" <<<"$err"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		echo "# exit $rc (wanted $code); stderr: $err" | head -5
	fi
}
