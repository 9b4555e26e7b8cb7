#!/usr/bin/env bash
# conformance.sh: the verdict matrix of every registered allocator and both
# drop-ins, as results/conformance/matrix.md (Markdown) and junit.xml.
#
#   bash harness/conformance.sh [-o DIR] [--heapbench PATH]
#
# One `heapbench conform all` run; the Markdown gets a header saying where and
# with what it was made.  Exit status: heapbench conform's (0 no failure,
# 1 a rule failed, 2 bad input).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/results/conformance" HB="${HEAPBENCH:-$ROOT/build/heapbench}"
while [ $# -gt 0 ]; do
  case "$1" in
    -o) [ $# -ge 2 ] || { echo "conformance.sh: -o needs a value" >&2; exit 2; }; DIR="$2"; shift 2 ;;
    --heapbench) [ $# -ge 2 ] || { echo "conformance.sh: --heapbench needs a value" >&2; exit 2; }; HB="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "conformance.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$HB" ] || { echo "conformance.sh: no heapbench at $HB (build it, or --heapbench PATH)" >&2; exit 2; }
mkdir -p "$DIR" || { echo "conformance.sh: cannot create $DIR" >&2; exit 2; }
tmp="$(mktemp)"
start=$(date +%s)
"$HB" conform --markdown --junit "$DIR/junit.xml" all >"$tmp"
rc=$?
[ "$rc" -le 1 ] || { rm -f "$tmp"; exit "$rc"; }
{
  echo "# Allocator conformance matrix"
  echo
  echo "Made by \`bash harness/conformance.sh\` (\`heapbench conform --markdown --junit junit.xml all\`)"
  echo "on $(uname -srm), $(nproc) cores, glibc $(ldd --version | head -1 | awk '{print $NF}'),"
  echo "in $(( $(date +%s) - start )) s; exit status $rc.  Rules: docs/conformance.md section 1 and the"
  echo "malloc-API rules of \`heapbench conform --list\`.  \`pass\`: the rule holds.  \`recorded\`:"
  echo "a registered allocator's known divergence from the reference (glibc, C, POSIX), shown"
  echo "below with what it does.  \`FAIL\`: a rule broken.  For malloc0 and realloc-zero the cell"
  echo "is what the allocator does.  \`-\`: the rule does not apply (in-process plug-ins are"
  echo "checked through heapbench's allocator interface, not the malloc API)."
  echo
  echo "Allocators:"
  echo
  "$HB" list allocators | awk -F'\t' '{printf "- `%s`: %s\n", $1, $2}'
  echo "- \`naive-dropin\`, \`pooled-dropin\`: heapbench's drop-in libraries (libhb-naive.so, libhb-pooled.so)"
  echo
  cat "$tmp"
} >"$DIR/matrix.md"
rm -f "$tmp"
echo "conformance.sh: $DIR/matrix.md and $DIR/junit.xml (exit $rc)"
exit "$rc"
