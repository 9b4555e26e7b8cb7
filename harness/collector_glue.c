/*
 * collector_glue.c: the harness side of the collector interface: opening a
 * collector for a cell and turning its statistics and pause log into the
 * gc_* columns (pause total, p99 and max, and the minimum mutator
 * utilisation over 1 ms and 10 ms windows and its curve over windows of
 * 0.1 ms to 1 s).
 */
#include "collector_glue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"

#ifdef HB_HAVE_GC
#include "collector.h"

int hb_gc_glue_open(hb_gc_glue *g, const char *name, const hb_alloc *alloc, char *msg, size_t len)
{
    g->gc = NULL;
    if (hb_gc_open(&g->gc, name, alloc, msg, len) != 0) {
        g->gc = NULL;
        return -1;
    }
    return 0;
}

/* Index of the first pause that ends after t (pauses are in time order and
 * do not overlap, so their ends are in order too). */
static size_t first_ending_after(const hb_gc_pause *p, size_t n, uint64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].start_ns + p[mid].ns <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Time spent in pauses before t: busy[i] is the sum of the first i pauses. */
static uint64_t busy_before(const hb_gc_pause *p, const uint64_t *busy, size_t n, uint64_t t)
{
    size_t j = first_ending_after(p, n, t);
    uint64_t b = busy[j];
    if (j < n && p[j].start_ns < t)
        b += t - p[j].start_ns;
    return b;
}

/* Minimum over every window [a, a + w] inside [t0, t1] of the fraction of
 * the window not spent in a pause.  The worst window starts at a pause's
 * start or ends at a pause's end, so only those are tried; the time in
 * pauses inside a window is a difference of prefix sums (O(n log n) per
 * window size). */
static double mmu(const hb_gc_pause *p, const uint64_t *busy, size_t n, uint64_t t0, uint64_t t1, uint64_t w)
{
    if (t1 <= t0)
        return 1.0;
    if (t1 - t0 < w)
        w = t1 - t0;
    double worst = 1.0;
    for (size_t i = 0; i < n; i++) {
        uint64_t cands[2] = {p[i].start_ns, p[i].start_ns + p[i].ns >= w ? p[i].start_ns + p[i].ns - w : 0};
        for (int c = 0; c < 2; c++) {
            uint64_t a = cands[c];
            if (a < t0)
                a = t0;
            if (a + w > t1)
                a = t1 - w;
            uint64_t in = busy_before(p, busy, n, a + w) - busy_before(p, busy, n, a);
            double u = 1.0 - (double)in / (double)w;
            if (u < worst)
                worst = u;
        }
    }
    return worst < 0 ? 0 : worst;
}

static void put(int fd, const char *col, const char *fmt, double v)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, "%s=", col);
    n += snprintf(buf + n, sizeof buf - (size_t)n, fmt, v);
    buf[n++] = '\n';
    if (write(fd, buf, (size_t)n) < 0) { /* the parent is gone */
    }
}

