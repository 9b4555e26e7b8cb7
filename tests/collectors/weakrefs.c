/*
 * weakrefs.c: docs/conformance.md 2.15 - 2.17, weak references and the weak-value map.
 *
 *   cleared_on_death   a weak reference reads NULL once its referent died:
 *                      at once by refcount, at the collection under tracing.
 *   cleared_collect    ... when the referent dies in a collected cycle.
 *   cleared_before_finalizer  the weak references to all of the trash are
 *                      cleared before any finalizer of that trash runs.
 *   callback_once      the callback runs once, after clearing, with its
 *                      weak reference and argument.
 *   trash_weakref      a weak reference that is itself trash never calls back.
 *   wvmap              a weak-value map loses an entry when its value dies;
 *                      len and iteration agree.
 *   wvmap_iter_collect iteration stays consistent while collections run.
 *   weakref_count      weak links per object (weak refs and map entries).
 * refcount: a referent in a cycle never dies (asserted, recorded).  boehm:
 * callbacks and weakref_count are -ENOTSUP (asserted, recorded); liveness
 * is conservative: a reachable referent is never cleared.
 */
#include "gctest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((noinline)) void clobber_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

static bool conservative(void) { return TC_HAS(HB_GC_CONSERVATIVE); }

static hb_handle weakref(hb_gc *gc, hb_obj *target, hb_weakref_cb cb, void *arg)
{
    hb_handle w = hb_weakref_new(gc, target, cb, arg);
    TC_ASSERT(w != HB_NO_HANDLE, "hb_weakref_new: %s", strerror(errno));
    hb_obj *wr = hb_get(gc, w);
    TC_ASSERT(wr->type == &hb_weakref_type, "weak reference of type %s", wr->type->name);
    TC_ASSERT(wr->gc & HB_OF_WEAKREF, "HB_OF_WEAKREF not set");
    TC_ASSERT(hb_weakref_get(gc, wr) == target, "fresh weak reference does not read its target");
    return w;
}

static hb_obj *wget(hb_gc *gc, hb_handle w) { return hb_weakref_get(gc, hb_get(gc, w)); }

/* Drops, collects a few times (boehm: conservative), returns cleared count. */
static int collect_until_cleared(hb_gc *gc, hb_handle w0, int n)
{
    int cleared = 0;
    for (int r = 0; r < (conservative() ? 5 : 1); r++) {
        clobber_stack();
        TC_COLLECT(HB_GC_FULL);
        cleared = 0;
        for (int i = 0; i < n; i++)
            cleared += wget(gc, w0 + (hb_handle)i) == NULL;
        if (cleared == n)
            break;
    }
    return cleared;
}

/* ---- cleared_on_death / cleared_collect ----------------------------------------------- */

static void c_cleared_on_death(hb_gc *gc)
{
    enum { N = 20 };
    hb_scope s = hb_scope_enter(gc);
    hb_handle objs = hb_scope_enter(gc);
    for (int i = 0; i < N; i++)
        tc_new(gc, &tc_plain, 0, NULL);
    hb_handle w0 = hb_scope_enter(gc);
    for (int i = 0; i < N; i++)
        weakref(gc, hb_get(gc, objs + (hb_handle)i), NULL, NULL);
    uint64_t cleared0 = tc_stats().weakrefs_cleared;
    for (int i = 0; i < N; i++)
        hb_handle_set(gc, objs + (hb_handle)i, NULL);
    if (TC_HAS(HB_GC_REFCOUNT)) {
        for (int i = 0; i < N; i++)
            TC_ASSERT(wget(gc, w0 + (hb_handle)i) == NULL, "weakref %d not cleared at refcount zero", i);
        TC_EQ(tc_stats().weakrefs_cleared, cleared0 + N);
    } else {
        for (int i = 0; i < N; i++)
            TC_ASSERT(wget(gc, w0 + (hb_handle)i) != NULL, "weakref cleared before any collection");
        int c = collect_until_cleared(gc, w0, N);
        if (conservative()) {
            TC_ASSERT(c >= N / 2, "only %d of %d weak references cleared", c, N);
            tc_recorded("cleared_on_death: %d of %d cleared by collections (conservative)", c, N);
        } else {
            TC_EQ(c, N);
            TC_EQ(tc_stats().weakrefs_cleared, cleared0 + N);
        }
    }
    hb_scope_leave(gc, s);
    TC_COLLECT(HB_GC_FULL);
}

