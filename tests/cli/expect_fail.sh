#!/usr/bin/env bash
# expect_fail.sh STATUS REGEX [--no-file FILE] -- COMMAND...
# Runs COMMAND and passes when it exits with STATUS, prints exactly one line
# on stderr, that line matches REGEX, nothing on stdout, and FILE (if given)
# was not created.
set -u
want=$1; regex=$2; shift 2
nofile=""
if [ "${1:-}" = "--no-file" ]; then nofile=$2; shift 2; fi
[ "${1:-}" = "--" ] && shift
[ -n "$nofile" ] && rm -f "$nofile"
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
got=$?
fail() { echo "FAIL: $*"; echo "--- command: $*"; echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"; exit 1; }
[ "$got" -eq "$want" ] || fail "exit status $got, expected $want"
lines=$(wc -l <"$err")
[ "$lines" -eq 1 ] || fail "stderr has $lines lines, expected 1"
grep -Eq -- "$regex" "$err" || fail "stderr does not match /$regex/"
[ -s "$out" ] && fail "unexpected output on stdout"
if [ -n "$nofile" ] && [ -e "$nofile" ]; then fail "$nofile was created"; fi
echo "ok: $(cat "$err")"
