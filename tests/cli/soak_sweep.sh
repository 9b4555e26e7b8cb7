#!/usr/bin/env bash
# soak_sweep.sh HEAPBENCH DIR
# A two-second soak sweep over two allocators: --duration reaches the
# workload (params column), the progress shows the phases, and the sweep
# leaves the soak's timelines, latency curves, plots (when gnuplot is
# installed), a Soaks table in summary.md, and index.html showing the plots.
set -u
hb=$1; dir=$2
rm -rf "$dir"
fail() { echo "FAIL: $*"; exit 1; }
"$hb" sweep -w service-soak -a libc,pooled -t 2 -r 1 -p scale=0.02 --duration 2 --measure latency \
    -o "$dir" 2>"$dir.err" || { cat "$dir.err"; fail "sweep failed"; }
grep -q "clean pass: phase steady" "$dir.err" || fail "no phase in the progress lines"
grep -q "instrumented pass: phase idle" "$dir.err" || fail "no phase of the instrumented pass"
grep -q "duration=2;" "$dir/results.csv" || fail "--duration did not reach the params column"
for a in libc pooled; do
  [ -s "$dir/timeline-service-soak-$a.csv" ] || fail "no timeline for $a"
  head -1 "$dir/latency-service-soak-$a.csv" | grep -qx "percentile,latency_ns" || fail "no latency file for $a"
  grep -q "^| service-soak | $a | 2 | [0-9]" "$dir/summary.md" || fail "no Soaks row for $a in summary.md"
done
grep -q "^## Soaks" "$dir/summary.md" || fail "no Soaks table"
if command -v gnuplot >/dev/null; then
  for p in soak-memory-service-soak latency-service-soak; do
    [ -s "$dir/$p.png" ] || fail "no $p.png"
    grep -q "$p.png" "$dir/index.html" || fail "index.html does not show $p.png"
  done
fi
rm -rf "$dir" "$dir.err"
echo ok
