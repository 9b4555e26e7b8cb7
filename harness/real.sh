#!/usr/bin/env bash
# real.sh: real programs under every allocator (WORKLOADS.md, "Real programs").
#
#   bash harness/real.sh [-a ALLOCS] [-r RUNS] [-o FILE.csv] [--quick] [options]
#
# 1. python3 runs each script of workloads/python/ with PYTHONMALLOC=malloc
#    (every Python allocation goes to malloc, so to the allocator under test),
#    one `heapbench exec` per allocator and run.  Each script prints one
#    checksum line; it goes into the row's checksum column, and a run whose
#    checksum differs from the others' gets status "wrong".
# 2. redis-server runs under `heapbench exec` on a free loopback port while
#    redis-benchmark drives it (fixed request count); requests/s go to
#    real-redis.csv beside FILE, redis-server's own row (wall time, peak RSS,
#    status) to FILE.
#
# Rows land in FILE (heapbench's results schema, appended; created with the
# header when new).  Exit status: 0 every run ok and every checksum equal,
# 1 a run failed or a checksum differed, 2 bad input.  See docs/real.md.
set -uo pipefail
shopt -s nullglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYDIR="${HB_REAL_PYDIR:-$ROOT/workloads/python}"  # HB_REAL_PYDIR: for tests

