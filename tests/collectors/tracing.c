/*
 * tracing.c: docs/conformance.md 2.19 and 2.20, tracing collectors (asserted for
 * every collector, each with its documented behaviour).
 *
 *   unreachable_freed   100 small structures (rings, chains, trees), half
 *                       rooted in handles, half dropped: after a full
 *                       collection everything dropped is freed, cycles
 *                       included, and everything rooted is intact.
 *                       boehm: watched through a weak-value map (not a
 *                       root); conservative retention is allowed but
 *                       bounded (at least 90% reclaimed with the C stack
 *                       cleared).  refcount: the rings leak (recorded).
 *   roots_across_collections  handles in nested scopes keep objects, and
 *                       large objects reachable only from a slot, alive
 *                       and intact across many collections.
 *   finalize_unreachable  finalizers run for unreachable objects only;
 *                       weak links to the unreachable are cleared, to the
 *                       reachable kept; a finalizable cycle: finalized by
 *                       the cycle collectors, never by boehm (recorded),
 *                       leaked by refcount (recorded).
 */
#include "gctest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((noinline)) void clobber_stack(void)
{
    volatile char buf[32768];
    memset((char *)buf, 0, sizeof buf);
}

enum { NSTRUCT = 100, PER = 10 };

/* Builds structure k (PER objects, ids first..first+PER-1) in the current
 * scope; returns its root object's handle. */
static hb_handle build_struct(hb_gc *gc, int k, uint64_t *first)
{
    *first = tc_next_id();
    hb_scope s = hb_scope_enter(gc);
    hb_obj *o[PER];
    for (int i = 0; i < PER; i++)
        o[i] = hb_get(gc, tc_new(gc, k % 2 ? &tc_trav : &tc_plain, 2, NULL));
    switch (k % 3) {
    case 0: /* ring */
        for (int i = 0; i < PER; i++)
            hb_set(gc, o[i], 0, o[(i + 1) % PER]);
        break;
    case 1: /* chain */
        for (int i = 0; i + 1 < PER; i++)
            hb_set(gc, o[i], 0, o[i + 1]);
        break;
    default: /* binary tree, with back edges to the root from the leaves */
        for (int i = 0; i < PER; i++) {
            if (2 * i + 1 < PER)
                hb_set(gc, o[i], 0, o[2 * i + 1]);
            if (2 * i + 2 < PER)
                hb_set(gc, o[i], 1, o[2 * i + 2]);
            else
                hb_set(gc, o[i], 1, o[0]);
        }
        break;
    }
    return hb_scope_leave_keep(gc, s, s);
}

/* Puts every object reachable from handles [from, to) into the map by id. */
static void map_reachable(hb_gc *gc, hb_wvmap *m, hb_handle from, hb_handle to)
{
    for (hb_handle h = from; h < to; h++) {
        hb_obj *stack[PER * 2];
        int sp = 0;
        stack[sp++] = hb_get(gc, h);
        while (sp > 0) {
            hb_obj *o = stack[--sp];
            uint64_t id = tc_id(o);
            if (hb_wvmap_get(m, id) != NULL)
                continue;
            TC_EQ(hb_wvmap_set(m, id, o), 0);
            for (uint32_t i = 0; i < o->nslots; i++)
                if (o->slots[i] != NULL && sp < PER * 2)
                    stack[sp++] = o->slots[i];
        }
    }
}

/* Builds everything, maps every object while all are rooted, then drops the
 * odd structures.  Out of line: no object pointer stays in the caller. */
static __attribute__((noinline)) hb_handle build_and_drop(hb_gc *gc, hb_wvmap *m, uint64_t *firsts)
{
    hb_handle h0 = hb_scope_enter(gc);
    for (int k = 0; k < NSTRUCT; k++)
        build_struct(gc, k, &firsts[k]);
    if (m)
        map_reachable(gc, m, h0, h0 + NSTRUCT);
    /* Many short-lived handles on the odd structures: the shadow stack
     * grows while they are held (a collector must not keep stale copies). */
    hb_scope t = hb_scope_enter(gc);
    for (int rep = 0; rep < 6; rep++)
        for (int k = 1; k < NSTRUCT; k += 2)
            TC_ASSERT(hb_push(gc, hb_get(gc, h0 + (hb_handle)k)) != HB_NO_HANDLE, "hb_push");
    hb_scope_leave(gc, t);
    for (int k = 1; k < NSTRUCT; k += 2)
        hb_handle_set(gc, h0 + (hb_handle)k, NULL);
    return h0;
}

