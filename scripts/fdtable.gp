# spawnscope fdtable plot: spawn cost against the parent's open fds (log-log, one line per
# backend and variant, p10-p90 error bars, the least-squares fit dashed).
# Usage (spawnscope report does this): cd RUNDIR && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/fdtable.gp
#   -> plots/fdtable.{svg,png}. File names are fixed and relative: no path reaches a shell.
# Reads points-fdtable.csv and points-fdtable.gp (both written by
# `spawnscope run fdtable`).
load "palette.gp"
data = 'points-fdtable.csv'
vars = 'points-fdtable.gp'
if (system("test -r points-fdtable.csv && test -r points-fdtable.gp && echo ok") ne "ok") {
	print "fdtable.gp: no points-fdtable.csv / points-fdtable.gp in the current directory"
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
	if (fmt eq "svg") { set terminal svg size 1400,700 fixed noenhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1400,700 noenhanced font "Helvetica,10" background "white" }
	set output "plots/fdtable." . fmt
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
		set title m eq "reaped" ? "spawn to reaped (t_reaped)" : "the spawn call (t_return)"
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
			with yerrorlines lc rgb bcolour(word(fd_labels, i)) pt i dt dash(word(fd_labels, i)) lw 1.5 \
			title word(fd_labels, i) noenhanced, \
		     for [i=1:n] data using (xof(c_fds)):(pick(word(fd_labels, i), fit)) \
			with lines lc rgb bcolour(word(fd_labels, i)) lw 0.5 notitle
	}
	unset multiplot
	unset output
}
