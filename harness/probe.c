/*
 * probe.c: libhb-probe.so, preloaded by `heapbench exec` after the
 * allocator's library into a program heapbench did not write.  Its
 * constructor checks that the allocator asked for (HB_PROBE_EXPECT) really
 * serves malloc and writes "live=NAME" or "notlive=REASON" to descriptor
 * HB_PROBE_FD, then closes it and removes both variables, so the program's
 * own children do not report again.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"

__attribute__((constructor)) static void hb_probe(void)
{
    const char *fdtext = getenv("HB_PROBE_FD"), *expect = getenv("HB_PROBE_EXPECT");
    char msg[512], line[640];
    if (fdtext == NULL || expect == NULL)
        return;
    int fd = atoi(fdtext);
    int n;
    if (hb_verify_allocator(expect, msg, sizeof msg) == 0)
        n = snprintf(line, sizeof line, "live=%s\n", expect);
    else
        n = snprintf(line, sizeof line, "notlive=%s\n", msg);
    if (n > 0 && write(fd, line, (size_t)n) < 0) { /* the parent is gone */
    }
    close(fd);
    unsetenv("HB_PROBE_FD");
    unsetenv("HB_PROBE_EXPECT");
}
