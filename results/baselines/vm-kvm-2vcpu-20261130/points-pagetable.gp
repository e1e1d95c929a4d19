# written by spawnscope run pagetable: the series in points-pagetable.csv
pt_backends = 'fork-exec vfork posix-spawn clone clone3-pidfd efork efork-blank'
pt_kinds = 'anon thp untouched shared file_ro dontfork wipeonfork'
pt_ref = 'fork-exec'
pt_main_kind = 'anon'
pt_n_main = 35
pt_n_postfork = 9
pt_n_kinds = 35
pt_n_vmas = 35
pt_mib_lo = 0.666667
pt_mib_hi = 6144
pt_vma_lo = 0.666667
pt_vma_hi = 97429.5
