/*
 * cmd_merge.c: `heapbench merge -o DIR IN...` joins the results of sweep
 * shards (or any results files of one schema) into DIR/results.csv and
 * renders the plots and summary.md exactly as a sweep does; `heapbench
 * report DIR` renders them again from DIR/results.csv.
 *
 * Each IN is a results CSV or a directory holding results.csv.  Every file is
 * read by the strict reader (csvread.c: a file of another schema version is
 * refused with its line); a run that appears twice (the same workload,
 * allocator, collector, threads, params and run number) is refused with both
 * places; rows of another CPU model than the first row's are refused (the
 * matrix would compare machines, not allocators).  Nothing is written unless every input is good, and the output is
 * written beside and renamed into place, so DIR never holds half a merge.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "csvread.h"

static const char merge_usage[] =
    "usage: heapbench merge -o DIR IN...\n"
    "       heapbench merge --allow-mixed-hosts -o DIR IN...   (rows of several kinds of machine)\n"
    "       heapbench report DIR\n"
    "merge joins results files (IN: a results CSV, or a directory with results.csv, such as the\n"
    "DIR of each `heapbench sweep --shard K/N`) into DIR/results.csv, then renders the plots and\n"
    "summary.md as a sweep does.  A file of another schema version, or a run that appears twice\n"
    "(same workload, allocator, collector, threads, params and run), is refused: exit 2, the\n"
    "file and line, nothing written.  report renders the plots and summary.md of DIR again.\n"
    "  --allow-mixed-hosts  accept rows of different CPU models: DIR/by-host/K/ then gets each\n"
    "               machine's rows, plots and summary, so tables compare allocators within one\n"
    "               machine only, and DIR/summary.md lists them\n"
    "  --no-plots   do not render plots\n";

typedef struct input {
    char path[4096];
    hb_table t;
} input;

/* "w|a|c|t|p|run" of a row. */
static void run_key(const hb_row *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s|%s|%s|%s|%s|%s", r->v[HB_COL_workload], r->v[HB_COL_allocator], r->v[HB_COL_collector],
             r->v[HB_COL_threads], r->v[HB_COL_params], r->v[HB_COL_run]);
}

typedef struct seen {
    char *key;
    size_t in, row;
} seen;

static int cmp_seen(const void *a, const void *b)
{
    const seen *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c != 0)
        return c;
    return x->in != y->in ? (x->in < y->in ? -1 : 1) : (x->row < y->row ? -1 : x->row > y->row);
}

/* Plots and summary of DIR/results.csv. */
/* "host (cpu model)": the machine a row ran on. */
static void machine_of(const hb_row *r, char *buf, size_t len)
{
    snprintf(buf, len, "%.200s (%.200s)", r->v[HB_COL_host], r->v[HB_COL_cpu_model]);
}

/* Rows from several machines (--allow-mixed-hosts): DIR/by-host/K/ gets the
 * rows of machine K with its own plots, summary and page, so that tables
 * compare allocators within one machine only; DIR/summary.md says so. */
static int render_by_host(const char *dir, input *in, size_t nin, int plots)
{
    char machines[32][512], m[512], path[4096];
    size_t nm = 0;
    for (size_t i = 0; i < nin; i++)
        for (size_t r = 0; r < in[i].t.n; r++) {
            machine_of(&in[i].t.rows[r], m, sizeof m);
            size_t k = 0;
            while (k < nm && strcmp(machines[k], m) != 0)
                k++;
            if (k == nm) {
                if (nm == 32)
                    hb_usage_error("merge: rows from more than 32 machines");
                snprintf(machines[nm++], sizeof machines[0], "%s", m);
            }
        }
    snprintf(path, sizeof path, "%s/by-host", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        hb_usage_error("merge: cannot create %s: %s", path, strerror(errno));
    for (size_t k = 0; k < nm; k++) {
        char sub[4200], csv[4300];
        snprintf(sub, sizeof sub, "%s/by-host/%zu", dir, k + 1);
        if (mkdir(sub, 0755) != 0 && errno != EEXIST)
            hb_usage_error("merge: cannot create %s: %s", sub, strerror(errno));
        snprintf(csv, sizeof csv, "%s/results.csv", sub);
        unlink(csv);
        int fd = hb_open_results(csv);
        for (size_t i = 0; i < nin; i++)
            for (size_t r = 0; r < in[i].t.n; r++) {
                machine_of(&in[i].t.rows[r], m, sizeof m);
                if (strcmp(m, machines[k]) == 0 && hb_write_row(fd, csv, &in[i].t.rows[r]) != 0) {
                    close(fd);
                    return HB_EXIT_FAILED;
                }
            }
        close(fd);
        if (plots && hb_render_plots(csv, sub, stderr) != 0)
            fprintf(stderr, "heapbench: plots of %s not rendered (see above)\n", sub);
        hb_write_summary(hb_self_path(), csv, sub);
    }
    snprintf(path, sizeof path, "%s/summary.md", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        hb_usage_error("merge: cannot write %s: %s", path, strerror(errno));
    fprintf(f, "# heapbench merged results from %zu machines\n\n"
               "`results.csv` holds every row; the rows come from %zu kinds of machine, so tables here compare "
               "allocators within one machine only, one summary per machine:\n\n",
            nm, nm);
    for (size_t k = 0; k < nm; k++)
        fprintf(f, "- [by-host/%zu](by-host/%zu/summary.md): %s\n", k + 1, k + 1, machines[k]);
    fclose(f);
    hb_write_html(dir);
    return HB_EXIT_OK;
}

static int render(const char *dir, int plots)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (plots && hb_render_plots(path, dir, stderr) != 0)
        fprintf(stderr, "heapbench: plots not rendered (see above); the results are complete\n");
    hb_write_summary(hb_self_path(), path, dir);
    return HB_EXIT_OK;
}

int hb_cmd_report(int argc, char **argv)
{
    char path[4096], msg[1024];
    int plots = 1;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(merge_usage, stdout);
            return HB_EXIT_OK;
        } else if (strcmp(argv[i], "--no-plots") == 0) {
            plots = 0;
        } else if (argv[i][0] == '-') {
            hb_usage_error("report: unknown option '%s' (see heapbench report --help)", argv[i]);
        } else if (dir != NULL) {
            hb_usage_error("report: one directory only ('%s' and '%s')", dir, argv[i]);
        } else {
            dir = argv[i];
        }
    }
    if (dir == NULL)
        hb_usage_error("report: no directory given (heapbench report DIR)");
    hb_table t;
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (hb_csv_read_file(path, &t, msg, sizeof msg) != 0)
        hb_usage_error("report: %s", msg);
    hb_table_free(&t);
    return render(dir, plots);
}

