#!/usr/bin/env bash
# external_alloc.sh HEAPBENCH LIB_A LIB_B DIR SOURCE_DIR
# Allocators given by path, end to end.  LIB_A and LIB_B are two malloc
# libraries; they are copied into DIR under names heapbench has never seen
# (libmine.so, and LIB_B as old=...), so that nothing about them is known.
set -u
hb=$1 liba=$2 libb=$3 dir=$4 src=$5
rm -rf "$dir" && mkdir -p "$dir" || exit 1
cd "$dir" || exit 1
cp "$liba" libmine.so && cp "$libb" libother.so || exit 1
fail() { echo "FAIL: $*"; exit 1; }
col() { # col FILE NAME: the index (1-based) of column NAME
  head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1
}
field() { # field FILE NAME: column NAME of every data row
  local c; c=$(col "$1" "$2"); tail -n +2 "$1" | cut -d, -f"$c"
}
sha_a=$(sha256sum libmine.so | cut -d' ' -f1)
sha_b=$(sha256sum libother.so | cut -d' ' -f1)

# run: A/B interleaved, NAME=PATH and a bare path (named after its file).
"$hb" run -q -a old=./libother.so,./libmine.so -w glibc-simple -p scale=0.05 -r 3 --measure none -o run.csv \
  || fail "run exited $?"
[ "$(field run.csv allocator | tr '\n' ' ')" = "old mine old mine old mine " ] \
  || fail "runs not interleaved old, mine, ...: $(field run.csv allocator | tr '\n' ' ')"
[ "$(field run.csv alloc_path | sort -u | tr '\n' ' ')" = "$dir/libmine.so $dir/libother.so " ] \
  || fail "alloc_path: $(field run.csv alloc_path | sort -u | tr '\n' ' ')"
c=$(col run.csv allocator); h=$(col run.csv alloc_sha256)
tail -n +2 run.csv | awk -F, -v c="$c" -v h="$h" -v a="$sha_a" -v b="$sha_b" \
  '($c == "mine" && $h != a) || ($c == "old" && $h != b) { bad = 1 } END { exit bad }' \
  || fail "alloc_sha256 is not the sha256sum of the library"
[ "$(field run.csv status | sort -u)" = "ok" ] || fail "a run was not ok"

# compare: one file against the NAME given on the command line.
"$hb" compare run.csv --baseline-allocator old >compare.txt; rc=$?
[ "$rc" -le 1 ] || fail "compare exited $rc"
grep -q "mine" compare.txt || fail "compare does not show 'mine'"

# sweep and exec take the same forms.
"$hb" sweep -a mine=./libmine.so -w glibc-simple -r 1 -p scale=0.05 -o sweep >/dev/null 2>&1 || fail "sweep exited $?"
[ "$(field sweep/results.csv allocator | sort -u)" = "mine" ] || fail "sweep rows are not 'mine'"
[ "$(field sweep/results.csv alloc_sha256 | sort -u)" = "$sha_a" ] || fail "sweep rows lack the hash"
"$hb" exec -q -a ./libmine.so -o exec.csv -- sh -c 'exit 0' || fail "exec exited $?"
[ "$(field exec.csv status)" = "ok" ] || fail "exec did not prove the library live"
[ "$(field exec.csv alloc_path)" = "$dir/libmine.so" ] || fail "exec row has no alloc_path"

# hyperfine.sh passes -a through (when hyperfine is installed).
if command -v hyperfine >/dev/null; then
  bash "$src/harness/hyperfine.sh" --heapbench "$hb" -a mine=./libmine.so -w glibc-simple -p scale=0.05 -r 2 \
    --warmup 0 -o hf >/dev/null 2>&1 || fail "hyperfine.sh exited $?"
  [ "$(field hf/results.csv allocator | sort -u)" = "mine" ] || fail "hyperfine.sh rows are not 'mine'"
fi

# Refusals: a registered NAME, and one NAME for two files.
"$hb" run -q -a libc=./libmine.so -w glibc-simple -o no.csv 2>err.txt; rc=$?
[ "$rc" -eq 2 ] && grep -q "taken by a registered allocator" err.txt && [ ! -e no.csv ] \
  || fail "a registered NAME was not refused: $rc $(cat err.txt)"
"$hb" run -q -a x=./libmine.so,x=./libother.so -w glibc-simple -o no.csv 2>err.txt; rc=$?
[ "$rc" -eq 2 ] && grep -q "given twice" err.txt && [ ! -e no.csv ] || fail "one NAME for two files was not refused"
# A bare path to a registered anchor's own file is that anchor.
"$hb" run -q -a "$liba" -w glibc-simple -p scale=0.05 --measure none -o anchor.csv || fail "anchor by path exited $?"
case "$(field anchor.csv allocator)" in
  mimalloc|jemalloc) ;;
  *) fail "a registered anchor's file was not that anchor: $(field anchor.csv allocator)" ;;
esac
echo "ok: external allocators in run, sweep, exec, compare and hyperfine.sh"
