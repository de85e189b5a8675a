set terminal pngcairo size 800,520 font ',10'
set datafile missing 'NA'
set grid; set key top left; set yrange [0:*]; set ylabel 'efficiency T(1 site) / T(sites)'
set output 'eff-vs-n.png'
set title 'N-body efficiency vs N (4 ranks, ring, 4 steps, 8192: 1 run, others median of 3)'
set xlabel 'N (particles)'; set logscale x 2
plot 'eff-vs-n.dat' using 1:2 with linespoints lw 2 title 'DWCP-MPI, 4 sites (planet4)', 'eff-vs-n.dat' using 1:3 with linespoints lw 2 dt 2 title 'Open MPI, 4 sites (planet4)'
unset logscale x
set output 'eff-vs-rtt.png'
set title 'N-body efficiency vs RTT (2 sites, N=16384, 4 ranks, ring, 1gbit)'
set xlabel 'round-trip time (ms)'; set key top right
plot 'eff-vs-rtt.dat' using 1:2 with linespoints lw 2 title 'DWCP-MPI', 'eff-vs-rtt.dat' using 1:3 with linespoints lw 2 dt 2 title 'Open MPI'
