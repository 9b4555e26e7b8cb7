/*
 * rc.c: reference counting, shared by the refcount and generational
 * plug-ins (struct hb_rcheap, internal.h).
 *
 * When a count reaches zero (hb__rc_zero) the object is untracked and
 * pushed on the pending stack; the outermost call drains that stack in a
 * loop, so releasing the head of a long chain deallocates it iteratively
 * (CPython's trashcan) and the C stack never grows with the chain.
 *
 * Deallocation order, as CPython's subtype_dealloc: tp_finalize (once; the
 * object is temporarily given a reference so that it can be resurrected),
 * then clearing of its weak links and their callbacks, then tp_del (legacy,
 * may resurrect too), then the release of its slots, then the free.  A
 * resurrected object is tracked again in generation 0.
 */
#include "internal.h"

void hb__rc_init(hb_rcheap *h, hb_gc *gc, bool generational)
{
    h->gc = gc;
    for (int i = 0; i < HB_NLISTS; i++) {
        hb__list_init(&h->lists[i]);
        h->size[i] = 0;
    }
    h->pending = NULL;
    h->draining = false;
    h->generational = generational;
    h->auto_collect = NULL;
    h->untracked_gc = HB_OF_UNTRACKED | (uintptr_t)(HB_GC_NGEN - 1);
    h->atoms = false;
    h->bytes_trigger = false;
    h->alloc_bytes = 0;
}

hb_obj *hb__rc_new(void *ctx, const hb_type *t, uint32_t nslots, uint32_t nbytes)
{
    hb_rcheap *h = ctx;
    hb_gc *gc = h->gc;
    bool due = h->bytes_trigger ? h->alloc_bytes > (size_t)gc->threshold[0] : gc->count[0] > gc->threshold[0];
    if (due && h->generational && gc->threshold[0] > 0 && gc->enabled && !gc->collecting)
        h->auto_collect(h);
    hb_obj *o = hb__obj_alloc(gc, t, nslots, nbytes);
    if (o == NULL && h->generational && !gc->collecting) {
        hb__collect(gc, HB_GC_NGEN - 1); /* emergency collection, then retry */
        o = hb__obj_alloc(gc, t, nslots, nbytes);
    }
    if (o == NULL)
        return NULL;
    h->alloc_bytes += hb_obj_size(nslots, nbytes);
    o->refcnt = 1;
    /* generational: an object of the default layout is born with NULL
     * slots, so it cannot be in a cycle until hb_set stores a reference in
     * it: it starts untracked (CPython's dicts start so too); weak
     * reference objects stay tracked (their callback must not run when
     * they are garbage themselves). */
    if (h->generational && t->traverse == NULL && t != &hb_weakref_type) {
        o->gc = (h->atoms && nslots == 0) ? (HB_OF_UNTRACKED | 1u) : h->untracked_gc;
        int l = hb__list_of(o);
        hb__list_append(&h->lists[l], &o->link);
        h->size[l]++;
    } else {
        hb__list_append(&h->lists[0], &o->link); /* gen bits 0 */
        h->size[0]++;
    }
    /* Every allocation of a container counts, tracked or not, as every
     * GC-capable object counts in CPython; an atom (no slots, no traverse
     * function: a boxed int, a string) does not, as CPython's ints are not
     * GC objects.  (Found by harness/calibrate.py: counting atoms
     * made small-objects run 3921 young collections where CPython runs 1.) */
    if (nslots > 0 || t->traverse != NULL)
        gc->count[0]++;
    return o;
}

static void track_again(hb_rcheap *h, hb_obj *o)
{
    o->gc &= HB_OF_PERSIST; /* generation 0, no collection state, not pending */
    hb__list_append(&h->lists[0], &o->link);
    h->size[0]++;
}

