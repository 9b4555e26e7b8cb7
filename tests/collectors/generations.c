/*
 * generations.c: docs/conformance.md 2.6 - 2.10, generations and gc control.
 *
 *   thresholds   three generations, defaults (700, 10, 10), settable, bad
 *                values rejected.
 *   auto_gen0    an automatic generation-0 collection runs when allocations
 *                minus deallocations exceed threshold 0; survivors move up.
 *   promotion    a collection of generation N promotes its survivors to N+1
 *                (the oldest stays) and counts one collection for N only.
 *   get_count    allocations minus deallocations; the younger generations'
 *                collection counters.
 *   disabled     disabled: no automatic collection over 10k allocations;
 *                explicit collection works.
 *   threshold_zero  the same with threshold 0 set to 0.
 *   long_lived   a full collection requested by the thresholds is skipped
 *                until the objects waiting for one exceed a quarter of the
 *                long-lived total; an explicit one always runs.
 *   stats        per-generation stats, the START/STOP callbacks and
 *                get_count agree after each collection.
 *   freeze       freeze moves every tracked object to the permanent
 *                generation, which no collection visits; unfreeze returns
 *                them to the oldest.
 *   untracking   (generational) objects whose slots hold only untracked
 *                objects are untracked (gc.is_tracked): from birth, and by
 *                young collections, trees whole; a store tracks them
 *                again, after which only full collections untrack them;
 *                full collections still find cycles through them.
 * The collectors without generations assert what they document instead
 * (-ENOTSUP, one generation, their own trigger); the incremental collector
 * has CPython 3.14's two generations, and its own versions of these rules
 * (incremental_rules.c).
 */
#include "gctest.h"
#include "incremental_rules.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- callback recorder -------------------------------------------------------- */

typedef struct cbrec {
    int starts, stops;
    int last_gen;
    size_t last_collected, last_uncollectable;
    bool in_collection;
} cbrec;

static void recorder(hb_gc *gc, hb_gc_phase phase, const hb_gc_info *info, void *arg)
{
    (void)gc;
    cbrec *r = arg;
    if (phase == HB_GC_START) {
        if (r->in_collection)
            TC_FAIL("callback: START twice without STOP");
        if (info->collected != 0 || info->uncollectable != 0)
            TC_FAIL("callback: START with collected %zu uncollectable %zu (must be 0)",
                    info->collected, info->uncollectable);
        r->in_collection = true;
        r->starts++;
        r->last_gen = info->generation;
    } else {
        if (!r->in_collection)
            TC_FAIL("callback: STOP without START");
        if (info->generation != r->last_gen)
            TC_FAIL("callback: STOP generation %d, START said %d", info->generation, r->last_gen);
        r->in_collection = false;
        r->stops++;
        r->last_collected = info->collected;
        r->last_uncollectable = info->uncollectable;
    }
}

static cbrec *add_recorder(hb_gc *gc)
{
    static cbrec rec;
    memset(&rec, 0, sizeof rec);
    TC_EQ(hb_gc_callback_add(gc, recorder, &rec), 0);
    return &rec;
}

static uint64_t total_collections(void)
{
    hb_gc_stats s = tc_stats();
    uint64_t n = 0;
    for (int i = 0; i < HB_GC_NGEN; i++)
        n += s.gen[i].collections;
    return n;
}

static __attribute__((noinline)) void clobber_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

static int gen_of(hb_obj *o) { return (int)(o->gc & HB_OF_GEN_MASK); }

/* Allocates n objects kept alive in the current scope. */
static void alloc_kept(hb_gc *gc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tc_new(gc, &tc_plain, 1, NULL);
}

/* A kept object that generational keeps tracked: its last slot holds
 * itself, as a Python list that contains itself (an object whose slots
 * hold only untracked objects is untracked: see c_untracking). */
static hb_obj *new_tracked(hb_gc *gc, uint32_t nslots, uint64_t *id)
{
    hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, nslots, id));
    hb_set(gc, o, nslots - 1, o);
    return o;
}

static void alloc_tracked(hb_gc *gc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        new_tracked(gc, 1, NULL);
}

/* ---- thresholds ------------------------------------------------------------------ */

