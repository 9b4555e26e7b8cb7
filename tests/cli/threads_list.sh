#!/usr/bin/env bash
# threads_list.sh HEAPBENCH DIR: -t LIST runs a threaded workload at each
# thread count (a row set each, checksums judged per count), sweep makes a
# cell per count, and compare prints the throughput-by-threads table.
set -u
hb=$1 dir=$2
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
"$hb" run -q -a libc,pooled -w larson -t 1,2 -p scale=0.02 -r 2 --measure none -o rows.csv || fail "run -t 1,2 exited $?"
python3 - rows.csv <<'PY' || exit 1
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
got = collections.Counter((r["allocator"], r["threads"]) for r in rows)
want = {(a, t): 2 for a in ("libc", "pooled") for t in ("1", "2")}
if dict(got) != want:
    sys.exit(f"FAIL: rows {dict(got)}, expected {want}")
if any(r["status"] != "ok" for r in rows):
    sys.exit("FAIL: a run was not ok: " + ", ".join(r["status"] for r in rows))
PY
"$hb" compare rows.csv --baseline-allocator libc --no-verdict >table.txt || fail "compare exited $?"
grep -q "^workload  collector  allocator  1 thread  2 threads" table.txt || fail "no throughput-by-threads table"
grep -Eq "^larson +- +pooled +[0-9.]+ +[0-9.]+$" table.txt || fail "no pooled row in the scaling table"
# a sweep over two thread counts: the scaling plot, and the page with tables and plots
if command -v gnuplot >/dev/null; then
  "$hb" sweep -w larson -a libc,pooled -t 1,2 -r 1 -p scale=0.02 --measure none -o scal >/dev/null 2>&1 ||
    fail "sweep -t 1,2 exited $?"
  [ -s scal/scaling-larson.png ] || fail "no scaling plot"
  grep -q "<table>" scal/index.html && grep -q '<img src="scaling-larson.png"' scal/index.html &&
    grep -q '<img src="time.png"' scal/index.html || fail "index.html lacks the tables or the plots"
fi
n=$("$hb" sweep -w larson,glibc-simple -a libc -t 1,2,4 -r 1 --list | wc -l)
[ "$n" -eq 4 ] || fail "sweep -t 1,2,4 listed $n runs, expected 4 (3 for larson, 1 for single-threaded glibc-simple)"
# --warmup runs are discarded; --cpus pins; the summary says how busy the machine was
"$hb" run -q -a libc -w glibc-simple -p scale=0.01 -r 1 --warmup 2 --cpus 0 --measure none -o warm.csv ||
  fail "run --warmup --cpus exited $?"
[ "$(wc -l <warm.csv)" -eq 2 ] || fail "--warmup wrote $(($(wc -l <warm.csv) - 1)) rows, expected 1"
"$hb" sweep -w glibc-simple -a libc -r 1 -p scale=0.01 --warmup 1 --measure none --no-plots -o sw >/dev/null 2>&1 ||
  fail "sweep --warmup exited $?"
[ "$(wc -l <sw/results.csv)" -eq 2 ] || fail "sweep --warmup wrote warm-up rows"
grep -q "^Machine during the sweep: 1-minute load average up to [0-9.]* on [0-9]* CPUs, steal time" sw/summary.md ||
  fail "summary.md does not say how busy the machine was"
# --runs auto: between 5 and MAX runs a cell, interleaved round by round
"$hb" sweep -w glibc-simple -a libc,pooled --runs auto:7 -p scale=0.01 --measure none --no-plots -o auto >/dev/null 2>&1 ||
  fail "sweep --runs auto:7 exited $?"
python3 - auto/results.csv <<'PY' || exit 1
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
n = collections.Counter(r["allocator"] for r in rows)
if set(n) != {"libc", "pooled"} or not all(5 <= v <= 7 for v in n.values()):
    sys.exit(f"FAIL: runs per cell {dict(n)}, expected 5 to 7 each")
order = [r["allocator"] for r in rows[:4]]
if order != ["libc", "pooled", "libc", "pooled"]:
    sys.exit(f"FAIL: --runs auto did not interleave the cells: {order}")
PY
echo "ok: thread lists in run, sweep and compare; warm-up, pinning, busy note; --runs auto"
