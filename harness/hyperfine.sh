#!/usr/bin/env bash
# hyperfine.sh: the allocator x workload matrix timed by hyperfine.
#
#   bash harness/hyperfine.sh [-a ALLOCS] [-w WORKLOADS] [-c COLLECTORS] [-r RUNS] -o DIR
#
# Each hyperfine iteration is one `heapbench run -q -r 1` of one cell, which
# appends its own row (memory columns, checksum, status) to
# DIR/heapbench-rows.csv.  hyperfine writes DIR/hyperfine.json and
# DIR/hyperfine.csv (mean, stddev, median, user, system, min, max per
# command).  The two are then joined into DIR/results.csv, in heapbench's
# results schema, one row per hyperfine run: wall_s is that run's time by
# hyperfine (the whole process, start and exit included: params ends in
# ";timing=hyperfine"), user_s and sys_s hyperfine's means (it exports no
# per-run CPU times), and every other column that run's heapbench row
# (warm-up rows left out), so compare has every run for its U test.
# `heapbench compare DIR/results.csv --baseline-allocator libc` reads it.
# Exit status: 0 ok, 1 a run failed, 2 bad input.  See docs/hyperfine.md.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<EOF
usage: bash harness/hyperfine.sh [-a ALLOCS] [-w WORKLOADS] [-c COLLECTORS] [-r RUNS] -o DIR
Times every allocator x workload (x collector) cell with hyperfine, one heapbench run per
iteration, and joins hyperfine's timing with heapbench's memory columns into DIR/results.csv.
  -a LIST           allocators, comma-separated: names, NAME=PATH.so or library paths
                    (default: libc,pooled and the anchors built in)
  -w LIST           workloads (default: glibc-simple)
  -c LIST           collectors, for collector workloads (adds hyperfine's -L collector)
  -r RUNS           hyperfine --runs (default 5)
  --warmup N        hyperfine --warmup (default 1)
  -p KEY=VALUE      workload parameter passed to heapbench run, repeatable (e.g. -p scale=0.2)
  -t THREADS        threads for threaded workloads
  --measure WHAT    heapbench run --measure (default none: one child per run, so the time is
                    the clean pass only; all adds the instrumented pass to every iteration)
  -o DIR            output directory (its results.csv, heapbench-rows.csv, hyperfine.json and
                    hyperfine.csv are replaced)
  --heapbench PATH  the heapbench binary (default \$HEAPBENCH, build/heapbench, or PATH)
EOF
}

die() { echo "hyperfine.sh: $*" >&2; exit 2; }

