#!/usr/bin/env bash
# soak_test.sh HEAPBENCH PROGRAM DIR: a short server soak (redis-soak,
# memcached-soak; harness/server_soak.c), 8 s on pooled's drop-in and
# mimalloc (and libc for memcached).  Asserts what holds by construction,
# never a timing: every row ok with one checksum (the key set read back
# against the client's model); the latency columns present and ordered
# (p50 <= p99 <= p99.9 <= max; each corrected figure >= its measured one,
# since a request is never sent before it is due); the soak columns the
# phases allow; a timeline that goes through the six phases in order; a
# latency curve and the latencies per phase for each allocator; no process of
# the run left behind (its session's, not every server on the machine).  77 (skipped)
# when the server is not installed.
set -uo pipefail
hb=$1 prog=$2 dir=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
case "$prog" in redis-soak) bin=redis-server ;; memcached-soak) bin=memcached ;; *) fail "unknown soak $prog" ;; esac
command -v "$bin" >/dev/null || { echo "skipped: $bin is not installed"; exit 77; }
allocs=pooled
"$hb" list allocators | cut -f1 | grep -qx mimalloc && allocs+=,mimalloc
[ "$prog" = redis-soak ] || allocs="libc,$allocs" # Debian's redis links jemalloc: glibc cannot serve it
. "$(dirname "${BASH_SOURCE[0]}")/session.sh" # live, gone, run_in_session
run_in_session "$dir/sid" run -q -a "$allocs" -w "$prog" -p duration=8 -p rate=1000 -p conns=4 -o "$dir/rows.csv" \
  --timeline "$dir/timeline.csv" 2>"$dir/err.txt" || fail "heapbench run exited $?: $(cat "$dir/err.txt")"
python3 - "$dir" "$prog" "$allocs" <<'PY' || exit 1
import csv, os, sys
d, prog, allocs = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
rows = list(csv.DictReader(open(os.path.join(d, "rows.csv"), newline="")))
def fail(m): sys.exit("FAIL: " + m)
if sorted(r["allocator"] for r in rows) != sorted(allocs):
    fail(f"rows for {[r['allocator'] for r in rows]}, expected {allocs}")
bad = [f"{r['allocator']}: {r['status']}" for r in rows if r["status"] != "ok"]
if bad:
    fail("not ok: " + "; ".join(bad))
sums = {r["checksum"] for r in rows}
if len(sums) != 1 or "" in sums:
    fail(f"checksums differ or are empty: {sums}")
if len({r["ops"] for r in rows}) != 1 or int(rows[0]["ops"]) <= 0:
    fail("request counts differ: " + str([r["ops"] for r in rows]))
for r in rows:
    a = r["allocator"]
    if r["req_rate"] != "1000":
        fail(f"{a}: req_rate {r['req_rate']}")
    m = [float(r[c]) for c in ("req_p50_us", "req_p99_us", "req_p999_us", "req_max_us")]
    c = [float(r[c]) for c in ("req_co_p50_us", "req_co_p99_us", "req_co_p999_us", "req_co_max_us")]
    if m != sorted(m) or c != sorted(c) or m[0] <= 0:
        fail(f"{a}: percentiles out of order: {m} {c}")
    if any(x < y for x, y in zip(c, m)):
        fail(f"{a}: a corrected latency below the measured one: {c} {m}")
    for col in ("soak_frag_median", "soak_frag_max", "soak_creep_mib_min", "soak_peak_rss_kib",
                "soak_drop_1s", "soak_settle_s", "soak_idle_rss_kib", "peak_live_bytes"):
        if r[col] == "":
            fail(f"{a}: {col} empty")
    if r["soak_drop_10s"] != "":
        fail(f"{a}: soak_drop_10s measured in an idle phase of 1.6 s")
    # the timeline: the six phases in order, RSS and live bytes positive
    tl = os.path.join(d, f"timeline.csv.{a}.t1.1")
    lines = list(csv.DictReader(open(tl)))
    seen = []
    for l in lines:
        if not seen or seen[-1] != l["phase"]:
            seen.append(l["phase"])
        if int(l["rss_kib"]) <= 0:
            fail(f"{tl}: rss {l['rss_kib']}")
    if seen != ["warmup", "steady", "shift", "drop", "idle", "regrow"]:
        fail(f"{tl}: phases {seen}")
    if max(int(l["live_bytes"]) for l in lines) <= 0:
        fail(f"{tl}: no live bytes from the server")
    # the latencies per phase: every phase with requests, adding up to ops
    ph = list(csv.DictReader(open(os.path.join(d, f"reqphase-{prog}-{a}.csv"))))
    if [p["phase"] for p in ph] != ["warmup", "steady", "shift", "drop", "regrow"]:
        fail(f"{a}: reqphase phases {[p['phase'] for p in ph]}")
    if sum(int(p["requests"]) for p in ph) != int(r["ops"]):
        fail(f"{a}: reqphase requests do not add up to ops {r['ops']}")
    if max(float(p["co_max_us"]) for p in ph) != float(r["req_co_max_us"]):
        fail(f"{a}: the phases' corrected maxima miss the run's {r['req_co_max_us']}")
    # the latency curve
    cv = list(csv.reader(open(os.path.join(d, f"latency-{prog}-{a}.csv"))))
    if cv[0] != ["percentile", "measured_us", "corrected_us"] or len(cv) < 50 or cv[-1][0] != "100":
        fail(f"{a}: latency curve {cv[:2]} .. {cv[-1:]}")
PY
# nothing of the run survives it (the servers included); another suite's servers do not count
gone "$(cat "$dir/sid")" || fail "processes of the run left behind: $(ps -o pid=,comm= -s "$(cat "$dir/sid")" | tr '\n' ' ')"
echo "ok: $prog on $allocs, one checksum"
