#!/usr/bin/env bash
# shard_merge.sh HEAPBENCH DIR
# A sweep split into 3 shards and merged has exactly the runs of `sweep
# --list`, each once; the same through GNU parallel's local form when it is
# installed; merge refuses a run given twice and a foreign file, writing
# nothing.
set -u
hb=$1 dir=$2
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
args=(-w glibc-simple,random-churn,larson,cycle-pairs -a libc,pooled -c refcount,generational -r 2 -t 2
      -p scale=0.02 --measure none --no-plots)
"$hb" sweep "${args[@]}" --list | sort >list.txt || fail "--list exited $?"
[ "$(wc -l <list.txt)" -ge 12 ] || fail "--list printed $(wc -l <list.txt) runs"
: >shards.txt
for k in 1 2 3; do
  "$hb" sweep "${args[@]}" --shard "$k/3" --list >>shards.txt || fail "--shard $k/3 --list exited $?"
  "$hb" sweep "${args[@]}" --shard "$k/3" -o "s$k" 2>/dev/null || fail "shard $k exited $?"
done
sort shards.txt | diff -q - list.txt >/dev/null || fail "the shards' lists are not the whole list, each run once"
"$hb" merge --no-plots -o merged s1 s2 s3 2>/dev/null || fail "merge exited $?"
runs() { # the identity of every row of a results file, as --list prints it
  python3 - "$1" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print("\t".join([r["workload"], r["allocator"], r["collector"] or "-", r["threads"], r["params"], r["run"]]))
PY
}
runs merged/results.csv | sort | diff - list.txt >/dev/null || fail "the merged runs are not exactly those of --list"
[ -s merged/summary.md ] || fail "merge wrote no summary.md"
# refusals: exit 2, one line, nothing written
"$hb" merge -o same s1 s1/results.csv 2>err.txt; rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && grep -q "the same input was given twice: s1/results.csv and s1/results.csv" err.txt &&
  [ ! -e same/results.csv ] || fail "the same input given twice: exit $rc, $(cat err.txt)"
cp s1/results.csv copy.csv
"$hb" merge -o twice s1 copy.csv 2>err.txt; rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && grep -q "appears again" err.txt && [ ! -e twice/results.csv ] ||
  fail "a run given twice: exit $rc, $(cat err.txt)"
printf 'a,b\n1,2\n' >foreign.csv
"$hb" merge -o foreign s1 foreign.csv 2>err.txt; rc=$?
[ "$rc" -eq 2 ] && grep -q "foreign.csv: line 1" err.txt && [ ! -e foreign/results.csv ] ||
  fail "a foreign file: exit $rc, $(cat err.txt)"
python3 - s2/results.csv other.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
i = rows[0].index("cpu_model")
for r in rows[1:]:
    r[i] = "Another CPU"
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(rows)
PY
"$hb" merge -o mixed s1 other.csv 2>err.txt; rc=$?
[ "$rc" -eq 2 ] && grep -q "other.csv: line 2: CPU model 'Another CPU'" err.txt && [ ! -e mixed/results.csv ] ||
  fail "a file from another CPU model: exit $rc, $(cat err.txt)"
"$hb" merge --allow-mixed-hosts -o mixed2 s1 other.csv 2>/dev/null || fail "merge --allow-mixed-hosts exited $?"
[ -s mixed2/by-host/1/summary.md ] && [ -s mixed2/by-host/2/summary.md ] && grep -q "from 2 machines" mixed2/summary.md ||
  fail "--allow-mixed-hosts did not give one summary per machine"
[ "$(($(wc -l <mixed2/by-host/1/results.csv) + $(wc -l <mixed2/by-host/2/results.csv) - 2))" -eq \
  "$(($(wc -l <mixed2/results.csv) - 1))" ] || fail "the per-machine files do not split the rows"
"$hb" sweep "${args[@]}" --shard 4/3 --list >/dev/null 2>err.txt; rc=$?
[ "$rc" -eq 2 ] || fail "--shard 4/3: exit $rc"
# GNU parallel's local form (docs/scale-out.md)
if command -v parallel >/dev/null; then
  parallel --will-cite "$hb" sweep "${args[@]}" --shard {}/3 -o p{} ::: 1 2 3 2>/dev/null || fail "parallel exited $?"
  "$hb" merge --no-plots -o pmerged p1 p2 p3 2>/dev/null || fail "merge of parallel's shards exited $?"
  runs pmerged/results.csv | sort | diff - list.txt >/dev/null || fail "parallel's merged runs are not those of --list"
fi
"$hb" report --no-plots merged 2>/dev/null || fail "report exited $?"
echo "ok: 3 shards merged into exactly the runs of --list"
