# heapbench plots of results/soak/results.csv; run `gnuplot plots.gp` in this directory to redraw.
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
set xtics ('libc' 0, 'pooled' 1, 'jemalloc' 2, 'mimalloc' 3, 'tcmalloc' 4, 'tbbmalloc' 5, 'scudo' 6, 'pooled-dropin' 7)
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
set xtics ('libc' 0, 'pooled' 1, 'jemalloc' 2, 'mimalloc' 3, 'tcmalloc' 4, 'tbbmalloc' 5, 'scudo' 6, 'pooled-dropin' 7)
set xrange [-0.5:7.5]
plot for [a=0:7] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) with boxplot
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
plot 'timeline-service-soak-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 1 title 'service-soak-jemalloc', 'timeline-service-soak-pooled-dropin.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 1 title 'service-soak-pooled-dropin', 'timeline-service-soak-libc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 1 title 'service-soak-libc', 'timeline-service-soak-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 1 title 'service-soak-tbbmalloc', 'timeline-service-soak-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 1 title 'service-soak-mimalloc', 'timeline-service-soak-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 6 dt 1 title 'service-soak-tcmalloc', 'timeline-service-soak-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 7 dt 1 title 'service-soak-scudo', 'timeline-service-soak-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 8 dt 1 title 'service-soak-pooled'
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
plot 'timeline-service-soak-jemalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 1 dt 1 title 'service-soak-jemalloc', 'timeline-service-soak-pooled-dropin.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 2 dt 1 title 'service-soak-pooled-dropin', 'timeline-service-soak-libc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 3 dt 1 title 'service-soak-libc', 'timeline-service-soak-tbbmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 4 dt 1 title 'service-soak-tbbmalloc', 'timeline-service-soak-mimalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 5 dt 1 title 'service-soak-mimalloc', 'timeline-service-soak-tcmalloc.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 6 dt 1 title 'service-soak-tcmalloc', 'timeline-service-soak-scudo.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 7 dt 1 title 'service-soak-scudo', 'timeline-service-soak-pooled.csv' using 1:($2/1024) every ::1 with lines lw 2 lt 8 dt 1 title 'service-soak-pooled'
set datafile separator whitespace
unset xlabel

unset output
set terminal pngcairo size 1400,1400 font ',10'
set output 'soak-memory-service-soak.png'
reset
set datafile separator ','
set style data lines
set grid ytics
set multiplot layout 4,2 title 'Memory over time: service-soak (RSS, live bytes dashed; phases shaded)' noenhanced
set xrange [0:192.105]
set yrange [0:773.000]
set xlabel 'seconds'
set ylabel 'MiB'
set key top right noenhanced
unset object
unset label
set object 1 rect from 0.102, graph 0 to 15.062, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.673, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.062, graph 0 to 67.546, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.633, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.546, graph 0 to 97.538, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.117, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.538, graph 0 to 97.862, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.109, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.862, graph 0 to 135.355, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.433, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.355, graph 0 to 152.967, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 135.926, graph 0.91 font ',8' noenhanced
set title 'jemalloc' noenhanced
plot 'timeline-service-soak-jemalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.109, graph 0 to 15.108, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.680, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.108, graph 0 to 67.665, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.679, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.665, graph 0 to 97.681, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.236, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.681, graph 0 to 98.193, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.252, graph 0.91 font ',8' noenhanced
set object 5 rect from 98.193, graph 0 to 135.707, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.764, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.707, graph 0 to 151.191, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.278, graph 0.91 font ',8' noenhanced
set title 'libc' noenhanced
plot 'timeline-service-soak-libc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.106, graph 0 to 15.170, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.677, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.170, graph 0 to 67.653, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.741, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.653, graph 0 to 97.675, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.224, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.675, graph 0 to 97.976, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.246, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.976, graph 0 to 135.445, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.547, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.445, graph 0 to 150.905, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.016, graph 0.91 font ',8' noenhanced
set title 'mimalloc' noenhanced
plot 'timeline-service-soak-mimalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.100, graph 0 to 15.064, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.671, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.064, graph 0 to 67.620, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.635, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.620, graph 0 to 137.219, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.191, graph 0.97 font ',8' noenhanced
set object 4 rect from 137.219, graph 0 to 137.527, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 137.790, graph 0.91 font ',8' noenhanced
set object 5 rect from 137.527, graph 0 to 174.985, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 138.098, graph 0.97 font ',8' noenhanced
set object 6 rect from 174.985, graph 0 to 190.203, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 175.556, graph 0.91 font ',8' noenhanced
set title 'pooled-dropin' noenhanced
plot 'timeline-service-soak-pooled-dropin.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.106, graph 0 to 15.083, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.677, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.083, graph 0 to 67.571, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.654, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.571, graph 0 to 124.855, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.142, graph 0.97 font ',8' noenhanced
set object 4 rect from 124.855, graph 0 to 125.470, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 125.426, graph 0.91 font ',8' noenhanced
set object 5 rect from 125.470, graph 0 to 163.002, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 126.041, graph 0.97 font ',8' noenhanced
set object 6 rect from 163.002, graph 0 to 178.475, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 163.573, graph 0.91 font ',8' noenhanced
set title 'pooled' noenhanced
plot 'timeline-service-soak-pooled.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.106, graph 0 to 15.131, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.677, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.131, graph 0 to 67.594, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.702, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.594, graph 0 to 97.964, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.165, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.964, graph 0 to 99.700, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.535, graph 0.91 font ',8' noenhanced
set object 5 rect from 99.700, graph 0 to 137.219, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 100.271, graph 0.97 font ',8' noenhanced
set object 6 rect from 137.219, graph 0 to 152.941, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 137.790, graph 0.91 font ',8' noenhanced
set title 'scudo' noenhanced
plot 'timeline-service-soak-scudo.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.109, graph 0 to 15.163, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.680, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.163, graph 0 to 67.641, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.734, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.641, graph 0 to 97.581, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.212, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.581, graph 0 to 97.882, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.152, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.882, graph 0 to 135.483, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.453, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.483, graph 0 to 150.793, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.054, graph 0.91 font ',8' noenhanced
set title 'tbbmalloc' noenhanced
plot 'timeline-service-soak-tbbmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.103, graph 0 to 15.069, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.674, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.069, graph 0 to 67.604, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.640, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.604, graph 0 to 97.560, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.175, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.560, graph 0 to 97.960, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.131, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.960, graph 0 to 135.489, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.531, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.489, graph 0 to 150.987, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.060, graph 0.91 font ',8' noenhanced
set title 'tcmalloc' noenhanced
plot 'timeline-service-soak-tcmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset multiplot
unset object
unset label
set datafile separator whitespace
reset

