/*
 * none.c: the rules of the `none` collector (collectors/none.c), for it
 * only, gc.none.<rule>:
 *
 *   never_frees  nothing is freed or finalized before close: not when a
 *                handle drops an object, not by hb_gc_collect (which
 *                returns 0, counts no collection and records no pause);
 *                live objects and bytes only grow; the invariant checker
 *                holds; close frees everything (tc_main checks the live
 *                bytes return to the baseline).
 *   weak_kept    a weak reference to an object nobody holds keeps
 *                answering it: its referent never dies.
 */
#include "gctest.h"

static void c_never_frees(hb_gc *gc)
{
    TC_ASSERT(TC_HAS(HB_GC_NEVER_FREES), "none must say HB_GC_NEVER_FREES");
    size_t live0 = tc_live_bytes();
    uint64_t fid;
    for (int i = 0; i < 10000; i++) {
        hb_scope s = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
        hb_set(gc, a, 0, a); /* a cycle */
        hb_set(gc, a, 1, hb_get(gc, tc_new(gc, &tc_plain, 0, NULL)));
        hb_scope_leave(gc, s);
    }
    hb_scope s = hb_scope_enter(gc);
    tc_new(gc, &tc_fin, 0, &fid);
    hb_scope_leave(gc, s);
    size_t live1 = tc_live_bytes();
    TC_EQ(live1 - live0, 20000 * tc_size(2) / 2 + 10000 * tc_size(0) + tc_size(0));
    TC_EQ(TC_COLLECT(HB_GC_FULL), 0);
    TC_EQ(TC_COLLECT(0), 0);
    TC_EQ(tc_live_bytes(), live1);
    TC_EQ(tc_freed_total(), 0);
    TC_EQ(tc_finalized(fid), 0);
    hb_gc_stats st = tc_stats();
    TC_EQ(st.live_objects, 20001);
    for (int g = 0; g < HB_GC_NGEN; g++)
        TC_EQ(st.gen[g].collections, 0);
    size_t np;
    hb_gc_pauses(gc, &np);
    TC_EQ(np, 0);
    TC_CHECK();
}

static void c_weak_kept(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_scope t = hb_scope_enter(gc);
    hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, 0, NULL));
    hb_scope_leave(gc, t);
    hb_handle w = hb_weakref_new(gc, o, NULL, NULL);
    TC_ASSERT(w != HB_NO_HANDLE, "weak reference not made");
    TC_COLLECT(HB_GC_FULL);
    TC_ASSERT(hb_weakref_get(gc, hb_get(gc, w)) == o, "the referent of a weak reference died");
    TC_CHECK();
    hb_scope_leave(gc, s);
}

static const tc_case cases[] = {
    {"never_frees", c_never_frees},
    {"weak_kept", c_weak_kept},
};

int main(int argc, char **argv) { return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]); }
