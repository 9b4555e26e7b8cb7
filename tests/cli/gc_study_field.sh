#!/bin/sh
# gc-study --field end to end at a tiny scale: every field workload under
# generational and incremental, one run each; then checks, from results.csv
# alone, what the study reports:
#  - the trash columns are filled for every field row, gc_trash_max >= its
#    mean, and a counted structure's bytes are there (gc_trash_bytes_max > 0);
#  - study.md's per-workload tables carry the automatic max pause and trash;
#  - the gate table's wall, RSS and trash ratios are the geometric means of
#    the per-workload ratios (recomputed here with awk), and its automatic
#    max pause is the largest gc_pause_auto_max_us over the workloads;
#  - thresholds decide the verdicts: --gate passes with lax thresholds and
#    fails (exit 1) with a strict one, whatever the timings were.
# Usage: gc_study_field.sh HEAPBENCH DIR
set -eu
hb=$1
dir=$2
rm -rf "$dir"
fail() { echo "gc_study_field: $*"; exit 1; }
"$hb" gc-study -o "$dir" --field -c generational,incremental -r 1 -p scale=0.005 >"$dir.out" 2>&1 ||
    { cat "$dir.out"; fail "study failed"; }
csv=$dir/results.csv
nf=$("$hb" list workloads | grep -c "field:" || true)
[ "$nf" -ge 5 ] || fail "fewer than 5 field workloads listed ($nf)"
rows=$(awk 'NR>1' "$csv" | wc -l)
[ "$rows" -eq $((nf * 2)) ] || fail "$rows rows, expected $((nf * 2))"
awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i;next}
  { if ($c["status"]!="ok") { print "not ok: " $c["workload"] " " $c["collector"]; bad=1 }
    if ($c["gc_trash_max"]=="" || $c["gc_trash_mean"]=="" || $c["gc_trash_bytes_max"]=="") { print "no trash: " $c["workload"]; bad=1 }
    if ($c["gc_trash_max"]+0 < $c["gc_trash_mean"]+0) { print "max < mean: " $c["workload"]; bad=1 }
    if ($c["gc_trash_bytes_max"]+0 <= 0) { print "no trash bytes: " $c["workload"]; bad=1 }
    if ($c["gc_pause_auto_max_us"]=="") { print "no auto pause: " $c["workload"]; bad=1 } }
  END { exit bad }' "$csv" || fail "trash or pause columns wrong"
grep -q "| auto max pause ms |.*| trash max | trash mean | trash max MiB |" "$dir/study.md" || fail "per-workload columns missing"
[ -s "$dir/trash.png" ] || [ -s "$dir/trash.svg" ] || echo "gc_study_field: note: gnuplot made no trash plot"

# The gate row of incremental, recomputed.
expect=$(awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i;next}
  { w=$c["workload"]; k=$c["collector"]; wall[w,k]=$c["wall_s"]; rss[w,k]=$c["peak_rss_kib"];
    t[w,k]=$c["gc_trash_max"]; a[w,k]=$c["gc_pause_auto_max_us"]; ws[w]=1 }
  END { n=0; for (w in ws) { n++; lw+=log(wall[w,"incremental"]/wall[w,"generational"]);
          lr+=log(rss[w,"incremental"]/rss[w,"generational"]);
          ti=t[w,"incremental"]; tg=t[w,"generational"]; if (ti<1) ti=1; if (tg<1) tg=1; lt+=log(ti/tg);
          if (a[w,"incremental"]/1000 > mx) mx=a[w,"incremental"]/1000 }
        printf "%.2f %.2f %.2f %.3f\n", exp(lw/n), exp(lr/n), exp(lt/n), mx }' "$csv")
got=$(awk -F'|' '/^## Release gate/ { g=1 } g && /^\| incremental \|/ && !done { gsub(/ /,""); split($6,p,"("); printf "%.2f %.2f %.2f %.3f\n", $4, $8, $11, p[1]; done=1 }' "$dir/study.md")
# Rounding of the printed figures may differ in the last digit.
echo "$expect" "$got" | awk '{ for (i=1;i<=4;i++) if ((($i-$(i+4))^2)^0.5 > (i==4?0.0011:0.011)) exit 1 }' ||
    fail "gate row: expected '$expect', study.md says '$got'"

"$hb" gc-study -o "$dir" --field -c generational,incremental --from --gate incremental --gate-time 1e6 \
    --gate-rss 1e6 --gate-trash 1e6 --gate-pause-ms 1e9 >/dev/null || fail "lax gate did not pass"
grep -q "^| incremental | .* pass | pass |$" "$dir/summary.md" || fail "lax gate: verdict not pass in summary.md"
set +e
"$hb" gc-study -o "$dir" --field -c generational,incremental --from --gate incremental --gate-rss 1e-6 >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "strict gate: exit $rc, expected 1"
grep -q "^| incremental | .* \*\*fail\*\* |$" "$dir/summary.md" || fail "strict gate: verdict not fail"
echo "gc_study_field: ok"