enum { NCYC = 10 };

/* N two-cycles with a weak ref to one member of each; returns the first
 * weak ref handle (the object handles are rebound to NULL).  Out of line,
 * so that no pointer to the cycles stays in the caller's frame (boehm). */
static __attribute__((noinline)) hb_handle build_cycles(hb_gc *gc)
{
    hb_obj *objs[NCYC];
    hb_scope t = hb_scope_enter(gc);
    for (int i = 0; i < NCYC; i++) {
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
        objs[i] = a;
    }
    hb_handle wt = hb_scope_enter(gc);
    for (int i = 0; i < NCYC; i++)
        weakref(gc, objs[i], NULL, NULL);
    for (hb_handle h = t; h < wt; h++)
        hb_handle_set(gc, h, NULL);
    memset(objs, 0, sizeof objs);
    return wt;
}

static void c_cleared_collect(hb_gc *gc)
{
    enum { N = NCYC };
    hb_scope s = hb_scope_enter(gc);
    hb_handle w0 = build_cycles(gc);
    for (int i = 0; i < N; i++)
        TC_ASSERT(wget(gc, w0 + (hb_handle)i) != NULL, "cleared before a collection");
    int c = collect_until_cleared(gc, w0, N);
    if (!TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(c, 0);
        tc_recorded("cleared_collect: referents in cycles never die; weak references stay set");
    } else if (conservative()) {
        TC_ASSERT(c >= N / 2, "only %d of %d weak references cleared", c, N);
        tc_recorded("cleared_collect: %d of %d cleared (conservative)", c, N);
    } else {
        TC_EQ(c, N);
    }
    hb_scope_leave(gc, s);
}

/* ---- cleared_before_finalizer ------------------------------------------------------------ */

static bool conservative(void);
static hb_obj *g_w[3];
static uint64_t g_wid[3];
static bool g_all_same_trash; /* false: only self and what it reaches */
static int g_fin_checked;

static void check_weak_cleared(hb_gc *gc, hb_obj *self)
{
    uint64_t me = tc_id(self);
    uint64_t child = self->nslots > 1 && hb_slot(self, 1) ? tc_id(hb_slot(self, 1)) : 0;
    for (int i = 0; i < 3; i++)
        if (g_w[i] != NULL && (g_all_same_trash || g_wid[i] == me || (g_wid[i] == child && !conservative())) &&
            hb_weakref_get(gc, g_w[i]) != NULL)
            TC_FAIL("finalizer of %llu runs while weak reference %d to the same trash is set",
                    (unsigned long long)tc_id(self), i);
    g_fin_checked++;
}

/* cycle: A <-> B, A -> C; chain (boehm): A -> C, B alone.  Weak refs to
 * each in the caller's scope; the objects dropped.  Out of line (boehm). */
static __attribute__((noinline)) void build_fin_trash(hb_gc *gc, bool cycle)
{
    /* cycle: A <-> B, A -> C; chain (boehm): A -> C, B alone. */
    hb_scope t = hb_scope_enter(gc);
    hb_obj *a = hb_get(gc, tc_new(gc, &tc_fin, 2, NULL));
    hb_obj *b = hb_get(gc, tc_new(gc, &tc_fin, 1, NULL));
    hb_obj *c = hb_get(gc, tc_new(gc, &tc_plain, 0, NULL));
    if (cycle || !TC_HAS(HB_GC_CYCLES)) {
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
    }
    hb_set(gc, a, 1, c);
    hb_handle w = hb_scope_enter(gc);
    weakref(gc, a, NULL, NULL);
    weakref(gc, b, NULL, NULL);
    weakref(gc, c, NULL, NULL);
    hb_obj *abc[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        g_w[i] = hb_get(gc, w + (hb_handle)i);
        g_wid[i] = tc_id(abc[i]);
    }
    g_all_same_trash = cycle || !TC_HAS(HB_GC_CYCLES);
    for (hb_handle h = t; h < w; h++)
        hb_handle_set(gc, h, NULL);
}

