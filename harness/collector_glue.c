/*
 * collector_glue.c: the harness side of the collector interface.
 */
#include "collector_glue.h"

#include <stdio.h>

int hb_gc_glue_open(hb_gc_glue *g, const char *name, const hb_alloc *alloc, char *msg, size_t len)
{
    (void)alloc;
    g->gc = NULL;
    snprintf(msg, len, "unknown collector '%s' (this build has no collectors)", name);
    return -1;
}

void hb_gc_glue_emit(hb_gc_glue *g, uint64_t t0, uint64_t t1, int fd)
{
    (void)g;
    (void)t0;
    (void)t1;
    (void)fd;
}

void hb_gc_glue_close(hb_gc_glue *g) { g->gc = NULL; }

const char *hb_gc_glue_names(char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    return buf;
}

int hb_gc_glue_known(const char *name)
{
    (void)name;
    return 0;
}
