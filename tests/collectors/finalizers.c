/*
 * finalizers.c: docs/conformance.md 2.11 - 2.14, finalizers and resurrection (PEP 442).
 *
 *   once_simple       a finalizer runs once, when its object dies.
 *   once_selfcycle    ... for a self-cycle (collected).
 *   once_chain        ... for each object of a 100-long chain, head first.
 *   resurrection_once a finalizer that stores its object where it is
 *                     reachable resurrects it: not freed, what it reaches
 *                     intact, not finalized again when it dies later.
 *   resurrection_cycle the same from inside a cycle, with other trash in the
 *                     same collection that is still freed.
 *   legacy_garbage    a cycle with legacy finalizers (tp_del) goes to the
 *                     garbage list with what it reaches; a plain cycle beside
 *                     it is freed.
 *   finalizer_collects  a finalizer that collects (nested: 0) and allocates.
 *   callback_collects   a weak reference callback that collects and allocates.
 *
 * refcount: cycles leak, so their finalizers never run (asserted, recorded).
 * boehm: finalizers are libgc's: topological order, one step per
 * collection along a chain, and a finalizable cycle (a self-cycle too) is
 * never finalized (asserted, recorded); weak callbacks are -ENOTSUP.
 */
#include "gctest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static __attribute__((noinline)) void clobber_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

static bool conservative(void) { return TC_HAS(HB_GC_CONSERVATIVE); }

/* ---- once_simple -------------------------------------------------------------- */

static __attribute__((noinline)) uint64_t make_dropped(hb_gc *gc, const hb_type *t, int n)
{
    uint64_t first = tc_next_id();
    for (int i = 0; i < n; i++) {
        hb_scope s = hb_scope_enter(gc);
        tc_new(gc, t, 1, NULL);
        hb_scope_leave(gc, s);
    }
    return first;
}

static void c_once_simple(hb_gc *gc)
{
    enum { N = 100 };
    uint64_t first = make_dropped(gc, &tc_fin, N);
    if (TC_HAS(HB_GC_REFCOUNT)) {
        for (int i = 0; i < N; i++) {
            TC_EQ(tc_finalized(first + i), 1);
            TC_EQ(tc_freed(first + i), 1);
        }
    } else {
        TC_EQ(tc_finalized_total(), 0);
    }
    clobber_stack();
    for (int r = 0; r < 3; r++)
        TC_COLLECT(HB_GC_FULL);
    size_t fin = 0;
    for (int i = 0; i < N; i++) {
        TC_ASSERT(tc_finalized(first + i) <= 1, "object %d finalized %u times", i,
                  tc_finalized(first + i));
        fin += tc_finalized(first + i);
        if (T.have_hook)
            TC_EQ(tc_freed(first + i), tc_finalized(first + i));
    }
    if (conservative()) {
        TC_ASSERT(fin >= N / 2, "only %zu of %d dropped objects finalized", fin, N);
        tc_recorded("once_simple: %zu of %d finalized at the next collections (conservative)", fin, N);
    } else {
        TC_EQ(fin, N);
    }
    TC_EQ(tc_stats().finalized, fin);
}

/* ---- once_selfcycle ------------------------------------------------------------ */

static void c_once_selfcycle(hb_gc *gc)
{
    enum { N = 10 };
    uint64_t first = tc_next_id();
    {
        hb_scope s = hb_scope_enter(gc);
        for (int i = 0; i < N; i++) {
            hb_obj *o = hb_get(gc, tc_new(gc, &tc_fin, 1, NULL));
            hb_set(gc, o, 0, o);
        }
        hb_scope_leave(gc, s);
    }
    TC_EQ(tc_finalized_total(), 0);
    clobber_stack();
    long n = TC_COLLECT(HB_GC_FULL);
    for (int r = 0; r < 3; r++)
        TC_COLLECT(HB_GC_FULL);
    if (TC_HAS(HB_GC_CYCLES) && !conservative()) {
        TC_EQ(n, N);
        for (int i = 0; i < N; i++) {
            TC_EQ(tc_finalized(first + i), 1);
            TC_EQ(tc_freed(first + i), 1);
        }
    } else if (conservative()) {
        TC_EQ(tc_finalized_total(), 0);
        tc_recorded("once_selfcycle: a self-referencing finalizable object is never finalized "
                    "(libgc: a finalizable cycle is not finalized)");
    } else {
        TC_EQ(tc_finalized_total(), 0);
        TC_EQ(tc_freed_total(), 0);
        TC_EQ(tc_stats().leaked_objects, N);
        tc_recorded("once_selfcycle: self-cycles leak, their finalizers never run");
    }
}

