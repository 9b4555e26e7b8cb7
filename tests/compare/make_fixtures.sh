#!/usr/bin/env bash
# make_fixtures.sh HEAPBENCH OUTDIR
# Writes the CSV fixtures of the compare tests into OUTDIR, with the header
# and column order of `HEAPBENCH list columns`, so they follow the schema.
# A row is given as COLUMN=VALUE words; the other columns get defaults
# (schema version, a version string, threads 1, scale=1, status ok) or stay
# empty.
set -eu
hb=$1; out=$2
mkdir -p "$out"
mapfile -t cols < <("$hb" list columns | cut -f1)
[ "${#cols[@]}" -gt 10 ] || { echo "cannot get the column list from $hb" >&2; exit 1; }
schema=$("$hb" list columns | sed -n 's/^schema\t.*(\([0-9][0-9]*\)).*/\1/p')
[ -n "$schema" ] || schema=1

header() { (IFS=,; echo "${cols[*]}"); }

# row KEY=VALUE... : one CSV line in column order.
row() {
    declare -A v=([schema]=$schema [heapbench]=fixture [threads]=1 [params]="scale=1" [status]=ok
                  [checksum]=00000000deadbeef)
    local kv
    for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
    local line="" c
    for c in "${cols[@]}"; do line+="${v[$c]:-},"; done
    echo "${line%,}"
}

# cell WORKLOAD ALLOCATOR COLLECTOR "WALL..." RSS [KEY=VALUE...]: one row per
# wall time; peak RSS grows by 1 KiB per run so it is not all ties.
cell() {
    local w=$1 a=$2 c=$3 walls=$4 rss=$5; shift 5
    local i=1 t
    for t in $walls; do
        row workload="$w" allocator="$a" collector="$c" run=$i wall_s="$t" ops=1000000 \
            peak_rss_kib=$((rss + i)) baseline_rss_kib=2000 overhead_ratio=1.25 "$@"
        i=$((i + 1))
    done
}

W5="1.00 1.01 0.99 1.02 0.98"
base_cells() {
    cell glibc-simple libc "" "$W5" 10000
    cell glibc-simple pooled "" "0.50 0.51 0.49 0.52 0.48" 8000
    cell binary-trees libc generational "2.00 2.02 1.98 2.04 1.96" 30000
}
{ header; base_cells; } >"$out/base.csv"
cp "$out/base.csv" "$out/same.csv"

# 20% slower, clearly separated: a regression.
{ header
  cell glibc-simple libc "" "1.20 1.21 1.19 1.22 1.18" 10000
  cell glibc-simple pooled "" "0.50 0.51 0.49 0.52 0.48" 8000
  cell binary-trees libc generational "2.00 2.02 1.98 2.04 1.96" 30000
} >"$out/regression.csv"

# 12% slower and significant, but one run in five far off: a spread (14%)
# larger than the change, which the verdict must say.
{ header
  cell glibc-simple libc "" "1.10 1.12 1.50 1.11 1.13" 10000
} >"$out/noisy.csv"

# The same spread, reshuffled and nudged by under 2%: noise.
{ header
  cell glibc-simple libc "" "0.99 1.03 1.00 0.98 1.01" 10001
  cell glibc-simple pooled "" "0.51 0.49 0.50 0.48 0.52" 7999
  cell binary-trees libc generational "2.01 1.97 2.03 1.99 2.00" 30002
} >"$out/noise.csv"

# 20% faster and 30% less memory: an improvement.
{ header
  cell glibc-simple libc "" "0.80 0.81 0.79 0.82 0.78" 7000
  cell glibc-simple pooled "" "0.50 0.51 0.49 0.52 0.48" 8000
  cell binary-trees libc generational "2.00 2.02 1.98 2.04 1.96" 30000
} >"$out/improvement.csv"

