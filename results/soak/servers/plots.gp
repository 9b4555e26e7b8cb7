# heapbench plots of results/soak/servers/results.csv; run `gnuplot plots.gp` in this directory to redraw.
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
plot for [i=2:8] 'time.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'time.svg'
set logscale y 2
set ylabel 'median wall time relative to libc (lower is better)'
set title 'Time per workload, relative to libc' noenhanced
plot for [i=2:8] 'time.dat' using i:xtic(1) title columnheader(i)
unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'rss.png'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:8] 'rss.dat' using i:xtic(1) title columnheader(i)
set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'rss.svg'
set logscale y 2
set ylabel 'median peak RSS relative to libc (lower is better)'
set title 'Peak resident set per workload, relative to libc' noenhanced
plot for [i=2:8] 'rss.dat' using i:xtic(1) title columnheader(i)
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
set xtics ('libc' 0, 'pooled' 1, 'jemalloc' 2, 'mimalloc' 3, 'tcmalloc' 4, 'tbbmalloc' 5, 'scudo' 6)
set xrange [-0.5:6.5]
plot for [a=0:6] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
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
set xtics ('libc' 0, 'pooled' 1, 'jemalloc' 2, 'mimalloc' 3, 'tcmalloc' 4, 'tbbmalloc' 5, 'scudo' 6)
set xrange [-0.5:6.5]
plot for [a=0:6] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
unset xrange
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set xtics rotate by -40 left

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
plot 'timeline-memcached-soak-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 1 title 'memcached-soak-tbbmalloc', 'timeline-redis-soak-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 1 title 'redis-soak-mimalloc', 'timeline-memcached-soak-libc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 1 title 'memcached-soak-libc', 'timeline-memcached-soak-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 1 title 'memcached-soak-jemalloc', 'timeline-memcached-soak-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 1 title 'memcached-soak-tcmalloc', 'timeline-redis-soak-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 6 dt 1 title 'redis-soak-pooled', 'timeline-memcached-soak-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 7 dt 1 title 'memcached-soak-mimalloc', 'timeline-memcached-soak-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 8 dt 1 title 'memcached-soak-pooled', 'timeline-redis-soak-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 2 title 'redis-soak-scudo', 'timeline-redis-soak-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 2 title 'redis-soak-tbbmalloc', 'timeline-memcached-soak-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 2 title 'memcached-soak-scudo', 'timeline-redis-soak-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 2 title 'redis-soak-tcmalloc', 'timeline-redis-soak-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 2 title 'redis-soak-jemalloc'
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
plot 'timeline-memcached-soak-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 1 title 'memcached-soak-tbbmalloc', 'timeline-redis-soak-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 1 title 'redis-soak-mimalloc', 'timeline-memcached-soak-libc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 1 title 'memcached-soak-libc', 'timeline-memcached-soak-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 1 title 'memcached-soak-jemalloc', 'timeline-memcached-soak-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 1 title 'memcached-soak-tcmalloc', 'timeline-redis-soak-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 6 dt 1 title 'redis-soak-pooled', 'timeline-memcached-soak-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 7 dt 1 title 'memcached-soak-mimalloc', 'timeline-memcached-soak-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 8 dt 1 title 'memcached-soak-pooled', 'timeline-redis-soak-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 2 title 'redis-soak-scudo', 'timeline-redis-soak-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 2 title 'redis-soak-tbbmalloc', 'timeline-memcached-soak-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 2 title 'memcached-soak-scudo', 'timeline-redis-soak-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 2 title 'redis-soak-tcmalloc', 'timeline-redis-soak-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 2 title 'redis-soak-jemalloc'
set datafile separator whitespace
unset xlabel

