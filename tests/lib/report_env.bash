# Shared set-up of the report/compare shell tests: source after tap.bash, then
# `report_env NAME`: LIB (this directory, absolute), ROOT (the source tree) and TMP (a fresh
# directory /tmp/spawnscope-NAME.XXXXXX, removed on exit, even on failure).
report_env() {
	LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	ROOT="$(cd "$LIB/../.." && pwd)"
	TMP=$(mktemp -d "/tmp/spawnscope-$1.XXXXXX") || exit 1
	trap 'rm -rf "$TMP"' EXIT
}
