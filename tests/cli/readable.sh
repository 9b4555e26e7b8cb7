#!/usr/bin/env bash
# readable.sh HEAPBENCH DIR SOURCE_DIR: output a person reads.
#   - sweep -o and merge -o create missing parents; merge refuses the same
#     input twice; a merge of shards keeps the memory timelines
#   - compare --baseline-allocator of single runs prints no spread table, a
#     row only the baseline ran is left out and counted, and the geometric
#     mean is over the rows every column ran
#   - run's table names its spread column cv
#   - index.html: no literal **, tables in their own scrolling box
#   - plots.gp: every allocator its own colour
#   - describe --help, heapbench --help lists list programs and columns
#   - harness/slurm.sh: exit 2 for no Slurm here, 1 for a refused submission
set -u
hb=$1 dir=$2 src=$3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# parents, same input twice, timelines through a merge
collectors=refcount
boehm=0
if "$hb" list collectors | cut -f1 | grep -qx boehm; then collectors=refcount,boehm boehm=1; fi
args=(-w glibc-simple,cycle-pairs -a libc,pooled,naive -c "$collectors" -r 1 -p scale=0.02)
for k in 1 2; do
  "$hb" sweep "${args[@]}" --shard "$k/2" --no-plots -o "a/b/s$k" >/dev/null 2>&1 || fail "sweep -o a/b/s$k exited $?"
done
[ -s a/b/s1/results.csv ] || fail "sweep -o a/b/s1 did not create the missing parents"
ls a/b/s*/timeline-*.csv >/dev/null 2>&1 || fail "the shards wrote no memory timeline"
"$hb" merge -o x/y/merged a/b/s1 a/b/s2 >out.txt 2>err.txt || fail "merge -o x/y/merged exited $?: $(cat err.txt)"
for t in a/b/s*/timeline-*.csv; do
  [ -s "x/y/merged/$(basename "$t")" ] || fail "merge lost the timeline $(basename "$t")"
done
grep -q "timeline-" x/y/merged/plots.gp || fail "the merged plots.gp has no memory-over-time plot"
"$hb" merge -o twice a/b/s1 a/b/s1/results.csv 2>err.txt && fail "merge of the same input twice exited 0"
grep -q "the same input was given twice" err.txt || fail "merge A A says: $(cat err.txt)"

# colours: one per allocator, all different
n=$(grep -c "^set linetype [0-9]* lc rgb" x/y/merged/plots.gp)
u=$(grep "^set linetype [0-9]* lc rgb" x/y/merged/plots.gp | awk '{ print $6 }' | sort -u | wc -l)
[ "$n" -ge 9 ] && [ "$n" = "$u" ] || fail "plots.gp: $n line types, $u distinct colours"

# index.html
html=x/y/merged/index.html
[ -s "$html" ] || fail "no index.html"
grep -q '\*\*' "$html" && fail "index.html shows a literal **"
grep -q '<div class="t"><table>' "$html" || fail "index.html: a table outside its scrolling box"
grep -q 'overflow-x:auto' "$html" || fail "index.html: the table box does not scroll"

# compare of single runs: no spread table, the boehm-like row left out, common-row mean
"$hb" compare x/y/merged/results.csv --baseline-allocator libc --no-verdict >cmp.txt 2>&1 || fail "compare exited $?"
grep -q "^spread of time" cmp.txt && fail "a spread table for cells of one run each"
grep -Eq "^geometric mean \([0-9]+ rows? every column ran\)" cmp.txt || fail "no geometric mean over common rows"
grep -Eq "^cycle-pairs +refcount " cmp.txt || fail "cycle-pairs row missing: $(cat cmp.txt)"
if [ "$boehm" = 1 ]; then # boehm brings its own allocator: its row has libc only, left out and counted
  grep -Eq "^cycle-pairs +boehm" cmp.txt && fail "a row of the baseline alone (boehm) is shown"
  grep -q "^1 row where only one allocator ran" cmp.txt || fail "the left-out boehm row is not counted: $(cat cmp.txt)"
fi

# run's table
"$hb" run -a libc -w glibc-simple -p scale=0.01 -r 2 -o run.csv >run.txt 2>/dev/null || fail "run exited $?"
grep -Eq "^allocator +collector +runs +wall_s +cv " run.txt || fail "run's table has no cv column: $(head -1 run.txt)"

# help
"$hb" describe --help >help.txt 2>&1 || fail "describe --help exited $?"
grep -q "^usage: heapbench describe WORKLOAD" help.txt || fail "describe --help: $(cat help.txt)"
"$hb" --help | grep -q "heapbench list allocators|collectors|workloads|programs|columns" ||
  fail "heapbench --help does not list list programs and list columns"

# slurm.sh: no Slurm here (2) against a refused submission (1)
mkdir -p fake/none fake/down fake/up
for b in bash dirname seq; do ln -sf "$(type -P $b)" fake/none/$b; done
printf '#!/bin/sh\necho "slurm_load_partitions: Unable to contact slurm controller" >&2\nexit 1\n' >fake/down/sinfo
printf '#!/bin/sh\nexit 0\n' >fake/up/sinfo
printf '#!/bin/sh\necho "sbatch: error: Batch job submission failed: Invalid account" >&2\nexit 1\n' >fake/down/sbatch
cp fake/down/sbatch fake/up/sbatch
chmod +x fake/down/* fake/up/*
sargs=(-n 2 -o slurm-out --heapbench "$hb" -- -w glibc-simple -a libc -r 1 -p scale=0.01 --measure none)
PATH="$PWD/fake/none:/usr/bin:/bin" bash -c 'command -v sbatch' >/dev/null 2>&1 && have_sbatch=1 || have_sbatch=0
if [ "$have_sbatch" = 0 ]; then
  PATH="$PWD/fake/none:/usr/bin:/bin" bash "$src/harness/slurm.sh" "${sargs[@]}" 2>err.txt; rc=$?
  [ "$rc" = 2 ] && grep -q "no Slurm here: sbatch is not installed" err.txt || fail "without sbatch: exit $rc, $(cat err.txt)"
fi
PATH="$PWD/fake/down:$PATH" bash "$src/harness/slurm.sh" "${sargs[@]}" 2>err.txt; rc=$?
[ "$rc" = 2 ] && grep -q "no Slurm here: no controller answers sinfo" err.txt || fail "no controller: exit $rc, $(cat err.txt)"
PATH="$PWD/fake/up:$PATH" bash "$src/harness/slurm.sh" "${sargs[@]}" 2>err.txt; rc=$?
[ "$rc" = 1 ] && grep -q "sbatch of the array failed" err.txt || fail "a refused submission: exit $rc, $(cat err.txt)"
echo "ok: parents, same input twice, timelines, colours, index.html, compare, cv, help, slurm.sh exit codes"
