# spawnscope compare: each backend's spawn latency in every compared run, side by side.
# Usage (spawnscope compare does this): cd OUT && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/compare_latency.gp
#   -> plots/compare-latency.{svg,png}
# Reads compare-vars.gp (run labels, row names and backends, as gnuplot arrays) and
# compare-latency.csv (row,run,p50_us,lo_us,hi_us,p99_us; row and run index those arrays).
# Colour: the backend (palette.gp); point shape: the run.
load "palette.gp"
if (system("test -r compare-vars.gp && test -r compare-latency.csv && echo ok") ne "ok") {
	print "compare_latency.gp: no compare-vars.gp / compare-latency.csv in the current directory"
	exit status 1
}
load "compare-vars.gp"
if (cmp_nrows == 0) { print "compare_latency.gp: no latency rows"; exit status 1 }

data = "compare-latency.csv"
gap = cmp_nruns + 1
# x of one run's point inside its backend's group
xpos(r, k) = (r - 1) * gap + k
sel(r, k, col) = (column(1) == r && column(2) == k) ? column(col) : NaN
ptype(k) = word("7 5 9 11 13 15 4 6", (k - 1) % 8 + 1) + 0

set datafile separator ","
set datafile columnheaders
set tics noenhanced
set key noenhanced
set grid ytics
set xrange [0:cmp_nrows * gap]
set xtics () rotate by -30 font ",9" nomirror
do for [r = 1:cmp_nrows] { set xtics add (cmp_row[r] (r - 1) * gap + (cmp_nruns + 1) / 2.0) }
set key inside top left vertical box opaque font ",10"
set datafile missing "NaN"

do for [fmt in "svg png"] {
	w = 300 + 70 * cmp_nrows * cmp_nruns
	w = w < 900 ? 900 : w
	if (fmt eq "svg") { set terminal svg size w, 900 fixed noenhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size w, 900 noenhanced font "Helvetica,10" background "white" }
	set output "plots/compare-latency." . fmt
	set multiplot layout 2, 1 title "spawnscope compare: " . cmp_metric . " (the child's first instruction) per backend and run"

	set title sprintf("Did spawn latency change between the runs? Median per backend with its 95%% interval (bars), p99 (open marks)")
	set logscale y 10
	set ylabel sprintf("%s, µs (log scale)", cmp_metric)
	set format y "%g"
	plot for [j = 1:cmp_pn] data using (xpos(cmp_pr[j], cmp_pk[j])):(sel(cmp_pr[j], cmp_pk[j], 3)): \
		(sel(cmp_pr[j], cmp_pk[j], 4)):(sel(cmp_pr[j], cmp_pk[j], 5)) with yerrorbars \
		pt ptype(cmp_pk[j]) ps 1.3 lw 1.5 lc rgb bcolour(cmp_backend[cmp_pr[j]]) notitle, \
	     for [j = 1:cmp_pn] data using (xpos(cmp_pr[j], cmp_pk[j])):(sel(cmp_pr[j], cmp_pk[j], 6)) \
		with points pt 6 ps 0.8 lc rgb bcolour(cmp_backend[cmp_pr[j]]) notitle, \
	     for [k = 1:cmp_nruns] NaN with points pt ptype(k) ps 1.3 lc rgb "black" title cmp_label[k]

	set title sprintf("How much did each backend change against '%s'? Shift of the per-block medians, 95%% interval (unpaired)", cmp_label[1])
	unset logscale y
	set ylabel "change, % (0 = the same)"
	set format y "%+g"
	set yrange [*:*]
	set offsets 0, 0, 2, 2
	if (cmp_cn == 0) {
		set label 1 "no change could be computed (no per-block summaries in common)" at graph 0.5, graph 0.5 center
		plot [0:1][-1:1] 0 with lines lc rgb "#888888" dt 2 notitle
		unset label 1
	} else {
	plot 0 with lines lc rgb "#888888" dt 2 notitle, \
	     for [j = 1:cmp_cn] data using (xpos(cmp_cr[j], cmp_ck[j])):(sel(cmp_cr[j], cmp_ck[j], 7)): \
		(sel(cmp_cr[j], cmp_ck[j], 8)):(sel(cmp_cr[j], cmp_ck[j], 9)) with yerrorbars \
		pt ptype(cmp_ck[j]) ps 1.3 lw 1.5 lc rgb bcolour(cmp_backend[cmp_cr[j]]) notitle, \
	     for [k = 2:cmp_nruns] NaN with points pt ptype(k) ps 1.3 lc rgb "black" title cmp_label[k]
	}
	unset multiplot
	unset output
	set offsets 0, 0, 0, 0
}
