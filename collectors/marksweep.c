/*
 * marksweep.c: pure tracing, one generation, no reference counts.
 *
 * Every live object is on the all-objects list.  hb_set is a plain store
 * (the core calls the barrier only while finalizers or weak reference
 * callbacks run inside a collection).  A collection:
 *   1. marks from the roots (handles, garbage list) with an explicit mark
 *      stack (HB_OF_MARK; no recursion; on stack overflow it rescans the
 *      heap for marked objects with unmarked children);
 *   2. unmarked objects with a legacy finalizer (tp_del) and all they
 *      reach are marked and put on the garbage list (uncollectable; a
 *      tracing collector cannot tell a cycle from an acyclic chain, so any
 *      unreachable tp_del object is uncollectable here);
 *   3. weak links to unmarked objects are cleared; callbacks of marked weak
 *      references run afterwards;
 *   4. tp_finalize runs once for each unmarked, not yet finalized object;
 *      meanwhile the barrier marks (and traces) any object stored into a
 *      marked one, and objects allocated are born marked; afterwards the
 *      roots are marked again: whatever a finalizer resurrected survives,
 *      with all it reaches;
 *   5. sweep: unmarked objects are freed, marks are cleared.
 * Trigger: bytes allocated since the last collection exceed max(threshold
 * 0 (8 MiB), live bytes after the last collection).
 */
#include "internal.h"

#include <stdlib.h>

#define MS_MIN_TRIGGER ((long)8 << 20) /* 8 MiB: below this, collecting costs more than it saves */

typedef struct ms_ctx {
    hb_gc *gc;
    hb_link all;           /* every live object */
    size_t nobjs;          /* length of all */
    size_t bytes_since;    /* bytes allocated since the last collection */
    size_t live_after;     /* live bytes after the last collection */
    size_t nfinalizable;   /* live objects with tp_finalize not yet run */
    size_t nlegacy;        /* live objects with tp_del */
    hb_objvec stack;       /* mark stack */
    bool overflow;         /* a push failed: rescan needed */
    size_t marked;         /* objects marked by the current phase */
    hb_objvec *record;     /* when set, every object marked is appended */
} ms_ctx;

static inline void mark(ms_ctx *c, hb_obj *o)
{
    if (o == NULL || (o->gc & HB_OF_MARK))
        return;
    o->gc |= HB_OF_MARK;
    c->marked++;
    if (c->record != NULL)
        hb__vec_push(c->record, o);
    if (hb__vec_push(&c->stack, o) != 0)
        c->overflow = true;
}

static void visit_mark(hb_obj *child, void *arg) { mark(arg, child); }

static void drain(ms_ctx *c)
{
    for (;;) {
        while (c->stack.n > 0) {
            hb_obj *o = c->stack.v[--c->stack.n];
            HB_FOR_EACH_CHILD(o, ch, { mark(c, ch); }, visit_mark, c);
        }
        if (!c->overflow)
            return;
        c->overflow = false; /* rescan: marked objects may have unmarked children */
        for (hb_link *l = c->all.next; l != &c->all; l = l->next) {
            hb_obj *o = (hb_obj *)l;
            if (o->gc & HB_OF_MARK)
                HB_FOR_EACH_CHILD(o, ch, { mark(c, ch); }, visit_mark, c);
        }
    }
}

static void mark_roots(ms_ctx *c)
{
    hb_gc *gc = c->gc;
    for (size_t i = 0; i < gc->roots.nhandles; i++)
        mark(c, gc->roots.handles[i]);
    for (size_t i = 0; i < gc->garbage.n; i++)
        mark(c, gc->garbage.v[i]);
    for (size_t i = 0; i < gc->cbq.n; i++)
        mark(c, gc->cbq.v[i]);
    drain(c);
}

static void ms_barrier(void *ctx, hb_obj *o, hb_obj *value)
{
    ms_ctx *c = ctx;
    if ((o->gc & HB_OF_MARK) && !(value->gc & HB_OF_MARK)) {
        mark(c, value);
        drain(c);
    }
}

