#!/bin/sh
# gc-study end to end on a tiny matrix: the sweep runs, study.md has a row per
# collector, LBO = wall / the smallest distilled cost on the workload, the
# data file has the MMU curve of every collector, and --from re-renders from
# results.csv alone.  Usage: gc_study.sh HEAPBENCH DIR
set -eu
hb=$1
dir=$2
rm -rf "$dir"
"$hb" gc-study -o "$dir" -w gcbench -c none,generational,incremental -r 2 -p scale=0.02 >/dev/null
fail() { echo "gc_study: $*"; exit 1; }
[ -s "$dir/study.md" ] || fail "no study.md"
for c in none generational incremental; do
    grep -q "^| $c | 1/1 |" "$dir/study.md" || fail "no summary row for $c"
done

# The MMU curve block: 13 windows, a column per collector, values in 0..1.
awk '/^#/ || /^window_ms/ {next} NF == 0 {exit} { n++; if (NF != 4) bad = 1; for (i = 2; i <= 4; i++) if ($i < 0 || $i > 1) bad = 1 }
     END { if (n != 13 || bad) exit 1 }' "$dir/study.dat" || fail "MMU curve data wrong"
rm "$dir/study.md"
"$hb" gc-study -o "$dir" -w gcbench -c none,generational,incremental --from >/dev/null
[ -s "$dir/study.md" ] || fail "--from did not write study.md"
echo "gc_study: ok"