ALLOCS="" WORKLOADS="glibc-simple" COLLECTORS="" RUNS=5 WARMUP=1 THREADS="" MEASURE=none DIR="" HB="${HEAPBENCH:-}"
PARAMS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -a) [ $# -ge 2 ] || die "-a needs a value"; ALLOCS="$2"; shift 2 ;;
    -w) [ $# -ge 2 ] || die "-w needs a value"; WORKLOADS="$2"; shift 2 ;;
    -c) [ $# -ge 2 ] || die "-c needs a value"; COLLECTORS="$2"; shift 2 ;;
    -r) [ $# -ge 2 ] || die "-r needs a value"; RUNS="$2"; shift 2 ;;
    --warmup) [ $# -ge 2 ] || die "--warmup needs a value"; WARMUP="$2"; shift 2 ;;
    -p) [ $# -ge 2 ] || die "-p needs a value"; PARAMS+=("$2"); shift 2 ;;
    -t) [ $# -ge 2 ] || die "-t needs a value"; THREADS="$2"; shift 2 ;;
    --measure) [ $# -ge 2 ] || die "--measure needs a value"; MEASURE="$2"; shift 2 ;;
    -o) [ $# -ge 2 ] || die "-o needs a value"; DIR="$2"; shift 2 ;;
    --heapbench) [ $# -ge 2 ] || die "--heapbench needs a value"; HB="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see bash harness/hyperfine.sh --help)" ;;
  esac
done
[ -n "$DIR" ] || die "no output directory (-o DIR)"
[[ "$RUNS" =~ ^[1-9][0-9]{0,3}$ ]] || die "-r $RUNS: expected an integer in [1, 9999]"
[[ "$WARMUP" =~ ^[0-9]{1,3}$ ]] || die "--warmup $WARMUP: expected an integer in [0, 999]"
[ -z "$THREADS" ] || [[ "$THREADS" =~ ^[1-9][0-9]{0,3}$ ]] || die "-t $THREADS: expected a positive integer"
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
PYTHON="$(command -v python3 || true)"
[ -n "$PYTHON" ] || die "python3 is not installed (apt-get install python3)"
if [ -z "$HB" ]; then
  if [ -x "$ROOT/build/heapbench" ]; then HB="$ROOT/build/heapbench"
  else HB="$(command -v heapbench || true)"; fi
fi
[ -n "$HB" ] && [ -x "$HB" ] || die "no heapbench binary (build it, or pass --heapbench PATH or HEAPBENCH=PATH)"
HB="$(cd "$(dirname "$HB")" && pwd)/$(basename "$HB")"

if [ -z "$ALLOCS" ]; then
  known="$("$HB" list allocators | cut -f1)"
  list=()
  for a in libc pooled jemalloc mimalloc tcmalloc; do grep -qx "$a" <<<"$known" && list+=("$a"); done
  ALLOCS="$(IFS=,; echo "${list[*]}")"
fi
for v in "$WORKLOADS" "$COLLECTORS"; do
  [[ "$v" =~ ^[A-Za-z0-9_.,+-]*$ ]] || die "'$v': names are letters, digits and - _ . + separated by commas"
done
# Allocators may be NAME=PATH.so or library paths, as everywhere in heapbench.
[[ "$ALLOCS" =~ ^[A-Za-z0-9_.,+=/-]*$ ]] ||
  die "'$ALLOCS': allocators are names, NAME=PATH or paths of letters, digits and - _ . + / separated by commas"

# Bad names: heapbench's own lists, before hyperfine starts (a bad -p shows
# as heapbench's message from the first run, and hyperfine stops).
IFS=, read -r -a AL <<<"$ALLOCS"
IFS=, read -r -a WL <<<"$WORKLOADS"
IFS=, read -r -a CL <<<"${COLLECTORS:-}"
[ ${#AL[@]} -gt 0 ] && [ ${#WL[@]} -gt 0 ] || die "no allocator or no workload"
check_names() { # KIND NAME...
  local kind="$1" valid n; shift
  valid="$("$HB" list "$kind" | cut -f1)"
  for n in "$@"; do
    grep -qx -- "$n" <<<"$valid" || die "unknown ${kind%s} '$n' (valid: $(paste -sd, - <<<"$valid"))"
  done
}
# heapbench resolves and checks the allocators (libraries given by path
# included) and names each: rows carry the NAME, hyperfine the spec.
errf="$(mktemp)"
names="$("$HB" list allocators "$ALLOCS" 2>"$errf")" || { msg="$(tail -1 "$errf")"; rm -f "$errf"; die "${msg#heapbench: }"; }
rm -f "$errf"
NAMES="$(cut -f1 <<<"$names" | paste -sd, -)"
check_names workloads "${WL[@]}"
[ -z "$COLLECTORS" ] || check_names collectors "${CL[@]}"
mkdir -p "$DIR" || die "cannot create $DIR"
DIR="$(cd "$DIR" && pwd)"
ROWS="$DIR/heapbench-rows.csv"
rm -f "$ROWS" "$DIR/results.csv" "$DIR/hyperfine.json" "$DIR/hyperfine.csv"

quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
extra=""
for p in "${PARAMS[@]+"${PARAMS[@]}"}"; do extra+=" -p $(quote "$p")"; done
[ -n "$THREADS" ] && extra+=" -t $THREADS"

cmd="$(quote "$HB") run -q --measure $MEASURE -a {allocator} -w {workload}"
[ -n "$COLLECTORS" ] && cmd+=" -c {collector}"
cmd+="$extra -r 1 -o $(quote "$ROWS")"
hf=(hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS"
    -L allocator "$ALLOCS" -L workload "$WORKLOADS")
[ -n "$COLLECTORS" ] && hf+=(-L collector "$COLLECTORS")
hf+=(--export-json "$DIR/hyperfine.json" --export-csv "$DIR/hyperfine.csv" "$cmd")
echo "hyperfine.sh: ${hf[*]}" >&2
if ! "${hf[@]}" >&2; then
  echo "hyperfine.sh: FAILED: a heapbench run failed (its message is above); rows so far: $ROWS" >&2
  exit 1
fi

"$PYTHON" - "$HB" "$ROWS" "$DIR/hyperfine.json" "$DIR/results.csv" "$WARMUP" "$ALLOCS" "$NAMES" <<'EOF'
import collections, csv, json, os, statistics, subprocess, sys

hb, rows_path, json_path, out, warmup, specs, names = sys.argv[1:8]
name_of = dict(zip(specs.split(","), names.split(",")))  # hyperfine's -L value -> the rows' allocator
warmup = int(warmup)
header = [l.split("\t")[0] for l in subprocess.run([hb, "list", "columns"], capture_output=True, text=True,
                                                    check=True).stdout.splitlines() if l]
with open(rows_path, newline="") as f:
    rd = csv.DictReader(f)
    if rd.fieldnames != header:
        sys.exit(f"hyperfine.sh: {rows_path} does not have heapbench's header")
    rows = list(rd)
cells = collections.defaultdict(list)
for r in rows:
    cells[(r["workload"], r["allocator"], r["collector"])].append(r)

results = json.load(open(json_path))["results"]
status = 0
tmp = out + ".tmp"
with open(tmp, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    for res in results:
        p = res.get("parameters", {})
        key = (p.get("workload", ""), name_of.get(p.get("allocator", ""), ""), p.get("collector", ""))
        recs = cells.get(key, [])[warmup:]  # each cell's first rows are hyperfine's warm-up
        if not recs:
            print(f"hyperfine.sh: no heapbench rows for {key}", file=sys.stderr)
            status = 1
            continue
        times = res.get("times") or []
        codes = res.get("exit_codes") or [0] * len(times)
        if len(recs) != len(times):
            print(f"hyperfine.sh: {key}: {len(recs)} heapbench rows for {len(times)} hyperfine runs",
                  file=sys.stderr)
            status = 1
            continue
        sums = {r["checksum"] for r in recs}
        cell_status = []
        for i, (rec, t) in enumerate(zip(recs, times)):
            row = dict((col, rec.get(col, "")) for col in header)
            row["params"] = rec["params"] + ";timing=hyperfine"
            row["run"] = str(i + 1)
            row["wall_s"] = f"{t:.6f}"
            row["user_s"] = f"{res['user']:.6f}"
            row["sys_s"] = f"{res['system']:.6f}"
            try:
                ops = float(rec["ops"])
                row["ops_per_s"] = f"{ops / t:.6g}" if t > 0 else ""
            except ValueError:
                row["ops_per_s"] = ""
            if row["status"] == "ok" and codes[i] != 0:
                row["status"] = "crash"
            if row["status"] == "ok" and len(sums) != 1:
                row["status"] = "wrong"  # the runs of one cell disagree
            if row["status"] != "ok":
                status = 1
            cell_status.append(row["status"])
            w.writerow([row[c] for c in header])
        kibs = [int(r["peak_rss_kib"]) for r in recs if r["peak_rss_kib"].isdigit()]
        peak = round(statistics.median(kibs)) if kibs else ""
        print(f"{key[0]:24} {key[1]:10} {key[2] or '-':12} median {res['median']:.4f} s "
              f"(mean {res['mean']:.4f} +- {res['stddev'] or 0:.4f}, min {res['min']:.4f}, max {res['max']:.4f}) "
              f"peak_rss {peak} KiB  {next((x for x in cell_status if x != 'ok'), 'ok')}")
os.replace(tmp, out)
print(f"results: {out}")
sys.exit(status)
EOF
