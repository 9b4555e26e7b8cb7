/*
 * cmd_sweep.c: `heapbench sweep`: the matrix of allocators x collectors x
 * workloads x runs, into one results CSV in a directory, with plots.
 *
 * Allocator workloads run on every allocator chosen; collector workloads
 * under every collector chosen, each over every allocator chosen, except a
 * collector that owns its heap (boehm), which runs once, on the first
 * allocator.  Rows are appended and flushed one by one, so an interrupted
 * sweep keeps every completed row, and --resume skips the cells already in
 * the file.  Progress (cells done, time left) goes to stderr.  At the end it
 * renders the plots and writes summary.md, the headline tables.  Run 1 of each
 * cell of the first workload also writes a memory timeline beside the CSV.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "collector_glue.h"
#include "csvread.h"
#include "measure.h"
#include "launch.h"
#include "plot_soak.h"
#include "programs.h"
#include "spawn.h"
#include "stats.h"

#define MAX_ITEMS 64

/* The default matrices.  quick: a taste of each family that finishes in
 * under a minute on a 2-core machine; full: every workload. */
static const char *const quick_workloads[] = {"glibc-simple", "random-churn", "larson", "binary-trees", "cycle-pairs",
                                              NULL};
static const char *const quick_collectors[] = {"refcount", "generational", "incremental", "marksweep", "boehm", NULL};
static const char *const quick_gc_allocators[] = {"libc", "pooled", "mimalloc", NULL};
/* The full sweep runs collector workloads over the allocators that differ
 * most (the system one, ours, the two fastest anchors) and everything at
 * half the default size, so that it stays under 20 minutes on 2 cores;
 * -a and -p scale=1 give the whole matrix. */
static const char *const full_gc_allocators[] = {"libc", "pooled", "jemalloc", "mimalloc", NULL};
#define QUICK_SCALE 0.2
#define FULL_SCALE 0.5

static const char sweep_usage[] =
    "usage: heapbench sweep [--quick] [-a LIST] [-c LIST] [-w LIST] [-r RUNS] [-t THREADS] -o DIR\n"
    "Runs allocators x collectors x workloads x runs into DIR/results.csv (one row per run,\n"
    "each run in fresh child processes), then renders plots into DIR.\n"
    "  --quick          the small matrix (under a minute): " "glibc-simple, random-churn, larson,\n"
    "                   binary-trees, cycle-pairs at scale 0.2, one run\n"
    "  -a LIST          allocators (default: all; collector workloads: libc, pooled, jemalloc,\n"
    "                   mimalloc, quick: libc, pooled, mimalloc); -c LIST collectors (default: all)\n"
    "  -w LIST          workloads and real programs (default: all of both but the soaks, which run\n"
    "                   minutes each and only when named, such as -w service-soak; or the quick set);\n"
    "                   the groups allocator-workloads, collector-workloads and programs stand for\n"
    "                   their part of that default\n"
    "  -r RUNS          runs per cell (default 3; quick: 1), run 1 of every allocator of a workload\n"
    "                   first, then run 2 of every one, and so on; --runs auto[:MAX]: rounds of one run of\n"
    "                   every unsettled cell until the 95% CI of each median is within +-2%\n"
    "                   (at least 5 runs, at most MAX, default 30)\n"
    "  -t, --threads LIST  threads for threaded workloads, a count or a list (1,2,4,8: a cell each;\n"
    "                   default: the number of CPUs)\n"
    "  -p scale=X       size multiplier for every workload (default 0.5; quick: 0.2)\n"
    "  --measure WHAT   all (default), none, or count,latency,frag,instructions (see heapbench run --help)\n"
    "  --timeout S      per pass of a run (default 600, or 2 x duration + 300 for a soak)\n"
    "  --duration S     seconds each soak lasts (workloads with a duration parameter, such as\n"
    "                   service-soak; an error when no workload chosen has one)\n"
    "  --resume         keep DIR/results.csv and skip the cells it already has\n"
    "  --no-plots       do not render plots\n"
    "  --list           print the runs it would make, one line each (workload, allocator,\n"
    "                   collector, threads, params, run), in a stable order, and run nothing\n"
    "  --shard K/N      only shard K of N: the runs split by estimated cost, every run in exactly\n"
    "                   one shard, the same split wherever the same command runs (give -t, which\n"
    "                   otherwise follows the CPUs); heapbench merge joins the shards' DIRs\n"
    "  --costs FILE.csv estimate each run's cost from an earlier sweep's medians (default: alike);\n"
    "                   with --list, the estimated time of the runs listed, on stderr\n"
    "  --cpus LIST      pin every run to these CPUs (0,1 or 0-3)\n"
    "  --warmup N       N discarded runs of each cell before its first measured one (default 0)\n";

