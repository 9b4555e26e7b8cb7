/*
 * collector_glue.c: the harness side of the collector interface: opening a
 * collector for a cell and turning its statistics and pause log into the
 * gc_* columns (pause total, p99 and max, and the minimum mutator
 * utilisation over 10 ms windows).
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

/* Minimum over every window [a, a + w] inside [t0, t1] of the fraction of
 * the window not spent in a pause.  The worst window starts at a pause's
 * start or ends at a pause's end, so only those are tried; each tries only
 * the pauses that overlap it (O(n log n + n k), k pauses per window). */
static double mmu(const hb_gc_pause *p, size_t n, uint64_t t0, uint64_t t1, uint64_t w)
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
            uint64_t b = a + w, busy = 0;
            for (size_t j = first_ending_after(p, n, a); j < n; j++) {
                uint64_t s = p[j].start_ns, e = p[j].start_ns + p[j].ns;
                if (s >= b)
                    break;
                busy += (e < b ? e : b) - (s > a ? s : a);
            }
            double u = 1.0 - (double)busy / (double)w;
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
    put(fd, "gc_pause_total_ms", "%.3f", (double)st.pause_total_ns / 1e6);
    const hb_gc_pause *p = hb_gc_pauses(g->gc, &n);
    double *d = n ? malloc(n * sizeof *d) : NULL;
    if (d != NULL) {
        for (size_t i = 0; i < n; i++)
            d[i] = (double)p[i].ns / 1e3;
        put(fd, "gc_pause_p99_us", "%.1f", hb_percentile(d, n, 0.99));
        put(fd, "gc_pause_max_us", "%.1f", d[n - 1]);
        free(d);
    } else {
        put(fd, "gc_pause_p99_us", "%.1f", 0);
        put(fd, "gc_pause_max_us", "%.1f", (double)st.pause_max_ns / 1e3);
    }
    put(fd, "gc_mmu_10ms", "%.4f", mmu(p, n, t0, t1, 10000000u));
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
