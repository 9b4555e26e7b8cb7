/*
 * cmd_gcstudy.c: heapbench gc-study, the pause-versus-memory study of the
 * collectors.
 *
 * Runs every collector workload under each collector (one allocator, libc
 * by default) through `sweep` into DIR/results.csv, or reads an existing
 * DIR/results.csv (--from), and writes into DIR:
 *   study.md       per workload and collector: wall time, total time in
 *                  collections, distilled cost, LBO, max and p99 pause, MMU
 *                  at 1 ms and 10 ms, peak RSS, status; then one row per
 *                  collector with geometric means over the workloads it ran
 *                  ok, relative to generational where it says so;
 *   mmu.{png,svg}  MMU against window (0.1 ms .. 1 s, log), one line per
 *                  collector: the median over the workloads of each cell's
 *                  median run;
 *   pause-rss.{png,svg}  geometric-mean max pause against geometric-mean
 *                  peak RSS relative to generational, one point per
 *                  collector;
 *   trash.{png,svg} garbage waiting (gc_trash_max) per workload and
 *                  collector, where the workloads count it (the field
 *                  workloads);
 *   study.dat, study.gp: the data and the gnuplot script behind them.
 * study.md and summary.md also hold the release gate: per collector against
 * generational, wall time, automatic max pause, peak RSS and trash max,
 * each with its ratio and a pass/fail against thresholds from the command
 * line (gate_* below).  --field runs the study over the field workloads
 * (HB_WL_FIELD) at scale 1.
 *
 * LBO (Cai, Blackburn, Bond, Maas, ISPASS 2022): a collector's distilled
 * cost on a workload is its median wall time minus its median time in
 * collections; the ideal is approximated by the smallest distilled cost of
 * any collector on that workload (`none`, which never collects, is one of
 * them); LBO = median wall time / ideal, so 1.00 is the lower bound and
 * every collector's overhead over it shows.  Times in collections are the
 * pauses each collector records: reference counting's frees are mutator
 * time, as are libgc's incremental marking steps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "collector_glue.h"
#include "csvread.h"
#include "stats.h"
#include "workload.h"

#define NWIN 13
static const double windows_ms[NWIN] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
static const char *const default_collectors = "none,refcount,generational,incremental,marksweep,boehm,boehm-incremental";
/* --field: the designs the field workloads judge (those this build has). */
static const char *const field_collectors = "generational,incremental,incremental-3.14,gen-inc";

enum { MAXC = 16, MAXW = 64 };

typedef struct cell {
    int have;      /* rows seen */
    int ok;        /* ok rows */
    char status[HB_FIELD_MAX];
    double wall, gc_s, distilled, pmax_ms, p99_ms, mmu1, mmu10, rss_mib, lbo;
    double auto_ms;                          /* longest automatic pause (NaN: none recorded) */
    double trash_max, trash_mean, trash_mib; /* NaN where the workload does not count */
    double curve[NWIN];
} cell;

static const char gcstudy_usage[] =
    "usage: heapbench gc-study -o DIR [-c LIST] [-w LIST | --field] [-a ALLOC] [-r RUNS] [-p scale=X]\n"
    "                          [--from] [--gate-time X] [--gate-rss X] [--gate-trash X]\n"
    "                          [--gate-pause-ms X] [--gate NAME]\n"
    "The pause-versus-memory study: every collector workload under each collector, then\n"
    "DIR/study.md (wall, time in collections, LBO, max, automatic max and p99 pause, MMU at\n"
    "1 and 10 ms, peak RSS, garbage waiting, and the release gate), DIR/mmu.png (MMU against\n"
    "window), DIR/pause-rss.png and DIR/trash.png.\n"
    "  -c LIST     collectors (default: none,refcount,generational,incremental,marksweep,\n"
    "              boehm,boehm-incremental; with --field: generational,incremental,\n"
    "              incremental-3.14,gen-inc; those this build has)\n"
    "  -w LIST     workloads (default: every collector workload)\n"
    "  --field     the field workloads (each modelled on a public report; docs/gc-study.md),\n"
    "              at scale 1 unless -p says\n"
    "  -a ALLOC    the allocator under every collector (default libc)\n"
    "  -r RUNS     runs per cell (default 3; runs are made by sweep)\n"
    "  -p scale=X  workload size multiplier (default 0.5; --field: 1)\n"
    "  --from      do not run anything: analyse DIR/results.csv as it is\n"
    "Release gate, per collector against generational (geometric means over the workloads both\n"
    "ran ok; a collector passes when every figure does):\n"
    "  --gate-time X      wall time ratio at most X (default 1.00)\n"
    "  --gate-rss X       peak RSS ratio at most X (default 1.05)\n"
    "  --gate-trash X     trash max ratio at most X (default 1.10; workloads that count trash)\n"
    "  --gate-pause-ms X  automatic max pause at most X ms on every workload (default 1)\n"
    "  --gate NAME        exit 1 unless collector NAME passes the gate\n"
    "LBO is wall time over the smallest distilled cost (wall minus time in collections) of any\n"
    "collector on the workload; `none` never collects, so it bounds every other from below.\n";