# 3% slower on every run: significant (p = 2/252) but below the 5% threshold.
{ header
  cell glibc-simple libc "" "1.03 1.04 1.035 1.045 1.032" 10000
  cell glibc-simple pooled "" "0.50 0.51 0.49 0.52 0.48" 8000
  cell binary-trees libc generational "2.00 2.02 1.98 2.04 1.96" 30000
} >"$out/small_shift.csv"

# 30% more memory under the collector: a memory regression.
{ header
  cell glibc-simple libc "" "$W5" 10000
  cell glibc-simple pooled "" "0.50 0.51 0.49 0.52 0.48" 8000
  cell binary-trees libc generational "2.00 2.02 1.98 2.04 1.96" 39000
} >"$out/memory.csv"

# pooled crashed in NEW.
{ header
  cell glibc-simple libc "" "$W5" 10000
  row workload=glibc-simple allocator=pooled run=1 status=crash
  row workload=glibc-simple allocator=pooled run=2 status=crash
  cell binary-trees libc generational "2.00 2.02 1.98 2.04 1.96" 30000
} >"$out/crash.csv"

# One run a side: judged by the threshold alone.
{ header; cell glibc-simple libc "" "1.00" 10000; } >"$out/one_base.csv"
{ header; cell glibc-simple libc "" "1.30" 10000; } >"$out/one_slow.csv"
{ header; cell glibc-simple libc "" "1.02" 10000; } >"$out/one_same.csv"

# Two parameter settings of one workload, and a cell only in NEW.
{ header
  cell glibc-simple libc "" "$W5" 10000 params="scale=1"
  cell glibc-simple libc "" "2.00 2.02 1.98 2.04 1.96" 10000 params="scale=2"
} >"$out/params_base.csv"
{ header
  cell glibc-simple libc "" "$W5" 10000 params="scale=1"
  cell glibc-simple libc "" "2.40 2.42 2.38 2.44 2.36" 10000 params="scale=2"
  cell glibc-simple bump "" "$W5" 10000 params="scale=1"
} >"$out/params_new.csv"

# One file, several allocators, for --baseline-allocator.
{ header
  cell glibc-simple libc "" "$W5" 10000
  cell glibc-simple pooled "" "0.50 0.51 0.49 0.52 0.48" 5000
  cell glibc-simple naive "" "1.50 1.51 1.49 1.52 1.48" 12000
  cell binary-trees libc generational "2.00 2.02 1.98 2.04 1.96" 30000
  cell binary-trees pooled generational "1.00 1.01 0.99 1.02 0.98" 15000
  row workload=binary-trees allocator=naive collector=generational run=1 status=timeout
} >"$out/matrix.csv"

