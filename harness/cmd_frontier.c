/*
 * cmd_frontier.c: `heapbench compare FILE --frontier SUBJECT`: one allocator
 * against the best anchor of each row of one results file.
 *
 * A row is one (workload, collector, threads, params).  In each row, over
 * the anchors (libc, jemalloc, mimalloc, tcmalloc, tbbmalloc, scudo, or
 * --anchors) that have ok runs there, the best anchor in time is the one
 * with the lowest median wall_s and the best in memory the one with the
 * lowest median peak_rss_kib; the two may differ.  The subject's median over
 * the best one's is the row's ratio, for each measure, and the row passes
 * when both are <= the limit (--frontier-limit, default 1.05).  A row where
 * the subject has no ok run fails and has no ratio.  Rows where the subject
 * did not run, or no anchor ran ok, are left out and counted.  Then the
 * geometric means of the ratios per kind of row (allocator workloads, real
 * programs, collector workloads) and over all of them, each judged against
 * --frontier-mean (default 1.00); every geometric mean is over the rows that
 * have both ratios, and says how many.  The spread beside every median is
 * the cv (stats.h: hb_cv), the one definition compare uses.
 *
 * Invariants: nothing here changes the table it reads; every row printed is
 * counted once in its kind and once in "all"; exit status 1 only when the
 * verdict is printed and a row or a mean is over its limit.
 */
#define _POSIX_C_SOURCE 200809L
#include <libgen.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "cli.h"
#include "csvread.h"
#include "frontier.h"
#include "programs.h"
#include "stats.h"
#include "texttable.h"

const char *const hb_frontier_default_anchors[] = {"libc", "jemalloc", "mimalloc", "tcmalloc", "tbbmalloc", "scudo",
                                                  NULL};

#define MAX_ANCHORS 32

/* The kinds of rows, in the order their means are printed. */
enum { KIND_WORKLOAD, KIND_PROGRAM, KIND_COLLECTOR, NKINDS };
static const char *const kind_names[NKINDS] = {"allocator workloads", "real programs", "collector workloads"};
static const char *const kind_opts[NKINDS] = {"workloads", "programs", "collectors"};

unsigned hb_frontier_parse_rows(const char *v)
{
    if (v == NULL || v[0] == '\0')
        hb_usage_error("compare: --rows needs a list (workloads, programs, collectors, or all)");
    if (strcmp(v, "all") == 0)
        return (1u << NKINDS) - 1;
    unsigned mask = 0;
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        int k = 0;
        while (k < NKINDS && !(strlen(kind_opts[k]) == n && strncmp(p, kind_opts[k], n) == 0))
            k++;
        if (k == NKINDS)
            hb_usage_error("compare: --rows: unknown kind '%.*s' (valid: workloads, programs, collectors, all)",
                           (int)n, p);
        mask |= 1u << k;
        p += n;
        if (*p == ',' && *++p == '\0')
            hb_usage_error("compare: --rows %s: empty name at the end", v);
    }
    return mask;
}

/* One allocator in one row: its runs and the medians and spreads of its ok
 * runs (t, m < 0 when there is none). */
typedef struct stat {
    size_t runs, ok;
    char bad[64];
    double t, tcv, m, mcv;
} stat;

typedef struct row {
    const hb_row *key;
    int kind;
} row;

static int same_row(const hb_row *a, const hb_row *b)
{
    return strcmp(a->v[HB_COL_workload], b->v[HB_COL_workload]) == 0 &&
           strcmp(a->v[HB_COL_collector], b->v[HB_COL_collector]) == 0 &&
           strcmp(a->v[HB_COL_threads], b->v[HB_COL_threads]) == 0 &&
           strcmp(a->v[HB_COL_params], b->v[HB_COL_params]) == 0;
}

static int kind_of(const hb_row *r)
{
    if (r->v[HB_COL_collector][0] != '\0')
        return KIND_COLLECTOR;
    return hb_program_find(r->v[HB_COL_workload]) != NULL ? KIND_PROGRAM : KIND_WORKLOAD;
}

