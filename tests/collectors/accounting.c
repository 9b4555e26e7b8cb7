/*
 * accounting.c: docs/conformance.md 2.18, live bytes return to the baseline.
 *
 * Each case runs one scenario, drops every handle, breaks the cycles of
 * the garbage list and clears it, runs a final full collection, and then
 * compares the counting wrapper's live bytes (requested sizes of the
 * blocks the collector holds through the allocator) with the baseline:
 *   - generational, marksweep: back to the baseline exactly, except
 *     (marksweep) unreachable tp_del objects, which are uncollectable by
 *     design and stay on the garbage list (asserted to the byte, recorded);
 *   - refcount: baseline + leaked_bytes of the stats, exactly;
 *   - boehm owns its heap: the allocator sees nothing (asserted, recorded).
 * In every case the collector's own live_bytes equals the wrapper's count.
 *
 *   scenario_chains  scenario_cycles  scenario_finalizers  scenario_weakrefs
 *   scenario_garbage scenario_mixed
 */
#include "gctest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void settle_and_check(hb_gc *gc, const char *scenario)
{
    /* Uncollectable cycles: break them, then clear the list. */
    for (size_t i = 0; i < hb_gc_garbage_len(gc); i++) {
        hb_obj *o = hb_gc_garbage_get(gc, i);
        for (uint32_t k = 0; k < o->nslots; k++)
            hb_set(gc, o, k, NULL);
    }
    hb_gc_garbage_clear(gc);
    for (int r = 0; r < (TC_HAS(HB_GC_OWN_HEAP) ? 3 : 1); r++)
        TC_COLLECT(HB_GC_FULL);
    hb_gc_stats st = tc_stats();
    size_t live = tc_live_bytes() - T.baseline_live;
    if (TC_HAS(HB_GC_OWN_HEAP)) {
        TC_EQ(live, 0);
        tc_recorded("%s: owns its heap: the allocator saw no object (live bytes stay at the "
                    "baseline); libgc heap in use %zu bytes", scenario, st.live_bytes);
        return;
    }
    TC_EQ(st.live_bytes, live);
    if (!TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(live, st.leaked_bytes);
        if (live)
            tc_recorded("%s: %zu bytes in %zu objects leaked in cycles, reported as leaked_bytes",
                        scenario, st.leaked_bytes, st.leaked_objects);
        return;
    }
    size_t garbage = 0;
    for (size_t i = 0; i < hb_gc_garbage_len(gc); i++) {
        hb_obj *o = hb_gc_garbage_get(gc, i);
        garbage += hb_obj_size(o->nslots, o->nbytes);
    }
    TC_EQ(live, garbage);
    TC_EQ(st.live_objects, hb_gc_garbage_len(gc));
    if (garbage)
        tc_recorded("%s: %zu bytes stay on the garbage list (unreachable tp_del objects are "
                    "uncollectable)", scenario, garbage);
}

/* ---- scenarios ------------------------------------------------------------------------ */

/* Objects of varying raw size (not test objects: no id). */
static const hb_type chain_type = {"chain", NULL, NULL, NULL};

static void c_chains(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    for (int c = 0; c < 10; c++) {
        hb_handle head = hb_push(gc, NULL);
        for (int i = 0; i < 1000; i++) {
            hb_scope t = hb_scope_enter(gc);
            hb_handle n = hb_new(gc, &chain_type, 1, (uint32_t)(8 * (i % 7)));
            TC_ASSERT(n != HB_NO_HANDLE, "hb_new");
            hb_set(gc, hb_get(gc, n), 0, hb_get(gc, head));
            hb_handle_set(gc, head, hb_get(gc, n));
            hb_scope_leave(gc, t);
        }
        if (c % 2) /* drop half of the chains at once, cut the others */
            hb_handle_set(gc, head, NULL);
        else
            hb_set(gc, hb_slot(hb_slot(hb_get(gc, head), 0), 0), 0, NULL);
    }
    hb_scope_leave(gc, s);
    settle_and_check(gc, "scenario_chains");
}

static void c_cycles(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_obj *root = hb_get(gc, tc_new(gc, &tc_plain, 4, NULL));
    for (int c = 0; c < 50; c++) {
        hb_scope t = hb_scope_enter(gc);
        int n = 1 + c % 13;
        hb_obj *first = NULL, *prev = NULL;
        for (int i = 0; i < n; i++) {
            hb_obj *o = hb_get(gc, tc_new(gc, c % 3 ? &tc_plain : &tc_trav, 2, NULL));
            if (prev)
                hb_set(gc, prev, 0, o);
            else
                first = o;
            prev = o;
        }
        hb_set(gc, prev, 0, first);
        hb_obj *tail = hb_get(gc, tc_new(gc, &tc_plain, 0, NULL));
        hb_set(gc, first, 1, tail);
        hb_set(gc, root, (uint32_t)(c % 4), first); /* held, then replaced */
        hb_scope_leave(gc, t);
        if (c % 5 == 0)
            TC_COLLECT(HB_GC_FULL);
    }
    hb_scope_leave(gc, s);
    settle_and_check(gc, "scenario_cycles");
}

static hb_obj *g_keep;
static int g_resurrected;

static void fin_allocates(hb_gc *gc, hb_obj *self)
{
    /* Allocate a little garbage while finalizing; resurrect every 7th
     * object once, into g_keep's slot. */
    hb_obj *x = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    hb_set(gc, x, 0, x);
    if (g_keep != NULL && tc_id(self) % 7 == 0 && hb_slot(g_keep, 0) == NULL) {
        hb_set(gc, g_keep, 0, self);
        g_resurrected++;
    }
}

