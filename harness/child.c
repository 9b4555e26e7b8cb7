/*
 * child.c: the measured side of the process model.
 *
 * `heapbench __child` runs exactly one cell in a fresh process and reports
 * it to the parent as "column=value" lines on a descriptor.  Order of work:
 * open the allocator (for preloaded allocators this verifies that the
 * library really serves malloc), stack the measuring wrappers, open the
 * collector, take the baseline, run the workload phase between two clock and
 * rusage readings, then tear down and take the end resident set.  Anything
 * the child cannot do becomes status=error with a message, never a crash.
 */
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "collector_glue.h"
#include "measure.h"
#include "soak.h"

#define LAT_CAPACITY (128 * 1024) /* 512 KiB of samples at most */

typedef struct out {
    int fd;
} out;

static void emit(out *o, const char *col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void emit(out *o, const char *col, const char *fmt, ...)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s=", col);
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof buf - 1)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    if (write(o->fd, buf, (size_t)n) < 0) { /* the parent is gone: nothing to report to */
    }
}

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

/* ---- timeline: a sampler thread writing time, RSS, live bytes, trash and
 * phase (docs/csv.md, "Timeline files") ------------------------------------- */
typedef struct timeline {
    FILE *f;
    unsigned ms;
    const hb_alloc *counting; /* or NULL */
    hb_wl_gauges *gauges;
    const char *const *phases; /* the workload's phase names, or NULL */
    hb_soak_series series;     /* workloads with phases: a sample every 100 ms */
    uint64_t series_last;
    int last_phase;            /* the phase last reported to the parent */
    int fd;                    /* the report descriptor: phase=NAME lines for the progress line */
    int running;
    uint64_t t0;
    atomic_int stop; /* set by the main thread when the workload returns */
    pthread_t thread;
} timeline;

static void timeline_sample(timeline *t)
{
    hb_count_stats cs = {0};
    if (t->counting)
        hb_counting_get(t->counting, &cs);
    /* The workload's own exact count where it keeps one, else the counting
     * wrapper's live requested bytes. */
    int64_t live = atomic_load_explicit(&t->gauges->live_bytes, memory_order_relaxed);
    if (live < 0)
        live = (int64_t)cs.live_bytes;
    int ph = atomic_load_explicit(&t->gauges->phase, memory_order_relaxed);
    uint64_t now = hb_now_ns();
    long rss = hb_rss_kib();
    if (ph != t->last_phase && ph >= 0 && t->phases != NULL) {
        char line[128];
        int n = snprintf(line, sizeof line, "phase=%s\n", t->phases[ph]);
        t->last_phase = ph;
        if (n > 0 && n < (int)sizeof line && write(t->fd, line, (size_t)n) < 0) { /* the parent is gone */
        }
    }
    if (t->f != NULL)
        fprintf(t->f, "%.3f,%ld,%" PRId64 ",%" PRId64 ",%" PRId64 ",%s\n", (double)(now - t->t0) / 1e9, rss, live,
                atomic_load_explicit(&t->gauges->trash_objects, memory_order_relaxed),
                atomic_load_explicit(&t->gauges->trash_bytes, memory_order_relaxed),
                ph >= 0 && t->phases != NULL ? t->phases[ph] : "");
    if (t->phases != NULL && (t->series.n == 0 || now - t->series_last >= 100000000u)) {
        t->series_last = now;
        hb_soak_add(&t->series, (double)(now - t->t0) / 1e9, rss, live, ph);
    }
}

