# trash-stream over time under each collector (the sweep's timeline files,
# sampled every 10 ms in the instrumented pass): garbage waiting and RSS.
# Rendered by hand: cd results/gc-field && gnuplot timeline.gp
set terminal pngcairo size 1100,800 font ',10'
set output 'timeline-trash-stream.png'
set datafile separator ','
set key autotitle columnhead top left
set multiplot layout 2,1 title 'trash-stream at scale 1: garbage waiting and resident set over time'
set grid
set ylabel 'objects unreachable, not yet freed'
plot for [c in 'generational incremental incremental-3.14 gen-inc'] 'timeline-trash-stream-libc-'.c.'.csv' \
     using 1:4 with lines lw 1.5 title c
set xlabel 'seconds since the workload started'
set ylabel 'RSS, MiB'
plot for [c in 'generational incremental incremental-3.14 gen-inc'] 'timeline-trash-stream-libc-'.c.'.csv' \
     using 1:($2/1024) with lines lw 1.5 title c
unset multiplot