# --frontier: pooled against the best anchor of each row, the answer known by
# construction (3 runs a cell; peak RSS medians are the given value + 2 KiB).
#   glibc-simple: fastest jemalloc 0.80, pooled 0.88 -> time 1.100 (over);
#                 leanest mimalloc 8000, pooled 8000 -> RSS 1.000
#   larson (2 threads): fastest tcmalloc 1.00, pooled 0.90 -> 0.900; leanest
#                 libc 20000, pooled 25000 -> RSS 1.250 (over)
#   malloc-large: libc 1.00, pooled runs 0.80/1.10/1.40 -> time 1.100 (over),
#                 spread 27% > gap 10%; RSS 1.000
#   xmalloc-test: pooled crashed: a row with no ratio, over
#   cache-scratch: no anchor ran ok (libc timed out, naive is no anchor): left out
#   lua (a real program): fastest mimalloc 0.50, pooled 0.50 -> 1.000;
#                 leanest mimalloc 30000, pooled 22500 -> 0.750
#   binary-trees/generational: libc 2.00 and 30000, pooled half: 0.500, 0.500
#   binary-trees/boehm: libc only: pooled did not run, left out
{ header
  cell glibc-simple libc "" "1.00 1.01 0.99" 9998
  cell glibc-simple jemalloc "" "0.80 0.81 0.79" 11998
  cell glibc-simple mimalloc "" "0.90 0.91 0.89" 7998
  cell glibc-simple pooled "" "0.88 0.89 0.87" 7998
  cell larson libc "" "2.00 2.02 1.98" 19998 threads=2
  cell larson tcmalloc "" "1.00 1.01 0.99" 39998 threads=2
  cell larson pooled "" "0.90 0.91 0.89" 24998 threads=2
  cell malloc-large libc "" "1.00 1.01 0.99" 9998
  cell malloc-large pooled "" "0.80 1.10 1.40" 9998
  cell xmalloc-test libc "" "1.00 1.01 0.99" 9998 threads=2
  row workload=xmalloc-test allocator=pooled threads=2 run=1 status=crash
  row workload=xmalloc-test allocator=pooled threads=2 run=2 status=crash
  row workload=cache-scratch allocator=libc run=1 status=timeout
  cell cache-scratch naive "" "1.00 1.01 0.99" 9998
  cell cache-scratch pooled "" "1.00 1.01 0.99" 9998
  cell lua libc "" "1.00 1.01 0.99" 39998
  cell lua mimalloc "" "0.50 0.51 0.49" 29998
  cell lua pooled "" "0.50 0.505 0.495" 22498
  cell binary-trees libc generational "2.00 2.02 1.98" 29998
  cell binary-trees pooled generational "1.00 1.01 0.99" 14998
  cell binary-trees libc boehm "3.00 3.03 2.97" 49998
} >"$out/frontier.csv"
# No anchor at all.
{ header
  cell glibc-simple pooled "" "$W5" 10000
  cell glibc-simple naive "" "$W5" 10000
} >"$out/frontier_noanchor.csv"
# --frontier-time cpu: user_s + sys_s.  libc: wall 1.00, CPU 0.50 + 0.10;
# pooled: wall 0.90 (time 0.900), CPU 0.60 + 0.12 (time 1.200, over).
{ header
  for r in 1 2 3; do
    row workload=glibc-simple allocator=libc run=$r wall_s=1.00 user_s=0.50 sys_s=0.10 peak_rss_kib=1000
    row workload=glibc-simple allocator=pooled run=$r wall_s=0.90 user_s=0.60 sys_s=0.12 peak_rss_kib=1000
  done
} >"$out/frontier_cpu.csv"

# No cell in common with base.csv.
{ header; cell larson jemalloc "" "$W5" 10000 threads=4; } >"$out/other.csv"

# ---- malformed files ---------------------------------------------------------
: >"$out/empty.csv"
header >"$out/header_only.csv"
# No wall_s column (header and rows).
{ header; base_cells; } | awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") k = i }
    { out = ""; sep = ""; for (i = 1; i <= NF; i++) if (i != k) { out = out sep $i; sep = "," }; print out }' \
    >"$out/missing_column.csv"
{ header; cell glibc-simple libc "" "1.00" 10000; cell glibc-simple libc "" "fast" 10000; } >"$out/wrong_type.csv"
{ header; cell glibc-simple libc "" "1.00" 10000; cell glibc-simple libc "" "1.00" 10000 | sed 's/,[^,]*$//'; } \
    >"$out/ragged.csv"
{ header; cell glibc-simple libc "" "1.00 1.01" 10000 status=exploded; } >"$out/bad_status.csv"
{ header; cell glibc-simple libc "" "1.00" 10000 params='"scale=1'; } >"$out/bad_quote.csv"
# A file of the next schema version: one more column, and that version in the schema column.
{ echo "$(header),new_column"
  row workload=glibc-simple allocator=libc run=1 wall_s=1 schema=$((schema + 1)) | sed 's/$/,7/'; } >"$out/schema-next.csv"
# Cut off in the middle of its last line.
{ header; cell glibc-simple libc "" "$W5" 10000; } | head -c -40 >"$out/truncated.csv"
echo "fixtures written to $out"
