# SPDX-License-Identifier: GPL-2.0
# gnuplot -e "w1='...'; w2='...'; w4='...'; out='...'" bench/plot.gp
set terminal pngcairo size 1400,500 font ",10" noenhanced
set output out
set multiplot layout 1,3
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
set xtics rotate by -35 scale 0
set ylabel "ns per allocation (median)"
set grid ytics
set key off
set title "W1: 8..64 bytes, align 8"
plot w1 using 2:xtic(1) lc rgb "#3b7dd8"
set title "W2: 8..64 bytes, align 8..4096 (log)"
set logscale y
plot w2 using 2:xtic(1) lc rgb "#d8703b"
unset logscale y
set style data linespoints
set title "W4: scaling (ns per allocation)"
set logscale x
set xtics norotate
set xlabel "objects"
set key top left
plot w4 using 1:2 title "bump (floor)", w4 using 1:3 title "alba_cursor_alloc", \
     w4 using 1:4 title "alba_alloc (locked)", \
     w4 using 1:5 title "alba_cursor_alloc, alba_reset_keep", \
     w4 using 1:6 title "alba_cursor_alloc, 1 GiB block cache"
unset multiplot
