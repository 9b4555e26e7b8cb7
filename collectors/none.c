/*
 * none.c: the collector that never frees: the lower bound of every other.
 *
 * No reference counts (hb_set is a plain store), no collection, no
 * finalizer, no weak reference ever cleared: an object lives until close.
 * A workload run with `none` measures the mutator and the allocator's
 * malloc path alone, so that a table can show each collector's cost over
 * it: the lower-bound overhead (LBO) methodology of Cai, Blackburn, Bond and
 * Maas (ISPASS 2022), where the ideal is approximated by the smallest
 * distilled cost (wall time minus time in collections) of any collector on
 * the workload, this one included.  Its peak RSS is the allocation volume:
 * a workload that allocates more than the machine holds ends with status
 * oom, which is the honest answer.
 *
 * hb_gc_collect returns 0 and is not counted as a collection (no pause is
 * recorded); thresholds, counts and freeze are -ENOTSUP.  Every object is on
 * the all-objects list, which close walks to free them.  Invariants
 * (none_check): the list is well formed, its length is the number of live
 * objects, no object carries collection state, and every slot and handle
 * points to a listed object.
 */
#include "internal.h"

#include <stdlib.h>

typedef struct none_ctx {
    hb_gc *gc;
    hb_link all; /* every object ever made and not yet freed by close */
    size_t nobjs;
} none_ctx;

static hb_obj *none_new(void *ctx, const hb_type *t, uint32_t nslots, uint32_t nbytes)
{
    none_ctx *c = ctx;
    hb_obj *o = hb__obj_alloc(c->gc, t, nslots, nbytes);
    if (o == NULL)
        return NULL;
    hb__list_append(&c->all, &o->link);
    c->nobjs++;
    c->gc->count[0]++;
    return o;
}

static long none_collect(void *ctx, int generation)
{
    (void)ctx;
    (void)generation;
    return 0;
}

static void *none_create(hb_gc *gc, char *msg, size_t len)
{
    none_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        hb__fail(msg, len, "none: out of memory");
        return NULL;
    }
    c->gc = gc;
    hb__list_init(&c->all);
    return c;
}

static void none_destroy(void *ctx)
{
    none_ctx *c = ctx;
    while (!hb__list_empty(&c->all)) {
        hb_obj *o = (hb_obj *)c->all.next;
        hb__list_unlink(&o->link);
        o->gc &= ~(uintptr_t)(HB_OF_WEAKREF | HB_OF_WEAKREFS); /* tables are gone */
        hb__obj_free(c->gc, o);
    }
    free(c);
}

static int none_check(void *ctx, char *msg, size_t len)
{
    none_ctx *c = ctx;
    size_t nfin, nleg;
    return hb__check_all_list(c->gc, &c->all, c->nobjs, &nfin, &nleg, msg, len);
}

const hb_collector_ops hb_none_ops = {
    .name = "none",
    .summary = "never frees, never collects: the lower bound (LBO's ideal) every collector is measured against",
    .caps = HB_GC_NEVER_FREES | HB_GC_WEAKREFS,
    .generations = 0,
    .create = none_create,
    .destroy = none_destroy,
    .new_obj = none_new,
    .collect = none_collect,
    .check = none_check,
};
