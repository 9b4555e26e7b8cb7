#!/usr/bin/env bash
# expect_out.sh STATUS [-v] REGEX... -- COMMAND...
# Runs COMMAND and passes when it exits with STATUS, prints nothing on
# stderr, and its stdout matches every REGEX (extended, per line); a REGEX
# after -v must match no line.
set -u
want=$1; shift
yes=(); no=(); neg=0
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    if [ "$1" = "-v" ]; then neg=1; shift; continue; fi
    if [ $neg = 1 ]; then no+=("$1"); else yes+=("$1"); fi
    neg=0; shift
done
[ "${1:-}" = "--" ] && shift
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
got=$?
fail() { echo "FAIL: $1"; echo "--- command: ${*:2}"; echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"; exit 1; }
[ "$got" -eq "$want" ] || fail "exit status $got, expected $want" "$@"
[ -s "$err" ] && fail "unexpected output on stderr" "$@"
for r in "${yes[@]}"; do grep -Eq -- "$r" "$out" || fail "stdout does not match /$r/" "$@"; done
for r in "${no[@]+"${no[@]}"}"; do grep -Eq -- "$r" "$out" && fail "stdout matches /$r/" "$@"; done
cat "$out"
exit 0
