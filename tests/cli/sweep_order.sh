#!/usr/bin/env bash
# sweep_order.sh HEAPBENCH
# The order a sweep runs in: within the cells of one workload, collector and
# thread count, run 1 of every allocator, then run 2 of every allocator, so
# that a burst of noise slows one run of several allocators and not most of
# one allocator's runs.  Two workloads x two allocators x three runs, tiny:
# the rows of results.csv (written in the order the runs finish) must be
# (w1: a1 r1, a2 r1, a1 r2, a2 r2, a1 r3, a2 r3), then the same for w2; and
# --resume -r 4 adds run 4 of each cell, interleaved the same way.
set -u
hb=$1
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
order() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                   { printf "%s:%s:%s ", $col["workload"], $col["allocator"], $col["run"] }' "$t/s/results.csv"; }
"$hb" sweep -w glibc-simple,random-churn -a libc,naive -r 3 -p scale=0.01 --measure none --no-plots -o "$t/s" \
    >"$t/out" 2>&1 || fail "sweep: $(tail -3 "$t/out")"
want="glibc-simple:libc:1 glibc-simple:naive:1 glibc-simple:libc:2 glibc-simple:naive:2 glibc-simple:libc:3 glibc-simple:naive:3 "
want+="random-churn:libc:1 random-churn:naive:1 random-churn:libc:2 random-churn:naive:2 random-churn:libc:3 random-churn:naive:3 "
got=$(order)
[ "$got" = "$want" ] || fail "run order: got '$got', want '$want'"
"$hb" sweep -w glibc-simple,random-churn -a libc,naive -r 4 --resume -p scale=0.01 --measure none --no-plots -o "$t/s" \
    >"$t/out" 2>&1 || fail "sweep --resume: $(tail -3 "$t/out")"
want+="glibc-simple:libc:4 glibc-simple:naive:4 random-churn:libc:4 random-churn:naive:4 "
got=$(order)
[ "$got" = "$want" ] || fail "run order after --resume -r 4: got '$got', want '$want'"
# --list still prints cell by cell
"$hb" sweep -w glibc-simple -a libc,naive -r 2 --list -o "$t/x" | cut -f2,6 | tr '\t\n' ': ' >"$t/list"
[ "$(cat "$t/list")" = "libc:1 libc:2 naive:1 naive:2 " ] || fail "--list order: $(cat "$t/list")"
echo "ok: sweep runs interleave allocators run by run"