static void c_unreachable_freed(hb_gc *gc)
{
    uint64_t firsts[NSTRUCT];
    hb_scope s = hb_scope_enter(gc);
    hb_wvmap *m = TC_HAS(HB_GC_WEAKREFS) ? hb_wvmap_new(gc) : NULL;
    hb_handle h0 = build_and_drop(gc, m, firsts);
    clobber_stack();
    for (int r = 0; r < 3; r++)
        TC_COLLECT(HB_GC_FULL);
    size_t dropped = 0, freed = 0, ring_leak = 0;
    for (int k = 0; k < NSTRUCT; k++) {
        for (int i = 0; i < PER; i++) {
            uint64_t id = firsts[k] + (uint64_t)i;
            bool gone = T.have_hook ? tc_freed(id) != 0 : (m && hb_wvmap_get(m, id) == NULL);
            if (k % 2 == 0) {
                TC_ASSERT(!gone, "rooted structure %d lost object %d", k, i);
                continue;
            }
            dropped++;
            freed += gone;
            if (!TC_HAS(HB_GC_CYCLES)) {
                /* refcount: chains are freed; rings and trees with back
                 * edges are cycles and leak. */
                TC_ASSERT(gone == (k % 3 == 1), "refcount: structure %d (kind %d) object %d %s", k,
                          k % 3, i, gone ? "freed" : "kept");
                ring_leak += !gone;
            }
        }
    }
    /* Rooted structures intact. */
    for (int k = 0; k < NSTRUCT; k += 2) {
        hb_obj *root = hb_get(gc, h0 + (hb_handle)k);
        TC_EQ(tc_id(root), firsts[k]);
        if (k % 3 != 2) {
            hb_obj *p = root;
            for (int i = 0; i < PER && p; i++, p = hb_slot(p, 0))
                TC_EQ(tc_id(p), firsts[k] + (uint64_t)i);
        }
    }
    if (TC_HAS(HB_GC_CONSERVATIVE)) {
        tc_recorded("unreachable_freed: %zu of %zu dropped objects reclaimed (conservative)", freed, dropped);
        TC_ASSERT(freed * 10 >= dropped * 9, "only %zu of %zu dropped objects reclaimed with the C "
                  "stack cleared: retention beyond conservative stack scanning", freed, dropped);
    } else if (TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(freed, dropped);
    } else {
        /* refcount: chains freed, rings and trees with back edges leak. */
        TC_EQ(freed + ring_leak, dropped);
        TC_EQ(tc_stats().leaked_objects, ring_leak);
        tc_recorded("unreachable_freed: %zu of %zu dropped objects leak (in cycles)", ring_leak, dropped);
    }
    if (m)
        hb_wvmap_free(m);
    hb_scope_leave(gc, s);
}

/* ---- roots_across_collections ---------------------------------------------------- */

static const hb_type big_type = {"big", NULL, NULL, NULL};

static void c_roots_across_collections(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    uint64_t outer_id;
    hb_handle outer = tc_new(gc, &tc_plain, 2, &outer_id);
    /* A large object reachable only from a slot. */
    {
        hb_scope t = hb_scope_enter(gc);
        hb_handle b = hb_new(gc, &big_type, 0, 256u << 10);
        TC_ASSERT(b != HB_NO_HANDLE, "hb_new 256 KiB");
        memset(hb_bytes(hb_get(gc, b)), 0xab, 256u << 10);
        hb_set(gc, hb_get(gc, outer), 0, hb_get(gc, b));
        hb_scope_leave(gc, t);
    }
    int ngen = hb_gc_generations(gc);
    for (int round = 0; round < 20; round++) {
        hb_scope t = hb_scope_enter(gc);
        uint64_t ids[10];
        for (int i = 0; i < 10; i++) {
            hb_handle h = tc_new(gc, &tc_plain, 1, &ids[i]);
            if (i > 0)
                hb_set(gc, hb_get(gc, h), 0, hb_get(gc, h - 1));
        }
        /* garbage alongside */
        for (int i = 0; i < 50; i++) {
            hb_scope u = hb_scope_enter(gc);
            hb_obj *g = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
            hb_set(gc, g, 0, g);
            hb_scope_leave(gc, u);
        }
        TC_COLLECT(ngen > 0 ? round % ngen : HB_GC_FULL);
        TC_COLLECT(HB_GC_FULL);
        for (int i = 0; i < 10; i++) {
            hb_obj *o = hb_get(gc, t + (hb_handle)i);
            TC_EQ(tc_id(o), ids[i]);
            TC_ASSERT(i == 0 ? hb_slot(o, 0) == NULL : hb_slot(o, 0) == hb_get(gc, t + (hb_handle)i - 1),
                      "slot lost in round %d", round);
            if (T.have_hook)
                TC_EQ(tc_freed(ids[i]), 0);
        }
        hb_obj *big = hb_slot(hb_get(gc, outer), 0);
        TC_ASSERT(big != NULL && big->nbytes == (256u << 10), "large object lost");
        unsigned char *raw = hb_bytes(big);
        TC_ASSERT(raw[0] == 0xab && raw[(256u << 10) - 1] == 0xab, "large object overwritten");
        /* keep the last one in the outer scope's object, drop the rest */
        hb_set(gc, hb_get(gc, outer), 1, hb_get(gc, t + 9));
        hb_scope_leave(gc, t);
    }
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(tc_id(hb_get(gc, outer)), outer_id);
    hb_obj *last = hb_slot(hb_get(gc, outer), 1);
    int len = 0;
    for (hb_obj *p = last; p; p = hb_slot(p, 0))
        len++;
    TC_EQ(len, 10);
    hb_scope_leave(gc, s);
}

