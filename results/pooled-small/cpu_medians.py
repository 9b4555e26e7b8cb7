#!/usr/bin/env python3
"""cpu_medians.py FILE.csv: per workload, thread count and allocator, the
median [min-max] of CPU time (user_s + sys_s) and of wall_s over the rows,
and the median peak RSS in MiB (docs/pooled.md, "Small path (issue 21)")."""
import csv,sys,statistics as st
rows=list(csv.DictReader(open(sys.argv[1])))
by={}
for r in rows:
    if r.get('status','ok') not in ('ok',''): pass
    k=(r['workload'],r['threads'],r['allocator'])
    by.setdefault(k,[]).append((float(r['user_s'])+float(r['sys_s']),float(r['wall_s']),float(r['peak_rss_kib'])/1024))
for k,v in sorted(by.items()):
    cpu=[x[0] for x in v]; w=[x[1] for x in v]; m=[x[2] for x in v]
    print("%-14s t%s %-22s n=%2d cpu %.3f [%.3f-%.3f]  wall %.3f [%.3f-%.3f]  rss %.1f"%(k[0],k[1],k[2],len(v),st.median(cpu),min(cpu),max(cpu),st.median(w),min(w),max(w),st.median(m)))
