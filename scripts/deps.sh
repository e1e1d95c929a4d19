#!/usr/bin/env bash
# Install the Debian packages spawnscope builds, tests and plots with.
# As root: installs what is missing (apt-get). Otherwise: prints the exact apt-get line and
# fails. Quiet when everything is present, so `make test` and `make bench` can call it each time.
set -euo pipefail

PKGS=(gcc make pkg-config clang libclang-rt-dev llvm libbpf-dev bpftool libelf-dev zlib1g-dev
      libcpuid-dev libjansson-dev gnuplot-nox hyperfine jq python3 perl valgrind util-linux procps
      strace
      chromium # tests/compare_cli.sh renders report.html headless
      # make kernel-test: Debian 12's 6.1 kernel under qemu with a busybox initramfs
      qemu-system-x86 busybox-static cpio)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; install the equivalents of: ${PKGS[*]}" >&2
	exit 0
fi

missing=()
for p in "${PKGS[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "deps.sh: missing packages; as root run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
