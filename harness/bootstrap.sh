#!/usr/bin/env bash
# bootstrap.sh: one-command set-up and the project's two main jobs.
#
#   bash harness/bootstrap.sh main   install what is missing, build, run the main job
#   bash harness/bootstrap.sh test   install what is missing, build, run every test suite
#   bash harness/bootstrap.sh deps   only install the Debian packages
#
# The packages are Debian's; nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(build-essential cmake pkg-config clang libclang-rt-dev
          libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev libgc-dev
          libtbbmalloc2 libclang-rt-14-dev
          hyperfine gnuplot-nox python3 procps) # procps: ps and pgrep, used by the tests
# Optional: the real programs (heapbench list programs) run when they are
# there (their tests are skipped otherwise); redis-server's post-install
# script may fail on a machine without an init system, so none of them ever
# fails the set-up.
# The scale-out tests run GNU parallel and a one-node Slurm cluster when they
# are there.  electric-fence and libdmalloc5: the conform tests of foreign
# libraries (tests/conform/foreign.sh; skipped without them).
OPTIONAL=(redis-server redis-tools lua5.4 sqlite3 z3 ghostscript memcached rocksdb-tools git parallel slurm-wlm munge
          valgrind electric-fence libdmalloc5)

missing_of() { # prints the packages of "$@" that are not installed
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

deps() {
  local missing optional sudo=""
  missing=$(missing_of "${PACKAGES[@]}")
  optional=$(missing_of "${OPTIONAL[@]}")
  if [ -z "$missing" ] && [ -z "$optional" ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  if [ -n "$missing" ]; then
    echo "bootstrap: installing" $missing >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
  if [ -n "$optional" ]; then
    echo "bootstrap: installing" $optional "(optional)" >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $optional >/dev/null ||
      echo "bootstrap: could not install" $optional "; their real-program tests will be skipped" >&2
  fi
}

# Build output goes to build-logs/ (out of the way); its path is printed
# when a step fails.
logs=build-logs
mkdir -p "$logs"

build() { # build PRESET: configure and build, output to build-logs/PRESET-build.log; status of the build
  local log="$logs/$1-build.log"
  echo "bootstrap: building $1 (log: $log)" >&2
  if cmake --preset "$1" >"$log" 2>&1 && cmake --build --preset "$1" -j "$(nproc)" >>"$log" 2>&1; then
    return 0
  fi
  echo "bootstrap: the $1 build failed; the last lines of $log:" >&2
  tail -n 20 "$log" >&2
  echo "bootstrap: whole log: $PWD/$log" >&2
  return 1
}

summary=() # one line per suite
failed=0
suite() { # suite PRESET: build and run ctest --preset PRESET; appends its line to summary
  local preset=$1 start log rc line total nfail nskip
  start=$(date +%s)
  log="$logs/$preset-test.log"
  if ! build "$preset"; then
    summary+=("$(printf '%-8s FAIL  build failed (log: %s)  %d s' "$preset" "$PWD/$logs/$preset-build.log" $(($(date +%s) - start)))")
    failed=1
    return 0
  fi
  echo "bootstrap: testing $preset (log: $log)" >&2
  ctest --preset "$preset" >"$log" 2>&1
  rc=$?
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  nfail=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  nskip=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*\*\*\*Skipped' "$log")
  if [ -z "$line" ]; then
    summary+=("$(printf '%-8s FAIL  ctest exited %d without a summary (log: %s)  %d s' "$preset" "$rc" "$PWD/$log" \
      $(($(date +%s) - start)))")
    failed=1
  elif [ "$rc" -ne 0 ] || [ "$nfail" -ne 0 ]; then
    echo "bootstrap: $preset: failed tests (details in $PWD/$log):" >&2
    sed -n '/^The following tests FAILED:/,/^[^[:space:]]/p' "$log" | grep -E '^[[:space:]]+[0-9]+ - ' >&2
    summary+=("$(printf '%-8s FAIL  %d passed, %d failed, %d skipped of %d (log: %s)  %d s' "$preset" \
      $((total - nfail - nskip)) "$nfail" "$nskip" "$total" "$PWD/$log" $(($(date +%s) - start)))")
    failed=1
  else
    summary+=("$(printf '%-8s pass  %d passed, 0 failed, %d skipped of %d  %d s' "$preset" $((total - nskip)) \
      "$nskip" "$total" $(($(date +%s) - start)))")
  fi
}

case "${1:-}" in
  deps)
    deps ;;
  main)
    deps
    build release || exit 1
    rm -rf results/quick
    ./build/heapbench sweep --quick -o results/quick
    ./build/heapbench compare results/quick/results.csv --baseline-allocator libc --no-verdict
    echo "results, plots and the gnuplot script: results/quick/ (time.png, rss.png, runs.png, pauses.png, timeline.png)" ;;
  test)
    # Every suite runs, whatever an earlier one did; the summary comes last.
    deps
    set +e
    start=$(date +%s)
    for preset in release asan tsan fuzz; do # fuzz: libFuzzer harnesses, each fuzzes its corpus for 30 s
      suite "$preset"
    done
    echo
    echo "bootstrap test: one line per suite (preset, verdict, tests, seconds):"
    printf '  %s\n' "${summary[@]}"
    echo "bootstrap test: $([ "$failed" = 0 ] && echo "every suite passed" || echo "FAILED") in $(($(date +%s) - start)) s"
    exit "$failed" ;;
  *)
    echo "usage: bash harness/bootstrap.sh main|test|deps" >&2
    exit 2 ;;
esac