static void c_thresholds(hb_gc *gc)
{
    if (TC_HAS(HB_GC_INCREMENTAL)) {
        inc_thresholds(gc);
        return;
    }
    long t[HB_GC_NGEN] = {-1, -1, -1};
    long c[HB_GC_NGEN];
    TC_EQ(hb_gc_generations(gc), hb_gc_ops(gc)->generations);
    TC_EQ(tc_stats().generations, hb_gc_generations(gc));
    if (TC_HAS(HB_GC_GENERATIONS)) {
        TC_EQ(hb_gc_generations(gc), 3);
        TC_EQ(hb_gc_get_threshold(gc, t), 0);
        TC_EQ(t[0], 700);
        TC_EQ(t[1], 10);
        TC_EQ(t[2], 10);
        long nt[3] = {100, 5, 3};
        TC_EQ(hb_gc_set_threshold(gc, 3, nt), 0);
        TC_EQ(hb_gc_get_threshold(gc, t), 0);
        TC_EQ(t[0], 100);
        TC_EQ(t[1], 5);
        TC_EQ(t[2], 3);
        long one = 200;
        TC_EQ(hb_gc_set_threshold(gc, 1, &one), 0); /* the rest keep theirs */
        TC_EQ(hb_gc_get_threshold(gc, t), 0);
        TC_EQ(t[0], 200);
        TC_EQ(t[1], 5);
        TC_EQ(t[2], 3);
        long bad[3] = {10, -1, 10};
        TC_EQ(hb_gc_set_threshold(gc, 3, bad), -EINVAL);
        TC_EQ(hb_gc_set_threshold(gc, 4, nt), -EINVAL);
        TC_EQ(hb_gc_set_threshold(gc, -1, nt), -EINVAL);
        TC_EQ(hb_gc_get_threshold(gc, t), 0);
        TC_EQ(t[0], 200); /* a rejected call changes nothing */
        TC_EQ(t[1], 5);
        TC_EQ(hb_gc_get_count(gc, c), 0);
        TC_EQ(hb_gc_collect(gc, 3), -EINVAL);
        TC_EQ(hb_gc_collect(gc, -2), -EINVAL);
    } else if (TC_HAS(HB_GC_OWN_HEAP)) {
        TC_EQ(hb_gc_generations(gc), 1);
        TC_EQ(hb_gc_get_threshold(gc, t), -ENOTSUP);
        TC_EQ(hb_gc_set_threshold(gc, 1, t), -ENOTSUP);
        TC_EQ(hb_gc_get_count(gc, c), -ENOTSUP);
        tc_recorded("one generation; thresholds and get_count are -ENOTSUP (libgc's own policy)");
    } else if (TC_HAS(HB_GC_TRACING)) {
        TC_EQ(hb_gc_generations(gc), 1);
        TC_EQ(hb_gc_get_threshold(gc, t), 0);
        TC_EQ(t[0], 8l << 20);
        long nt = 1l << 20;
        TC_EQ(hb_gc_set_threshold(gc, 1, &nt), 0);
        TC_EQ(hb_gc_get_threshold(gc, t), 0);
        TC_EQ(t[0], 1l << 20);
        long bad = -5;
        TC_EQ(hb_gc_set_threshold(gc, 1, &bad), -EINVAL);
        TC_EQ(hb_gc_get_count(gc, c), 0);
        TC_EQ(hb_gc_collect(gc, 3), -EINVAL);
        tc_recorded("one generation; threshold 0 is an allocation volume in bytes (8 MiB default)");
    } else {
        TC_EQ(hb_gc_generations(gc), 0);
        TC_EQ(hb_gc_get_threshold(gc, t), -ENOTSUP);
        TC_EQ(hb_gc_set_threshold(gc, 1, t), -ENOTSUP);
        TC_EQ(hb_gc_get_count(gc, c), -ENOTSUP);
        tc_recorded("no generations; thresholds and get_count are -ENOTSUP");
    }
    /* enable / disable / isenabled work everywhere. */
    TC_ASSERT(hb_gc_isenabled(gc), "enabled by default");
    hb_gc_disable(gc);
    TC_ASSERT(!hb_gc_isenabled(gc), "disable");
    hb_gc_enable(gc);
    TC_ASSERT(hb_gc_isenabled(gc), "enable");
}

/* ---- auto_gen0 ---------------------------------------------------------------------- */

