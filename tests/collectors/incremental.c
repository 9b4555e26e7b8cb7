/*
 * incremental.c: the rules of the incremental collector's own design
 * (collectors/incremental.c), one CTest test each, gc.incremental.<rule>:
 *
 *   closure      a garbage cycle larger than an increment's budget is taken
 *                whole by one increment (never split between two), and
 *                the excess is charged to the next ones; a cycle between
 *                a young object and a pending one is found within two
 *                cycles.
 *   mark_alive   at the start of a cycle the objects reachable from the
 *                roots are marked (moved to the visited space) before any
 *                increment takes a pending object; the increments then
 *                take only what marking did not reach, and free the
 *                garbage among it.
 *   increment    collect(1) is one increment: one pause, one collection of
 *                generation 1, the young objects included, within its work
 *                credit; repeated, it completes cycles.
 *   floating     an object that dies after marking reached it is floating
 *                garbage: kept to the end of the cycle, freed by the next.
 *   gate         after a cycle ends, automatic collections are young
 *                collections until the old generation has grown by
 *                threshold2 percent; then the next cycle starts; with
 *                threshold2 = 0 cycles run back to back (CPython 3.14);
 *                an explicit collect(1) starts a cycle at once.
 *   check        hb_gc_check holds between the increments of a cycle,
 *                while marking is half done (gray objects) and after a
 *                freeze in the middle of one.
 *   recent       (gen-inc) while the old cycle waits for growth, the
 *                automatic increments examine what young collections
 *                promoted since the last increment: a garbage cycle that
 *                survived a young collection is freed within the next
 *                two automatic collections, no cycle started, no full
 *                collection.
 * Which collectors run which rule: tests/collectors/CMakeLists.txt (the
 * incremental family shares this file; incremental-3.14 marks in one step
 * and has no gate, gen-inc's waiting increments take recent objects).
 */
#include "incremental_rules.h"

#include <stdio.h>
#include <string.h>

/* A ring of n tracked objects; returns its first node (held in the scope). */
static hb_obj *ring(hb_gc *gc, int n, uint64_t *first_id)
{
    hb_obj *first = hb_get(gc, tc_new(gc, &tc_plain, 1, first_id)), *prev = first;
    for (int i = 1; i < n; i++) {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_set(gc, prev, 0, o);
        prev = o;
        hb_scope_leave(gc, t);
    }
    hb_set(gc, prev, 0, first);
    return first;
}

