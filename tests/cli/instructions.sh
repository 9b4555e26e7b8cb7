#!/usr/bin/env bash
# instructions.sh HEAPBENCH DIR: --measure instructions counts a single-
# threaded run's instructions under callgrind, total and inside the
# allocator's library, with the allocator under test still serving malloc;
# two runs agree within 1%.  77 (skipped) without valgrind.
set -u
hb=$1 dir=$2
command -v valgrind >/dev/null || { echo "skipped: valgrind is not installed"; exit 77; }
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
allocs=libc
"$hb" list allocators | cut -f1 | grep -qx mimalloc && allocs+=,mimalloc
"$hb" run -q -a "$allocs" -w glibc-simple -p scale=0.01 -r 2 --measure instructions -o rows.csv 2>err.txt ||
  fail "run --measure instructions exited $?: $(tail -1 err.txt)"
python3 - rows.csv <<'PY' || exit 1
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
by = collections.defaultdict(list)
for r in rows:
    if r["status"] != "ok" or not r["instructions"] or not r["alloc_instructions"]:
        sys.exit(f"FAIL: {r['allocator']}: status {r['status']}, instructions '{r['instructions']}', "
                 f"alloc_instructions '{r['alloc_instructions']}'")
    total, mine = int(r["instructions"]), int(r["alloc_instructions"])
    if not 0 < mine < total:
        sys.exit(f"FAIL: {r['allocator']}: {mine} of {total} instructions in the allocator")
    by[r["allocator"]].append(total)
for a, v in by.items():
    if len(v) != 2 or abs(v[0] - v[1]) > 0.01 * max(v):
        sys.exit(f"FAIL: {a}: two runs counted {v}: more than 1% apart")
if len(by) == 2 and by["libc"][0] == by["mimalloc"][0]:
    sys.exit("FAIL: libc and mimalloc counted the same: the allocator did not change")
PY
echo "ok: instruction counts, total and in the allocator, repeatable"
