# spawnscope pagetable plot: spawn cost against the parent's memory (log-log, one line per
# backend, p10-p90 error bars, the least-squares fit dashed), the post-fork copy-on-write cost
# beside the fork cost, every memory kind for the reference backend, and the VMA axis.
# Usage (spawnscope report does this): cd RUNDIR && GNUPLOT_LIB=SCRIPTS gnuplot SCRIPTS/pagetable.gp
#   -> plots/pagetable.{svg,png}. File names are fixed and relative: no path reaches a shell.
# Reads points-pagetable.csv and points-pagetable.gp (both written by
# `spawnscope run pagetable`).
load "palette.gp"
data = 'points-pagetable.csv'
vars = 'points-pagetable.gp'
if (system("test -r points-pagetable.csv && test -r points-pagetable.gp && echo ok") ne "ok") {
	print "pagetable.gp: no points-pagetable.csv / points-pagetable.gp in the current directory"
	exit status 1
}
load vars

# columns of points-pagetable.csv
c_axis = 1; c_kind = 2; c_backend = 3; c_mib = 5; c_vmas = 6
c_ret = 8; c_reaped = 14; c_pfork = 17; c_pexit = 20
c_fit_ret = 26; c_fit_reaped = 27; c_fit_pfork = 28

set datafile separator ","
set datafile missing "NaN"
set datafile columnheaders

# the kind drawn in the backend panels (anon when it was measured), from the variables file
main_kind = pt_main_kind
nb = words(pt_backends)
nk = words(pt_kinds)
# a value of the series (axis, kind, backend), µs, or NaN (also for x <= 0: log axes)
pick(axis, kind, b, x, col) = (strcol(c_axis) eq axis && (kind eq "" || strcol(c_kind) eq kind) \
	&& strcol(c_backend) eq b && column(x) > 0 && column(col) > 0) ? column(col) / 1000.0 : NaN
xof(x) = column(x) > 0 ? column(x) : NaN
# post-fork fit values per memory kind ("anon 3 thp 0 ", column 28 = c_fit_pfork), from a fixed command on the fixed
# file name: a kind without them gets no fit line (gnuplot warns about an empty series)
pfits = system("awk -F, 'NR > 1 && $1 == \"size\" && $3 == \"postfork\" { n[$2] += ($28 != \"NaN\" && $28 != \"\") } END { for (k in n) printf \"%s %d \", k, n[k] }' points-pagetable.csv")
pfit_n(kind) = (i = 0, sum [w = 1:words(pfits)] ((w % 2 == 1 && word(pfits, w) eq kind) ? (i = word(pfits, w + 1) + 0, 0) : 0), i)
# a panel with nothing to draw on log axes (gnuplot would stop the script): say so instead
empty(what) = sprintf("set label 1 \"no %s in this run\" at graph 0.5, graph 0.5 center; unset logscale xy; set xrange [0:1]; plot [0:1][0:1] 2 notitle; unset label 1; set logscale xy 10; set xrange [pt_mib_lo:pt_mib_hi]", what)

