/*
 * cmd_run.c: `heapbench list`, `describe`, `run` and the internal `__child`.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "collector_glue.h"
#include "launch.h"
#include "programs.h"
#include "spawn.h"

#define MAX_ALLOCATORS 32
#define MAX_PARAMS_ARGS 64

int hb_cmd_list(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "allocators") == 0) {
        /* Resolves a list as -a would, checking every library given by
         * path: one line each, in order (NAME, summary, path, SHA-256). */
        const hb_allocator_ops *allocs[MAX_ALLOCATORS];
        size_t n = hb_parse_allocators(argv[2], allocs, MAX_ALLOCATORS);
        for (size_t i = 0; i < n; i++)
            printf("%s\t%s\t%s\t%s\n", allocs[i]->name, allocs[i]->summary,
                   (allocs[i]->caps & HB_ALLOC_PROCESS) ? hb_allocator_path(allocs[i]) : "",
                   (allocs[i]->caps & HB_ALLOC_PROCESS) ? hb_allocator_sha256(allocs[i]) : "");
        return HB_EXIT_OK;
    }
    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: heapbench list allocators|collectors|workloads|programs|columns\n"
                "       heapbench list allocators LIST   resolve and check LIST as -a would (NAME=PATH.so, paths)\n");
        return argc == 2 ? HB_EXIT_OK : HB_EXIT_USAGE;
    }
    if (strcmp(argv[1], "allocators") == 0) {
        for (size_t i = 0; i < hb_allocator_count(); i++)
            printf("%s\t%s\n", hb_allocator_at(i)->name, hb_allocator_at(i)->summary);
    } else if (strcmp(argv[1], "workloads") == 0) {
        for (size_t i = 0; i < hb_workload_count(); i++)
            printf("%s\t%s\n", hb_workload_at(i)->name, hb_workload_at(i)->summary);
    } else if (strcmp(argv[1], "programs") == 0) {
        /* name, Debian package, installed or not, what it runs */
        for (size_t i = 0; i < hb_program_count(); i++) {
            const hb_program *p = hb_program_at(i);
            char bin[4096];
            printf("%s\t%s\t%s\t%s\n", p->w.name, p->package,
                   hb_program_binary(p, bin, sizeof bin) ? "installed" : "not installed", p->w.summary);
        }
    } else if (strcmp(argv[1], "collectors") == 0) {
        hb_gc_glue_list(stdout);
    } else if (strcmp(argv[1], "columns") == 0) {
        for (int i = 0; i < HB_NCOLS; i++)
            printf("%s\t%s\n", hb_column_names[i], hb_column_docs[i]);
    } else {
        hb_usage_error("list what? '%s' is not one of: allocators, collectors, workloads, programs, columns", argv[1]);
    }
    return HB_EXIT_OK;
}

