/*
 * cmd_exec.c: `heapbench exec`: runs any program under an allocator.
 *
 * The program gets the allocator's library (a preloaded anchor, or the
 * drop-in build of pooled or naive) and libhb-probe.so by LD_PRELOAD.  The
 * probe reports on a pipe whether the allocator asked for really serves
 * malloc inside the program; a run whose probe does not say so is an error
 * row, never a measurement.  The row has the same columns as `run`: time,
 * CPU, peak RSS (from wait4) and status; the columns a foreign program
 * cannot give are empty.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"
#include "launch.h"
#include "provenance.h"
#include "spawn.h"

static const char exec_usage[] =
    "usage: heapbench exec -a ALLOC[,ALLOC...]|all [-r RUNS] [-o FILE.csv] [--name NAME] [--timeout S] [-q]\n"
    "                      -- COMMAND [ARG]...\n"
    "ALLOC: a registered allocator, NAME=PATH.so or a library path.  Runs interleave allocators.\n"
    "Runs COMMAND under each allocator (its library and a probe by LD_PRELOAD; the probe\n"
    "checks that the allocator really serves malloc inside COMMAND), and appends one row per\n"
    "run: wall, user and system time, peak RSS and status.\n"
    "  --name NAME   the workload column (default exec:BASENAME-OF-COMMAND)\n";

/* alloc_path and alloc_sha256 of a row: the library preloaded into the program. */
static void exec_library(hb_row *row, const hb_allocator_ops *a)
{
    char buf[PATH_MAX], sha[65];
    const char *lib = hb_launch_library(a, buf, sizeof buf);
    if (lib == NULL || (a->caps & HB_ALLOC_PROCESS)) {
        hb_row_library(row, a);
        return;
    }
    hb_file_sha256(lib, sha);
    hb_row_set(row, HB_COL_alloc_path, "%s", lib);
    hb_row_set(row, HB_COL_alloc_sha256, "%s", sha);
}

static void run_one(const hb_allocator_ops *a, const char *probe, char **cmd, unsigned timeout_s, hb_row *row,
                    char *message, size_t msglen)
{
    hb_launch l;
    message[0] = '\0';
    if (hb_launch_start(&l, a, probe, cmd, NULL, NULL, -1, -1, message, msglen) != 0) {
        hb_row_set(row, HB_COL_status, "error");
        return;
    }
    hb_launch_finish(&l, timeout_s, 0, row, message, msglen);
}

enum { OPT_NAME = 300, OPT_TIMEOUT };

int hb_cmd_exec(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"name", required_argument, NULL, OPT_NAME},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {NULL, 0, NULL, 0},
    };
    const char *alist = NULL, *out = NULL, *name = NULL;
    unsigned runs = 1, timeout = 600;
    int quiet = 0, c;
    const hb_allocator_ops *allocs[32];
    char probebuf[PATH_MAX], wname[HB_FIELD_MAX], params[HB_FIELD_MAX], message[512];

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:a:r:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'a': alist = optarg; break;
        case 'r': runs = (unsigned)hb_parse_ulong("-r", optarg, 1, 1000); break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(exec_usage, stdout); return HB_EXIT_OK;
        case OPT_NAME: name = optarg; break;
        case OPT_TIMEOUT: timeout = (unsigned)hb_parse_ulong("--timeout", optarg, 0, 86400); break;
        case ':': hb_usage_error("option %s needs a value (see heapbench exec --help)", argv[optind - 1]);
        default: hb_usage_error("unknown option '%s' (see heapbench exec --help)", argv[optind - 1]);
        }
    }
    size_t nallocs = hb_parse_allocators(alist, allocs, 32);
    if (optind >= argc)
        hb_usage_error("no command given (heapbench exec -a ALLOC -- COMMAND [ARG]...)");
    char **cmd = argv + optind;
    for (size_t i = 0; i < nallocs; i++)
        if (!hb_launch_possible(allocs[i]))
            hb_usage_error("allocator '%s' cannot run other programs (it has no drop-in library)", allocs[i]->name);
    const char *probe = hb_launch_probe(probebuf, sizeof probebuf);
    if (probe == NULL)
        hb_usage_error("libhb-probe.so is missing beside %s (rebuild heapbench)", hb_self_path());
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", cmd[0]);
    snprintf(wname, sizeof wname, "%s%s", name ? "" : "exec:", name ? name : basename(tmp));
    size_t used = 0;
    params[0] = '\0';
    for (char **a = cmd; *a && used < sizeof params; a++) {
        int k = snprintf(params + used, sizeof params - used, "%s%s", a == cmd ? "" : " ", *a);
        if (k > 0)
            used += (size_t)k;
    }
    int fd = out ? hb_open_results(out) : -1;
    hb_row *rows = calloc(nallocs * runs, sizeof *rows);
    size_t n = 0;
    int failed = 0;
    if (rows == NULL)
        return HB_EXIT_FAILED;
    hb_spawn_install_sigint();
    for (unsigned r = 1; r <= runs && !hb_interrupted; r++) /* allocators interleaved, as in run */
        for (size_t i = 0; i < nallocs && !hb_interrupted; i++) {
            hb_row *row = &rows[n++];
            hb_row_clear(row);
            hb_row_set(row, HB_COL_schema, "%d", HB_SCHEMA_VERSION);
            hb_row_set(row, HB_COL_heapbench, "%s", HB_VERSION);
            hb_row_set(row, HB_COL_workload, "%s", wname);
            hb_row_set(row, HB_COL_allocator, "%s", allocs[i]->name);
            exec_library(row, allocs[i]);
            hb_row_provenance(row);
            hb_row_set(row, HB_COL_params, "%s", params);
            hb_row_set(row, HB_COL_run, "%u", r);
            run_one(allocs[i], probe, cmd, timeout, row, message, sizeof message);
            if (strcmp(row->v[HB_COL_status], "ok") != 0) {
                failed = 1;
                fprintf(stderr, "heapbench: %s on %s, run %u: %s: %s\n", wname, allocs[i]->name, r,
                        row->v[HB_COL_status], message);
            }
            if (fd >= 0 && hb_write_row(fd, out, row) != 0) {
                free(rows);
                close(fd);
                return HB_EXIT_FAILED;
            }
        }
    if (fd >= 0)
        close(fd);
    if (!quiet) {
        printf("exec %s (%s)\n", wname, params);
        hb_print_table(rows, n);
    }
    free(rows);
    if (hb_interrupted)
        return HB_EXIT_INTERRUPTED;
    return failed ? HB_EXIT_FAILED : HB_EXIT_OK;
}