static void c_auto_gen0(hb_gc *gc)
{
    if (TC_HAS(HB_GC_INCREMENTAL)) {
        inc_auto(gc);
        return;
    }
    hb_scope s = hb_scope_enter(gc);
    if (TC_HAS(HB_GC_GENERATIONS)) {
        TC_COLLECT(HB_GC_FULL); /* start from count 0 */
        long c[3];
        TC_EQ(hb_gc_get_count(gc, c), 0);
        TC_EQ(c[0], 0);
        cbrec *rec = add_recorder(gc);
        hb_gc_stats s0 = tc_stats();
        hb_handle first = hb_scope_enter(gc);
        alloc_tracked(gc, 700);
        TC_EQ(hb_gc_get_count(gc, c), 0);
        TC_EQ(c[0], 700);
        TC_EQ(rec->starts, 0); /* 700 does not exceed 700 */
        tc_new(gc, &tc_plain, 1, NULL); /* the 701st */
        int at = 701;
        if (rec->starts == 0) {
            tc_new(gc, &tc_plain, 1, NULL);
            at = 702;
        }
        TC_EQ(rec->starts, 1);
        TC_EQ(rec->last_gen, 0);
        TC_CHECK();
        hb_gc_stats s1 = tc_stats();
        TC_EQ(s1.gen[0].collections, s0.gen[0].collections + 1);
        TC_EQ(s1.gen[1].collections, s0.gen[1].collections);
        TC_EQ(hb_gc_get_count(gc, c), 0);
        TC_ASSERT(c[0] <= 1, "count[0] after the automatic collection is %ld", c[0]);
        TC_EQ(c[1], 1);
        /* Survivors moved up one generation. */
        for (hb_handle h = first; h < first + 700; h++)
            TC_EQ(gen_of(hb_get(gc, h)), 1);
        tc_recorded("the automatic gen-0 collection ran at allocation %d (count %s threshold)", at,
                    at == 701 ? "> after counting" : "> before allocating");
        /* Deallocations count down: 100 freed, then 10 new ones. */
        hb_scope t = hb_scope_enter(gc);
        alloc_kept(gc, 100);
        TC_EQ(hb_gc_get_count(gc, c), 0);
        long base = c[0];
        hb_scope_leave(gc, t);
        TC_EQ(hb_gc_get_count(gc, c), 0);
        TC_ASSERT(c[0] == base - 100 || (base < 100 && c[0] == 0),
                  "count[0] %ld after freeing 100 of %ld", c[0], base);
        TC_EQ(hb_gc_callback_remove(gc, recorder, rec), 0);
        TC_EQ(hb_gc_callback_remove(gc, recorder, rec), -ENOENT);
    } else if (TC_HAS(HB_GC_OWN_HEAP)) {
        uint64_t before = total_collections();
        for (int i = 0; i < 200000; i++) {
            hb_scope t = hb_scope_enter(gc);
            hb_new(gc, &tc_plain, 0, 256);
            hb_scope_leave(gc, t);
        }
        uint64_t after = total_collections();
        tc_recorded("libgc's own trigger: %llu automatic collections over 200000 allocations of 320 B",
                    (unsigned long long)(after - before));
        TC_ASSERT(after > before, "libgc never collected over 64 MB of garbage");
    } else if (TC_HAS(HB_GC_TRACING)) {
        long t0 = 64 << 10;
        TC_EQ(hb_gc_set_threshold(gc, 1, &t0), 0);
        cbrec *rec = add_recorder(gc);
        /* 1 MiB of garbage over a 64 KiB minimum: several automatic
         * collections, each counted as generation 0. */
        for (int i = 0; i < 4096; i++) {
            hb_scope t = hb_scope_enter(gc);
            tc_new(gc, &tc_plain, 30, NULL);
            hb_scope_leave(gc, t);
        }
        TC_ASSERT(rec->starts >= 4, "only %d automatic collections over 1 MiB with t0 = 64 KiB",
                  rec->starts);
        TC_EQ(rec->last_gen, 0);
        TC_EQ(tc_stats().gen[0].collections, (uint64_t)rec->starts);
        TC_CHECK();
        tc_recorded("automatic collection by allocation volume: %d over 1 MiB (t0 64 KiB)", rec->starts);
    } else {
        uint64_t before = total_collections();
        alloc_kept(gc, 10000);
        TC_EQ(total_collections(), before);
        tc_recorded("never collects automatically (10000 allocations)");
    }
    hb_scope_leave(gc, s);
}

/* ---- promotion ---------------------------------------------------------------------- */

static void c_promotion(hb_gc *gc)
{
    if (TC_HAS(HB_GC_INCREMENTAL)) {
        inc_promotion(gc);
        return;
    }
    hb_scope s = hb_scope_enter(gc);
    if (!TC_HAS(HB_GC_GENERATIONS)) {
        hb_handle h = tc_new(gc, &tc_plain, 1, NULL);
        hb_gc_stats a = tc_stats();
        TC_COLLECT(HB_GC_FULL);
        hb_gc_stats b = tc_stats();
        if (hb_gc_generations(gc) == 1) {
            TC_EQ(b.gen[0].collections, a.gen[0].collections + 1);
            TC_COLLECT(0);
            TC_EQ(tc_stats().gen[0].collections, a.gen[0].collections + 2);
            tc_recorded("one generation: no promotion; every collection counts for generation 0");
        } else {
            tc_recorded("no generations: nothing to promote");
        }
        TC_ASSERT(hb_get(gc, h) != NULL, "object lost");
        hb_scope_leave(gc, s);
        return;
    }
    hb_gc_disable(gc);
    hb_obj *o = new_tracked(gc, 1, NULL);
    TC_EQ(gen_of(o), 0);
    long c[3];
    hb_gc_stats a = tc_stats();
    TC_COLLECT(0);
    TC_EQ(gen_of(o), 1);
    hb_gc_stats b = tc_stats();
    TC_EQ(b.gen[0].collections, a.gen[0].collections + 1);
    TC_EQ(b.gen[1].collections, a.gen[1].collections);
    TC_EQ(b.gen[2].collections, a.gen[2].collections);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 1);
    TC_COLLECT(0); /* gen 0 collections do not touch gen 1 objects */
    TC_EQ(gen_of(o), 1);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[1], 2);
    TC_COLLECT(1);
    TC_EQ(gen_of(o), 2);
    hb_gc_stats d = tc_stats();
    TC_EQ(d.gen[0].collections, a.gen[0].collections + 2);
    TC_EQ(d.gen[1].collections, a.gen[1].collections + 1);
    TC_EQ(d.gen[2].collections, a.gen[2].collections);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 1);
    TC_COLLECT(2);
    TC_EQ(gen_of(o), 2); /* the oldest stays */
    hb_gc_stats e = tc_stats();
    TC_EQ(e.gen[2].collections, a.gen[2].collections + 1);
    TC_EQ(e.gen[1].collections, d.gen[1].collections);
    TC_EQ(e.gen[0].collections, d.gen[0].collections);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 0);
    /* A young object referenced from an old one survives a young collection
     * and is promoted. */
    hb_obj *holder = new_tracked(gc, 2, NULL);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(gen_of(holder), 2);
    TC_EQ(hb_gc_is_tracked(gc, holder), 1);
    {
        hb_scope t = hb_scope_enter(gc);
        uint64_t yid;
        hb_obj *y = new_tracked(gc, 1, &yid);
        hb_set(gc, holder, 0, y);
        hb_scope_leave(gc, t);
        TC_COLLECT(0);
        TC_EQ(tc_freed(yid), 0);
        TC_EQ(gen_of(hb_slot(holder, 0)), 1);
        TC_EQ(tc_id(hb_slot(holder, 0)), yid);
    }
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

