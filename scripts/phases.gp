# Where a spawn's time goes inside the kernel: stacked medians of the probe phases per
# backend, one panel per parent RSS (e.g. 0 and 1 GiB: fork's time moves into
# kernel_create, most of it under the parent's mmap_lock while dup_mmap copies page tables).
#
#   cd RUNDIR && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/phases.gp   (spawnscope report does this)
#
# Reads phases.csv (written by `spawnscope report`; fixed relative names, no path reaches a shell):
#   backend,parent_rss,kernel_create,wakeup,first_run_delay,exec,parent_blocked,mmap_lock_hold
# medians in ns, parent_rss in bytes, an empty field where a phase does not apply (e.g. no
# mmap_lock_hold for a CLONE_VM child). Writes plots/phases.svg and phases.png.
#
# The stack follows the child's timeline: kernel_create (split into the mmap_lock write hold
# and the rest), wakeup, first_run_delay, exec. parent_blocked overlaps them (it spans the
# parent's whole syscall), so it is drawn as a marker, not stacked.

csv = "phases.csv"
if (system("test -r phases.csv && echo 1 || echo 0") + 0 == 0) {
	print "phases.gp: cannot read phases.csv in the current directory"
	exit status 2
}

# The parent_rss values, in file order, without repeats.
rss_list = system("awk -F, 'NR > 1 && !seen[$2]++ { printf \"%s \", $2 }' '" . csv . "'")
n_panels = words(rss_list)
if (n_panels == 0) {
	print sprintf("phases.gp: %s has no rows", csv)
	exit status 2
}
# r is printed as a number: no text of the CSV reaches the command
rows(r) = sprintf("< awk -F, -v r=%.0f 'NR > 1 && $2 == r' phases.csv", r + 0.0)
human(b) = b >= 2**30 ? sprintf("%g GiB", b / 2.0**30) : \
	   b >= 2**20 ? sprintf("%g MiB", b / 2.0**20) : \
	   b >= 2**10 ? sprintf("%g KiB", b / 2.0**10) : sprintf("%g B", b)
# µs from a median in ns; a missing phase stacks as 0.
us(c) = valid(c) ? column(c) / 1000.0 : 0
us_or_nan(c) = valid(c) ? column(c) / 1000.0 : NaN
lock_us = 'us(8)'
create_rest_us = '(valid(3) ? (column(3) - (valid(8) ? column(8) : 0)) / 1000.0 : 0)'

set datafile separator ","
set style data histogram
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set grid ytics
set ylabel "median, µs"
set yrange [0:*]
set xtics rotate by -30 nomirror
set key below left Left reverse noenhanced maxrows 3 width -2
set tics noenhanced

do for [fmt in "svg png"] {
	if (fmt eq "svg") {
		set terminal svg size (420 * n_panels + 100), 600 fixed font "sans,11" background "white"
	} else {
		set terminal pngcairo size (420 * n_panels + 100), 600 font "sans,10" background "white"
	}
	set output "plots/phases." . fmt
	set multiplot layout 1, n_panels title "Where does the time of a spawn go inside the kernel? (probe medians)"
	do for [i = 1:n_panels] {
		rss = word(rss_list, i)
		set title sprintf("parent RSS %s", human(rss + 0.0))
		plot rows(rss) using (@lock_us):xtic(1) title "kernel_create: mmap_lock write hold" lc rgb "#b2182b", \
		     '' using (@create_rest_us) title "kernel_create: rest" lc rgb "#ef8a62", \
		     '' using (us(4)) title "wakeup" lc rgb "#fddbc7", \
		     '' using (us(5)) title "first_run_delay" lc rgb "#67a9cf", \
		     '' using (us(6)) title "exec" lc rgb "#2166ac", \
		     '' using ($0):(us_or_nan(7)) with points pt 7 ps 1.2 lc rgb "black" title "parent_blocked (not stacked)"
	}
	unset multiplot
	set output
}
