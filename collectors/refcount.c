/*
 * refcount.c: reference counting only (rc.c), no cycle collector.
 *
 * Every live object is on list 0 of its struct hb_rcheap (so that close can
 * free what leaked, and so that a leak can be measured).  Cycles are never
 * freed: that is this collector's documented limit.  hb_gc_collect frees
 * nothing; it runs trial deletion (generational.c's update/subtract/move
 * steps) over all objects to count those unreachable from the handles and
 * the garbage list, records them as leaked_objects / leaked_bytes, and puts
 * every object back as it was.
 */
#include "internal.h"

#include <stdlib.h>

static void *rc_create(hb_gc *gc, char *msg, size_t len)
{
    hb_rcheap *h = calloc(1, sizeof *h);
    if (h == NULL) {
        hb__fail(msg, len, "refcount: out of memory");
        return NULL;
    }
    hb__rc_init(h, gc, false);
    return h;
}

static void rc_destroy(void *ctx)
{
    hb__rc_destroy(ctx);
    free(ctx);
}

static long rc_collect(void *ctx, int generation)
{
    hb_rcheap *h = ctx;
    hb_link *all = &h->lists[0], leaked;
    size_t n = 0, bytes = 0;
    (void)generation;
    hb__list_init(&leaked);
    hb__cyc_update_refs(all);
    hb__cyc_subtract_refs(all);
    hb__cyc_move_unreachable(all, &leaked, 0);
    for (hb_link *l = leaked.next; l != &leaked; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        o->gc &= HB_OF_PERSIST; /* back to generation 0, no collection state */
        n++;
        bytes += hb_obj_size(o->nslots, o->nbytes);
    }
    hb__list_splice(all, &leaked);
    h->gc->st.leaked_objects = n;
    h->gc->st.leaked_bytes = bytes;
    return 0;
}

static int rc_check(void *ctx, char *msg, size_t len) { return hb__rc_check(ctx, msg, len); }

const hb_collector_ops hb_refcount_ops = {
    .name = "refcount",
    .summary = "reference counting only: frees at zero, iteratively; cycles leak (counted)",
    .caps = HB_GC_REFCOUNT | HB_GC_FINALIZERS | HB_GC_WEAKREFS | HB_GC_WEAK_CALLBACKS |
            HB_GC_FREE_HOOK,
    .generations = 0,
    .create = rc_create,
    .destroy = rc_destroy,
    .new_obj = hb__rc_new,
    .release = hb__rc_release,
    .collect = rc_collect,
    .check = rc_check,
};