/* ---- get_count --------------------------------------------------------------------- */

static void c_get_count(hb_gc *gc)
{
    if (TC_HAS(HB_GC_INCREMENTAL)) {
        inc_get_count(gc);
        return;
    }
    long c[3] = {-7, -7, -7};
    if (!TC_HAS(HB_GC_GENERATIONS)) {
        if (TC_HAS(HB_GC_TRACING) && !TC_HAS(HB_GC_OWN_HEAP)) {
            TC_COLLECT(HB_GC_FULL);
            TC_EQ(hb_gc_get_count(gc, c), 0);
            TC_EQ(c[0], 0);
            hb_scope s = hb_scope_enter(gc);
            alloc_kept(gc, 25);
            hb_scope_leave(gc, s); /* drops do not count down under tracing */
            TC_EQ(hb_gc_get_count(gc, c), 0);
            TC_EQ(c[0], 25);
            TC_COLLECT(HB_GC_FULL);
            TC_EQ(hb_gc_get_count(gc, c), 0);
            TC_EQ(c[0], 0);
            tc_recorded("get_count: objects allocated since the last collection in c[0]");
        } else {
            TC_EQ(hb_gc_get_count(gc, c), -ENOTSUP);
            tc_recorded("get_count is -ENOTSUP");
        }
        return;
    }
    hb_gc_disable(gc);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 0);
    hb_scope s = hb_scope_enter(gc);
    alloc_kept(gc, 10);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 10);
    hb_scope t = hb_scope_enter(gc);
    alloc_kept(gc, 4);
    hb_scope_leave(gc, t); /* 4 allocations, 4 deallocations */
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 10);
    /* Atoms (no slots: CPython's ints and strings are not GC objects) do
     * not count, alive or dead. */
    hb_scope u = hb_scope_enter(gc);
    for (int i = 0; i < 5; i++)
        tc_new(gc, &tc_plain, 0, NULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 10);
    hb_scope_leave(gc, u);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 10);
    /* A cycle: allocations count, and it is not deallocated until collected. */
    hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    hb_set(gc, a, 0, a);
    hb_handle_set(gc, s + 10, NULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 11); /* 11 allocations; the self-cycle is not deallocated */
    for (int i = 0; i < 3; i++)
        TC_COLLECT(0);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 3);
    TC_EQ(c[2], 0);
    TC_COLLECT(1);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 1);
    hb_scope_leave(gc, s);
    hb_gc_enable(gc);
}

/* ---- disabled / threshold_zero ------------------------------------------------------- */

static void no_auto_over_10k(hb_gc *gc, const char *how)
{
    uint64_t before = total_collections();
    hb_gc_stats s0 = tc_stats();
    hb_scope s = hb_scope_enter(gc);
    /* 10000 allocations: 5000 kept, 5000 in self-cycles dropped at once. */
    for (int i = 0; i < 5000; i++) {
        tc_new(gc, &tc_plain, 1, NULL);
        hb_scope t = hb_scope_enter(gc);
        hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_set(gc, o, 0, o);
        hb_scope_leave(gc, t);
    }
    if (!TC_HAS(HB_GC_OWN_HEAP))
        TC_EQ(total_collections(), before);
    if (TC_HAS(HB_GC_GENERATIONS)) {
        long c[3];
        TC_EQ(hb_gc_get_count(gc, c), 0);
        TC_EQ(c[0], 10000);
    }
    /* An explicit collection still runs and reclaims the 5000 cycles. */
    hb_handle w0 = HB_NO_HANDLE;
    if (!T.have_hook) {
        /* boehm: watch 100 dropped objects through weak references. */
        w0 = hb_scope_enter(gc);
        for (int i = 0; i < 100; i++) {
            hb_scope t = hb_scope_enter(gc);
            hb_handle o = tc_new(gc, &tc_plain, 1, NULL);
            hb_handle w = hb_weakref_new(gc, hb_get(gc, o), NULL, NULL);
            hb_scope_leave_keep(gc, t, w);
        }
        clobber_stack();
    }
    long n = TC_COLLECT(HB_GC_FULL);
    if (!T.have_hook) {
        int cleared = 0;
        for (int i = 0; i < 100; i++)
            cleared += hb_weakref_get(gc, hb_get(gc, w0 + (hb_handle)i)) == NULL;
        TC_ASSERT(cleared >= 50, "%s: an explicit collection reclaimed only %d of 100 dropped "
                  "objects: it must run even when automatic collection is off", how, cleared);
    }
    hb_gc_stats s1 = tc_stats();
    if (TC_HAS(HB_GC_CYCLES) && T.have_hook) {
        TC_EQ(n, 5000);
        TC_EQ(tc_freed_total(), 5000);
        TC_EQ(s1.live_objects, s0.live_objects + 5000);
    } else if (!TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(n, 0);
        TC_EQ(s1.leaked_objects, 5000);
    }
    if (!TC_HAS(HB_GC_OWN_HEAP) && hb_gc_generations(gc) > 0)
        TC_EQ(total_collections(), before + 1);
    if (!TC_HAS(HB_GC_GENERATIONS))
        tc_recorded("%s: no automatic collection over 10000 allocations (%s)", how,
                    TC_HAS(HB_GC_OWN_HEAP) ? "libgc disabled"
                    : TC_HAS(HB_GC_TRACING) ? "volume trigger off" : "never collects");
    hb_scope_leave(gc, s);
}