static void c_cleared_before_finalizer(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    tc_on_finalize = check_weak_cleared;
    bool cycle = TC_HAS(HB_GC_CYCLES) && !conservative();
    build_fin_trash(gc, cycle);
    if (TC_HAS(HB_GC_REFCOUNT))
        TC_EQ(g_fin_checked, 0); /* the cycle keeps them alive until collected */
    clobber_stack();
    for (int r = 0; r < (conservative() ? 5 : 1) && g_fin_checked < 2; r++)
        TC_COLLECT(HB_GC_FULL);
    if (!TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(g_fin_checked, 0);
        tc_recorded("cleared_before_finalizer: the cycle leaks; no finalizer, no clearing");
    } else if (conservative()) {
        TC_ASSERT(g_fin_checked >= 1, "no finalizer ran");
        tc_recorded("cleared_before_finalizer: chain variant (a finalizable cycle is never "
                    "finalized): %d finalizers saw their weak references cleared", g_fin_checked);
    } else {
        TC_EQ(g_fin_checked, 2);
        for (int i = 0; i < 3; i++)
            TC_ASSERT(hb_weakref_get(gc, g_w[i]) == NULL, "weakref %d not cleared", i);
    }
    tc_on_finalize = NULL;
    memset(g_w, 0, sizeof g_w);
    hb_scope_leave(gc, s);
}

/* ---- callback_once ---------------------------------------------------------------------------- */

typedef struct cbstate {
    int calls;
    hb_obj *expect_wr;
    uint64_t expect_arg_tag;
} cbstate;

static void counting_cb(hb_gc *gc, hb_obj *wr, void *arg)
{
    cbstate *st = arg;
    if (st == NULL || st->expect_arg_tag != 0x5eed)
        TC_FAIL("weak callback got a wrong argument");
    if (wr != st->expect_wr)
        TC_FAIL("weak callback got weak reference %p, expected %p", (void *)wr, (void *)st->expect_wr);
    if (hb_weakref_get(gc, wr) != NULL)
        TC_FAIL("weak callback runs before its reference was cleared");
    tc_log('W', (uint64_t)(uintptr_t)st);
    st->calls++;
}

static void c_callback_once(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle o = tc_new(gc, &tc_plain, 1, NULL);
    static cbstate st1 = {0, NULL, 0x5eed}, st2 = {0, NULL, 0x5eed};
    hb_handle w = hb_weakref_new(gc, hb_get(gc, o), counting_cb, &st1);
    if (!TC_HAS(HB_GC_WEAK_CALLBACKS)) {
        TC_ASSERT(w == HB_NO_HANDLE && errno == ENOTSUP,
                  "a weak callback must be refused with ENOTSUP without the cap");
        TC_ASSERT(hb_weakref_new(gc, NULL, NULL, NULL) == HB_NO_HANDLE && errno == EINVAL,
                  "NULL target accepted");
        tc_recorded("callback_once: weak reference callbacks are -ENOTSUP");
        hb_scope_leave(gc, s);
        return;
    }
    TC_ASSERT(w != HB_NO_HANDLE, "hb_weakref_new: %s", strerror(errno));
    st1.expect_wr = hb_get(gc, w);
    TC_ASSERT(hb_weakref_new(gc, NULL, NULL, NULL) == HB_NO_HANDLE && errno == EINVAL, "NULL target");
    /* 1. by refcount (or the next collection) */
    hb_handle_set(gc, o, NULL);
    if (TC_HAS(HB_GC_REFCOUNT))
        TC_EQ(st1.calls, 1);
    else
        TC_EQ(st1.calls, 0);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(st1.calls, 1);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(st1.calls, 1);
    /* 2. in a cycle, by collection */
    hb_handle o2 = tc_new(gc, &tc_plain, 1, NULL);
    hb_set(gc, hb_get(gc, o2), 0, hb_get(gc, o2));
    hb_handle w2 = weakref(gc, hb_get(gc, o2), counting_cb, &st2);
    st2.expect_wr = hb_get(gc, w2);
    hb_handle_set(gc, o2, NULL);
    TC_EQ(st2.calls, 0);
    TC_COLLECT(HB_GC_FULL);
    TC_COLLECT(HB_GC_FULL);
    if (TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(st2.calls, 1);
    } else {
        TC_EQ(st2.calls, 0);
        tc_recorded("callback_once: a referent in a cycle never dies: no callback");
    }
    hb_scope_leave(gc, s);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(st1.calls, 1);
}

