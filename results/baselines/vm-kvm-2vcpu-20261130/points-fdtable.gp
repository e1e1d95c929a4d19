# written by spawnscope run fdtable: the series in points-fdtable.csv
fd_labels = 'fork-exec[inherit] vfork[inherit] posix-spawn[inherit] clone[inherit] clone3-pidfd[inherit] efork[blank] efork-blank[blank] clone[files] fork-exec[closefrom] posix-spawn[closefrom] fork-exec[cloexec] vfork[cloexec] posix-spawn[cloexec] clone[cloexec] clone3-pidfd[cloexec]'
fd_n_points = 75
fd_lo = 0.666667
fd_hi = 29895