/* ---- once_chain ----------------------------------------------------------------- */

static void c_once_chain(hb_gc *gc)
{
    enum { N = 100 };
    uint64_t first = tc_next_id();
    {
        hb_scope s = hb_scope_enter(gc);
        hb_obj *prev = NULL;
        for (int i = 0; i < N; i++) {
            hb_obj *o = hb_get(gc, tc_new(gc, &tc_fin, 1, NULL));
            if (prev)
                hb_set(gc, prev, 0, o); /* first -> first+1 -> ... */
            prev = o;
        }
        /* Only the head's handle keeps the chain: drop the others first. */
        for (int i = 1; i < N; i++)
            hb_handle_set(gc, s + i, NULL);
        TC_EQ(tc_finalized_total(), 0);
        hb_scope_leave(gc, s);
    }
    int rounds = 0;
    if (TC_HAS(HB_GC_REFCOUNT)) {
        TC_EQ(tc_finalized_total(), N);
    } else {
        clobber_stack();
        TC_COLLECT(HB_GC_FULL);
        rounds = 1;
        if (conservative()) {
            /* Topological: one link of the chain per collection. */
            size_t after1 = tc_finalized_total();
            TC_ASSERT(after1 <= 1, "libgc finalized %zu objects of a chain in one collection", after1);
            while (tc_finalized_total() < N && rounds < 3 * N) {
                TC_COLLECT(HB_GC_FULL);
                rounds++;
            }
        }
    }
    for (int r = 0; r < 3; r++)
        TC_COLLECT(HB_GC_FULL);
    size_t fin = tc_finalized_total();
    /* Each at most once, and in chain order: head first. */
    size_t prevpos = 0;
    for (int i = 0; i < N; i++) {
        TC_ASSERT(tc_finalized(first + i) <= 1, "object %d finalized %u times", i,
                  tc_finalized(first + i));
        if (T.have_hook)
            TC_EQ(tc_freed(first + i), 1);
        size_t pos = tc_log_find('F', first + i, 0);
        if (pos == (size_t)-1)
            continue;
        if (TC_HAS(HB_GC_REFCOUNT) || conservative())
            TC_ASSERT(i == 0 || pos > prevpos, "object %d finalized before its predecessor", i);
        prevpos = pos;
    }
    if (conservative()) {
        /* A stray word that looks like a pointer into the chain (stack,
         * registers, sanitizer bookkeeping) keeps that link and everything
         * after it: conservative retention, documented.  What must hold is
         * progress from the head, at most once each, in chain order. */
        TC_ASSERT(fin >= 1, "none of the %d chain objects finalized after %d collections", N, rounds);
        tc_recorded("once_chain: topological finalization, %zu of %d finalized head first over %d "
                    "collections", fin, N, rounds);
    } else {
        TC_EQ(fin, N);
        if (!TC_HAS(HB_GC_REFCOUNT))
            tc_recorded("once_chain: the whole chain finalized by one collection");
    }
}

/* ---- resurrection ------------------------------------------------------------------ */

static hb_obj *g_holder;        /* a rooted object with a free slot 0 */
static uint64_t g_resurrect_id; /* the object whose finalizer resurrects it */
static int g_resurrections;

static void resurrect(hb_gc *gc, hb_obj *self)
{
    if (tc_id(self) != g_resurrect_id)
        return;
    hb_set(gc, g_holder, 0, self);
    g_resurrections++;
}

/* A (finalizer resurrects it) -> B, dropped.  Out of line (boehm). */
static __attribute__((noinline)) void build_resurrecting(hb_gc *gc, uint64_t *aid, uint64_t *bid)
{
    hb_scope t = hb_scope_enter(gc);
    hb_obj *a = hb_get(gc, tc_new(gc, &tc_fin, 1, aid));
    hb_obj *b = hb_get(gc, tc_new(gc, &tc_plain, 0, bid));
    hb_set(gc, a, 0, b);
    g_resurrect_id = *aid;
    hb_scope_leave(gc, t);
}