static void c_closure(hb_gc *gc)
{
    hb_gc_disable(gc);
    hb_scope s = hb_scope_enter(gc);
    for (int i = 0; i < 1000; i++)
        inc_new_tracked(gc, 1, NULL); /* live objects, so that marking has work */
    hb_handle rh = hb_scope_enter(gc);
    uint64_t rid;
    ring(gc, 6000, &rid);
    TC_COLLECT(HB_GC_FULL);        /* the ring survives, pending in the new cycle */
    hb_handle_set(gc, rh, NULL);   /* now it is garbage */
    size_t before = tc_freed_total();
    int calls = 0;
    bool seen_whole = false;
    long credit_after = 0;
    while (tc_freed(rid) == 0) {
        TC_ASSERT(++calls < 1000, "the ring was not collected in 1000 increments");
        size_t f0 = tc_freed_total();
        TC_COLLECT(1);
        size_t df = tc_freed_total() - f0;
        TC_ASSERT(df == 0 || df == 6000, "an increment freed %zu of the ring's 6000 objects", df);
        if (df == 6000) {
            hb_inc_probe p = inc_probe(gc);
            TC_ASSERT(p.pulled >= 6000, "the ring was freed by an increment that took %zu objects",
                      p.pulled);
            TC_ASSERT(p.credit < 6000, "the credit (%ld) covered the ring: the test shows nothing",
                      p.credit);
            seen_whole = true;
            TC_COLLECT(1);
            credit_after = inc_probe(gc).credit;
        }
    }
    TC_ASSERT(seen_whole, "ring freed");
    TC_EQ(tc_freed_total() - before, 6000);
    /* The excess was charged: the next credit is below one assessment. */
    TC_ASSERT(credit_after < 700, "credit %ld after a closure of 6000", credit_after);
    TC_CHECK();

    /* A cycle between a young object and a pending one. */
    {
        uint64_t oid, yid;
        hb_scope t = hb_scope_enter(gc);
        hb_obj *old = inc_new_tracked(gc, 2, &oid);
        TC_COLLECT(HB_GC_FULL); /* old: pending in the new cycle */
        hb_obj *y = inc_new_tracked(gc, 2, &yid);
        hb_set(gc, old, 0, y);
        hb_set(gc, y, 0, old);
        hb_scope_leave(gc, t);
        for (int cyc = 0; cyc < 3 && tc_freed(oid) == 0; cyc++)
            inc_finish_cycle(gc, 1000);
        TC_EQ(tc_freed(oid), 1);
        TC_EQ(tc_freed(yid), 1);
    }
    tc_recorded("a 6000-object garbage ring was freed whole by one increment (credit below 6000), "
                "after %d increments", calls);
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

static void c_mark_alive(hb_gc *gc)
{
    hb_gc_disable(gc);
    hb_scope s = hb_scope_enter(gc);
    /* A live chain of 3000 tracked objects held by one handle, and 500
     * garbage self-cycles. */
    hb_obj *head = inc_new_tracked(gc, 2, NULL), *prev = head;
    for (int i = 1; i < 3000; i++) {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *o = inc_new_tracked(gc, 2, NULL);
        hb_set(gc, prev, 0, o);
        prev = o;
        hb_scope_leave(gc, t);
    }
    hb_handle gh = hb_scope_enter(gc);
    for (int i = 0; i < 500; i++)
        inc_new_tracked(gc, 1, NULL);
    /* A credit of 500 + 3500 / 100 per increment: marking the chain takes
     * several of them, and the one that ends it cannot also end the cycle. */
    long t[HB_GC_NGEN] = {500, 10, 0};
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    TC_COLLECT(HB_GC_FULL); /* everything pending; the cycle starts with marking */
    hb_scope_leave(gc, gh); /* the self-cycles are garbage now */
    TC_ASSERT(inc_probe(gc).marking, "a new cycle starts with marking");
    int steps = 0, scans = 0;
    size_t pulled = 0, freed0 = tc_freed_total();
    uint64_t swaps0 = inc_probe(gc).swaps;
    while (inc_probe(gc).marking) {
        TC_ASSERT(++steps < 1000, "marking did not end");
        TC_COLLECT(1);
        hb_inc_probe p = inc_probe(gc);
        TC_EQ(p.swaps, swaps0);
        if (p.marking)
            TC_EQ(p.pulled, 0); /* no pending object is taken while marking */
    }
    TC_ASSERT(steps > 1, "marking took one collection: the test shows nothing");
    pulled = inc_probe(gc).pulled;
    /* Every live object is visited now. */
    int v = inc_probe(gc).visited;
    for (hb_obj *o = head; o != NULL; o = hb_slot(o, 0))
        TC_EQ(inc_gen(o), 1 + v);
    TC_EQ(inc_probe(gc).gray, 0);
    /* The increments take only what marking left: the garbage. */
    uint64_t swaps = inc_probe(gc).swaps;
    while (inc_probe(gc).swaps == swaps) {
        TC_ASSERT(++scans < 1000, "the cycle did not end");
        TC_COLLECT(1);
        pulled += inc_probe(gc).pulled;
    }
    TC_ASSERT(pulled <= 500, "increments took %zu pending objects; marking left 500 (garbage)", pulled);
    TC_EQ(tc_freed_total() - freed0, 500);
    TC_CHECK();
    tc_recorded("marking took %d collections; the increments then took %zu objects, all garbage", steps,
                pulled);
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

static void c_increment(hb_gc *gc)
{
    hb_gc_disable(gc);
    hb_scope s = hb_scope_enter(gc);
    for (int i = 0; i < 5000; i++)
        inc_new_tracked(gc, 1, NULL);
    TC_COLLECT(HB_GC_FULL);
    hb_gc_pause_reset(gc);
    uint64_t swaps = inc_probe(gc).swaps;
    for (int k = 0; k < 50; k++) {
        /* Young garbage: 10 self-cycles per increment, found by it. */
        hb_scope t = hb_scope_enter(gc);
        for (int i = 0; i < 10; i++)
            inc_new_tracked(gc, 1, NULL);
        hb_scope_leave(gc, t);
        hb_gc_stats a = tc_stats();
        long n = TC_COLLECT(1);
        hb_gc_stats b = tc_stats();
        TC_EQ(n, 10);
        TC_EQ(b.gen[1].collections, a.gen[1].collections + 1);
        TC_EQ(b.gen[0].collections, a.gen[0].collections);
        TC_EQ(b.pauses, a.pauses + 1);
        hb_inc_probe p = inc_probe(gc);
        TC_ASSERT((long)(p.marked + p.pulled) <= p.credit + 2, "marked %zu, took %zu, credit %ld",
                  p.marked, p.pulled, p.credit);
        /* Explicit increments are assessed as threshold0 new objects. */
        TC_ASSERT(p.credit >= 700, "credit %ld", p.credit);
    }
    size_t np;
    const hb_gc_pause *pl = hb_gc_pauses(gc, &np);
    TC_EQ(np, 50);
    TC_EQ(pl[0].generation, 1);
    TC_ASSERT(inc_probe(gc).swaps > swaps, "50 increments over 5000 objects completed no cycle");
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

static void c_floating(hb_gc *gc)
{
    hb_gc_disable(gc);
    hb_scope s = hb_scope_enter(gc);
    uint64_t id;
    hb_handle h = hb_scope_enter(gc);
    hb_obj *o = inc_new_tracked(gc, 1, &id);
    (void)o;
    /* 5000 pending garbage self-cycles, and a credit of about 150 per
     * increment: the cycle outlasts marking by many increments. */
    hb_scope g = hb_scope_enter(gc);
    for (int i = 0; i < 5000; i++)
        inc_new_tracked(gc, 1, NULL);
    long t[HB_GC_NGEN] = {100, 10, 0};
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    TC_COLLECT(HB_GC_FULL);
    hb_scope_leave(gc, g);
    /* Mark until o is visited, then drop it: a self-cycle, garbage. */
    uint64_t swaps0 = inc_probe(gc).swaps;
    for (int i = 0; i < 1000 && inc_probe(gc).marking; i++)
        TC_COLLECT(1);
    TC_EQ(inc_probe(gc).swaps, swaps0);
    int v = inc_probe(gc).visited;
    TC_EQ(inc_gen(hb_get(gc, h)), 1 + v);
    hb_handle_set(gc, h, NULL);
    uint64_t swaps = inc_probe(gc).swaps;
    while (inc_probe(gc).swaps == swaps)
        TC_COLLECT(1);
    TC_EQ(tc_freed(id), 0); /* floating garbage: visited this cycle */
    inc_finish_cycle(gc, 1000);
    TC_EQ(tc_freed(id), 1);
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

static void c_gate(hb_gc *gc)
{
    long t[HB_GC_NGEN] = {10, 10, 25};
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    hb_scope s = hb_scope_enter(gc);
    for (int i = 0; i < 4000; i++) /* an old generation of 4000 */
        inc_new_tracked(gc, 1, NULL);
    TC_COLLECT(HB_GC_FULL);
    inc_finish_cycle(gc, 10000); /* explicit increments: a cycle, then the wait */
    hb_inc_probe p = inc_probe(gc);
    TC_ASSERT(p.waiting, "a completed cycle does not wait for growth");
    TC_CHECK();
    size_t limit = p.base + p.base / 100 * 25;
    uint64_t swaps = p.swaps, inc0 = tc_stats().gen[1].collections;
    /* Survivors drive automatic collections (one per 11): 50 of them, 550
     * survivors, under 25% of the old generation: young collections only. */
    while (tc_stats().gen[1].collections < inc0 + 50) {
        uint64_t before = tc_stats().gen[1].collections;
        inc_new_tracked(gc, 1, NULL);
        p = inc_probe(gc);
        TC_ASSERT(p.waiting, "the cycle started at %zu old objects, below %zu", p.old, limit);
        if (tc_stats().gen[1].collections != before) { /* that one was a young collection */
            TC_EQ(p.marked, 0);
            TC_EQ(p.pulled, 0);
        }
    }
    TC_ASSERT(p.old <= limit, "old generation %zu", p.old);
    TC_EQ(p.swaps, swaps);
    TC_CHECK();
    /* More survivors: the first automatic collection past 25% starts it. */
    int n = 0;
    while (inc_probe(gc).waiting) {
        TC_ASSERT(++n < 100000, "the cycle never started");
        size_t before = inc_probe(gc).old;
        inc_new_tracked(gc, 1, NULL);
        if (!inc_probe(gc).waiting)
            TC_ASSERT(before > limit, "started at %zu old objects, not above %zu", before, limit);
    }
    TC_ASSERT(inc_probe(gc).marked > 0, "the first increment of the cycle marked nothing");
    TC_CHECK();
    /* threshold2 0: a completed cycle does not wait. */
    t[2] = 0;
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    inc_finish_cycle(gc, 10000);
    TC_ASSERT(!inc_probe(gc).waiting, "threshold2 0 waits");
    /* An explicit increment starts a waiting cycle at once. */
    t[2] = 25;
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    inc_finish_cycle(gc, 10000);
    TC_ASSERT(inc_probe(gc).waiting, "no wait after a cycle");
    TC_COLLECT(1);
    TC_ASSERT(!inc_probe(gc).waiting && inc_probe(gc).marked > 0, "collect(1) did not start the cycle");
    TC_CHECK();
    hb_scope_leave(gc, s);
}

static void c_check(hb_gc *gc)
{
    long t[3] = {50, 10, 0};
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    hb_scope s = hb_scope_enter(gc);
    tc_rng r = {12345};
    bool saw_gray = false;
    for (int i = 0; i < 20000; i++) {
        hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
        hb_scope n = hb_scope_enter(gc);
        if (i > 0 && tc_below(&r, 3) == 0) {
            hb_obj *p = hb_get(gc, s + (hb_handle)tc_below(&r, (uint64_t)(hb_scope_enter(gc) - s - 1)));
            hb_set(gc, o, (uint32_t)tc_below(&r, 2), p);
        }
        if (tc_below(&r, 4) == 0)
            hb_set(gc, o, 1, o);
        hb_scope_leave(gc, n);
        if (i % 4 == 0 && hb_scope_enter(gc) - s > 200)
            hb_handle_set(gc, s + (hb_handle)tc_below(&r, 200), NULL);
        if (i % 97 == 0) {
            if (inc_probe(gc).gray > 0)
                saw_gray = true;
            TC_CHECK();
        }
        if (i == 10000) {
            TC_EQ(hb_gc_freeze(gc), 0); /* in the middle of a cycle */
            TC_CHECK();
            TC_EQ(hb_gc_unfreeze(gc), 0);
            TC_CHECK();
        }
    }
    TC_ASSERT(saw_gray, "no check ran while marking was half done");
    TC_COLLECT(HB_GC_FULL);
    hb_scope_leave(gc, s);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(tc_stats().live_objects, 0);
}

static void c_recent(hb_gc *gc)
{
    TC_ASSERT(inc_is_gen_inc(gc), "gen-inc's rule");
    hb_scope s = hb_scope_enter(gc);
    hb_gc_disable(gc);
    for (int i = 0; i < 3000; i++)
        inc_new_tracked(gc, 1, NULL);
    TC_COLLECT(HB_GC_FULL);
    inc_finish_cycle(gc, 1000); /* an automatic-style end: the next cycle waits */
    TC_ASSERT(inc_probe(gc).waiting, "no wait after a cycle (threshold2 100)");
    uint64_t aid, bid;
    {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = inc_new_tracked(gc, 1, &aid);
        hb_obj *b = inc_new_tracked(gc, 1, &bid);
        hb_set(gc, a, 0, b);
        hb_set(gc, b, 0, a);
        TC_COLLECT(0); /* survives: promoted, pending */
        hb_scope_leave(gc, t);
    }
    TC_EQ(tc_freed(aid) + tc_freed(bid), 0);
    TC_CHECK();
    long t[3] = {32 << 10, 10, 25};
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    hb_gc_stats a0 = tc_stats();
    hb_gc_enable(gc);
    uint64_t autos = 0;
    while (tc_freed(aid) == 0 && autos < 2) {
        hb_scope u = hb_scope_enter(gc);
        tc_new(gc, &tc_plain, 1, NULL); /* garbage: nothing more is promoted */
        hb_scope_leave(gc, u);
        hb_gc_stats n = tc_stats();
        autos = n.gen[0].collections + n.gen[1].collections - a0.gen[0].collections - a0.gen[1].collections;
    }
    hb_gc_disable(gc);
    hb_inc_probe p = inc_probe(gc);
    TC_EQ(tc_freed(aid), 1);
    TC_EQ(tc_freed(bid), 1);
    TC_ASSERT(p.waiting, "an old cycle started");
    TC_EQ(tc_stats().gen[2].collections, a0.gen[2].collections);
    TC_CHECK();
    tc_recorded("a garbage cycle promoted by a young collection was freed by the automatic increment "
                "after %llu automatic collection(s), the old cycle still waiting", (unsigned long long)autos);
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

static const tc_case cases[] = {
    {"recent", c_recent},
    {"closure", c_closure},
    {"mark_alive", c_mark_alive},
    {"increment", c_increment},
    {"floating", c_floating},
    {"gate", c_gate},
    {"check", c_check},
};

int main(int argc, char **argv)
{
    return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]);
}
