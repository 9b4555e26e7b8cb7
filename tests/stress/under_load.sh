#!/usr/bin/env bash
# under_load.sh [PRESET [HOGS [ctest args...]]]: the test suite with a CPU hog
# beside it.  Not part of the test command: it is the proof that no test
# depends on timing or on the machine's other processes.  Starts HOGS
# (default 4) busy loops, runs `ctest --preset PRESET` (default release; the
# preset must be built), stops each hog by its pid (on failure and Ctrl-C too)
# and prints one line: the preset, the hogs, the load average seen, passed,
# failed, skipped and seconds.  Exit status: ctest's.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
preset=${1:-release} hogs=${2:-4}
shift $(($# < 2 ? $# : 2))
case "$hogs" in '' | *[!0-9]*) echo "under_load.sh: HOGS must be a number, not '$hogs'" >&2; exit 2 ;; esac
pids=()
stop() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null; pids=(); }
trap stop EXIT
trap 'stop; exit 130' INT TERM
for _ in $(seq "$hogs"); do
  (while :; do :; done) &
  pids+=($!)
done
log=$(mktemp "${TMPDIR:-/tmp}/under_load.XXXXXX")
start=$(date +%s)
ctest --preset "$preset" "$@" >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
load=$(cut -d' ' -f1-3 /proc/loadavg)
stop
grep -E '^[[:space:]]*[0-9]+/[0-9]+ Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|Exception|Not Run)' "$log" || true
summary=$(grep -E 'tests passed, [0-9]+ tests failed' "$log" | tail -1)
skipped=$(grep -c '\*\*\*Skipped' "$log")
echo "under_load: preset $preset, $hogs hogs, load $load at the end: ${summary:-no summary} ($skipped skipped), ${secs} s; log $log"
exit "$rc"
