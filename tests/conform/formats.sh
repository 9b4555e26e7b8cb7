#!/usr/bin/env bash
# formats.sh HEAPBENCH DIR BROKEN_LIB
# The table, --markdown and --junit of one run over libc and a broken library.
set -u
hb=$1 dir=$2 lib=$3
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
"$hb" conform --rule 'calloc-*' --markdown --junit "$dir/j.xml" libc dirty="$lib" >"$dir/out.md"
rc=$?
cat "$dir/out.md"
[ "$rc" -eq 1 ] || fail "exit $rc, expected 1 (dirty fails calloc-zero)"
grep -q '^| rule | libc | dirty |$' "$dir/out.md" || fail "no Markdown header"
grep -q '^| calloc-zero | pass | FAIL |$' "$dir/out.md" || fail "no Markdown row for calloc-zero"
grep -q '^| dirty | calloc-zero | FAIL | .*calloc' "$dir/out.md" || fail "no evidence row"
python3 - "$dir/j.xml" <<'PY' || fail "JUnit file wrong"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
cases = root.findall("./testsuite/testcase")
names = {(c.get("classname"), c.get("name")) for c in cases}
assert ("alloc.libc", "calloc-zero") in names and ("alloc.dirty", "calloc-zero") in names, names
failed = [(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None]
assert failed == [("alloc.dirty", "calloc-zero")], failed
assert int(root.get("failures")) == 1 and int(root.get("tests")) == len(cases)
PY
"$hb" conform --list >"$dir/list.txt" || fail "--list exited $?"
grep -q '^interpose  *strdup' "$dir/list.txt" || fail "--list lacks the interpose rule"
echo "ok: table, Markdown, JUnit and --list"
