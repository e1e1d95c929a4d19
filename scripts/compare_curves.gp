# spawnscope compare: the sweeps of every run overlaid, one panel per backend (its colour),
# one line per run (its dash and point shape): did the cost per MiB / per fd change?
# Usage (spawnscope compare does this, once per experiment):
#   cd OUT && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/compare_curves.gp -> plots/compare-EXP.{svg,png}
# Reads compare-vars.gp (run labels), compare-curves.gp (cc_exp, the backends, the
# (panel, run) lines that have points) and compare-curves-EXP.csv
# (panel,run,x,p50_us,p10_us,p90_us).
load "palette.gp"
if (system("test -r compare-vars.gp && test -r compare-curves.gp && echo ok") ne "ok") {
	print "compare_curves.gp: no compare-vars.gp / compare-curves.gp in the current directory"
	exit status 1
}
load "compare-vars.gp"
load "compare-curves.gp"
if (cc_nl == 0) { print "compare_curves.gp: nothing to draw"; exit status 1 }
data = "compare-curves-" . cc_exp . ".csv"
sel(p, r, col) = (column(1) == p && column(2) == r) ? column(col) : NaN
ptype(k) = word("7 5 9 11 13 15 4 6", (k - 1) % 8 + 1) + 0
array L[cmp_nruns]
cols = cc_nb < 4 ? cc_nb : 4
rows = int((cc_nb + cols - 1) / cols)
question = cc_exp eq "pagetable" ? "Did fork's price for the parent's memory change between the runs?" : \
	"Did the price of the parent's open fds change between the runs?"

set datafile separator ","
set datafile columnheaders
set datafile missing "NaN"
set tics noenhanced
set key noenhanced top left font ",9" opaque box
set logscale xy 10
set grid
set format y "%g"
set xlabel cc_xlabel
set ylabel "t_reaped p50, µs (log)"

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 360 * cols + 80, 340 * rows + 60 fixed noenhanced font "Helvetica,11" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 360 * cols + 80, 340 * rows + 60 noenhanced font "Helvetica,9" background "white" }
	set output "plots/compare-" . cc_exp . "." . fmt
	set multiplot layout rows, cols title question . " (" . cc_exp . ": t_reaped median, bars p10–p90; one line per run)"
	do for [p = 1:cc_nb] {
		set title cc_backend[p]
		# the runs with a line in this panel (numbers: dt takes a number, not a string)
		nl = 0
		do for [j = 1:cc_nl] { if (cc_lpanel[j] == p) { nl = nl + 1; L[nl] = cc_lrun[j] } }
		plot for [k = 1:nl] data using 3:(sel(p, L[k], 4)):(sel(p, L[k], 5)):(sel(p, L[k], 6)) \
			with yerrorlines lw 1.5 dt L[k] pt ptype(L[k]) lc rgb bcolour(cc_backend[p]) \
			title cmp_label[L[k]]
	}
	unset multiplot
	unset output
}