static void c_resurrection_once(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    g_holder = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    tc_on_finalize = resurrect;
    uint64_t aid, bid;
    build_resurrecting(gc, &aid, &bid); /* refcounting: A's finalizer runs in there */
    if (!TC_HAS(HB_GC_REFCOUNT)) {
        TC_EQ(tc_finalized(aid), 0);
        clobber_stack();
        long n = TC_COLLECT(HB_GC_FULL);
        if (!conservative())
            TC_EQ(n, 2); /* found unreachable, resurrected ones included */
        for (int r = 0; conservative() && g_resurrections == 0 && r < 10; r++) {
            clobber_stack();
            TC_COLLECT(HB_GC_FULL);
        }
        if (conservative() && g_resurrections == 0) {
            TC_EQ(tc_finalized(aid), 0);
            tc_recorded("resurrection_once: the object stayed conservatively reachable over 11 "
                        "collections; resurrection not observed in this build");
            tc_on_finalize = NULL;
            hb_scope_leave(gc, s);
            return;
        }
    }
    TC_EQ(g_resurrections, 1);
    TC_EQ(tc_finalized(aid), 1);
    TC_EQ(tc_freed(aid), 0);
    TC_EQ(tc_freed(bid), 0);
    hb_obj *a = hb_slot(g_holder, 0);
    TC_ASSERT(a != NULL, "resurrected object not in the holder");
    TC_EQ(tc_id(a), aid);
    TC_ASSERT(hb_is_finalized(a), "HB_OF_FINALIZED not set on the resurrected object");
    TC_EQ(tc_id(hb_slot(a, 0)), bid); /* what it reaches is intact */
    if (TC_HAS(HB_GC_REFCOUNT))
        TC_EQ(hb_refcount(gc, a), 1);
    for (int r = 0; r < 2; r++)
        TC_COLLECT(HB_GC_FULL);
    TC_EQ(tc_finalized(aid), 1);
    TC_EQ(tc_id(hb_slot(g_holder, 0)), aid);
    /* It dies again: freed, not finalized again. */
    hb_set(gc, g_holder, 0, NULL);
    a = NULL;
    clobber_stack();
    for (int r = 0; r < 2; r++)
        TC_COLLECT(HB_GC_FULL);
    TC_EQ(tc_finalized(aid), 1);
    TC_EQ(g_resurrections, 1);
    if (T.have_hook) {
        TC_EQ(tc_freed(aid), 1);
        TC_EQ(tc_freed(bid), 1);
    }
    tc_on_finalize = NULL;
    hb_scope_leave(gc, s);
}