/* Deallocates one object whose count is 0 and which is on no list. */
static void dealloc(hb_rcheap *h, hb_obj *o)
{
    hb_gc *gc = h->gc;
    const hb_type *t = o->type;
    if (t->tp_finalize != NULL && !(o->gc & HB_OF_FINALIZED)) {
        o->refcnt = 1;
        hb__run_finalizer(gc, o, false);
        if (--o->refcnt > 0) {
            track_again(h, o); /* resurrected */
            return;
        }
    }
    if (o->gc & HB_OF_WEAKREFS) {
        hb__weak_clear(gc, o, 0, 0);
        hb__weak_run_callbacks(gc);
    }
    if (t->tp_del != NULL) {
        o->refcnt = 1;
        hb__run_finalizer(gc, o, true);
        if (--o->refcnt > 0) {
            track_again(h, o);
            return;
        }
    }
    for (uint32_t i = 0; i < o->nslots; i++) {
        hb_obj *c = o->slots[i];
        if (c != NULL) {
            o->slots[i] = NULL;
            hb__decref(h, c); /* only pushes: we are draining */
        }
    }
    hb__obj_free(gc, o);
}

void hb__rc_zero(hb_rcheap *h, hb_obj *o)
{
    hb_gc *gc = h->gc;
    hb__list_unlink(&o->link);
    if (!(o->gc & HB_OF_COLLECTING))
        h->size[hb__list_of(o)]--;
    if (o->gc & HB_OF_PENDING)
        h->long_lived_pending--;
    if (gc->count[0] > 0 && (o->nslots > 0 || o->type->traverse != NULL))
        gc->count[0]--;
    o->link.next = (hb_link *)h->pending;
    o->link.prev = NULL;
    h->pending = o;
    if (h->draining)
        return;
    h->draining = true;
    while (h->pending != NULL) {
        hb_obj *p = h->pending;
        h->pending = (hb_obj *)p->link.next;
        dealloc(h, p);
    }
    h->draining = false;
}

void hb__rc_release(void *ctx, hb_obj *o) { hb__decref((hb_rcheap *)ctx, o); }

void hb__rc_destroy(hb_rcheap *h)
{
    for (int i = 0; i < HB_NLISTS; i++) {
        while (!hb__list_empty(&h->lists[i])) {
            hb_obj *o = (hb_obj *)h->lists[i].next;
            hb__list_unlink(&o->link);
            o->gc &= ~(uintptr_t)(HB_OF_WEAKREF | HB_OF_WEAKREFS); /* tables are gone */
            hb__obj_free(h->gc, o);
        }
        h->size[i] = 0;
    }
}

/* Reference counts must equal the references found: slots, handles, the
 * garbage list.  Uses gc_refs (0 outside collections) as scratch. */
static int check_counts(hb_rcheap *h, char *msg, size_t len)
{
    hb_gc *gc = h->gc;
    int rc = 0;
    /* First, no dangling slot or handle: flag every listed object, look. */
    for (int i = 0; i < HB_NLISTS; i++)
        for (hb_link *l = h->lists[i].next; l != &h->lists[i]; l = l->next)
            ((hb_obj *)l)->gc |= HB_OF_MARK;
    for (int i = 0; i < HB_NLISTS && rc == 0; i++)
        for (hb_link *l = h->lists[i].next; l != &h->lists[i] && rc == 0; l = l->next) {
            hb_obj *o = (hb_obj *)l;
            for (uint32_t s = 0; s < o->nslots && rc == 0; s++)
                if (o->slots[s] != NULL && !(o->slots[s]->gc & HB_OF_MARK))
                    rc = hb__fail(msg, len, "object %p slot %u: %p is not a live object",
                                  (void *)o, s, (void *)o->slots[s]);
        }
    for (size_t i = 0; i < gc->roots.nhandles && rc == 0; i++)
        if (gc->roots.handles[i] != NULL && !(gc->roots.handles[i]->gc & HB_OF_MARK))
            rc = hb__fail(msg, len, "handle %zu: %p is not a live object", i,
                          (void *)gc->roots.handles[i]);
    for (size_t i = 0; i < gc->garbage.n && rc == 0; i++)
        if (!(gc->garbage.v[i]->gc & HB_OF_MARK))
            rc = hb__fail(msg, len, "garbage[%zu]: %p is not a live object", i,
                          (void *)gc->garbage.v[i]);
    for (int i = 0; i < HB_NLISTS; i++)
        for (hb_link *l = h->lists[i].next; l != &h->lists[i]; l = l->next)
            ((hb_obj *)l)->gc &= ~(uintptr_t)HB_OF_MARK;
    if (rc != 0)
        return rc;
    for (int i = 0; i < HB_NLISTS; i++)
        for (hb_link *l = h->lists[i].next; l != &h->lists[i]; l = l->next) {
            hb_obj *o = (hb_obj *)l;
            for (uint32_t s = 0; s < o->nslots; s++)
                if (o->slots[s] != NULL)
                    o->slots[s]->gc += HB_REFS_ONE;
        }
    for (size_t i = 0; i < gc->roots.nhandles; i++)
        if (gc->roots.handles[i] != NULL)
            gc->roots.handles[i]->gc += HB_REFS_ONE;
    for (size_t i = 0; i < gc->garbage.n; i++)
        gc->garbage.v[i]->gc += HB_REFS_ONE;
    for (int i = 0; i < HB_NLISTS; i++)
        for (hb_link *l = h->lists[i].next; l != &h->lists[i]; l = l->next) {
            hb_obj *o = (hb_obj *)l;
            uintptr_t found = hb__refs(o);
            o->gc &= (HB_REFS_ONE - 1);
            if (rc == 0 && (intptr_t)found != o->refcnt)
                rc = hb__fail(msg, len, "object %p (%s): refcnt %ld but %lu references found",
                              (void *)o, o->type->name, (long)o->refcnt, (unsigned long)found);
        }
    return rc;
}

