#!/bin/sh
# harness/calibrate.py end to end: a row per scenario, and where both sides
# end with a full collection (cycle-pairs, self-cycles) CPython and
# heapbench collect exactly the same objects.  Skips (77) without python3.
# Usage: calibrate.sh HEAPBENCH SOURCE_DIR OUT
set -eu
hb=$1
src=$2
out=$3
command -v python3 >/dev/null 2>&1 || { echo "calibrate: no python3: skipped"; exit 77; }
python3 "$src/harness/calibrate.py" --heapbench "$hb" -o "$out"
fail() { echo "calibrate: $*"; exit 1; }
[ "$(grep -cE '^\| [a-z]+-[a-z-]+ \| ' "$out")" -eq 5 ] || fail "expected 5 scenario rows"
for s in cycle-pairs self-cycles; do
    awk -F'|' -v s=" $s " '$2 == s { if ($6 + 0 != $7 + 0 || $6 + 0 == 0) exit 1; found = 1 } END { exit !found }' "$out" ||
        fail "$s: collected differs: $(grep "^| $s " "$out")"
done
python3 "$src/harness/calibrate.py" --heapbench /nonexistent >/dev/null 2>&1 && fail "a missing heapbench was accepted"
echo "calibrate: ok"