/* ---- finalize_unreachable ------------------------------------------------------ */

static __attribute__((noinline)) hb_handle build_fin(hb_gc *gc, uint64_t *first, uint64_t *cyc)
{
    /* 50 rooted finalizable objects (handles), 50 dropped ones, a dropped
     * finalizable 2-cycle; weak refs to all of them after, in order. */
    hb_scope s = hb_scope_enter(gc);
    *first = tc_next_id();
    for (int i = 0; i < 100; i++)
        tc_new(gc, &tc_fin, 1, NULL);
    *cyc = tc_next_id();
    hb_obj *a = hb_get(gc, tc_new(gc, &tc_fin, 1, NULL));
    hb_obj *b = hb_get(gc, tc_new(gc, &tc_fin, 1, NULL));
    hb_set(gc, a, 0, b);
    hb_set(gc, b, 0, a);
    hb_handle w0 = hb_scope_enter(gc);
    for (int i = 0; i < 102; i++)
        TC_ASSERT(hb_weakref_new(gc, hb_get(gc, s + (hb_handle)i), NULL, NULL) != HB_NO_HANDLE, "weakref");
    for (int i = 50; i < 102; i++)
        hb_handle_set(gc, s + (hb_handle)i, NULL);
    return w0;
}

static void c_finalize_unreachable(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    uint64_t first, cyc;
    hb_handle w0 = build_fin(gc, &first, &cyc);
    clobber_stack();
    for (int r = 0; r < 3; r++)
        TC_COLLECT(HB_GC_FULL);
    size_t fin_dropped = 0, cleared_dropped = 0;
    for (int i = 0; i < 100; i++) {
        bool cleared = hb_weakref_get(gc, hb_get(gc, w0 + (hb_handle)i)) == NULL;
        if (i < 50) {
            TC_EQ(tc_finalized(first + (uint64_t)i), 0);
            TC_ASSERT(!cleared, "weak link to reachable object %d cleared", i);
        } else {
            TC_ASSERT(tc_finalized(first + (uint64_t)i) <= 1, "finalized twice");
            fin_dropped += tc_finalized(first + (uint64_t)i);
            cleared_dropped += cleared;
        }
    }
    bool cyc_cleared = hb_weakref_get(gc, hb_get(gc, w0 + 100)) == NULL;
    unsigned cyc_fin = tc_finalized(cyc) + tc_finalized(cyc + 1);
    if (TC_HAS(HB_GC_CONSERVATIVE)) {
        TC_ASSERT(fin_dropped >= 45, "only %zu of 50 unreachable objects finalized", fin_dropped);
        TC_ASSERT(cleared_dropped >= 45, "only %zu of 50 disappearing links cleared", cleared_dropped);
        TC_EQ(cyc_fin, 0);
        tc_recorded("finalize_unreachable: %zu/50 finalized, %zu/50 links cleared; a finalizable "
                    "cycle is never finalized (its short disappearing link %s)", fin_dropped,
                    cleared_dropped, cyc_cleared ? "is cleared all the same" : "stays");
    } else if (TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(fin_dropped, 50);
        TC_EQ(cleared_dropped, 50);
        TC_EQ(cyc_fin, 2);
        TC_ASSERT(cyc_cleared, "finalizable cycle's weak link not cleared");
    } else {
        TC_EQ(fin_dropped, 50);
        TC_EQ(cleared_dropped, 50);
        TC_EQ(cyc_fin, 0);
        TC_ASSERT(!cyc_cleared, "leaked cycle's weak link cleared");
        tc_recorded("finalize_unreachable: the finalizable cycle leaks: not finalized, link kept");
    }
    hb_scope_leave(gc, s);
}

static const tc_case cases[] = {
    {"unreachable_freed", c_unreachable_freed},
    {"roots_across_collections", c_roots_across_collections},
    {"finalize_unreachable", c_finalize_unreachable},
};

int main(int argc, char **argv)
{
    return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]);
}
