#!/bin/sh
# run_fuzzer.sh FUZZER CORPUS WORKDIR SECONDS [libFuzzer options...]
#
# Fuzzes for SECONDS on a copy of the seed corpus CORPUS (the seeds in the
# source tree stay as they are), with the limits CI uses.  New inputs go to
# WORKDIR/corpus; a crash, leak, timeout or out-of-memory input is written
# to WORKDIR/artifacts/ and the script exits non-zero (libFuzzer's status).
set -eu
if [ $# -lt 4 ]; then
  echo "usage: run_fuzzer.sh FUZZER CORPUS WORKDIR SECONDS [libFuzzer options...]" >&2
  exit 2
fi
fuzzer=$1 corpus=$2 work=$3 secs=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$corpus"/* "$work/corpus/"
status=0
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run_fuzzer: $(basename "$fuzzer") failed (status $status); reproducer(s):" >&2
  ls -l "$work/artifacts/" >&2
fi
exit "$status"
