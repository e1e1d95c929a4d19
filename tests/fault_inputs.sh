#!/usr/bin/env bash
# The bad-input table: every row is a command line that must be refused with its exit status
# (2: usage or input error), a message that names the offending input (a fixed string that
# must appear on stderr), and no residue: no run directory, nothing created in the working
# directory (no results/...), no summary or plot written next to a refused run.json.
. "$(dirname "$0")/lib/tap.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cwd="$tmp/cwd" out="$tmp/out"
mkdir "$cwd" "$tmp/nonempty" "$tmp/rep"
: >"$tmp/file"
: >"$tmp/nonempty/mine.txt"
: >"$tmp/noexec" && chmod 644 "$tmp/noexec"
mkfifo "$tmp/fifo"
# report inputs: one directory per kind of bad run.json
mkrep() { mkdir -p "$tmp/rep/$1" && printf '%s' "$2" >"$tmp/rep/$1/run.json"; }
mkrep notjson '{"schema": "spawnscope/1", '
mkrep schema '{"schema": "other/9", "results": []}'
mkrep results-string '{"schema": "spawnscope/1", "results": "x"}'
mkrep results-entry '{"schema": "spawnscope/1", "results": [3]}'
mkrep fits '{"schema": "spawnscope/1", "results": [], "fits": 3}'
mkrep toplevel '[1, 2]'
mkrep dupkey '{"schema": "spawnscope/1", "schema": "spawnscope/1", "results": []}'
mkdir "$tmp/rep/fifo" && mkfifo "$tmp/rep/fifo/run.json"
mkdir "$tmp/rep/dirjson" "$tmp/rep/dirjson/run.json"

n_cases=0
declare -a rows
# bad CODE NEEDLE ARGS...: one row of the table
bad() { rows+=("$(printf '%q ' "$@")"); n_cases=$((n_cases + 1)); }

