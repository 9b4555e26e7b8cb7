/*
 * plot.c: plots of a results CSV, rendered by gnuplot into PNG and SVG.
 *
 *   time.{png,svg}      median wall time per workload (and collector) per
 *                       allocator, relative to the baseline allocator (libc
 *                       when present), log scale
 *   rss.{png,svg}       the same for peak RSS
 *   runs.{png,svg}      box plots over runs: every run's time relative to its
 *                       cell's baseline median, per allocator
 *   pauses.{png,svg}    GC pause distribution per collector (max and p99
 *                       pause of every run of a collector workload), log scale
 *   timeline.{png,svg}  memory over time, from timeline files beside the CSV
 *                       (timeline-*.csv), when there are any
 *   soak-memory-W, latency-W   soaks: memory over time per allocator with the
 *                       phases shaded, latency percentile curves (plot_soak.c)
 * The data files and the gnuplot script stay beside the plots, so a plot can
 * be restyled by editing plots.gp and running gnuplot again.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"
#include "plot_soak.h"
#include "row.h"

#define MAX_NAMES 128

typedef struct names {
    char *v[MAX_NAMES];
    size_t n;
} names;

static size_t name_index(names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], s) == 0)
            return i;
    if (ns->n == MAX_NAMES)
        return MAX_NAMES;
    ns->v[ns->n] = strdup(s);
    return ns->n++;
}

static void names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    ns->n = 0;
}

/* Reads every complete row of a results CSV whose header is ours. */
static hb_row *read_rows(const char *path, size_t *count, FILE *log)
{
    FILE *f = fopen(path, "r");
    char line[HB_NCOLS * HB_FIELD_MAX], header[4096];
    char *fields[HB_NCOLS + 1];
    size_t n = 0, cap = 0;
    hb_row *rows = NULL;
    *count = 0;
    if (f == NULL) {
        fprintf(log, "heapbench: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    hb_csv_header(header, sizeof header);
    if (fgets(line, sizeof line, f) == NULL || strcmp(line, header) != 0) {
        fprintf(log, "heapbench: %s is not a heapbench results file of schema %d\n", path, HB_SCHEMA_VERSION);
        fclose(f);
        return NULL;
    }
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
            break;
        line[len - 1] = '\0';
        if (hb_csv_split(line, fields, HB_NCOLS) != HB_NCOLS)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            hb_row *r = realloc(rows, cap * sizeof *rows);
            if (r == NULL)
                break;
            rows = r;
        }
        for (int i = 0; i < HB_NCOLS; i++)
            snprintf(rows[n].v[i], HB_FIELD_MAX, "%s", fields[i]);
        n++;
    }
    fclose(f);
    *count = n;
    return rows;
}

static void label_of(const hb_row *r, char *buf, size_t len)
{
    if (r->v[HB_COL_collector][0])
        snprintf(buf, len, "%.200s/%.200s", r->v[HB_COL_workload], r->v[HB_COL_collector]);
    else if (strcmp(r->v[HB_COL_threads], "1") != 0)
        snprintf(buf, len, "%.200s/%.20st", r->v[HB_COL_workload], r->v[HB_COL_threads]);
    else
        snprintf(buf, len, "%s", r->v[HB_COL_workload]);
}