static void c_finalizers(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    g_keep = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    tc_on_finalize = fin_allocates;
    for (int round = 0; round < 20; round++) {
        hb_scope t = hb_scope_enter(gc);
        for (int i = 0; i < 30; i++) {
            hb_obj *o = hb_get(gc, tc_new(gc, i % 2 ? &tc_fin : &tc_travfin, 1, NULL));
            if (i % 3 == 0)
                hb_set(gc, o, 0, o);
            else if (i > 0)
                hb_set(gc, o, 0, hb_get(gc, t + (hb_handle)i - 1));
        }
        hb_scope_leave(gc, t);
        TC_COLLECT(round % 2 ? 0 : HB_GC_FULL);
        hb_set(gc, g_keep, 0, NULL); /* the resurrected one dies for good */
    }
    tc_on_finalize = NULL;
    g_keep = NULL;
    hb_scope_leave(gc, s);
    settle_and_check(gc, "scenario_finalizers");
    TC_ASSERT(tc_stats().finalized == tc_finalized_total(), "stats finalized %llu, observed %zu",
              (unsigned long long)tc_stats().finalized, tc_finalized_total());
}

static void nop_cb(hb_gc *gc, hb_obj *wr, void *arg)
{
    (void)gc;
    (void)wr;
    (*(int *)arg)++;
}

static void c_weakrefs(hb_gc *gc)
{
    static int calls;
    hb_scope s = hb_scope_enter(gc);
    hb_wvmap *m = NULL;
    if (TC_HAS(HB_GC_WEAKREFS)) {
        m = hb_wvmap_new(gc);
        TC_ASSERT(m != NULL, "hb_wvmap_new");
    }
    bool cb = TC_HAS(HB_GC_WEAK_CALLBACKS);
    for (int i = 0; i < 500; i++) {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_handle w = hb_weakref_new(gc, o, cb ? nop_cb : NULL, &calls);
        TC_ASSERT(w != HB_NO_HANDLE, "hb_weakref_new");
        if (i % 3 == 0)
            hb_set(gc, o, 0, hb_get(gc, w)); /* weak ref in the trash */
        else if (i % 3 == 1)
            hb_set(gc, o, 0, o);
        if (m)
            TC_EQ(hb_wvmap_set(m, (uint64_t)i, o), 0);
        if (i % 5 == 0)
            hb_scope_leave_keep(gc, t, w); /* some weak refs outlive their referent */
        else
            hb_scope_leave(gc, t);
        if (i % 50 == 0)
            TC_COLLECT(HB_GC_FULL);
    }
    TC_COLLECT(HB_GC_FULL);
    if (m) {
        TC_EQ(hb_wvmap_len(m) <= 500, 1);
        hb_wvmap_free(m);
    }
    hb_scope_leave(gc, s);
    settle_and_check(gc, "scenario_weakrefs");
}

static void c_garbage(hb_gc *gc)
{
    for (int c = 0; c < 20; c++) {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_legacy, 2, NULL));
        hb_obj *b = hb_get(gc, tc_new(gc, c % 2 ? &tc_legacy : &tc_plain, 1, NULL));
        hb_obj *p = hb_get(gc, tc_new(gc, &tc_plain, 0, NULL));
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
        hb_set(gc, a, 1, p);
        hb_obj *q = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL)); /* a plain cycle beside */
        hb_set(gc, q, 0, q);
        hb_scope_leave(gc, t);
        if (c % 4 == 0)
            TC_COLLECT(HB_GC_FULL);
    }
    TC_COLLECT(HB_GC_FULL);
    settle_and_check(gc, "scenario_garbage");
}

static void c_mixed(hb_gc *gc)
{
    enum { H = 64 };
    tc_rng r = {0xacc0};
    hb_scope s = hb_scope_enter(gc);
    hb_handle h0 = hb_scope_enter(gc);
    for (int i = 0; i < H; i++)
        hb_push(gc, NULL);
    for (int op = 0; op < 20000; op++) {
        uint64_t x = tc_below(&r, 10);
        hb_handle h = h0 + (hb_handle)tc_below(&r, H);
        if (x < 4) {
            hb_scope t = hb_scope_enter(gc);
            static const hb_type *types[] = {&tc_plain, &tc_trav, &tc_fin, &tc_travfin};
            hb_handle n = tc_new(gc, types[tc_below(&r, 4)], (uint32_t)tc_below(&r, 4), NULL);
            hb_handle_set(gc, h, hb_get(gc, n));
            hb_scope_leave(gc, t);
        } else if (x < 8) {
            hb_obj *a = hb_get(gc, h), *b = hb_get(gc, h0 + (hb_handle)tc_below(&r, H));
            if (a != NULL && a->nslots > 0)
                hb_set(gc, a, (uint32_t)tc_below(&r, a->nslots), b);
        } else if (x < 9) {
            hb_handle_set(gc, h, NULL);
        } else if (tc_below(&r, 50) == 0) {
            int ng = hb_gc_generations(gc);
            TC_COLLECT(ng > 0 ? (int)tc_below(&r, (uint64_t)ng) : HB_GC_FULL);
        }
    }
    hb_scope_leave(gc, s);
    settle_and_check(gc, "scenario_mixed");
}

static const tc_case cases[] = {
    {"scenario_chains", c_chains},
    {"scenario_cycles", c_cycles},
    {"scenario_finalizers", c_finalizers},
    {"scenario_weakrefs", c_weakrefs},
    {"scenario_garbage", c_garbage},
    {"scenario_mixed", c_mixed},
};

int main(int argc, char **argv)
{
    return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]);
}