void hb_gc_glue_emit(hb_gc_glue *g, uint64_t t0, uint64_t t1, int fd)
{
    hb_gc_stats st;
    size_t n = 0;
    hb_gc_get_stats(g->gc, &st);
    uint64_t collections = 0, collected = 0, uncollectable = 0;
    for (int i = 0; i < HB_GC_NGEN; i++) {
        collections += st.gen[i].collections;
        collected += st.gen[i].collected;
        uncollectable += st.gen[i].uncollectable;
    }
    put(fd, "gc_collections", "%.0f", (double)collections);
    put(fd, "gc_collected", "%.0f", (double)collected);
    put(fd, "gc_uncollectable", "%.0f", (double)uncollectable);
    char gens[2][160];
    int lc = snprintf(gens[0], sizeof gens[0], "gc_gen_collections="),
        lk = snprintf(gens[1], sizeof gens[1], "gc_gen_collected=");
    for (int i = 0; i < st.generations && i < HB_GC_NGEN; i++) {
        lc += snprintf(gens[0] + lc, sizeof gens[0] - (size_t)lc, "%s%llu", i ? ";" : "",
                       (unsigned long long)st.gen[i].collections);
        lk += snprintf(gens[1] + lk, sizeof gens[1] - (size_t)lk, "%s%llu", i ? ";" : "",
                       (unsigned long long)st.gen[i].collected);
    }
    for (int k = 0; k < 2; k++) {
        int len = k ? lk : lc;
        gens[k][len++] = '\n';
        if (write(fd, gens[k], (size_t)len) < 0) { /* the parent is gone */
        }
    }
    put(fd, "gc_pause_total_ms", "%.3f", (double)st.pause_total_ns / 1e6);
    const hb_gc_pause *p = hb_gc_pauses(g->gc, &n);
    double *d = n ? malloc(n * sizeof *d) : NULL;
    if (d != NULL) {
        for (size_t i = 0; i < n; i++)
            d[i] = (double)p[i].ns / 1e3;
        put(fd, "gc_pause_p99_us", "%.1f", hb_percentile(d, n, 0.99));
        put(fd, "gc_pause_max_us", "%.1f", d[n - 1]);
        free(d);
        uint64_t auto_max = 0;
        for (size_t i = 0; i < n; i++)
            if (!p[i].requested && p[i].ns > auto_max)
                auto_max = p[i].ns;
        put(fd, "gc_pause_auto_max_us", "%.1f", (double)auto_max / 1e3);
    } else {
        put(fd, "gc_pause_p99_us", "%.1f", 0);
        put(fd, "gc_pause_max_us", "%.1f", (double)st.pause_max_ns / 1e3);
    }
    uint64_t *busy = malloc((n + 1) * sizeof *busy);
    if (busy == NULL)
        return; /* the MMU columns stay empty */
    busy[0] = 0;
    for (size_t i = 0; i < n; i++)
        busy[i + 1] = busy[i] + p[i].ns;
    put(fd, "gc_mmu_10ms", "%.4f", mmu(p, busy, n, t0, t1, 10000000u));
    put(fd, "gc_mmu_1ms", "%.4f", mmu(p, busy, n, t0, t1, 1000000u));
    /* The curve (gc_mmu_curve's windows, docs/csv.md). */
    static const double windows_ms[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
    char curve[256];
    int len = snprintf(curve, sizeof curve, "gc_mmu_curve=");
    for (size_t k = 0; k < sizeof windows_ms / sizeof windows_ms[0]; k++)
        len += snprintf(curve + len, sizeof curve - (size_t)len, "%s%.4f", k ? ";" : "",
                        mmu(p, busy, n, t0, t1, (uint64_t)(windows_ms[k] * 1e6)));
    curve[len++] = '\n';
    if (write(fd, curve, (size_t)len) < 0) { /* the parent is gone */
    }
    free(busy);
}

void hb_gc_glue_close(hb_gc_glue *g)
{
    if (g->gc != NULL) {
        hb_gc_collect(g->gc, HB_GC_FULL);
        hb_gc_close(g->gc);
    }
    g->gc = NULL;
}

const char *hb_gc_glue_names(char *buf, size_t len) { return hb_collector_names(buf, len); }

void hb_gc_glue_list(FILE *f)
{
    for (size_t i = 0; i < hb_collector_count(); i++)
        fprintf(f, "%s\t%s\n", hb_collector_at(i)->name, hb_collector_at(i)->summary);
}

int hb_gc_glue_known(const char *name) { return hb_collector_find(name) != NULL; }

int hb_gc_glue_owns_heap(const char *name)
{
    const hb_collector_ops *c = hb_collector_find(name);
    return c != NULL && (c->caps & HB_GC_OWN_HEAP) != 0;
}

#else /* no collectors in this build */

int hb_gc_glue_open(hb_gc_glue *g, const char *name, const hb_alloc *alloc, char *msg, size_t len)
{
    (void)alloc;
    g->gc = NULL;
    snprintf(msg, len, "unknown collector '%s' (this build has no collectors)", name);
    return -1;
}

void hb_gc_glue_emit(hb_gc_glue *g, uint64_t t0, uint64_t t1, int fd)
{
    (void)g;
    (void)t0;
    (void)t1;
    (void)fd;
}

void hb_gc_glue_close(hb_gc_glue *g) { g->gc = NULL; }

const char *hb_gc_glue_names(char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    return buf;
}

void hb_gc_glue_list(FILE *f) { (void)f; }

int hb_gc_glue_known(const char *name)
{
    (void)name;
    return 0;
}

int hb_gc_glue_owns_heap(const char *name)
{
    (void)name;
    return 0;
}
#endif