static void *timeline_main(void *arg)
{
    timeline *t = arg;
    struct timespec ts = {t->ms / 1000, (long)(t->ms % 1000) * 1000000L};
    while (!atomic_load(&t->stop)) {
        timeline_sample(t);
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int hb_child_run(const hb_spec *s, int fd)
{
    out o = {fd};
    char msg[512] = "";
    hb_alloc base, counted, timed;
    const hb_alloc *top;
    hb_workload_env env;
    hb_workload_result res;
    hb_gc_glue gc = {0};
    timeline tl = {0};
    static hb_wl_gauges gauges; /* one cell per process */
    int status;

    memset(&env, 0, sizeof env);
    memset(&res, 0, sizeof res);
    if (hb_alloc_open(&base, s->allocator->name, msg, sizeof msg) != 0) {
        emit(&o, "status", "error");
        emit(&o, "message", "%s", msg);
        return 3;
    }
    /* The latency wrapper sits right on the allocator, so the samples time
     * the allocator alone; counting goes over it. */
    top = &base;
    counted.ops = timed.ops = NULL;
    if (s->measure & HB_MEASURE_LATENCY) {
        if (hb_latency_wrap(&timed, top, s->lat_every, LAT_CAPACITY) != 0)
            goto fail_errno;
        top = &timed;
    }
    if (s->measure & HB_MEASURE_COUNT) {
        if (hb_counting_wrap(&counted, top, (s->measure & HB_MEASURE_FRAG) ? HB_COUNT_FRAG : 0) != 0)
            goto fail_errno;
        top = &counted;
    }
    env.alloc = top;
    env.threads = s->threads;
    env.scale = s->scale;
    env.seed = s->seed;
    memcpy(env.params, s->params, sizeof env.params);
    hb_wl_gauges_init(&gauges);
    env.gauges = &gauges;
    if (s->collector != NULL) {
        if (hb_gc_glue_open(&gc, s->collector, top, msg, sizeof msg) != 0) {
            emit(&o, "status", "error");
            emit(&o, "message", "%s", msg);
            return 3;
        }
        env.gc = gc.gc;
    }
    if (s->timeline != NULL) {
        tl.f = fopen(s->timeline, "w");
        if (tl.f == NULL) {
            snprintf(msg, sizeof msg, "cannot write timeline %s: %s", s->timeline, strerror(errno));
            emit(&o, "status", "error");
            emit(&o, "message", "%s", msg);
            return 3;
        }
        fprintf(tl.f, "time_s,rss_kib,live_bytes,trash_objects,trash_bytes,phase\n");
    }
    tl.phases = s->workload->phases;
    tl.series.phases = tl.phases;
    if (tl.f != NULL || tl.phases != NULL) {
        tl.ms = tl.f != NULL ? (s->timeline_ms ? s->timeline_ms : 10) : 100;
        tl.counting = counted.ops ? &counted : NULL;
        tl.gauges = &gauges;
        tl.last_phase = -1;
        tl.fd = fd;
        tl.t0 = hb_now_ns();
        if (pthread_create(&tl.thread, NULL, timeline_main, &tl) != 0) {
            if (tl.f != NULL)
                fclose(tl.f);
            tl.f = NULL;
            tl.phases = NULL;
        } else {
            tl.running = 1;
        }
    }

    long baseline = hb_rss_kib();
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    gauges.t_start = gauges.t_last = hb_now_ns(); /* the trash mean counts the workload phase only */
    uint64_t t0 = hb_now_ns();
    status = s->workload->run(&env, &res);
    uint64_t t1 = hb_now_ns();
    double trash_mean = hb_wl_trash_mean(&gauges);
    getrusage(RUSAGE_SELF, &r1);
    long peak = hb_peak_rss_kib();

    if (tl.running) {
        atomic_store(&tl.stop, 1);
        pthread_join(tl.thread, NULL);
        tl.series_last = 0; /* the last sample goes into the series too */
        timeline_sample(&tl);
        if (tl.f != NULL)
            fclose(tl.f);
    }

    double wall = (double)(t1 - t0) / 1e9;
    emit(&o, "wall_s", "%.6f", wall);
    emit(&o, "user_s", "%.6f", tv_s(r1.ru_utime) - tv_s(r0.ru_utime));
    emit(&o, "sys_s", "%.6f", tv_s(r1.ru_stime) - tv_s(r0.ru_stime));
    emit(&o, "ops", "%" PRIu64, res.ops);
    emit(&o, "ops_per_s", "%.0f", wall > 0 ? (double)res.ops / wall : 0.0);
    emit(&o, "peak_rss_kib", "%ld", peak);
    emit(&o, "baseline_rss_kib", "%ld", baseline);
    emit(&o, "checksum", "%016" PRIx64, res.checksum);
    if (counted.ops != NULL) {
        hb_count_stats cs;
        hb_counting_get(&counted, &cs);
        emit(&o, "peak_live_bytes", "%zu", cs.peak_bytes);
        if (cs.peak_bytes > 0)
            emit(&o, "overhead_ratio", "%.4f", (double)(peak - baseline) * 1024.0 / (double)cs.peak_bytes);
        if ((s->measure & HB_MEASURE_FRAG) && cs.usable_requested > 0)
            emit(&o, "internal_frag", "%.4f", (double)cs.usable_slack / (double)cs.usable_requested);
    }
    if (timed.ops != NULL) {
        size_t n;
        double *v = hb_latency_sorted(&timed, &n);
        if (n > 0) {
            emit(&o, "lat_p50_ns", "%.0f", hb_percentile(v, n, 0.50));
            emit(&o, "lat_p99_ns", "%.0f", hb_percentile(v, n, 0.99));
            emit(&o, "lat_p999_ns", "%.0f", hb_percentile(v, n, 0.999));
            emit(&o, "lat_max_ns", "%.0f", v[n - 1]);
            if (s->latfile != NULL && hb_soak_write_latency(s->latfile, v, n) != 0)
                emit(&o, "message", "cannot write latency file %s: %s", s->latfile, strerror(errno));
        }
        free(v);
    }
    if (tl.series.n > 0) {
        hb_soak_figures sf;
        hb_soak_compute(&tl.series, &sf);
        hb_soak_emit(&sf, fd);
        hb_soak_free(&tl.series);
    }
    if (gauges.trash_drops > 0) { /* a workload that counts its garbage */
        emit(&o, "gc_trash_max", "%" PRId64, gauges.trash_max);
        emit(&o, "gc_trash_mean", "%.1f", trash_mean);
        emit(&o, "gc_trash_bytes_max", "%" PRId64, gauges.trash_bytes_max);
    }
    if (gc.gc != NULL) {
        hb_gc_glue_emit(&gc, t0, t1, fd);
        hb_gc_glue_close(&gc);
    }
    emit(&o, "end_rss_kib", "%ld", hb_rss_kib());
    switch (status) {
    case HB_WL_OK:
        emit(&o, "status", "ok");
        break;
    case HB_WL_OOM:
        emit(&o, "status", "oom");
        break;
    case HB_WL_WRONG:
        emit(&o, "status", "wrong");
        break;
    default:
        emit(&o, "status", "error");
        break;
    }
    if (res.message[0] != '\0')
        emit(&o, "message", "%s", res.message);
    return 0;

fail_errno:
    emit(&o, "status", "error");
    emit(&o, "message", "cannot set up measurement: %s", strerror(errno));
    return 3;
}