static void c_resurrection_cycle(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    g_holder = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    tc_on_finalize = resurrect;
    uint64_t aid, bid, cid, did, eid;
    {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_fin, 2, &aid));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_fin, 1, &bid));
        hb_obj *c = hb_get(gc, tc_new(gc, &tc_plain, 0, &cid));
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
        hb_set(gc, a, 1, c);
        hb_obj *d = hb_get(gc, tc_new(gc, &tc_plain, 1, &did));
        hb_obj *e = hb_get(gc, tc_new(gc, &tc_plain, 1, &eid));
        hb_set(gc, d, 0, e);
        hb_set(gc, e, 0, d);
        g_resurrect_id = aid;
        hb_scope_leave(gc, t);
    }
    TC_EQ(tc_finalized_total(), 0);
    clobber_stack();
    long n = TC_COLLECT(HB_GC_FULL);
    if (!TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(n, 0);
        TC_EQ(tc_finalized_total(), 0);
        TC_EQ(tc_freed_total(), 0);
        TC_EQ(tc_stats().leaked_objects, 5);
        tc_recorded("resurrection_cycle: the cycles leak; no finalizer runs");
        tc_on_finalize = NULL;
        hb_scope_leave(gc, s);
        return;
    }
    if (conservative()) {
        for (int r = 0; r < 3; r++)
            TC_COLLECT(HB_GC_FULL);
        TC_EQ(tc_finalized(aid), 0);
        TC_EQ(tc_finalized(bid), 0);
        TC_ASSERT(hb_slot(g_holder, 0) == NULL, "resurrected without finalization?");
        tc_recorded("resurrection_cycle: a finalizable cycle is never finalized (nor freed)");
        tc_on_finalize = NULL;
        hb_scope_leave(gc, s);
        return;
    }
    TC_EQ(n, 5);
    TC_EQ(tc_finalized(aid), 1);
    TC_EQ(tc_finalized(bid), 1);
    TC_EQ(g_resurrections, 1);
    /* A, and B and C which it reaches, survive intact; D and E are freed. */
    TC_EQ(tc_freed(aid) + tc_freed(bid) + tc_freed(cid), 0);
    TC_EQ(tc_freed(did), 1);
    TC_EQ(tc_freed(eid), 1);
    hb_obj *a = hb_slot(g_holder, 0);
    TC_EQ(tc_id(a), aid);
    TC_EQ(tc_id(hb_slot(a, 0)), bid);
    TC_ASSERT(hb_slot(hb_slot(a, 0), 0) == a, "cycle edge B -> A lost");
    TC_EQ(tc_id(hb_slot(a, 1)), cid);
    TC_ASSERT(hb_is_finalized(a) && hb_is_finalized(hb_slot(a, 0)), "finalized flags");
    /* Later collections leave it alone; then it dies for good. */
    TC_EQ(TC_COLLECT(HB_GC_FULL), 0);
    hb_set(gc, g_holder, 0, NULL);
    a = NULL;
    TC_EQ(TC_COLLECT(HB_GC_FULL), 3);
    TC_EQ(tc_finalized(aid), 1);
    TC_EQ(tc_finalized(bid), 1);
    TC_EQ(g_resurrections, 1);
    TC_EQ(tc_freed(aid) + tc_freed(bid) + tc_freed(cid), 3);
    tc_on_finalize = NULL;
    hb_scope_leave(gc, s);
}

/* ---- legacy_garbage -------------------------------------------------------------------- */