static void add_bad(char *bad, size_t len, const char *st)
{
    if (strstr(bad, st) != NULL)
        return;
    size_t used = strlen(bad);
    snprintf(bad + used, len - used, "%s%s", used ? ", " : "", st);
}

/* The runs of allocator `alloc` in row `r` (rowof[i]: the row of table row i). */
static stat stat_of(const hb_table *t, const size_t *rowof, size_t r, const char *alloc, double *buf, int cpu)
{
    stat s;
    memset(&s, 0, sizeof s);
    s.t = s.m = s.tcv = s.mcv = -1;
    size_t nt = 0, nm = 0;
    double *bm = buf + t->n;
    for (size_t i = 0; i < t->n; i++) {
        const hb_row *x = &t->rows[i];
        if (rowof[i] != r || strcmp(x->v[HB_COL_allocator], alloc) != 0)
            continue;
        s.runs++;
        if (strcmp(x->v[HB_COL_status], "ok") != 0) {
            add_bad(s.bad, sizeof s.bad, x->v[HB_COL_status]);
            continue;
        }
        s.ok++;
        int ok;
        double d = hb_row_num(x, cpu ? HB_COL_user_s : HB_COL_wall_s, &ok);
        if (ok && cpu) { /* CPU time: user + system, both needed */
            int ok2;
            d += hb_row_num(x, HB_COL_sys_s, &ok2);
            ok = ok2;
        }
        if (ok)
            buf[nt++] = d;
        d = hb_row_num(x, HB_COL_peak_rss_kib, &ok);
        if (ok)
            bm[nm++] = d;
    }
    if (nt) {
        s.tcv = hb_cv(buf, nt);
        s.t = hb_median(buf, nt);
    }
    if (nm) {
        s.mcv = hb_cv(bm, nm);
        s.m = hb_median(bm, nm);
    }
    return s;
}

static void fmt_cv(char *b, size_t len, double cv) { snprintf(b, len, cv < 0 ? "-" : "%.1f%%", cv * 100); }

/* A limit as written: 1.05, 1.00, 1.025. */
static const char *lim(char *b, size_t len, double x)
{
    snprintf(b, len, fabs(x * 100 - round(x * 100)) < 1e-9 ? "%.2f" : "%g", x);
    return b;
}

static int in_names(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return 1;
    return 0;
}

/* Appends ", NAME[ ratio]" parts: "time 1.470", "RSS 1.420 [spread 8% > gap 4%]". */
static void judge_measure(char *v, size_t len, const char *what, double ratio, double cv1, double cv2, double limit,
                          int *over)
{
    if (ratio < 0 || ratio <= limit)
        return;
    *over = 1;
    size_t used = strlen(v);
    snprintf(v + used, len - used, "%s%s %.3f", used ? ", " : "", what, ratio);
    double cv = cv1 > cv2 ? cv1 : cv2;
    if (cv > ratio - 1) {
        used = strlen(v);
        snprintf(v + used, len - used, " [spread %.0f%% > gap %.0f%%]", cv * 100, (ratio - 1) * 100);
    }
}

