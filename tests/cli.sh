#!/usr/bin/env bash
# Bad input: each a clear message naming the input and exit status 2; `list` works.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 19

out=$("$SS" list 2>&1)
ok $? "list exits 0"
grep -q "fork-exec *available" <<<"$out"
ok $? "list shows fork-exec available"

expect_exit 2 "unknown backend 'nosuch' \(valid: fork-exec, vfork" "unknown backend lists valid ones" \
	-- "$SS" run latency --backends nosuch --out "$tmp/a"
expect_exit 2 "unknown experiment 'nosuch' \(valid: latency" "unknown experiment lists valid ones" \
	-- "$SS" run nosuch --out "$tmp/a"
expect_exit 2 "--target /nonexistent/prog: .*No such file" "missing target" \
	-- "$SS" run latency --target /nonexistent/prog --out "$tmp/a"
: >"$tmp/noexec" && chmod 644 "$tmp/noexec"
expect_exit 2 "not an executable file" "non-executable target" \
	-- "$SS" run latency --target "$tmp/noexec" --out "$tmp/a"
expect_exit 2 "--samples: bad value '0'" "samples 0" -- "$SS" run latency --samples 0 --out "$tmp/a"
expect_exit 2 "--samples: bad value '-5'" "samples negative" -- "$SS" run latency --samples -5 --out "$tmp/a"
expect_exit 2 "--samples: bad value '100000000000'" "samples absurd" \
	-- "$SS" run latency --samples 100000000000 --out "$tmp/a"
expect_exit 2 "--samples: bad value '12x'" "samples not a number" -- "$SS" run latency --samples 12x --out "$tmp/a"
expect_exit 2 "--parent-rss .*more than the memory available" "parent-rss beyond MemAvailable refused" \
	-- "$SS" run latency --parent-rss 100T --out "$tmp/a"
expect_exit 2 "--parent-rss: bad value '12Q'" "parent-rss with a bad suffix" \
	-- "$SS" run latency --parent-rss 12Q --out "$tmp/a"
: >"$tmp/file"
expect_exit 2 "--out $tmp/file/x: cannot create a writable run directory: Not a directory" \
	"unwritable --out" -- "$SS" run latency --samples 5 --out "$tmp/file/x"
expect_exit 2 "--mode: bad value 'sideways'" "bad --mode" -- "$SS" run latency --mode sideways --out "$tmp/a"
# each experiment owns its options: mounted when it is selected (every one under `all`),
# refused by name otherwise; --help is made from the same rows
expect_exit 2 "--fds is an option of the fdtable experiment, not of latency" \
	"an option of another experiment is refused, naming its owner" \
	-- "$SS" run latency --fds 10 --out "$tmp/a"
expect_exit 2 "--fds: bad value '0,,1'" "run all takes every experiment's options" \
	-- "$SS" run all --fds 0,,1 --out "$tmp/a"
out=$("$SS" run --help)
[ $? -eq 0 ] && grep -q '^  --samples N ' <<<"$out" && grep -q '^latency options:' <<<"$out" &&
	grep -q '^  --parent-rss LIST ' <<<"$out" && grep -q '^contention options:' <<<"$out" &&
	grep -q '^  --max-workers N .*(default 4 x online CPUs)' <<<"$out"
ok $? "run --help lists the common options, then every experiment's"
out=$("$SS" run pagetable --help)
grep -q '^  --sizes LIST ' <<<"$out" && ! grep -q -- '--fds' <<<"$out"
ok $? "run pagetable --help lists pagetable's options and no other experiment's"
[ ! -e "$tmp/a" ]
ok $? "no run directory is created for rejected input"
tap_done
