# spawnscope contention plot: ops/s against workers, one line per sharing configuration, one
# panel per operation (spawn-under-load panels: spawn + reap p50 instead); then a bar chart of
# where contended time went (lock via calling function, summed over the run).
# Usage (spawnscope report does this): cd RUNDIR && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/contention.gp
#   -> plots/contention.{svg,png}. File names are fixed and relative: no path reaches a shell.
# Reads points-contention.csv
#   (sharing,op,workers,backend,ops_per_s,efficiency,op_p50_ns,op_p99_ns,load_ops_per_s)
# and lockstat-top.csv (lock_via_caller,wait_ms,count).
load "palette.gp"
points = "points-contention.csv"
top = "lockstat-top.csv"
if (system(sprintf("test -r '%s' && echo 1 || echo 0", points)) + 0 == 0) {
	print sprintf("contention.gp: no %s", points); exit status 1
}
# distinct ops and sharing configurations, in the order they were run
ops = system(sprintf("tail -n +2 '%s' | cut -d, -f2 | awk '!s[$0]++' | tr '\\n' ' '", points))
shs = system(sprintf("tail -n +2 '%s' | cut -d, -f1 | awk '!s[$0]++' | tr '\\n' ' '", points))
wmin = system(sprintf("tail -n +2 '%s' | cut -d, -f3 | sort -n | head -1", points)) + 0
wmax = system(sprintf("tail -n +2 '%s' | cut -d, -f3 | sort -n | tail -1", points)) + 0
nops = words(ops)
nsh = words(shs)
ntop = system(sprintf("test -r '%s' && tail -n +2 '%s' | wc -l || echo 0", top, top)) + 0
if (nops == 0) { print sprintf("contention.gp: %s has no points", points); exit status 1 }
panels = nops + 1
cols = 3
rows = int((panels + cols - 1) / cols)
isspawn(op) = (op[1:6] eq "spawn-")
# rows of one series, through awk: gnuplot draws no line across filtered-out rows
sel(sh, op, be) = sprintf("< awk -F, 'NR > 1 && $1 == \"%s\" && $2 == \"%s\" && $4 == \"%s\"' '%s'", sh, op, be, points)
color(i) = word("#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #8c564b", (i - 1) % 6 + 1)

set datafile separator ","
set key tmargin center horizontal font ",9"
set grid

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 1350,420 * rows fixed noenhanced font "Helvetica,11" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1350,420 * rows noenhanced font "Helvetica,9" background "white" }
	set output "plots/contention." . fmt
	set multiplot layout rows,cols title "spawnscope contention: what sharing an fd table, memory or limits costs concurrent workers"
	do for [o = 1:nops] {
		op = word(ops, o)
		set xlabel "workers"
		set xtics 1 norotate font ""
		set xrange [wmin - 0.3:wmax + 0.3]
		set yrange [0:*]
		if (isspawn(op)) {
			set title sprintf("%s: spawn + reap p50 (solid fork-exec, dashed posix-spawn)", op) noenhanced
			set ylabel "µs"
			set format y "%g"
			plot for [s = 1:nsh] sel(word(shs, s), op, "fork-exec") using 3:($7 / 1000.0) \
				with linespoints lw 2 pt 7 lc rgb color(s) title word(shs, s), \
			     for [s = 1:nsh] sel(word(shs, s), op, "posix-spawn") using 3:($7 / 1000.0) \
				with linespoints lw 2 dt 2 pt 6 lc rgb color(s) notitle
		} else {
			set title sprintf("%s: total ops/s", op) noenhanced
			set ylabel "ops/s"
			set format y "%.1s%c"
			plot for [s = 1:nsh] sel(word(shs, s), op, "-") using 3:5 \
				with linespoints lw 2 pt 7 lc rgb color(s) title word(shs, s)
		}
	}
	# where contended time went
	set title "where contended time went: lock via calling function (ms waited, whole run)" noenhanced
	set format y "%g"
	set format x "%g"
	set xrange [*:*]
	set xtics auto rotate by -45 font ",8"
	set xlabel "ms"
	set ylabel ""
	if (ntop > 0) {
		set yrange [ntop - 0.4:-0.6]
		set xrange [0:*]
		set ytics font ",8" noenhanced
		set style fill solid 0.7
		plot top skip 1 using ($2 / 2):0:($2 / 2):(0.35):ytic(1) with boxxyerror lc rgb "#1f77b4" notitle
		unset ytics
		set ytics
		set yrange [*:*]
		set xrange [*:*]
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
	unset multiplot
	unset output
}