int hb_compare_frontier(const char *path, const hb_frontier_opts *fo)
{
    char msg[1024];
    hb_table t;
    if (hb_csv_read_file(path, &t, msg, sizeof msg) != 0)
        hb_usage_error("%s", msg);
    if (t.n == 0)
        hb_usage_error("%s: line 2: no rows (only a header)", path);
    const char *subject = fo->subject;

    /* The allocators of the file, in file order. */
    const char **allocs = xcalloc(t.n, sizeof *allocs);
    size_t na = 0;
    for (size_t i = 0; i < t.n; i++)
        if (!in_names(allocs, na, t.rows[i].v[HB_COL_allocator]))
            allocs[na++] = t.rows[i].v[HB_COL_allocator];
    char names[512] = "";
    for (size_t k = 0; k < na; k++) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "", allocs[k]);
    }
    if (!in_names(allocs, na, subject))
        hb_usage_error("compare: %s has no rows for allocator '%s' (allocators in the file: %s)", path, subject, names);

    /* The anchors: those asked for (each must be in the file), or the
     * default ones the file has, never the subject. */
    const char *anchors[MAX_ANCHORS];
    size_t nanch = 0;
    char *list = fo->anchors ? xstrdup(fo->anchors) : NULL;
    if (list) {
        for (char *save = NULL, *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
            if (strcmp(a, subject) == 0)
                hb_usage_error("compare: --anchors: '%s' is the allocator under test, not an anchor", a);
            if (!in_names(allocs, na, a))
                hb_usage_error("compare: --anchors: %s has no rows for allocator '%s' (allocators in the file: %s)",
                               path, a, names);
            if (nanch == MAX_ANCHORS)
                hb_usage_error("compare: --anchors: at most %d anchors", MAX_ANCHORS);
            if (!in_names(anchors, nanch, a))
                anchors[nanch++] = a;
        }
        if (nanch == 0)
            hb_usage_error("compare: --anchors needs at least one allocator name");
    } else {
        for (size_t k = 0; hb_frontier_default_anchors[k]; k++)
            if (strcmp(hb_frontier_default_anchors[k], subject) != 0 &&
                in_names(allocs, na, hb_frontier_default_anchors[k]))
                anchors[nanch++] = hb_frontier_default_anchors[k];
        if (nanch == 0)
            hb_usage_error("compare: %s has no anchor allocator (libc, jemalloc, mimalloc, tcmalloc, tbbmalloc, "
                           "scudo; allocators in the file: %s); name some with --anchors",
                           path, names);
    }

    /* Rows in file order, and the row of every table row. */
    row *rows = xcalloc(t.n, sizeof *rows);
    size_t *rowof = xcalloc(t.n, sizeof *rowof), nrows = 0;
    for (size_t i = 0; i < t.n; i++) {
        size_t r = 0;
        while (r < nrows && !same_row(rows[r].key, &t.rows[i]))
            r++;
        if (r == nrows) {
            rows[nrows].key = &t.rows[i];
            rows[nrows++].kind = kind_of(&t.rows[i]);
        }
        rowof[i] = r;
    }

    /* Which rows are compared; the label columns they need. */
    double *buf = xcalloc(2 * t.n, sizeof *buf);
    stat *subj = xcalloc(nrows, sizeof *subj);
    int *bt = xcalloc(nrows, sizeof *bt), *bm = xcalloc(nrows, sizeof *bm); /* best anchor index, or -1 */
    stat *st_bt = xcalloc(nrows, sizeof *st_bt), *st_bm = xcalloc(nrows, sizeof *st_bm);
    char *use = xcalloc(nrows, 1);
    size_t not_run = 0, no_anchor = 0, filtered = 0, programs = 0;
    char no_anchor_names[256] = "";
    for (size_t r = 0; r < nrows; r++) {
        bt[r] = bm[r] = -1;
        if (!(fo->rows & (1u << rows[r].kind))) {
            filtered++;
            continue;
        }
        subj[r] = stat_of(&t, rowof, r, subject, buf, fo->cpu);
        if (subj[r].runs == 0) {
            not_run++;
            continue;
        }
        for (size_t a = 0; a < nanch; a++) {
            stat s = stat_of(&t, rowof, r, anchors[a], buf, fo->cpu);
            if (s.t >= 0 && (bt[r] < 0 || s.t < st_bt[r].t)) {
                bt[r] = (int)a;
                st_bt[r] = s;
            }
            if (s.m >= 0 && (bm[r] < 0 || s.m < st_bm[r].m)) {
                bm[r] = (int)a;
                st_bm[r] = s;
            }
        }
        if (bt[r] < 0 && bm[r] < 0) {
            if (no_anchor++ < 4) {
                size_t used = strlen(no_anchor_names);
                snprintf(no_anchor_names + used, sizeof no_anchor_names - used, "%s%.60s", used ? ", " : "",
                         rows[r].key->v[HB_COL_workload]);
            }
            continue;
        }
        use[r] = 1;
        programs += rows[r].kind == KIND_PROGRAM;
    }
    int show_collector = 0, show_threads = 0, show_params = 0;
    const hb_row *first = NULL;
    for (size_t r = 0; r < nrows; r++) {
        if (!use[r])
            continue;
        const hb_row *k = rows[r].key;
        show_collector |= k->v[HB_COL_collector][0] != '\0';
        if (first && strcmp(first->v[HB_COL_threads], k->v[HB_COL_threads]) != 0)
            show_threads = 1;
        first = first ? first : k;
        /* params only where two rows differ in nothing else */
        for (size_t q = 0; q < r; q++)
            if (use[q] && strcmp(rows[q].key->v[HB_COL_workload], k->v[HB_COL_workload]) == 0 &&
                strcmp(rows[q].key->v[HB_COL_collector], k->v[HB_COL_collector]) == 0 &&
                strcmp(rows[q].key->v[HB_COL_threads], k->v[HB_COL_threads]) == 0)
                show_params = 1;
    }
    if (first == NULL)
        hb_usage_error("compare: %s: no row where %s and an anchor (%s%s) both ran%s", path, subject, anchors[0],
                       nanch > 1 ? ", ..." : "", fo->rows != (1u << NKINDS) - 1 ? " among the --rows chosen" : "");

    /* The table. */
    tbl tb;
    char *hdr[24];
    size_t nc = 0;
    char h_ss[64], h_sm[64];
    snprintf(h_ss, sizeof h_ss, "%s s", subject);
    snprintf(h_sm, sizeof h_sm, "%s MiB", subject);
    hdr[nc++] = "workload";
    if (show_collector)
        hdr[nc++] = "collector";
    if (show_threads)
        hdr[nc++] = "threads";
    if (show_params)
        hdr[nc++] = "params";
    size_t first_num = nc;
    char *num_hdr[] = {"fastest anchor", "anchor s", "cv", h_ss, "cv", "time ratio",
                       "leanest anchor", "anchor MiB", "cv", h_sm, "cv", "RSS ratio", "verdict"};
    for (size_t k = 0; k < sizeof num_hdr / sizeof *num_hdr; k++)
        hdr[nc++] = num_hdr[k];
    tbl_init(&tb, nc);
    for (size_t c = first_num; c + 1 < nc; c++)
        tb.right[c] = c != first_num && c != first_num + 6;
    tbl_row(&tb, hdr);

    double *rt = xcalloc(nrows, sizeof *rt), *rm = xcalloc(nrows, sizeof *rm);
    size_t over_rows = 0, over_t = 0, over_m = 0, compared = 0, failed_runs = 0;
    for (size_t r = 0; r < nrows; r++) {
        rt[r] = rm[r] = -1;
        if (!use[r])
            continue;
        compared++;
        const stat *s = &subj[r];
        char v[13][192];
        for (size_t k = 0; k < 13; k++)
            snprintf(v[k], sizeof v[k], "-");
        if (bt[r] >= 0) {
            snprintf(v[0], sizeof v[0], "%s", anchors[bt[r]]);
            snprintf(v[1], sizeof v[1], "%.3f", st_bt[r].t);
            fmt_cv(v[2], sizeof v[2], st_bt[r].tcv);
        }
        if (bm[r] >= 0) {
            snprintf(v[6], sizeof v[6], "%s", anchors[bm[r]]);
            snprintf(v[7], sizeof v[7], "%.1f", st_bm[r].m / 1024);
            fmt_cv(v[8], sizeof v[8], st_bm[r].mcv);
        }
        int over = 0;
        v[12][0] = '\0';
        if (s->ok == 0) {
            snprintf(v[3], sizeof v[3], "%s", s->bad);
            snprintf(v[9], sizeof v[9], "%s", s->bad);
            snprintf(v[12], sizeof v[12], "FAIL (%s: %s)", subject, s->bad);
            over = 1;
            failed_runs++;
        } else {
            if (s->t >= 0) {
                snprintf(v[3], sizeof v[3], "%.3f", s->t);
                fmt_cv(v[4], sizeof v[4], s->tcv);
            }
            if (s->m >= 0) {
                snprintf(v[9], sizeof v[9], "%.1f", s->m / 1024);
                fmt_cv(v[10], sizeof v[10], s->mcv);
            }
            if (s->t >= 0 && bt[r] >= 0)
                rt[r] = st_bt[r].t > 0 ? s->t / st_bt[r].t : (s->t == 0 ? 1 : -1);
            if (s->m >= 0 && bm[r] >= 0)
                rm[r] = st_bm[r].m > 0 ? s->m / st_bm[r].m : (s->m == 0 ? 1 : -1);
            if (rt[r] >= 0)
                snprintf(v[5], sizeof v[5], "%.3f", rt[r]);
            if (rm[r] >= 0)
                snprintf(v[11], sizeof v[11], "%.3f", rm[r]);
            char why[160] = "";
            int ot = 0, om = 0;
            judge_measure(why, sizeof why, "time", rt[r], s->tcv, st_bt[r].tcv, fo->limit, &ot);
            judge_measure(why, sizeof why, "RSS", rm[r], s->mcv, st_bm[r].mcv, fo->limit, &om);
            over_t += (size_t)ot;
            over_m += (size_t)om;
            over = ot || om;
            if (over)
                snprintf(v[12], sizeof v[12], "FAIL (%s)", why);
            else
                snprintf(v[12], sizeof v[12], "%s", s->ok < s->runs ? "pass (some runs not ok)" : "pass");
            if (s->ok < s->runs)
                over = 1, snprintf(v[12], sizeof v[12], "FAIL (%s in %zu of %zu runs)", s->bad, s->runs - s->ok,
                                   s->runs);
        }
        over_rows += (size_t)over;
        char *cells[24];
        size_t c = 0;
        const hb_row *k = rows[r].key;
        cells[c++] = (char *)k->v[HB_COL_workload];
        if (show_collector)
            cells[c++] = (char *)(k->v[HB_COL_collector][0] ? k->v[HB_COL_collector] : "-");
        if (show_threads)
            cells[c++] = (char *)k->v[HB_COL_threads];
        if (show_params)
            cells[c++] = (char *)(k->v[HB_COL_params][0] ? k->v[HB_COL_params] : "-");
        for (size_t q = 0; q < 13; q++)
            cells[c++] = v[q];
        tbl_row(&tb, cells);
    }

    char L1[32], L2[32];
    lim(L1, sizeof L1, fo->limit);
    lim(L2, sizeof L2, fo->mean_limit);
    char anchor_list[512] = "";
    for (size_t a = 0; a < nanch; a++) {
        size_t used = strlen(anchor_list);
        snprintf(anchor_list + used, sizeof anchor_list - used, "%s%s", a ? ", " : "", anchors[a]);
    }
    printf("%s against the best anchor of each row (anchors: %s), %s: medians of the ok runs, time = %s, "
           "peak RSS = peak_rss_kib; ratio = %s / best anchor, lower is better; cv = coefficient of variation of "
           "the runs; limit %s a row, %s a geometric mean.\n\n",
           subject, anchor_list, path, fo->cpu ? "user_s + sys_s (CPU)" : "wall_s", subject, L1, L2);
    tbl_print(&tb, fo->markdown);
    tbl_free(&tb);

    /* The subject on real programs: a built-in runs there as its drop-in. */
    const hb_allocator_ops *ops = hb_allocator_find(subject);
    char dropin[96] = "";
    if (programs > 0 && ops != NULL && !(ops->caps & HB_ALLOC_PROCESS) && ops->preload != NULL) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", ops->preload);
        snprintf(dropin, sizeof dropin, "drop-in %.80s", basename(tmp));
        printf("\nReal programs: %s runs there as its drop-in, %s, preloaded (as the anchors are; libc is the "
               "program's own).\n",
               subject, basename(tmp));
    }

    /* Geometric means per kind and over all. */
    tbl g;
    tbl_init(&g, 7);
    for (size_t c = 1; c < 6; c++)
        g.right[c] = 1;
    char ho_t[48], ho_m[48];
    snprintf(ho_t, sizeof ho_t, "time over %s", L1);
    snprintf(ho_m, sizeof ho_m, "RSS over %s", L1);
    char *gh[] = {"rows", "with ratios", "time ratio", "RSS ratio", ho_t, ho_m, "verdict"};
    tbl_row(&g, gh);
    double *vt = xcalloc(nrows, sizeof *vt), *vm = xcalloc(nrows, sizeof *vm);
    int mean_over = 0;
    double all_t = 0, all_m = 0;
    size_t all_n = 0;
    for (int k = 0; k <= NKINDS; k++) { /* NKINDS: all rows */
        size_t n = 0, rows_k = 0, ot = 0, om = 0;
        for (size_t r = 0; r < nrows; r++) {
            if (!use[r] || (k < NKINDS && rows[r].kind != k))
                continue;
            rows_k++;
            ot += rt[r] > fo->limit;
            om += rm[r] > fo->limit;
            if (rt[r] > 0 && rm[r] > 0) {
                vt[n] = rt[r];
                vm[n++] = rm[r];
            }
        }
        if (rows_k == 0)
            continue;
        char c0[128], c1[32], c2[32], c3[32], c4[32], c5[32], c6[64];
        if (k == KIND_PROGRAM && dropin[0])
            snprintf(c0, sizeof c0, "real programs (%s)", dropin);
        else
            snprintf(c0, sizeof c0, "%s", k < NKINDS ? kind_names[k] : "all");
        snprintf(c1, sizeof c1, "%zu of %zu", n, rows_k);
        double gt = n ? hb_geomean(vt, n, NULL) : -1, gm = n ? hb_geomean(vm, n, NULL) : -1;
        snprintf(c2, sizeof c2, n ? "%.3f" : "-", gt);
        snprintf(c3, sizeof c3, n ? "%.3f" : "-", gm);
        snprintf(c4, sizeof c4, "%zu", ot);
        snprintf(c5, sizeof c5, "%zu", om);
        int mo = n == 0 || gt > fo->mean_limit || gm > fo->mean_limit;
        if (!mo)
            snprintf(c6, sizeof c6, "pass");
        else
            snprintf(c6, sizeof c6, "FAIL (%s%s%s)", n == 0 ? "no ratio" : gt > fo->mean_limit ? "time" : "",
                     n && gt > fo->mean_limit && gm > fo->mean_limit ? ", " : "",
                     n && gm > fo->mean_limit ? "RSS" : "");
        if (k == NKINDS) {
            mean_over = mo;
            all_t = gt;
            all_m = gm;
            all_n = n;
        }
        char *gr[] = {c0, c1, c2, c3, c4, c5, c6};
        tbl_row(&g, gr);
    }
    printf("\ngeometric means of %s / best anchor (over the rows with both ratios; a mean passes at <= %s):\n\n",
           subject, L2);
    tbl_print(&g, fo->markdown);
    tbl_free(&g);

    if (not_run || no_anchor || filtered)
        printf("\n");
    if (not_run)
        printf("Left out: %zu row%s where %s did not run.\n", not_run, not_run == 1 ? "" : "s", subject);
    if (no_anchor)
        printf("Left out: %zu row%s where no anchor ran ok (%s%s).\n", no_anchor, no_anchor == 1 ? "" : "s",
               no_anchor_names, no_anchor > 4 ? ", ..." : "");
    if (filtered)
        printf("Left out: %zu row%s not of the kinds chosen by --rows.\n", filtered, filtered == 1 ? "" : "s");

    int miss = over_rows > 0 || mean_over;
    char notok[48] = "";
    if (failed_runs)
        snprintf(notok, sizeof notok, ", no ok run %zu", failed_runs);
    printf("\nverdict: %s %s: %zu of %zu row%s over %s (time %zu, RSS %zu%s); geometric means over %zu row%s: "
           "time %.3f, RSS %.3f\n",
           subject, miss ? "misses the frontier" : "is at the frontier", over_rows, compared, compared == 1 ? "" : "s",
           L1, over_t, over_m, notok, all_n, all_n == 1 ? "" : "s", all_t, all_m);

    free(vt);
    free(vm);
    free(rt);
    free(rm);
    free(use);
    free(st_bt);
    free(st_bm);
    free(bt);
    free(bm);
    free(subj);
    free(buf);
    free(rows);
    free(rowof);
    free(list);
    free(allocs);
    hb_table_free(&t);
    return fo->verdict && miss ? HB_EXIT_FAILED : HB_EXIT_OK;
}