set terminal svg size 1400,1400 font 'sans,10' dynamic
set output 'soak-memory-service-soak.svg'
reset
set datafile separator ','
set style data lines
set grid ytics
set multiplot layout 4,2 title 'Memory over time: service-soak (RSS, live bytes dashed; phases shaded)' noenhanced
set xrange [0:192.105]
set yrange [0:773.000]
set xlabel 'seconds'
set ylabel 'MiB'
set key top right noenhanced
unset object
unset label
set object 1 rect from 0.102, graph 0 to 15.062, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.673, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.062, graph 0 to 67.546, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.633, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.546, graph 0 to 97.538, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.117, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.538, graph 0 to 97.862, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.109, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.862, graph 0 to 135.355, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.433, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.355, graph 0 to 152.967, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 135.926, graph 0.91 font ',8' noenhanced
set title 'jemalloc' noenhanced
plot 'timeline-service-soak-jemalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.109, graph 0 to 15.108, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.680, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.108, graph 0 to 67.665, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.679, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.665, graph 0 to 97.681, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.236, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.681, graph 0 to 98.193, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.252, graph 0.91 font ',8' noenhanced
set object 5 rect from 98.193, graph 0 to 135.707, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.764, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.707, graph 0 to 151.191, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.278, graph 0.91 font ',8' noenhanced
set title 'libc' noenhanced
plot 'timeline-service-soak-libc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.106, graph 0 to 15.170, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.677, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.170, graph 0 to 67.653, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.741, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.653, graph 0 to 97.675, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.224, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.675, graph 0 to 97.976, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.246, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.976, graph 0 to 135.445, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.547, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.445, graph 0 to 150.905, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.016, graph 0.91 font ',8' noenhanced
set title 'mimalloc' noenhanced
plot 'timeline-service-soak-mimalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.100, graph 0 to 15.064, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.671, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.064, graph 0 to 67.620, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.635, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.620, graph 0 to 137.219, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.191, graph 0.97 font ',8' noenhanced
set object 4 rect from 137.219, graph 0 to 137.527, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 137.790, graph 0.91 font ',8' noenhanced
set object 5 rect from 137.527, graph 0 to 174.985, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 138.098, graph 0.97 font ',8' noenhanced
set object 6 rect from 174.985, graph 0 to 190.203, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 175.556, graph 0.91 font ',8' noenhanced
set title 'pooled-dropin' noenhanced
plot 'timeline-service-soak-pooled-dropin.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.106, graph 0 to 15.083, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.677, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.083, graph 0 to 67.571, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.654, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.571, graph 0 to 124.855, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.142, graph 0.97 font ',8' noenhanced
set object 4 rect from 124.855, graph 0 to 125.470, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 125.426, graph 0.91 font ',8' noenhanced
set object 5 rect from 125.470, graph 0 to 163.002, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 126.041, graph 0.97 font ',8' noenhanced
set object 6 rect from 163.002, graph 0 to 178.475, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 163.573, graph 0.91 font ',8' noenhanced
set title 'pooled' noenhanced
plot 'timeline-service-soak-pooled.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.106, graph 0 to 15.131, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.677, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.131, graph 0 to 67.594, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.702, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.594, graph 0 to 97.964, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.165, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.964, graph 0 to 99.700, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.535, graph 0.91 font ',8' noenhanced
set object 5 rect from 99.700, graph 0 to 137.219, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 100.271, graph 0.97 font ',8' noenhanced
set object 6 rect from 137.219, graph 0 to 152.941, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 137.790, graph 0.91 font ',8' noenhanced
set title 'scudo' noenhanced
plot 'timeline-service-soak-scudo.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.109, graph 0 to 15.163, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.680, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.163, graph 0 to 67.641, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.734, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.641, graph 0 to 97.581, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.212, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.581, graph 0 to 97.882, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.152, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.882, graph 0 to 135.483, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.453, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.483, graph 0 to 150.793, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.054, graph 0.91 font ',8' noenhanced
set title 'tbbmalloc' noenhanced
plot 'timeline-service-soak-tbbmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset object
unset label
set object 1 rect from 0.103, graph 0 to 15.069, graph 1 fc rgb '#bdbdbd' fs solid 0.35 noborder behind
set label 1 'warmup' at 0.674, graph 0.97 font ',8' noenhanced
set object 2 rect from 15.069, graph 0 to 67.604, graph 1 fc rgb '#9ecae1' fs solid 0.35 noborder behind
set label 2 'steady' at 15.640, graph 0.91 font ',8' noenhanced
set object 3 rect from 67.604, graph 0 to 97.560, graph 1 fc rgb '#fdae6b' fs solid 0.35 noborder behind
set label 3 'shift' at 68.175, graph 0.97 font ',8' noenhanced
set object 4 rect from 97.560, graph 0 to 97.960, graph 1 fc rgb '#fb6a4a' fs solid 0.35 noborder behind
set label 4 'drop' at 98.131, graph 0.91 font ',8' noenhanced
set object 5 rect from 97.960, graph 0 to 135.489, graph 1 fc rgb '#a1d99b' fs solid 0.35 noborder behind
set label 5 'idle' at 98.531, graph 0.97 font ',8' noenhanced
set object 6 rect from 135.489, graph 0 to 150.987, graph 1 fc rgb '#bcbddc' fs solid 0.35 noborder behind
set label 6 'regrow' at 136.060, graph 0.91 font ',8' noenhanced
set title 'tcmalloc' noenhanced
plot 'timeline-service-soak-tcmalloc.csv' every ::1 using 1:($2/1024) lw 2 lc rgb '#08519c' title 'RSS', '' every ::1 using 1:($3/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'
unset multiplot
unset object
unset label
set datafile separator whitespace
reset

unset output
set terminal pngcairo size 1400,760 font ',10'
set output 'latency-service-soak.png'
reset
set datafile separator ','
set logscale x 10
set logscale y 10
set grid xtics ytics
set xrange [2:100000]
set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set xlabel 'percentile'
set ylabel 'latency, ns (log scale)'
set title 'Latency percentiles: service-soak (lower is better; the curve ends where the samples do)' noenhanced
set key outside right top noenhanced
plot 'latency-service-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 1 dt 1 title 'jemalloc', 'latency-service-soak-libc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 2 dt 1 title 'libc', 'latency-service-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 3 dt 1 title 'mimalloc', 'latency-service-soak-pooled-dropin.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 4 dt 1 title 'pooled-dropin', 'latency-service-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 5 dt 1 title 'pooled', 'latency-service-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 6 dt 1 title 'scudo', 'latency-service-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 7 dt 1 title 'tbbmalloc', 'latency-service-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 8 dt 1 title 'tcmalloc'
set datafile separator whitespace
reset

set terminal svg size 1400,760 font 'sans,10' dynamic
set output 'latency-service-soak.svg'
reset
set datafile separator ','
set logscale x 10
set logscale y 10
set grid xtics ytics
set xrange [2:100000]
set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set xlabel 'percentile'
set ylabel 'latency, ns (log scale)'
set title 'Latency percentiles: service-soak (lower is better; the curve ends where the samples do)' noenhanced
set key outside right top noenhanced
plot 'latency-service-soak-jemalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 1 dt 1 title 'jemalloc', 'latency-service-soak-libc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 2 dt 1 title 'libc', 'latency-service-soak-mimalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 3 dt 1 title 'mimalloc', 'latency-service-soak-pooled-dropin.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 4 dt 1 title 'pooled-dropin', 'latency-service-soak-pooled.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 5 dt 1 title 'pooled', 'latency-service-soak-scudo.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 6 dt 1 title 'scudo', 'latency-service-soak-tbbmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 7 dt 1 title 'tbbmalloc', 'latency-service-soak-tcmalloc.csv' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*1) with linespoints lw 2 pt 7 ps 0.5 lt 8 dt 1 title 'tcmalloc'
set datafile separator whitespace
reset

unset output
