#!/bin/sh
# csv_upgrade.py: a schema-5 file (two rows of an older reference sweep)
# becomes one every reader of this schema takes; bad inputs exit 2 and leave
# no output.  usage: csv_upgrade.sh HEAPBENCH SRCDIR WORKDIR
set -u
hb=$1 src=$2 dir=$3
up="python3 $src/harness/csv_upgrade.py --heapbench $hb"
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# the stale file is refused as it is, read once upgraded
"$hb" compare "$src/tests/cli/schema5.csv" --baseline-allocator libc >/dev/null 2>&1 && fail "compare read a schema-5 file"
$up "$src/tests/cli/schema5.csv" "$dir/up.csv" || fail "upgrade failed"
"$hb" compare "$dir/up.csv" --baseline-allocator libc >"$dir/cmp.out" 2>&1 || fail "compare refused the upgraded file: $(cat "$dir/cmp.out")"
[ "$(wc -l <"$dir/up.csv")" -eq 3 ] || fail "expected a header and two rows"
# a value survives under its own column; the new columns are empty
python3 - "$src/tests/cli/schema5.csv" "$dir/up.csv" <<'PY' || exit 1
import csv, sys
old = list(csv.DictReader(open(sys.argv[1])))
new = list(csv.DictReader(open(sys.argv[2])))
for o, n in zip(old, new):
    for k, v in o.items():
        if k != "schema" and n[k] != v:
            sys.exit(f"FAIL: column {k}: {v!r} became {n[k]!r}")
    if n["gc_trash_max"] != "" or n["schema"] == o["schema"]:
        sys.exit("FAIL: new columns must be empty and the schema current")
PY

# refusals: one line, exit 2, no output file
printf 'a,b\n1,2\n' >"$dir/notours.csv"
sed '1s/$/,bogus/' "$src/tests/cli/schema5.csv" | sed '2,$s/$/,1/' >"$dir/unknown.csv"
sed '3s/,[^,]*$//' "$src/tests/cli/schema5.csv" >"$dir/ragged.csv"
for case in "notours:not a heapbench results CSV" "unknown:column 'bogus' is not in schema" \
            "ragged:line 3: .* (ragged row)" "missing:cannot read"; do
  name=${case%%:*} want=${case#*:}
  $up "$dir/$name.csv" "$dir/out-$name.csv" 2>"$dir/err"
  rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2"
  [ "$(wc -l <"$dir/err")" -eq 1 ] || fail "$name: not one line: $(cat "$dir/err")"
  grep -q "$want" "$dir/err" || fail "$name: message '$(cat "$dir/err")' lacks '$want'"
  [ ! -e "$dir/out-$name.csv" ] && [ ! -e "$dir/out-$name.csv.tmp" ] || fail "$name: left an output file"
done
echo "csv_upgrade: ok"
