set terminal pngcairo size 1100,700 font ',10'
set output 'mmu.png'
set logscale x
set xlabel 'window, ms'
set ylabel 'minimum mutator utilisation (median over workloads)'
set yrange [0:1.05]
set key bottom right
set grid
set title 'MMU against window, one line per collector'
plot for [c=2:5] 'study.dat' index 0 using 1:c with linespoints lw 2 pt (c-1) title columnhead(c)
unset output
unset logscale
unset yrange
set terminal pngcairo size 1100,700 font ',10'
set output 'pause-rss.png'
set logscale y
set xlabel 'peak RSS relative to generational (geometric mean)'
set ylabel 'max pause, ms (geometric mean, log)'
set grid
unset key
set title 'Max pause against peak RSS, one point per collector'
plot 'study.dat' index 1 using 2:3 with points pt 7 ps 2, '' index 1 using 2:3:1 with labels offset 0,1.2
unset output
unset logscale
set terminal pngcairo size 1100,700 font ',10'
set output 'trash.png'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'garbage waiting, objects (trash max, log)'
set xlabel 'workload'
set grid ytics
set key top left
set xtics rotate by -30
set yrange [1:*]
set title 'Most objects unreachable and not yet freed, per workload and collector'
plot for [c=2:5] 'study.dat' index 2 using c:xtic(1) title columnhead(c)
unset output
unset logscale
unset yrange
unset style
set xtics norotate
set terminal svg size 1100,700 font 'sans,10' dynamic
set output 'mmu.svg'
set logscale x
set xlabel 'window, ms'
set ylabel 'minimum mutator utilisation (median over workloads)'
set yrange [0:1.05]
set key bottom right
set grid
set title 'MMU against window, one line per collector'
plot for [c=2:5] 'study.dat' index 0 using 1:c with linespoints lw 2 pt (c-1) title columnhead(c)
unset output
unset logscale
unset yrange
set terminal svg size 1100,700 font 'sans,10' dynamic
set output 'pause-rss.svg'
set logscale y
set xlabel 'peak RSS relative to generational (geometric mean)'
set ylabel 'max pause, ms (geometric mean, log)'
set grid
unset key
set title 'Max pause against peak RSS, one point per collector'
plot 'study.dat' index 1 using 2:3 with points pt 7 ps 2, '' index 1 using 2:3:1 with labels offset 0,1.2
unset output
unset logscale
set terminal svg size 1100,700 font 'sans,10' dynamic
set output 'trash.svg'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'garbage waiting, objects (trash max, log)'
set xlabel 'workload'
set grid ytics
set key top left
set xtics rotate by -30
set yrange [1:*]
set title 'Most objects unreachable and not yet freed, per workload and collector'
plot for [c=2:5] 'study.dat' index 2 using c:xtic(1) title columnhead(c)
unset output
unset logscale
unset yrange
unset style
set xtics norotate
