#!/usr/bin/env bash
# check_workload.sh HEAPBENCH WORKLOAD ALLOCATORS COLLECTORS [SCALE] [EXTRA -p ARGS...]
# Runs WORKLOAD at a small scale on every allocator (and, for collector
# workloads, under every collector), one run each, and passes when every run
# is ok and every checksum is the same.
set -u
hb=$1; wl=$2; allocs=$3; collectors=$4; scale=${5:-0.05}
shift 5 2>/dev/null || shift $#
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if "$hb" describe "$wl" | grep -q "needs -c"; then
  cs=${collectors//,/ }
else
  cs="-"
fi
[ -n "$cs" ] || { echo "no collector built for collector workload $wl"; exit 1; }
status=0
for c in $cs; do
  copt=()
  [ "$c" = "-" ] || copt=(-c "$c")
  threads=()
  "$hb" describe "$wl" | grep -q "threaded" && threads=(-t 2)
  "$hb" run -q -a "$allocs" -w "$wl" "${copt[@]}" "${threads[@]}" -p scale="$scale" "$@" \
      --measure none --timeout 300 -o "$out" || status=1
done
awk -F, 'NR==1{for(i=1;i<=NF;i++){if($i=="checksum")c=i;if($i=="status")s=i;if($i=="allocator")a=i;if($i=="collector")g=i}next}
         {print $a, ($g==""?"-":$g), $c, $s}' "$out" | tee /dev/stderr >/dev/null
bad=$(awk -F, 'NR==1{for(i=1;i<=NF;i++){if($i=="status")s=i}next} $s!="ok"' "$out" | wc -l)
sums=$(awk -F, 'NR==1{for(i=1;i<=NF;i++){if($i=="checksum")c=i}next}{print $c}' "$out" | sort -u | wc -l)
rows=$(($(wc -l <"$out") - 1))
if [ "$rows" -lt 1 ]; then echo "FAIL: no rows"; exit 1; fi
if [ "$bad" -ne 0 ] || [ "$status" -ne 0 ]; then echo "FAIL: $bad of $rows runs not ok"; exit 1; fi
if [ "$sums" -ne 1 ]; then echo "FAIL: $sums different checksums over $rows runs"; exit 1; fi
echo "ok: $rows runs, one checksum"
