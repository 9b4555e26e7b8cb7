#!/bin/sh
# oom_run.sh MODE [ARGS...]: heapbench run under memory limits, crashes,
# hangs and interrupts.  Environment: HB (the heapbench binary), OOM_WORK (a
# scratch directory), HB_SANITIZE (non-empty in sanitizer builds).
#
#   oom ALLOC WORKLOAD [RUN ARGS...]  under `prlimit --as`: one row, status oom
#   timeout                           --timeout 1 on two endless runs: two timeout rows
#   crash                             the first run's child gets SIGSEGV from outside:
#                                     a crash row, and the next run still runs (its
#                                     child is then killed: a second crash row)
#   sigint                            Ctrl-C (SIGINT to the process group) during the
#                                     second run (the first one's child killed): the
#                                     file holds whole rows only, and no run starts
#                                     after it
# Nothing here depends on how fast the machine is: each step waits for the
# event it needs (a child appears) with a long bound, every --timeout that must
# not fire is far longer than the test needs, and no duration is asserted.
# Every results file must be whole: the header of `heapbench list columns`,
# then rows of exactly that many fields, every line ended by a newline.
set -u
mode=$1
shift
fail() {
  echo "oom_run $mode: $*" >&2
  exit 1
}
[ -x "${HB:-}" ] || fail "HB is not set to the heapbench binary"
work=${OOM_WORK:-/tmp}/$mode.$$
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
out=$work/results.csv
header=$("$HB" list columns | cut -f1 | paste -sd, -)
ncols=$("$HB" list columns | wc -l)
statuscol=$("$HB" list columns | cut -f1 | grep -n '^status$' | cut -d: -f1)
endless="-w random-churn -p steps=10000000000"

# check_file NROWS: the file is whole and has NROWS rows.
check_file() {
  [ -f "$out" ] || fail "no results file"
  [ "$(head -n1 "$out")" = "$header" ] || fail "header is not the one of heapbench list columns: $(head -n1 "$out")"
  [ -z "$(tail -c1 "$out")" ] || fail "the file does not end with a newline (half-written row): $(tail -n1 "$out")"
  bad=$(awk -F, -v n="$ncols" 'NR > 1 && NF != n { print NR ": " NF " fields" }' "$out")
  [ -z "$bad" ] || fail "rows with a wrong number of fields (expected $ncols): $bad"
  rows=$(($(wc -l < "$out") - 1))
  [ "$rows" -eq "$1" ] || fail "$rows rows, expected $1: $(cat "$out")"
}
# status_of N: the status of row N.
status_of() { awk -F, -v c="$statuscol" -v r="$(($1 + 1))" 'NR == r { print $c }' "$out"; }

# wait_child PID [NOT]: prints the pid of PID's child process (other than
# NOT), waiting up to 120 s for it (a busy machine forks slowly).
wait_child() {
  i=0
  while [ $i -lt 1200 ]; do
    for c in $(pgrep -P "$1" 2>/dev/null); do
      if [ "$c" != "${2:-}" ] && grep -q __child "/proc/$c/cmdline" 2>/dev/null; then
        echo "$c"
        return 0
      fi
    done
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

case $mode in
oom)
  alloc=$1 workload=$2
  shift 2
  if [ -n "${HB_SANITIZE:-}" ]; then
    echo "skipped: an address-space limit cannot be used under sanitizers ($HB_SANITIZE reserves terabytes of shadow memory)"
    exit 77
  fi
  limit=$((256 << 20))
  start=$(date +%s)
  prlimit --as=$limit -- "$HB" run -a "$alloc" -w "$workload" "$@" -q --timeout 250 -o "$out" 2> "$work/stderr"
  rc=$?
  cat "$work/stderr" >&2
  [ $rc -ne 0 ] || fail "heapbench run exited 0 under a $((limit >> 20)) MiB address-space limit"
  [ $rc -ne 2 ] || fail "heapbench run refused its arguments"
  check_file 1
  st=$(status_of 1)
  [ "$st" = oom ] || fail "status '$st' under a $((limit >> 20)) MiB limit, expected oom"
  echo "$alloc $workload $*: status oom under prlimit --as=$((limit >> 20))M in $(($(date +%s) - start)) s (exit $rc)"
  ;;
timeout)
  start=$(date +%s)
  "$HB" run -a libc,pooled $endless --timeout 1 -q -o "$out" 2> "$work/stderr"
  rc=$?
  cat "$work/stderr" >&2
  [ $rc -ne 0 ] || fail "heapbench exited 0 after two timeouts"
  check_file 2
  [ "$(status_of 1)" = timeout ] && [ "$(status_of 2)" = timeout ] ||
    fail "statuses '$(status_of 1)', '$(status_of 2)', expected timeout twice"
  echo "two endless runs with --timeout 1: two timeout rows in $(($(date +%s) - start)) s"
  ;;
crash)
  "$HB" run -a libc,pooled $endless --timeout 200 -q -o "$out" 2> "$work/stderr" &
  hb=$!
  c1=$(wait_child $hb) || { kill $hb; fail "no __child process appeared"; }
  kill -SEGV "$c1"
  c2=$(wait_child $hb "$c1") || { kill $hb; fail "no second run started after the first child crashed"; }
  kill -KILL "$c2" # not left to its timeout: that would make the test as slow as the bound
  wait $hb
  rc=$?
  cat "$work/stderr" >&2
  [ $rc -ne 0 ] || fail "heapbench exited 0 after a crash"
  check_file 2
  [ "$(status_of 1)" = crash ] || fail "the killed run has status '$(status_of 1)', expected crash"
  [ "$(status_of 2)" = crash ] || fail "the run after the crash (killed) has status '$(status_of 2)', expected crash"
  # Under AddressSanitizer its own SEGV handler reports the signal and then
  # aborts or exits 1 (abort_on_error): a crash row, another message.
  if [ -z "${HB_SANITIZE:-}" ]; then
    grep -q "child died of signal 11 " "$work/stderr" || fail "stderr does not name signal 11"
  fi
  echo "child $c1 killed with SIGSEGV: crash row; the next run (child $c2) still ran"
  ;;
sigint)
  setsid "$HB" run -a libc,pooled,naive $endless --timeout 200 -q -o "$out" 2> "$work/stderr" &
  hb=$!
  c1=$(wait_child $hb) || { kill $hb; fail "no __child process appeared"; }
  kill -KILL "$c1" # run 1 ends now (a crash row), not when a timeout decides
  c2=$(wait_child $hb "$c1") || { kill $hb; fail "no second run started"; }
  sleep 0.3
  /bin/kill -s INT -- "-$hb" # Ctrl-C: the whole process group (setsid made heapbench its leader)
  wait $hb
  rc=$?
  cat "$work/stderr" >&2
  [ $rc -ne 0 ] || fail "heapbench exited 0 after SIGINT"
  rows=$(($(wc -l < "$out") - 1))
  [ "$rows" -ge 1 ] && [ "$rows" -le 2 ] || fail "$rows rows after an interrupt during run 2 of 3"
  check_file "$rows"
  [ "$(status_of 1)" = crash ] || fail "run 1 (killed) has status '$(status_of 1)', expected crash"
  grep -q "on naive" "$work/stderr" && fail "the third run started after the interrupt"
  if [ "$rows" -eq 2 ]; then
    echo "recorded: the interrupted run 2 was written with status '$(status_of 2)'"
  fi
  echo "SIGINT during run 2 of 3: exit $rc, $rows whole rows, run 3 never started"
  ;;
*)
  fail "unknown mode (valid: oom, timeout, crash, sigint)"
  ;;
esac
exit 0