/* Median of column col over ok rows with this label and allocator; NAN if none. */
static double cell_median(const hb_row *rows, size_t n, const char *label, const char *alloc, int col)
{
    double v[256];
    size_t k = 0;
    char l[2 * HB_FIELD_MAX];
    for (size_t i = 0; i < n && k < 256; i++) {
        int ok;
        if (strcmp(rows[i].v[HB_COL_status], "ok") != 0 || strcmp(rows[i].v[HB_COL_allocator], alloc) != 0)
            continue;
        label_of(&rows[i], l, sizeof l);
        if (strcmp(l, label) != 0)
            continue;
        double d = hb_row_num(&rows[i], col, &ok);
        if (ok)
            v[k++] = d;
    }
    if (k == 0)
        return NAN;
    hb_percentile(v, k, 0.5);
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/* A table of medians relative to the baseline: one line per label. */
static int write_relative(const char *path, const hb_row *rows, size_t n, names *labels, names *allocs,
                          const char *base, int col)
{
    FILE *f = fopen(path, "w");
    char l[2 * HB_FIELD_MAX];
    if (f == NULL)
        return -1;
    fprintf(f, "label");
    for (size_t a = 0; a < allocs->n; a++)
        fprintf(f, " %s", allocs->v[a]);
    fprintf(f, "\n");
    for (size_t i = 0; i < labels->n; i++) {
        double b = cell_median(rows, n, labels->v[i], base, col);
        snprintf(l, sizeof l, "%s", labels->v[i]);
        fprintf(f, "\"%s\"", l);
        for (size_t a = 0; a < allocs->n; a++) {
            double v = cell_median(rows, n, labels->v[i], allocs->v[a], col);
            if (isnan(v) || isnan(b) || b <= 0 || v <= 0)
                fprintf(f, " NaN");
            else
                fprintf(f, " %.5f", v / b);
        }
        fprintf(f, "\n");
    }
    fclose(f);
    return 0;
}

static int run_gnuplot(const char *dir, FILE *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        fprintf(log, "heapbench: gnuplot is not installed (apt-get install gnuplot-nox)\n");
        return -1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(log, "heapbench: gnuplot failed on %s/plots.gp\n", dir);
        return -1;
    }
    return 0;
}

/* Emits `body` twice into the script: once for PNG, once for SVG. */
static void sized_terminals(FILE *gp, const char *name, const char *body, size_t width)
{
    fprintf(gp, "set terminal pngcairo size %zu,760 font ',10'\nset output '%s.png'\n%s\n", width, name, body);
    fprintf(gp, "set terminal svg size %zu,760 font 'sans,10' dynamic\nset output '%s.svg'\n%s\nunset output\n",
            width, name, body);
}

static void both_terminals(FILE *gp, const char *name, const char *body) { sized_terminals(gp, name, body, 1400); }

/* Line types 1..n, each its own colour (gnuplot's default cycles through 8,
 * so a ninth allocator would share the first's): twelve distinct colours,
 * then hues spaced by the golden ratio. */