/* The memory timelines (timeline-*.csv) beside each input go into DIR too,
 * so that the merged plots have the memory-over-time plot a sweep has; a
 * name already in DIR is kept.  0, or -1 after a message on stderr. */
static int copy_timelines(const char *dir, const input *in, size_t nin)
{
    for (size_t i = 0; i < nin; i++) {
        char from[4096];
        snprintf(from, sizeof from, "%s", in[i].path);
        char *slash = strrchr(from, '/');
        if (slash != NULL)
            *slash = '\0';
        else
            snprintf(from, sizeof from, ".");
        DIR *d = opendir(from);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name);
            if (strncmp(e->d_name, "timeline-", 9) != 0 || n < 13 || strcmp(e->d_name + n - 4, ".csv") != 0)
                continue;
            char src[8192], dst[8192], tmp[8300];
            snprintf(src, sizeof src, "%s/%s", from, e->d_name);
            snprintf(dst, sizeof dst, "%s/%s", dir, e->d_name);
            if (access(dst, F_OK) == 0)
                continue;
            snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, e->d_name);
            FILE *a = fopen(src, "r"), *b = a ? fopen(tmp, "w") : NULL;
            char buf[65536];
            size_t got;
            int bad = a == NULL || b == NULL;
            while (!bad && (got = fread(buf, 1, sizeof buf, a)) > 0)
                bad = fwrite(buf, 1, got, b) != got;
            bad |= a != NULL && ferror(a);
            if (a)
                fclose(a);
            if (b && fclose(b) != 0)
                bad = 1;
            if (bad || rename(tmp, dst) != 0) {
                fprintf(stderr, "heapbench: merge: cannot copy %s to %s: %s\n", src, dst, strerror(errno));
                unlink(tmp);
                closedir(d);
                return -1;
            }
        }
        if (d)
            closedir(d);
    }
    return 0;
}