unset output
set terminal pngcairo size 1400,1070 font ',10'
set output 'soak-memory-redis-soak.png'
reset
set datafile separator ','
set style data lines
set grid ytics
set multiplot layout 3,2 title 'Memory over time: redis-soak (RSS, live bytes dashed; phases shaded)' noenhanced
set xrange [0:121.391]
set yrange [0:353.533]
set xlabel 'seconds'
set ylabel 'MiB'
set key top right noenhanced
unset object
unset label
set object 1 rect from 0.007, graph 0 to 18.039, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.368, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.039, graph 0 to 48.047, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.400, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.047, graph 0 to 66.039, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.408, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.039, graph 0 to 84.043, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.400, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.043, graph 0 to 108.043, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.404, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.043, graph 0 to 120.047, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.404, graph 0.91 font ',8' noenhanced
set title 'jemalloc' noenhanced
plot 'timeline-redis-soak-jemalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.052, graph 0 to 18.009, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.413, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.009, graph 0 to 48.031, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.370, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.031, graph 0 to 66.192, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.392, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.192, graph 0 to 84.185, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.553, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.185, graph 0 to 108.184, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.546, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.184, graph 0 to 120.189, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.545, graph 0.91 font ',8' noenhanced
set title 'mimalloc' noenhanced
plot 'timeline-redis-soak-mimalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.010, graph 0 to 18.006, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.371, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.006, graph 0 to 48.013, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.367, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.013, graph 0 to 66.110, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.374, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.110, graph 0 to 84.106, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.471, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.106, graph 0 to 108.070, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.467, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.070, graph 0 to 120.073, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.431, graph 0.91 font ',8' noenhanced
set title 'pooled' noenhanced
plot 'timeline-redis-soak-pooled.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.021, graph 0 to 18.006, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.382, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.006, graph 0 to 48.114, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.367, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.114, graph 0 to 66.110, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.475, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.110, graph 0 to 84.029, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.471, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.029, graph 0 to 108.027, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.390, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.027, graph 0 to 120.027, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.388, graph 0.91 font ',8' noenhanced
set title 'scudo' noenhanced
plot 'timeline-redis-soak-scudo.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.015, graph 0 to 18.015, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.376, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.015, graph 0 to 48.015, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.376, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.015, graph 0 to 66.015, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.376, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.015, graph 0 to 84.016, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.376, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.016, graph 0 to 108.015, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.377, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.015, graph 0 to 120.115, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.376, graph 0.91 font ',8' noenhanced
set title 'tbbmalloc' noenhanced
plot 'timeline-redis-soak-tbbmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.029, graph 0 to 18.005, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.390, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.005, graph 0 to 48.005, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.366, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.005, graph 0 to 66.005, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.366, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.005, graph 0 to 84.015, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.366, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.015, graph 0 to 108.005, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.376, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.005, graph 0 to 120.005, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.366, graph 0.91 font ',8' noenhanced
set title 'tcmalloc' noenhanced
plot 'timeline-redis-soak-tcmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset multiplot
unset object
unset label
set datafile separator whitespace
reset

set terminal svg size 1400,1070 font 'sans,10' dynamic
set output 'soak-memory-redis-soak.svg'
reset
set datafile separator ','
set style data lines
set grid ytics
set multiplot layout 3,2 title 'Memory over time: redis-soak (RSS, live bytes dashed; phases shaded)' noenhanced
set xrange [0:121.391]
set yrange [0:353.533]
set xlabel 'seconds'
set ylabel 'MiB'
set key top right noenhanced
unset object
unset label
set object 1 rect from 0.007, graph 0 to 18.039, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.368, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.039, graph 0 to 48.047, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.400, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.047, graph 0 to 66.039, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.408, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.039, graph 0 to 84.043, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.400, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.043, graph 0 to 108.043, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.404, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.043, graph 0 to 120.047, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.404, graph 0.91 font ',8' noenhanced
set title 'jemalloc' noenhanced
plot 'timeline-redis-soak-jemalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.052, graph 0 to 18.009, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.413, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.009, graph 0 to 48.031, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.370, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.031, graph 0 to 66.192, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.392, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.192, graph 0 to 84.185, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.553, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.185, graph 0 to 108.184, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.546, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.184, graph 0 to 120.189, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.545, graph 0.91 font ',8' noenhanced
set title 'mimalloc' noenhanced
plot 'timeline-redis-soak-mimalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.010, graph 0 to 18.006, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.371, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.006, graph 0 to 48.013, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.367, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.013, graph 0 to 66.110, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.374, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.110, graph 0 to 84.106, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.471, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.106, graph 0 to 108.070, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.467, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.070, graph 0 to 120.073, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.431, graph 0.91 font ',8' noenhanced
set title 'pooled' noenhanced
plot 'timeline-redis-soak-pooled.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.021, graph 0 to 18.006, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.382, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.006, graph 0 to 48.114, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.367, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.114, graph 0 to 66.110, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.475, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.110, graph 0 to 84.029, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.471, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.029, graph 0 to 108.027, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.390, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.027, graph 0 to 120.027, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.388, graph 0.91 font ',8' noenhanced
set title 'scudo' noenhanced
plot 'timeline-redis-soak-scudo.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.015, graph 0 to 18.015, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.376, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.015, graph 0 to 48.015, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.376, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.015, graph 0 to 66.015, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.376, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.015, graph 0 to 84.016, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.376, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.016, graph 0 to 108.015, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.377, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.015, graph 0 to 120.115, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.376, graph 0.91 font ',8' noenhanced
set title 'tbbmalloc' noenhanced
plot 'timeline-redis-soak-tbbmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.029, graph 0 to 18.005, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.390, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.005, graph 0 to 48.005, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.366, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.005, graph 0 to 66.005, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.366, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.005, graph 0 to 84.015, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.366, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.015, graph 0 to 108.005, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.376, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.005, graph 0 to 120.005, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.366, graph 0.91 font ',8' noenhanced
set title 'tcmalloc' noenhanced
plot 'timeline-redis-soak-tcmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset multiplot
unset object
unset label
set datafile separator whitespace
reset

unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'latency-redis-soak.png'
reset
set datafile separator ','
set logscale x 10
set logscale y 10
set grid xtics ytics
set xrange [2:100000]
set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set xlabel 'percentile'
set ylabel 'latency, ns (log scale)'
set title 'Latency percentiles: redis-soak (lower is better; the curve ends where the samples do)' noenhanced
set key outside right top noenhanced
plot 'latency-redis-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 1 dt 1 title 'jemalloc corrected', 'latency-redis-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 1 dt 2 title 'jemalloc measured', 'latency-redis-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 2 dt 1 title 'mimalloc corrected', 'latency-redis-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 2 dt 2 title 'mimalloc measured', 'latency-redis-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 3 dt 1 title 'pooled corrected', 'latency-redis-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 3 dt 2 title 'pooled measured', 'latency-redis-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 4 dt 1 title 'scudo corrected', 'latency-redis-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 4 dt 2 title 'scudo measured', 'latency-redis-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 5 dt 1 title 'tbbmalloc corrected', 'latency-redis-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 5 dt 2 title 'tbbmalloc measured', 'latency-redis-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 6 dt 1 title 'tcmalloc corrected', 'latency-redis-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 6 dt 2 title 'tcmalloc measured'
set datafile separator whitespace
reset

set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'latency-redis-soak.svg'
reset
set datafile separator ','
set logscale x 10
set logscale y 10
set grid xtics ytics
set xrange [2:100000]
set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set xlabel 'percentile'
set ylabel 'latency, ns (log scale)'
set title 'Latency percentiles: redis-soak (lower is better; the curve ends where the samples do)' noenhanced
set key outside right top noenhanced
plot 'latency-redis-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 1 dt 1 title 'jemalloc corrected', 'latency-redis-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 1 dt 2 title 'jemalloc measured', 'latency-redis-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 2 dt 1 title 'mimalloc corrected', 'latency-redis-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 2 dt 2 title 'mimalloc measured', 'latency-redis-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 3 dt 1 title 'pooled corrected', 'latency-redis-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 3 dt 2 title 'pooled measured', 'latency-redis-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 4 dt 1 title 'scudo corrected', 'latency-redis-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 4 dt 2 title 'scudo measured', 'latency-redis-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 5 dt 1 title 'tbbmalloc corrected', 'latency-redis-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 5 dt 2 title 'tbbmalloc measured', 'latency-redis-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 6 dt 1 title 'tcmalloc corrected', 'latency-redis-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 6 dt 2 title 'tcmalloc measured'
set datafile separator whitespace
reset

