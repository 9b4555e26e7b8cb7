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
          hyperfine gnuplot-nox python3)
# Optional: the real programs (heapbench list programs) run when they are
# there (their tests are skipped otherwise); redis-server's post-install
# script may fail on a machine without an init system, so none of them ever
# fails the set-up.
# The scale-out tests run GNU parallel and a one-node Slurm cluster when they
# are there.
OPTIONAL=(redis-server redis-tools lua5.4 sqlite3 z3 ghostscript memcached rocksdb-tools git parallel slurm-wlm munge
          valgrind)

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

build() { # build PRESET
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$(nproc)"
}

case "${1:-}" in
  deps)
    deps ;;
  main)
    deps
    build release
    rm -rf results/quick
    ./build/heapbench sweep --quick -o results/quick
    ./build/heapbench compare results/quick/results.csv --baseline-allocator libc --no-verdict
    echo "results, plots and the gnuplot script: results/quick/ (time.png, rss.png, runs.png, pauses.png, timeline.png)" ;;
  test)
    deps
    build release
    ctest --preset release
    build asan
    ctest --preset asan
    build tsan
    ctest --preset tsan
    build fuzz            # libFuzzer harnesses: each fuzzes its corpus for 30 s; a crash fails the job
    ctest --preset fuzz ;;
  *)
    echo "usage: bash harness/bootstrap.sh main|test|deps" >&2
    exit 2 ;;
esac
