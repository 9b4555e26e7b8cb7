#!/usr/bin/env bash
# foreign.sh HEAPBENCH DIR MODE: `heapbench conform` blames the right cause.
#   rules    --rule given twice runs the rules matching either, and nothing else
#   anchor   a copy of a registered anchor's file, given as NAME=PATH, is judged
#            as that anchor (the note says so) and gets the anchor's verdicts
#   usable   dmalloc (libdmalloc5) defines no malloc_usable_size: usable-size is
#            recorded as not run, realloc and large pass, no evidence reads a
#            usable size of 0
#   efence   electric-fence: a child killed by SIGILL shows efence's own last
#            words; align-default names the call and C23's weaker rule
# 77 (skipped) when the library a mode needs is not installed.
set -u
hb=$1 dir=$2 mode=$3
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$dir/out.txt" 2>/dev/null; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
case $mode in
rules)
  "$hb" conform --rule free-null --rule 'calloc-e*' libc >"$dir/out.txt" 2>&1 || fail "exit $?"
  rows=$(awk 'NR > 1 && NF { print $1 }' "$dir/out.txt" | tr '\n' ' ')
  [ "$rows" = "free-null calloc-edge " ] || fail "rules run: '$rows', expected free-null calloc-edge"
  ;;
anchor)
  line=$("$hb" list allocators | awk -F'\t' '$1 == "tcmalloc"')
  [ -n "$line" ] || skip "tcmalloc is not registered here"
  so=$("$hb" list allocators tcmalloc | cut -f3)
  [ -f "$so" ] || skip "tcmalloc's file is not installed"
  cp "$so" "$dir/libcopy.so" || exit 1
  rules=(--rule identity --rule calloc-overflow --rule align-default --rule memalign)
  "$hb" conform "${rules[@]}" tcmalloc >"$dir/anchor.txt" 2>&1
  rc_anchor=$?
  "$hb" conform "${rules[@]}" tcmin="$dir/libcopy.so" >"$dir/out.txt" 2>&1
  rc_copy=$?
  grep -q "^note: tcmin ($dir/libcopy.so) is the registered anchor tcmalloc (same SHA-256" "$dir/out.txt" ||
    fail "no note that the copy is tcmalloc"
  [ "$rc_anchor" = "$rc_copy" ] || fail "exit $rc_copy for the copy, $rc_anchor for tcmalloc"
  verdicts() { grep -E '^(identity|calloc-overflow|align-default|memalign) +[a-zA-Z]+$' "$1" | awk '{ print $1, $2 }'; }
  [ "$(verdicts "$dir/anchor.txt" | wc -l)" = 4 ] || fail "tcmalloc's table lacks a rule: $(cat "$dir/anchor.txt")"
  diff <(verdicts "$dir/anchor.txt") <(verdicts "$dir/out.txt") >/dev/null ||
    fail "verdicts differ from tcmalloc's: $(cat "$dir/anchor.txt")"
  ;;
usable)
  lib=$(ls /usr/lib/x86_64-linux-gnu/libdmallocth.so.5 /usr/lib/*/libdmallocth.so.5 2>/dev/null | head -n 1)
  [ -n "$lib" ] || skip "libdmalloc5 is not installed (apt-get install libdmalloc5)"
  "$hb" conform --rule usable-size --rule realloc --rule large dmalloc="$lib" >"$dir/out.txt" 2>&1
  grep -q "^dmalloc usable-size: recorded: does not define malloc_usable_size (a glibc extension" "$dir/out.txt" ||
    fail "usable-size is not recorded as not run"
  grep -Eq '^realloc +pass$' "$dir/out.txt" || fail "realloc does not pass"
  grep -Eq '^large +pass$' "$dir/out.txt" || fail "large does not pass"
  grep -q "usable size 0" "$dir/out.txt" && fail "evidence reads glibc's usable size of dmalloc's blocks"
  ;;
efence)
  lib=$(ls /usr/lib/libefence.so.0.0 /usr/lib/*/libefence.so.0.0 2>/dev/null | head -n 1)
  [ -n "$lib" ] || skip "electric-fence is not installed (apt-get install electric-fence)"
  "$hb" conform --rule malloc0 --rule align-default efence="$lib" >"$dir/out.txt" 2>&1
  grep -q '^efence malloc0: FAIL: killed by SIGILL: "ElectricFence Aborting: Allocating 0 bytes' "$dir/out.txt" ||
    fail "malloc0's evidence lacks efence's last words"
  grep -Eq "^efence align-default: FAIL: (malloc|calloc)\\([0-9, ]+\\) returned 0x[0-9a-f]+: not 16-aligned \\(C11 .*C23's weaker rule" \
    "$dir/out.txt" || fail "align-default's evidence does not name the call and C11/C23"
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac
echo "ok: $mode"