static void c_disabled(hb_gc *gc)
{
    hb_gc_disable(gc);
    TC_ASSERT(!hb_gc_isenabled(gc), "disable");
    no_auto_over_10k(gc, "disabled");
    hb_gc_enable(gc);
}

static void c_threshold_zero(hb_gc *gc)
{
    long t[3];
    if (hb_gc_get_threshold(gc, t) == -ENOTSUP) {
        long z = 0;
        TC_EQ(hb_gc_set_threshold(gc, 1, &z), -ENOTSUP);
        tc_recorded("no thresholds (-ENOTSUP): nothing to set to 0");
        return;
    }
    long z = 0;
    TC_EQ(hb_gc_set_threshold(gc, 1, &z), 0);
    if (TC_HAS(HB_GC_GENERATIONS)) {
        TC_ASSERT(hb_gc_isenabled(gc), "still enabled");
        no_auto_over_10k(gc, "threshold 0 = 0");
    } else {
        /* marksweep: t0 is a minimum volume; 0 leaves the trigger at live
         * bytes after the last collection: it still collects by itself. */
        uint64_t before = total_collections();
        for (int i = 0; i < 10000; i++) {
            hb_scope s = hb_scope_enter(gc);
            tc_new(gc, &tc_plain, 1, NULL);
            hb_scope_leave(gc, s);
        }
        tc_recorded("threshold 0 = 0 is a volume of 0 bytes, not 'off': %llu automatic collections "
                    "over 10000 allocations",
                    (unsigned long long)(total_collections() - before));
        TC_CHECK();
    }
}

/* ---- long_lived -------------------------------------------------------------------- */

static void c_long_lived(hb_gc *gc)
{
    if (TC_HAS(HB_GC_INCREMENTAL)) {
        inc_long_lived(gc);
        return;
    }
    if (!TC_HAS(HB_GC_GENERATIONS)) {
        hb_gc_stats a = tc_stats();
        TC_COLLECT(HB_GC_FULL);
        hb_gc_stats b = tc_stats();
        if (hb_gc_generations(gc) > 0)
            TC_EQ(b.gen[0].collections, a.gen[0].collections + 1);
        tc_recorded("no long-lived heuristic: an explicit full collection always runs");
        return;
    }
    hb_scope s = hb_scope_enter(gc);
    hb_gc_disable(gc);
    alloc_kept(gc, 10000);
    TC_COLLECT(HB_GC_FULL); /* long-lived total = 10000 (untracked ones count) */
    long t[3] = {10, 1, 1};
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    hb_gc_enable(gc);
    hb_gc_stats a = tc_stats();
    /* 2000 survivors: pending stays under 2500, no full collection. */
    alloc_tracked(gc, 2000);
    hb_gc_stats b = tc_stats();
    TC_ASSERT(b.gen[1].collections > a.gen[1].collections + 50,
              "gen-1 collections did not run (%llu -> %llu)",
              (unsigned long long)a.gen[1].collections, (unsigned long long)b.gen[1].collections);
    TC_EQ(b.gen[2].collections, a.gen[2].collections);
    long c[3];
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_ASSERT(c[2] > t[2], "count[2] = %ld: the full collection was due by the thresholds", c[2]);
    /* An explicit full collection runs regardless. */
    TC_COLLECT(HB_GC_FULL);
    hb_gc_stats b2 = tc_stats();
    TC_EQ(b2.gen[2].collections, b.gen[2].collections + 1);
    /* Now total = 12000: 3000 more survivors stay under 3000, and then 500
     * more exceed it. */
    alloc_tracked(gc, 2900);
    hb_gc_stats d = tc_stats();
    TC_EQ(d.gen[2].collections, b2.gen[2].collections);
    alloc_tracked(gc, 400);
    hb_gc_stats e = tc_stats();
    TC_ASSERT(e.gen[2].collections >= d.gen[2].collections + 1,
              "no automatic full collection after 3300 survivors over a long-lived total of 12000");
    TC_CHECK();
    hb_scope_leave(gc, s);
}

