/*
 * cmd_compare.c: `heapbench compare`, two results files cell by cell, or
 * the allocators of one file against a baseline allocator, or one allocator
 * against the best anchor of each row (--frontier: cmd_frontier.c).
 *
 * A cell is (workload, allocator, collector, threads, params); its runs are
 * the rows with that key.  Only runs with status ok give numbers.  A change
 * is called a regression or an improvement only when it is beyond the
 * threshold *and* the two-sided Mann-Whitney U test on the runs says it is
 * not noise (p < alpha); cells whose run counts cannot reach p < alpha are
 * judged by the threshold alone and marked "too few runs".  A cell that ran
 * ok in BASE and not in NEW is a regression whatever its numbers.  The
 * method is documented in docs/compare.md.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvread.h"
#include "frontier.h"
#include "stats.h"
#include "texttable.h"

static const char compare_usage[] =
    "usage: heapbench compare BASE.csv NEW.csv [--threshold PCT] [--alpha A] [--markdown]\n"
    "       heapbench compare FILE.csv --baseline-allocator NAME [--no-verdict] [--threshold PCT] [--alpha A]\n"
    "                         [--markdown]\n"
    "       heapbench compare FILE.csv --frontier NAME [--anchors LIST] [--frontier-limit X]\n"
    "                         [--frontier-mean X] [--frontier-time wall|cpu] [--rows LIST] [--no-verdict] [--markdown]\n"
    "Compares two results files cell by cell; a cell is (workload, allocator, collector,\n"
    "threads, params) and its runs are the rows with status ok.  For each cell in both files\n"
    "it prints NEW/BASE ratios of the medians of wall_s (time), peak_rss_kib (memory) and\n"
    "overhead_ratio, and the two-sided Mann-Whitney U p-values of time and memory (exact up\n"
    "to 20 runs a side, normal approximation above).  A cell is a regression when time or\n"
    "memory got worse by more than the threshold and p < alpha, or when it ran ok in BASE and\n"
    "not in NEW; an improvement likewise.  Cells with too few runs for the test to reach\n"
    "p < alpha (fewer than 4 a side at alpha 0.05) are judged by the threshold alone and\n"
    "marked \"too few runs\".  Then the geometric means of the ratios per allocator and per\n"
    "collector, and a verdict line.\n"
    "With --baseline-allocator: one file; time and peak RSS of every allocator as a\n"
    "percentage of the baseline's, one row per workload, and their geometric means; then\n"
    "every other allocator judged against the baseline's runs as two files would be (the\n"
    "A/B of two builds: run -a old=A.so,new=B.so, then --baseline-allocator old).\n"
    "With --frontier NAME: one file; per (workload, collector, threads, params), the best anchor's\n"
    "median time and median peak RSS (each naming the anchor), NAME's, the ratios NAME / best\n"
    "and the cv of each, and a verdict against --frontier-limit; then the geometric means of the\n"
    "ratios (allocator workloads, real programs, collector workloads, all) against\n"
    "--frontier-mean, and a verdict line.  Exit 1 when a row or a mean is over its limit.\n"
    "On real programs a built-in NAME (pooled, naive) is its drop-in library, and the output\n"
    "says so.\n"
    "  --anchors LIST    the anchors, each in the file (default: those of libc, jemalloc,\n"
    "                    mimalloc, tcmalloc, tbbmalloc, scudo the file has, NAME excepted)\n"
    "  --frontier-limit X  a row passes at ratio <= X (default 1.05)\n"
    "  --frontier-mean X   a geometric mean passes at <= X (default 1.00)\n"
    "  --frontier-time T   wall (default) or cpu: user_s + sys_s, steadier on a busy machine\n"
    "  --rows LIST       workloads, programs, collectors (kinds of rows) or all (default)\n"
    "  --no-verdict      with --baseline-allocator or --frontier: the tables only, exit status 0\n"
    "  --threshold PCT   smallest change that counts, in percent (default 5)\n"
    "  --alpha A         significance level of the U test, in (0, 1) (default 0.05)\n"
    "  --markdown        print Markdown tables instead of aligned text\n"
    "  --baseline-allocator NAME   one-file mode, relative to allocator NAME\n"
    "Exit status: 0 no regression, 1 at least one regression, 2 bad input (one line on stderr).\n"
    "Method: docs/compare.md.\n";

/* ---- cells ------------------------------------------------------------ */

/* Which key columns a cell or a row of the one-file table has. */
enum { KEY_ALL, KEY_NO_ALLOCATOR };

static int same_key(const hb_row *a, const hb_row *b, int kind)
{
    static const int cols[] = {HB_COL_workload, HB_COL_collector, HB_COL_threads, HB_COL_params, HB_COL_allocator};
    size_t n = kind == KEY_ALL ? 5 : 4;
    for (size_t i = 0; i < n; i++)
        if (strcmp(a->v[cols[i]], b->v[cols[i]]) != 0)
            return 0;
    return 1;
}

typedef struct cell {
    const hb_row *key; /* first row of the cell */
    size_t runs, ok;   /* rows, rows with status ok */
    char bad[64];      /* the other statuses seen, comma-separated */
} cell;

typedef struct side {
    const char *path;
    hb_table t;
    size_t *cell_of; /* t.n entries: the cell of each row */
    cell *cells;
    size_t ncells;
} side;

static void add_status(char *bad, size_t len, const char *st)
{
    if (strstr(bad, st) != NULL)
        return;
    size_t used = strlen(bad);
    snprintf(bad + used, len - used, "%s%s", used ? ", " : "", st);
}

