# spawnscope compare: did what sharing costs concurrent workers change between the runs?
# Total ops/s against workers, one panel per operation, a colour per sharing configuration
# (palette.gp's scolour), a dash and point shape per run.
# Usage (spawnscope compare does this): cd OUT && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/compare_scaling.gp
#   -> plots/compare-contention.{svg,png}
# Reads compare-vars.gp (run labels), compare-scaling.gp (ops, sharings, the lines that have
# points) and compare-scaling.csv (panel,sharing,run,workers,ops_per_s).
load "palette.gp"
if (system("test -r compare-vars.gp && test -r compare-scaling.gp && test -r compare-scaling.csv && echo ok") ne "ok") {
	print "compare_scaling.gp: no compare-vars.gp / compare-scaling.gp / compare-scaling.csv in the current directory"
	exit status 1
}
load "compare-vars.gp"
load "compare-scaling.gp"
if (cs_nl == 0) { print "compare_scaling.gp: nothing to draw"; exit status 1 }
data = "compare-scaling.csv"
sel(p, h, r, col) = (column(1) == p && column(2) == h && column(3) == r) ? column(col) : NaN
ptype(k) = word("7 5 9 11 13 15 4 6", (k - 1) % 8 + 1) + 0
cols = cs_op_n < 3 ? cs_op_n : 3
rows = int((cs_op_n + cols - 1) / cols)
array H[cs_nl]
array R[cs_nl]

set datafile separator ","
set datafile columnheaders
set datafile missing "NaN"
set tics noenhanced
set key noenhanced outside top center horizontal maxrows 2 font ",8"
set grid
set xlabel "workers"
set ylabel "total ops/s"
set format y "%.1s%c"
set yrange [0:*]
set offsets 0.2, 0.2, 0, 0
set xtics 1

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 1350, 400 * rows + 60 fixed noenhanced font "Helvetica,11" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1350, 400 * rows + 60 noenhanced font "Helvetica,9" background "white" }
	set output "plots/compare-contention." . fmt
	set multiplot layout rows, cols title "Did what sharing costs concurrent workers change between the runs? (total ops/s; colour: sharing, dash and mark: run)\n"
	do for [p = 1:cs_op_n] {
		set title cs_op[p]
		nl = 0
		do for [j = 1:cs_nl] { if (cs_lpanel[j] == p) { nl = nl + 1; H[nl] = cs_lsharing[j]; R[nl] = cs_lrun[j] } }
		# the key: a colour per sharing, a dash and mark per run (not one entry per line)
		plot for [k = 1:nl] data using 4:(sel(p, H[k], R[k], 5)) with linespoints lw 1.5 \
			dt R[k] pt ptype(R[k]) lc rgb scolour(cs_sharing[H[k]]) notitle, \
		     for [h = 1:cs_sharing_n] NaN with lines lw 2 lc rgb scolour(cs_sharing[h]) title cs_sharing[h], \
		     for [r = 1:cmp_nruns] NaN with linespoints lw 1.5 dt r pt ptype(r) lc rgb "black" title cmp_label[r]
	}
	unset multiplot
	unset output
}