static long ms_collect(void *ctx, int generation)
{
    ms_ctx *c = ctx;
    hb_gc *gc = c->gc;
    size_t at_start = c->nobjs;
    (void)generation;

    /* 1: mark from the roots. */
    c->marked = 0;
    mark_roots(c);
    size_t reachable = c->marked;

    /* 2: legacy finalizers make what they reach uncollectable. */
    size_t uncollectable = 0;
    if (c->nlegacy > 0) {
        c->marked = 0;
        c->record = &gc->garbage; /* they and all they reach */
        for (hb_link *l = c->all.next; l != &c->all; l = l->next) {
            hb_obj *o = (hb_obj *)l;
            if (!(o->gc & HB_OF_MARK) && o->type->tp_del != NULL) {
                mark(c, o);
                drain(c);
            }
        }
        c->record = NULL;
        uncollectable = c->marked;
    }
    size_t m = at_start - reachable - uncollectable;

    gc->barrier = true;
    /* 3: clear weak links to the unmarked, then run callbacks. */
    if (gc->weak.n > 0 && m > 0) {
        hb_objvec dying = {0};
        for (size_t i = 0; i < gc->weak.cap; i++) {
            hb_obj *t = gc->weak.e[i].key;
            if (t != NULL && !(t->gc & HB_OF_MARK))
                hb__vec_push(&dying, t);
        }
        for (size_t i = 0; i < dying.n; i++)
            hb__weak_clear(gc, dying.v[i], HB_OF_MARK, 0);
        hb__vec_free(&dying);
        hb__weak_run_callbacks(gc);
    }

    /* 4: finalizers, then re-mark: what they resurrected survives. */
    if (c->nfinalizable > 0 && m > 0) {
        hb_objvec fin = {0};
        for (hb_link *l = c->all.next; l != &c->all; l = l->next) {
            hb_obj *o = (hb_obj *)l;
            if (!(o->gc & (HB_OF_MARK | HB_OF_FINALIZED)) && o->type->tp_finalize != NULL)
                hb__vec_push(&fin, o);
        }
        for (size_t i = 0; i < fin.n; i++) {
            c->nfinalizable--;
            hb__run_finalizer(gc, fin.v[i], false);
        }
        hb__vec_free(&fin);
        mark_roots(c);
    }
    gc->barrier = false;

    /* 5: sweep. */
    for (hb_link *l = c->all.next, *next; l != &c->all; l = next) {
        hb_obj *o = (hb_obj *)l;
        next = l->next;
        if (o->gc & HB_OF_MARK) {
            o->gc &= ~(uintptr_t)HB_OF_MARK;
            continue;
        }
        hb__list_unlink(l);
        c->nobjs--;
        if (o->type->tp_del != NULL)
            c->nlegacy--;
        if (o->type->tp_finalize != NULL && !(o->gc & HB_OF_FINALIZED))
            c->nfinalizable--; /* not expected: all were finalized in 4 */
        hb__obj_free(gc, o);
    }

    c->bytes_since = 0;
    c->live_after = gc->st.live_bytes;
    gc->count[0] = 0;
    gc->st.gen[0].collections++;
    gc->st.gen[0].collected += m;
    gc->st.gen[0].uncollectable += uncollectable;
    gc->last_collected = m;
    gc->last_uncollectable = uncollectable;
    return (long)(m + uncollectable);
}

static hb_obj *ms_new(void *ctx, const hb_type *t, uint32_t nslots, uint32_t nbytes)
{
    ms_ctx *c = ctx;
    hb_gc *gc = c->gc;
    size_t trigger = (size_t)gc->threshold[0] > c->live_after ? (size_t)gc->threshold[0] : c->live_after;
    if (gc->enabled && gc->threshold[0] > 0 && c->bytes_since > trigger && !gc->collecting)
        hb__collect(gc, 0);
    hb_obj *o = hb__obj_alloc(gc, t, nslots, nbytes);
    if (o == NULL && !gc->collecting) {
        hb__collect(gc, 0); /* emergency collection, then retry */
        o = hb__obj_alloc(gc, t, nslots, nbytes);
    }
    if (o == NULL)
        return NULL;
    if (gc->collecting)
        o->gc = HB_OF_MARK; /* born during a collection (finalizer): keep */
    hb__list_append(&c->all, &o->link);
    c->nobjs++;
    c->bytes_since += hb_obj_size(nslots, nbytes);
    gc->count[0]++;
    if (t->tp_finalize != NULL)
        c->nfinalizable++;
    if (t->tp_del != NULL)
        c->nlegacy++;
    return o;
}

static void *ms_create(hb_gc *gc, char *msg, size_t len)
{
    ms_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        hb__fail(msg, len, "marksweep: out of memory");
        return NULL;
    }
    c->gc = gc;
    hb__list_init(&c->all);
    gc->threshold[0] = MS_MIN_TRIGGER;
    return c;
}

static void ms_destroy(void *ctx)
{
    ms_ctx *c = ctx;
    while (!hb__list_empty(&c->all)) {
        hb_obj *o = (hb_obj *)c->all.next;
        hb__list_unlink(&o->link);
        o->gc &= ~(uintptr_t)(HB_OF_WEAKREF | HB_OF_WEAKREFS); /* tables are gone */
        hb__obj_free(c->gc, o);
    }
    hb__vec_free(&c->stack);
    free(c);
}

static int ms_check(void *ctx, char *msg, size_t len)
{
    ms_ctx *c = ctx;
    size_t nfin, nleg;
    if (hb__check_all_list(c->gc, &c->all, c->nobjs, &nfin, &nleg, msg, len) != 0)
        return -1;
    if (nfin != c->nfinalizable || nleg != c->nlegacy)
        return hb__fail(msg, len, "finalizable %zu/%zu, legacy %zu/%zu (found/counted)", nfin,
                        c->nfinalizable, nleg, c->nlegacy);
    return 0;
}

const hb_collector_ops hb_marksweep_ops = {
    .name = "marksweep",
    .summary = "pure tracing mark-sweep, one generation, handles as roots: the non-generational baseline",
    .caps = HB_GC_CYCLES | HB_GC_FINALIZERS | HB_GC_WEAKREFS | HB_GC_WEAK_CALLBACKS | HB_GC_TRACING |
            HB_GC_GARBAGE_LIST | HB_GC_FREE_HOOK,
    .generations = 1,
    .create = ms_create,
    .destroy = ms_destroy,
    .new_obj = ms_new,
    .barrier = ms_barrier,
    .collect = ms_collect,
    .check = ms_check,
};
