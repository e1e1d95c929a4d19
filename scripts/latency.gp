# spawnscope latency plot: ECDF of t_first per backend (log x), box plots of the three metrics.
# Usage: gnuplot -e "dir='RUNDIR'" scripts/latency.gp  -> RUNDIR/plots/latency.{svg,png}
# Reads RUNDIR/samples/latency-*.csv (columns: i,block,pos_in_block,cpu_parent,cpu_child,pid,err,t_return_ns,t_first_ns,t_reaped_ns,...).
if (!exists("dir")) { print "usage: gnuplot -e \"dir='RUNDIR'\" latency.gp"; exit status 2 }

files = system(sprintf("ls %s/samples/latency-*.csv 2>/dev/null", dir))
n = words(files)
if (n == 0) { print sprintf("latency.gp: no samples/latency-*.csv in %s", dir); exit status 1 }
label(f) = (s = f[strstrt(f, "/latency-") + 9:*], s[1:strlen(s) - 4])

set datafile separator ","
set datafile missing ""

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 1100,1000 dynamic enhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1100,1000 enhanced font "Helvetica,10" background "white" }
	set output sprintf("%s/plots/latency.%s", dir, fmt)
	set multiplot layout 2,1 title "spawnscope: spawn latency (CLOCK\\_MONOTONIC from just before the spawn call)"

	# ECDF of t_first: where each backend's distribution sits, tails included
	set title "ECDF of t\\_first (child's first instruction in the new image)"
	set logscale x 10
	set xlabel "t\\_first (µs, log scale)"
	set ylabel "fraction of samples ≤ x"
	set yrange [0:1]
	set grid
	set key right bottom
	unset xtics
	set xtics auto
	plot for [i=1:n] word(files, i) skip 1 using ($9 / 1000.0):(1.0) smooth cnormal \
		with lines lw 2 title label(word(files, i))

	# box plots: t_return, t_first, t_reaped side by side per backend
	set title "t\\_return (left), t\\_first (middle), t\\_reaped (right) per backend; whiskers 1.5 IQR"
	unset logscale x
	set logscale y 10
	set xlabel ""
	set ylabel "µs (log scale)"
	set autoscale y
	set yrange [*:*]
	set xrange [0.4:n + 0.6]
	set style data boxplot
	set style boxplot outliers pointtype 7
	set pointsize 0.25
	set boxwidth 0.22
	set key top left
	set xtics () rotate by -20
	do for [i=1:n] { set xtics add (label(word(files, i)) i) }
	plot for [i=1:n] word(files, i) skip 1 using (i - 0.27):($8 / 1000.0) lc rgb "#1f77b4" \
		     title (i == 1 ? "t\\_return" : ""), \
	     for [i=1:n] word(files, i) skip 1 using (i):($9 / 1000.0) lc rgb "#d62728" \
		     title (i == 1 ? "t\\_first" : ""), \
	     for [i=1:n] word(files, i) skip 1 using (i + 0.27):($10 / 1000.0) lc rgb "#2ca02c" \
		     title (i == 1 ? "t\\_reaped" : "")
	unset multiplot
	unset logscale
	unset xtics
	set xtics auto
	set xrange [*:*]
	unset output
}
