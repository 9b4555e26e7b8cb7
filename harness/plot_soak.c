/*
 * plot_soak.c: the soak plots of a results directory (docs/soak.md).
 *
 *   soak-memory-W.{png,svg}   per workload W with phases: one panel per
 *                             allocator, RSS over time with the phases shaded
 *                             and the live bytes as a reference line; every
 *                             panel on the same axes, so that heights compare
 *   summary.md's "Soaks" table, one row per soak cell: medians of the soak_*
 *                             and lat_* columns over its ok runs
 *   latency-W.{png,svg}       per workload W with latency percentile files:
 *                             one curve per allocator, latency against
 *                             percentile from 50% to 99.99% and beyond (log x:
 *                             x = 1 / (1 - q), so each "nine" is one step)
 *
 * Inputs, beside the results CSV (their formats are in docs/soak.md, so that
 * other drivers, such as the server soaks, can write them too):
 *   timeline-W-A.csv  a header naming at least time_s, rss_kib, live_bytes
 *                     and phase (any order, other columns ignored), then one
 *                     sample a line
 *   latency-W-A.csv   `percentile,latency_ns` (or `latency_us`), one point a line;
 *                     a server soak's `percentile,measured_us,corrected_us`
 * W is matched against the workloads of the CSV's rows (a name may hold
 * dashes), A is the rest of the file name.  Files that cannot be read or lack
 * a column are skipped with a note; they never stop the other plots.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "plot_soak.h"
#include "row.h"

#define MAX_FILES 64
#define MAX_PHASES 32

typedef struct phase_span {
    char name[32];
    double t0, t1;
} phase_span;

typedef struct timeline_info {
    char file[256], alloc[128];
    int col_t, col_rss, col_live; /* 1-based, for gnuplot */
    double t_max, rss_max_mib, live_max_mib;
    phase_span ph[MAX_PHASES];
    int nph;
} timeline_info;

