# spawnscope latency plot: how long until the child runs, per backend. One row of panels per
# parent RSS: the ECDF of t_first for the plain arms (log x), the same for the probed twins
# (their own panel: the probes' cost is not a backend's), and box plots of the three metrics.
# Usage (spawnscope report does this): cd RUNDIR && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/latency.gp
#   -> plots/latency.{svg,png}
# Reads latency-series.gp (arrays lat_file, lat_backend, lat_twin, lat_rss, written from
# run.json; lat_has_pos: the CSVs have pos_in_block) and the samples CSVs it names, columns
# read by name (t_return_ns, t_first_ns, t_reaped_ns; pos_in_block 0, the first sample after
# an arm switch, is left out as the statistics leave it out).
load "palette.gp"
if (system("test -r latency-series.gp && echo ok") ne "ok") {
	print "latency.gp: no latency-series.gp in the current directory (run spawnscope report DIR)"
	exit status 1
}
load "latency-series.gp"
if (lat_n == 0) { print "latency.gp: latency-series.gp lists no samples"; exit status 1 }

# the distinct parent sizes (bytes), in the order of the series, and whether twins exist
rss_list = ""
has_twin = 0
do for [i = 1:lat_n] {
	if (strstrt(" " . rss_list, sprintf(" %.0f ", lat_rss[i])) == 0) { rss_list = rss_list . sprintf("%.0f ", lat_rss[i]) }
	if (lat_twin[i]) { has_twin = 1 }
}
nrss = words(rss_list)
human(b) = b >= 2**30 ? sprintf("%g GiB", b / 2.0**30) : b >= 2**20 ? sprintf("%g MiB", b / 2.0**20) : \
	   b >= 2**10 ? sprintf("%g KiB", b / 2.0**10) : sprintf("%g B", b)
in_panel(i, r, twin) = (sprintf("%.0f", lat_rss[i]) eq word(rss_list, r) && lat_twin[i] == twin)
array pos[lat_n]
cols = has_twin ? 3 : 2

set datafile separator ","
set datafile missing ""
set datafile columnheaders
# a sample the statistics do not count: NaN in the box plots, weight 0 in the ECDFs (a NaN
# would split smooth cnormal's curve)
counted(dummy) = !lat_has_pos || column("pos_in_block") != 0
us(name) = counted(0) ? column(name) / 1000.0 : NaN
weight(dummy) = counted(0) ? 1.0 : 0.0
set tics noenhanced
set key noenhanced

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 520 * cols, 430 * nrss + 40 fixed noenhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 520 * cols, 430 * nrss + 40 noenhanced font "Helvetica,10" background "white" }
	set output "plots/latency." . fmt
	set multiplot layout nrss, cols title "How long until the child runs? Spawn latency per backend (CLOCK_MONOTONIC from just before the spawn call)"
	do for [r = 1:nrss] {
		rsz = human(word(rss_list, r) + 0.0)
		# the series of this row (indexes into the arrays), plain and twins; plain arms
		# are numbered 1..k in series order: their box-plot x positions
		plain = ""
		twins = ""
		k = 0
		do for [i = 1:lat_n] {
			if (in_panel(i, r, 0)) { k = k + 1; pos[i] = k; plain = plain . sprintf("%d ", i) } else { pos[i] = 0 }
			if (in_panel(i, r, 1)) { twins = twins . sprintf("%d ", i) }
		}

		set title sprintf("parent RSS %s: ECDF of t_first (child's first instruction)", rsz)
		set logscale x 10
		unset logscale y
		set xlabel "t_first, µs (log scale)"
		set ylabel "fraction of samples ≤ x"
		set xrange [*:*]
		set yrange [0:1]
		set xtics auto norotate
		set grid
		set key right bottom font ",9"
		plot for [w in plain] lat_file[w + 0] using (column("t_first_ns") / 1000.0):(weight(0)) smooth cnormal \
			with lines lw 2 lc rgb bcolour(lat_backend[w + 0]) title lat_backend[w + 0]

		if (has_twin) {
			set title sprintf("parent RSS %s: the same with the probes attached ([probes] twins)", rsz)
			plot for [w in twins] lat_file[w + 0] using (column("t_first_ns") / 1000.0):(weight(0)) smooth cnormal \
				with lines lw 2 dt 2 lc rgb bcolour(lat_backend[w + 0]) title lat_backend[w + 0] . " [probes]"
		}

		set title sprintf("parent RSS %s: the three metrics (whiskers 1.5 IQR)", rsz)
		unset logscale x
		set logscale y 10
		set xlabel ""
		set ylabel "µs (log scale)"
		set yrange [*:*]
		set xrange [0.4:k + 0.6]
		set style data boxplot
		set style boxplot outliers pointtype 7
		set pointsize 0.25
		set boxwidth 0.22
		set key top left font ",9"
		set xtics () rotate by -30 font ",9"
		do for [w in plain] { set xtics add (abbrev(lat_backend[w + 0]) pos[w + 0]) }
		first = word(plain, 1) + 0
		plot for [w in plain] lat_file[w + 0] using (pos[w + 0] - 0.27):(us("t_return_ns")) \
			lc rgb mcolour("t_return") title (w + 0 == first ? "t_return" : ""), \
		     for [w in plain] lat_file[w + 0] using (pos[w + 0]):(us("t_first_ns")) \
			lc rgb mcolour("t_first") title (w + 0 == first ? "t_first" : ""), \
		     for [w in plain] lat_file[w + 0] using (pos[w + 0] + 0.27):(us("t_reaped_ns")) \
			lc rgb mcolour("t_reaped") title (w + 0 == first ? "t_reaped" : "")
		unset style data
		set style data lines
		set xtics auto norotate font ""
	}
	unset multiplot
	unset output
}
