#!/usr/bin/env bash
# check_soak.sh HEAPBENCH ALLOCATORS [DURATION] [SCALE]
# A short soak (service-soak, 2 threads) on every allocator, both passes, and
# checks what the soak columns and files say, not how fast anything was:
#   every run ok, one checksum; soak_frag_median present and >= 0.5, frag_max
#   >= frag_median; creep a number; peak and idle RSS > 0, idle <= peak x 2;
#   settle >= 0; drop_10s empty (the idle phase is under 10 s: never guessed);
#   0 < lat_p50 <= lat_p99 <= lat_p999 <= lat_max; the timeline names the six
#   phases in order (the drop, a burst, may fall between two samples), with
#   live bytes never negative and 0 at the end; the latency file
#   has its header, rising percentiles and non-decreasing latencies.
set -u
hb=$1; allocs=$2; duration=${3:-3}; scale=${4:-0.02}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$hb" run -q -a "$allocs" -w service-soak -t 2 -p scale="$scale" --duration "$duration" -p rate=4000 \
    --measure latency --timeline "$dir/tl" --latency "$dir/lat" -o "$dir/out.csv" || fail "heapbench run failed"
python3 - "$dir" <<'PY' || exit 1
import csv, glob, math, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "out.csv"))))
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
if not rows: fail("no rows")
sums = {r["checksum"] for r in rows}
for r in rows:
    a = r["allocator"]
    if r["status"] != "ok": fail(f"{a}: status {r['status']}")
    def num(c):
        v = r[c]
        if v == "": fail(f"{a}: {c} is empty")
        x = float(v)
        if not math.isfinite(x): fail(f"{a}: {c} = {v}")
        return x
    fm, fx = num("soak_frag_median"), num("soak_frag_max")
    if fm < 0.5: fail(f"{a}: soak_frag_median {fm} < 0.5")
    if fx < fm: fail(f"{a}: soak_frag_max {fx} < median {fm}")
    num("soak_creep_mib_min")
    peak, idle = num("soak_peak_rss_kib"), num("soak_idle_rss_kib")
    if peak <= 0 or idle <= 0 or idle > 2 * peak: fail(f"{a}: peak {peak} idle {idle}")
    if num("soak_settle_s") < 0: fail(f"{a}: settle < 0")
    if r["soak_drop_10s"] != "": fail(f"{a}: soak_drop_10s {r['soak_drop_10s']} with an idle phase under 10 s")
    p50, p99, p999, mx = num("lat_p50_ns"), num("lat_p99_ns"), num("lat_p999_ns"), num("lat_max_ns")
    if not (0 < p50 <= p99 <= p999 <= mx): fail(f"{a}: latencies {p50} {p99} {p999} {mx} out of order")
    print(f"{a}: frag {fm:.3f}/{fx:.3f} peak {peak:.0f} KiB idle {idle:.0f} KiB p99.9 {p999:.0f} ns")
if len(sums) != 1: fail(f"{len(sums)} checksums: {sums}")
tls = glob.glob(os.path.join(d, "tl*"))
lats = glob.glob(os.path.join(d, "lat*"))
if len(tls) != len(rows) or len(lats) != len(rows): fail(f"{len(tls)} timelines, {len(lats)} latency files for {len(rows)} runs")
want = ["warmup", "steady", "shift", "drop", "idle", "regrow"]
for t in tls:
    lines = list(csv.DictReader(open(t)))
    seen = []
    for l in lines:
        if l["phase"] and (not seen or seen[-1] != l["phase"]): seen.append(l["phase"])
    if seen != want and seen != [p for p in want if p != "drop"]:  # the drop is a burst: a sample may miss it
        fail(f"{t}: phases {seen}")
    # the sampler's first sample may come after the warm-up began: only the end is known to be 0
    if int(lines[-1]["live_bytes"]) != 0 or min(int(l["live_bytes"]) for l in lines) < 0:
        fail(f"{t}: live bytes {lines[-1]['live_bytes']} at the end, or negative")
    if max(int(l["live_bytes"]) for l in lines) <= 0: fail(f"{t}: no live bytes")
for f in lats:
    lines = open(f).read().split("\n")
    if lines[0] != "percentile,latency_ns": fail(f"{f}: header {lines[0]!r}")
    pts = [tuple(map(float, l.split(","))) for l in lines[1:] if l]
    if len(pts) < 3 or pts[0][0] != 50 or pts[-1][0] != 100: fail(f"{f}: points {pts[:3]}...")
    for (p, v), (q, w) in zip(pts, pts[1:]):
        if not (q > p and w >= v): fail(f"{f}: not rising at {p},{v} -> {q},{w}")
print(f"ok: {len(rows)} soaks, one checksum")
PY