R=(run latency --samples 5 --probes off --out "$out")
bad 2 "which experiment" run --out "$out"
bad 2 "'nosuch'" run nosuch --out "$out"
bad 2 "'extra'" run latency extra --out "$out"
bad 2 "'nosuch'" "${R[@]}" --backends nosuch
bad 2 "'fork-exec,,vfork'" "${R[@]}" --backends fork-exec,,vfork
bad 2 "',fork-exec'" "${R[@]}" --backends ,fork-exec
bad 2 "'fork-exec,'" "${R[@]}" --backends fork-exec,
bad 2 "--backends: bad value ''" "${R[@]}" --backends ""
bad 2 "'fork-exec' given twice" "${R[@]}" --backends fork-exec,fork-exec
bad 2 "plugin:/nonexistent/x.so" "${R[@]}" --backends plugin:/nonexistent/x.so
bad 2 "--samples: bad value '0'" "${R[@]}" --samples 0
bad 2 "--samples: bad value '-5'" "${R[@]}" --samples -5
bad 2 "--samples: bad value '1e3'" "${R[@]}" --samples 1e3
bad 2 "--samples: bad value '100000000000'" "${R[@]}" --samples 100000000000
bad 2 "--samples: bad value ''" "${R[@]}" --samples ""
bad 2 "--warmup: bad value '-1'" "${R[@]}" --warmup -1
bad 2 "--warmup: bad value 'x'" "${R[@]}" --warmup x
bad 2 "--block: bad value '0'" "${R[@]}" --block 0
bad 2 "--block: bad value '1000001'" "${R[@]}" --block 1000001
bad 2 "/nonexistent/prog" "${R[@]}" --target /nonexistent/prog
bad 2 "$tmp/noexec" "${R[@]}" --target "$tmp/noexec"
bad 2 "$tmp/cwd" "${R[@]}" --target "$tmp/cwd"
bad 2 "--mode: bad value 'sideways'" "${R[@]}" --mode sideways
bad 2 "--parent-rss: bad value '12Q'" "${R[@]}" --parent-rss 12Q
bad 2 "--parent-rss 100 TiB" "${R[@]}" --parent-rss 100T
bad 2 "--parent-rss: bad value '-1G'" "${R[@]}" --parent-rss -1G
bad 2 "--parent-rss: bad value '0,,1G'" "${R[@]}" --parent-rss 0,,1G
bad 2 "at most 8 sizes" "${R[@]}" --parent-rss 1,2,3,4,5,6,7,8,9
bad 2 "--share: bad value 'bogus'" "${R[@]}" --share bogus
bad 2 "--share: bad value 'sighand" "${R[@]}" --share sighand
bad 2 "'1M,,2M'" run pagetable --quick --probes off --out "$out" --sizes 1M,,2M
bad 2 "64 TiB" run pagetable --quick --probes off --out "$out" --sizes 64T
bad 2 "'bogus'" run pagetable --quick --probes off --out "$out" --kinds bogus
bad 2 "'x'" run pagetable --quick --probes off --out "$out" --vmas x
bad 2 "'-1'" run fdtable --quick --probes off --out "$out" --fds -1
bad 2 "'x'" run fdtable --quick --probes off --out "$out" --fds x
bad 2 "'bogus'" run fdtable --quick --probes off --out "$out" --variants bogus
bad 2 "'bogus'" run contention --quick --probes off --out "$out" --sharing bogus
bad 2 "'bogus'" run contention --quick --probes off --out "$out" --ops bogus
bad 2 "--workers: 0" run contention --quick --probes off --out "$out" --workers 0
bad 2 "'x'" run contention --quick --probes off --out "$out" --workers x
bad 2 "--max-workers: bad value '0'" run contention --quick --out "$out" --max-workers 0
bad 2 "--max-workers: bad value '5000'" run contention --quick --out "$out" --max-workers 5000
bad 2 "--duration: bad value '1e-300'" run contention --quick --out "$out" --duration 1e-300
bad 2 "--duration: bad value '0'" run contention --quick --out "$out" --duration 0
bad 2 "--duration: bad value '-1'" run contention --quick --out "$out" --duration -1
bad 2 "--duration: bad value 'nan'" run contention --quick --out "$out" --duration nan
bad 2 "--duration: bad value 'inf'" run contention --quick --out "$out" --duration inf
bad 2 "--duration: bad value '3601'" run contention --quick --out "$out" --duration 3601
bad 2 "--duration: bad value '1s'" run contention --quick --out "$out" --duration 1s
bad 2 "--probes: bad value 'maybe'" "${R[@]}" --probes maybe
bad 2 "--probe-overhead" run latency --probe-overhead --probes off --out "$out"
bad 2 "--cpu: bad value '-1'" "${R[@]}" --cpu -1
bad 2 "--cpu: bad value '99999'" "${R[@]}" --cpu 99999
bad 2 "--cpu: bad value 'x'" "${R[@]}" --cpu x
bad 2 "--seed: bad value '-1'" "${R[@]}" --seed -1
bad 2 "--seed: bad value 'abc'" "${R[@]}" --seed abc
bad 2 "--out $tmp/file: exists and is not a directory" run latency --samples 5 --out "$tmp/file"
bad 2 "--out $tmp/file/x" run latency --samples 5 --out "$tmp/file/x"
bad 2 "--out $tmp/fifo: exists and is not a directory" run latency --samples 5 --out "$tmp/fifo"
bad 2 "--out $tmp/nonempty: not empty" run latency --samples 5 --out "$tmp/nonempty"
bad 2 "--out: bad value ''" run latency --samples 5 --out ""
bad 2 "nosuchoption" "${R[@]}" --nosuchoption
bad 2 "samples" run latency --out "$out" --samples
bad 2 "'extra'" list extra
bad 2 "'nosuch'" nosuch
bad 2 "usage: spawnscope report DIR" report
bad 2 "$tmp/rep/none/run.json" report "$tmp/rep/none"
bad 2 "$tmp/rep/notjson/run.json" report "$tmp/rep/notjson"
bad 2 "$tmp/rep/schema/run.json" report "$tmp/rep/schema"
bad 2 "$tmp/rep/results-string/run.json: no \"results\" array" report "$tmp/rep/results-string"
bad 2 "$tmp/rep/results-entry/run.json: results[0]" report "$tmp/rep/results-entry"
bad 2 "$tmp/rep/fits/run.json: \"fits\"" report "$tmp/rep/fits"
bad 2 "$tmp/rep/toplevel/run.json" report "$tmp/rep/toplevel"
bad 2 "$tmp/rep/dupkey/run.json" report "$tmp/rep/dupkey"
bad 2 "$tmp/rep/fifo/run.json: not a regular file" report "$tmp/rep/fifo"
bad 2 "$tmp/rep/dirjson/run.json: not a regular file" report "$tmp/rep/dirjson"
bad 2 "/nonexistent/a.json" gate --baseline /nonexistent/a.json --current /nonexistent/b.json
bad 2 "$tmp/rep/fifo/run.json: not a regular file" gate --baseline "$tmp/rep/fifo/run.json" --current "$tmp/rep/fifo/run.json"
bad 2 "$tmp/rep/results-string/run.json" gate --baseline "$tmp/rep/results-string/run.json" --current "$tmp/rep/results-string/run.json"
bad 2 "--out $tmp/file: exists and is not a directory" gate --baseline /nonexistent --current /nonexistent --out "$tmp/file"
bad 2 "'abc'" gate --baseline /nonexistent --current /nonexistent --threshold abc
bad 2 "--b is missing" gate --a true
bad 2 "has --out" gate --a "$SS run latency --out x" --b "$SS run latency"

tap_plan $((n_cases + 1))
[ "$n_cases" -ge 60 ]
ok $? "the table has $n_cases cases (at least 60)"
for row in "${rows[@]}"; do
	eval "set -- $row"
	code=$1 needle=$2
	shift 2
	touch "$tmp/stamp"
	sleep 0.01 # (so that anything written by the case is newer than the stamp)
	err=$(cd "$cwd" && timeout -k 5 30 "$SS" "$@" 2>&1 >/dev/null </dev/null) # (a hang is a failure too)
	rc=$?
	residue=$(
		[ -e "$out" ] && echo "$out"
		ls -A "$cwd"
		find "$tmp/rep" "$tmp/nonempty" -mindepth 1 -newer "$tmp/stamp" \
			\( -name summary.md -o -name plots -o -name '*.json.*' -o -name results \) 2>/dev/null
	)
	rm -rf "$out" "$cwd"/* "$cwd"/.[!.]* 2>/dev/null
	[ "$rc" -eq "$code" ] && grep -qF -- "$needle" <<<"$err" && [ -z "$residue" ]
	ok $? "spawnscope $(printf '%q ' "$@" | sed "s|$tmp|TMP|g" | cut -c1-110)"
	if [ "$rc" -ne "$code" ] || ! grep -qF -- "$needle" <<<"$err" || [ -n "$residue" ]; then
		echo "exit $rc (wanted $code); wanted on stderr: $needle; residue: ${residue:-none}" | diag
		head -3 <<<"$err" | diag
	fi
done
tap_done
