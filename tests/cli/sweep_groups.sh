#!/usr/bin/env bash
# sweep_groups.sh HEAPBENCH RESULTS_CSV
# The default sweep matrix and the -w groups, from `sweep --list` (nothing
# runs): the default is exactly allocator-workloads + collector-workloads +
# programs, the three are disjoint, programs is `list programs` without the
# soaks (git included), no soak is in any of them, a name given twice (or
# inside a group) is one cell; `--list --costs FILE` says on stderr how many
# runs it listed and an estimate.
set -u
hb=$1; costs=$2
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
names() { "$hb" sweep --list -t 2 -o "$t/x" "$@" | cut -f1 | sort -u; }

names >"$t/default" || fail "sweep --list"
names -w allocator-workloads >"$t/alloc" || fail "-w allocator-workloads"
names -w collector-workloads >"$t/coll" || fail "-w collector-workloads"
names -w programs >"$t/progs" || fail "-w programs"
sort -u "$t/alloc" "$t/coll" "$t/progs" | cmp -s - "$t/default" || fail "default != the union of the three groups"
[ "$(cat "$t/alloc" "$t/coll" "$t/progs" | sort | uniq -d | wc -l)" = 0 ] || fail "the groups overlap"
"$hb" list programs | cut -f1 | grep -v -- '-soak$' | sort >"$t/want_progs"
cmp -s "$t/want_progs" "$t/progs" || fail "-w programs is not list programs without the soaks: $(diff "$t/want_progs" "$t/progs" | tr '\n' ' ')"
grep -qx git "$t/progs" || fail "git is not in the default programs"
grep -q -- '-soak$' "$t/default" && fail "a soak is in the default sweep: $(grep -- '-soak$' "$t/default" | tr '\n' ' ')"
# allocator workloads run without a collector, collector workloads with one
"$hb" sweep --list -t 2 -o "$t/x" -w allocator-workloads | awk -F'\t' '$3 != "-" { exit 1 }' || fail "a collector in allocator-workloads"
"$hb" sweep --list -t 2 -o "$t/x" -w collector-workloads | awk -F'\t' '$3 == "-" { exit 1 }' || fail "no collector in collector-workloads"
grep -qx glibc-simple "$t/alloc" && grep -qx gcbench "$t/coll" || fail "glibc-simple or gcbench in the wrong group"

a=$("$hb" sweep --list -o "$t/x" -w lua | wc -l)
b=$("$hb" sweep --list -o "$t/x" -w lua,lua | wc -l)
c=$("$hb" sweep --list -o "$t/x" -w programs,lua | wc -l)
d=$("$hb" sweep --list -o "$t/x" -w programs | wc -l)
[ "$a" -gt 0 ] && [ "$a" = "$b" ] && [ "$c" = "$d" ] || fail "a name given twice is not one cell ($a/$b, $c/$d)"

n=$("$hb" sweep --list -o "$t/x" -w programs --costs "$costs" 2>"$t/err" | wc -l)
grep -Eq "^heapbench: sweep: $n runs, estimated [0-9]+ min \([0-9]+ of [0-9]+ cells found in " "$t/err" ||
    fail "--list --costs: stderr '$(cat "$t/err")' (expected $n runs)"
echo "sweep groups: default = $(wc -l <"$t/alloc") allocator workloads + $(wc -l <"$t/coll") collector workloads + $(wc -l <"$t/progs") programs"
