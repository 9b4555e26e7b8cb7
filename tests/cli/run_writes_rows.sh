#!/usr/bin/env bash
# run_writes_rows.sh HEAPBENCH OUT: glibc-simple at a small scale on libc and
# bump, twice each: the CSV has the header and four rows of as many fields,
# every status ok, one checksum, and the table lists both allocators.
set -u
hb=$1; out=$2
rm -f "$out"
table=$("$hb" run -a libc,bump -w glibc-simple -p scale=0.01 -r 2 -o "$out" 2>/dev/null) || { echo "FAIL: exit $?"; exit 1; }
echo "$table"
awk -F, '
  NR==1 { n=NF; for(i=1;i<=NF;i++){ if($i=="checksum")c=i; if($i=="status")s=i }; next }
  { if (NF!=n) { print "FAIL: row " NR-1 " has " NF " fields, header " n; bad=1 }
    if ($s!="ok") { print "FAIL: row " NR-1 " status " $s; bad=1 }
    sums[$c]=1; rows++ }
  END { k=0; for (x in sums) k++
        if (rows!=4) { print "FAIL: " rows " rows, expected 4"; bad=1 }
        if (k!=1) { print "FAIL: " k " different checksums"; bad=1 }
        exit bad }' "$out" || exit 1
echo "$table" | grep -q "^libc " && echo "$table" | grep -q "^bump " || { echo "FAIL: table lacks an allocator"; exit 1; }
echo ok
