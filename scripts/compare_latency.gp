# spawnscope compare: each backend's spawn latency in every compared run, side by side.
# Usage (spawnscope compare does this): cd OUT && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/compare_latency.gp
#   -> plots/compare-latency.{svg,png}
# Reads compare-vars.gp (run labels, row names, backends and panels, as gnuplot arrays) and
# compare-latency.csv (row,run,p50_us,lo_us,hi_us,p99_us,chg_pct,chg_lo,chg_hi; row and run
# index those arrays). One column of panels per setting (parent size, mode): top, the
# medians per run; bottom, the change against the first run. Colour: the backend
# (palette.gp); point shape: the run.
load "palette.gp"
if (system("test -r compare-vars.gp && test -r compare-latency.csv && echo ok") ne "ok") {
	print "compare_latency.gp: no compare-vars.gp / compare-latency.csv in the current directory"
	exit status 1
}
load "compare-vars.gp"
if (cmp_nrows == 0) { print "compare_latency.gp: no latency rows"; exit status 1 }

data = "compare-latency.csv"
gap = cmp_nruns + 1
# x of run k's point inside row r's group, in its panel
xpos(r, k) = (cmp_row_local[r] - 1) * gap + k
sel(r, k, col) = (column(1) == r && column(2) == k) ? column(col) : NaN
ptype(k) = word("7 5 9 11 13 15 4 6", (k - 1) % 8 + 1) + 0
# the points of one panel: indexes into cmp_pr/cmp_pk (or cmp_cr/cmp_ck), numbers in L
array L[cmp_pn > cmp_cn ? (cmp_pn > 0 ? cmp_pn : 1) : (cmp_cn > 0 ? cmp_cn : 1)]
# a % change as the ratio it is, and tick labels in % on the ratio axis
ratio(pct) = 1 + pct / 100.0
# ticks for the span of the changes (cmp_chg_lo..cmp_chg_hi): fine when they are all within
# a factor of 2, coarse otherwise, so that labels never crowd
fine = cmp_chg_hi / cmp_chg_lo < 2.0
ratio_tics = fine ? "0.5 0.67 0.8 0.9 0.95 1 1.05 1.1 1.25 1.5 2" : "0.01 0.1 0.25 0.5 1 2 4 10 100"
ratio_names = fine ? "-50%% -33%% -20%% -10%% -5%% 0 +5%% +10%% +25%% +50%% +100%%" : \
	"-99%% -90%% -75%% -50%% 0 +100%% +300%% +900%% +9900%%"
# (%% in a tic label: gnuplot reads tic labels as formats)
maxrows = 0
do for [p = 1:cmp_npanels] { maxrows = cmp_panel_rows[p] > maxrows ? cmp_panel_rows[p] : maxrows }

set datafile separator ","
set datafile columnheaders
set datafile missing "NaN"
set tics noenhanced
set key noenhanced inside top left vertical box opaque font ",10"
set grid ytics

do for [fmt in "svg png"] {
	w = 220 + 60 * maxrows * cmp_nruns * cmp_npanels
	w = w < 900 ? 900 : w
	if (fmt eq "svg") { set terminal svg size w, 900 fixed noenhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size w, 900 noenhanced font "Helvetica,10" background "white" }
	set output "plots/compare-latency." . fmt
	set multiplot layout 2, cmp_npanels title "Did spawn latency change between the runs? " . cmp_metric . " (the child's first instruction) per backend and run"
	do for [half = 1:2] {
		do for [p = 1:cmp_npanels] {
			set xrange [0:cmp_panel_rows[p] * gap]
			set xtics () rotate by -30 font ",9" nomirror
			do for [r = 1:cmp_nrows] {
				if (cmp_row_panel[r] == p) { set xtics add (abbrev(cmp_backend[r]) (cmp_row_local[r] - 1) * gap + (cmp_nruns + 1) / 2.0) }
			}
			n = 0
			if (half == 1) {
				do for [j = 1:cmp_pn] { if (cmp_row_panel[cmp_pr[j]] == p) { n = n + 1; L[n] = j } }
				set title sprintf("%s: median with its 95%% interval (bars), p99 (open marks)", cmp_panel[p])
				set logscale y 10
				set ylabel sprintf("%s, µs (log scale)", cmp_metric)
				set ytics auto font ""
				set format y "%g"
				set yrange [*:*]
				set offsets 0, 0, 0, 0
				plot for [i = 1:n] data using (xpos(cmp_pr[L[i]], cmp_pk[L[i]])):(sel(cmp_pr[L[i]], cmp_pk[L[i]], 3)): \
					(sel(cmp_pr[L[i]], cmp_pk[L[i]], 4)):(sel(cmp_pr[L[i]], cmp_pk[L[i]], 5)) with yerrorbars \
					pt ptype(cmp_pk[L[i]]) ps 1.3 lw 1.5 lc rgb bcolour(cmp_backend[cmp_pr[L[i]]]) notitle, \
				     for [i = 1:n] data using (xpos(cmp_pr[L[i]], cmp_pk[L[i]])):(sel(cmp_pr[L[i]], cmp_pk[L[i]], 6)) \
					with points pt 6 ps 0.8 lc rgb bcolour(cmp_backend[cmp_pr[L[i]]]) notitle, \
				     for [k = 1:cmp_nruns] NaN with points pt ptype(k) ps 1.3 lc rgb "black" title cmp_label[k]
			} else {
				do for [j = 1:cmp_cn] { if (cmp_row_panel[cmp_cr[j]] == p) { n = n + 1; L[n] = j } }
				set title sprintf("%s: change against '%s' (shift of the block medians, 95%% interval, unpaired)", cmp_panel[p], cmp_label[1])
				# a change is a ratio (the shift is of log block medians): a log axis keeps
				# -50 % and +100 % equally far from 0, and one wide interval from
				# flattening the others
				set logscale y 10
				set ylabel "change (log scale; 0 = the same)"
				set ytics () font ",9"
				do for [t = 1:words(ratio_tics)] { set ytics add (word(ratio_names, t) word(ratio_tics, t) + 0.0) }
				set yrange [cmp_chg_lo / 1.05:cmp_chg_hi * 1.05]
				set offsets 0, 0, 0, 0
				if (n == 0) {
					set label 1 "no change to compute here: not in two runs, or no per-block summaries" at graph 0.5, graph 0.5 center
					unset xtics
					unset ytics
					unset key
					unset ylabel
					set offsets 0, 0, 0, 0
					plot [0:1][-1:1] NaN notitle
					unset label 1
					set ytics
					set key noenhanced inside top left vertical box opaque font ",10"
				} else {
					plot 1 with lines lc rgb "#888888" dt 2 notitle, \
					     for [i = 1:n] data using (xpos(cmp_cr[L[i]], cmp_ck[L[i]])):(ratio(sel(cmp_cr[L[i]], cmp_ck[L[i]], 7))): \
						(ratio(sel(cmp_cr[L[i]], cmp_ck[L[i]], 8))):(ratio(sel(cmp_cr[L[i]], cmp_ck[L[i]], 9))) with yerrorbars \
						pt ptype(cmp_ck[L[i]]) ps 1.3 lw 1.5 lc rgb bcolour(cmp_backend[cmp_cr[L[i]]]) notitle, \
					     for [k = 2:cmp_nruns] NaN with points pt ptype(k) ps 1.3 lc rgb "black" title cmp_label[k]
				}
			}
		}
	}
	unset multiplot
	unset output
	set offsets 0, 0, 0, 0
}
