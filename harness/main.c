/*
 * main.c: the heapbench command line: dispatch to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "heapbench " HB_VERSION ": a benchmark and conformance suite for allocators and collectors\n"
    "usage:\n"
    "  heapbench list allocators|collectors|workloads|programs|columns\n"
    "  heapbench describe WORKLOAD\n"
    "ALLOC is a registered allocator (heapbench list allocators), NAME=PATH.so or a path to a\n"
    "malloc library (its name from the file: ./libfoo.so is foo).\n"
    "  heapbench run -a ALLOC[,ALLOC...]|all -w WORKLOAD [-c COLLECTOR] [-p KEY=VALUE]... [-r RUNS]\n"
    "                [-t THREADS] [-o FILE.csv]\n"
    "  heapbench sweep [--quick] [-a LIST] [-c LIST] [-w LIST] [-r RUNS] [--list] [--shard K/N] -o DIR\n"
    "  heapbench merge -o DIR IN...   |   heapbench report DIR\n"
    "  heapbench gc-study -o DIR [-c LIST] [-w LIST] [-r RUNS] [--from]   (collectors: pauses, MMU, LBO, RSS)\n"
    "  heapbench exec -a ALLOC[,ALLOC...]|all [-r RUNS] [-o FILE.csv] -- COMMAND [ARG]...\n"
    "  heapbench compare BASE.csv NEW.csv [--threshold PCT] [--markdown] | FILE.csv --baseline-allocator NAME\n"
    "  heapbench conform [--rule GLOB]... [--markdown] [--junit FILE] LIB...\n"
    "Each command takes --help.  Exit status: 0 ok, 1 a run failed, 2 bad input.\n";

int main(int argc, char **argv)
{
    if (argc < 2)
        hb_usage_error("no command given (valid: list, describe, run, sweep, merge, report, gc-study, exec, compare, conform; see heapbench --help)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return HB_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("heapbench %s\n", HB_VERSION);
        return HB_EXIT_OK;
    }
    if (strcmp(cmd, "list") == 0)
        return hb_cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "describe") == 0)
        return hb_cmd_describe(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return hb_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return hb_cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "exec") == 0)
        return hb_cmd_exec(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return hb_cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "conform") == 0)
        return hb_cmd_conform(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return hb_cmd_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return hb_cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "gc-study") == 0)
        return hb_cmd_gcstudy(argc - 1, argv + 1);
    if (strcmp(cmd, "__child") == 0) {
        hb_cli_trust_allocators = 1; /* the parent checked every library it names */
        return hb_cmd_child(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "__preload-check") == 0) {
        hb_cli_trust_allocators = 1;
        return hb_cmd_preload_check(argc - 1, argv + 1);
    }
    hb_usage_error("unknown command '%s' (valid: list, describe, run, sweep, merge, report, gc-study, exec, compare, conform; see heapbench --help)", cmd);
}
