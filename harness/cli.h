/*
 * cli.h: shared pieces of the command line: errors, name lists, output files.
 */
#ifndef HB_CLI_H
#define HB_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "row.h"
#include "spec.h"

#define HB_EXIT_OK 0
#define HB_EXIT_FAILED 1 /* a run failed, or compare found a regression */
#define HB_EXIT_USAGE 2  /* bad input */
#define HB_EXIT_INTERRUPTED 130

/* Prints "heapbench: <msg>" on stderr and exits with HB_EXIT_USAGE. */
_Noreturn void hb_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Path of this executable (for re-exec). */
const char *hb_self_path(void);

/* Parses a comma-separated allocator list into out: registered names ("all"
 * = every one built in), NAME=PATH and library paths (hb_allocator_resolve).
 * Exits with a usage error naming the valid choices on a bad name, a library
 * that is refused or cannot be preloaded, or a name given twice.  A library
 * given by path is preloaded once into a short-lived `heapbench
 * __preload-check` first, unless hb_cli_trust_allocators is set (children,
 * whose parent checked already); one that leaves part of the malloc family
 * to glibc gets one note on stderr. */
size_t hb_parse_allocators(const char *list, const hb_allocator_ops **out, size_t max);
extern int hb_cli_trust_allocators;

/* Opens a results CSV for appending, writing the header when the file is new
 * or empty and refusing a file whose header is of another schema.  Exits with
 * a usage error when it cannot.  Returns the descriptor. */
int hb_open_results(const char *path);
/* mkdir -p: creates dir and its missing parents (0755); 0, or -1 with errno
 * (ENOTDIR when dir or a parent is not a directory). */
int hb_mkdirs(const char *dir);

/* Appends a row; on failure prints the reason and returns -1. */
int hb_write_row(int fd, const char *path, const hb_row *row);

/* Parses one "-p key=value" into the spec (scale included); exits with a
 * usage error naming valid parameters when it is wrong. */
void hb_parse_param(hb_spec *s, const char *kv);

/* --duration S: sets the workload's `duration` parameter; exits with a usage
 * error when it has none or S is out of its range. */
void hb_apply_duration(hb_spec *s, const char *v);
/* The timeout of a pass of spec when none is given: dflt, or 2 x its
 * duration + 300 s when that is longer (a soak). */
unsigned hb_default_timeout(const hb_spec *s, unsigned dflt);

/* Fills defaults for a spec of workload w. */
void hb_spec_init(hb_spec *s, const hb_workload_ops *w);

/* Parses a thread count or a comma-separated list of them ("1,2,4"), each in
 * [1, 1024] and none twice, into out; exits with a usage error otherwise. */
#define HB_MAX_THREAD_LIST 16
size_t hb_parse_threads(const char *opt, const char *v, int *out, size_t max);

/* --cpus LIST ("0,2" or "0-3,6"): the CPUs every child is pinned to; exits
 * with a usage error on a bad list or a CPU this process may not use. */
void hb_parse_cpus(const char *v);

/* Parses an unsigned integer option in [min, max] or exits with a usage error. */
unsigned long hb_parse_ulong(const char *opt, const char *v, unsigned long min, unsigned long max);

/* --measure all|none|count,latency,frag (or a number); exits on a bad word. */
unsigned hb_parse_measure(const char *v);

/* Renders the plots of a results CSV into dir (gnuplot); 0, or -1 with the
 * reason printed on `log`. */
int hb_render_plots(const char *csv, const char *dir, FILE *log);

/* The summary table of a set of rows: one line per (allocator, collector),
 * median and spread of each measure over its runs. */
void hb_print_table(const hb_row *rows, size_t n);

int hb_cmd_list(int argc, char **argv);
int hb_cmd_describe(int argc, char **argv);
int hb_cmd_run(int argc, char **argv);
int hb_cmd_child(int argc, char **argv);
int hb_cmd_exec(int argc, char **argv);
int hb_cmd_compare(int argc, char **argv);
int hb_cmd_sweep(int argc, char **argv);
int hb_cmd_gcstudy(int argc, char **argv);
int hb_cmd_preload_check(int argc, char **argv);
int hb_cmd_conform(int argc, char **argv);
int hb_cmd_merge(int argc, char **argv);
int hb_cmd_report(int argc, char **argv);

/* DIR/summary.md, the headline tables of a results CSV (by `compare`). */
void hb_write_summary(const char *self, const char *csv, const char *dir);
/* The same with a paragraph (how busy the machine was) above the tables. */
void hb_write_summary_note(const char *self, const char *csv, const char *dir, const char *note);
/* DIR/index.html: summary.md's tables and every plot of DIR on one static page. */
void hb_write_html(const char *dir);

#endif
