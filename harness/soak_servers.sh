#!/usr/bin/env bash
# soak_servers.sh: every allocator through the server soaks (redis-soak,
# memcached-soak; harness/server_soak.c, docs/real.md "Server soaks").
#
#   bash harness/soak_servers.sh [-a ALLOCS] [-w SOAKS] [-d SECONDS] [--rate N] [--conns N] [-o DIR]
#
# One `heapbench run` per allocator and soak, allocators interleaved (each
# allocator runs both soaks before the next one starts), rows appended to
# DIR/results.csv, the memory timeline of each run to
# DIR/timeline-<soak>-<allocator>.csv and its latency curve to
# DIR/latency-<soak>-<allocator>.csv (the names a sweep gives them).
# Exit status: 0 every run ok, 1 a run failed, 2 bad input.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HB="${HEAPBENCH:-$ROOT/build/heapbench}"
allocs=libc,pooled,jemalloc,mimalloc,tcmalloc,tbbmalloc,scudo
soaks=redis-soak,memcached-soak
dur=120 rate=2000 conns=32 out=results/soak/servers
usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  echo "defaults: -a $allocs -w $soaks -d $dur --rate $rate --conns $conns -o $out"
}
bad() { echo "soak_servers.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -a) [ $# -ge 2 ] || bad "-a needs a list"; allocs=$2; shift 2 ;;
    -w) [ $# -ge 2 ] || bad "-w needs a list"; soaks=$2; shift 2 ;;
    -d) [[ ${2:-} =~ ^[0-9]+$ ]] || bad "-d needs whole seconds"; dur=$2; shift 2 ;;
    --rate) [[ ${2:-} =~ ^[0-9]+$ ]] || bad "--rate needs requests per second"; rate=$2; shift 2 ;;
    --conns) [[ ${2:-} =~ ^[0-9]+$ ]] || bad "--conns needs a count"; conns=$2; shift 2 ;;
    -o) [ $# -ge 2 ] || bad "-o needs a directory"; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) bad "unknown argument '$1' (see --help)" ;;
  esac
done
[ -x "$HB" ] || bad "no heapbench at $HB (build first, or set HEAPBENCH)"
mkdir -p "$out" || bad "cannot create $out"
status=0
for a in ${allocs//,/ }; do
  for w in ${soaks//,/ }; do
    echo "$(date -u +%H:%M:%S) $w on $a, ${dur} s at $rate/s" >&2
    "$HB" run -q -a "$a" -w "$w" -p "duration=$dur" -p "rate=$rate" -p "conns=$conns" \
      --timeout $((dur * 3 + 60)) --timeline "$out/timeline-$w-$a.csv" -o "$out/results.csv" || status=1
  done
done
exit $status