typedef struct list {
    const char *items[MAX_ITEMS];
    size_t n;
} list;

static int in_list(const list *l, const char *name);

/* The default matrix's workloads by group: the allocator workloads, the
 * collector workloads and the real programs, soaks left out (they run
 * minutes each: only when named).  -w takes the group names too. */
enum { GROUP_ALLOCATOR = 1, GROUP_COLLECTOR = 2, GROUP_PROGRAMS = 4, GROUP_ALL = 7 };

static unsigned group_of(const char *name)
{
    return strcmp(name, "allocator-workloads") == 0   ? GROUP_ALLOCATOR
           : strcmp(name, "collector-workloads") == 0 ? GROUP_COLLECTOR
           : strcmp(name, "programs") == 0            ? GROUP_PROGRAMS
                                                      : 0;
}

static void add_once(list *l, const char *name)
{
    if (in_list(l, name))
        return;
    if (l->n == MAX_ITEMS)
        hb_usage_error("too many workloads (at most %d)", MAX_ITEMS);
    l->items[l->n++] = name;
}

static void default_workloads(list *l, unsigned groups)
{
    for (size_t i = 0; i < hb_workload_count(); i++) {
        const hb_workload_ops *w = hb_workload_at(i);
        unsigned g = (w->flags & HB_WL_COLLECTOR) ? GROUP_COLLECTOR : GROUP_ALLOCATOR;
        if (w->phases == NULL && (groups & g))
            add_once(l, w->name);
    }
    for (size_t i = 0; i < hb_program_count(); i++)
        if (hb_program_at(i)->w.phases == NULL && (groups & GROUP_PROGRAMS)) /* redis-soak, memcached-soak: named only */
            add_once(l, hb_program_at(i)->w.name);
}

static void split(list *l, char *text)
{
    l->n = 0;
    for (char *save = NULL, *t = strtok_r(text, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (l->n == MAX_ITEMS)
            hb_usage_error("too many names in a list (at most %d)", MAX_ITEMS);
        l->items[l->n++] = t;
    }
}

static void from_array(list *l, const char *const *a)
{
    l->n = 0;
    for (; *a && l->n < MAX_ITEMS; a++)
        l->items[l->n++] = *a;
}

static int in_list(const list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], name) == 0)
            return 1;
    return 0;
}

/* Keys of the runs already in a results file (for --resume). */
typedef struct done_set {
    char **keys;
    size_t n, cap;
} done_set;

static void row_key(const hb_row *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s|%s|%s|%s|%s|%s", r->v[HB_COL_workload], r->v[HB_COL_allocator], r->v[HB_COL_collector],
             r->v[HB_COL_threads], r->v[HB_COL_params], r->v[HB_COL_run]);
}

static void load_done(done_set *d, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[HB_NCOLS * HB_FIELD_MAX], key[HB_NCOLS * 64];
    char *fields[HB_NCOLS + 1];
    if (f == NULL)
        return;
    for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
            break; /* an incomplete last line: not a completed run */
        line[len - 1] = '\0';
        if (lineno == 1)
            continue;
        if (hb_csv_split(line, fields, HB_NCOLS) != HB_NCOLS)
            continue;
        hb_row r;
        hb_row_clear(&r);
        for (int i = 0; i < HB_NCOLS; i++)
            snprintf(r.v[i], HB_FIELD_MAX, "%s", fields[i]);
        row_key(&r, key, sizeof key);
        if (d->n == d->cap) {
            d->cap = d->cap ? 2 * d->cap : 256;
            d->keys = realloc(d->keys, d->cap * sizeof *d->keys);
            if (d->keys == NULL)
                hb_usage_error("out of memory reading %s", path);
        }
        d->keys[d->n++] = strdup(key);
    }
    fclose(f);
}

static int is_done(const done_set *d, const hb_row *r)
{
    char key[HB_NCOLS * 64];
    row_key(r, key, sizeof key);
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->keys[i], key) == 0)
            return 1;
    return 0;
}

typedef struct cell {
    hb_spec spec;
    size_t group; /* cells that differ only by allocator share a group (one workload, collector, thread count) */
} cell;