/* ---- trash_weakref ------------------------------------------------------------------------------ */

static void c_trash_weakref(hb_gc *gc)
{
    static cbstate st = {0, NULL, 0x5eed}, st2 = {0, NULL, 0x5eed};
    hb_scope s = hb_scope_enter(gc);
    hb_handle r = tc_new(gc, &tc_plain, 0, NULL); /* stays alive for now */
    {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
        hb_handle w = hb_weakref_new(gc, a, TC_HAS(HB_GC_WEAK_CALLBACKS) ? counting_cb : NULL, &st);
        TC_ASSERT(w != HB_NO_HANDLE, "hb_weakref_new: %s", strerror(errno));
        st.expect_wr = hb_get(gc, w);
        hb_set(gc, b, 1, hb_get(gc, w)); /* the weak ref lives in the trash */
        hb_handle w2 = hb_weakref_new(gc, hb_get(gc, r), TC_HAS(HB_GC_WEAK_CALLBACKS) ? counting_cb : NULL,
                                      &st2);
        TC_ASSERT(w2 != HB_NO_HANDLE, "hb_weakref_new");
        st2.expect_wr = hb_get(gc, w2);
        hb_set(gc, a, 1, hb_get(gc, w2)); /* trash weak ref to a live object */
        hb_scope_leave(gc, t);
    }
    size_t wr_freed0 = tc_weakrefs_freed();
    clobber_stack();
    TC_COLLECT(HB_GC_FULL);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(st.calls, 0);
    TC_EQ(st2.calls, 0);
    if (TC_HAS(HB_GC_CYCLES) && T.have_hook)
        TC_EQ(tc_weakrefs_freed(), wr_freed0 + 2);
    /* The live referent dies now: its weak reference is gone (or leaked). */
    hb_handle_set(gc, r, NULL);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(st.calls, 0);
    if (!TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(st2.calls, 1);
        tc_recorded("trash_weakref: the cycle holding the weak refs leaks, so they stay alive: "
                    "the one to a referent that dies later calls back (once)");
    } else {
        TC_EQ(st2.calls, 0);
        if (!TC_HAS(HB_GC_WEAK_CALLBACKS))
            tc_recorded("trash_weakref: no callbacks (-ENOTSUP); trash weak refs freed silently");
    }
    hb_scope_leave(gc, s);
}

/* ---- wvmap ------------------------------------------------------------------------------------ */

static size_t iter_count(hb_wvmap *m, uint64_t *keysum)
{
    size_t cur = 0, n = 0;
    uint64_t k;
    hb_obj *v;
    uint64_t sum = 0;
    while (hb_wvmap_next(m, &cur, &k, &v)) {
        TC_ASSERT(v != NULL, "iteration gave a NULL value for key %llu", (unsigned long long)k);
        TC_ASSERT(hb_wvmap_get(m, k) == v, "iteration and get disagree on key %llu",
                  (unsigned long long)k);
        n++;
        sum += k;
    }
    if (keysum)
        *keysum = sum;
    return n;
}