int hb__rc_check(hb_rcheap *h, char *msg, size_t len)
{
    hb_gc *gc = h->gc;
    size_t total = 0, npending = 0;
    if (h->pending != NULL || h->draining)
        return hb__fail(msg, len, "deallocation in progress");
    for (int i = 0; i < HB_NLISTS; i++) {
        size_t n = 0;
        hb_link *head = &h->lists[i];
        for (hb_link *l = head->next, *prev = head; ; prev = l, l = l->next) {
            if (l->prev != prev)
                return hb__fail(msg, len, "list %d: prev link broken at %p", i, (void *)l);
            if (l == head)
                break;
            hb_obj *o = (hb_obj *)l;
            n++;
            if (o->type == NULL)
                return hb__fail(msg, len, "list %d: object %p has no type", i, (void *)o);
            if (hb__list_of(o) != i)
                return hb__fail(msg, len, "object %p is on list %d but its flags say %d",
                                (void *)o, i, hb__list_of(o));
            if ((o->gc & HB_OF_UNTRACKED) && (hb__gen(o) & 2) == 0 &&
                (!h->atoms || o->nslots != 0 || hb__gen(o) != 1))
                return hb__fail(msg, len, "untracked object %p: generation bits %d", (void *)o,
                                hb__gen(o));
            if (o->gc & HB_OF_PENDING)
                npending++;
            if ((o->gc & HB_OF_PENDING) && (i != HB_GC_NGEN - 1 || !h->generational))
                return hb__fail(msg, len, "object %p on list %d flagged pending", (void *)o, i);
            if (o->gc & ~(HB_OF_PERSIST | HB_OF_GEN_MASK | HB_OF_PENDING | HB_OF_UNTRACKED | HB_OF_GRAY))
                return hb__fail(msg, len, "object %p: collection state left (gc=%#lx)",
                                (void *)o, (unsigned long)o->gc);
            if (o->refcnt <= 0)
                return hb__fail(msg, len, "object %p: refcnt %ld on a list", (void *)o,
                                (long)o->refcnt);
            if (n > gc->st.live_objects)
                return hb__fail(msg, len, "list %d: longer than the live objects (a loop?)", i);
        }
        if (n != h->size[i])
            return hb__fail(msg, len, "list %d: %zu objects, size says %zu", i, n, h->size[i]);
        total += n;
    }
    if (npending != h->long_lived_pending)
        return hb__fail(msg, len, "%zu objects flagged pending, long_lived_pending %zu", npending,
                        h->long_lived_pending);
    if (total != gc->st.live_objects)
        return hb__fail(msg, len, "%zu objects on lists, %zu live", total, gc->st.live_objects);
    return check_counts(h, msg, len);
}