static void c_legacy_garbage(hb_gc *gc)
{
    uint64_t l1, l2, p, q1, q2, solo;
    {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_legacy, 2, &l1));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_legacy, 1, &l2));
        hb_obj *c = hb_get(gc, tc_new(gc, &tc_plain, 0, &p));
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
        hb_set(gc, a, 1, c);
        hb_obj *d = hb_get(gc, tc_new(gc, &tc_plain, 1, &q1));
        hb_obj *e = hb_get(gc, tc_new(gc, &tc_plain, 1, &q2));
        hb_set(gc, d, 0, e);
        hb_set(gc, e, 0, d);
        tc_new(gc, &tc_legacy, 0, &solo); /* not in a cycle */
        hb_scope_leave(gc, t);
    }
    TC_EQ(hb_gc_garbage_len(gc), 0);
    if (TC_HAS(HB_GC_REFCOUNT))
        TC_EQ(tc_deleted(solo), 1); /* tp_del runs at refcount zero */
    clobber_stack();
    long n = TC_COLLECT(HB_GC_FULL);
    if (!TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(n, 0);
        TC_EQ(hb_gc_garbage_len(gc), 0);
        TC_EQ(tc_stats().leaked_objects, 5);
        TC_EQ(tc_deleted(l1) + tc_deleted(l2), 0);
        tc_recorded("legacy_garbage: no garbage list; both cycles leak (5 objects)");
        return;
    }
    if (!TC_HAS(HB_GC_GARBAGE_LIST)) {
        for (int r = 0; r < 3; r++)
            TC_COLLECT(HB_GC_FULL);
        TC_EQ(hb_gc_garbage_len(gc), 0);
        TC_EQ(tc_deleted(l1) + tc_deleted(l2), 0);
        tc_recorded("legacy_garbage: the garbage list stays empty; a cycle with tp_del is never "
                    "finalized nor freed; the lone tp_del object %s",
                    tc_deleted(solo) ? "had tp_del run by libgc" : "was retained");
        return;
    }
    bool tracing = TC_HAS(HB_GC_TRACING);
    size_t want = tracing ? 4 : 3; /* tracing: the lone tp_del object too */
    TC_EQ(n, (long)want + 2);
    TC_EQ(hb_gc_garbage_len(gc), want);
    TC_EQ(tc_stats().garbage, want);
    bool seen[4] = {false, false, false, false};
    for (size_t i = 0; i < want; i++) {
        hb_obj *o = hb_gc_garbage_get(gc, i);
        uint64_t id = tc_id(o);
        TC_ASSERT(id == l1 || id == l2 || id == p || id == solo, "unexpected object %llu in garbage",
                  (unsigned long long)id);
        int k = id == l1 ? 0 : id == l2 ? 1 : id == p ? 2 : 3;
        TC_ASSERT(!seen[k], "object %llu twice in garbage", (unsigned long long)id);
        seen[k] = true;
        if (TC_HAS(HB_GC_REFCOUNT))
            TC_ASSERT(hb_refcount(gc, o) >= 1, "garbage object without a reference");
    }
    TC_EQ(hb_gc_garbage_get(gc, want), 0);
    TC_EQ(tc_freed(q1) + tc_freed(q2), 2); /* the plain cycle beside is freed */
    TC_EQ(tc_freed(l1) + tc_freed(l2) + tc_freed(p), 0);
    TC_EQ(tc_deleted(l1) + tc_deleted(l2), 0);
    /* Cleared, a still-uncollectable cycle comes back at the next collection. */
    hb_gc_garbage_clear(gc);
    TC_EQ(hb_gc_garbage_len(gc), 0);
    TC_EQ(TC_COLLECT(HB_GC_FULL), (long)want);
    TC_EQ(hb_gc_garbage_len(gc), want);
    TC_EQ(tc_freed(l1) + tc_freed(l2) + tc_freed(p), 0);
    if (TC_HAS(HB_GC_REFCOUNT)) {
        /* Break the cycle and clear: reference counting frees them, running
         * tp_del once each. */
        for (size_t i = 0; i < want; i++) {
            hb_obj *o = hb_gc_garbage_get(gc, i);
            if (o->type == &tc_legacy)
                hb_set(gc, o, 0, NULL);
        }
        hb_gc_garbage_clear(gc);
        TC_EQ(tc_deleted(l1), 1);
        TC_EQ(tc_deleted(l2), 1);
        TC_EQ(tc_freed(l1) + tc_freed(l2) + tc_freed(p), 3);
    } else {
        tc_recorded("legacy_garbage: every unreachable tp_del object is uncollectable, and "
                    "what it reaches (garbage list of %zu)", want);
    }
    TC_COLLECT(HB_GC_FULL);
}

/* ---- finalizer_collects / callback_collects ------------------------------------------------ */

static long g_nested[16];
static int g_nnested;

static void collecting_finalizer(hb_gc *gc, hb_obj *self)
{
    (void)self;
    long n = hb_gc_collect(gc, HB_GC_FULL);
    if (g_nnested < 16)
        g_nested[g_nnested++] = n;
    /* Allocate and link while finalizing: a new cycle, dropped on return. */
    hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    hb_obj *b = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    hb_set(gc, a, 0, b);
    hb_set(gc, b, 0, a);
    hb_set(gc, self, 0, NULL);
}

static void c_finalizer_collects(hb_gc *gc)
{
    tc_on_finalize = collecting_finalizer;
    /* 1. From a collection: a cycle of two finalizable objects. */
    {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_fin, 1, NULL));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_fin, 1, NULL));
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
        hb_scope_leave(gc, t);
    }
    clobber_stack();
    TC_COLLECT(HB_GC_FULL);
    if (TC_HAS(HB_GC_CYCLES) && !conservative()) {
        TC_EQ(g_nnested, 2);
        TC_EQ(g_nested[0], 0); /* a nested collection is a no-op */
        TC_EQ(g_nested[1], 0);
    } else {
        TC_EQ(g_nnested, 0);
    }
    /* 2. Outside a collection (refcount zero, or libgc's finalizer pass). */
    int before = g_nnested;
    uint64_t first = make_dropped(gc, &tc_fin, 3);
    clobber_stack();
    for (int r = 0; r < 3; r++)
        TC_COLLECT(HB_GC_FULL);
    int ran = g_nnested - before;
    if (!conservative())
        TC_EQ(ran, 3);
    for (int i = 0; i < 3; i++)
        TC_ASSERT(tc_finalized(first + i) <= 1, "finalized twice");
    for (int i = before; i < g_nnested; i++)
        TC_ASSERT(g_nested[i] >= 0, "collect from a finalizer returned %ld", g_nested[i]);
    tc_on_finalize = NULL;
    /* Everything the finalizers made is garbage now. */
    TC_COLLECT(HB_GC_FULL);
    if (TC_HAS(HB_GC_CYCLES) && T.have_hook)
        TC_EQ(tc_stats().live_objects, 0);
    tc_recorded("finalizer_collects: nested collect returned %s; at refcount zero / outside a "
                "collection: %ld", g_nnested > 0 ? "0" : "(none ran)",
                g_nnested > before ? g_nested[before] : -1L);
}