static void c_wvmap(hb_gc *gc)
{
    enum { N = 100 };
    hb_scope s = hb_scope_enter(gc);
    hb_wvmap *m = hb_wvmap_new(gc);
    TC_ASSERT(m != NULL, "hb_wvmap_new");
    hb_handle h0 = hb_scope_enter(gc);
    for (int i = 0; i < N; i++) {
        hb_handle h = tc_new(gc, &tc_plain, 1, NULL);
        TC_EQ(hb_wvmap_set(m, (uint64_t)i * 7, hb_get(gc, h)), 0);
    }
    TC_EQ(hb_wvmap_len(m), N);
    TC_EQ(iter_count(m, NULL), N);
    TC_EQ(hb_wvmap_set(m, 1, NULL), -EINVAL);
    TC_ASSERT(hb_wvmap_get(m, 1) == NULL, "absent key");
    for (int i = 0; i < N; i++)
        TC_ASSERT(hb_wvmap_get(m, (uint64_t)i * 7) == hb_get(gc, h0 + (hb_handle)i), "get %d", i);
    /* Replace: key 0 now maps to object 1. */
    TC_EQ(hb_wvmap_set(m, 0, hb_get(gc, h0 + 1)), 0);
    TC_EQ(hb_wvmap_len(m), N);
    TC_ASSERT(hb_wvmap_get(m, 0) == hb_get(gc, h0 + 1), "replace");
    TC_EQ(hb_wvmap_set(m, 0, hb_get(gc, h0)), 0);
    /* Delete. */
    TC_EQ(hb_wvmap_del(m, 7 * 99), 0);
    TC_EQ(hb_wvmap_del(m, 7 * 99), -ENOENT);
    TC_EQ(hb_wvmap_len(m), N - 1);
    TC_CHECK();
    /* Values die: every even i.  Under refcount at once. */
    for (int i = 0; i < N - 1; i += 2)
        hb_handle_set(gc, h0 + (hb_handle)i, NULL);
    size_t expect = N - 1 - 50;
    if (TC_HAS(HB_GC_REFCOUNT)) {
        TC_EQ(hb_wvmap_len(m), expect);
        TC_EQ(iter_count(m, NULL), expect);
    } else {
        TC_EQ(hb_wvmap_len(m), iter_count(m, NULL));
    }
    clobber_stack();
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(hb_wvmap_len(m), iter_count(m, NULL));
    if (conservative()) {
        size_t len = hb_wvmap_len(m);
        TC_ASSERT(len >= expect && len <= N - 1, "len %zu", len);
        tc_recorded("wvmap: %zu of 50 dead entries gone after a collection (conservative)", N - 1 - len);
    } else {
        TC_EQ(hb_wvmap_len(m), expect);
    }
    for (int i = 1; i < N - 1; i += 2)
        TC_ASSERT(hb_wvmap_get(m, (uint64_t)i * 7) == hb_get(gc, h0 + (hb_handle)i), "live entry %d lost", i);
    for (int i = 0; i < N - 1 && !conservative(); i += 2)
        TC_ASSERT(hb_wvmap_get(m, (uint64_t)i * 7) == NULL, "dead entry %d still there", i);
    /* A value in a cycle: refcount never removes it. */
    {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_set(gc, a, 0, a);
        TC_EQ(hb_wvmap_set(m, 100000, a), 0);
        hb_scope_leave(gc, t);
    }
    TC_COLLECT(HB_GC_FULL);
    if (!TC_HAS(HB_GC_CYCLES)) {
        TC_ASSERT(hb_wvmap_get(m, 100000) != NULL, "leaked value removed");
        tc_recorded("wvmap: an entry whose value leaks in a cycle stays");
    } else if (!conservative()) {
        TC_ASSERT(hb_wvmap_get(m, 100000) == NULL, "collected value still mapped");
    }
    TC_EQ(hb_wvmap_len(m), iter_count(m, NULL));
    hb_wvmap_free(m);
    hb_scope_leave(gc, s);
    TC_COLLECT(HB_GC_FULL);
}

/* ---- wvmap_iter_collect ---------------------------------------------------------------------- */

