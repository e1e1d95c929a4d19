# Where a spawn's time goes inside the kernel: stacked medians of the probe phases per
# backend, one panel per parent RSS (e.g. 0 and 1 GiB: fork's time moves into
# kernel_create, most of it under the parent's mmap_lock while dup_mmap copies page tables).
#
#   cd RUNDIR && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/phases.gp   (spawnscope report does this)
#
# Reads phases.csv (written by `spawnscope report`; fixed relative names, no path reaches a shell):
#   backend,parent_rss,<one column per probe phase, probes/phases.h>
# medians in ns, parent_rss in bytes, an empty field where a phase does not apply (e.g. no
# mmap_lock_hold for a CLONE_VM child). Columns are found by their names in the header, never
# by position. Writes plots/phases.svg and phases.png.
#
# The stack follows the child's timeline (the phases named in `timeline`, which tile it from
# the parent's syscall entry to the end of exec): kernel_create (split into the mmap_lock
# write hold and the rest), wakeup, first_run_delay, exec. Every other phase column of the
# header (parent_blocked, which spans the parent's whole syscall, and any phase added to
# probes/phases.h since) overlaps them, so it is drawn as a marker, not stacked.

csv = "phases.csv"
if (system("test -r phases.csv && echo 1 || echo 0") + 0 == 0) {
	print "phases.gp: cannot read phases.csv in the current directory"
	exit status 2
}

# The header's names, space-separated; col(name) is a name's column number, 0 when absent.
header = system("head -n 1 phases.csv | tr -d '\\r' | tr ',' ' '")
H = " " . header . " "
col(name) = strstrt(H, " " . name . " ") ? words(substr(H, 1, strstrt(H, " " . name . " "))) + 1 : 0
if (col("backend") == 0 || col("parent_rss") == 0) {
	print "phases.gp: phases.csv has no backend or parent_rss column"
	exit status 2
}
timeline = "kernel_create wakeup first_run_delay exec"
timeline_colors = "#ef8a62 #fddbc7 #67a9cf #2166ac"
lock_hold = "mmap_lock_hold" # the part of kernel_create under the parent's mmap_lock
# every other phase column: a marker each
markers = ""
do for [k = 3:words(header)] {
	name = word(header, k)
	if (!strstrt(" " . timeline . " " . lock_hold . " ", " " . name . " ")) {
		markers = markers . name . " "
	}
}
marker_colors = "black #1b7837 #762a83 #e08214 #542788 #01665e"
marker_color(k) = word(marker_colors, (k - 1) % words(marker_colors) + 1)

# The parent_rss values, in file order, without repeats.
rss_list = system(sprintf("awk -F, 'NR > 1 && !seen[$%d]++ { printf \"%%s \", $%d }' phases.csv", \
			  col("parent_rss"), col("parent_rss")))
n_panels = words(rss_list)
if (n_panels == 0) {
	print sprintf("phases.gp: %s has no rows", csv)
	exit status 2
}
# r is printed as a number: no text of the CSV reaches the command
rows(r) = sprintf("< awk -F, -v r=%.0f 'NR > 1 && $%d == r' phases.csv", r + 0.0, col("parent_rss"))
human(b) = b >= 2**30 ? sprintf("%g GiB", b / 2.0**30) : \
	   b >= 2**20 ? sprintf("%g MiB", b / 2.0**20) : \
	   b >= 2**10 ? sprintf("%g KiB", b / 2.0**10) : sprintf("%g B", b)
# µs from a median in ns, by column number (0: the CSV lacks the phase); a missing phase
# stacks as 0.
has(c) = c > 0 ? valid(c) : 0
us(c) = has(c) ? column(c) / 1000.0 : 0
us_or_nan(c) = has(c) ? column(c) / 1000.0 : NaN
create_rest_us(c, lock) = has(c) ? (column(c) - (has(lock) ? column(lock) : 0)) / 1000.0 : 0

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
		plot rows(rss) using (us(col(lock_hold))):xtic(stringcolumn(col("backend"))) \
			title "kernel_create: mmap_lock write hold" lc rgb "#b2182b", \
		     '' using (create_rest_us(col("kernel_create"), col(lock_hold))) \
			title "kernel_create: rest" lc rgb word(timeline_colors, 1), \
		     for [k = 2:words(timeline)] '' using (us(col(word(timeline, k)))) \
			title word(timeline, k) lc rgb word(timeline_colors, k), \
		     for [k = 1:words(markers)] '' using ($0):(us_or_nan(col(word(markers, k)))) \
			with points pt 7 ps 1.2 lc rgb marker_color(k) \
			title word(markers, k) . " (not stacked)"
	}
	unset multiplot
	set output
}
