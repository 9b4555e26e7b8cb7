#!/usr/bin/env bash
# expect_caught.sh HEAPBENCH LIB NAME RULE
# `heapbench conform LIB --rule RULE` must exit 1 and report RULE failed for NAME.
set -u
hb=$1 lib=$2 name=$3 rule=$4
out=$("$hb" conform --rule "$rule" "$lib" 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 1 ] || { echo "FAIL: heapbench conform exited $rc, expected 1"; exit 1; }
grep -Eq "^$name $rule: FAIL: .+" <<<"$out" || { echo "FAIL: rule $rule did not fail for $name with evidence"; exit 1; }
echo "ok: $name caught by $rule"
