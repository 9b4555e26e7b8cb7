/*
 * soak.c: the soak figures from a series of samples (soak.h says which).
 */
#define _GNU_SOURCE
#include "soak.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int hb_soak_add(hb_soak_series *s, double t, long rss_kib, int64_t live, int phase)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096; /* 4096 samples: 7 min at 100 ms */
        void *p = s->v == NULL ? mmap(NULL, cap * sizeof *s->v, PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                               : mremap(s->v, s->cap * sizeof *s->v, cap * sizeof *s->v, MREMAP_MAYMOVE);
        if (p == MAP_FAILED)
            return -1;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = (hb_soak_sample){t, rss_kib, live, phase};
    return 0;
}

void hb_soak_free(hb_soak_series *s)
{
    if (s->v != NULL)
        munmap(s->v, s->cap * sizeof *s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

int hb_soak_phase_index(const char *const *phases, const char *name)
{
    for (int i = 0; phases != NULL && phases[i] != NULL; i++)
        if (strcmp(phases[i], name) == 0)
            return i;
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* [*lo, *hi): the samples of phase `ph` (the first run of them); 0 when none. */
static int phase_span(const hb_soak_series *s, int ph, size_t *lo, size_t *hi)
{
    size_t i = 0;
    if (ph < 0)
        return 0;
    while (i < s->n && s->v[i].phase != ph)
        i++;
    if (i == s->n)
        return 0;
    *lo = i;
    while (i < s->n && s->v[i].phase == ph)
        i++;
    *hi = i;
    return 1;
}

void hb_soak_compute(const hb_soak_series *s, hb_soak_figures *f)
{
    memset(f, 0, sizeof *f);
    size_t lo, hi;
    int steady = hb_soak_phase_index(s->phases, "steady"), drop = hb_soak_phase_index(s->phases, "drop"),
        idle = hb_soak_phase_index(s->phases, "idle");

    if (phase_span(s, steady, &lo, &hi)) {
        /* fragmentation: samples whose live bytes are known and not tiny */
        size_t n = 0;
        double *r = malloc((hi - lo) * sizeof *r);
        for (size_t i = lo; r != NULL && i < hi; i++)
            if (s->v[i].live > 4096)
                r[n++] = (double)s->v[i].rss_kib * 1024.0 / (double)s->v[i].live;
        if (n > 0) {
            qsort(r, n, sizeof *r, cmp_double);
            f->frag_median = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
            f->frag_max = r[n - 1];
            f->have |= HB_SOAK_FRAG;
        }
        free(r);
        /* creep: slope of RSS against time, least squares */
        if (hi - lo >= 3 && s->v[hi - 1].t - s->v[lo].t > 0.5) {
            double mt = 0, mr = 0, sxy = 0, sxx = 0;
            for (size_t i = lo; i < hi; i++) {
                mt += s->v[i].t;
                mr += (double)s->v[i].rss_kib;
            }
            mt /= (double)(hi - lo);
            mr /= (double)(hi - lo);
            for (size_t i = lo; i < hi; i++) {
                double dt = s->v[i].t - mt;
                sxy += dt * ((double)s->v[i].rss_kib - mr);
                sxx += dt * dt;
            }
            f->creep_mib_min = sxx > 0 ? sxy / sxx / 1024.0 * 60.0 : 0;
            f->have |= HB_SOAK_CREEP;
        }
    }

    size_t dlo = 0, dhi = 0, ilo = 0, ihi = 0;
    int have_idle = phase_span(s, idle, &ilo, &ihi);
    if (drop < 0)
        return;
    if (!phase_span(s, drop, &dlo, &dhi)) {
        /* A burst of a drop can begin and end between two samples: then
         * it lies between the last sample before idle and the first of it,
         * when that sample is of a phase before the drop. */
        if (!have_idle || ilo == 0 || s->v[ilo - 1].phase < 0 || s->v[ilo - 1].phase >= drop)
            return;
        dlo = dhi = ilo;
    }
    for (size_t i = 0; i < dlo; i++)
        if (s->v[i].rss_kib > f->peak_rss_kib)
            f->peak_rss_kib = s->v[i].rss_kib;
    if (f->peak_rss_kib > 0)
        f->have |= HB_SOAK_PEAK;
    if (!have_idle || ilo != dhi)
        return; /* the figures after the drop are read in the idle phase that follows it */
    double t_end = s->v[ilo].t; /* the drop ended at the first idle sample */
    f->idle_rss_kib = s->v[ihi - 1].rss_kib;
    f->have |= HB_SOAK_IDLE;
    const double after[2] = {1.0, 10.0};
    for (int k = 0; k < 2 && f->peak_rss_kib > 0; k++)
        for (size_t i = ilo; i < ihi; i++)
            if (s->v[i].t >= t_end + after[k]) {
                double ratio = (double)s->v[i].rss_kib / (double)f->peak_rss_kib;
                if (k == 0) {
                    f->drop_1s = ratio;
                    f->have |= HB_SOAK_DROP1;
                } else {
                    f->drop_10s = ratio;
                    f->have |= HB_SOAK_DROP10;
                }
                break;
            }
    /* settle: the last idle sample outside 10% of the final level; the
     * moment after it is when RSS settled */
    double level = (double)f->idle_rss_kib;
    size_t last_out = ilo;
    int any_out = 0;
    for (size_t i = ilo; i < ihi; i++)
        if (fabs((double)s->v[i].rss_kib - level) > 0.10 * level) {
            last_out = i;
            any_out = 1;
        }
    if (ihi - ilo >= 2) {
        f->settle_s = any_out ? s->v[last_out + 1 < ihi ? last_out + 1 : last_out].t - t_end : 0;
        f->have |= HB_SOAK_SETTLE;
    }
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

void hb_soak_emit(const hb_soak_figures *f, int fd)
{
    if (f->have & HB_SOAK_FRAG) {
        put(fd, "soak_frag_median", "%.4f", f->frag_median);
        put(fd, "soak_frag_max", "%.4f", f->frag_max);
    }
    if (f->have & HB_SOAK_CREEP)
        put(fd, "soak_creep_mib_min", "%.3f", f->creep_mib_min);
    if (f->have & HB_SOAK_PEAK)
        put(fd, "soak_peak_rss_kib", "%.0f", (double)f->peak_rss_kib);
    if (f->have & HB_SOAK_DROP1)
        put(fd, "soak_drop_1s", "%.4f", f->drop_1s);
    if (f->have & HB_SOAK_DROP10)
        put(fd, "soak_drop_10s", "%.4f", f->drop_10s);
    if (f->have & HB_SOAK_SETTLE)
        put(fd, "soak_settle_s", "%.2f", f->settle_s);
    if (f->have & HB_SOAK_IDLE)
        put(fd, "soak_idle_rss_kib", "%.0f", (double)f->idle_rss_kib);
}

int hb_soak_write_latency(const char *path, const double *v, size_t n)
{
    char tmp[4200];
    if (n == 0 || snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "percentile,latency_ns\n");
    for (int k = 3; k <= 50; k++) { /* x = 0.3 (read as log10(2): the median), 0.4, ... 5.0 */
        double x = k == 3 ? log10(2.0) : k / 10.0, q = 1.0 - pow(10.0, -x);
        if ((double)n < 1.0 / (1.0 - q) - 1e-9)
            break;
        size_t rank = (size_t)ceil(q * (double)n - 1e-9);
        if (rank < 1)
            rank = 1;
        fprintf(f, "%.6g,%.0f\n", 100.0 * q, v[rank - 1]);
    }
    fprintf(f, "100,%.0f\n", v[n - 1]);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