static void fmt_duration(char *buf, size_t len, double s)
{
    if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else
        snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

/* DIR/summary.md: the headline tables (time and peak RSS of every allocator
 * relative to libc, per workload), made by `heapbench compare`. */
void hb_write_summary(const char *self, const char *csv, const char *dir) { hb_write_summary_note(self, csv, dir, NULL); }

void hb_write_summary_note(const char *self, const char *csv, const char *dir, const char *note)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "heapbench: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    fprintf(f, "# heapbench sweep summary\n\nFrom `%s` (median of ok runs per cell; generated by "
               "`heapbench compare %s --baseline-allocator libc --no-verdict --markdown`).\n\n",
            csv, csv);
    if (note != NULL)
        fprintf(f, "%s\n\n", note);
    fflush(f);
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(fileno(f), 1) < 0)
            _exit(127);
        execl(self, "heapbench", "compare", csv, "--baseline-allocator", "libc", "--no-verdict", "--markdown", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid > 0)
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    hb_soak_summary(f, csv);
    fclose(f);
    if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "heapbench: %s is incomplete (compare failed)\n", path);
    hb_write_html(dir);
}

/* ---- shards ----------------------------------------------------------------- */

#define RUN_OVERHEAD_S 0.25

/* Estimated seconds of one run of each cell: the median wall_s of that cell
 * (workload, allocator, collector, params) in a results file of an earlier
 * sweep, else the mean of the cells found there, else 1 (every run alike).
 * Same inputs, same estimates, on every machine.  Returns how many cells
 * were found. */
static size_t estimate_costs(const cell *cells, size_t ncells, const char *costs_csv, double *cost)
{
    hb_table t;
    char msg[1024];
    if (costs_csv == NULL) {
        for (size_t i = 0; i < ncells; i++)
            cost[i] = 1;
        return 0;
    }
    if (hb_csv_read_file(costs_csv, &t, msg, sizeof msg) != 0)
        hb_usage_error("--costs: %s", msg);
    double sum = 0, *v = calloc(t.n ? t.n : 1, sizeof *v);
    size_t known = 0;
    if (v == NULL)
        hb_usage_error("out of memory");
    for (size_t i = 0; i < ncells; i++) {
        hb_row id;
        size_t k = 0;
        hb_row_identity(&id, &cells[i].spec, 1);
        cost[i] = -1;
        for (size_t r = 0; r < t.n; r++) {
            const hb_row *x = &t.rows[r];
            int ok;
            double w = hb_row_num(x, HB_COL_wall_s, &ok);
            if (ok && strcmp(x->v[HB_COL_status], "ok") == 0 && strcmp(x->v[HB_COL_workload], id.v[HB_COL_workload]) == 0 &&
                strcmp(x->v[HB_COL_allocator], id.v[HB_COL_allocator]) == 0 &&
                strcmp(x->v[HB_COL_collector], id.v[HB_COL_collector]) == 0 &&
                strcmp(x->v[HB_COL_params], id.v[HB_COL_params]) == 0)
                v[k++] = w;
        }
        if (k) {
            /* wall_s is the workload phase of the clean pass; a run is also
             * the instrumented pass (about as long) and two fresh processes
             * (0.25 s measured here, quick sweep split in two) */
            cost[i] = hb_median(v, k) * (cells[i].spec.measure ? 2 : 1) + RUN_OVERHEAD_S;
            sum += cost[i];
            known++;
        }
    }
    for (size_t i = 0; i < ncells; i++)
        if (cost[i] < 0)
            cost[i] = known ? sum / (double)known : 1;
    free(v);
    hb_table_free(&t);
    return known;
}

/* Marks in `mine` the runs (in sweep order) that fall to shard k of n:
 * costliest run first, each to the shard with the least work so far (the
 * lowest-numbered on a tie), so that every run is in exactly one shard and
 * the shards' estimated work differs by at most one run's. */
static void assign_shard(const double *run_cost, size_t nruns, unsigned k, unsigned n, char *mine)
{
    size_t *order = malloc((nruns ? nruns : 1) * sizeof *order);
    double *load = calloc(n, sizeof *load);
    if (order == NULL || load == NULL)
        hb_usage_error("out of memory");
    for (size_t i = 0; i < nruns; i++)
        order[i] = i;
    for (size_t i = 1; i < nruns; i++) { /* stable insertion sort, costliest first */
        size_t x = order[i], j = i;
        while (j > 0 && run_cost[order[j - 1]] < run_cost[x]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    for (size_t i = 0; i < nruns; i++) {
        unsigned best = 0;
        for (unsigned s = 1; s < n; s++)
            if (load[s] < load[best])
                best = s;
        load[best] += run_cost[order[i]];
        mine[order[i]] = best + 1 == k;
    }
    free(order);
    free(load);
}

/* ---- how busy the machine was ------------------------------------------------- */

/* Steal and total jiffies of all CPUs, from /proc/stat (0 when unreadable). */
static void cpu_jiffies(unsigned long long *steal, unsigned long long *total)
{
    unsigned long long v[10] = {0};
    *steal = *total = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &v[6], &v[7], &v[8], &v[9]) >= 8) {
        for (int i = 0; i < 8; i++) /* guest times are inside user and nice already */
            *total += v[i];
        *steal = v[7];
    }
    fclose(f);
}

