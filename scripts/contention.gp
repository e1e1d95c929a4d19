# spawnscope contention plots, two figures, one question each:
#   plots/contention.{svg,png}: what does sharing cost concurrent workers? ops/s against
#     workers, one line per sharing configuration, one panel per operation (spawn-under-load
#     panels: spawn + reap p50, coloured by backend, one dash per sharing configuration);
#   plots/contention-locks.{svg,png}: where did contended time go? (lock via calling
#     function, ms waited over the whole run).
# Usage (spawnscope report does this): cd RUNDIR && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/contention.gp
# Reads points-contention.csv
#   (sharing,op,workers,backend,ops_per_s,efficiency,op_p50_ns,op_p99_ns,load_ops_per_s)
# and lockstat-top.csv (lock_via_caller,wait_ms,count). File names are fixed and relative,
# and no value of the CSVs is put into a command: series are selected by their index.
load "palette.gp"
points = "points-contention.csv"
top = "lockstat-top.csv"
if (system("test -r points-contention.csv && echo 1 || echo 0") + 0 == 0) {
	print "contention.gp: no points-contention.csv in the current directory"; exit status 1
}
# distinct ops and sharing configurations, in the order they were run (output, not commands)
ops = system("awk -F, 'NR > 1 && !s[$2]++ { printf \"%s \", $2 }' points-contention.csv")
shs = system("awk -F, 'NR > 1 && !s[$1]++ { printf \"%s \", $1 }' points-contention.csv")
wmin = system("awk -F, 'NR > 1 && (m == \"\" || $3 < m) { m = $3 } END { print m + 0 }' points-contention.csv") + 0
wmax = system("awk -F, 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' points-contention.csv") + 0
nops = words(ops)
nsh = words(shs)
ntop = system("test -r lockstat-top.csv && awk 'END { print NR - 1 }' lockstat-top.csv || echo 0") + 0
if (nops == 0) { print "contention.gp: points-contention.csv has no points"; exit status 1 }
cols = 3
rows = int((nops + cols - 1) / cols)
isspawn(op) = (op[1:6] eq "spawn-")
# rows of sharing #si, op #oi (numbered in file order) and backend be (one of the fixed
# names below), through awk: gnuplot draws no line across filtered-out rows
sel(si, oi, be) = sprintf("< awk -F, -v si=%d -v oi=%d -v be=%s 'NR > 1 { if (!($1 in S)) S[$1] = ++ns; if (!($2 in O)) O[$2] = ++no; if (S[$1] == si && O[$2] == oi && $4 == be) print }' points-contention.csv", si, oi, be)

set datafile separator ","
set grid

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 1350,420 * rows fixed noenhanced font "Helvetica,11" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1350,420 * rows noenhanced font "Helvetica,9" background "white" }
	set output "plots/contention." . fmt
	set multiplot layout rows,cols title "What does sharing an fd table, memory or limits cost concurrent workers?"
	do for [o = 1:nops] {
		op = word(ops, o)
		set xlabel "workers"
		set xtics 1 norotate font ""
		set xrange [wmin - 0.3:wmax + 0.3]
		set yrange [0:*]
		if (isspawn(op)) {
			set title sprintf("%s: spawn + reap p50 under load", op)
			set ylabel "µs"
			set format y "%g"
			set key inside top left font ",8" opaque box maxrows 3
			# the key: colour = backend, dash = sharing (8 lines, 6 key entries)
			plot for [s = 1:nsh] sel(s, o, "fork-exec") using 3:($7 / 1000.0) \
				with linespoints lw 2 dt s pt 7 lc rgb bcolour("fork-exec") notitle, \
			     for [s = 1:nsh] sel(s, o, "posix-spawn") using 3:($7 / 1000.0) \
				with linespoints lw 2 dt s pt 6 lc rgb bcolour("posix-spawn") notitle, \
			     NaN with lines lw 2 lc rgb bcolour("fork-exec") title "fork-exec", \
			     NaN with lines lw 2 lc rgb bcolour("posix-spawn") title "posix-spawn", \
			     for [s = 1:nsh] NaN with lines lw 1.5 dt s lc rgb "#555555" title word(shs, s)
		} else {
			set title sprintf("%s: total ops/s", op)
			set ylabel "ops/s"
			set format y "%.1s%c"
			set key inside bottom right font ",8" opaque box
			plot for [s = 1:nsh] sel(s, o, "-") using 3:5 \
				with linespoints lw 2 pt 7 lc rgb scolour(word(shs, s)) title word(shs, s)
		}
	}
	unset multiplot
	unset output
}

# where contended time went: its own figure, full width, lock names on the y axis
set format x "%g"
set format y "%g"
set xtics auto norotate font ""
set xlabel "ms waited (summed over the whole run)"
set ylabel ""
set key off
do for [fmt in "svg png"] {
	h = 160 + 26 * (ntop > 0 ? ntop : 4)
	if (fmt eq "svg") { set terminal svg size 1100, h fixed noenhanced font "Helvetica,11" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1100, h noenhanced font "Helvetica,9" background "white" }
	set output "plots/contention-locks." . fmt
	set title "Where did contended time go? Kernel lock, via the function that took it (lock:contention_begin/end)"
	if (ntop > 0) {
		set yrange [ntop - 0.4:-0.6]
		set xrange [0:*]
		set ytics font ",9"
		set style fill solid 0.7
		plot top skip 1 using ($2 / 2):0:($2 / 2):(0.35):ytic(1) with boxxyerror lc rgb "#4d4d4d" notitle
	} else {
		unset border
		unset tics
		set xrange [0:1]
		set yrange [0:1]
		set label 1 "no lock statistics in this run (see run.json \"lockstat\")" at 0.5, 0.5 center
		plot NaN notitle
		unset label 1
		set border
		set tics
	}
	unset output
}
