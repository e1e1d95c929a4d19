# spawnscope fdtable plot: spawn cost against the parent's open fds (log-log, one line per
# backend and variant, p10-p90 error bars, the least-squares fit dashed).
# Usage: gnuplot -e "dir='RUNDIR'" scripts/fdtable.gp  -> RUNDIR/plots/fdtable.{svg,png}
# Reads RUNDIR/points-fdtable.csv and RUNDIR/points-fdtable.gp (both written by
# `spawnscope run fdtable`).
if (!exists("dir")) { print "usage: gnuplot -e \"dir='RUNDIR'\" fdtable.gp"; exit status 2 }

data = dir.'/points-fdtable.csv'
vars = dir.'/points-fdtable.gp'
if (system(sprintf("test -r '%s' && test -r '%s' && echo ok", data, vars)) ne "ok") {
	print sprintf("fdtable.gp: no points-fdtable.csv / points-fdtable.gp in %s", dir)
	exit status 1
}
load vars

# columns of points-fdtable.csv
c_label = 1; c_fds = 4; c_ret = 5; c_reaped = 11; c_fit_ret = 14; c_fit_reaped = 15

set datafile separator ","
set datafile missing "NaN"
set datafile columnheaders

n = words(fd_labels)
# a value of one arm, µs, or NaN (also for 0 fds: log axes)
pick(l, col) = (strcol(c_label) eq l && column(c_fds) > 0 && column(col) > 0) ? column(col) / 1000.0 : NaN
xof(x) = column(x) > 0 ? column(x) : NaN
# the variant in brackets sets the dash of the line, the backend its colour
dash(l) = strstrt(l, "[cloexec]") ? 2 : strstrt(l, "[closefrom]") ? 4 : strstrt(l, "[files]") ? 5 : 1

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 1400,700 dynamic enhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1400,700 enhanced font "Helvetica,10" background "white" }
	set output sprintf("%s/plots/fdtable.%s", dir, fmt)
	set multiplot layout 1,2 title "spawnscope fdtable: what the parent's open fds cost each backend (p50, bars p10–p90, fit thin)"
	set logscale xy 10
	set grid
	set key top left font ",8"
	set pointsize 0.6
	set xlabel "open fds in the parent (log)"
	set ylabel "µs (log)"
	set xrange [fd_lo:fd_hi]

	do for [m in "reaped return"] {
		col = m eq "reaped" ? c_reaped : c_ret
		fit = m eq "reaped" ? c_fit_reaped : c_fit_ret
		set title m eq "reaped" ? "spawn to reaped (t\\_reaped)" : "the spawn call (t\\_return)"
		if (fd_n_points == 0) {
			set label 1 "no fd count above 0 in this run" at graph 0.5, graph 0.5 center
			unset logscale xy
			plot [0:1][0:1] 2 notitle
			unset label 1
			set logscale xy 10
			set xrange [fd_lo:fd_hi]
			continue
		}
		plot for [i=1:n] data using (xof(c_fds)):(pick(word(fd_labels, i), col + 1)): \
			(pick(word(fd_labels, i), col)):(pick(word(fd_labels, i), col + 2)) \
			with yerrorlines lc i pt i dt dash(word(fd_labels, i)) lw 1.5 \
			title word(fd_labels, i) noenhanced, \
		     for [i=1:n] data using (xof(c_fds)):(pick(word(fd_labels, i), fit)) \
			with lines lc i lw 0.5 notitle
	}
	unset multiplot
	unset output
}