static double loadavg1(void)
{
    double l = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = 0;
        fclose(f);
    }
    return l;
}

enum { OPT_QUICK = 400, OPT_DURATION, OPT_MEASURE, OPT_TIMEOUT, OPT_RESUME, OPT_NO_PLOTS, OPT_LIST, OPT_SHARD, OPT_COSTS, OPT_CPUS,
       OPT_WARMUP, OPT_RUNS };

/* --runs auto: a cell is done when the 95% confidence interval of its median
 * wall_s is within +-2% of the median (order statistics: the interval is
 * [x(k), x(n-1-k)] with k = floor((n - 1.96 sqrt(n)) / 2), no assumption on
 * the distribution), after at least AUTO_MIN_RUNS runs, or at the maximum. */
#define AUTO_MIN_RUNS 5
#define AUTO_HALF_WIDTH 0.02

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int median_settled(const double *w, size_t n)
{
    double s[1024];
    if (n < AUTO_MIN_RUNS || n > 1024)
        return n > 1024;
    memcpy(s, w, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double kf = floor(((double)n - 1.96 * sqrt((double)n)) / 2);
    if (kf < 0)
        return 0;
    size_t k = (size_t)kf;
    double med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return med > 0 && (s[n - 1 - k] - s[k]) / 2 <= AUTO_HALF_WIDTH * med;
}

int hb_cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},         {"quick", no_argument, NULL, OPT_QUICK},
        {"measure", required_argument, NULL, OPT_MEASURE}, {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"resume", no_argument, NULL, OPT_RESUME}, {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
        {"list", no_argument, NULL, OPT_LIST},     {"shard", required_argument, NULL, OPT_SHARD},
        {"costs", required_argument, NULL, OPT_COSTS},   {"cpus", required_argument, NULL, OPT_CPUS},
        {"warmup", required_argument, NULL, OPT_WARMUP}, {"runs", required_argument, NULL, OPT_RUNS},
        {"threads", required_argument, NULL, 't'}, {"duration", required_argument, NULL, OPT_DURATION},
        {NULL, 0, NULL, 0},
    };
    char *alist = NULL, *clist = NULL, *wlist = NULL;
    const char *dir = NULL, *measure = NULL, *scale = NULL, *costs_csv = NULL, *duration = NULL;
    int timeout_given = 0;
    unsigned runs = 0, timeout = 600, shard_k = 0, shard_n = 0, warmup = 0, auto_max = 0;
    int tlist[HB_MAX_THREAD_LIST];
    size_t ntl = 0;
    int quick = 0, resume = 0, plots = 1, listing = 0, c;
    char names[1024];

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:a:c:w:r:t:o:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': alist = optarg; break;
        case 'c': clist = optarg; break;
        case 'w': wlist = optarg; break;
        case 'r':
        case OPT_RUNS:
            if (strncmp(optarg, "auto", 4) == 0 && (optarg[4] == '\0' || optarg[4] == ':')) {
                auto_max = optarg[4] ? (unsigned)hb_parse_ulong("--runs auto:MAX", optarg + 5, AUTO_MIN_RUNS, 1000) : 30;
                runs = 1;
            } else {
                runs = (unsigned)hb_parse_ulong("-r", optarg, 1, 1000);
                auto_max = 0;
            }
            break;
        case 't': ntl = hb_parse_threads("-t", optarg, tlist, HB_MAX_THREAD_LIST); break;
        case 'o': dir = optarg; break;
        case 'p':
            if (strncmp(optarg, "scale=", 6) != 0)
                hb_usage_error("sweep takes only -p scale=X (workload parameters differ; use run for them)");
            scale = optarg;
            break;
        case 'h': fputs(sweep_usage, stdout); return HB_EXIT_OK;
        case OPT_QUICK: quick = 1; break;
        case OPT_MEASURE: measure = optarg; break;
        case OPT_TIMEOUT:
            timeout = (unsigned)hb_parse_ulong("--timeout", optarg, 0, 86400);
            timeout_given = 1;
            break;
        case OPT_DURATION: duration = optarg; break;
        case OPT_RESUME: resume = 1; break;
        case OPT_NO_PLOTS: plots = 0; break;
        case OPT_LIST: listing = 1; break;
        case OPT_COSTS: costs_csv = optarg; break;
        case OPT_CPUS: hb_parse_cpus(optarg); break;
        case OPT_WARMUP: warmup = (unsigned)hb_parse_ulong("--warmup", optarg, 0, 100); break;
        case OPT_SHARD: {
            char *slash = strchr(optarg, '/');
            if (slash == NULL)
                hb_usage_error("--shard %s: expected K/N, shard K of N (1 <= K <= N)", optarg);
            *slash = '\0';
            shard_n = (unsigned)hb_parse_ulong("--shard N", slash + 1, 1, 10000);
            shard_k = (unsigned)hb_parse_ulong("--shard K", optarg, 1, shard_n);
            break;
        }
        case ':': hb_usage_error("option %s needs a value (see heapbench sweep --help)", argv[optind - 1]);
        default: hb_usage_error("unknown option '%s' (see heapbench sweep --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        hb_usage_error("unexpected argument '%s' (see heapbench sweep --help)", argv[optind]);
    if (dir == NULL && !listing)
        hb_usage_error("no output directory given (-o DIR)");
    if (auto_max && (listing || shard_n || resume))
        hb_usage_error("--runs auto decides the number of runs as it goes: it cannot be listed, sharded or resumed");
    if (runs == 0)
        runs = quick ? 1 : 3;
    if (ntl == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        tlist[ntl++] = n > 1 ? (int)n : 2;
    }

    /* The lists, validated before anything runs. */
    list allocs, collectors, workloads, gc_allocs;
    const hb_allocator_ops *aops[MAX_ITEMS];
    size_t naops;
    if (alist) {
        naops = hb_parse_allocators(alist, aops, MAX_ITEMS);
    } else {
        naops = hb_parse_allocators("all", aops, MAX_ITEMS);
    }
    allocs.n = 0;
    for (size_t i = 0; i < naops; i++)
        allocs.items[allocs.n++] = aops[i]->name;
    if (clist) {
        split(&collectors, clist);
        for (size_t i = 0; i < collectors.n; i++)
            if (!hb_gc_glue_known(collectors.items[i]))
                hb_usage_error("unknown collector '%s' (valid: %s)", collectors.items[i],
                               hb_gc_glue_names(names, sizeof names));
    } else if (quick) {
        list q;
        from_array(&q, quick_collectors);
        collectors.n = 0;
        for (size_t i = 0; i < q.n; i++)
            if (hb_gc_glue_known(q.items[i]))
                collectors.items[collectors.n++] = q.items[i];
    } else {
        char buf[512];
        static char all[512];
        snprintf(all, sizeof all, "%s", hb_gc_glue_names(buf, sizeof buf));
        char *p = all;
        collectors.n = 0;
        for (char *save = NULL, *t = strtok_r(p, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
            collectors.items[collectors.n++] = t;
    }
    if (wlist) {
        list named;
        split(&named, wlist);
        workloads.n = 0;
        for (size_t i = 0; i < named.n; i++) { /* a group stands for its default members */
            unsigned g = group_of(named.items[i]);
            if (g == 0)
                add_once(&workloads, named.items[i]);
            else
                default_workloads(&workloads, g);
        }
    } else if (quick) {
        from_array(&workloads, quick_workloads);
    } else {
        workloads.n = 0;
        default_workloads(&workloads, GROUP_ALL);
    }
    for (size_t i = 0; i < workloads.n; i++)
        if (hb_find_workload(workloads.items[i]) == NULL) {
            char progs[512];
            hb_usage_error("unknown workload '%s' (valid: %s; programs: %s; groups: allocator-workloads, "
                           "collector-workloads, programs)",
                           workloads.items[i],
                           hb_workload_names(names, sizeof names), hb_program_names(progs, sizeof progs));
        }
    /* Without -a, collector workloads run over a few allocators only. */
    if (!alist) {
        from_array(&gc_allocs, quick ? quick_gc_allocators : full_gc_allocators);
        size_t k = 0;
        for (size_t i = 0; i < gc_allocs.n; i++)
            if (in_list(&allocs, gc_allocs.items[i]))
                gc_allocs.items[k++] = gc_allocs.items[i];
        gc_allocs.n = k;
    } else {
        gc_allocs = allocs;
    }

    /* The cells. */
    hb_spec proto;
    size_t ncells = 0, cap = 256;
    cell *cells = malloc(cap * sizeof *cells);
    if (cells == NULL)
        hb_usage_error("out of memory");
    size_t ngroups = 0;
    for (size_t wi = 0; wi < workloads.n; wi++) {
        const hb_workload_ops *w = hb_find_workload(workloads.items[wi]);
        hb_spec_init(&proto, w);
        proto.scale = quick ? QUICK_SCALE : FULL_SCALE;
        if (scale)
            hb_parse_param(&proto, scale);
        int gc = (w->flags & HB_WL_COLLECTOR) != 0;
        size_t nc = gc ? collectors.n : 1, nt = (w->flags & HB_WL_THREADED) ? ntl : 1;
        for (size_t ci = 0; ci < nc * nt; ci++) { /* each collector, and each thread count of a threaded workload */
            proto.threads = (w->flags & HB_WL_THREADED) ? tlist[ci % nt] : 1;
            const list *al = gc ? &gc_allocs : &allocs;
            int own_heap = gc && hb_gc_glue_owns_heap(collectors.items[ci / nt]);
            ngroups++;
            for (size_t ai = 0; ai < al->n && (!own_heap || ai == 0); ai++) {
                if ((w->flags & HB_WL_PROGRAM) && !hb_launch_possible(hb_allocator_find(al->items[ai])))
                    continue; /* a real program needs a library to preload (bump has none) */
                if (ncells == cap) {
                    cap *= 2;
                    cells = realloc(cells, cap * sizeof *cells);
                    if (cells == NULL)
                        hb_usage_error("out of memory");
                }
                cell *ce = &cells[ncells++];
                ce->spec = proto;
                if (duration && hb_workload_param_index(w, "duration") >= 0)
                    hb_apply_duration(&ce->spec, duration);
                ce->spec.allocator = hb_allocator_find(al->items[ai]);
                ce->spec.collector = gc ? collectors.items[ci / nt] : NULL;
                ce->group = ngroups - 1;
            }
        }
    }
    if (duration) {
        int any = 0;
        for (size_t wi = 0; wi < workloads.n; wi++)
            any |= hb_workload_param_index(hb_find_workload(workloads.items[wi]), "duration") >= 0;
        if (!any)
            hb_usage_error("--duration: none of the workloads chosen has a duration (soaks such as service-soak do)");
    }
    if (measure) {
        unsigned m = hb_parse_measure(measure);
        for (size_t i = 0; i < ncells; i++)
            cells[i].spec.measure = m;
    }

    /* The runs in sweep order (cell by cell, run by run): --list prints
     * them; --shard K/N keeps shard K's. */
    size_t nruns = ncells * runs;
    char *mine = malloc(nruns ? nruns : 1);
    double *run_cost = malloc((nruns ? nruns : 1) * sizeof *run_cost), *cell_cost = malloc((ncells ? ncells : 1) * sizeof *cell_cost);
    if (mine == NULL || run_cost == NULL || cell_cost == NULL)
        hb_usage_error("out of memory");
    memset(mine, 1, nruns ? nruns : 1);
    size_t costs_known = 0;
    if (shard_n > 0 || (listing && costs_csv)) {
        costs_known = estimate_costs(cells, ncells, costs_csv, cell_cost);
        for (size_t i = 0; i < nruns; i++)
            run_cost[i] = cell_cost[i / runs];
        if (shard_n > 0)
            assign_shard(run_cost, nruns, shard_k, shard_n, mine);
    }
    if (listing) { /* workload, allocator, collector, threads, params, run: the identity of each run */
        for (size_t i = 0; i < nruns; i++) {
            hb_row id;
            if (!mine[i])
                continue;
            hb_row_identity(&id, &cells[i / runs].spec, (unsigned)(i % runs) + 1);
            printf("%s\t%s\t%s\t%s\t%s\t%s\n", id.v[HB_COL_workload], id.v[HB_COL_allocator],
                   id.v[HB_COL_collector][0] ? id.v[HB_COL_collector] : "-", id.v[HB_COL_threads], id.v[HB_COL_params],
                   id.v[HB_COL_run]);
        }
        if (costs_csv) { /* how long the listed runs should take, on stderr so the list stays a list */
            double sum = 0;
            size_t n = 0;
            for (size_t i = 0; i < nruns; i++)
                if (mine[i]) {
                    sum += cell_cost[i / runs];
                    n++;
                }
            fprintf(stderr, "heapbench: sweep: %zu runs, estimated %.0f min (%zu of %zu cells found in %s, the "
                            "others at their mean)\n",
                    n, sum / 60, costs_known, ncells, costs_csv);
        }
        free(mine);
        free(run_cost);
        free(cell_cost);
        free(cells);
        return HB_EXIT_OK;
    }

    if (hb_mkdirs(dir) != 0) /* and its missing parents */
        hb_usage_error("cannot create directory %s: %s", dir, strerror(errno));
    char path[4096];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    struct stat st;
    if (!resume && stat(path, &st) == 0 && st.st_size > 0)
        hb_usage_error("%s already has results; use --resume to continue it, or choose another directory", path);
    done_set done = {0};
    if (resume)
        load_done(&done, path);
    int fd = hb_open_results(path);

    const char *self = hb_self_path();
    size_t total = 0, finished = 0, skipped = 0, failed = 0;
    for (size_t i = 0; i < nruns; i++)
        total += mine[i] != 0;
    uint64_t t0 = hb_now_ns();
    unsigned long long steal0, total0, steal1, total1;
    double load_max = loadavg1();
    cpu_jiffies(&steal0, &total0);
    int tty = isatty(2);
    char message[512], left[32], spent[32];
    hb_spawn_progress_tty = tty;
    hb_spawn_install_sigint();
    /* The schedule: with a fixed count, this shard's runs group by group
     * (the cells of one workload, collector and thread count), and within a
     * group run 1 of every allocator, then run 2 of every allocator, and so
     * on: a burst of noise on the machine then slows one run of several
     * allocators, not most of one allocator's runs (in a sweep that ran each
     * allocator's runs back to back, lua and sqlite had two of three runs of
     * one allocator 40-70% slower, and so its median).  With --runs auto,
     * rounds of one run of every cell not yet settled (so drift hits every
     * cell alike), until all are or the maximum is reached.  --list prints
     * the runs cell by cell whatever the order they run in. */
    size_t *sch = malloc((nruns > ncells ? nruns : ncells) * sizeof *sch + 1);
    double *walls = auto_max ? calloc(ncells * auto_max, sizeof *walls) : NULL;
    size_t *nwall = auto_max ? calloc(ncells, sizeof *nwall) : NULL;
    char *settled = auto_max ? calloc(ncells, 1) : NULL;
    if (sch == NULL || (auto_max && (walls == NULL || nwall == NULL || settled == NULL)))
        hb_usage_error("out of memory");
    if (auto_max)
        total = ncells * auto_max; /* at most */
    for (unsigned round = 1; !hb_interrupted; round++) {
        size_t ns = 0;
        if (!auto_max) {
            for (size_t g0 = 0; g0 < ncells;) { /* cells [g0, g1) form one group: consecutive */
                size_t g1 = g0 + 1;
                while (g1 < ncells && cells[g1].group == cells[g0].group)
                    g1++;
                for (size_t r = 0; r < runs; r++)
                    for (size_t i = g0; i < g1; i++)
                        if (mine[i * runs + r])
                            sch[ns++] = i * runs + r;
                g0 = g1;
            }
        } else if (round <= auto_max) {
            for (size_t i = 0; i < ncells; i++)
                if (!settled[i])
                    sch[ns++] = i * runs; /* runs == 1: the index is the cell's */
        }
        if (ns == 0)
            break;
        for (size_t q = 0; q < ns && !hb_interrupted; q++) {
            size_t i = sch[q] / runs;
            unsigned r = auto_max ? round : (unsigned)(sch[q] % runs) + 1;
            hb_row row;
            hb_row_identity(&row, &cells[i].spec, r);
            finished++;
            if (is_done(&done, &row)) {
                skipped++;
                continue;
            }
            double el = (double)(hb_now_ns() - t0) / 1e9;
            size_t ran = finished - 1 - skipped, remaining = total - finished + 1;
            fmt_duration(spent, sizeof spent, el);
            if (ran > 0)
                fmt_duration(left, sizeof left, el / (double)ran * (double)remaining);
            else
                snprintf(left, sizeof left, "?");
            fprintf(stderr, "%s[%zu/%zu] %s %s%s%s run %u  (%s spent, about %s left)%s", tty ? "\r\033[K" : "",
                    finished, total, cells[i].spec.workload->name, cells[i].spec.allocator->name,
                    cells[i].spec.collector ? "/" : "", cells[i].spec.collector ? cells[i].spec.collector : "", r,
                    spent, left, tty ? "" : "\n");
            snprintf(hb_spawn_progress, sizeof hb_spawn_progress, "[%zu/%zu] %s %s%s%s run %u", finished, total,
                     cells[i].spec.workload->name, cells[i].spec.allocator->name, cells[i].spec.collector ? "/" : "",
                     cells[i].spec.collector ? cells[i].spec.collector : "", r);
            /* Run 1 of each cell of the first workload, and of every soak (a
             * workload with phases), records memory over time; a soak's run 1
             * also its latency percentile curve (docs/soak.md). */
            char tlpath[4096], latpath[4096];
            hb_spec spec = cells[i].spec;
            int phased = spec.workload->phases != NULL;
            if (r == 1 && ((spec.workload == cells[0].spec.workload && spec.measure != 0) || phased)) {
                snprintf(tlpath, sizeof tlpath, "%s/timeline-%s-%s%s%s.csv", dir, spec.workload->name,
                         spec.allocator->name, spec.collector ? "-" : "", spec.collector ? spec.collector : "");
                spec.timeline = tlpath;
                if (phased) /* a soak's timeline: 100 ms, as its figures (10 ms would be 10 times the file) */
                    spec.timeline_ms = 100;
            }
            if (r == 1 && phased && (spec.measure & HB_MEASURE_LATENCY)) {
                snprintf(latpath, sizeof latpath, "%s/latency-%s-%s.csv", dir, spec.workload->name,
                         spec.allocator->name);
                spec.latfile = latpath;
            }
            if (!timeout_given)
                timeout = hb_default_timeout(&spec, 600);
            /* warm-up runs of the cell, discarded, before its first run here */
            int first_here = 1;
            for (unsigned q2 = 1; q2 < r && !auto_max; q2++)
                first_here &= !mine[i * runs + q2 - 1];
            first_here &= !auto_max || r == 1;
            for (unsigned w = 0; first_here && w < warmup && !hb_interrupted; w++) {
                hb_row scratch;
                hb_spec ws = cells[i].spec;
                hb_row_identity(&scratch, &ws, 0);
                hb_spawn_cell(self, &ws, timeout, &scratch, message, sizeof message);
            }
            hb_spawn_cell(self, &spec, timeout, &row, message, sizeof message);
            double l = loadavg1();
            load_max = l > load_max ? l : load_max;
            if (strcmp(row.v[HB_COL_status], "ok") != 0) {
                failed += strcmp(row.v[HB_COL_status], "skip") != 0; /* a program not installed fails nothing */
                fprintf(stderr, "%sheapbench: %s on %s%s%s, run %u: %s%s%s\n", tty ? "\r\033[K" : "",
                        cells[i].spec.workload->name, cells[i].spec.allocator->name, cells[i].spec.collector ? "/" : "",
                        cells[i].spec.collector ? cells[i].spec.collector : "", r, row.v[HB_COL_status],
                        message[0] ? ": " : "", message);
            }
            if (hb_write_row(fd, path, &row) != 0) {
                close(fd);
                return HB_EXIT_FAILED;
            }
            if (auto_max) {
                int ok;
                double w = hb_row_num(&row, HB_COL_wall_s, &ok);
                if (ok && strcmp(row.v[HB_COL_status], "ok") == 0)
                    walls[i * auto_max + nwall[i]++] = w;
                else
                    settled[i] = 1; /* a run that fails gives no median to settle */
            }
        }
        if (!auto_max)
            break;
        for (size_t i = 0; i < ncells; i++)
            if (!settled[i] && median_settled(&walls[i * auto_max], nwall[i]))
                settled[i] = 1;
    }
    free(sch);
    free(walls);
    free(nwall);
    free(settled);
    close(fd);
    fmt_duration(spent, sizeof spent, (double)(hb_now_ns() - t0) / 1e9);
    fprintf(stderr, "%ssweep: %zu runs in %s (%zu already done, %zu not ok) -> %s\n", tty ? "\r\033[K" : "",
            finished - skipped, spent, skipped, failed, path);
    for (size_t i = 0; i < done.n; i++)
        free(done.keys[i]);
    free(done.keys);
    free(cells);
    free(mine);
    free(run_cost);
    free(cell_cost);
    if (hb_interrupted)
        return HB_EXIT_INTERRUPTED;
    if (plots) {
        int prc = hb_render_plots(path, dir, stderr);
        if (prc != 0)
            fprintf(stderr, "heapbench: plots not rendered (see above); the results are complete\n");
    }
    /* how busy the machine was: the summary says so */
    cpu_jiffies(&steal1, &total1);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double steal = total1 > total0 ? (double)(steal1 - steal0) / (double)(total1 - total0) : 0;
    char note[512];
    snprintf(note, sizeof note,
             "Machine during the sweep: 1-minute load average up to %.2f on %ld CPUs, steal time %.1f%% of CPU time.%s",
             load_max, ncpu, steal * 100,
             load_max > (double)ncpu + 1 || steal > 0.02
                 ? "  **Warning: the machine was busy (load above its CPUs + 1, or steal above 2%): other work ran "
                   "beside the sweep, and its times are noisier than they would be on a quiet machine.**"
                 : "");
    hb_write_summary_note(self, path, dir, note);
    if (load_max > (double)ncpu + 1 || steal > 0.02) /* on stdout too: the reader of the table sees it */
        printf("warning: the machine was busy during the sweep (1-minute load average up to %.2f on %ld CPUs, steal "
               "%.1f%%): other work ran beside it, and its times are noisier than on a quiet machine\n",
               load_max, ncpu, steal * 100);
    return failed ? HB_EXIT_FAILED : HB_EXIT_OK;
}
