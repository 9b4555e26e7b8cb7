/*
 * collector_glue.h: how the child opens a collector and reports its
 * statistics (collections, pauses, MMU) as result columns.
 */
#ifndef HB_COLLECTOR_GLUE_H
#define HB_COLLECTOR_GLUE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "allocator.h"

typedef struct hb_gc_glue {
    struct hb_gc *gc;
} hb_gc_glue;

/* 0, or -1 with a message (unknown collector, or none built). */
int hb_gc_glue_open(hb_gc_glue *g, const char *name, const hb_alloc *alloc, char *msg, size_t len);
/* Writes the gc_* columns for the workload phase [t0, t1] to fd. */
void hb_gc_glue_emit(hb_gc_glue *g, uint64_t t0, uint64_t t1, int fd);
/* Final full collection and close. */
void hb_gc_glue_close(hb_gc_glue *g);
/* One "name<TAB>summary" line per collector built. */
void hb_gc_glue_list(FILE *f);
/* "refcount, generational, ..." or "" when no collector is built. */
const char *hb_gc_glue_names(char *buf, size_t len);
/* 1 when collector `name` owns its heap (ignores the allocator). */
int hb_gc_glue_owns_heap(const char *name);
/* 1 when `name` is a known collector. */
int hb_gc_glue_known(const char *name);

#endif