static int g_cb_calls;
static long g_cb_nested[8];

static void collecting_callback(hb_gc *gc, hb_obj *wr, void *arg)
{
    (void)arg;
    if (hb_weakref_get(gc, wr) != NULL)
        TC_FAIL("weak reference callback runs before the reference was cleared");
    long n = hb_gc_collect(gc, HB_GC_FULL);
    if (g_cb_calls < 8)
        g_cb_nested[g_cb_calls] = n;
    g_cb_calls++;
    hb_scope s = hb_scope_enter(gc);
    hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    hb_set(gc, a, 0, a);
    hb_scope_leave(gc, s);
}

static void c_callback_collects(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle o = tc_new(gc, &tc_plain, 1, NULL);
    hb_handle w = hb_weakref_new(gc, hb_get(gc, o), collecting_callback, NULL);
    if (!TC_HAS(HB_GC_WEAK_CALLBACKS)) {
        TC_ASSERT(w == HB_NO_HANDLE && errno == ENOTSUP, "weak callback accepted without the cap");
        tc_recorded("callback_collects: weak reference callbacks are -ENOTSUP");
        hb_scope_leave(gc, s);
        return;
    }
    TC_ASSERT(w != HB_NO_HANDLE, "hb_weakref_new: %s", strerror(errno));
    /* 1. Referent dies by count (refcounting) or at a collection (tracing). */
    hb_handle_set(gc, o, NULL);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(g_cb_calls, 1);
    if (!TC_HAS(HB_GC_REFCOUNT))
        TC_EQ(g_cb_nested[0], 0);
    /* 2. Referent in a cycle: cleared by a collection, callback nested. */
    hb_handle o2 = tc_new(gc, &tc_plain, 1, NULL);
    hb_set(gc, hb_get(gc, o2), 0, hb_get(gc, o2));
    hb_handle w2 = hb_weakref_new(gc, hb_get(gc, o2), collecting_callback, NULL);
    TC_ASSERT(w2 != HB_NO_HANDLE, "hb_weakref_new");
    hb_handle_set(gc, o2, NULL);
    TC_COLLECT(HB_GC_FULL);
    if (TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(g_cb_calls, 2);
        TC_EQ(g_cb_nested[1], 0);
        TC_ASSERT(hb_weakref_get(gc, hb_get(gc, w2)) == NULL, "not cleared");
    } else {
        TC_EQ(g_cb_calls, 1);
        TC_ASSERT(hb_weakref_get(gc, hb_get(gc, w2)) != NULL, "a leaked cycle's weakref cleared");
        tc_recorded("callback_collects: the cycle's referent leaks; its weak reference stays set");
    }
    for (int r = 0; r < 2; r++)
        TC_COLLECT(HB_GC_FULL);
    TC_ASSERT(g_cb_calls <= 2, "callback ran %d times", g_cb_calls);
    hb_scope_leave(gc, s);
    TC_COLLECT(HB_GC_FULL);
}

static const tc_case cases[] = {
    {"once_simple", c_once_simple},
    {"once_selfcycle", c_once_selfcycle},
    {"once_chain", c_once_chain},
    {"resurrection_once", c_resurrection_once},
    {"resurrection_cycle", c_resurrection_cycle},
    {"legacy_garbage", c_legacy_garbage},
    {"finalizer_collects", c_finalizer_collects},
    {"callback_collects", c_callback_collects},
};

int main(int argc, char **argv)
{
    return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]);
}
