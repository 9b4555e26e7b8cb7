#!/usr/bin/env bash
# fresh_clone.sh DIR [ROUNDS [COMMAND]]: the README's test command, from a
# fresh clone, ROUNDS times in a row (default 2).  Not part of the test
# command: it is the proof that a new user's clone passes wherever it lies
# (/root, /tmp, a path with a space) and stays passing when run again in the
# same tree.  DIR must not exist; the clone is of this checkout's HEAD (commit
# it first).  COMMAND defaults to `bash harness/bootstrap.sh test`.  Prints one
# line per round (round, exit status, seconds, load average at the end, and
# the test command's own per-suite lines) and a last line with the verdict.
# Logs: DIR.round-N.log beside the clone.  Exit status: 0 when every round
# passed, 1 when one failed, 2 on bad arguments.
set -uo pipefail
usage() { echo "usage: fresh_clone.sh DIR [ROUNDS [COMMAND]]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 3 ] || usage
case "$1" in -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
dir=$1 rounds=${2:-2} cmd=${3:-bash harness/bootstrap.sh test}
case "$rounds" in '' | *[!0-9]* | 0) echo "fresh_clone.sh: ROUNDS must be a positive number, not '$rounds'" >&2; exit 2 ;; esac
[ -e "$dir" ] && { echo "fresh_clone.sh: $dir exists; give a path that does not" >&2; exit 2; }
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
head=$(git -C "$src" rev-parse --short HEAD) || exit 2
git clone -q "$src" "$dir" || { echo "fresh_clone.sh: git clone into $dir failed" >&2; exit 2; }
echo "fresh_clone: $dir: clone of $src at $head; $rounds round(s) of: $cmd"
failed=0
for n in $(seq "$rounds"); do
  log="$dir.round-$n.log"
  start=$(date +%s)
  (cd "$dir" && bash -c "$cmd") >"$log" 2>&1
  rc=$?
  secs=$(($(date +%s) - start))
  [ "$rc" = 0 ] || failed=1
  echo "fresh_clone: round $n: exit $rc in $secs s, load $(cut -d' ' -f1-3 /proc/loadavg) at the end (log $log)"
  sed -n '/^bootstrap test: one line per suite/,$p' "$log" | sed 's/^/  /'
done
echo "fresh_clone: $dir: $([ "$failed" = 0 ] && echo "every round passed" || echo "FAILED")"
exit "$failed"
