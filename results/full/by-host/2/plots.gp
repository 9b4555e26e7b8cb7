# heapbench plots of /work/sweep/merged/by-host/2/results.csv; run `gnuplot plots.gp` in this directory to redraw.
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'
set linetype 7 lc rgb '#e377c2'
set linetype 8 lc rgb '#7f7f7f'
set linetype 9 lc rgb '#bcbd22'
set linetype 10 lc rgb '#17becf'
set linetype 11 lc rgb '#000080'
set linetype 12 lc rgb '#808000'
set linetype 13 lc rgb '#bfa139'
set linetype 14 lc rgb '#7a39bf'
set linetype 15 lc rgb '#39bf53'
set linetype 16 lc rgb '#bf3946'
set linetype 17 lc rgb '#396dbf'
set linetype 18 lc rgb '#94bf39'
set linetype 19 lc rgb '#bf39bb'
set linetype 20 lc rgb '#39bf9c'
set linetype 21 lc rgb '#bf7539'
set linetype 22 lc rgb '#4d39bf'
set linetype 23 lc rgb '#4bbf39'
set linetype 24 lc rgb '#bf3972'
set linetype 25 lc rgb '#3999bf'
set linetype 26 lc rgb '#bfbd39'
set linetype 27 lc rgb '#9639bf'
set linetype 28 lc rgb '#39bf6f'
set linetype 29 lc rgb '#bf4839'
set linetype 30 lc rgb '#3951bf'
set linetype 31 lc rgb '#78bf39'
set linetype 32 lc rgb '#bf399f'
set linetype 33 lc rgb '#39bfb7'
set linetype 34 lc rgb '#bf9039'
set linetype 35 lc rgb '#6939bf'
set linetype 36 lc rgb '#39bf42'
set linetype 37 lc rgb '#bf3957'
set linetype 38 lc rgb '#397ebf'
set linetype 39 lc rgb '#a5bf39'
set linetype 40 lc rgb '#b239bf'
set linetype 41 lc rgb '#39bf8a'
set linetype 42 lc rgb '#bf6339'
set linetype 43 lc rgb '#3c39bf'
set linetype 44 lc rgb '#5cbf39'
set linetype 45 lc rgb '#bf3984'
set linetype 46 lc rgb '#39abbf'
set linetype 47 lc rgb '#bfac39'
set linetype 48 lc rgb '#8539bf'
set linetype 49 lc rgb '#39bf5e'
set linetype 50 lc rgb '#bf393b'
set linetype 51 lc rgb '#3962bf'
set linetype 52 lc rgb '#89bf39'
set linetype 53 lc rgb '#bf39b0'
set linetype 54 lc rgb '#39bfa6'
set linetype 55 lc rgb '#bf7f39'
set linetype 56 lc rgb '#5839bf'
set linetype 57 lc rgb '#41bf39'
set linetype 58 lc rgb '#bf3968'
set linetype 59 lc rgb '#398fbf'
set linetype 60 lc rgb '#b6bf39'
set linetype 61 lc rgb '#a039bf'
set linetype 62 lc rgb '#39bf79'
set linetype 63 lc rgb '#bf5239'
set linetype 64 lc rgb '#3946bf'
set datafile missing 'NaN'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set grid ytics
set xtics rotate by -40 left noenhanced
set key noenhanced
set terminal pngcairo size 4612,760 font ',10'
set output 'time.png'
set logscale y 2
set ylabel 'median wall time relative to libc (lower is better)'
set title 'Time per workload, relative to libc' noenhanced
plot for [i=2:5] 'time.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 4612,760 font 'sans,10' dynamic
set output 'time.svg'
set logscale y 2
set ylabel 'median wall time relative to libc (lower is better)'
set title 'Time per workload, relative to libc' noenhanced
plot for [i=2:5] 'time.dat' using i:xtic(1) title columnheader(i)
unset output
set terminal pngcairo size 4612,760 font ',10'
set output 'rss.png'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:5] 'rss.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 4612,760 font 'sans,10' dynamic
set output 'rss.svg'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:5] 'rss.dat' using i:xtic(1) title columnheader(i)
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
set title 'Every run, relative to libc: distribution over runs and workloads' noenhanced
set xtics ('libc' 0, 'jemalloc' 1, 'mimalloc' 2, 'pooled' 3)
set xrange [-0.5:3.5]
plot for [a=0:3] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
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
set title 'Every run, relative to libc: distribution over runs and workloads' noenhanced
set xtics ('libc' 0, 'jemalloc' 1, 'mimalloc' 2, 'pooled' 3)
set xrange [-0.5:3.5]
plot for [a=0:3] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
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
