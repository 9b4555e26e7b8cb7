# heapbench plots of /tmp/real-new/results.csv; run `gnuplot plots.gp` in this directory to redraw.
set datafile missing 'NaN'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set grid ytics
set xtics rotate by -40 left noenhanced
set key noenhanced
set terminal pngcairo size 1400,760 font ',10'
set output 'time.png'
set logscale y 2
set ylabel 'median wall time relative to libc (lower is better)'
set title 'Time per workload, relative to libc' noenhanced
plot for [i=2:9] 'time.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'time.svg'
set logscale y 2
set ylabel 'median wall time relative to libc (lower is better)'
set title 'Time per workload, relative to libc' noenhanced
plot for [i=2:9] 'time.dat' using i:xtic(1) title columnheader(i)
unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'rss.png'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:9] 'rss.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'rss.svg'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:9] 'rss.dat' using i:xtic(1) title columnheader(i)
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
set xtics ('libc' 0, 'naive' 1, 'pooled' 2, 'jemalloc' 3, 'mimalloc' 4, 'tcmalloc' 5, 'tbbmalloc' 6, 'scudo' 7)
set xrange [-0.5:7.5]
plot for [a=0:7] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
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
set xtics ('libc' 0, 'naive' 1, 'pooled' 2, 'jemalloc' 3, 'mimalloc' 4, 'tcmalloc' 5, 'tbbmalloc' 6, 'scudo' 7)
set xrange [-0.5:7.5]
plot for [a=0:7] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
unset xrange
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set xtics rotate by -40 left

unset output