/* ---- stats --------------------------------------------------------------------------- */

static void tp_del_cycle(hb_gc *gc, int n_legacy, int n_tail)
{
    hb_scope s = hb_scope_enter(gc);
    hb_obj *first = NULL, *prev = NULL;
    for (int i = 0; i < n_legacy; i++) {
        hb_obj *o = hb_get(gc, tc_new(gc, &tc_legacy, 2, NULL));
        if (prev)
            hb_set(gc, prev, 0, o);
        else
            first = o;
        prev = o;
    }
    hb_set(gc, prev, 0, first);
    hb_obj *t = first;
    for (int i = 0; i < n_tail; i++) {
        hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_set(gc, t, 1, o);
        t = o;
    }
    hb_scope_leave(gc, s);
}

static void plain_cycles(hb_gc *gc, int k)
{
    hb_scope s = hb_scope_enter(gc);
    for (int i = 0; i < k; i++) {
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
    }
    hb_scope_leave(gc, s);
}

static void c_stats(hb_gc *gc)
{
    cbrec *rec = add_recorder(gc);
    hb_gc_disable(gc);
    int ngen = hb_gc_generations(gc);
    TC_EQ(tc_stats().generations, ngen);
    int gens[] = {0, 1, 2, HB_GC_FULL};
    bool convention_known = false, of_which = false;
    for (int gi = 0; gi < 4; gi++) {
        int g = gens[gi];
        if (g != HB_GC_FULL && g >= ngen)
            continue;
        int counted = g == HB_GC_FULL ? (ngen > 0 ? ngen - 1 : 0) : g;
        plain_cycles(gc, 3 + gi);
        bool garbage = TC_HAS(HB_GC_GARBAGE_LIST) && gi == 3;
        if (garbage)
            tp_del_cycle(gc, 2, 1);
        hb_gc_stats a = tc_stats();
        int starts = rec->starts;
        long n = TC_COLLECT(g);
        hb_gc_stats b = tc_stats();
        if (TC_HAS(HB_GC_OWN_HEAP)) {
            TC_EQ(n, 0);
            TC_EQ(rec->starts, starts + 1);
            TC_ASSERT(b.gen[0].collections >= a.gen[0].collections + 1, "collection not counted");
            TC_EQ(b.gen[0].collected, 0);
            continue;
        }
        if (ngen == 0) {
            /* refcount: collect only counts the leaked cycles. */
            TC_EQ(n, 0);
            TC_EQ(b.leaked_objects, 2 * (3 + gi));
            TC_EQ(rec->stops, rec->starts);
            tc_recorded("no generations: collect returns 0 and reports %zu leaked objects; "
                        "it %s the gc callbacks", b.leaked_objects,
                        rec->starts > starts ? "calls" : "does not call");
            continue;
        }
        TC_EQ(rec->starts, starts + 1);
        TC_EQ(rec->stops, rec->starts);
        TC_EQ(rec->last_gen, counted);
        for (int i = 0; i < HB_GC_NGEN; i++) {
            uint64_t want = a.gen[i].collections + (i == counted ? 1 : 0);
            TC_EQ(b.gen[i].collections, want);
        }
        uint64_t dcol = b.gen[counted].collected - a.gen[counted].collected;
        uint64_t dunc = b.gen[counted].uncollectable - a.gen[counted].uncollectable;
        TC_EQ(rec->last_collected, dcol);
        TC_EQ(rec->last_uncollectable, dunc);
        long expect_unreach = TC_HAS(HB_GC_CYCLES) ? 2 * (3 + gi) + (garbage ? 3 : 0) : 0;
        TC_EQ(n, expect_unreach);
        if (garbage) {
            TC_EQ(dunc, 3);
            TC_EQ(hb_gc_garbage_len(gc), 3);
            TC_EQ(b.garbage, 3);
            TC_ASSERT(dcol == (uint64_t)n || dcol + dunc == (uint64_t)n,
                      "collected %llu uncollectable %llu, collect returned %ld",
                      (unsigned long long)dcol, (unsigned long long)dunc, n);
            convention_known = true;
            of_which = dcol == (uint64_t)n;
        } else {
            TC_EQ(dunc, 0);
            TC_EQ(dcol, (uint64_t)n);
        }
        long c[3];
        if (TC_HAS(HB_GC_INCREMENTAL)) {
            /* (new objects, increments this cycle, cycles since full) */
            TC_EQ(hb_gc_get_count(gc, c), 0);
            TC_EQ(c[0], 0);
            if (counted == 1)
                TC_ASSERT(c[1] >= 1 || c[2] >= 1, "count %ld %ld after an increment", c[1], c[2]);
            if (counted == 2)
                TC_ASSERT(c[1] == 0 && c[2] == 0, "count %ld %ld after a full collection", c[1], c[2]);
        } else if (TC_HAS(HB_GC_GENERATIONS)) {
            TC_EQ(hb_gc_get_count(gc, c), 0);
            TC_EQ(c[0], 0);
            for (int i = 1; i <= counted; i++)
                TC_EQ(c[i], 0);
            if (counted < 2)
                TC_ASSERT(c[counted + 1] >= 1, "count[%d] = %ld after a gen-%d collection",
                          counted + 1, c[counted + 1], counted);
        }
        TC_EQ(b.pauses, a.pauses + 1);
        size_t np = 0;
        const hb_gc_pause *p = hb_gc_pauses(gc, &np);
        TC_ASSERT(np >= 1 && p != NULL, "pause log empty after a collection");
        if (ngen > 0)
            TC_EQ(p[np - 1].generation, counted);
        TC_ASSERT(b.pause_total_ns >= a.pause_total_ns + p[np - 1].ns, "pause total");
        TC_ASSERT(b.pause_max_ns >= p[np - 1].ns, "pause max");
        TC_EQ(hb_gc_pause_total_ns(gc), b.pause_total_ns);
    }
    if (convention_known)
        tc_recorded("stats: 'collected' %s the uncollectable objects",
                    of_which ? "includes" : "excludes (CPython's convention)");
    /* The garbage list: break its cycle and clear it, so nothing is left. */
    if (hb_gc_garbage_len(gc) > 0) {
        for (size_t i = 0; i < hb_gc_garbage_len(gc); i++) {
            hb_obj *o = hb_gc_garbage_get(gc, i);
            if (o->type == &tc_legacy)
                hb_set(gc, o, 0, NULL);
        }
        TC_ASSERT(hb_gc_garbage_get(gc, hb_gc_garbage_len(gc)) == NULL, "out of range get");
        hb_gc_garbage_clear(gc);
        TC_EQ(hb_gc_garbage_len(gc), 0);
        TC_COLLECT(HB_GC_FULL);
        if (TC_HAS(HB_GC_REFCOUNT)) {
            TC_EQ(hb_gc_garbage_len(gc), 0); /* freed by their counts */
        } else {
            TC_EQ(hb_gc_garbage_len(gc), 3);
            tc_recorded("unreachable tp_del objects go back to the garbage list at every "
                        "collection (tracing: uncollectable until close)");
        }
    }
    hb_gc_pause_reset(gc);
    size_t np = 99;
    hb_gc_pauses(gc, &np);
    TC_EQ(np, 0);
    TC_EQ(hb_gc_callback_remove(gc, recorder, rec), 0);
    hb_gc_enable(gc);
}

