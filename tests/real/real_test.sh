#!/usr/bin/env bash
# real_test.sh WHAT HEAPBENCH SOURCE_DIR WORK_DIR: one test of tests/real.
#   python     real.sh --quick --no-redis on libc, pooled, naive and the anchors
#              built in: rows ok, checksums equal, the allocator really serving
#              python3; and a script whose checksum depends on the allocator
#              must make real.sh fail with a mismatch message
#   redis      real.sh --quick --no-python (77 when redis is not installed)
#   hyperfine  hyperfine.sh on 2 allocators x 1 workload (77 without hyperfine)
set -uo pipefail
what="$1" hb="$2" src="$3" work="$4"
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"

# Allocators: libc, the drop-ins, and each anchor heapbench was built with.
allocs="libc,pooled,naive"
for a in jemalloc mimalloc tcmalloc; do
  "$hb" list allocators | cut -f1 | grep -qx "$a" && allocs+=",$a"
done

rows_ok() { # FILE WORKLOAD-PREFIX MIN-ROWS
  python3 - "$@" <<'PY' || exit 1
import csv, sys
path, prefix, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [r for r in csv.DictReader(open(path, newline="")) if r["workload"].startswith(prefix)]
if len(rows) < least:
    sys.exit(f"FAIL: {path}: {len(rows)} {prefix} rows, expected at least {least}")
bad = [f"{r['workload']} on {r['allocator']}: {r['status']}" for r in rows if r["status"] != "ok"]
if bad:
    sys.exit("FAIL: rows not ok: " + "; ".join(bad))
sums = {}
for r in rows:
    sums.setdefault(r["workload"], set()).add(r["checksum"])
diff = {w: s for w, s in sums.items() if len(s) != 1}
if diff:
    sys.exit(f"FAIL: checksums differ: {diff}")
print(f"{len(rows)} {prefix} rows ok")
PY
}

case "$what" in
python)
  n_allocs=$(tr , '\n' <<<"$allocs" | wc -l)
  n_scripts=$(ls "$src"/workloads/python/[a-z]*.py | wc -l)
  bash "$src/harness/real.sh" --quick --no-redis --scale 0.05 --heapbench "$hb" -a "$allocs" \
    -o "$work/results.csv" || fail "real.sh --quick exited $?"
  rows_ok "$work/results.csv" python: $((n_allocs * n_scripts))
  # The drop-in really serves python3 with PYTHONMALLOC=malloc, as real.sh runs it.
  py="$(python3 -c 'import sys; print(sys.executable)')"
  got="$(LD_PRELOAD="$(dirname "$hb")/libhb-pooled.so" PYTHONMALLOC=malloc "$py" -c \
    'import ctypes; f = ctypes.CDLL(None).hb_dropin_name; f.restype = ctypes.c_char_p; print(f().decode())')"
  [ "$got" = pooled ] || fail "python3 under libhb-pooled.so reports '$got'"
  # A checksum that depends on the allocator must fail the run, loudly.
  mkdir -p "$work/odd"
  cp "$src/workloads/python/_hb.py" "$work/odd/"
  printf '%s\n' 'import os' \
    'print("odd checksum=%016x" % ("hb-pooled" in os.environ.get("LD_PRELOAD", "")))' >"$work/odd/odd.py"
  if HB_REAL_PYDIR="$work/odd" bash "$src/harness/real.sh" --quick --no-redis --heapbench "$hb" \
       -a libc,pooled,naive -o "$work/odd.csv" 2>"$work/odd.err"; then
    fail "real.sh passed although pooled changed the checksum"
  fi
  grep -q "CHECKSUM MISMATCH" "$work/odd.err" || fail "no mismatch message: $(cat "$work/odd.err")"
  grep -q ",pooled,.*,wrong$" "$work/odd.csv" || fail "the pooled row is not 'wrong'"
  echo "mismatch detected" ;;
redis)
  for p in redis-server redis-cli redis-benchmark; do
    command -v "$p" >/dev/null || { echo "SKIP: $p is not installed (apt-get install redis-server redis-tools)"; exit 77; }
  done
  bash "$src/harness/real.sh" --quick --no-python --requests 5000 --heapbench "$hb" -a "$allocs" \
    -o "$work/results.csv" || fail "real.sh --no-python exited $?"
  rows_ok "$work/results.csv" redis-server 2
  lines=$(tail -n +2 "$work/real-redis.csv" | wc -l)
  [ "$lines" -ge 8 ] || fail "real-redis.csv has $lines rows" ;;
hyperfine)
  command -v hyperfine >/dev/null || { echo "SKIP: hyperfine is not installed (apt-get install hyperfine)"; exit 77; }
  bash "$src/harness/hyperfine.sh" --heapbench "$hb" -a libc,pooled -w glibc-simple -r 2 \
    -p scale=0.05 -o "$work" || fail "hyperfine.sh exited $?"
  [ "$(head -n 1 "$work/results.csv")" = "$("$hb" list columns | cut -f1 | paste -sd, -)" ] ||
    fail "results.csv does not have the schema header"
  rows_ok "$work/results.csv" glibc-simple 4
  python3 - "$work/results.csv" <<'PY' || fail "results.csv: not one row per hyperfine run"
import collections, csv, json, os, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
runs = collections.defaultdict(list)
for r in rows:
    runs[r["allocator"]].append(r["run"])
hf = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "hyperfine.json")))["results"]
times = {res["parameters"]["allocator"]: res["times"] for res in hf}
for a in ("libc", "pooled"):
    if runs[a] != ["1", "2"]:
        sys.exit(f"{a}: runs {runs[a]}, expected 1, 2")
    walls = [float(r["wall_s"]) for r in rows if r["allocator"] == a]
    if any(abs(w - t) > 1e-5 for w, t in zip(walls, times[a])):
        sys.exit(f"{a}: wall_s {walls} are not hyperfine's times {times[a]}")
PY
  grep -q "timing=hyperfine" "$work/results.csv" || fail "params do not say timing=hyperfine"
  for f in hyperfine.json hyperfine.csv heapbench-rows.csv; do [ -s "$work/$f" ] || fail "$f missing"; done
  "$hb" compare "$work/results.csv" --baseline-allocator libc --no-verdict >/dev/null || fail "heapbench compare exited $?" ;;
*) fail "unknown test '$what'" ;;
esac
exit 0