/* Splits a CSV line in place (no quoting: timeline fields never hold commas). */
static int split_commas(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

/* Reads a timeline: column positions, extent and phase spans.  0, or -1
 * (with a note on log) when it is not a soak timeline. */
static int read_timeline(const char *dir, timeline_info *ti, FILE *log)
{
    char path[4096], line[1024], *f[16];
    snprintf(path, sizeof path, "%s/%s", dir, ti->file);
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return -1;
    int ct = -1, cr = -1, cl = -1, cp = -1;
    if (fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        int n = split_commas(line, f, 16);
        for (int i = 0; i < n; i++) {
            if (strcmp(f[i], "time_s") == 0)
                ct = i;
            else if (strcmp(f[i], "rss_kib") == 0)
                cr = i;
            else if (strcmp(f[i], "live_bytes") == 0)
                cl = i;
            else if (strcmp(f[i], "phase") == 0)
                cp = i;
        }
    }
    if (cp < 0) { /* not a soak's timeline (or one from before schema 6) */
        fclose(in);
        return -1;
    }
    if (ct < 0 || cr < 0 || cl < 0) {
        fclose(in);
        fprintf(log, "heapbench: note: %s lacks time_s, rss_kib or live_bytes: not plotted\n", path);
        return -1;
    }
    ti->col_t = ct + 1;
    ti->col_rss = cr + 1;
    ti->col_live = cl + 1;
    while (fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        int n = split_commas(line, f, 16);
        if (n <= ct || n <= cr || n <= cl || n <= cp)
            continue;
        double t = atof(f[ct]), rss = atof(f[cr]) / 1024.0, live = atof(f[cl]) / 1048576.0;
        ti->t_max = t > ti->t_max ? t : ti->t_max;
        ti->rss_max_mib = rss > ti->rss_max_mib ? rss : ti->rss_max_mib;
        ti->live_max_mib = live > ti->live_max_mib ? live : ti->live_max_mib;
        const char *p = f[cp];
        if (p[0] == '\0')
            continue;
        if (ti->nph > 0 && strcmp(ti->ph[ti->nph - 1].name, p) == 0) {
            ti->ph[ti->nph - 1].t1 = t;
        } else if (ti->nph < MAX_PHASES) {
            if (ti->nph > 0)
                ti->ph[ti->nph - 1].t1 = t;
            snprintf(ti->ph[ti->nph].name, sizeof ti->ph[0].name, "%s", p);
            ti->ph[ti->nph].t0 = ti->ph[ti->nph].t1 = t;
            ti->nph++;
        }
    }
    fclose(in);
    return ti->nph > 0 ? 0 : -1;
}

static const char *phase_colour(const char *name)
{
    static const struct {
        const char *name, *rgb;
    } c[] = {{"warmup", "#bdbdbd"}, {"steady", "#9ecae1"}, {"shift", "#fdae6b"},
             {"drop", "#fb6a4a"},   {"idle", "#a1d99b"},   {"regrow", "#bcbddc"}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (strcmp(c[i].name, name) == 0)
            return c[i].rgb;
    return "#dddddd";
}

/* The files of dir named PREFIX-W-A.csv for workload w: their A parts. */
static size_t files_of(const char *dir, const char *prefix, const char *w, char names[][256], size_t max)
{
    char head[512];
    size_t n = 0, hl = (size_t)snprintf(head, sizeof head, "%s-%s-", prefix, w);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (len > hl + 4 && strncmp(e->d_name, head, hl) == 0 && strcmp(e->d_name + len - 4, ".csv") == 0 &&
            len < 256)
            snprintf(names[n++], 256, "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
    return n;
}

static void alloc_part(const char *file, const char *prefix, const char *w, char *out, size_t len)
{
    size_t skip = strlen(prefix) + strlen(w) + 2, n = strlen(file) - 4;
    snprintf(out, len, "%.*s", (int)(n > skip ? n - skip : 0), file + skip);
}

static void emit_both(FILE *gp, const char *name, const char *body, size_t w, size_t h)
{
    fprintf(gp, "set terminal pngcairo size %zu,%zu font ',10'\nset output '%s.png'\n%s\n", w, h, name, body);
    fprintf(gp, "set terminal svg size %zu,%zu font 'sans,10' dynamic\nset output '%s.svg'\n%s\nunset output\n", w, h,
            name, body);
}

/* Appends to a growing script body. */
typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static void add(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0)
            return;
        if (b->s != NULL && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = (b->cap + (size_t)k + 1) * 2;
        char *s = realloc(b->s, cap);
        if (s == NULL)
            return;
        b->s = s;
        b->cap = cap;
    }
}

static int memory_plot(FILE *gp, const char *dir, const char *w, FILE *log)
{
    static char files[MAX_FILES][256];
    size_t nf = files_of(dir, "timeline", w, files, MAX_FILES);
    timeline_info *ti = calloc(nf ? nf : 1, sizeof *ti);
    size_t n = 0;
    double tmax = 0, ymax = 0;
    if (ti == NULL)
        return 0;
    for (size_t i = 0; i < nf; i++) {
        snprintf(ti[n].file, sizeof ti[n].file, "%s", files[i]);
        alloc_part(files[i], "timeline", w, ti[n].alloc, sizeof ti[n].alloc);
        if (read_timeline(dir, &ti[n], log) != 0)
            continue;
        tmax = ti[n].t_max > tmax ? ti[n].t_max : tmax;
        ymax = ti[n].rss_max_mib > ymax ? ti[n].rss_max_mib : ymax;
        ymax = ti[n].live_max_mib > ymax ? ti[n].live_max_mib : ymax;
        n++;
    }
    if (n == 0) {
        free(ti);
        return 0;
    }
    size_t cols = n > 1 ? 2 : 1, rows = (n + cols - 1) / cols;
    buf b = {0};
    add(&b, "reset\nset datafile separator ','\nset style data lines\nset grid ytics\n"
            "set multiplot layout %zu,%zu title 'Memory over time: %s (RSS, live bytes dashed; phases shaded)' "
            "noenhanced\nset xrange [0:%.3f]\nset yrange [0:%.3f]\nset xlabel 'seconds'\nset ylabel 'MiB'\n"
            "set key top right noenhanced\n",
        rows, cols, w, tmax * 1.01, ymax * 1.15 + 1);
    for (size_t i = 0; i < n; i++) {
        add(&b, "unset object\nunset label\n");
        for (int k = 0; k < ti[i].nph; k++) {
            const phase_span *p = &ti[i].ph[k];
            add(&b,
                "set object %d rect from %.3f, graph 0 to %.3f, graph 1 fc rgb '%s' fs solid 0.35 noborder behind\n"
                "set label %d '%s' at %.3f, graph %.2f font ',8' noenhanced\n",
                k + 1, p->t0, p->t1 > p->t0 ? p->t1 : p->t0 + 0.01, phase_colour(p->name), k + 1, p->name,
                p->t0 + tmax * 0.003, k % 2 ? 0.91 : 0.97); /* alternate heights: short phases stay legible */
        }
        add(&b,
            "set title '%s' noenhanced\nplot '%s' every ::1 using %d:($%d/1024) lw 2 lc rgb '#08519c' title 'RSS', "
            "'' every ::1 using %d:($%d/1048576) lw 1.5 dt 2 lc rgb '#000000' title 'live bytes'\n",
            ti[i].alloc, ti[i].file, ti[i].col_t, ti[i].col_rss, ti[i].col_t, ti[i].col_live);
    }
    add(&b, "unset multiplot\nunset object\nunset label\nset datafile separator whitespace\nreset\n");
    char name[300];
    snprintf(name, sizeof name, "soak-memory-%s", w);
    if (b.s != NULL)
        emit_both(gp, name, b.s, 1400, 80 + 330 * rows);
    free(b.s);
    free(ti);
    return 1;
}

static int latency_plot(FILE *gp, const char *dir, const char *w)
{
    static char files[MAX_FILES][256];
    size_t nf = files_of(dir, "latency", w, files, MAX_FILES);
    if (nf == 0)
        return 0;
    buf b = {0};
    add(&b, "reset\nset datafile separator ','\nset logscale x 10\nset logscale y 10\nset grid xtics ytics\n"
            "set xrange [2:100000]\n"
            "set xtics ('50%%%%' 2, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1000, '99.99%%%%' 10000, '99.999%%%%' 100000)\n"
            "set xlabel 'percentile'\nset ylabel 'latency, ns (log scale)'\n"
            "set title 'Latency percentiles: %s (lower is better; the curve ends where the samples do)' noenhanced\n"
            "set key outside right top noenhanced\nplot ",
        w);
    int k = 0;
    for (size_t i = 0; i < nf; i++) {
        char path[4096], head[128] = "", alloc[128];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *in = fopen(path, "r");
        if (in == NULL)
            continue;
        if (fgets(head, sizeof head, in) == NULL)
            head[0] = '\0';
        fclose(in);
        /* percentile,latency_ns|latency_us (sampled allocation calls), or a
         * server soak's percentile,measured_us,corrected_us (loadgen.h):
         * the corrected curve solid, the measured one dashed */
        int server = strstr(head, "corrected_us") != NULL;
        double unit = server || strstr(head, "latency_us") ? 1000.0 : strstr(head, "latency_ns") ? 1.0 : 0;
        if (strncmp(head, "percentile,", 11) != 0 || unit == 0)
            continue;
        alloc_part(files[i], "latency", w, alloc, sizeof alloc);
        add(&b, "%s'%s' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($%d*%g) with linespoints lw 2 pt 7 ps 0.5 "
                "lt %d dt %d title '%s%s'",
            k ? ", " : "", files[i], server ? 3 : 2, unit, k % 8 + 1, server ? 1 : k / 8 + 1, alloc,
            server ? " corrected" : "");
        if (server)
            add(&b, ", '%s' every ::1 using ($1 < 100 ? 100/(100-$1) : 1/0):($2*%g) with lines lw 1 lt %d dt 2 "
                    "title '%s measured'",
                files[i], unit, k % 8 + 1, alloc);
        k++;
    }
    add(&b, "\nset datafile separator whitespace\nreset\n");
    char name[300];
    snprintf(name, sizeof name, "latency-%s", w);
    if (k > 0 && b.s != NULL)
        emit_both(gp, name, b.s, 1400, 760);
    free(b.s);
    return k > 0;
}

int hb_soak_plots(FILE *gp, const char *dir, const char *const *workloads, size_t n, FILE *log)
{
    int made = 0;
    for (size_t i = 0; i < n; i++) {
        made += memory_plot(gp, dir, workloads[i], log);
        made += latency_plot(gp, dir, workloads[i]);
    }
    return made;
}

/* Median of column col over the ok rows of one cell (workload, allocator,
 * threads, params as in rows[first]); NAN when none has it. */
static double soak_median(const hb_table *t, size_t first, int col)
{
    double v[256];
    size_t k = 0;
    const hb_row *a = &t->rows[first];
    for (size_t i = 0; i < t->n && k < 256; i++) {
        const hb_row *r = &t->rows[i];
        int ok;
        if (strcmp(r->v[HB_COL_status], "ok") != 0 || strcmp(r->v[HB_COL_workload], a->v[HB_COL_workload]) != 0 ||
            strcmp(r->v[HB_COL_allocator], a->v[HB_COL_allocator]) != 0 ||
            strcmp(r->v[HB_COL_threads], a->v[HB_COL_threads]) != 0 ||
            strcmp(r->v[HB_COL_params], a->v[HB_COL_params]) != 0)
            continue;
        double d = hb_row_num(r, col, &ok);
        if (ok)
            v[k++] = d;
    }
    if (k == 0)
        return NAN;
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static void cellf(FILE *f, double v, const char *fmt, double div)
{
    fputs(" | ", f);
    if (isnan(v))
        fputs("-", f);
    else
        fprintf(f, fmt, v / div);
}

void hb_soak_summary(FILE *f, const char *csv)
{
    hb_table t;
    char msg[1024];
    if (hb_csv_read_file(csv, &t, msg, sizeof msg) != 0)
        return;
    int header = 0;
    for (size_t i = 0; i < t.n; i++) {
        const hb_row *r = &t.rows[i];
        int ok;
        hb_row_num(r, HB_COL_soak_peak_rss_kib, &ok);
        if (!ok || strcmp(r->v[HB_COL_status], "ok") != 0)
            continue;
        int seen = 0; /* the first ok soak row of its cell prints it */
        for (size_t j = 0; j < i && !seen; j++) {
            int ok2;
            hb_row_num(&t.rows[j], HB_COL_soak_peak_rss_kib, &ok2);
            seen = ok2 && strcmp(t.rows[j].v[HB_COL_status], "ok") == 0 &&
                   strcmp(t.rows[j].v[HB_COL_workload], r->v[HB_COL_workload]) == 0 &&
                   strcmp(t.rows[j].v[HB_COL_allocator], r->v[HB_COL_allocator]) == 0 &&
                   strcmp(t.rows[j].v[HB_COL_threads], r->v[HB_COL_threads]) == 0 &&
                   strcmp(t.rows[j].v[HB_COL_params], r->v[HB_COL_params]) == 0;
        }
        if (seen)
            continue;
        if (!header) {
            fprintf(f, "\n## Soaks\n\nMedians over ok runs (docs/soak.md): fragmentation = RSS / live bytes in "
                       "steady state; creep = RSS growth over it; drop = RSS 1 s and 10 s after the load drop / "
                       "peak; latency = sampled allocation calls.\n\n"
                       "| workload | allocator | threads | frag median | frag max | creep MiB/min | peak MiB | "
                       "drop 1 s | drop 10 s | settle s | idle MiB | p50 ns | p99 ns | p99.9 ns | max ns |\n"
                       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
            header = 1;
        }
        fprintf(f, "| %s | %s | %s", r->v[HB_COL_workload], r->v[HB_COL_allocator], r->v[HB_COL_threads]);
        static const struct { int col; const char *fmt; double div; } cells[] = {
            {HB_COL_soak_frag_median, "%.3f", 1}, {HB_COL_soak_frag_max, "%.3f", 1},
            {HB_COL_soak_creep_mib_min, "%.2f", 1}, {HB_COL_soak_peak_rss_kib, "%.1f", 1024},
            {HB_COL_soak_drop_1s, "%.3f", 1},       {HB_COL_soak_drop_10s, "%.3f", 1},
            {HB_COL_soak_settle_s, "%.1f", 1},      {HB_COL_soak_idle_rss_kib, "%.1f", 1024},
            {HB_COL_lat_p50_ns, "%.0f", 1},         {HB_COL_lat_p99_ns, "%.0f", 1},
            {HB_COL_lat_p999_ns, "%.0f", 1},        {HB_COL_lat_max_ns, "%.0f", 1},
        }; /* the header's columns after threads, in order */
        for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++)
            cellf(f, soak_median(&t, i, cells[k].col), cells[k].fmt, cells[k].div);
        fputs(" |\n", f);
    }
    hb_table_free(&t);
}
