#!/usr/bin/env bash
# program_test.sh HEAPBENCH PROGRAM DIR: one real program as a workload.
# `heapbench run -w PROGRAM` at a small scale on the drop-in pooled and on
# mimalloc (and libc where glibc can serve the program's malloc): every row
# ok with one checksum, the allocator proven live inside the program by the
# probe, and no process of the run left behind.  77 (skipped) when the
# program is not installed: the row says skip and run exits 0.
set -uo pipefail
hb=$1 prog=$2 dir=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
if "$hb" list programs | awk -F'\t' -v p="$prog" '$1 == p && $3 == "not installed" { found = 1 } END { exit !found }'; then
  "$hb" run -q -a pooled -w "$prog" -p scale=0.02 -o "$dir/skip.csv" || fail "a program not installed made run fail"
  grep -q ',skip$' "$dir/skip.csv" || fail "no skip row for a program not installed"
  echo "skipped: $prog is not installed"
  exit 77
fi
allocs=pooled
"$hb" list allocators | cut -f1 | grep -qx mimalloc && allocs+=,mimalloc
[ "$prog" = redis ] || allocs="libc,$allocs" # Debian's redis links jemalloc: glibc cannot serve it
case "$prog" in
  lua) bin=lua5.4 ;; sqlite) bin=sqlite3 ;; redis) bin=redis-server ;; rocksdb) bin=db_bench ;;
  python*) bin=python3.11 ;; *) bin=$prog ;;
esac
. "$(dirname "${BASH_SOURCE[0]}")/session.sh" # live, gone, run_in_session
run_in_session "$dir/sid" run -q -a "$allocs" -w "$prog" -p scale=0.05 -r 1 -o "$dir/rows.csv" 2>"$dir/err.txt" ||
  fail "heapbench run exited $?: $(cat "$dir/err.txt")"
sid=$(cat "$dir/sid")
python3 - "$dir/rows.csv" "$allocs" <<'PY' || exit 1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
want = sys.argv[2].split(",")
if sorted(r["allocator"] for r in rows) != sorted(want):
    sys.exit(f"FAIL: rows for {[r['allocator'] for r in rows]}, expected {want}")
bad = [f"{r['allocator']}: {r['status']}" for r in rows if r["status"] != "ok"]
if bad:
    sys.exit("FAIL: not ok: " + "; ".join(bad))
sums = {r["checksum"] for r in rows}
if len(sums) != 1 or "" in sums:
    sys.exit(f"FAIL: checksums differ or are empty: {sums}")
PY
# nothing of the run survives it (servers included)
gone "$sid" || fail "processes of the run left behind: $(ps -o pid=,comm= -s "$sid" | tr '\n' ' ')"
# a server dies with heapbench, even when heapbench is killed outright
if [ "$prog" = memcached ] || [ "$prog" = redis ]; then
  rm -f "$dir/sid"
  run_in_session "$dir/sid" run -q -a pooled -w "$prog" -p scale=2 -o "$dir/killed.csv" 2>/dev/null &
  bgpid=$!
  server=""
  for _ in $(seq 600); do # up to 60 s: a busy machine starts a server slowly
    if [ -s "$dir/sid" ]; then
      sid=$(cat "$dir/sid")
      server=$(ps -o pid=,comm= -s "$sid" | awk -v b="$bin" '$2 == b { print $1 }')
      [ -n "$server" ] && break
    fi
    sleep 0.1
  done
  [ -n "$server" ] || fail "the server never started"
  kill -9 "$sid" # the session's leader is heapbench itself (bash exec'd it)
  wait "$bgpid" 2>/dev/null
  gone "$sid" || fail "$bin outlived a killed heapbench: $(ps -o pid=,comm= -s "$sid" | tr '\n' ' ')"
fi
echo "ok: $prog on $allocs, one checksum"