int hb_cmd_describe(int argc, char **argv)
{
    char names[1024];
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs("usage: heapbench describe WORKLOAD\n"
              "Prints what WORKLOAD (heapbench list workloads, or a program of heapbench list programs)\n"
              "does, where it comes from, whether it needs a collector (-c) or takes threads (-t), and\n"
              "its parameters (-p KEY=VALUE) with their defaults and ranges.\n",
              stdout);
        return HB_EXIT_OK;
    }
    if (argc != 2)
        hb_usage_error("usage: heapbench describe WORKLOAD");
    const hb_workload_ops *w = hb_find_workload(argv[1]);
    if (w == NULL) {
        char progs[512];
        hb_usage_error("unknown workload '%s' (valid: %s; programs: %s)", argv[1], hb_workload_names(names, sizeof names),
                       hb_program_names(progs, sizeof progs));
    }
    const hb_program *prog = hb_program_of(w);
    if (prog != NULL) {
        char bin[4096];
        printf("%s: %s\nfrom: %s (%s)\nkind: real program%s, under any allocator that can run programs\n"
               "exercises: %s\nparameters:\n  scale=1  %s\n",
               w->name, w->summary, w->origin, hb_program_binary(prog, bin, sizeof bin) ? bin : "not installed",
               prog->server ? " (a server on a loopback port, driven by a client)" : "", prog->exercises,
               prog->soak ? "not used: duration and rate set the size (docs/real.md, \"Server soaks\")"
                          : "size multiplier (1 = a run of 1 to 10 s here)");
    } else {
        printf("%s: %s\nfrom: %s\nkind: %s%s\nparameters:\n  scale=1  size multiplier (1 = the catalogue's default)\n",
           w->name, w->summary, w->origin, (w->flags & HB_WL_COLLECTOR) ? "collector workload (needs -c)" : "allocator workload",
           (w->flags & HB_WL_THREADED) ? ", threaded (-t)" : "");
    }
    for (size_t i = 0; i < w->nparams; i++) {
        const hb_param_def *d = &w->params[i];
        if (d->choices) {
            printf("  %s=%s  %s (one of:", d->name, d->choices[d->def], d->help);
            for (int k = 0; d->choices[k]; k++)
                printf(" %s", d->choices[k]);
            printf(")\n");
        } else {
            printf("  %s=%lld  %s [%lld..%lld]\n", d->name, d->def, d->help, d->min, d->max);
        }
    }
    if (w->phases != NULL) {
        printf("phases:");
        for (int k = 0; w->phases[k]; k++)
            printf(" %s", w->phases[k]);
        printf("\n");
    }
    return HB_EXIT_OK;
}

static const char run_usage[] =
    "usage: heapbench run -a ALLOC[,ALLOC...]|all -w WORKLOAD [-c COLLECTOR] [-p KEY=VALUE]...\n"
    "                     [-r RUNS] [-t THREADS] [-o FILE.csv] [options]\n"
    "Runs the workload once per run per allocator, each run in a fresh child process,\n"
    "appends one CSV row per run to FILE.csv and prints medians per allocator.\n"
    "  -a LIST           allocators, comma-separated: registered names (heapbench list allocators),\n"
    "                    all, NAME=PATH.so or a library path (./libfoo.so is foo); runs interleave them\n"
    "  -w NAME           workload (heapbench list workloads; heapbench describe NAME)\n"
    "  -c NAME           collector, for collector workloads (heapbench list collectors)\n"
    "  -p KEY=VALUE      workload parameter, repeatable; scale=X multiplies the default size\n"
    "  -r RUNS           runs per allocator (default 1)\n"
    "  -t THREADS        threads for threaded workloads (default 1); a list (1,2,4) runs each\n"
    "  -o FILE           append rows to this CSV (created with a header when new)\n"
    "  --seed N          workload seed (default 42)\n"
    "  --timeout S       kill a pass after S seconds: status timeout (default 600, or 2 x duration\n"
    "                    + 300 for a workload with a duration; 0 = none)\n"
    "  --measure WHAT    all (default), none, or a comma list of count,latency,frag,instructions\n"
    "  --lat-every N     time one allocation call in N (default 64)\n"
    "  --timeline FILE   write time,rss_kib,live_bytes samples of each run to FILE\n"
    "                    (FILE.ALLOC.RUN when there are several runs)\n"
    "  --timeline-ms N   timeline sampling interval (default 10)\n"
    "  --latency FILE    write the latency percentile curve of each run's instrumented pass to FILE\n"
    "                    (FILE.ALLOC.tT.RUN when there are several runs; docs/soak.md)\n"
    "  --duration S      seconds a soak lasts (-p duration=S; only workloads with a duration\n"
    "                    parameter, such as service-soak); the default timeout grows to 2S + 300\n"
    "  --cpus LIST       pin every run to these CPUs (0,1 or 0-3)\n"
    "  --warmup N        N discarded runs of every allocator and thread count first (default 0)\n"
    "  -q                no table on stdout\n";

enum { OPT_SEED = 256, OPT_TIMEOUT, OPT_MEASURE, OPT_LAT_EVERY, OPT_TIMELINE, OPT_TIMELINE_MS, OPT_FD, OPT_CPUS, OPT_WARMUP,
       OPT_LATENCY, OPT_DURATION };

