/*
 * table.c: the summary table printed after `run`: one line per
 * (allocator, collector), medians over its runs and the spread of wall time
 * (its coefficient of variation, hb_cv: the one definition of spread that
 * compare and docs/csv.md use too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "stats.h"

/* Median of column col over rows idx[0..n) with status ok; *ok = count. */
static double median_of(const hb_row *rows, const size_t *idx, size_t n, int col, size_t *count, double *cv)
{
    double v[1024];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 1024; i++) {
        int ok;
        const hb_row *r = &rows[idx[i]];
        if (strcmp(r->v[HB_COL_status], "ok") != 0)
            continue;
        double d = hb_row_num(r, col, &ok);
        if (ok)
            v[k++] = d;
    }
    *count = k;
    if (cv)
        *cv = -1;
    if (k == 0)
        return 0;
    if (cv)
        *cv = hb_cv(v, k);
    double m = hb_percentile(v, k, 0.5); /* sorts v */
    if (k % 2 == 0)
        m = (v[k / 2 - 1] + v[k / 2]) / 2;
    return m;
}

static void fmt_or_dash(char *buf, size_t len, size_t count, const char *fmt, double v)
{
    if (count == 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, fmt, v);
}

void hb_print_table(const hb_row *rows, size_t n)
{
    size_t *idx = calloc(n ? n : 1, sizeof *idx);
    char *done = calloc(n ? n : 1, 1);
    double first_wall = 0;
    if (idx == NULL || done == NULL) {
        free(idx);
        free(done);
        return;
    }
    printf("%-10s %-12s %5s %10s %7s %6s %9s %9s %8s %9s %9s  %s\n", "allocator", "collector", "runs", "wall_s",
           "cv", "rel", "Mops/s", "peakMiB", "overhead", "p50_ns", "p99_ns", "status");
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        size_t k = 0, nok = 0;
        char status[128] = "";
        for (size_t j = i; j < n; j++)
            if (!done[j] && strcmp(rows[j].v[HB_COL_allocator], rows[i].v[HB_COL_allocator]) == 0 &&
                strcmp(rows[j].v[HB_COL_collector], rows[i].v[HB_COL_collector]) == 0) {
                done[j] = 1;
                idx[k++] = j;
                if (strcmp(rows[j].v[HB_COL_status], "ok") == 0)
                    nok++;
                else if (strstr(status, rows[j].v[HB_COL_status]) == NULL && strlen(status) < 100) {
                    strcat(status, status[0] ? "," : "");
                    strcat(status, rows[j].v[HB_COL_status]);
                }
            }
        size_t c;
        double cv = -1;
        double wall = median_of(rows, idx, k, HB_COL_wall_s, &c, &cv);
        char wall_s[32], spread[32], rel[32], mops[32], rss[32], ovh[32], p50[32], p99[32], st[160];
        fmt_or_dash(wall_s, sizeof wall_s, c, "%.4f", wall);
        fmt_or_dash(spread, sizeof spread, cv >= 0, "%.1f%%", 100 * cv);
        if (first_wall == 0 && c > 0)
            first_wall = wall;
        fmt_or_dash(rel, sizeof rel, c > 0 && first_wall > 0, "%.2fx", first_wall > 0 ? wall / first_wall : 0);
        double v = median_of(rows, idx, k, HB_COL_ops_per_s, &c, NULL);
        fmt_or_dash(mops, sizeof mops, c, "%.2f", v / 1e6);
        v = median_of(rows, idx, k, HB_COL_peak_rss_kib, &c, NULL);
        fmt_or_dash(rss, sizeof rss, c, "%.1f", v / 1024);
        v = median_of(rows, idx, k, HB_COL_overhead_ratio, &c, NULL);
        fmt_or_dash(ovh, sizeof ovh, c, "%.2f", v);
        v = median_of(rows, idx, k, HB_COL_lat_p50_ns, &c, NULL);
        fmt_or_dash(p50, sizeof p50, c, "%.0f", v);
        v = median_of(rows, idx, k, HB_COL_lat_p99_ns, &c, NULL);
        fmt_or_dash(p99, sizeof p99, c, "%.0f", v);
        if (nok == k)
            snprintf(st, sizeof st, "ok");
        else
            snprintf(st, sizeof st, "%zu ok; %s", nok, status);
        printf("%-10s %-12s %5zu %10s %7s %6s %9s %9s %8s %9s %9s  %s\n", rows[i].v[HB_COL_allocator],
               rows[i].v[HB_COL_collector][0] ? rows[i].v[HB_COL_collector] : "-", k, wall_s, spread, rel, mops, rss,
               ovh, p50, p99, st);
    }
    free(idx);
    free(done);
}