int hb_cmd_merge(int argc, char **argv)
{
    const char *dir = NULL;
    int plots = 1, mixed_ok = 0;
    size_t nin = 0;
    char msg[1024];
    input *in = calloc((size_t)(argc > 1 ? argc : 1), sizeof *in);
    if (in == NULL)
        hb_usage_error("merge: out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(merge_usage, stdout);
            free(in);
            return HB_EXIT_OK;
        } else if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc)
                hb_usage_error("merge: -o needs a directory");
            dir = argv[++i];
        } else if (strcmp(a, "--no-plots") == 0) {
            plots = 0;
        } else if (strcmp(a, "--allow-mixed-hosts") == 0) {
            mixed_ok = 1;
        } else if (a[0] == '-') {
            hb_usage_error("merge: unknown option '%s' (see heapbench merge --help)", a);
        } else {
            struct stat st;
            if (stat(a, &st) != 0)
                hb_usage_error("merge: %s: %s", a, strerror(errno));
            snprintf(in[nin].path, sizeof in[nin].path, S_ISDIR(st.st_mode) ? "%s/results.csv" : "%s", a);
            nin++;
        }
    }
    if (dir == NULL)
        hb_usage_error("merge: no output directory given (-o DIR)");
    if (nin == 0)
        hb_usage_error("merge: no input given (heapbench merge -o DIR IN...)");
    for (size_t i = 0; i < nin; i++) /* the same file twice would double every run */
        for (size_t j = 0; j < i; j++) {
            char ri[PATH_MAX], rj[PATH_MAX];
            if (realpath(in[i].path, ri) != NULL && realpath(in[j].path, rj) != NULL && strcmp(ri, rj) == 0)
                hb_usage_error("merge: the same input was given twice: %s and %s (%s)", in[j].path, in[i].path, ri);
        }
    size_t total = 0;
    for (size_t i = 0; i < nin; i++) {
        if (hb_csv_read_file(in[i].path, &in[i].t, msg, sizeof msg) != 0)
            hb_usage_error("merge: %s", msg);
        total += in[i].t.n;
    }

    /* one CPU model: figures from different machines are not one matrix */
    const input *first = NULL;
    for (size_t i = 0; i < nin && first == NULL; i++)
        if (in[i].t.n > 0)
            first = &in[i];
    int mixed = 0;
    for (size_t i = 0; i < nin && first != NULL; i++)
        for (size_t r = 0; r < in[i].t.n; r++) {
            if (strcmp(in[i].t.rows[r].v[HB_COL_cpu_model], first->t.rows[0].v[HB_COL_cpu_model]) == 0)
                continue;
            mixed = 1;
            if (!mixed_ok)
                hb_usage_error("merge: %s: line %zu: CPU model '%s', but %s: line %zu has '%s' (merge the results of "
                               "one kind of machine, or give --allow-mixed-hosts)",
                               in[i].path, in[i].t.lines[r], in[i].t.rows[r].v[HB_COL_cpu_model], first->path,
                               first->t.lines[0], first->t.rows[0].v[HB_COL_cpu_model]);
        }

    /* every run once */
    seen *all = calloc(total ? total : 1, sizeof *all);
    if (all == NULL)
        hb_usage_error("merge: out of memory");
    size_t k = 0;
    for (size_t i = 0; i < nin; i++)
        for (size_t r = 0; r < in[i].t.n; r++) {
            char key[HB_NCOLS * 64];
            run_key(&in[i].t.rows[r], key, sizeof key);
            all[k].key = strdup(key);
            all[k].in = i;
            all[k++].row = r;
        }
    qsort(all, k, sizeof *all, cmp_seen);
    for (size_t j = 1; j < k; j++)
        if (strcmp(all[j].key, all[j - 1].key) == 0) {
            const seen *a = &all[j - 1], *b = &all[j];
            hb_usage_error("merge: %s: line %zu: run %s of %s on %s%s%s appears again in %s: line %zu",
                           in[b->in].path, in[b->in].t.lines[b->row], in[b->in].t.rows[b->row].v[HB_COL_run],
                           in[b->in].t.rows[b->row].v[HB_COL_workload], in[b->in].t.rows[b->row].v[HB_COL_allocator],
                           in[b->in].t.rows[b->row].v[HB_COL_collector][0] ? "/" : "",
                           in[b->in].t.rows[b->row].v[HB_COL_collector], in[a->in].path, in[a->in].t.lines[a->row]);
        }

    /* write beside, then rename into place */
    if (hb_mkdirs(dir) != 0) /* and its missing parents */
        hb_usage_error("merge: cannot create directory %s: %s", dir, strerror(errno));
    char out[4096], tmp[4200];
    struct stat st;
    snprintf(out, sizeof out, "%s/results.csv", dir);
    if (stat(out, &st) == 0 && st.st_size > 0)
        hb_usage_error("merge: %s already has results; choose another directory", out);
    snprintf(tmp, sizeof tmp, "%s/.results.csv.merging", dir);
    unlink(tmp);
    int fd = hb_open_results(tmp);
    for (size_t i = 0; i < nin; i++)
        for (size_t r = 0; r < in[i].t.n; r++)
            if (hb_write_row(fd, tmp, &in[i].t.rows[r]) != 0) {
                close(fd);
                unlink(tmp);
                return HB_EXIT_FAILED;
            }
    if (close(fd) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "heapbench: merge: cannot write %s: %s\n", out, strerror(errno));
        unlink(tmp);
        return HB_EXIT_FAILED;
    }
    fprintf(stderr, "merge: %zu runs from %zu file%s -> %s\n", k, nin, nin == 1 ? "" : "s", out);
    for (size_t j = 0; j < k; j++)
        free(all[j].key);
    free(all);
    if (copy_timelines(dir, in, nin) != 0)
        return HB_EXIT_FAILED;
    int rc = mixed ? render_by_host(dir, in, nin, plots) : render(dir, plots);
    for (size_t i = 0; i < nin; i++)
        hb_table_free(&in[i].t);
    free(in);
    return rc;
}