static void distinct_colours(FILE *gp, size_t n)
{
    static const char *const fixed[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000080", "#808000"};
    const size_t nf = sizeof fixed / sizeof fixed[0];
    for (size_t i = 0; i < n; i++) {
        if (i < nf) {
            fprintf(gp, "set linetype %zu lc rgb '%s'\n", i + 1, fixed[i]);
            continue;
        }
        double h = fmod(0.13 + (double)(i - nf) * 0.618033988749895, 1.0) * 6, s = 0.7, v = 0.75;
        double c = v * s, x = c * (1 - fabs(fmod(h, 2) - 1)), m = v - c, r = 0, g = 0, b = 0;
        int sec = (int)h;
        r = sec == 0 || sec == 5 ? c : sec == 1 || sec == 4 ? x : 0;
        g = sec == 1 || sec == 2 ? c : sec == 0 || sec == 3 ? x : 0;
        b = sec == 3 || sec == 4 ? c : sec == 2 || sec == 5 ? x : 0;
        fprintf(gp, "set linetype %zu lc rgb '#%02x%02x%02x'\n", i + 1, (unsigned)((r + m) * 255),
                (unsigned)((g + m) * 255), (unsigned)((b + m) * 255));
    }
}

int hb_render_plots(const char *csv, const char *dir, FILE *log)
{
    size_t n;
    hb_row *rows = read_rows(csv, &n, log);
    names labels = {0}, allocs = {0}, collectors = {0}; /* collectors: those with pauses */
    char l[2 * HB_FIELD_MAX], path[4096], body[8192];
    int rc = -1;
    if (rows == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        label_of(&rows[i], l, sizeof l);
        name_index(&labels, l);
        name_index(&allocs, rows[i].v[HB_COL_allocator]);
    }
    if (n == 0 || allocs.n == 0) {
        fprintf(log, "heapbench: %s has no rows to plot\n", csv);
        goto out;
    }
    const char *base = allocs.v[0];
    for (size_t a = 0; a < allocs.n; a++)
        if (strcmp(allocs.v[a], "libc") == 0)
            base = "libc";

    snprintf(path, sizeof path, "%s/time.dat", dir);
    if (write_relative(path, rows, n, &labels, &allocs, base, HB_COL_wall_s) != 0)
        goto io;
    snprintf(path, sizeof path, "%s/rss.dat", dir);
    if (write_relative(path, rows, n, &labels, &allocs, base, HB_COL_peak_rss_kib) != 0)
        goto io;

    /* runs.dat: allocator index, run time relative to the cell's baseline median. */
    snprintf(path, sizeof path, "%s/runs.dat", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        goto io;
    for (size_t i = 0; i < n; i++) {
        int ok;
        if (strcmp(rows[i].v[HB_COL_status], "ok") != 0)
            continue;
        label_of(&rows[i], l, sizeof l);
        double b = cell_median(rows, n, l, base, HB_COL_wall_s), v = hb_row_num(&rows[i], HB_COL_wall_s, &ok);
        if (ok && !isnan(b) && b > 0 && v > 0)
            fprintf(f, "%zu %.5f\n", name_index(&allocs, rows[i].v[HB_COL_allocator]), v / b);
    }
    fclose(f);

    /* pauses.dat: collector index, max pause us, p99 pause us. */
    snprintf(path, sizeof path, "%s/pauses.dat", dir);
    f = fopen(path, "w");
    if (f == NULL)
        goto io;
    size_t npauses = 0;
    for (size_t i = 0; i < n; i++) {
        int ok1, ok2;
        if (!rows[i].v[HB_COL_collector][0] || strcmp(rows[i].v[HB_COL_status], "ok") != 0)
            continue;
        double mx = hb_row_num(&rows[i], HB_COL_gc_pause_max_us, &ok1);
        double p99 = hb_row_num(&rows[i], HB_COL_gc_pause_p99_us, &ok2);
        if (ok1 && ok2 && mx > 0) {
            fprintf(f, "%zu %.3f %.3f\n", name_index(&collectors, rows[i].v[HB_COL_collector]), mx,
                    p99 > 0 ? p99 : mx);
            npauses++;
        }
    }
    fclose(f);

    snprintf(path, sizeof path, "%s/plots.gp", dir);
    FILE *gp = fopen(path, "w");
    if (gp == NULL)
        goto io;
    fprintf(gp, "# heapbench plots of %s; run `gnuplot plots.gp` in this directory to redraw.\n", csv);
    distinct_colours(gp, allocs.n > 64 ? allocs.n : 64); /* allocators, and the timeline's lines */
    fprintf(gp, "set datafile missing 'NaN'\nset style data histograms\nset style histogram clustered gap 1\n"
                "set style fill solid 0.8 border -1\nset boxwidth 0.9\nset key outside right top\n"
                "set grid ytics\nset xtics rotate by -40 left noenhanced\nset key noenhanced\n");
    snprintf(body, sizeof body,
             "set logscale y 2\nset ylabel 'median wall time relative to %s (lower is better)'\n"
             "set title 'Time per workload, relative to %s' noenhanced\n"
             "plot for [i=2:%zu] 'time.dat' using i:xtic(1) title columnheader(i)",
             base, base, allocs.n + 1);
    /* Wide enough that every workload's bars and label stay readable. */
    size_t width = 300 + labels.n * (allocs.n * 7 + 16);
    if (width < 1400)
        width = 1400;
    sized_terminals(gp, "time", body, width);
    snprintf(body, sizeof body,
             "set logscale y 2\nset ylabel 'median peak RSS relative to %s (lower is better)'\n"
             "set title 'Peak resident set per workload, relative to %s' noenhanced\n"
             "plot for [i=2:%zu] 'rss.dat' using i:xtic(1) title columnheader(i)",
             base, base, allocs.n + 1);
    sized_terminals(gp, "rss", body, width);
    size_t used = (size_t)snprintf(body, sizeof body,
                                   "unset logscale\nset logscale y 2\nset style fill solid 0.4 border -1\n"
                                   "set style boxplot outliers pointtype 7\nset boxwidth 0.5\nunset key\n"
                                   "set ylabel 'run time / %s median of the same workload'\n"
                                   "set title 'Every run, relative to %s: distribution over runs and workloads' noenhanced\n"
                                   "set xtics (",
                                   base, base);
    for (size_t a = 0; a < allocs.n && used < sizeof body; a++)
        used += (size_t)snprintf(body + used, sizeof body - used, "%s'%s' %zu", a ? ", " : "", allocs.v[a], a);
    if (used < sizeof body)
        snprintf(body + used, sizeof body - used,
                 ")\nset xrange [-0.5:%zu.5]\nplot for [a=0:%zu] 'runs.dat' using (a):($1==a ? $2 : 1/0):(0.5) "
                 "with boxplot\nunset xrange\nset style data histograms\nset style fill solid 0.8 border -1\n"
                 "set boxwidth 0.9\nset key outside right top\nset xtics rotate by -40 left\n",
                 allocs.n - 1, allocs.n - 1);
    both_terminals(gp, "runs", body);
    if (npauses > 0) {
        used = (size_t)snprintf(body, sizeof body,
                                "set logscale y 10\nset style fill solid 0.4 border -1\nset boxwidth 0.35\n"
                                "set ylabel 'pause, microseconds'\nset title 'GC pauses per run: longest and "
                                "99th percentile'\nset key inside top left\nset xtics (");
        for (size_t c = 0; c < collectors.n && used < sizeof body; c++)
            used += (size_t)snprintf(body + used, sizeof body - used, "%s'%s' %zu", c ? ", " : "", collectors.v[c], c);
        if (used < sizeof body)
            snprintf(body + used, sizeof body - used,
                     ")\nset xrange [-0.5:%zu.5]\nplot for [c=0:%zu] 'pauses.dat' using (c-0.2):($1==c ? $2 : 1/0):(0.35) "
                     "with boxplot lc 1 title (c==0 ? 'max pause' : ''), for [c=0:%zu] '' using (c+0.2):($1==c ? $3 : 1/0):(0.35) "
                     "with boxplot lc 2 title (c==0 ? 'p99 pause' : '')\nunset xrange\n",
                     collectors.n - 1, collectors.n - 1, collectors.n - 1);
        both_terminals(gp, "pauses", body);
    }
    /* Thread scaling: a plot per allocator workload run at two or more thread
     * counts, median throughput against threads, a line per allocator. */
    names scal = {0};
    for (size_t i = 0; i < n; i++)
        if (rows[i].v[HB_COL_collector][0] == '\0')
            name_index(&scal, rows[i].v[HB_COL_workload]);
    for (size_t w = 0; w < scal.n; w++) {
        int th[64];
        size_t nth = 0;
        for (size_t i = 0; i < n; i++) {
            int t = atoi(rows[i].v[HB_COL_threads]);
            size_t k = 0;
            if (strcmp(rows[i].v[HB_COL_workload], scal.v[w]) != 0 || rows[i].v[HB_COL_collector][0])
                continue;
            while (k < nth && th[k] != t)
                k++;
            if (k == nth && nth < 64)
                th[nth++] = t;
        }
        if (nth < 2)
            continue;
        for (size_t a = 1; a < nth; a++) /* ascending */
            for (size_t b = a; b > 0 && th[b - 1] > th[b]; b--) {
                int x = th[b];
                th[b] = th[b - 1];
                th[b - 1] = x;
            }
        snprintf(path, sizeof path, "%s/scaling-%s.dat", dir, scal.v[w]);
        FILE *f = fopen(path, "w");
        if (f == NULL)
            goto io;
        fprintf(f, "threads");
        for (size_t a = 0; a < allocs.n; a++)
            fprintf(f, " %s", allocs.v[a]);
        fprintf(f, "\n");
        for (size_t k = 0; k < nth; k++) {
            char lab[2 * HB_FIELD_MAX], tt[16];
            snprintf(tt, sizeof tt, "%d", th[k]);
            hb_row probe;
            hb_row_clear(&probe);
            hb_row_set(&probe, HB_COL_workload, "%s", scal.v[w]);
            hb_row_set(&probe, HB_COL_threads, "%s", tt);
            label_of(&probe, lab, sizeof lab);
            fprintf(f, "%d", th[k]);
            for (size_t a = 0; a < allocs.n; a++) {
                double m = cell_median(rows, n, lab, allocs.v[a], HB_COL_ops_per_s);
                if (isnan(m))
                    fprintf(f, " NaN");
                else
                    fprintf(f, " %.6g", m / 1e6);
            }
            fprintf(f, "\n");
        }
        if (fclose(f) != 0)
            goto io;
        char name[256], xt[512] = "";
        size_t xu = 0;
        snprintf(name, sizeof name, "scaling-%s", scal.v[w]);
        for (size_t k = 0; k < nth && xu < sizeof xt; k++)
            xu += (size_t)snprintf(xt + xu, sizeof xt - xu, "%s%d", k ? ", " : "", th[k]);
        snprintf(body, sizeof body,
                 "unset logscale\nset logscale x 2\nset style data linespoints\nset xtics (%s) norotate\n"
                 "set xlabel 'threads (log scale)'\n"
                 "set ylabel 'throughput, million operations per second (higher is better)'\n"
                 "set title 'Thread scaling: %s'\nset key outside right top noenhanced\nset yrange [0:*]\n"
                 "plot for [c=2:%zu] '%s.dat' using 1:c lw 2 pt 7 title columnhead(c)\n"
                 "set yrange [*:*]\nunset xlabel\nunset logscale\nset xtics autofreq\n",
                 xt, scal.v[w], allocs.n + 1, name);
        both_terminals(gp, name, body);
    }
    names_free(&scal);
    /* Timelines beside the CSV: memory over time. */
    DIR *d = opendir(dir);
    names tls = {0};
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, "timeline-", 9) == 0 && strstr(e->d_name, ".csv") != NULL)
                name_index(&tls, e->d_name);
        closedir(d);
    }
    if (tls.n > 0) {
        used = (size_t)snprintf(body, sizeof body,
                                "unset logscale\nset logscale y 2\nset style data lines\nset datafile separator ','\n"
                                "set xtics autofreq norotate\nset xlabel 'seconds'\n"
                                "set ylabel 'resident set, MiB (log scale: every allocator legible beside bump)'\n"
                                "set title 'Memory over time'\nset key outside right top noenhanced\nplot ");
        for (size_t i = 0; i < tls.n && used < sizeof body; i++) {
            char t[256];
            snprintf(t, sizeof t, "%s", tls.v[i] + 9);
            char *dot = strstr(t, ".csv");
            if (dot)
                *dot = '\0';
            used += (size_t)snprintf(body + used, sizeof body - used,
                                     "%s'%s' using 1:($2/1024) every ::1 with lines lw 2 lt %zu title '%s'",
                                     i ? ", " : "", tls.v[i], i + 1, t); /* each its own colour */
        }
        if (used < sizeof body)
            snprintf(body + used, sizeof body - used, "\nset datafile separator whitespace\nunset xlabel\n");
        both_terminals(gp, "timeline", body);
    }
    names_free(&tls);
    names wls = {0};
    for (size_t i = 0; i < n; i++)
        name_index(&wls, rows[i].v[HB_COL_workload]);
    hb_soak_plots(gp, dir, (const char *const *)wls.v, wls.n, log);
    names_free(&wls);
    fclose(gp);
    rc = run_gnuplot(dir, log);
    goto out;
io:
    fprintf(log, "heapbench: cannot write plot data in %s: %s\n", dir, strerror(errno));
out:
    names_free(&labels);
    names_free(&allocs);
    names_free(&collectors);
    free(rows);
    return rc;
}