usage() {
  cat <<EOF
usage: bash harness/real.sh [-a ALLOCS] [-r RUNS] [-o FILE.csv] [--quick] [options]
Runs python3 (workloads/python/*.py, PYTHONMALLOC=malloc) and redis-server under each
allocator with heapbench exec; rows go to FILE, redis requests/s to real-redis.csv beside it.
  -a LIST           allocators, comma-separated (default: every one that can run programs)
  -r RUNS           runs per script and allocator (default 3; --quick: 1)
  -o FILE           results CSV, appended (default results/real/results.csv)
  --quick           small sizes: scale 0.1, 20000 redis requests, 1 run
  --scale X         size of the python scripts (default 1; --quick: 0.1)
  --scripts LIST    python scripts to run, comma-separated names without .py (default: all)
  --requests N      redis-benchmark requests per test (default 100000)
  --no-python       skip the python scripts;  --no-redis  skip redis
  --timeout S       per run (default 300)
  --heapbench PATH  the heapbench binary (default \$HEAPBENCH, build/heapbench, or PATH)
EOF
}

die() { echo "real.sh: $*" >&2; exit 2; }

ALLOCS="" RUNS="" OUT="results/real/results.csv" QUICK=0 SCALE="" SCRIPTS="" REQUESTS=""
DO_PYTHON=1 DO_REDIS=1 TIMEOUT=300 HB="${HEAPBENCH:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    -a) [ $# -ge 2 ] || die "-a needs a value"; ALLOCS="$2"; shift 2 ;;
    -r) [ $# -ge 2 ] || die "-r needs a value"; RUNS="$2"; shift 2 ;;
    -o) [ $# -ge 2 ] || die "-o needs a value"; OUT="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --scale) [ $# -ge 2 ] || die "--scale needs a value"; SCALE="$2"; shift 2 ;;
    --scripts) [ $# -ge 2 ] || die "--scripts needs a value"; SCRIPTS="$2"; shift 2 ;;
    --requests) [ $# -ge 2 ] || die "--requests needs a value"; REQUESTS="$2"; shift 2 ;;
    --no-python) DO_PYTHON=0; shift ;;
    --no-redis) DO_REDIS=0; shift ;;
    --timeout) [ $# -ge 2 ] || die "--timeout needs a value"; TIMEOUT="$2"; shift 2 ;;
    --heapbench) [ $# -ge 2 ] || die "--heapbench needs a value"; HB="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see bash harness/real.sh --help)" ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  : "${RUNS:=1}" "${SCALE:=0.1}" "${REQUESTS:=20000}"
fi
: "${RUNS:=3}" "${SCALE:=1}" "${REQUESTS:=100000}"
[[ "$RUNS" =~ ^[1-9][0-9]{0,2}$ ]] || die "-r $RUNS: expected an integer in [1, 999]"
[[ "$REQUESTS" =~ ^[1-9][0-9]{2,8}$ ]] || die "--requests $REQUESTS: expected an integer in [100, 999999999]"
[[ "$TIMEOUT" =~ ^[1-9][0-9]{0,4}$ ]] || die "--timeout $TIMEOUT: expected seconds, 1 to 99999"
[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ ]] || die "--scale $SCALE: expected a positive number"

if [ -z "$HB" ]; then
  if [ -x "$ROOT/build/heapbench" ]; then HB="$ROOT/build/heapbench"
  else HB="$(command -v heapbench || true)"; fi
fi
[ -n "$HB" ] && [ -x "$HB" ] || die "no heapbench binary (build it, or pass --heapbench PATH or HEAPBENCH=PATH)"
PYTHON="$(command -v "${PYTHON:-python3}" || true)"
[ -n "$PYTHON" ] || die "python3 is not installed (apt-get install python3)"
# The interpreter itself, not a wrapper script (pyenv's shim is bash): the
# probe checks the first program that starts, so it must be python.
PYTHON="$("$PYTHON" -c 'import sys; print(sys.executable)')" || die "cannot run $PYTHON"

# ---- allocators: those given, or every one with a library for other programs.
if [ -z "$ALLOCS" ]; then
  list=()
  for a in $("$HB" list allocators | cut -f1); do
    "$HB" exec -q -a "$a" --timeout 10 -- true >/dev/null 2>&1 && list+=("$a")
  done
  ALLOCS="$(IFS=,; echo "${list[*]}")"
fi
IFS=, read -r -a ALIST <<<"$ALLOCS"
[ ${#ALIST[@]} -gt 0 ] || die "no allocator to run"
for a in "${ALIST[@]}"; do
  msg="$("$HB" exec -q -a "$a" --timeout 10 -- true 2>&1 >/dev/null)" || die "allocator '$a': ${msg:-cannot run programs}"
done

# ---- scripts
if [ -z "$SCRIPTS" ]; then
  names=()
  for f in "$PYDIR"/[a-z]*.py; do n="${f##*/}"; names+=("${n%.py}"); done
else
  IFS=, read -r -a names <<<"$SCRIPTS"
  for n in "${names[@]}"; do
    [ -f "$PYDIR/$n.py" ] || die "no script '$n' in workloads/python (valid: $(cd "$PYDIR" && ls [a-z]*.py | sed 's/\.py$//' | paste -sd, -))"
  done
fi
[ "$DO_PYTHON" = 0 ] && names=()

OUTDIR="$(dirname "$OUT")"
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
[ -e "$OUT" ] && { [ -f "$OUT" ] && [ -w "$OUT" ] || die "cannot write results file $OUT"; }
REDIS_CSV="$OUTDIR/real-redis.csv"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/hb-real.XXXXXX")" || die "mktemp failed"
HBPID="" RPID=""
cleanup() {
  # Whatever happens, no redis-server of ours outlives the script.
  if [ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null; then
    kill -TERM -- "-$RPID" 2>/dev/null; kill -TERM "$RPID" 2>/dev/null
    sleep 0.3
    kill -KILL -- "-$RPID" 2>/dev/null; kill -KILL "$RPID" 2>/dev/null
  fi
  if [ -n "$HBPID" ]; then # heapbench exec ends once its child is gone
    for _ in $(seq 30); do kill -0 "$HBPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$HBPID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "real.sh: interrupted" >&2; exit 130' INT TERM

MANIFEST="$TMP/manifest"
: >"$MANIFEST"
seq_no=0
FAILED=0

# ---- 1. python ------------------------------------------------------------------
export PYTHONMALLOC=malloc PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
for s in "${names[@]}"; do
  for a in "${ALIST[@]}"; do
    for ((r = 1; r <= RUNS; r++)); do
      seq_no=$((seq_no + 1))
      rows="$TMP/rows.$seq_no.csv" out="$TMP/out.$seq_no" err="$TMP/err.$seq_no"
      "$HB" exec -q -a "$a" -r 1 --timeout "$TIMEOUT" --name "python:$s" -o "$rows" \
        -- "$PYTHON" "$PYDIR/$s.py" "$SCALE" >"$out" 2>"$err"
      rc=$?
      sum="$(grep -o 'checksum=[0-9a-f]*' "$out" | tail -n 1 | cut -d= -f2)"
      printf 'python\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$a" "$r" "$rows" "$rc" "$sum" >>"$MANIFEST"
      echo "real: python:$s on $a, run $r: exit $rc, checksum ${sum:-none}" >&2
      if [ "$rc" -ne 0 ]; then
        FAILED=1
        sed 's/^/    /' "$err" | tail -n 5 >&2
      fi
    done
  done
done
unset PYTHONMALLOC PYTHONHASHSEED PYTHONDONTWRITEBYTECODE

# ---- 2. redis -------------------------------------------------------------------
free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the server of one run: shutdown, then signals; waits for heapbench's row.
stop_redis() { # PORT
  timeout 30 redis-cli -h 127.0.0.1 -p "$1" shutdown nosave >/dev/null 2>&1
  for _ in $(seq 600); do kill -0 "$HBPID" 2>/dev/null || break; sleep 0.1; done # long bounds: a busy machine
  if kill -0 "$HBPID" 2>/dev/null; then
    echo "real.sh: redis-server did not stop on shutdown; killing it" >&2
    [ -n "$RPID" ] && { kill -TERM -- "-$RPID" 2>/dev/null; kill -TERM "$RPID" 2>/dev/null; }
    for _ in $(seq 300); do kill -0 "$HBPID" 2>/dev/null || break; sleep 0.1; done
  fi
  wait "$HBPID" 2>/dev/null
  local rc=$?
  HBPID="" RPID=""
  return $rc
}

run_redis() { # ALLOC RUN
  local a="$1" r="$2" port rows log bench rc=0 rps_rows=0
  seq_no=$((seq_no + 1))
  rows="$TMP/rows.$seq_no.csv" log="$TMP/redis.$seq_no.log" bench="$TMP/bench.$seq_no.csv"
  port="$(free_port)" || { echo "real.sh: no free port" >&2; return 1; }
  if timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "real.sh: something already answers on 127.0.0.1:$port" >&2; return 1
  fi
  "$HB" exec -q -a "$a" -r 1 --timeout "$TIMEOUT" --name redis-server -o "$rows" \
    -- redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes --save '' --appendonly no \
       --daemonize no --loglevel warning >"$log" 2>&1 &
  HBPID=$!
  local up=0
  for _ in $(seq 600); do # up to a minute and more: a busy machine starts a server slowly
    kill -0 "$HBPID" 2>/dev/null || break
    if [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then up=1; break; fi
    sleep 0.1
  done
  if [ "$up" = 1 ]; then
    RPID="$(timeout 2 redis-cli -h 127.0.0.1 -p "$port" info server | tr -d '\r' | sed -n 's/^process_id://p')"
    # The server that answers must be the one heapbench started.
    if [ -z "$RPID" ] || [ "$(ps -o ppid= -p "$RPID" 2>/dev/null | tr -d ' ')" != "$HBPID" ]; then
      echo "real.sh: the server on port $port is not ours (pid ${RPID:-?}); giving up on this run" >&2
      RPID=""; up=0
    fi
  fi
  if [ "$up" = 1 ]; then
    timeout $((TIMEOUT > 30 ? TIMEOUT - 10 : TIMEOUT)) redis-benchmark -h 127.0.0.1 -p "$port" -q \
      -n "$REQUESTS" -t set,get,lpush,lpop -P 16 --csv >"$bench" 2>>"$log" || rc=1
    rps_rows="$(grep -c '^"[A-Z]' "$bench" 2>/dev/null)"
    [ "${rps_rows:-0}" -eq 4 ] || rc=1
  else
    echo "real.sh: redis-server on $a never answered ping" >&2
    rc=1
  fi
  stop_redis "$port" || rc=1
  printf 'redis\tredis-server\t%s\t%s\t%s\t%s\t%s\n' "$a" "$r" "$rows" "$rc" "$bench" >>"$MANIFEST"
  echo "real: redis-server on $a, run $r: $([ $rc = 0 ] && echo ok || echo FAILED)" >&2
  if [ "$rc" -ne 0 ]; then
    FAILED=1
    grep -v 'WARNING Memory overcommit' "$log" | tail -n 8 | sed 's/^/    /' >&2
  fi
  return 0
}

if [ "$DO_REDIS" = 1 ]; then
  if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null || ! command -v redis-cli >/dev/null; then
    echo "real.sh: redis-server, redis-cli or redis-benchmark is not installed (apt-get install redis-server redis-tools): redis skipped" >&2
  else
    # Debian's redis-server links libjemalloc: its malloc *is* jemalloc, and the
    # probe rightly refuses to call such a run libc.  Only a preloaded allocator
    # (pooled, naive, the anchors) replaces it.
    native=""
    case "$(ldd "$(command -v redis-server)" 2>/dev/null)" in *libjemalloc*) native=jemalloc ;; esac
    for a in "${ALIST[@]}"; do
      if [ "$a" = libc ] && [ -n "$native" ]; then
        echo "real: redis-server on libc: skipped (Debian's redis-server links lib$native, so its malloc is $native, not libc)" >&2
        continue
      fi
      for ((r = 1; r <= RUNS; r++)); do run_redis "$a" "$r"; done
    done
  fi
fi

# ---- 3. rows into FILE, checksums compared, summary --------------------------------
"$PYTHON" - "$MANIFEST" "$OUT" "$REDIS_CSV" "$REQUESTS" "$SCALE" <<'EOF'
import collections, csv, os, statistics, sys

manifest, out, redis_csv, requests, scale = sys.argv[1:6]
entries = [line.rstrip("\n").split("\t") for line in open(manifest) if line.strip()]
header, rows = None, []
pyver = "%d.%d.%d" % sys.version_info[:3]
for kind, name, alloc, run, rowsfile, rc, extra in entries:
    if not os.path.exists(rowsfile):
        continue  # heapbench refused before running (its message is above)
    with open(rowsfile, newline="") as f:
        got = list(csv.reader(f))
    if header is None:
        header = got[0]
    for row in got[1:]:
        rec = dict(zip(header, row))
        rec["run"] = run
        # exec writes the command line; keep what identifies the cell, not
        # paths or the port, so that files from other machines compare.
        if kind == "python":
            rec["params"] = f"scale={scale};python={pyver};PYTHONMALLOC=malloc"
        else:
            rec["params"] = f"requests={requests};pipeline=16;tests=set+get+lpush+lpop"
        rows.append((kind, name, alloc, extra, rec))
status = 0
if any(rc != "0" for *_, rc, _ in entries):
    status = 1

# A script's reference checksum: the most common one among ok runs (libc's on a tie).
wrong = []
by_script = collections.defaultdict(list)
for kind, name, alloc, extra, rec in rows:
    if kind == "python":
        rec["checksum"] = extra
        if rec["status"] == "ok":
            by_script[name].append((alloc, extra))
for name, sums in by_script.items():
    counts = collections.Counter(s for _, s in sums)
    best = max(counts.values())
    tied = [s for s, n in counts.items() if n == best]
    ref = next((s for a, s in sums if a == "libc" and s in tied), tied[0])
    for kind, n2, alloc, extra, rec in rows:
        if kind == "python" and n2 == name and rec["status"] == "ok" and extra != ref:
            rec["status"] = "wrong"
            wrong.append(f"python:{name} on {alloc}, run {rec['run']}: checksum {extra or '(none)'}, others {ref}")
if wrong:
    status = 1
    print("real.sh: CHECKSUM MISMATCH: an allocator changed what a program computed:", file=sys.stderr)
    for w in wrong:
        print("  " + w, file=sys.stderr)

if header is not None:
    exists = os.path.exists(out) and os.path.getsize(out) > 0
    if exists:
        with open(out, newline="") as f:
            first = next(csv.reader(f), None)
        if first != header:
            print(f"real.sh: results file {out} exists with another header; not touched", file=sys.stderr)
            sys.exit(2)
    with open(out, "a", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if not exists:
            w.writerow(header)
        for *_, rec in rows:
            w.writerow([rec.get(c, "") for c in header])

# redis requests/s, from redis-benchmark --csv ("SET","123.45",...)
rps = collections.defaultdict(list)
redis_rows = []
for kind, name, alloc, run, rowsfile, rc, extra in entries:
    if kind != "redis" or not os.path.exists(extra):
        continue
    with open(extra, newline="") as f:
        for rec in csv.reader(f):
            if len(rec) >= 2 and rec[0] != "test":
                redis_rows.append([alloc, rec[0].lower(), rec[1], run, requests, "16"])
                rps[(alloc, rec[0].lower())].append(float(rec[1]))
if redis_rows:
    new = not (os.path.exists(redis_csv) and os.path.getsize(redis_csv) > 0)
    with open(redis_csv, "a", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if new:
            w.writerow(["allocator", "test", "rps", "run", "requests", "pipeline"])
        w.writerows(redis_rows)

# Summary: medians per program and allocator.
def med(vals):
    vals = [float(v) for v in vals if v not in ("", None)]
    return statistics.median(vals) if vals else float("nan")

cells = collections.OrderedDict()
for kind, name, alloc, extra, rec in rows:
    cells.setdefault((rec["workload"], alloc), []).append(rec)
if cells:
    print(f"{'program':34} {'allocator':10} {'runs':>4} {'wall_s':>8} {'peak_rss_kib':>12}  status")
    for (wl, alloc), recs in cells.items():
        st = ",".join(sorted({r["status"] for r in recs}))
        print(f"{wl:34} {alloc:10} {len(recs):>4} {med(r['wall_s'] for r in recs):>8.3f} "
              f"{med(r['peak_rss_kib'] for r in recs):>12.0f}  {st}")
if rps:
    print(f"\n{'redis-benchmark':34} {'allocator':10} {'requests/s (median)':>20}")
    for (alloc, test), v in rps.items():
        print(f"{test:34} {alloc:10} {statistics.median(v):>20.0f}")
print(f"\nrows: {out}" + (f"; redis requests/s: {redis_csv}" if redis_rows else ""))
sys.exit(status)
EOF
merge_rc=$?
if [ "$merge_rc" -eq 2 ]; then exit 2; fi
if [ "$FAILED" -ne 0 ] || [ "$merge_rc" -ne 0 ]; then
  echo "real.sh: FAILED: see the messages above" >&2
  exit 1
fi
exit 0