do for [fmt in "svg png"] {
	if (fmt eq "svg") { set terminal svg size 1400,1000 fixed noenhanced font "Helvetica,12" background "white" }
	if (fmt eq "png") { set terminal pngcairo size 1400,1000 noenhanced font "Helvetica,10" background "white" }
	set output "plots/pagetable." . fmt
	set multiplot layout 2,2 title "What do the parent's memory and mappings cost each backend? (p50, bars p10–p90, fit dashed)"
	set logscale xy 10
	set grid
	set key top left font ",9"
	set pointsize 0.7

	set xrange [pt_mib_lo:pt_mib_hi]
	set title sprintf("%s memory: spawn to reaped (t_reaped)", main_kind)
	set xlabel "parent memory (MiB, log)"
	set ylabel "µs (log)"
	if (pt_n_main == 0) { eval empty("sizes above 0") } else {
	plot for [i=1:nb] data using (xof(c_mib)):(pick("size", main_kind, word(pt_backends, i), c_mib, c_reaped + 1)): \
		(pick("size", main_kind, word(pt_backends, i), c_mib, c_reaped)): \
		(pick("size", main_kind, word(pt_backends, i), c_mib, c_reaped + 2)) \
		with yerrorlines lc rgb bcolour(word(pt_backends, i)) lw 1.5 title word(pt_backends, i) noenhanced, \
	     for [i=1:nb] data using (xof(c_mib)):(pick("size", main_kind, word(pt_backends, i), c_mib, c_fit_reaped)) \
		with lines lc rgb bcolour(word(pt_backends, i)) dt 2 notitle
	}

	set title sprintf("%s memory: post-fork write cost beside %s's fork cost", main_kind, pt_ref)
	set ylabel "µs (log)"
	if (pt_n_postfork == 0) { eval empty("post-fork points") } else {
	if (pfit_n(main_kind) > 0) {
	plot data using (xof(c_mib)):(pick("size", main_kind, pt_ref, c_mib, c_ret + 1)): \
		(pick("size", main_kind, pt_ref, c_mib, c_ret)):(pick("size", main_kind, pt_ref, c_mib, c_ret + 2)) \
		with yerrorlines lc rgb mcolour("t_return") lw 1.5 title sprintf("%s t_return (the fork call)", pt_ref), \
	     data using (xof(c_mib)):(pick("size", main_kind, pt_ref, c_mib, c_reaped + 1)): \
		(pick("size", main_kind, pt_ref, c_mib, c_reaped)):(pick("size", main_kind, pt_ref, c_mib, c_reaped + 2)) \
		with yerrorlines lc rgb bcolour(pt_ref) lw 1.5 title sprintf("%s t_reaped", pt_ref), \
	     data using (xof(c_mib)):(pick("size", main_kind, "postfork", c_mib, c_pfork + 1)): \
		(pick("size", main_kind, "postfork", c_mib, c_pfork)):(pick("size", main_kind, "postfork", c_mib, c_pfork + 2)) \
		with yerrorlines lc rgb "black" lw 1.5 title "parent writes every page, fork child alive (COW), minus no child", \
	     data using (xof(c_mib)):(pick("size", main_kind, "postfork", c_mib, c_fit_pfork)) \
		with lines lc rgb "black" dt 2 notitle, \
	     data using (xof(c_mib)):(pick("size", main_kind, "postfork", c_mib, c_pexit + 1)): \
		(pick("size", main_kind, "postfork", c_mib, c_pexit)):(pick("size", main_kind, "postfork", c_mib, c_pexit + 2)) \
		with yerrorlines lc rgb "black" dt 3 lw 1.5 title "the same after the fork child exited (write-protect faults)"
	} else {
	# no fit of the post-fork cost (too few sizes): the same without its line
	plot data using (xof(c_mib)):(pick("size", main_kind, pt_ref, c_mib, c_ret + 1)): \
		(pick("size", main_kind, pt_ref, c_mib, c_ret)):(pick("size", main_kind, pt_ref, c_mib, c_ret + 2)) \
		with yerrorlines lc rgb mcolour("t_return") lw 1.5 title sprintf("%s t_return (the fork call)", pt_ref), \
	     data using (xof(c_mib)):(pick("size", main_kind, pt_ref, c_mib, c_reaped + 1)): \
		(pick("size", main_kind, pt_ref, c_mib, c_reaped)):(pick("size", main_kind, pt_ref, c_mib, c_reaped + 2)) \
		with yerrorlines lc rgb bcolour(pt_ref) lw 1.5 title sprintf("%s t_reaped", pt_ref), \
	     data using (xof(c_mib)):(pick("size", main_kind, "postfork", c_mib, c_pfork + 1)): \
		(pick("size", main_kind, "postfork", c_mib, c_pfork)):(pick("size", main_kind, "postfork", c_mib, c_pfork + 2)) \
		with yerrorlines lc rgb "black" lw 1.5 title "parent writes every page, fork child alive (COW), minus no child", \
	     data using (xof(c_mib)):(pick("size", main_kind, "postfork", c_mib, c_pexit + 1)): \
		(pick("size", main_kind, "postfork", c_mib, c_pexit)):(pick("size", main_kind, "postfork", c_mib, c_pexit + 2)) \
		with yerrorlines lc rgb "black" dt 3 lw 1.5 title "the same after the fork child exited (write-protect faults)"
	}
	}

	set title sprintf("every memory kind: %s t_reaped", pt_ref)
	set ylabel "µs (log)"
	if (pt_n_kinds == 0) { eval empty("sizes above 0") } else {
	plot for [i=1:nk] data using (xof(c_mib)):(pick("size", word(pt_kinds, i), pt_ref, c_mib, c_reaped + 1)): \
		(pick("size", word(pt_kinds, i), pt_ref, c_mib, c_reaped)): \
		(pick("size", word(pt_kinds, i), pt_ref, c_mib, c_reaped + 2)) \
		with yerrorlines lc rgb kcolour(word(pt_kinds, i)) lw 1.5 title word(pt_kinds, i) noenhanced
	}

	set title "mappings: the same memory split into more VMAs (t_reaped)"
	set xlabel "VMAs (log)"
	set xrange [pt_vma_lo:pt_vma_hi]
	if (pt_n_vmas > 0) {
		plot for [i=1:nb] data using (xof(c_vmas)):(pick("vmas", "", word(pt_backends, i), c_vmas, c_reaped + 1)): \
			(pick("vmas", "", word(pt_backends, i), c_vmas, c_reaped)): \
			(pick("vmas", "", word(pt_backends, i), c_vmas, c_reaped + 2)) \
			with yerrorlines lc rgb bcolour(word(pt_backends, i)) lw 1.5 title word(pt_backends, i) noenhanced, \
		     for [i=1:nb] data using (xof(c_vmas)):(pick("vmas", "", word(pt_backends, i), c_vmas, c_fit_reaped)) \
			with lines lc rgb bcolour(word(pt_backends, i)) dt 2 notitle
	} else {
		eval empty("VMA axis")
	}
	unset multiplot
	unset output
}
