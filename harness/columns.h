/*
 * columns.h: the results CSV schema, defined once.
 *
 * Every column heapbench writes, in order, with its meaning.  The CSV header,
 * the row struct, the child-to-parent protocol, `compare` and the docs
 * (docs/csv.md is checked against this list by a test) all come from here.
 * Bump HB_SCHEMA_VERSION whenever a column is added, removed or changes
 * meaning; readers refuse files of another schema version.
 */
#ifndef HB_COLUMNS_H
#define HB_COLUMNS_H

#define HB_SCHEMA_VERSION 6

/* X(name, meaning) */
#define HB_COLUMNS(X)                                                                                    \
    X(schema, "CSV schema version (" "6" ")")                                                            \
    X(heapbench, "heapbench version that wrote the row")                                                 \
    X(workload, "workload name")                                                                         \
    X(allocator, "allocator name")                                                                       \
    X(alloc_path, "the library that served malloc (process allocators: libc, anchors, NAME=PATH); empty for in-process plug-ins") \
    X(alloc_sha256, "SHA-256 of alloc_path's contents: tells two builds of one allocator apart")              \
    X(collector, "collector name, empty for allocator workloads")                                        \
    X(threads, "threads the workload ran with")                                                          \
    X(params, "workload parameters as key=value separated by ';', scale included")                      \
    X(run, "run number within the cell, from 1")                                                         \
    X(wall_s, "wall-clock seconds of the workload phase only")                                           \
    X(user_s, "user CPU seconds of the workload phase")                                                  \
    X(sys_s, "system CPU seconds of the workload phase")                                                 \
    X(ops, "allocation requests (or object creations) made by the workload")                            \
    X(ops_per_s, "ops / wall_s")                                                                         \
    X(peak_rss_kib, "the child's maximum resident set, KiB (getrusage)")                                \
    X(baseline_rss_kib, "resident set just before the workload phase, KiB")                              \
    X(peak_live_bytes, "maximum of live requested bytes (counting wrapper)")                             \
    X(overhead_ratio, "(peak_rss - baseline_rss) / peak_live_bytes; 1.0 is perfect")                    \
    X(end_rss_kib, "resident set after the workload freed everything, KiB")                             \
    X(internal_frag, "sum(usable - requested) / sum(requested), where usable size is known")            \
    X(lat_p50_ns, "median latency of sampled single allocation calls, ns")                              \
    X(lat_p99_ns, "99th percentile latency of sampled allocation calls, ns")                            \
    X(lat_max_ns, "maximum latency of sampled allocation calls, ns")                                    \
    X(lat_p999_ns, "99.9th percentile latency of sampled allocation calls, ns")                        \
    X(gc_collections, "collections run (all generations)")                                              \
    X(gc_collected, "objects collected by the collector (not by reference counting)")                   \
    X(gc_uncollectable, "objects found uncollectable (legacy finalizers in cycles)")                    \
    X(gc_gen_collections, "collections per generation, ';'-separated (gc.get_stats()'s collections)")  \
    X(gc_gen_collected, "objects collected per generation, ';'-separated (gc.get_stats()'s collected)") \
    X(gc_pause_total_ms, "sum of collection pauses, ms")                                                \
    X(gc_pause_p99_us, "99th percentile collection pause, us")                                          \
    X(gc_pause_max_us, "longest collection pause, us")                                                  \
    X(gc_mmu_10ms, "minimum mutator utilisation over 10 ms windows, 0..1")                              \
    X(gc_mmu_1ms, "minimum mutator utilisation over 1 ms windows, 0..1")                                \
    X(gc_mmu_curve, "MMU at windows of 0.1 0.2 0.5 1 2 5 10 20 50 100 200 500 1000 ms, ';'-separated") \
    X(gc_pause_auto_max_us, "longest automatic collection pause (not inside the workload's own gc.collect()), us") \
    X(gc_trash_max, "most objects unreachable and not yet freed at any moment (field workloads: exact)") \
    X(gc_trash_mean, "time-weighted mean of those objects over the workload phase") \
    X(gc_trash_bytes_max, "most bytes unreachable and not yet freed at any moment") \
    X(soak_frag_median, "soaks: median of RSS / live bytes over the steady phase") \
    X(soak_frag_max, "soaks: maximum of RSS / live bytes over the steady phase") \
    X(soak_creep_mib_min, "soaks: RSS growth over the steady phase, MiB per minute (least-squares slope)") \
    X(soak_peak_rss_kib, "soaks: highest RSS before the load drop, KiB") \
    X(soak_drop_1s, "soaks: RSS 1 s after the load drop ended / soak_peak_rss_kib") \
    X(soak_drop_10s, "soaks: RSS 10 s after the load drop ended / soak_peak_rss_kib") \
    X(soak_settle_s, "soaks: seconds from the end of the load drop until RSS stays within 10% of where the idle phase ends") \
    X(soak_idle_rss_kib, "soaks: RSS at the end of the idle phase, KiB") \
    X(req_rate, "servers: requests per second the client scheduled") \
    X(req_p50_us, "servers: median request latency as measured (from send to answer), us") \
    X(req_p99_us, "servers: 99th percentile request latency as measured, us") \
    X(req_p999_us, "servers: 99.9th percentile request latency as measured, us") \
    X(req_max_us, "servers: longest request latency as measured, us") \
    X(req_co_p50_us, "servers: median request latency from each request's scheduled start (corrected for coordinated omission), us") \
    X(req_co_p99_us, "servers: 99th percentile corrected request latency, us") \
    X(req_co_p999_us, "servers: 99.9th percentile corrected request latency, us") \
    X(req_co_max_us, "servers: longest corrected request latency, us") \
    X(instructions, "instructions the child executed under callgrind (--measure instructions; single-threaded runs)") \
    X(alloc_instructions, "of those, instructions inside the allocator's library (process allocators only)")  \
    X(host, "host name of the machine that ran the row")                                                 \
    X(cpu_model, "CPU model, from /proc/cpuinfo")                                                       \
    X(cores, "online CPUs of that machine")                                                             \
    X(kernel, "kernel release (uname -r)")                                                              \
    X(glibc, "glibc version")                                                                           \
    X(compiler, "the compiler that built heapbench")                                                    \
    X(commit, "heapbench's commit (git describe --dirty at build time)")                               \
    X(checksum, "the workload's result, hex; identical across allocators and collectors")              \
    X(status, "ok, wrong, oom, crash, timeout, error, or skip (a real program not installed)")

enum {
#define HB_COL_ENUM(name, doc) HB_COL_##name,
    HB_COLUMNS(HB_COL_ENUM)
#undef HB_COL_ENUM
    HB_NCOLS
};

extern const char *const hb_column_names[HB_NCOLS];
extern const char *const hb_column_docs[HB_NCOLS];

#endif