/* Groups the rows of s->t into cells. */
static void group(side *s, int kind)
{
    s->cell_of = xcalloc(s->t.n, sizeof *s->cell_of);
    s->cells = xcalloc(s->t.n, sizeof *s->cells);
    s->ncells = 0;
    for (size_t i = 0; i < s->t.n; i++) {
        const hb_row *r = &s->t.rows[i];
        size_t c = 0;
        while (c < s->ncells && !same_key(s->cells[c].key, r, kind))
            c++;
        if (c == s->ncells)
            s->cells[s->ncells++].key = r;
        s->cell_of[i] = c;
        s->cells[c].runs++;
        if (strcmp(r->v[HB_COL_status], "ok") == 0)
            s->cells[c].ok++;
        else
            add_status(s->cells[c].bad, sizeof s->cells[c].bad, r->v[HB_COL_status]);
    }
}

/* Reads a file (exits 2 on any problem) and groups its rows into cells. */
static void load(side *s, const char *path, int kind)
{
    char msg[1024];
    s->path = path;
    if (hb_csv_read_file(path, &s->t, msg, sizeof msg) != 0)
        hb_usage_error("%s", msg);
    if (s->t.n == 0)
        hb_usage_error("%s: line 2: no rows (only a header)", path);
    group(s, kind);
}

static void unload(side *s)
{
    hb_table_free(&s->t);
    free(s->cell_of);
    free(s->cells);
}

/* The values of column col over the ok runs of cell c (those that have
 * one) into v; returns how many. */
static size_t values(const side *s, size_t c, int col, double *v)
{
    size_t k = 0;
    for (size_t i = 0; i < s->t.n; i++) {
        const hb_row *r = &s->t.rows[i];
        int ok;
        if (s->cell_of[i] != c || strcmp(r->v[HB_COL_status], "ok") != 0)
            continue;
        double d = hb_row_num(r, col, &ok);
        if (ok)
            v[k++] = d;
    }
    return k;
}

/* Whether key columns beyond workload/allocator/collector vary, so that
 * the tables must show them. */
typedef struct shown {
    int threads, params;
} shown;

static void see_key(shown *sh, const hb_row **first, const hb_row *r)
{
    if (*first == NULL) {
        *first = r;
        return;
    }
    if (strcmp((*first)->v[HB_COL_threads], r->v[HB_COL_threads]) != 0)
        sh->threads = 1;
    if (strcmp((*first)->v[HB_COL_params], r->v[HB_COL_params]) != 0)
        sh->params = 1;
}

static const char *or_dash(const char *s)
{
    return s[0] ? s : "-";
}

/* ---- two-file comparison ------------------------------------------------- */

typedef struct options {
    double threshold; /* fraction */
    double alpha;
    int markdown;
    int verdict; /* one-file mode: judge every allocator against the baseline */
} options;

enum { SAME, REGRESSION, IMPROVEMENT, STILL_BAD };

/* One measure of one cell compared: ratio of medians, p, and direction
 * (+1 worse, -1 better, 0 neither).  ratio < 0 when not available. */
typedef struct judged {
    double ratio, p;
    int dir, few, tested;
} judged;

static judged judge(const side *b, size_t cb, const side *n, size_t cn, int col, const options *o, double *buf1,
                    double *buf2)
{
    judged j = {-1, -1, 0, 0, 0};
    size_t n1 = values(b, cb, col, buf1), n2 = values(n, cn, col, buf2);
    if (n1 == 0 || n2 == 0)
        return j;
    hb_mwu u;
    if (n1 >= 2 && n2 >= 2 && hb_mann_whitney(buf1, n1, buf2, n2, HB_MWU_AUTO, &u) == 0) {
        j.p = u.p;
        j.tested = 1;
    }
    double m1 = hb_median(buf1, n1), m2 = hb_median(buf2, n2);
    if (m1 > 0)
        j.ratio = m2 / m1;
    else if (m1 == 0 && m2 == 0)
        j.ratio = 1;
    if (j.ratio < 0)
        return j;
    /* Without the power to reach p < alpha the test cannot decide: the
     * threshold alone does, and the verdict says so. */
    j.few = n1 < 2 || n2 < 2 || hb_mwu_min_p(n1, n2) >= o->alpha;
    int significant = j.tested && !j.few && j.p < o->alpha;
    if (j.ratio > 1 + o->threshold && (significant || j.few))
        j.dir = 1;
    else if (j.ratio < 1 - o->threshold && (significant || j.few))
        j.dir = -1;
    return j;
}

