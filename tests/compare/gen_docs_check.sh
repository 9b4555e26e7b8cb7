#!/usr/bin/env bash
# gen_docs_check.sh HEAPBENCH SOURCE_DIR
# harness/gen_docs.sh on a copy of the tree's README.md, docs/pooled.md and
# results/full/results.csv: --check passes on the copy as committed, fails
# (exit 1, naming the region) once a figure in a region is edited by hand or
# the results change, regenerating makes it pass again and leaves the text
# outside the regions alone, and a missing marker is exit 2 with one line.
set -u
hb=$1; src=$2
gen=$src/harness/gen_docs.sh
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
setup() {
    rm -rf "$t/tree"; mkdir -p "$t/tree/docs" "$t/tree/results/full"
    cp "$src/README.md" "$t/tree/"; cp "$src/docs/pooled.md" "$t/tree/docs/"
    cp "$src/results/full/results.csv" "$t/tree/results/full/"
}
run() { bash "$gen" --heapbench "$hb" --root "$t/tree" "$@" >"$t/out" 2>"$t/err"; }

setup
run --check || fail "--check on the committed tree: exit $? ($(cat "$t/out" "$t/err" | head -5))"

# A hand edit inside the region: the first row's verdict changed (whatever the results say).
python3 - "$t/tree/docs/pooled.md" <<'PY'
import sys
p = sys.argv[1]; lines = open(p).read().split("\n"); inside = seen_rule = False
for i, l in enumerate(lines):
    if l.startswith("<!-- frontier: begin"): inside = True
    elif l.startswith("<!-- frontier: end"): break
    elif inside and l.startswith("| ---"): seen_rule = True
    elif inside and seen_rule and l.startswith("| "):
        lines[i] = l.rstrip(" |").rsplit("|", 1)[0] + "| edited by hand |"; break
open(p, "w").write("\n".join(lines))
PY
grep -q '| edited by hand |' "$t/tree/docs/pooled.md" || fail "the edit did not apply (no table row in the region?)"
run --check; rc=$?
[ $rc = 1 ] || fail "--check after a hand edit: exit $rc, expected 1"
grep -q "docs/pooled.md: the region 'frontier' differs" "$t/out" || fail "--check does not name the region: $(head -3 "$t/out")"

# Regenerating restores it, and nothing outside the regions moves.
run || fail "regenerating: exit $? ($(cat "$t/err"))"
cmp -s "$t/tree/docs/pooled.md" "$src/docs/pooled.md" || fail "regenerated docs/pooled.md differs from the committed one"
run --check || fail "--check after regenerating: exit $?"

# New results: the summary in README.md goes stale (pooled twice as slow on glibc-simple, in CPU time).
awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
    NR > 1 && $c["workload"] == "glibc-simple" && $c["allocator"] == "pooled" { $c["user_s"] = $c["user_s"] * 2 + 1 }
    { print }' "$src/results/full/results.csv" >"$t/tree/results/full/results.csv"
run --check; rc=$?
[ $rc = 1 ] || fail "--check after the results changed: exit $rc, expected 1"
grep -q "README.md: the region 'frontier-summary' differs" "$t/out" || fail "README's summary not found stale: $(head -3 "$t/out")"

# A marker missing: one line, exit 2.
setup
sed -i '/^<!-- frontier-summary: end -->$/d' "$t/tree/README.md"
run --check; rc=$?
[ $rc = 2 ] || fail "a missing marker: exit $rc, expected 2"
[ "$(wc -l <"$t/err")" = 1 ] && grep -q "expected one '<!-- frontier-summary: begin' line" "$t/err" ||
    fail "a missing marker: stderr $(cat "$t/err")"
echo "gen_docs.sh: check, stale region, regeneration and bad markers as expected"