unset output
set terminal pngcairo size 1400,1400 font ',10'
set output 'soak-memory-memcached-soak.png'
reset
set datafile separator ','
set style data lines
set grid ytics
set multiplot layout 4,2 title 'Memory over time: memcached-soak (RSS, live bytes dashed; phases shaded)' noenhanced
set xrange [0:121.304]
set yrange [0:343.318]
set xlabel 'seconds'
set ylabel 'MiB'
set key top right noenhanced
unset object
unset label
set object 1 rect from 0.005, graph 0 to 18.101, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.365, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.101, graph 0 to 48.101, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.461, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.101, graph 0 to 66.101, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.461, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.101, graph 0 to 84.113, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.461, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.113, graph 0 to 108.101, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.473, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.101, graph 0 to 120.101, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.461, graph 0.91 font ',8' noenhanced
set title 'jemalloc' noenhanced
plot 'timeline-memcached-soak-jemalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.007, graph 0 to 18.103, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.367, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.103, graph 0 to 48.104, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.463, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.104, graph 0 to 66.104, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.464, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.104, graph 0 to 84.037, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.464, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.037, graph 0 to 108.037, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.397, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.037, graph 0 to 120.080, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.397, graph 0.91 font ',8' noenhanced
set title 'libc' noenhanced
plot 'timeline-memcached-soak-libc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.112, graph 0 to 18.013, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.472, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.013, graph 0 to 48.032, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.373, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.032, graph 0 to 66.013, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.392, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.013, graph 0 to 84.012, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.373, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.012, graph 0 to 108.045, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.372, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.045, graph 0 to 120.045, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.405, graph 0.91 font ',8' noenhanced
set title 'mimalloc' noenhanced
plot 'timeline-memcached-soak-mimalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.018, graph 0 to 18.042, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.378, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.042, graph 0 to 48.051, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.402, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.051, graph 0 to 66.042, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.411, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.042, graph 0 to 84.042, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.402, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.042, graph 0 to 108.042, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.402, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.042, graph 0 to 120.043, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.402, graph 0.91 font ',8' noenhanced
set title 'pooled' noenhanced
plot 'timeline-memcached-soak-pooled.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.007, graph 0 to 18.101, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.367, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.101, graph 0 to 48.101, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.461, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.101, graph 0 to 66.101, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.461, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.101, graph 0 to 84.107, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.461, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.107, graph 0 to 108.101, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.467, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.101, graph 0 to 120.101, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.461, graph 0.91 font ',8' noenhanced
set title 'scudo' noenhanced
plot 'timeline-memcached-soak-scudo.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.092, graph 0 to 18.017, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.452, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.017, graph 0 to 48.020, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.377, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.020, graph 0 to 66.017, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.380, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.017, graph 0 to 84.017, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.377, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.017, graph 0 to 108.017, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.377, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.017, graph 0 to 120.017, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.377, graph 0.91 font ',8' noenhanced
set title 'tbbmalloc' noenhanced
plot 'timeline-memcached-soak-tbbmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.003, graph 0 to 18.107, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.363, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.107, graph 0 to 48.003, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.467, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.003, graph 0 to 66.103, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.363, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.103, graph 0 to 84.103, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.463, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.103, graph 0 to 108.103, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.463, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.103, graph 0 to 120.103, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.463, graph 0.91 font ',8' noenhanced
set title 'tcmalloc' noenhanced
plot 'timeline-memcached-soak-tcmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset multiplot
unset object
unset label
set datafile separator whitespace
reset

set terminal svg size 1400,1400 font 'sans,10' dynamic
set output 'soak-memory-memcached-soak.svg'
reset
set datafile separator ','
set style data lines
set grid ytics
set multiplot layout 4,2 title 'Memory over time: memcached-soak (RSS, live bytes dashed; phases shaded)' noenhanced
set xrange [0:121.304]
set yrange [0:343.318]
set xlabel 'seconds'
set ylabel 'MiB'
set key top right noenhanced
unset object
unset label
set object 1 rect from 0.005, graph 0 to 18.101, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.365, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.101, graph 0 to 48.101, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.461, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.101, graph 0 to 66.101, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.461, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.101, graph 0 to 84.113, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.461, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.113, graph 0 to 108.101, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.473, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.101, graph 0 to 120.101, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.461, graph 0.91 font ',8' noenhanced
set title 'jemalloc' noenhanced
plot 'timeline-memcached-soak-jemalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.007, graph 0 to 18.103, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.367, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.103, graph 0 to 48.104, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.463, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.104, graph 0 to 66.104, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.464, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.104, graph 0 to 84.037, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.464, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.037, graph 0 to 108.037, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.397, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.037, graph 0 to 120.080, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.397, graph 0.91 font ',8' noenhanced
set title 'libc' noenhanced
plot 'timeline-memcached-soak-libc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.112, graph 0 to 18.013, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.472, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.013, graph 0 to 48.032, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.373, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.032, graph 0 to 66.013, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.392, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.013, graph 0 to 84.012, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.373, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.012, graph 0 to 108.045, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.372, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.045, graph 0 to 120.045, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.405, graph 0.91 font ',8' noenhanced
set title 'mimalloc' noenhanced
plot 'timeline-memcached-soak-mimalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.018, graph 0 to 18.042, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.378, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.042, graph 0 to 48.051, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.402, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.051, graph 0 to 66.042, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.411, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.042, graph 0 to 84.042, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.402, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.042, graph 0 to 108.042, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.402, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.042, graph 0 to 120.043, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.402, graph 0.91 font ',8' noenhanced
set title 'pooled' noenhanced
plot 'timeline-memcached-soak-pooled.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.007, graph 0 to 18.101, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.367, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.101, graph 0 to 48.101, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.461, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.101, graph 0 to 66.101, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.461, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.101, graph 0 to 84.107, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.461, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.107, graph 0 to 108.101, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.467, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.101, graph 0 to 120.101, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.461, graph 0.91 font ',8' noenhanced
set title 'scudo' noenhanced
plot 'timeline-memcached-soak-scudo.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.092, graph 0 to 18.017, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.452, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.017, graph 0 to 48.020, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.377, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.020, graph 0 to 66.017, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.380, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.017, graph 0 to 84.017, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.377, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.017, graph 0 to 108.017, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.377, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.017, graph 0 to 120.017, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.377, graph 0.91 font ',8' noenhanced
set title 'tbbmalloc' noenhanced
plot 'timeline-memcached-soak-tbbmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.003, graph 0 to 18.107, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.363, graph 0.97 font ',8' noenhanced
set object 2 rect from 18.107, graph 0 to 48.003, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 18.467, graph 0.91 font ',8' noenhanced
set object 3 rect from 48.003, graph 0 to 66.103, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 48.363, graph 0.97 font ',8' noenhanced
set object 4 rect from 66.103, graph 0 to 84.103, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 66.463, graph 0.91 font ',8' noenhanced
set object 5 rect from 84.103, graph 0 to 108.103, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 84.463, graph 0.97 font ',8' noenhanced
set object 6 rect from 108.103, graph 0 to 120.103, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 108.463, graph 0.91 font ',8' noenhanced
set title 'tcmalloc' noenhanced
plot 'timeline-memcached-soak-tcmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset multiplot
unset object
unset label
set datafile separator whitespace
reset

unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'latency-memcached-soak.png'
reset
set datafile separator ','
set logscale x 10
set logscale y 10
set grid xtics ytics
set xrange [2:100000]
set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set xlabel 'percentile'
set ylabel 'latency, ns (log scale)'
set title 'Latency percentiles: memcached-soak (lower is better; the curve ends where the samples do)' noenhanced
set key outside right top noenhanced
plot 'latency-memcached-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 1 dt 1 title 'jemalloc corrected', 'latency-memcached-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 1 dt 2 title 'jemalloc measured', 'latency-memcached-soak-libc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 2 dt 1 title 'libc corrected', 'latency-memcached-soak-libc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 2 dt 2 title 'libc measured', 'latency-memcached-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 3 dt 1 title 'mimalloc corrected', 'latency-memcached-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 3 dt 2 title 'mimalloc measured', 'latency-memcached-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 4 dt 1 title 'pooled corrected', 'latency-memcached-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 4 dt 2 title 'pooled measured', 'latency-memcached-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 5 dt 1 title 'scudo corrected', 'latency-memcached-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 5 dt 2 title 'scudo measured', 'latency-memcached-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 6 dt 1 title 'tbbmalloc corrected', 'latency-memcached-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 6 dt 2 title 'tbbmalloc measured', 'latency-memcached-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 7 dt 1 title 'tcmalloc corrected', 'latency-memcached-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 7 dt 2 title 'tcmalloc measured'
set datafile separator whitespace
reset

set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'latency-memcached-soak.svg'
reset
set datafile separator ','
set logscale x 10
set logscale y 10
set grid xtics ytics
set xrange [2:100000]
set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set xlabel 'percentile'
set ylabel 'latency, ns (log scale)'
set title 'Latency percentiles: memcached-soak (lower is better; the curve ends where the samples do)' noenhanced
set key outside right top noenhanced
plot 'latency-memcached-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 1 dt 1 title 'jemalloc corrected', 'latency-memcached-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 1 dt 2 title 'jemalloc measured', 'latency-memcached-soak-libc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 2 dt 1 title 'libc corrected', 'latency-memcached-soak-libc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 2 dt 2 title 'libc measured', 'latency-memcached-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 3 dt 1 title 'mimalloc corrected', 'latency-memcached-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 3 dt 2 title 'mimalloc measured', 'latency-memcached-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 4 dt 1 title 'pooled corrected', 'latency-memcached-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 4 dt 2 title 'pooled measured', 'latency-memcached-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 5 dt 1 title 'scudo corrected', 'latency-memcached-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 5 dt 2 title 'scudo measured', 'latency-memcached-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 6 dt 1 title 'tbbmalloc corrected', 'latency-memcached-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 6 dt 2 title 'tbbmalloc measured', 'latency-memcached-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($3*1000) with linespoints lw 2 pt 7 ps 0.5 lt 7 dt 1 title 'tcmalloc corrected', 'latency-memcached-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1000) with lines lw 1 lt 7 dt 2 title 'tcmalloc measured'
set datafile separator whitespace
reset

unset output