/* ---- freeze ------------------------------------------------------------------------- */

static void c_freeze(hb_gc *gc)
{
    if (!TC_HAS(HB_GC_GENERATIONS)) {
        TC_EQ(hb_gc_freeze(gc), -ENOTSUP);
        TC_EQ(hb_gc_unfreeze(gc), -ENOTSUP);
        TC_EQ(hb_gc_get_freeze_count(gc), -ENOTSUP);
        TC_EQ(tc_stats().frozen, 0);
        tc_recorded("freeze, unfreeze and get_freeze_count are -ENOTSUP");
        return;
    }
    hb_scope s = hb_scope_enter(gc);
    hb_gc_disable(gc);
    alloc_kept(gc, 50);
    TC_COLLECT(0);
    alloc_kept(gc, 30); /* objects in gen 0 and gen 1 */
    uint64_t cid;
    hb_handle ch = tc_new(gc, &tc_plain, 1, &cid); /* a self-cycle, still held */
    hb_set(gc, hb_get(gc, ch), 0, hb_get(gc, ch));
    size_t live = tc_stats().live_objects;
    TC_EQ(hb_gc_get_freeze_count(gc), 0);
    TC_EQ(hb_gc_freeze(gc), 0);
    TC_CHECK();
    TC_EQ(hb_gc_get_freeze_count(gc), live);
    TC_EQ(tc_stats().frozen, live);
    for (hb_handle h = s; h < s + 81; h++)
        TC_EQ(gen_of(hb_get(gc, h)), 3);
    /* Drop the cycle: frozen, no collection visits it. */
    hb_handle_set(gc, ch, NULL);
    for (int g = 0; g < 3; g++)
        TC_EQ(TC_COLLECT(g), 0);
    TC_EQ(TC_COLLECT(HB_GC_FULL), 0);
    TC_EQ(tc_freed(cid), 0);
    /* New objects go to generation 0 as usual. */
    hb_obj *n = new_tracked(gc, 1, NULL);
    TC_EQ(gen_of(n), 0);
    TC_EQ(hb_gc_get_freeze_count(gc), live);
    TC_EQ(hb_gc_unfreeze(gc), 0);
    TC_CHECK();
    TC_EQ(hb_gc_get_freeze_count(gc), 0);
    TC_EQ(tc_stats().frozen, 0);
    for (hb_handle h = s; h < s + 80; h++)
        TC_EQ(gen_of(hb_get(gc, h)), 2);
    TC_EQ(TC_COLLECT(HB_GC_FULL), 1); /* the cycle, now visible */
    TC_EQ(tc_freed(cid), 1);
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

/* ---- untracking ------------------------------------------------------------------ */


static void c_untracking(hb_gc *gc)
{
    if (TC_HAS(HB_GC_INCREMENTAL)) {
        inc_untracking(gc);
        return;
    }
    hb_scope s = hb_scope_enter(gc);
    hb_obj *leaf = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
    if (!TC_HAS(HB_GC_GENERATIONS)) {
        TC_EQ(hb_gc_is_tracked(gc, leaf), -ENOTSUP);
        tc_recorded("no untracking: is_tracked is -ENOTSUP");
        hb_scope_leave(gc, s);
        return;
    }
    hb_gc_disable(gc);
    TC_COLLECT(HB_GC_FULL);
    long c[3];
    /* Born with NULL slots: untracked, but counted as an allocation. */
    leaf = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
    TC_EQ(hb_gc_is_tracked(gc, leaf), 0);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 1);
    /* Storing a reference tracks it again, in generation 0. */
    hb_obj *atom = hb_get(gc, tc_new(gc, &tc_plain, 0, NULL));
    hb_set(gc, leaf, 0, atom);
    TC_EQ(hb_gc_is_tracked(gc, leaf), 1);
    TC_EQ(gen_of(leaf), 0);
    TC_CHECK();
    /* A young collection untracks it (its slots hold untracked objects)
     * instead of promoting it; the objects of generation 1 stay. */
    hb_obj *held = new_tracked(gc, 2, NULL);
    hb_set(gc, held, 0, leaf);
    TC_EQ(TC_COLLECT(0), 0);
    TC_EQ(hb_gc_is_tracked(gc, leaf), 0);
    TC_EQ(hb_gc_is_tracked(gc, held), 1);
    TC_EQ(gen_of(held), 1);
    TC_CHECK();
    /* Untracked once by a young collection, tracked again by a store: young
     * collections promote it like any other (a growing container is not
     * rescanned by each of them); a full collection untracks it again. */
    {
        hb_obj *box = hb_get(gc, tc_new(gc, &tc_plain, 64, NULL));
        hb_set(gc, box, 0, atom);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(hb_gc_is_tracked(gc, box), 0);
        hb_set(gc, box, 1, atom);
        TC_EQ(hb_gc_is_tracked(gc, box), 1);
        TC_EQ(gen_of(box), 0);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(hb_gc_is_tracked(gc, box), 1);
        TC_EQ(gen_of(box), 1);
        TC_EQ(TC_COLLECT(1), 0);
        TC_EQ(gen_of(box), 2);
        TC_EQ(TC_COLLECT(HB_GC_FULL), 0);
        TC_EQ(hb_gc_is_tracked(gc, box), 0);
        TC_CHECK();
    }
    /* Trees, edges stored either way: one young collection untracks them
     * whole; nothing is freed. */
    for (int order = 0; order < 2; order++) {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *root = tc_tree(gc, 8, order == 1);
        TC_ASSERT(tc_count_tracked(gc, root) > 100, "edges were stored: tracked nodes expected");
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(tc_count_tracked(gc, root), 0);
        TC_CHECK();
        hb_scope_leave(gc, t);
    }
    /* A cycle closed through an object untracked earlier: young
     * collections see its tracked member held from outside (by the
     * untracked one) and keep it; a full collection, which examines the
     * untracked objects too, finds the cycle. */
    {
        uint64_t aid, bid;
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, &aid));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_plain, 1, &bid));
        hb_set(gc, a, 0, b);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(hb_gc_is_tracked(gc, a), 0);
        TC_EQ(hb_gc_is_tracked(gc, b), 0);
        hb_set(gc, b, 0, a); /* closes a -> b -> a: b is tracked again */
        TC_EQ(hb_gc_is_tracked(gc, b), 1);
        TC_EQ(hb_gc_is_tracked(gc, a), 0);
        hb_scope_leave(gc, t);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(TC_COLLECT(1), 0);
        TC_EQ(tc_freed(aid) + tc_freed(bid), 0);
        TC_EQ(TC_COLLECT(HB_GC_FULL), 2);
        TC_EQ(tc_freed(aid), 1);
        TC_EQ(tc_freed(bid), 1);
    }
    /* Objects a collection must see as garbage stay tracked until it has
     * looked: one with a finalizer hanging off a cycle is found and
     * finalized by the young collection that frees the cycle. */
    {
        uint64_t fid;
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = new_tracked(gc, 2, NULL);
        hb_obj *f = hb_get(gc, tc_new(gc, &tc_fin, 1, &fid));
        hb_set(gc, f, 0, hb_get(gc, tc_new(gc, &tc_plain, 0, NULL)));
        hb_set(gc, a, 0, f);
        hb_scope_leave(gc, t);
        TC_EQ(TC_COLLECT(0), 2); /* a and f; the atom was never tracked */
        TC_EQ(tc_finalized(fid), 1);
        TC_EQ(tc_freed(fid), 1);
    }
    TC_CHECK();
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

static const tc_case cases[] = {
    {"thresholds", c_thresholds},
    {"auto_gen0", c_auto_gen0},
    {"promotion", c_promotion},
    {"get_count", c_get_count},
    {"disabled", c_disabled},
    {"threshold_zero", c_threshold_zero},
    {"long_lived", c_long_lived},
    {"stats", c_stats},
    {"freeze", c_freeze},
    {"untracking", c_untracking},
};

int main(int argc, char **argv)
{
    return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]);
}