static const struct option run_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"seed", required_argument, NULL, OPT_SEED},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"measure", required_argument, NULL, OPT_MEASURE},
    {"lat-every", required_argument, NULL, OPT_LAT_EVERY},
    {"timeline", required_argument, NULL, OPT_TIMELINE},
    {"timeline-ms", required_argument, NULL, OPT_TIMELINE_MS},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"latency", required_argument, NULL, OPT_LATENCY},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"threads", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

/* Options common to run and __child.  Fills the spec; returns the allocator
 * list in allocs (run takes several, __child one). */
typedef struct run_opts {
    hb_spec spec;
    const hb_allocator_ops *allocs[MAX_ALLOCATORS];
    size_t nallocs;
    unsigned runs, timeout, warmup;
    const char *out;
    int quiet, fd;
    int threads[HB_MAX_THREAD_LIST]; /* -t LIST */
    size_t nthreads;
} run_opts;

static void parse_run(int argc, char **argv, run_opts *o, int child)
{
    const char *alist = NULL, *wname = NULL, *cname = NULL, *threads = NULL;
    const char *params[MAX_PARAMS_ARGS];
    const char *measure = NULL, *lat_every = NULL, *seed = NULL, *tl = NULL, *tl_ms = NULL, *lat = NULL,
               *duration = NULL;
    int timeout_given = 0;
    size_t nparams = 0;
    char names[1024];
    int c;

    memset(o, 0, sizeof *o);
    o->runs = 1;
    o->timeout = 600;
    o->fd = 3;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:a:w:c:p:r:t:o:qh", run_options, NULL)) != -1) {
        switch (c) {
        case 'a': alist = optarg; break;
        case 'w': wname = optarg; break;
        case 'c': cname = optarg; break;
        case 'p':
            if (nparams == MAX_PARAMS_ARGS)
                hb_usage_error("too many -p options");
            params[nparams++] = optarg;
            break;
        case 'r': o->runs = (unsigned)hb_parse_ulong("-r", optarg, 1, 1000); break;
        case 't': threads = optarg; break;
        case 'o': o->out = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'h': fputs(run_usage, stdout); exit(HB_EXIT_OK);
        case OPT_SEED: seed = optarg; break;
        case OPT_TIMEOUT:
            o->timeout = (unsigned)hb_parse_ulong("--timeout", optarg, 0, 86400);
            timeout_given = 1;
            break;
        case OPT_MEASURE: measure = optarg; break;
        case OPT_LATENCY: lat = optarg; break;
        case OPT_DURATION: duration = optarg; break;
        case OPT_LAT_EVERY: lat_every = optarg; break;
        case OPT_TIMELINE: tl = optarg; break;
        case OPT_TIMELINE_MS: tl_ms = optarg; break;
        case OPT_CPUS: hb_parse_cpus(optarg); break;
        case OPT_WARMUP: o->warmup = (unsigned)hb_parse_ulong("--warmup", optarg, 0, 100); break;
        case ':':
            hb_usage_error("option %s needs a value (see heapbench run --help)", argv[optind - 1]);
        default:
            hb_usage_error("unknown option '%s' (see heapbench run --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        hb_usage_error("unexpected argument '%s' (see heapbench run --help)", argv[optind]);
    if (wname == NULL)
        hb_usage_error("no workload given (-w NAME; valid: %s)", hb_workload_names(names, sizeof names));
    const hb_workload_ops *w = hb_find_workload(wname);
    if (w == NULL) {
        char progs[512];
        hb_usage_error("unknown workload '%s' (valid: %s; programs: %s)", wname, hb_workload_names(names, sizeof names),
                       hb_program_names(progs, sizeof progs));
    }
    hb_spec_init(&o->spec, w);
    o->nallocs = hb_parse_allocators(alist, o->allocs, MAX_ALLOCATORS);
    if (child && o->nallocs != 1)
        hb_usage_error("__child takes one allocator");
    o->spec.allocator = o->allocs[0];
    for (size_t i = 0; i < o->nallocs && (w->flags & HB_WL_PROGRAM); i++)
        if (!hb_launch_possible(o->allocs[i]))
            hb_usage_error("allocator '%s' cannot run other programs (it has no drop-in library): '%s' is a real "
                           "program", o->allocs[i]->name, w->name);
    if (w->flags & HB_WL_COLLECTOR) {
        if (cname == NULL)
            hb_usage_error("workload '%s' needs a collector (-c NAME; valid: %s)", w->name,
                           hb_gc_glue_names(names, sizeof names)[0] ? names : "none built");
        if (!hb_gc_glue_known(cname))
            hb_usage_error("unknown collector '%s' (valid: %s)", cname,
                           hb_gc_glue_names(names, sizeof names)[0] ? names : "none built");
        o->spec.collector = cname;
    } else if (cname != NULL) {
        hb_usage_error("workload '%s' is an allocator workload and takes no collector (-c %s)", w->name, cname);
    }
    o->threads[0] = 1;
    o->nthreads = 1;
    if (threads != NULL) {
        o->nthreads = hb_parse_threads("-t", threads, o->threads, HB_MAX_THREAD_LIST);
        if (child && o->nthreads != 1)
            hb_usage_error("__child takes one thread count");
        for (size_t i = 0; i < o->nthreads; i++)
            if (o->threads[i] > 1 && !(w->flags & HB_WL_THREADED))
                hb_usage_error("workload '%s' is single-threaded (-t %s)", w->name, threads);
    }
    o->spec.threads = o->threads[0];
    for (size_t i = 0; i < nparams; i++)
        hb_parse_param(&o->spec, params[i]);
    if (seed)
        o->spec.seed = hb_parse_ulong("--seed", seed, 0, (unsigned long)-1);
    if (measure)
        o->spec.measure = hb_parse_measure(measure);
    if (lat_every)
        o->spec.lat_every = (unsigned)hb_parse_ulong("--lat-every", lat_every, 1, 1u << 30);
    o->spec.timeline = tl;
    o->spec.latfile = lat;
    if (duration != NULL)
        hb_apply_duration(&o->spec, duration);
    if (!timeout_given)
        o->timeout = hb_default_timeout(&o->spec, o->timeout);
    if (tl_ms)
        o->spec.timeline_ms = (unsigned)hb_parse_ulong("--timeline-ms", tl_ms, 1, 60000);
}

int hb_cmd_child(int argc, char **argv)
{
    run_opts o;
    parse_run(argc, argv, &o, 1);
    return hb_child_run(&o.spec, o.fd);
}

/* Marks rows whose checksum differs from the first ok row of their group
 * (the same thread count: a threaded workload's result may depend on it). */
static void check_checksums(hb_row *rows, size_t n, size_t from)
{
    for (size_t i = from; i < n; i++) {
        const char *ref = NULL;
        for (size_t j = 0; j < n && ref == NULL; j++)
            if (strcmp(rows[j].v[HB_COL_status], "ok") == 0 &&
                strcmp(rows[j].v[HB_COL_threads], rows[i].v[HB_COL_threads]) == 0)
                ref = rows[j].v[HB_COL_checksum];
        if (ref && strcmp(rows[i].v[HB_COL_status], "ok") == 0 && strcmp(rows[i].v[HB_COL_checksum], ref) != 0)
            hb_row_set(&rows[i], HB_COL_status, "wrong");
    }
}

int hb_cmd_run(int argc, char **argv)
{
    run_opts o;
    parse_run(argc, argv, &o, 0);
    int fd = o.out ? hb_open_results(o.out) : -1;
    size_t total = o.nallocs * o.runs * o.nthreads, n = 0;
    hb_row *rows = calloc(total, sizeof *rows);
    const char *self = hb_self_path();
    char params[HB_FIELD_MAX], message[512], tlpath[4096], latpath[4096];
    int failed = 0;

    if (rows == NULL) {
        fprintf(stderr, "heapbench: out of memory\n");
        return HB_EXIT_FAILED;
    }
    hb_spec_params_text(&o.spec, params, sizeof params);
    hb_spawn_install_sigint();
    hb_spawn_progress_tty = isatty(2);
    /* warm-up runs, discarded: each allocator and thread count, before any measured run */
    for (unsigned w = 0; w < o.warmup && !hb_interrupted; w++)
        for (size_t ti = 0; ti < o.nthreads * o.nallocs && !hb_interrupted; ti++) {
            hb_spec s = o.spec;
            hb_row scratch;
            s.allocator = o.allocs[ti % o.nallocs];
            s.threads = o.threads[ti / o.nallocs];
            s.timeline = NULL;
            s.latfile = NULL;
            hb_row_identity(&scratch, &s, 0);
            hb_spawn_cell(self, &s, o.timeout, &scratch, message, sizeof message);
        }
    /* Runs interleave the allocators (A, B, A, B, ...), so that drift on a
     * noisy machine hits every allocator alike. */
    for (unsigned r = 1; r <= o.runs && !hb_interrupted; r++) {
        for (size_t ti = 0; ti < o.nthreads * o.nallocs && !hb_interrupted; ti++) {
            size_t a = ti % o.nallocs;
            hb_spec s = o.spec;
            hb_row *row = &rows[n];
            s.allocator = o.allocs[a];
            s.threads = o.threads[ti / o.nallocs];
            if (o.spec.timeline && total > 1) {
                snprintf(tlpath, sizeof tlpath, "%s.%s.t%d.%u", o.spec.timeline, s.allocator->name, s.threads, r);
                s.timeline = tlpath;
            }
            if (o.spec.latfile && total > 1) {
                snprintf(latpath, sizeof latpath, "%s.%s.t%d.%u", o.spec.latfile, s.allocator->name, s.threads, r);
                s.latfile = latpath;
            }
            hb_row_identity(row, &s, r);
            if (!o.quiet) {
                fprintf(stderr, "[%zu/%zu] %s on %s, run %u\n", n + 1, total, s.workload->name, s.allocator->name, r);
                snprintf(hb_spawn_progress, sizeof hb_spawn_progress, "[%zu/%zu] %s on %s, run %u", n + 1, total,
                         s.workload->name, s.allocator->name, r);
            }
            hb_spawn_cell(self, &s, o.timeout, row, message, sizeof message);
            if (hb_spawn_progress_tty && hb_spawn_progress[0] && s.workload->phases)
                fputs("\r\033[K", stderr);
            n++;
            check_checksums(rows, n, n - 1);
            if (strcmp(row->v[HB_COL_status], "ok") != 0) {
                failed |= strcmp(row->v[HB_COL_status], "skip") != 0; /* a program not installed fails nothing */
                fprintf(stderr, "heapbench: %s on %s, run %u: %s%s%s\n", s.workload->name, s.allocator->name, r,
                        row->v[HB_COL_status], message[0] ? ": " : "", message);
            }
            if (fd >= 0 && hb_write_row(fd, o.out, row) != 0) {
                close(fd);
                free(rows);
                return HB_EXIT_FAILED;
            }
        }
    }
    if (fd >= 0)
        close(fd);
    if (!o.quiet) { /* one table per thread count */
        hb_row *sub = calloc(n ? n : 1, sizeof *sub);
        for (size_t t = 0; sub && t < o.nthreads; t++) {
            size_t k = 0;
            char tt[16];
            snprintf(tt, sizeof tt, "%d", o.threads[t]);
            for (size_t i = 0; i < n; i++)
                if (strcmp(rows[i].v[HB_COL_threads], tt) == 0)
                    sub[k++] = rows[i];
            printf("%sworkload %s (%s), threads %d\n", t ? "\n" : "", o.spec.workload->name, params, o.threads[t]);
            hb_print_table(sub, k);
        }
        free(sub);
    }
    free(rows);
    if (hb_interrupted)
        return HB_EXIT_INTERRUPTED;
    return failed ? HB_EXIT_FAILED : HB_EXIT_OK;
}