static void c_wvmap_iter_collect(hb_gc *gc)
{
    enum { N = 500 };
    tc_rng rng = {0x77aa11};
    hb_scope s = hb_scope_enter(gc);
    hb_wvmap *m = hb_wvmap_new(gc);
    TC_ASSERT(m != NULL, "hb_wvmap_new");
    hb_handle h0 = hb_scope_enter(gc);
    uint64_t *ids = calloc(N, sizeof *ids);
    unsigned char *seen = calloc(N, 1), *dropped = calloc(N, 1);
    TC_ASSERT(ids && seen && dropped, "out of memory");
    for (int i = 0; i < N; i++) {
        hb_handle h = tc_new(gc, &tc_plain, 1, &ids[i]);
        if (i % 3 == 0) /* a third in self-cycles: only a collection frees them */
            hb_set(gc, hb_get(gc, h), 0, hb_get(gc, h));
        TC_EQ(hb_wvmap_set(m, (uint64_t)i, hb_get(gc, h)), 0);
    }
    size_t cur = 0;
    uint64_t k;
    hb_obj *v;
    int steps = 0, ngen = hb_gc_generations(gc);
    while (hb_wvmap_next(m, &cur, &k, &v)) {
        TC_ASSERT(k < N, "unknown key %llu", (unsigned long long)k);
        TC_ASSERT(!seen[k], "key %llu seen twice", (unsigned long long)k);
        seen[k] = 1;
        TC_EQ(tc_id(v), ids[k]); /* the value is alive and the right one */
        if (T.have_hook)
            TC_EQ(tc_freed(ids[k]), 0);
        /* Drop two random values and collect. */
        for (int j = 0; j < 2; j++) {
            uint64_t d = tc_below(&rng, N);
            dropped[d] = 1;
            hb_handle_set(gc, h0 + (hb_handle)d, NULL);
        }
        if (steps++ % 4 == 0)
            TC_COLLECT(ngen > 0 ? (steps / 4) % ngen : HB_GC_FULL);
        TC_EQ(hb_wvmap_len(m), iter_count(m, NULL));
    }
    /* Every entry never dropped was seen exactly once. */
    for (int i = 0; i < N; i++)
        if (!dropped[i])
            TC_ASSERT(seen[i], "live key %d not seen by the iteration", i);
    TC_COLLECT(HB_GC_FULL);
    size_t live = 0;
    for (int i = 0; i < N; i++)
        live += !dropped[i];
    size_t len = hb_wvmap_len(m);
    if (TC_HAS(HB_GC_CYCLES) && !conservative())
        TC_EQ(len, live);
    else
        TC_ASSERT(len >= live, "map lost live entries: %zu < %zu", len, live);
    TC_EQ(len, iter_count(m, NULL));
    free(ids);
    free(seen);
    free(dropped);
    hb_wvmap_free(m);
    hb_scope_leave(gc, s);
    TC_COLLECT(HB_GC_FULL);
}

/* ---- weakref_count ------------------------------------------------------------------------ */

static void c_weakref_count(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle o = tc_new(gc, &tc_plain, 0, NULL);
    hb_obj *ob = hb_get(gc, o);
    if (TC_HAS(HB_GC_OWN_HEAP)) {
        TC_EQ(hb_weakref_count(gc, ob), -ENOTSUP);
        tc_recorded("weakref_count is -ENOTSUP");
        hb_scope_leave(gc, s);
        return;
    }
    TC_EQ(hb_weakref_count(gc, ob), 0);
    TC_ASSERT(!(ob->gc & HB_OF_WEAKREFS), "HB_OF_WEAKREFS without weak links");
    hb_wvmap *m = hb_wvmap_new(gc);
    TC_ASSERT(m != NULL, "hb_wvmap_new");
    hb_scope t = hb_scope_enter(gc);
    weakref(gc, ob, NULL, NULL);
    hb_handle w2 = weakref(gc, ob, NULL, NULL);
    TC_EQ(hb_wvmap_set(m, 42, ob), 0);
    TC_EQ(hb_weakref_count(gc, ob), 3);
    TC_ASSERT(ob->gc & HB_OF_WEAKREFS, "HB_OF_WEAKREFS not set");
    hb_handle_set(gc, w2, NULL); /* a weak reference object dies */
    if (!TC_HAS(HB_GC_REFCOUNT))
        TC_COLLECT(HB_GC_FULL);
    TC_EQ(hb_weakref_count(gc, ob), 2);
    TC_EQ(hb_wvmap_del(m, 42), 0);
    TC_EQ(hb_weakref_count(gc, ob), 1);
    hb_scope_leave(gc, t);
    if (!TC_HAS(HB_GC_REFCOUNT))
        TC_COLLECT(HB_GC_FULL);
    TC_EQ(hb_weakref_count(gc, ob), 0);
    TC_ASSERT(!(ob->gc & HB_OF_WEAKREFS), "HB_OF_WEAKREFS left set");
    TC_CHECK();
    hb_wvmap_free(m);
    hb_scope_leave(gc, s);
}

static const tc_case cases[] = {
    {"cleared_on_death", c_cleared_on_death},
    {"cleared_collect", c_cleared_collect},
    {"cleared_before_finalizer", c_cleared_before_finalizer},
    {"callback_once", c_callback_once},
    {"trash_weakref", c_trash_weakref},
    {"wvmap", c_wvmap},
    {"wvmap_iter_collect", c_wvmap_iter_collect},
    {"weakref_count", c_weakref_count},
};

int main(int argc, char **argv)
{
    return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]);
}
