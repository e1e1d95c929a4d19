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

# panels by what happens to the parent's fds (at most 7 series each): inherited (and
# efork's empty table), CLOEXEC, closed in the child or shared (CLONE_FILES)
group(l) = (strstrt(l, "[inherit]") || strstrt(l, "[blank]")) ? 1 : strstrt(l, "[cloexec]") ? 2 : 3
members(g) = (s = "", sum [i = 1:n] (group(word(fd_labels, i)) == g ? (s = s . sprintf("%d ", i), 0) : 0), s)
array panel_title[4] = ["inherited fds (efork: an empty table): spawn to reaped (t_reaped)", \
	"CLOEXEC fds, closed by the exec: t_reaped", \
	"closed in the child (close_range) or shared (CLONE_FILES): t_reaped", \
	"inherited fds: the spawn call (t_return)"]

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 1400,1000 fixed noenhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1400,1000 noenhanced font "Helvetica,10" background "white" }
	set output "plots/fdtable." . fmt
	set multiplot layout 2,2 title "What do the parent's open fds cost each backend? (p50, bars p10–p90, least-squares fit dashed)"
	set logscale xy 10
	set grid
	set key top left font ",9"
	set pointsize 0.6
	set xlabel "open fds in the parent (log)"
	set ylabel "µs (log)"
	set xrange [fd_lo:fd_hi]

	do for [p = 1:4] {
		col = p < 4 ? c_reaped : c_ret
		fit = p < 4 ? c_fit_reaped : c_fit_ret
		idx = members(p < 4 ? p : 1)
		set title panel_title[p]
		if (fd_n_points == 0 || words(idx) == 0) {
			set label 1 (fd_n_points == 0 ? "no fd count above 0 in this run" : "no such arm in this run") at graph 0.5, graph 0.5 center
			unset logscale xy
			plot [0:1][0:1] 2 notitle
			unset label 1
			set logscale xy 10
			set xrange [fd_lo:fd_hi]
			continue
		}
		plot for [w in idx] data using (xof(c_fds)):(pick(word(fd_labels, w + 0), col + 1)): \
			(pick(word(fd_labels, w + 0), col)):(pick(word(fd_labels, w + 0), col + 2)) \
			with yerrorlines lc rgb bcolour(word(fd_labels, w + 0)) pt 7 lw 1.5 \
			title word(fd_labels, w + 0) noenhanced, \
		     for [w in idx] data using (xof(c_fds)):(pick(word(fd_labels, w + 0), fit)) \
			with lines lc rgb bcolour(word(fd_labels, w + 0)) dt 2 lw 0.8 notitle
	}
	unset multiplot
	unset output
}
