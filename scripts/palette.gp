# The one colour table of spawnscope's plots: each backend keeps its colour in every plot of
# every run and comparison. Loaded by the other scripts with `load "palette.gp"` (spawnscope
# sets GNUPLOT_LIB to this directory). A variant ("fork-exec[closefrom]", "vfork[probes]")
# takes its backend's colour; a backend not listed here (a plug-in) is grey.
backend_of(s) = strstrt(s, "[") > 1 ? s[1:strstrt(s, "[") - 1] : s
bcolour(s) = (b = backend_of(s), \
	b eq "fork-exec"    ? "#1f77b4" : \
	b eq "vfork"        ? "#ff7f0e" : \
	b eq "posix-spawn"  ? "#2ca02c" : \
	b eq "clone"        ? "#d62728" : \
	b eq "clone3-pidfd" ? "#9467bd" : \
	b eq "efork"        ? "#8c564b" : \
	b eq "efork-blank"  ? "#e377c2" : "#7f7f7f")
# metrics, where one panel draws the three of them
mcolour(m) = m eq "t_return" ? "#4d4d4d" : m eq "t_first" ? "#b2182b" : "#2166ac"
# sharing configurations of the contention experiment (not backends: a colour family of
# their own, so that none is mistaken for a backend)
scolour(s) = s eq "threads" ? "#332288" : s eq "files" ? "#cc6677" : s eq "vm" ? "#117733" : \
	s eq "processes" ? "#ddcc77" : "#555555"
# memory kinds of the pagetable experiment (their own family too)
kcolour(k) = k eq "anon" ? "#332288" : k eq "thp" ? "#88ccee" : k eq "untouched" ? "#44aa99" : \
	k eq "shared" ? "#999933" : k eq "file_ro" ? "#ddcc77" : k eq "dontfork" ? "#cc6677" : \
	k eq "wipeonfork" ? "#aa4499" : "#555555"
# tick labels: long names (plug-ins) abbreviated, so that ticks never overlap
abbrev(s) = strlen(s) > 22 ? s[1:21] . "…" : s
