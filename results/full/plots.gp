# heapbench plots of /tmp/full-new/results.csv; run `gnuplot plots.gp` in this directory to redraw.
set datafile missing 'NaN'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set grid ytics
set xtics rotate by -40 left noenhanced
set key noenhanced
set terminal pngcairo size 9701,760 font ',10'
set output 'time.png'
set logscale y 2
set ylabel 'median wall time relative to libc (lower is better)'
set title 'Time per workload, relative to libc' noenhanced
plot for [i=2:10] 'time.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 9701,760 font 'sans,10' dynamic
set output 'time.svg'
set logscale y 2
set ylabel 'median wall time relative to libc (lower is better)'
set title 'Time per workload, relative to libc' noenhanced
plot for [i=2:10] 'time.dat' using i:xtic(1) title columnheader(i)
unset output
set terminal pngcairo size 9701,760 font ',10'
set output 'rss.png'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:10] 'rss.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 9701,760 font 'sans,10' dynamic
set output 'rss.svg'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:10] 'rss.dat' using i:xtic(1) title columnheader(i)
unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'runs.png'
unset logscale
set logscale y 2
set style fill solid 0.4 border -1
set style boxplot outliers pointtype 7
set boxwidth 0.5
unset key
set ylabel 'run time / libc median of the same workload'
set title 'Every run, relative to libc: spread over runs and workloads' noenhanced
set xtics ('libc' 0, 'naive' 1, 'pooled' 2, 'bump' 3, 'jemalloc' 4, 'mimalloc' 5, 'tcmalloc' 6, 'tbbmalloc' 7, 'scudo' 8)
set xrange [-0.5:8.5]
plot for [a=0:8] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
unset xrange
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set xtics rotate by -40 left

set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'runs.svg'
unset logscale
set logscale y 2
set style fill solid 0.4 border -1
set style boxplot outliers pointtype 7
set boxwidth 0.5
unset key
set ylabel 'run time / libc median of the same workload'
set title 'Every run, relative to libc: spread over runs and workloads' noenhanced
set xtics ('libc' 0, 'naive' 1, 'pooled' 2, 'bump' 3, 'jemalloc' 4, 'mimalloc' 5, 'tcmalloc' 6, 'tbbmalloc' 7, 'scudo' 8)
set xrange [-0.5:8.5]
plot for [a=0:8] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
unset xrange
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set xtics rotate by -40 left

unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'pauses.png'
set logscale y 10
set style fill solid 0.4 border -1
set boxwidth 0.35
set ylabel 'pause, microseconds'
set title 'GC pauses per run: longest and 99th percentile'
set key inside top left
set xtics ('marksweep' 0, 'boehm' 1, 'boehm-incremental' 2, 'generational' 3, 'incremental' 4)
set xrange [-0.5:4.5]
plot for [c=0:4] 'pauses.dat' using (c-0.2):($1==c ? $2 : 1/0):(0.35) with boxplot lc 1 title (c==0 ? 'max pause' : ''), for [c=0:4] '' using (c+0.2):($1==c ? $3 : 1/0):(0.35) with boxplot lc 2 title (c==0 ? 'p99 pause' : '')
unset xrange

set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'pauses.svg'
set logscale y 10
set style fill solid 0.4 border -1
set boxwidth 0.35
set ylabel 'pause, microseconds'
set title 'GC pauses per run: longest and 99th percentile'
set key inside top left
set xtics ('marksweep' 0, 'boehm' 1, 'boehm-incremental' 2, 'generational' 3, 'incremental' 4)
set xrange [-0.5:4.5]
plot for [c=0:4] 'pauses.dat' using (c-0.2):($1==c ? $2 : 1/0):(0.35) with boxplot lc 1 title (c==0 ? 'max pause' : ''), for [c=0:4] '' using (c+0.2):($1==c ? $3 : 1/0):(0.35) with boxplot lc 2 title (c==0 ? 'p99 pause' : '')
unset xrange

unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'timeline.png'
unset logscale
set logscale y 2
set style data lines
set datafile separator ','
set xtics autofreq norotate
set xlabel 'seconds'
set ylabel 'resident set, MiB (log scale: every allocator legible beside bump)'
set title 'Memory over time'
set key outside right top noenhanced
plot 'timeline-glibc-simple-bump.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 1 title 'glibc-simple-bump', 'timeline-glibc-simple-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 1 title 'glibc-simple-scudo', 'timeline-glibc-simple-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 1 title 'glibc-simple-pooled', 'timeline-glibc-simple-libc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 1 title 'glibc-simple-libc', 'timeline-glibc-simple-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 1 title 'glibc-simple-mimalloc', 'timeline-glibc-simple-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 6 dt 1 title 'glibc-simple-jemalloc', 'timeline-glibc-simple-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 7 dt 1 title 'glibc-simple-tcmalloc', 'timeline-glibc-simple-naive.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 8 dt 1 title 'glibc-simple-naive', 'timeline-glibc-simple-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 2 title 'glibc-simple-tbbmalloc'
set datafile separator whitespace
unset xlabel

set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'timeline.svg'
unset logscale
set logscale y 2
set style data lines
set datafile separator ','
set xtics autofreq norotate
set xlabel 'seconds'
set ylabel 'resident set, MiB (log scale: every allocator legible beside bump)'
set title 'Memory over time'
set key outside right top noenhanced
plot 'timeline-glibc-simple-bump.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 1 title 'glibc-simple-bump', 'timeline-glibc-simple-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 1 title 'glibc-simple-scudo', 'timeline-glibc-simple-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 1 title 'glibc-simple-pooled', 'timeline-glibc-simple-libc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 1 title 'glibc-simple-libc', 'timeline-glibc-simple-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 1 title 'glibc-simple-mimalloc', 'timeline-glibc-simple-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 6 dt 1 title 'glibc-simple-jemalloc', 'timeline-glibc-simple-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 7 dt 1 title 'glibc-simple-tcmalloc', 'timeline-glibc-simple-naive.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 8 dt 1 title 'glibc-simple-naive', 'timeline-glibc-simple-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 2 title 'glibc-simple-tbbmalloc'
set datafile separator whitespace
unset xlabel

unset output