static void fmt_ratio(char *buf, size_t len, double r)
{
    if (r < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.3f", r);
}

static void fmt_p(char *buf, size_t len, const judged *j)
{
    if (!j->tested)
        snprintf(buf, len, "-");
    else if (j->p < 0.0001)
        snprintf(buf, len, "<0.0001");
    else
        snprintf(buf, len, "%.4f", j->p);
}

static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    if (used < len)
        vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* The verdict of one cell present in both files, as a kind and a text. */
static int verdict(const cell *b, const cell *n, const judged *t, const judged *m, char *text, size_t len)
{
    text[0] = '\0';
    if (n->ok < n->runs && b->ok == b->runs) {
        snprintf(text, len, "REGRESSION (NEW: %s", n->bad);
        if (n->ok > 0)
            append(text, len, " in %zu of %zu runs", n->runs - n->ok, n->runs);
        append(text, len, ")");
        return REGRESSION;
    }
    if (b->ok < b->runs && n->ok == n->runs) {
        snprintf(text, len, "improvement (fixed; BASE: %s)", b->bad);
        return IMPROVEMENT;
    }
    if (b->ok < b->runs) {
        snprintf(text, len, "still not ok (BASE: %s; NEW: %s)", b->bad, n->bad);
        return STILL_BAD;
    }
    int worse = t->dir > 0 || m->dir > 0, better = t->dir < 0 || m->dir < 0;
    int kind = worse ? REGRESSION : better ? IMPROVEMENT : SAME;
    int dir = kind == REGRESSION ? 1 : -1;
    snprintf(text, len, "%s", kind == REGRESSION ? "REGRESSION" : kind == IMPROVEMENT ? "improvement" : "same");
    if (kind != SAME) {
        const char *sep = " (";
        if (t->dir == dir) {
            append(text, len, "%stime %+.1f%%", sep, (t->ratio - 1) * 100);
            sep = ", ";
        }
        if (m->dir == dir)
            append(text, len, "%smemory %+.1f%%", sep, (m->ratio - 1) * 100);
        append(text, len, ")");
    }
    if (t->few || m->few) {
        size_t used = strlen(text);
        if (kind != SAME && used > 0 && text[used - 1] == ')') {
            text[used - 1] = '\0';
            append(text, len, "; too few runs)");
        } else {
            append(text, len, " (too few runs)");
        }
    }
    return kind;
}

/* Geometric means of the time and memory ratios, grouped by one column. */
static void print_geomeans(const side *b, const size_t *match, const double *rt, const double *rm, int col,
                           const char *what, const options *o)
{
    size_t nc = b->ncells;
    double *gt = xcalloc(nc, sizeof *gt), *gm = xcalloc(nc, sizeof *gm);
    char *done = xcalloc(nc, 1);
    tbl t;
    tbl_init(&t, 4);
    t.right[1] = t.right[2] = t.right[3] = 1;
    char *hdr[] = {(char *)what, "time", "memory", "cells"};
    tbl_row(&t, hdr);
    for (size_t i = 0; i < nc; i++) {
        if (done[i] || match[i] == SIZE_MAX)
            continue;
        const char *name = b->cells[i].key->v[col];
        size_t kt = 0, km = 0, cells = 0;
        for (size_t k = i; k < nc; k++)
            if (!done[k] && match[k] != SIZE_MAX && strcmp(b->cells[k].key->v[col], name) == 0) {
                done[k] = 1;
                cells++;
                if (rt[k] > 0)
                    gt[kt++] = rt[k];
                if (rm[k] > 0)
                    gm[km++] = rm[k];
            }
        char vt[32], vm[32], vc[32];
        fmt_ratio(vt, sizeof vt, kt ? hb_geomean(gt, kt, NULL) : -1);
        fmt_ratio(vm, sizeof vm, km ? hb_geomean(gm, km, NULL) : -1);
        snprintf(vc, sizeof vc, "%zu", cells);
        char *row[] = {(char *)or_dash(name), vt, vm, vc};
        tbl_row(&t, row);
    }
    tbl_print(&t, o->markdown);
    tbl_free(&t);
    free(gt);
    free(gm);
    free(done);
}

static void list_unmatched(const side *s, const char *which, const char *other, const char *hit)
{
    size_t count = 0;
    for (size_t i = 0; i < s->ncells; i++)
        if (!hit[i])
            count++;
    if (count == 0)
        return;
    printf("\n%zu cell%s only in %s, not compared:", count, count == 1 ? "" : "s", which);
    size_t shown = 0;
    for (size_t i = 0; i < s->ncells && shown < 10; i++) {
        if (hit[i])
            continue;
        const hb_row *k = s->cells[i].key;
        printf("%s %s/%s/%s", shown ? "," : "", k->v[HB_COL_workload], k->v[HB_COL_allocator],
               or_dash(k->v[HB_COL_collector]));
        shown++;
    }
    printf("%s (missing from %s)\n", count > shown ? ", ..." : "", other);
}

/* Coefficient of variation (sample standard deviation / mean) of v[0..n),
 * or -1 below 2 values. */
static double coef_var(const double *v, size_t n) { return hb_cv(v, n); }

/* Prints the cell-by-cell comparison of two loaded sides (their paths are
 * the labels) and returns the number of regressions; unloads both. */
static size_t compare_sides(side b, side n, const options *o)
{
    const char *base_path = b.path, *new_path = n.path;
    size_t *match = xcalloc(b.ncells, sizeof *match);
    char *new_hit = xcalloc(n.ncells, 1), *base_hit = xcalloc(b.ncells, 1);
    size_t common = 0;
    shown sh = {0, 0};
    const hb_row *first = NULL;
    for (size_t i = 0; i < b.ncells; i++) {
        match[i] = SIZE_MAX;
        for (size_t k = 0; k < n.ncells; k++)
            if (same_key(b.cells[i].key, n.cells[k].key, KEY_ALL)) {
                match[i] = k;
                new_hit[k] = base_hit[i] = 1;
                common++;
                see_key(&sh, &first, b.cells[i].key);
                break;
            }
    }
    if (common == 0)
        hb_usage_error("compare: %s and %s have no cell (workload, allocator, collector, threads, params) in common",
                       base_path, new_path);

    size_t maxrows = b.t.n > n.t.n ? b.t.n : n.t.n;
    double *buf1 = xcalloc(maxrows, sizeof *buf1), *buf2 = xcalloc(maxrows, sizeof *buf2);
    double *rt = xcalloc(b.ncells, sizeof *rt), *rm = xcalloc(b.ncells, sizeof *rm);
    size_t count[4] = {0}, powerless = 0;

    tbl t;
    const char *hdr[16];
    size_t nc = 0;
    hdr[nc++] = "workload";
    if (sh.threads)
        hdr[nc++] = "threads";
    if (sh.params)
        hdr[nc++] = "params";
    hdr[nc++] = "allocator";
    hdr[nc++] = "collector";
    size_t first_num = nc;
    hdr[nc++] = "runs";
    hdr[nc++] = "time";
    hdr[nc++] = "p(time)";
    hdr[nc++] = "memory";
    hdr[nc++] = "p(mem)";
    hdr[nc++] = "overhead";
    hdr[nc++] = "cv";
    hdr[nc++] = "verdict";
    tbl_init(&t, nc);
    for (size_t c = first_num; c + 1 < nc; c++)
        t.right[c] = 1;
    tbl_row(&t, (char **)hdr);

    for (size_t i = 0; i < b.ncells; i++) {
        rt[i] = rm[i] = -1;
        if (match[i] == SIZE_MAX)
            continue;
        size_t k = match[i];
        const cell *cb = &b.cells[i], *cn = &n.cells[k];
        judged jt = judge(&b, i, &n, k, HB_COL_wall_s, o, buf1, buf2);
        judged jm = judge(&b, i, &n, k, HB_COL_peak_rss_kib, o, buf1, buf2);
        judged jo = judge(&b, i, &n, k, HB_COL_overhead_ratio, o, buf1, buf2);
        rt[i] = jt.ratio;
        rm[i] = jm.ratio;
        char text[160];
        int kind = verdict(cb, cn, &jt, &jm, text, sizeof text);
        count[kind]++;
        if (jt.few || jm.few)
            powerless++;

        /* the spread of the time runs, beside the change it is judged against */
        size_t kb = values(&b, i, HB_COL_wall_s, buf1), kn = values(&n, k, HB_COL_wall_s, buf2);
        double cvb = coef_var(buf1, kb), cvn = coef_var(buf2, kn), cvmax = cvb > cvn ? cvb : cvn;
        char cvt[40];
        if (cvb < 0 && cvn < 0)
            snprintf(cvt, sizeof cvt, "-");
        else
            snprintf(cvt, sizeof cvt, "%.1f%%/%.1f%%", cvb < 0 ? 0 : cvb * 100, cvn < 0 ? 0 : cvn * 100);
        if (jt.ratio > 0 && cvmax > fabs(jt.ratio - 1) && kind != SAME && strlen(text) + 40 < sizeof text)
            append(text, sizeof text, " [spread %.0f%% > change %.0f%%]", cvmax * 100, fabs(jt.ratio - 1) * 100);
        char runs[48], vt[32], pt[32], vm[32], pm[32], vo[32];
        snprintf(runs, sizeof runs, "%zu/%zu", cb->ok, cn->ok);
        fmt_ratio(vt, sizeof vt, jt.ratio);
        fmt_p(pt, sizeof pt, &jt);
        fmt_ratio(vm, sizeof vm, jm.ratio);
        fmt_p(pm, sizeof pm, &jm);
        fmt_ratio(vo, sizeof vo, jo.ratio);
        const hb_row *key = cb->key;
        char *row[16];
        size_t c = 0;
        row[c++] = (char *)key->v[HB_COL_workload];
        if (sh.threads)
            row[c++] = (char *)or_dash(key->v[HB_COL_threads]);
        if (sh.params)
            row[c++] = (char *)or_dash(key->v[HB_COL_params]);
        row[c++] = (char *)key->v[HB_COL_allocator];
        row[c++] = (char *)or_dash(key->v[HB_COL_collector]);
        row[c++] = runs;
        row[c++] = vt;
        row[c++] = pt;
        row[c++] = vm;
        row[c++] = pm;
        row[c++] = vo;
        row[c++] = cvt;
        row[c++] = text;
        tbl_row(&t, row);
    }

    if (o->markdown)
        printf("NEW/BASE, medians of the ok runs: time = wall_s, memory = peak_rss_kib, overhead = "
               "overhead_ratio; runs = ok runs BASE/NEW; threshold %g%%, alpha %g\n\n",
               o->threshold * 100, o->alpha);
    else
        printf("BASE %s\nNEW  %s\nNEW/BASE of medians over ok runs (time: wall_s, memory: peak_rss_kib, overhead: "
               "overhead_ratio); threshold %g%%, alpha %g\n\n",
               base_path, new_path, o->threshold * 100, o->alpha);
    tbl_print(&t, o->markdown);
    tbl_free(&t);
    list_unmatched(&b, "BASE", "NEW", base_hit);
    list_unmatched(&n, "NEW", "BASE", new_hit);
    if (powerless) {
        size_t need = 2;
        while (need < 64 && hb_mwu_min_p(need, need) >= o->alpha)
            need++;
        printf("\nnote: %zu cell%s had too few ok runs for the U test to reach p < %g (that takes %zu runs a side) "
               "and %s judged by the threshold alone\n",
               powerless, powerless == 1 ? "" : "s", o->alpha, need, powerless == 1 ? "was" : "were");
    }

    printf("\ngeometric mean of NEW/BASE ratios, per allocator:\n\n");
    print_geomeans(&b, match, rt, rm, HB_COL_allocator, "allocator", o);
    printf("\nper collector:\n\n");
    print_geomeans(&b, match, rt, rm, HB_COL_collector, "collector", o);

    size_t reg = count[REGRESSION];
    printf("\nverdict: ");
    if (reg == 0)
        printf("no regression");
    else
        printf("%zu regression%s", reg, reg == 1 ? "" : "s");
    printf(" (%zu cell%s compared: %zu improved, %zu same", common, common == 1 ? "" : "s", count[IMPROVEMENT],
           count[SAME]);
    if (count[STILL_BAD])
        printf(", %zu still not ok", count[STILL_BAD]);
    printf(")\n");

    free(buf1);
    free(buf2);
    free(rt);
    free(rm);
    free(match);
    free(new_hit);
    free(base_hit);
    unload(&b);
    unload(&n);
    return reg;
}

/* One line on stderr when two files were measured on different machines. */
static void warn_hosts(const side *b, const side *n)
{
    const hb_row *x = &b->t.rows[0], *y = &n->t.rows[0];
    if (strcmp(x->v[HB_COL_host], y->v[HB_COL_host]) != 0 || strcmp(x->v[HB_COL_cpu_model], y->v[HB_COL_cpu_model]) != 0)
        fprintf(stderr, "heapbench: compare: warning: BASE ran on %s (%s, %s cores), NEW on %s (%s, %s cores): "
                        "differences may be the machines'\n",
                x->v[HB_COL_host], x->v[HB_COL_cpu_model], x->v[HB_COL_cores], y->v[HB_COL_host],
                y->v[HB_COL_cpu_model], y->v[HB_COL_cores]);
}

static int compare_files(const char *base_path, const char *new_path, const options *o)
{
    side b, n;
    load(&b, base_path, KEY_ALL);
    load(&n, new_path, KEY_ALL);
    warn_hosts(&b, &n);
    return compare_sides(b, n, o) ? HB_EXIT_FAILED : HB_EXIT_OK;
}

/* ---- one file against a baseline allocator ----------------------------- */

/* With `spread`, each cell is the coefficient of variation of the column
 * over the cell's ok runs, and the last row their median.  A row where only
 * one allocator ran (a collector with an allocator of its own: boehm) is
 * left out: it compares the baseline with nothing.  The last row is taken
 * over the rows every column has a value in, so that each column's mean is
 * over the same cells; its label says how many. */
static void relative_table(const side *s, const char *const *allocs, size_t na, int col, const char *title,
                           const options *o, int spread)
{
    shown sh = {0, 0};
    const hb_row *first = NULL;
    for (size_t i = 0; i < s->ncells; i++)
        see_key(&sh, &first, s->cells[i].key);
    int has_collector = 0;
    for (size_t i = 0; i < s->ncells; i++)
        has_collector |= s->cells[i].key->v[HB_COL_collector][0] != '\0';

    /* Rows: distinct (workload, collector, threads, params) in file order. */
    size_t *rowkey = xcalloc(s->ncells, sizeof *rowkey), nrows = 0;
    for (size_t i = 0; i < s->ncells; i++) {
        size_t r = 0;
        while (r < nrows && !same_key(s->cells[rowkey[r]].key, s->cells[i].key, KEY_NO_ALLOCATOR))
            r++;
        if (r == nrows)
            rowkey[nrows++] = i;
    }

    tbl t;
    size_t nlabel = 1 + (size_t)has_collector + (size_t)sh.threads + (size_t)sh.params;
    if (nlabel + na > 32)
        hb_usage_error("compare: %s: too many allocators for one table (at most %zu)", s->path, 32 - nlabel);
    tbl_init(&t, nlabel + na);
    char **vals = xcalloc(nlabel + na, sizeof *vals);
    size_t c = 0;
    vals[c++] = "workload";
    if (has_collector)
        vals[c++] = "collector";
    if (sh.threads)
        vals[c++] = "threads";
    if (sh.params)
        vals[c++] = "params";
    for (size_t a = 0; a < na; a++) {
        t.right[c] = 1;
        vals[c++] = (char *)allocs[a];
    }
    tbl_row(&t, vals);

    const char *stand_in = NULL; /* the allocator a row fell back to, for the note */
    double *buf = xcalloc(s->t.n, sizeof *buf);
    double *ratios = xcalloc(na * (nrows ? nrows : 1), sizeof *ratios);
    size_t *nratios = xcalloc(na, sizeof *nratios);
    char(*text)[80] = xcalloc(na, sizeof *text);
    double *rat = xcalloc(na * (nrows ? nrows : 1), sizeof *rat); /* rat[r * na + a]: the ratio, or -1 */
    size_t alone = 0;                                              /* rows left out: one allocator only */
    for (size_t r = 0; r < nrows; r++) {
        const hb_row *key = s->cells[rowkey[r]].key;
        double base = -1, med[32];
        size_t present = 0;
        for (size_t a = 0; a < na; a++)
            rat[r * na + a] = -1;
        for (size_t a = 0; a < na; a++) {
            /* The cell of this row and allocator, if any. */
            size_t ci = SIZE_MAX;
            med[a] = -1;
            for (size_t i = 0; i < s->ncells && ci == SIZE_MAX; i++)
                if (strcmp(s->cells[i].key->v[HB_COL_allocator], allocs[a]) == 0 &&
                    same_key(s->cells[i].key, key, KEY_NO_ALLOCATOR))
                    ci = i;
            if (ci == SIZE_MAX) {
                snprintf(text[a], sizeof text[a], " ");
                continue;
            }
            present++;
            size_t k = values(s, ci, col, buf);
            med[a] = k ? hb_median(buf, k) : -1;
            if (k == 0)
                snprintf(text[a], sizeof text[a], "%s", s->cells[ci].ok ? "-" : s->cells[ci].bad);
            if (spread && k > 0) {
                double cv = coef_var(buf, k);
                snprintf(text[a], sizeof text[a], cv < 0 ? "-" : "%.1f%%", cv * 100);
                if (cv >= 0)
                    rat[r * na + a] = cv;
                med[a] = -1; /* no ratio in this table */
            }
        }
        /* A row where the baseline has no ok run is shown relative to its
         * first allocator that has one, marked, and left out of the means. */
        size_t ref = 0;
        while (ref < na && med[ref] <= 0)
            ref++;
        if (spread)
            ref = 0;
        base = ref < na ? med[ref] : -1;
        if (ref > 0 && ref < na && stand_in == NULL)
            stand_in = allocs[ref];
        for (size_t a = 0; a < na; a++) {
            if (med[a] <= 0)
                continue;
            double ratio = med[a] / base;
            snprintf(text[a], sizeof text[a], "%.0f%%%s", ratio * 100, ref > 0 ? "*" : "");
            if (ref == 0 && ratio > 0)
                rat[r * na + a] = ratio;
        }
        if (na > 1 && present <= 1) {
            alone++;
            continue;
        }
        int every = 1;
        for (size_t a = 0; a < na; a++)
            every &= rat[r * na + a] >= 0;
        for (size_t a = 0; a < na && every; a++)
            ratios[a * nrows + nratios[a]++] = rat[r * na + a];
        c = 0;
        vals[c++] = (char *)key->v[HB_COL_workload];
        if (has_collector)
            vals[c++] = (char *)or_dash(key->v[HB_COL_collector]);
        if (sh.threads)
            vals[c++] = (char *)or_dash(key->v[HB_COL_threads]);
        if (sh.params)
            vals[c++] = (char *)or_dash(key->v[HB_COL_params]);
        for (size_t a = 0; a < na; a++)
            vals[c++] = text[a];
        tbl_row(&t, vals);
    }
    c = 0;
    char label[96];
    snprintf(label, sizeof label, "%s (%zu row%s every column ran)", spread ? "median" : "geometric mean",
             nratios[0], nratios[0] == 1 ? "" : "s");
    vals[c++] = label;
    for (size_t l = 1; l < nlabel; l++)
        vals[c++] = "";
    for (size_t a = 0; a < na; a++) {
        if (nratios[a] && spread)
            snprintf(text[a], sizeof text[a], "%.1f%%", hb_median(&ratios[a * nrows], nratios[a]) * 100);
        else if (nratios[a])
            snprintf(text[a], sizeof text[a], "%.0f%%", hb_geomean(&ratios[a * nrows], nratios[a], NULL) * 100);
        else
            snprintf(text[a], sizeof text[a], "-");
        vals[c++] = text[a];
    }
    tbl_row(&t, vals);

    printf("%s\n\n", title);
    tbl_print(&t, o->markdown);
    if (stand_in != NULL)
        printf("\n*: %s has no ok run in that row: relative to %s there, and left out of the geometric means.\n",
               allocs[0], stand_in);
    if (alone > 0)
        printf("\n%zu row%s where only one allocator ran (a collector with an allocator of its own) left out.\n",
               alone, alone == 1 ? "" : "s");
    tbl_free(&t);
    free(vals);
    free(buf);
    free(ratios);
    free(rat);
    free(nratios);
    free(text);
    free(rowkey);
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Thread scaling: for each (workload, collector, params) run at two or more
 * thread counts, the median throughput (ops_per_s) of every allocator at
 * each count, in millions per second. */
static void scaling_table(const side *s, const char *const *allocs, size_t na, const options *o)
{
    int th[64];
    size_t nth = 0;
    for (size_t i = 0; i < s->ncells; i++) {
        int t = atoi(s->cells[i].key->v[HB_COL_threads]);
        size_t k = 0;
        while (k < nth && th[k] != t)
            k++;
        if (k == nth && nth < 64)
            th[nth++] = t;
    }
    if (nth < 2)
        return;
    qsort(th, nth, sizeof th[0], cmp_int);
    tbl t;
    tbl_init(&t, 3 + nth);
    char **vals = xcalloc(3 + nth, sizeof *vals);
    char(*text)[32] = xcalloc(nth, sizeof *text);
    double *buf = xcalloc(s->t.n, sizeof *buf);
    vals[0] = "workload";
    vals[1] = "collector";
    vals[2] = "allocator";
    for (size_t k = 0; k < nth; k++) {
        snprintf(text[k], sizeof text[k], "%d thread%s", th[k], th[k] == 1 ? "" : "s");
        t.right[3 + k] = 1;
        vals[3 + k] = text[k];
    }
    tbl_row(&t, vals);
    int rows = 0;
    for (size_t i = 0; i < s->ncells; i++) {
        const hb_row *key = s->cells[i].key;
        int first = 1; /* the first cell of its (workload, collector, params, allocator) */
        for (size_t j = 0; j < i && first; j++)
            first = !(strcmp(s->cells[j].key->v[HB_COL_workload], key->v[HB_COL_workload]) == 0 &&
                      strcmp(s->cells[j].key->v[HB_COL_collector], key->v[HB_COL_collector]) == 0 &&
                      strcmp(s->cells[j].key->v[HB_COL_params], key->v[HB_COL_params]) == 0 &&
                      strcmp(s->cells[j].key->v[HB_COL_allocator], key->v[HB_COL_allocator]) == 0);
        int known = 0;
        for (size_t a = 0; a < na; a++)
            known |= strcmp(allocs[a], key->v[HB_COL_allocator]) == 0;
        if (!first || !known)
            continue;
        size_t counts = 0;
        for (size_t k = 0; k < nth; k++) {
            text[k][0] = '\0';
            for (size_t j = 0; j < s->ncells; j++) {
                const hb_row *x = s->cells[j].key;
                if (atoi(x->v[HB_COL_threads]) != th[k] || strcmp(x->v[HB_COL_workload], key->v[HB_COL_workload]) != 0 ||
                    strcmp(x->v[HB_COL_collector], key->v[HB_COL_collector]) != 0 ||
                    strcmp(x->v[HB_COL_params], key->v[HB_COL_params]) != 0 ||
                    strcmp(x->v[HB_COL_allocator], key->v[HB_COL_allocator]) != 0)
                    continue;
                size_t n = values(s, j, HB_COL_ops_per_s, buf);
                snprintf(text[k], sizeof text[k], "%s", n ? "" : "-");
                if (n)
                    snprintf(text[k], sizeof text[k], "%.2f", hb_median(buf, n) / 1e6);
                counts++;
            }
            vals[3 + k] = text[k][0] ? text[k] : " ";
        }
        if (counts < 2)
            continue;
        vals[0] = (char *)key->v[HB_COL_workload];
        vals[1] = (char *)or_dash(key->v[HB_COL_collector]);
        vals[2] = (char *)key->v[HB_COL_allocator];
        tbl_row(&t, vals);
        rows++;
    }
    if (rows > 0) {
        printf("\nthroughput by threads (median ops_per_s of ok runs, millions per second; higher is better):\n\n");
        tbl_print(&t, o->markdown);
    }
    tbl_free(&t);
    free(vals);
    free(text);
    free(buf);
}

/* The rows of s whose allocator is `from`, relabelled `as` when as != NULL. */
static void rows_of(side *out, const side *s, const char *from, const char *as, const char *label)
{
    memset(out, 0, sizeof *out);
    out->path = label;
    out->t.rows = xcalloc(s->t.n, sizeof *out->t.rows);
    out->t.lines = xcalloc(s->t.n, sizeof *out->t.lines);
    for (size_t i = 0; i < s->t.n; i++) {
        if (strcmp(s->t.rows[i].v[HB_COL_allocator], from) != 0)
            continue;
        out->t.rows[out->t.n] = s->t.rows[i];
        if (as != NULL)
            hb_row_set(&out->t.rows[out->t.n], HB_COL_allocator, "%s", as);
        out->t.lines[out->t.n++] = s->t.lines[i];
    }
    group(out, KEY_ALL);
}

/* Allocator `name` of the file judged against the baseline's runs of the
 * same cells, as two files would be: the U test and a verdict per cell.
 * Returns the number of regressions. */
static size_t verdict_against(const side *s, const char *baseline, const char *name, const options *o)
{
    side b, n;
    char blabel[256], nlabel[256];
    snprintf(blabel, sizeof blabel, "%s, allocator %s", s->path, baseline);
    snprintf(nlabel, sizeof nlabel, "%s, allocator %s", s->path, name);
    rows_of(&b, s, baseline, name, blabel);
    rows_of(&n, s, name, NULL, nlabel);
    printf(o->markdown ? "\n### %s against %s\n\n" : "\n==== %s against %s ====\n", name, baseline);
    return compare_sides(b, n, o);
}

static int compare_baseline(const char *path, const char *baseline, const options *o)
{
    side s;
    load(&s, path, KEY_ALL);
    /* Allocators in file order, the baseline first. */
    const char **allocs = xcalloc(s.ncells + 1, sizeof *allocs);
    size_t na = 0;
    allocs[na++] = baseline;
    int found = 0;
    for (size_t i = 0; i < s.ncells; i++) {
        const char *a = s.cells[i].key->v[HB_COL_allocator];
        size_t k = 0;
        while (k < na && strcmp(allocs[k], a) != 0)
            k++;
        if (k == 0)
            found = 1;
        if (k == na)
            allocs[na++] = a;
    }
    if (!found) {
        char names[512] = "";
        for (size_t k = 1; k < na; k++)
            append(names, sizeof names, "%s%s", k > 1 ? ", " : "", allocs[k]);
        hb_usage_error("compare: %s has no rows for baseline allocator '%s' (allocators in the file: %s)", path,
                       baseline, names);
    }
    char title[256];
    snprintf(title, sizeof title, "time (median wall_s of ok runs) relative to %s, lower is better:", baseline);
    relative_table(&s, allocs, na, HB_COL_wall_s, title, o, 0);
    size_t most = 0; /* the most ok runs of one cell: no spread table when every cell has one */
    double *buf = xcalloc(s.t.n ? s.t.n : 1, sizeof *buf);
    for (size_t i = 0; i < s.ncells; i++) {
        size_t k = values(&s, i, HB_COL_wall_s, buf);
        most = k > most ? k : most;
    }
    free(buf);
    if (most > 1)
        relative_table(&s, allocs, na, HB_COL_wall_s,
                       "\nspread of time (cv: coefficient of variation of wall_s over the ok runs; '-': one run):", o,
                       1);
    snprintf(title, sizeof title,
             "\npeak RSS (median peak_rss_kib of ok runs) relative to %s, lower is better:", baseline);
    relative_table(&s, allocs, na, HB_COL_peak_rss_kib, title, o, 0);
    scaling_table(&s, allocs, na, o);
    size_t reg = 0;
    for (size_t a = 1; a < na && o->verdict; a++)
        reg += verdict_against(&s, baseline, allocs[a], o);
    free(allocs);
    unload(&s);
    return reg ? HB_EXIT_FAILED : HB_EXIT_OK;
}

/* ---- command line ------------------------------------------------------- */

static double parse_double(const char *opt, const char *v, double lo, double hi, int lo_open, int pct)
{
    char *end = NULL;
    if (v == NULL)
        hb_usage_error("compare: %s needs a value", opt);
    double d = strtod(v, &end);
    if (pct && end != v && *end == '%')
        end++;
    if (end == v || *end != '\0' || !isfinite(d) || d < lo || (lo_open && d == lo) || d >= hi)
        hb_usage_error("compare: %s %s: expected a number in %c%g, %g)", opt, v, lo_open ? '(' : '[', lo, hi);
    return d;
}

int hb_cmd_compare(int argc, char **argv)
{
    options o = {0.05, 0.05, 0, 1};
    hb_frontier_opts fo = {NULL, NULL, 1.05, 1.00, 7, 0, 1, 0};
    int frontier_opt = 0; /* an option only --frontier takes was given */
    const char *files[2] = {NULL, NULL};
    const char *baseline = NULL;
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        size_t nlen = a[0] == '-' && eq ? (size_t)(eq - a) : strlen(a);
#define IS(name) (strlen(name) == nlen && strncmp(a, name, nlen) == 0)
#define VALUE() (a[0] == '-' && eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL))
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(compare_usage, stdout);
            return HB_EXIT_OK;
        } else if (strcmp(a, "--markdown") == 0) {
            o.markdown = 1;
        } else if (strcmp(a, "--no-verdict") == 0) {
            o.verdict = 0;
        } else if (IS("--threshold")) {
            o.threshold = parse_double("--threshold", VALUE(), 0, 1000, 0, 1) / 100;
        } else if (IS("--alpha")) {
            o.alpha = parse_double("--alpha", VALUE(), 0, 1, 1, 0);
        } else if (IS("--baseline-allocator")) {
            baseline = VALUE();
            if (baseline == NULL || baseline[0] == '\0')
                hb_usage_error("compare: --baseline-allocator needs an allocator name");
        } else if (IS("--frontier")) {
            fo.subject = VALUE();
            if (fo.subject == NULL || fo.subject[0] == '\0' || fo.subject[0] == '-')
                hb_usage_error("compare: --frontier needs an allocator name");
        } else if (IS("--anchors")) {
            fo.anchors = VALUE();
            if (fo.anchors == NULL || fo.anchors[0] == '\0' || fo.anchors[0] == '-')
                hb_usage_error("compare: --anchors needs a list of allocator names");
            frontier_opt = 1;
        } else if (IS("--frontier-limit")) {
            fo.limit = parse_double("--frontier-limit", VALUE(), 0, 1000, 1, 0);
            frontier_opt = 1;
        } else if (IS("--frontier-time")) {
            const char *v = VALUE();
            if (strcmp(v, "wall") != 0 && strcmp(v, "cpu") != 0)
                hb_usage_error("compare: --frontier-time %s: expected wall or cpu", v);
            fo.cpu = strcmp(v, "cpu") == 0;
            frontier_opt = 1;
        } else if (IS("--frontier-mean")) {
            fo.mean_limit = parse_double("--frontier-mean", VALUE(), 0, 1000, 1, 0);
            frontier_opt = 1;
        } else if (IS("--rows")) {
            fo.rows = hb_frontier_parse_rows(VALUE());
            frontier_opt = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            hb_usage_error("compare: unknown option '%s' (valid: --threshold, --alpha, --markdown, "
                           "--baseline-allocator, --no-verdict, --frontier, --anchors, --frontier-limit, "
                           "--frontier-mean, --frontier-time, --rows, --help)",
                           a);
        } else {
            if (nfiles == 2)
                hb_usage_error("compare: too many files ('%s'); usage: heapbench compare BASE.csv NEW.csv", a);
            files[nfiles++] = a;
        }
#undef IS
#undef VALUE
    }
    if (fo.subject) {
        if (baseline)
            hb_usage_error("compare: --frontier and --baseline-allocator are two modes; give one");
        if (nfiles != 1)
            hb_usage_error("compare: --frontier takes exactly one file (got %zu)", nfiles);
        fo.markdown = o.markdown;
        fo.verdict = o.verdict;
        return hb_compare_frontier(files[0], &fo);
    }
    if (frontier_opt)
        hb_usage_error("compare: --anchors, --frontier-limit, --frontier-mean, --frontier-time and --rows need --frontier NAME");
    if (baseline) {
        if (nfiles != 1)
            hb_usage_error("compare: --baseline-allocator takes exactly one file (got %zu)", nfiles);
        return compare_baseline(files[0], baseline, &o);
    }
    if (nfiles != 2)
        hb_usage_error("compare: expected two files, BASE.csv NEW.csv (or one with --baseline-allocator NAME)");
    return compare_files(files[0], files[1], &o);
}