static int split(char *s, char **out, int max)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok != NULL; tok = strtok(NULL, ","))
        if (n < max)
            out[n++] = tok;
    return n;
}

static int find(char **names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static double med(double *v, size_t n) { return n ? hb_median(v, n) : NAN; }

/* Column `col` of the rows idx[0..n), median of those that are numbers. */
static double col_median(const hb_table *t, const size_t *idx, size_t n, int col, double scale)
{
    double *v = malloc((n + 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n && v != NULL; i++) {
        int ok;
        double x = hb_row_num(&t->rows[idx[i]], col, &ok);
        if (ok)
            v[m++] = x * scale;
    }
    double r = v != NULL ? med(v, m) : NAN;
    free(v);
    return r;
}

static void fill_cell(cell *c, const hb_table *t, const size_t *idx, size_t n)
{
    c->wall = col_median(t, idx, n, HB_COL_wall_s, 1);
    c->gc_s = col_median(t, idx, n, HB_COL_gc_pause_total_ms, 1e-3);
    if (isnan(c->gc_s))
        c->gc_s = 0;
    double *d = malloc((n + 1) * sizeof *d);
    size_t m = 0;
    for (size_t i = 0; i < n && d != NULL; i++) {
        int ok1, ok2;
        double w = hb_row_num(&t->rows[idx[i]], HB_COL_wall_s, &ok1);
        double g = hb_row_num(&t->rows[idx[i]], HB_COL_gc_pause_total_ms, &ok2);
        if (ok1)
            d[m++] = w - (ok2 ? g / 1e3 : 0);
    }
    c->distilled = d != NULL ? med(d, m) : NAN;
    free(d);
    c->pmax_ms = col_median(t, idx, n, HB_COL_gc_pause_max_us, 1e-3);
    c->p99_ms = col_median(t, idx, n, HB_COL_gc_pause_p99_us, 1e-3);
    c->mmu1 = col_median(t, idx, n, HB_COL_gc_mmu_1ms, 1);
    c->mmu10 = col_median(t, idx, n, HB_COL_gc_mmu_10ms, 1);
    c->rss_mib = col_median(t, idx, n, HB_COL_peak_rss_kib, 1.0 / 1024);
    c->auto_ms = col_median(t, idx, n, HB_COL_gc_pause_auto_max_us, 1e-3);
    c->trash_max = col_median(t, idx, n, HB_COL_gc_trash_max, 1);
    c->trash_mean = col_median(t, idx, n, HB_COL_gc_trash_mean, 1);
    c->trash_mib = col_median(t, idx, n, HB_COL_gc_trash_bytes_max, 1.0 / (1024 * 1024));
    for (int k = 0; k < NWIN; k++) {
        double v[64];
        size_t m2 = 0;
        for (size_t i = 0; i < n && m2 < 64; i++) {
            const char *s = t->rows[idx[i]].v[HB_COL_gc_mmu_curve];
            for (int j = 0; j < k && s != NULL; j++) {
                s = strchr(s, ';');
                if (s != NULL)
                    s++;
            }
            char *end;
            if (s != NULL && *s != '\0') {
                double x = strtod(s, &end);
                if (end != s)
                    v[m2++] = x;
            }
        }
        c->curve[k] = med(v, m2);
    }
}

static void num(FILE *f, const char *fmt, double v)
{
    if (isnan(v))
        fputs(" - |", f);
    else {
        fputc(' ', f);
        fprintf(f, fmt, v);
        fputs(" |", f);
    }
}

static double geo(const double *v, size_t n, size_t *used) { return hb_geomean(v, n, used); }

/* DIR/NAME is written as DIR/NAME.tmp and renamed when complete, so a
 * failed or interrupted study never leaves half a file under its name. */
static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tmp", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fprintf(stderr, "heapbench: gc-study: cannot write %s/%s: %s\n", dir, name, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *dir, const char *name)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "heapbench: gc-study: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- the release gate --------------------------------------------------- */

typedef struct gate_thresholds {
    double time, rss, trash, pause_ms;
} gate_thresholds;

/* One collector's gate figures against generational. */
typedef struct gate_row {
    int n;                       /* workloads both ran ok */
    double time, rss, trash;     /* geometric means of the per-workload ratios (NaN: none) */
    int ntrash;                  /* workloads with trash figures on both sides */
    double pause_ms;             /* largest automatic max pause over its workloads (NaN: none) */
    int pause_w;                 /* on which workload */
    double worst_rss;            /* largest per-workload RSS ratio */
    int worst_rss_w;
    int pass_time, pass_rss, pass_trash, pass_pause; /* 1 pass, 0 fail, -1 n/a */
    int pass;                    /* every figure that applies passes (and n > 0) */
} gate_row;

/* A positive finite number for a --gate-* option, or a usage error. */
static double parse_gate(const char *opt, const char *v)
{
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !isfinite(x) || x <= 0)
        hb_usage_error("gc-study: %s must be a positive number, not '%s'", opt, v);
    return x;
}

/* Trash ratios count a workload that kept no garbage waiting as 1 object,
 * so that a ratio exists when generational's figure is 0. */
static double trash_ratio(double c, double g) { return (c < 1 ? 1 : c) / (g < 1 ? 1 : g); }

static void gate_compute(cell cells[][MAXC], int nw, int k, int gen, const gate_thresholds *th, gate_row *g)
{
    double rt[MAXW], rr[MAXW], rtr[MAXW];
    size_t nt = 0, ntr = 0, u;
    memset(g, 0, sizeof *g);
    g->pause_ms = NAN;
    g->pause_w = g->worst_rss_w = -1;
    g->worst_rss = NAN;
    for (int w = 0; w < nw; w++) {
        cell *c = &cells[w][k];
        if (!c->ok)
            continue;
        if (!isnan(c->auto_ms) && (isnan(g->pause_ms) || c->auto_ms > g->pause_ms)) {
            g->pause_ms = c->auto_ms;
            g->pause_w = w;
        }
        if (gen < 0 || !cells[w][gen].ok)
            continue;
        cell *b = &cells[w][gen];
        rt[nt] = c->wall / b->wall;
        rr[nt] = c->rss_mib / b->rss_mib;
        if (isnan(g->worst_rss) || rr[nt] > g->worst_rss) {
            g->worst_rss = rr[nt];
            g->worst_rss_w = w;
        }
        nt++;
        if (!isnan(c->trash_max) && !isnan(b->trash_max))
            rtr[ntr++] = trash_ratio(c->trash_max, b->trash_max);
    }
    g->n = (int)nt;
    g->ntrash = (int)ntr;
    g->time = nt ? geo(rt, nt, &u) : NAN;
    g->rss = nt ? geo(rr, nt, &u) : NAN;
    g->trash = ntr ? geo(rtr, ntr, &u) : NAN;
    g->pass_time = isnan(g->time) ? -1 : g->time <= th->time;
    g->pass_rss = isnan(g->rss) ? -1 : g->rss <= th->rss;
    g->pass_trash = isnan(g->trash) ? -1 : g->trash <= th->trash;
    g->pass_pause = isnan(g->pause_ms) ? -1 : g->pause_ms <= th->pause_ms;
    g->pass = g->n > 0 && g->pass_time != 0 && g->pass_rss != 0 && g->pass_trash != 0 && g->pass_pause != 0;
}

static const char *verdict(int p) { return p < 0 ? "n/a" : p ? "pass" : "**fail**"; }

static void gate_table(FILE *f, cell cells[][MAXC], char **cn, int nc, char **wn, int nw, int gen,
                       const gate_thresholds *th, gate_row *rows)
{
    fprintf(f, "## Release gate (against generational)\n\nThresholds: wall time ratio <= %.2f, peak RSS ratio <= "
               "%.2f, trash max ratio <= %.2f (geometric means over the workloads both collectors ran ok), "
               "automatic max pause <= %g ms on every workload.  The workloads' own `gc.collect()` calls are not "
               "automatic pauses.  Trash ratios count 0 objects waiting as 1.\n\n"
               "| collector | workloads | wall ratio | time | auto max pause ms (workload) | pause | peak RSS ratio | "
               "RSS | worst RSS ratio (workload) | trash max ratio | trash | verdict |\n"
               "| --- | ---: | ---: | --- | ---: | --- | ---: | --- | ---: | ---: | --- | --- |\n",
            th->time, th->rss, th->trash, th->pause_ms);
    if (gen < 0) {
        fprintf(f, "(generational is not in this study: no gate.)\n\n");
        return;
    }
    for (int k = 0; k < nc; k++) {
        gate_row *g = &rows[k];
        gate_compute(cells, nw, k, gen, th, g);
        fprintf(f, "| %s%s | %d/%d |", cn[k], k == gen ? " (baseline)" : "", g->n, nw);
        num(f, "%.2f", g->time);
        fprintf(f, " %s |", verdict(g->pass_time));
        if (isnan(g->pause_ms))
            fputs(" - |", f);
        else
            fprintf(f, " %.3f (%s) |", g->pause_ms, wn[g->pause_w]);
        fprintf(f, " %s |", verdict(g->pass_pause));
        num(f, "%.2f", g->rss);
        fprintf(f, " %s |", verdict(g->pass_rss));
        if (isnan(g->worst_rss))
            fputs(" - |", f);
        else
            fprintf(f, " %.2f (%s) |", g->worst_rss, wn[g->worst_rss_w]);
        num(f, "%.2f", g->trash);
        fprintf(f, " %s | %s |\n", verdict(g->pass_trash), g->n == 0 ? "no data" : g->pass ? "pass" : "**fail**");
    }
    fputc('\n', f);
}

int hb_cmd_gcstudy(int argc, char **argv)
{
    enum { OPT_FIELD = 256, OPT_GT, OPT_GR, OPT_GTR, OPT_GP, OPT_GATE };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"from", no_argument, NULL, 'F'},
                                         {"field", no_argument, NULL, OPT_FIELD},
                                         {"gate-time", required_argument, NULL, OPT_GT},
                                         {"gate-rss", required_argument, NULL, OPT_GR},
                                         {"gate-trash", required_argument, NULL, OPT_GTR},
                                         {"gate-pause-ms", required_argument, NULL, OPT_GP},
                                         {"gate", required_argument, NULL, OPT_GATE},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *alloc = "libc", *scale = NULL, *runs = "3", *gate_name = NULL;
    char *clist = NULL, *wlist = NULL;
    int from = 0, field = 0, c;
    gate_thresholds th = {1.00, 1.05, 1.10, 1.0};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:o:c:w:a:r:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': dir = optarg; break;
        case 'c': clist = optarg; break;
        case 'w': wlist = optarg; break;
        case 'a': alloc = optarg; break;
        case 'r': hb_parse_ulong("-r", optarg, 1, 1000); runs = optarg; break;
        case 'p':
            if (strncmp(optarg, "scale=", 6) != 0)
                hb_usage_error("gc-study takes only -p scale=X");
            scale = optarg;
            break;
        case 'F': from = 1; break;
        case OPT_FIELD: field = 1; break;
        case OPT_GT: th.time = parse_gate("--gate-time", optarg); break;
        case OPT_GR: th.rss = parse_gate("--gate-rss", optarg); break;
        case OPT_GTR: th.trash = parse_gate("--gate-trash", optarg); break;
        case OPT_GP: th.pause_ms = parse_gate("--gate-pause-ms", optarg); break;
        case OPT_GATE: gate_name = optarg; break;
        case 'h': fputs(gcstudy_usage, stdout); return HB_EXIT_OK;
        case ':': hb_usage_error("gc-study: %s needs a value", argv[optind - 1]);
        default: hb_usage_error("gc-study: unknown option %s (heapbench gc-study --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        hb_usage_error("gc-study: unexpected argument '%s'", argv[optind]);
    if (dir == NULL)
        hb_usage_error("gc-study: -o DIR is required");
    if (field && wlist != NULL)
        hb_usage_error("gc-study: --field and -w are exclusive (--field is the field workloads)");
    if (scale == NULL)
        scale = field ? "scale=1" : "scale=0.5";

    /* The workload list: every collector workload unless -w says. */
    char wbuf[4096] = "";
    if (wlist == NULL) {
        for (size_t i = 0; i < hb_workload_count(); i++) {
            const hb_workload_ops *w = hb_workload_at(i);
            if ((w->flags & HB_WL_COLLECTOR) && (!field || (w->flags & HB_WL_FIELD))) {
                if (wbuf[0])
                    strncat(wbuf, ",", sizeof wbuf - strlen(wbuf) - 1);
                strncat(wbuf, w->name, sizeof wbuf - strlen(wbuf) - 1);
            }
        }
        wlist = wbuf;
    }
    char cbuf[1024];
    if (clist == NULL) {
        /* the default set, without the collectors this build lacks */
        char tmp[1024], *names[MAXC];
        snprintf(tmp, sizeof tmp, "%s", field ? field_collectors : default_collectors);
        int n = split(tmp, names, MAXC);
        cbuf[0] = '\0';
        for (int i = 0; i < n; i++)
            if (hb_gc_glue_known(names[i])) {
                if (cbuf[0])
                    strcat(cbuf, ",");
                strcat(cbuf, names[i]);
            }
        clist = cbuf;
    }
    /* Our copies: sweep may cut its arguments up. */
    char cl[1024], wl[4096];
    snprintf(cl, sizeof cl, "%s", clist);
    snprintf(wl, sizeof wl, "%s", wlist);
    if (gate_name != NULL) { /* --gate NAME must be one of the study's collectors */
        char tmp[1024], *names[MAXC];
        snprintf(tmp, sizeof tmp, "%s", clist);
        if (find(names, split(tmp, names, MAXC), gate_name) < 0)
            hb_usage_error("gc-study: --gate %s: not among the study's collectors (%s)", gate_name, clist);
        if (strcmp(gate_name, "generational") == 0)
            hb_usage_error("gc-study: --gate generational: generational is the gate's baseline");
    }

    char csv[4096];
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    int rc = HB_EXIT_OK;
    if (!from) {
        char *sargv[] = {"sweep", "-a", (char *)alloc, "-c", clist, "-w", wlist, "-r", (char *)runs,
                         "-p", (char *)scale, "--no-plots", "-o", (char *)dir, NULL};
        rc = hb_cmd_sweep((int)(sizeof sargv / sizeof sargv[0]) - 1, sargv);
        if (rc == HB_EXIT_USAGE)
            return rc;
    }

    hb_table t = {0};
    char msg[512];
    if (hb_csv_read_file(csv, &t, msg, sizeof msg) != 0) {
        fprintf(stderr, "heapbench: gc-study: %s\n", msg);
        return HB_EXIT_USAGE;
    }
    /* Collectors and workloads in the order the lists give. */
    char *cn[MAXC], *wn[MAXW];
    int nc = split(cl, cn, MAXC), nw = split(wl, wn, MAXW);
    static cell cells[MAXW][MAXC];
    memset(cells, 0, sizeof cells);
    size_t *idx = malloc((t.n + 1) * sizeof *idx);
    if (idx == NULL) {
        hb_table_free(&t);
        fprintf(stderr, "heapbench: gc-study: out of memory\n");
        return HB_EXIT_FAILED;
    }
    for (int w = 0; w < nw; w++)
        for (int k = 0; k < nc; k++) {
            cell *ce = &cells[w][k];
            size_t n = 0;
            for (size_t i = 0; i < t.n; i++) {
                const hb_row *r = &t.rows[i];
                if (strcmp(r->v[HB_COL_workload], wn[w]) || strcmp(r->v[HB_COL_collector], cn[k]))
                    continue;
                ce->have++;
                if (strcmp(r->v[HB_COL_status], "ok") == 0)
                    idx[n++] = i;
                else if (ce->status[0] == '\0')
                    snprintf(ce->status, sizeof ce->status, "%s", r->v[HB_COL_status]);
            }
            ce->ok = (int)n;
            if (n > 0)
                fill_cell(ce, &t, idx, n);
        }
    free(idx);
    hb_table_free(&t);

    /* LBO per workload. */
    for (int w = 0; w < nw; w++) {
        double ideal = INFINITY;
        for (int k = 0; k < nc; k++)
            if (cells[w][k].ok && cells[w][k].distilled < ideal)
                ideal = cells[w][k].distilled;
        for (int k = 0; k < nc; k++)
            cells[w][k].lbo = cells[w][k].ok && ideal > 0 && isfinite(ideal) ? cells[w][k].wall / ideal : NAN;
    }

    char path[4096];
    FILE *f = open_out(dir, "study.md");
    if (f == NULL)
        return HB_EXIT_USAGE;
    fprintf(f, "# Collectors: pauses, memory and cost\n\nFrom `%s` (allocator %s; medians of the ok runs of "
               "each cell; generated by `heapbench gc-study`).  gc: total time in collections; "
               "distilled: wall minus gc; LBO: wall over the smallest distilled cost on the workload "
               "(`none` included); MMU: minimum mutator utilisation over windows of 1 and 10 ms.\n\n",
            csv, alloc);
    int gen = find(cn, nc, "generational");
    fprintf(f, "## Per collector (geometric means over the workloads it ran ok)\n\n"
               "| collector | workloads ok | wall / generational | LBO | max pause ms | p99 pause ms | "
               "MMU 1 ms (median) | MMU 10 ms (median) | peak RSS / generational |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    double gx[MAXC], gy[MAXC], gw[MAXC], gl[MAXC], gp99[MAXC], gm1[MAXC], gm10[MAXC];
    int gn[MAXC];
    for (int k = 0; k < nc; k++) {
        double rw[MAXW], lbo[MAXW], pm[MAXW], p99[MAXW], m1[MAXW], m10[MAXW], rr[MAXW];
        size_t n = 0, nrw = 0, nrr = 0, u;
        for (int w = 0; w < nw; w++) {
            cell *ce = &cells[w][k];
            if (!ce->ok)
                continue;
            lbo[n] = ce->lbo;
            pm[n] = ce->pmax_ms > 0 ? ce->pmax_ms : NAN;
            p99[n] = ce->p99_ms > 0 ? ce->p99_ms : NAN;
            m1[n] = ce->mmu1;
            m10[n] = ce->mmu10;
            n++;
            if (gen >= 0 && cells[w][gen].ok) {
                rw[nrw++] = ce->wall / cells[w][gen].wall;
                rr[nrr++] = ce->rss_mib / cells[w][gen].rss_mib;
            }
        }
        fprintf(f, "| %s | %zu/%d |", cn[k], n, nw);
        gw[k] = nrw ? geo(rw, nrw, &u) : NAN;
        gl[k] = n ? geo(lbo, n, &u) : NAN;
        num(f, "%.2f", gw[k]);
        num(f, "%.2f", gl[k]);
        double pmg = n ? geo(pm, n, &u) : NAN;
        if (n == 0 || u == 0)
            pmg = NAN;
        num(f, "%.3f", pmg);
        double p99g = n ? geo(p99, n, &u) : NAN;
        num(f, "%.3f", u ? p99g : NAN);
        gp99[k] = u ? p99g : NAN;
        double m1c[MAXW], m10c[MAXW]; /* medians over the workloads */
        memcpy(m1c, m1, n * sizeof *m1c);
        memcpy(m10c, m10, n * sizeof *m10c);
        gm1[k] = n ? med(m1c, n) : NAN;
        gm10[k] = n ? med(m10c, n) : NAN;
        num(f, "%.3f", gm1[k]);
        num(f, "%.3f", gm10[k]);
        gn[k] = (int)n;
        double rrg = nrr ? geo(rr, nrr, &u) : NAN;
        num(f, "%.2f", rrg);
        fputc('\n', f);
        gx[k] = rrg;
        gy[k] = pmg;
    }
    fprintf(f, "\nMax and p99 pause: geometric means over the workloads where the collector recorded "
               "a pause (none and refcount record none: reference counting's frees are mutator time); "
               "MMU: the median over the workloads (a workload's own collect() calls are pauses too).\n\n");
    static gate_row gates[MAXC];
    gate_table(f, cells, cn, nc, wn, nw, gen, &th, gates);
    for (int w = 0; w < nw; w++) {
        fprintf(f, "## %s\n\n| collector | wall s | gc s | distilled s | LBO | max pause ms | auto max pause ms | "
                   "p99 pause ms | MMU 1 ms | MMU 10 ms | peak RSS MiB | trash max | trash mean | trash max MiB | "
                   "runs ok |\n"
                   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
                   "--- |\n",
                wn[w]);
        for (int k = 0; k < nc; k++) {
            cell *ce = &cells[w][k];
            fprintf(f, "| %s |", cn[k]);
            if (!ce->ok) {
                fprintf(f, " - | - | - | - | - | - | - | - | - | - | - | - | - | 0/%d%s%s |\n", ce->have,
                        ce->status[0] ? " " : "", ce->status);
                continue;
            }
            num(f, "%.3f", ce->wall);
            num(f, "%.3f", ce->gc_s);
            num(f, "%.3f", ce->distilled);
            num(f, "%.2f", ce->lbo);
            num(f, "%.3f", ce->pmax_ms);
            num(f, "%.3f", ce->auto_ms);
            num(f, "%.3f", ce->p99_ms);
            num(f, "%.3f", ce->mmu1);
            num(f, "%.3f", ce->mmu10);
            num(f, "%.1f", ce->rss_mib);
            num(f, "%.0f", ce->trash_max);
            num(f, "%.0f", ce->trash_mean);
            num(f, "%.1f", ce->trash_mib);
            fprintf(f, " %d/%d%s%s |\n", ce->ok, ce->have, ce->status[0] ? " " : "", ce->status);
        }
        fputc('\n', f);
    }
    fprintf(f, "auto max pause: the longest automatic collection (not inside the workload's own gc.collect()); "
               "trash: objects the workload made unreachable and the collector had not yet freed (exact, for the "
               "workloads that count it: docs/csv.md), most at any moment, time-weighted mean, and most bytes.\n");
    if (close_out(f, dir, "study.md") != 0)
        return HB_EXIT_USAGE;

    /* study.dat: block 0 the MMU curves (median over workloads), block 1 the points. */
    f = open_out(dir, "study.dat");
    if (f == NULL)
        return HB_EXIT_USAGE;
    fprintf(f, "window_ms");
    for (int k = 0; k < nc; k++)
        fprintf(f, " %s", cn[k]);
    fputc('\n', f);
    for (int j = 0; j < NWIN; j++) {
        fprintf(f, "%g", windows_ms[j]);
        for (int k = 0; k < nc; k++) {
            double v[MAXW];
            size_t nv = 0;
            for (int w = 0; w < nw; w++)
                if (cells[w][k].ok && !isnan(cells[w][k].curve[j]))
                    v[nv++] = cells[w][k].curve[j];
            double m = med(v, nv);
            fprintf(f, " %s", isnan(m) ? "NaN" : "");
            if (!isnan(m))
                fprintf(f, "%.4f", m);
        }
        fputc('\n', f);
    }
    fprintf(f, "\n\n# collector rss_vs_generational max_pause_ms\n");
    for (int k = 0; k < nc; k++)
        if (!isnan(gx[k]) && !isnan(gy[k]) && gy[k] > 0)
            fprintf(f, "\"%s\" %.4f %.4f\n", cn[k], gx[k], gy[k]);
    /* block 2: trash max per workload (rows) and collector (columns), for
     * the workloads that count it; 0 plotted as 1 (log scale). */
    int ntrash_rows = 0;
    fprintf(f, "\n\nworkload");
    for (int k = 0; k < nc; k++)
        fprintf(f, " %s", cn[k]);
    fputc('\n', f);
    for (int w = 0; w < nw; w++) {
        int any = 0;
        for (int k = 0; k < nc; k++)
            any |= cells[w][k].ok && !isnan(cells[w][k].trash_max);
        if (!any)
            continue;
        ntrash_rows++;
        fprintf(f, "%s", wn[w]);
        for (int k = 0; k < nc; k++) {
            cell *ce = &cells[w][k];
            if (ce->ok && !isnan(ce->trash_max))
                fprintf(f, " %.0f", ce->trash_max < 1 ? 1 : ce->trash_max);
            else
                fprintf(f, " NaN");
        }
        fputc('\n', f);
    }
    if (close_out(f, dir, "study.dat") != 0)
        return HB_EXIT_USAGE;

    f = open_out(dir, "study.gp");
    if (f == NULL)
        return HB_EXIT_USAGE;
    static const char *const term[2][2] = {{"pngcairo size 1100,700 font ',10'", "png"},
                                           {"svg size 1100,700 font 'sans,10' dynamic", "svg"}};
    for (int tt = 0; tt < 2; tt++) {
        fprintf(f, "set terminal %s\nset output 'mmu.%s'\nset logscale x\nset xlabel 'window, ms'\n"
                   "set ylabel 'minimum mutator utilisation (median over workloads)'\nset yrange [0:1.05]\n"
                   "set key bottom right\nset grid\nset title 'MMU against window, one line per collector'\n"
                   "plot for [c=2:%d] 'study.dat' index 0 using 1:c with linespoints lw 2 pt (c-1) "
                   "title columnhead(c)\nunset output\nunset logscale\nunset yrange\n",
                term[tt][0], term[tt][1], nc + 1);
        fprintf(f, "set terminal %s\nset output 'pause-rss.%s'\nset logscale y\n"
                   "set xlabel 'peak RSS relative to generational (geometric mean)'\n"
                   "set ylabel 'max pause, ms (geometric mean, log)'\nset grid\nunset key\n"
                   "set title 'Max pause against peak RSS, one point per collector'\n"
                   "plot 'study.dat' index 1 using 2:3 with points pt 7 ps 2, '' index 1 using 2:3:1 "
                   "with labels offset 0,1.2\nunset output\nunset logscale\n",
                term[tt][0], term[tt][1]);
        if (ntrash_rows > 0)
            fprintf(f, "set terminal %s\nset output 'trash.%s'\nset logscale y\nset style data histograms\n"
                       "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
                       "set ylabel 'garbage waiting, objects (trash max, log)'\nset xlabel 'workload'\nset grid ytics\n"
                       "set key top left\nset xtics rotate by -30\nset yrange [1:*]\n"
                       "set title 'Most objects unreachable and not yet freed, per workload and collector'\n"
                       "plot for [c=2:%d] 'study.dat' index 2 using c:xtic(1) title columnhead(c)\n"
                       "unset output\nunset logscale\nunset yrange\nunset style\nset xtics norotate\n",
                    term[tt][0], term[tt][1], nc + 1);
    }
    if (close_out(f, dir, "study.gp") != 0)
        return HB_EXIT_USAGE;
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "study.gp", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid > 0)
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "heapbench: gc-study: gnuplot did not render %s/study.gp (tables are in study.md)\n", dir);
    /* summary.md (the sweep's allocator summary says nothing here): one
     * line per collector from the table's geometric means. */
    f = open_out(dir, "summary.md");
    if (f == NULL)
        return HB_EXIT_USAGE;
    fprintf(f, "# Collectors: what the numbers say\n\nGenerated by `heapbench gc-study` from `%s`; the tables are "
               "in [study.md](study.md), the MMU curves in [mmu.png](mmu.png), max pause against peak RSS in "
               "[pause-rss.png](pause-rss.png).  Ratios are geometric means over the workloads each "
               "collector ran ok, against generational (CPython's design) on the same workloads.\n\n", csv);
    for (int k = 0; k < nc; k++) {
        fprintf(f, "- **%s** (%d/%d workloads ok): wall %.2fx generational's, LBO %.2f, peak RSS %.2fx", cn[k],
                gn[k], nw, gw[k], gl[k], gx[k]);
        if (!isnan(gy[k]))
            fprintf(f, "; max pause %.3f ms", gy[k]);
        if (!isnan(gy[k]) && gen >= 0 && !isnan(gy[gen]) && gy[gen] > 0 && k != gen)
            fprintf(f, " (%.2fx generational's)", gy[k] / gy[gen]);
        if (!isnan(gp99[k]))
            fprintf(f, ", p99 pause %.3f ms", gp99[k]);
        if (!isnan(gm1[k]))
            fprintf(f, ", median MMU %.2f at 1 ms and %.2f at 10 ms", gm1[k], gm10[k]);
        fputs(".\n", f);
    }
    fputc('\n', f);
    gate_table(f, cells, cn, nc, wn, nw, gen, &th, gates);
    if (close_out(f, dir, "summary.md") != 0)
        return HB_EXIT_USAGE;
    snprintf(path, sizeof path, "%s/index.html", dir); /* the sweep's page shows no collector figures */
    unlink(path);
    printf("gc-study: %s/summary.md, %s/study.md, %s/mmu.png, %s/pause-rss.png%s%s%s\n", dir, dir, dir, dir,
           ntrash_rows ? ", " : "", ntrash_rows ? dir : "", ntrash_rows ? "/trash.png" : "");
    if (gen >= 0)
        for (int k = 0; k < nc; k++)
            if (k != gen)
            {
                char pause[32] = "-";
                if (!isnan(gates[k].pause_ms))
                    snprintf(pause, sizeof pause, "%.3f ms", gates[k].pause_ms);
                printf("gate: %s %s (wall %.2f, auto max pause %s, peak RSS %.2f, trash max %.2f)\n", cn[k],
                       gates[k].n == 0 ? "no data" : gates[k].pass ? "pass" : "fail", gates[k].time, pause,
                       gates[k].rss, gates[k].trash);
            }
    if (gate_name != NULL) {
        int k = find(cn, nc, gate_name);
        if (gen < 0 || k < 0 || !gates[k].pass) {
            fprintf(stderr, "heapbench: gc-study: %s fails the release gate\n", gate_name);
            if (rc == HB_EXIT_OK)
                rc = HB_EXIT_FAILED;
        }
    }
    return rc;
}
