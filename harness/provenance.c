/*
 * provenance.c: where a row was measured.  Every results row carries the
 * host, CPU model, online cores, kernel release, glibc version, the compiler
 * that built heapbench and heapbench's commit, so that a figure can be
 * reproduced and rows from different machines are never compared unawares.
 * Read once per process; commas become spaces (they are CSV fields).
 */
#define _GNU_SOURCE
#include "provenance.h"

#include <gnu/libc-version.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hb_commit.h"

#ifdef __clang__
#define HB_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define HB_COMPILER "gcc " __VERSION__
#else
#define HB_COMPILER "unknown"
#endif

static struct {
    int ready;
    char host[256], cpu[256], cores[16], kernel[128];
} p;

static void clean(char *s)
{
    for (; *s; s++)
        if (*s == ',' || *s == '\n' || *s == '"')
            *s = ' ';
}

static void load(void)
{
    struct utsname u;
    if (gethostname(p.host, sizeof p.host - 1) != 0)
        snprintf(p.host, sizeof p.host, "unknown");
    snprintf(p.cpu, sizeof p.cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            const char *v = strchr(line, ':') + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            snprintf(p.cpu, sizeof p.cpu, "%s", v);
            p.cpu[strcspn(p.cpu, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    snprintf(p.cores, sizeof p.cores, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    snprintf(p.kernel, sizeof p.kernel, "%s", uname(&u) == 0 ? u.release : "unknown");
    clean(p.host);
    clean(p.cpu);
    clean(p.kernel);
    p.ready = 1;
}

void hb_row_provenance(hb_row *row)
{
    if (!p.ready)
        load();
    hb_row_set(row, HB_COL_host, "%s", p.host);
    hb_row_set(row, HB_COL_cpu_model, "%s", p.cpu);
    hb_row_set(row, HB_COL_cores, "%s", p.cores);
    hb_row_set(row, HB_COL_kernel, "%s", p.kernel);
    hb_row_set(row, HB_COL_glibc, "%s", gnu_get_libc_version());
    hb_row_set(row, HB_COL_compiler, "%s", HB_COMPILER);
    hb_row_set(row, HB_COL_commit, "%s", HB_COMMIT);
}
