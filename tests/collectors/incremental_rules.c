/*
 * incremental_rules.c: docs/conformance.md 2.6 - 2.10 (generations and gc control)
 * for the incremental collector, which has CPython 3.14's two generations
 * instead of three (see collectors/incremental.c):
 *
 *   thresholds   (700, 10, 25) by default, settable, bad values rejected.
 *   auto_gen0    an automatic collection runs when allocations minus
 *                deallocations exceed threshold 0; it is an increment
 *                (generation 1); young survivors move to the visited space.
 *   promotion    collect(0) moves young survivors to the visited space and
 *                counts generation 0; collect(1) runs one increment; the
 *                spaces swap when the pending one is done, and a live object
 *                is visited again in each cycle; collect(2) counts 2.
 *   get_count    (new objects, increments this cycle, cycles since the last
 *                full collection).
 *   long_lived   no long-lived heuristic and no automatic full collection:
 *                the old generation is examined in increments, each within
 *                the work CPython 3.14 assesses, and whole cycles complete.
 *   untracking   as generational, increments playing the young
 *                collections' part; a cycle closed through an object
 *                untracked earlier is found by increments alone.
 */
#include "incremental_rules.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

hb_inc_probe inc_probe(hb_gc *gc)
{
    hb_inc_probe p;
    memset(&p, 0, sizeof p);
    TC_ASSERT(hb__inc_probe(gc, &p) == 0, "no incremental probe for this collector");
    return p;
}

hb_obj *inc_new_tracked(hb_gc *gc, uint32_t nslots, uint64_t *id)
{
    hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, nslots, id));
    hb_set(gc, o, nslots - 1, o);
    return o;
}

int inc_finish_cycle(hb_gc *gc, int max)
{
    uint64_t swaps = inc_probe(gc).swaps;
    for (int i = 1; i <= max; i++) {
        TC_COLLECT(1);
        if (inc_probe(gc).swaps != swaps)
            return i;
    }
    TC_FAIL("no cycle completed in %d increments", max);
}

/* ---- thresholds ------------------------------------------------------------------------- */

bool inc_is_gen_inc(hb_gc *gc) { return strcmp(hb_gc_ops(gc)->name, "gen-inc") == 0; }

/* The defaults each collector of the incremental family documents. */
static void inc_defaults(hb_gc *gc, long want[3])
{
    const char *name = hb_gc_ops(gc)->name;
    if (strcmp(name, "incremental-3.14") == 0) {
        want[0] = 2000, want[1] = 10, want[2] = 0;
    } else if (inc_is_gen_inc(gc)) {
        want[0] = 64l << 10, want[1] = 10, want[2] = 100;
    } else {
        TC_ASSERT(strcmp(name, "incremental") == 0, "unknown incremental collector %s", name);
        want[0] = 700, want[1] = 10, want[2] = 25;
    }
}

void inc_thresholds(hb_gc *gc)
{
    long t[HB_GC_NGEN] = {-1, -1, -1}, c[HB_GC_NGEN], want[3];
    inc_defaults(gc, want);
    TC_EQ(hb_gc_generations(gc), 3);
    TC_EQ(hb_gc_get_threshold(gc, t), 0);
    TC_EQ(t[0], want[0]);
    TC_EQ(t[1], want[1]);
    TC_EQ(t[2], want[2]);
    long nt[3] = {100, 5, 3};
    TC_EQ(hb_gc_set_threshold(gc, 3, nt), 0);
    TC_EQ(hb_gc_get_threshold(gc, t), 0);
    TC_EQ(t[0], 100);
    TC_EQ(t[1], 5);
    TC_EQ(t[2], 3);
    long one = 200;
    TC_EQ(hb_gc_set_threshold(gc, 1, &one), 0);
    TC_EQ(hb_gc_get_threshold(gc, t), 0);
    TC_EQ(t[0], 200);
    TC_EQ(t[1], 5);
    long bad[3] = {10, -1, 10};
    TC_EQ(hb_gc_set_threshold(gc, 3, bad), -EINVAL);
    TC_EQ(hb_gc_set_threshold(gc, 4, nt), -EINVAL);
    TC_EQ(hb_gc_get_threshold(gc, t), 0);
    TC_EQ(t[0], 200);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(hb_gc_collect(gc, 3), -EINVAL);
    TC_EQ(hb_gc_collect(gc, -2), -EINVAL);
    tc_recorded("thresholds (%ld, %ld, %ld): t0 %s start a collection and t1 "
                "sizes an increment's slice of the old generation (heap / 10 / t1), as CPython 3.14; a cycle "
                "starts once the old generation grew by t2 percent (0: back to back, as 3.14)",
                want[0], want[1], want[2], inc_is_gen_inc(gc) ? "bytes allocated" : "new objects");
}

/* ---- auto_gen0 -------------------------------------------------------------------------- */

static int g_starts, g_last_gen;

static void recorder(hb_gc *gc, hb_gc_phase phase, const hb_gc_info *info, void *arg)
{
    (void)gc;
    (void)arg;
    if (phase == HB_GC_START) {
        g_starts++;
        g_last_gen = info->generation;
    }
}

static void geninc_auto(hb_gc *gc);

void inc_auto(hb_gc *gc)
{
    if (inc_is_gen_inc(gc)) {
        geninc_auto(gc);
        return;
    }
    long want[3];
    inc_defaults(gc, want);
    const int t0 = (int)want[0];
    hb_scope s = hb_scope_enter(gc);
    TC_COLLECT(HB_GC_FULL);
    long c[3];
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    g_starts = 0;
    TC_EQ(hb_gc_callback_add(gc, recorder, NULL), 0);
    hb_gc_stats s0 = tc_stats();
    hb_handle first = hb_scope_enter(gc);
    for (int i = 0; i < t0; i++)
        inc_new_tracked(gc, 1, NULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], t0);
    TC_EQ(g_starts, 0); /* t0 does not exceed t0 */
    tc_new(gc, &tc_plain, 1, NULL);
    if (g_starts == 0)
        tc_new(gc, &tc_plain, 1, NULL);
    TC_EQ(g_starts, 1);
    TC_EQ(g_last_gen, 1); /* an increment */
    TC_CHECK();
    hb_gc_stats s1 = tc_stats();
    TC_EQ(s1.gen[1].collections, s0.gen[1].collections + 1);
    TC_EQ(s1.gen[0].collections, s0.gen[0].collections);
    TC_EQ(s1.gen[2].collections, s0.gen[2].collections);
    hb_inc_probe p = inc_probe(gc);
    TC_ASSERT(p.young + p.marked >= (size_t)t0, "the increment took %zu young objects and marked %zu",
              p.young, p.marked);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_ASSERT(c[0] <= 1, "count[0] after the automatic collection is %ld", c[0]);
    TC_EQ(c[1] + c[2], 1); /* one increment, or the cycle it completed */
    /* Survivors left the young generation for the visited space (pending
     * once the cycle completed: marking in one step, as 3.14, may). */
    int space = c[2] == 1 ? p.visited ^ 1 : p.visited;
    for (hb_handle h = first; h < first + t0; h++)
        TC_EQ(inc_gen(hb_get(gc, h)), 1 + space);
    /* Deallocations count down. */
    TC_EQ(hb_gc_get_count(gc, c), 0);
    long base = c[0];
    hb_scope t = hb_scope_enter(gc);
    for (int i = 0; i < 100; i++)
        tc_new(gc, &tc_plain, 1, NULL);
    hb_scope_leave(gc, t);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], base);
    TC_EQ(hb_gc_callback_remove(gc, recorder, NULL), 0);
    tc_recorded("the automatic collection is an increment (generation 1) at allocation %d", t0 + 1);
    hb_scope_leave(gc, s);
}

/* gen-inc: an automatic collection runs when the bytes allocated since the
 * last collection exceed threshold 0, objects that died since counting as
 * much as live ones, atoms too; automatic collections alternate between a
 * young collection (generation 0) and an increment (generation 1). */
static size_t alloc_until_collection(hb_gc *gc, uint32_t nslots, int starts)
{
    size_t bytes = gc->rc->alloc_bytes; /* since the last collection */
    for (;;) {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, nslots, NULL));
        size_t size = hb_obj_size(o->nslots, o->nbytes);
        hb_set(gc, o, nslots - 1, o); /* garbage self-cycles: the young space is not empty */
        hb_scope_leave(gc, t);
        if (g_starts > starts) {
            TC_ASSERT(bytes > (size_t)(64 << 10) && bytes <= (size_t)(64 << 10) + size,
                      "collection after %zu bytes (threshold 65536, objects of %zu B)", bytes, size);
            return bytes;
        }
        bytes += size;
        TC_ASSERT(bytes < (size_t)(1 << 20), "no collection after %zu bytes (threshold 65536)", bytes);
    }
}

static void geninc_auto(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    TC_COLLECT(HB_GC_FULL);
    long t[3] = {64 << 10, 10, 25};
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    inc_finish_cycle(gc, 1000); /* no old cycle running: it waits for growth */
    TC_ASSERT(inc_probe(gc).waiting, "no wait after a cycle");
    g_starts = 0;
    TC_EQ(hb_gc_callback_add(gc, recorder, NULL), 0);
    hb_gc_stats s0 = tc_stats();
    /* Containers that die at once leave the young space empty: their
     * bytes start no collection (the budget starts over), as no old cycle
     * runs and nothing was promoted. */
    for (int i = 0; i < (1 << 20) / 64; i++) {
        hb_scope t = hb_scope_enter(gc);
        tc_new(gc, &tc_plain, 4, NULL);
        hb_scope_leave(gc, t);
    }
    TC_ASSERT(g_starts == 0, "%d collections (last of generation %d), young %zu", g_starts, g_last_gen,
              gc->rc->size[0]);
    /* Garbage cycles: net counts stay at 0, bytes trigger. */
    alloc_until_collection(gc, 4, 0);
    int first = g_last_gen;
    TC_ASSERT(first == 0 || first == 1, "automatic collection of generation %d", first);
    long c[3];
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_ASSERT(c[0] <= 1, "count[0] %ld after only garbage", c[0]);
    /* Atoms (no slots) do not count: 1 MiB of them, no collection. */
    for (int i = 0; i < (1 << 20) / 32; i++) {
        hb_scope t = hb_scope_enter(gc);
        tc_new(gc, &tc_plain, 0, NULL);
        hb_scope_leave(gc, t);
    }
    TC_EQ(g_starts, 1);
    alloc_until_collection(gc, 1, 1);
    TC_EQ(g_last_gen, first ^ 1);
    alloc_until_collection(gc, 2, 2);
    TC_EQ(g_last_gen, first);
    TC_CHECK();
    hb_gc_stats s1 = tc_stats();
    TC_EQ(s1.gen[0].collections + s1.gen[1].collections, s0.gen[0].collections + s0.gen[1].collections + 3);
    TC_EQ(s1.gen[2].collections, s0.gen[2].collections);
    /* Kept young objects survive the young collection, and leave the
     * young generation. */
    hb_handle keep = hb_scope_enter(gc);
    hb_obj *o = inc_new_tracked(gc, 1, NULL);
    while (g_starts < 5)
        tc_new(gc, &tc_plain, 1, NULL);
    TC_ASSERT(hb_get(gc, keep) == o && inc_gen(o) != 0, "kept object in generation %d", inc_gen(o));
    TC_CHECK();
    TC_EQ(hb_gc_callback_remove(gc, recorder, NULL), 0);
    tc_recorded("automatic collections by bytes of containers allocated (t0 = 65536 B: after 65536 B and "
                "one object, garbage cycles included, atoms not; none while the young space is empty); they "
                "alternate young (0) and increment (1), the first %d",
                first);
    hb_scope_leave(gc, s);
}

/* ---- promotion: young, increments, spaces ------------------------------------------------- */

void inc_promotion(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_gc_disable(gc);
    TC_COLLECT(HB_GC_FULL);
    hb_inc_probe p0 = inc_probe(gc);
    TC_ASSERT(p0.marking, "a full collection starts a new cycle with marking");
    int v0 = p0.visited;
    hb_obj *o = inc_new_tracked(gc, 1, NULL);
    TC_EQ(inc_gen(o), 0);
    hb_gc_stats a = tc_stats();
    TC_COLLECT(0);
    TC_EQ(inc_gen(o), 1 + v0);
    hb_gc_stats b = tc_stats();
    TC_EQ(b.gen[0].collections, a.gen[0].collections + 1);
    TC_EQ(b.gen[1].collections, a.gen[1].collections);
    TC_EQ(b.gen[2].collections, a.gen[2].collections);
    TC_COLLECT(0);
    TC_EQ(inc_gen(o), 1 + v0);
    /* Increments until the pending space is done: the spaces swap; o,
     * visited in this cycle, is pending in the next. */
    int n = inc_finish_cycle(gc, 1000);
    hb_gc_stats d = tc_stats();
    TC_EQ(d.gen[1].collections, b.gen[1].collections + (uint64_t)n);
    TC_EQ(inc_probe(gc).visited, v0 ^ 1);
    TC_EQ(inc_gen(o), 1 + v0);
    /* The next cycle visits it again (marked alive from its handle). */
    int n2 = inc_finish_cycle(gc, 1000);
    TC_EQ(inc_probe(gc).visited, v0);
    TC_EQ(inc_gen(o), 1 + (v0 ^ 1));
    TC_COLLECT(2);
    hb_gc_stats e = tc_stats();
    TC_EQ(e.gen[2].collections, d.gen[2].collections + 1);
    long c[3];
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 0);
    /* A young object referenced from an old one survives a young collection. */
    hb_obj *holder = inc_new_tracked(gc, 2, NULL);
    TC_COLLECT(HB_GC_FULL);
    {
        hb_scope t = hb_scope_enter(gc);
        uint64_t yid;
        hb_obj *y = inc_new_tracked(gc, 1, &yid);
        hb_set(gc, holder, 0, y);
        hb_scope_leave(gc, t);
        TC_COLLECT(0);
        TC_EQ(tc_freed(yid), 0);
        TC_EQ(inc_gen(hb_slot(holder, 0)), 1 + inc_probe(gc).visited);
    }
    tc_recorded("young survivors go to the visited space; the spaces swapped after %d and %d "
                "increments", n, n2);
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}

/* ---- get_count ----------------------------------------------------------------------------- */

void inc_get_count(hb_gc *gc)
{
    long c[3] = {-7, -7, -7};
    hb_gc_disable(gc);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 0);
    hb_scope s = hb_scope_enter(gc);
    for (int i = 0; i < 10; i++)
        tc_new(gc, &tc_plain, 1, NULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 10);
    hb_scope t = hb_scope_enter(gc);
    for (int i = 0; i < 4; i++)
        tc_new(gc, &tc_plain, 1, NULL);
    hb_scope_leave(gc, t);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 10);
    hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
    hb_set(gc, a, 0, a);
    hb_handle_set(gc, s + 10, NULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 11);
    for (int i = 0; i < 3; i++)
        TC_COLLECT(0);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 0);
    TC_EQ(c[1], 0); /* young collections are not increments */
    TC_EQ(c[2], 0);
    TC_COLLECT(1);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_ASSERT((c[1] == 1 && c[2] == 0) || (c[1] == 0 && c[2] == 1), "count %ld %ld after one increment",
              c[1], c[2]);
    if (c[2] == 0)
        inc_finish_cycle(gc, 1000);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 1);
    TC_COLLECT(HB_GC_FULL);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[1], 0);
    TC_EQ(c[2], 0);
    hb_scope_leave(gc, s);
    hb_gc_enable(gc);
}

/* ---- long_lived: no heuristic; increments within their work ----------------------------------- */

void inc_long_lived(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_gc_disable(gc);
    for (int i = 0; i < 20000; i++)
        inc_new_tracked(gc, 1, NULL);
    TC_COLLECT(HB_GC_FULL);
    long t[3] = {200, 10, 0};
    const bool gi = inc_is_gen_inc(gc);
    /* incremental-3.14 marks in one step, beyond any credit (3.14's mark_at_start). */
    const bool at_once = strcmp(hb_gc_ops(gc)->name, "incremental-3.14") == 0;
    if (gi) { /* gen-inc: 200 objects' worth of bytes (the pairs below: 1 slot each) */
        hb_obj *probe = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        t[0] = 200 * (long)hb_obj_size(probe->nslots, probe->nbytes);
        hb_handle_set(gc, hb_scope_enter(gc) - 1, NULL);
    }
    TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
    hb_gc_enable(gc);
    hb_gc_stats a = tc_stats();
    uint64_t swaps0 = inc_probe(gc).swaps;
    size_t largest = 0, largest_mark = 0;
    long budget_at_largest = 0;
    uint64_t seen = a.gen[1].collections;
    /* 200000 allocations: garbage self-cycles and pairs, nothing kept. */
    for (int i = 0; i < 100000; i++) {
        hb_scope u = hb_scope_enter(gc);
        hb_obj *x = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_obj *y = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL));
        hb_set(gc, x, 0, y);
        hb_set(gc, y, 0, i % 3 ? x : y);
        hb_scope_leave(gc, u);
        uint64_t now = tc_stats().gen[1].collections;
        if (now != seen) {
            seen = now;
            hb_inc_probe p = inc_probe(gc);
            /* Work beyond the young objects: at most the credit, plus one
             * closure's excess (2 objects here). */
            long beyond = (long)((at_once ? 0 : p.marked) + p.pulled);
            TC_ASSERT(beyond <= (p.credit > 0 ? p.credit : 0) + 2,
                      "an increment marked %zu and took %zu pending objects with a credit of %ld",
                      p.marked, p.pulled, p.credit);
            if (at_once && p.marked > largest_mark)
                largest_mark = p.marked;
            size_t examined = (at_once ? 0 : p.marked) + p.pulled + p.young;
            if (examined > largest) {
                largest = examined;
                budget_at_largest = p.credit;
            }
        }
    }
    hb_gc_stats b = tc_stats();
    TC_EQ(b.gen[2].collections, a.gen[2].collections); /* never automatic */
    if (gi) { /* young collections alternate with the increments */
        uint64_t y = b.gen[0].collections - a.gen[0].collections, inc = b.gen[1].collections - a.gen[1].collections;
        TC_ASSERT(y + 1 >= inc && inc + 1 >= y, "%llu young collections, %llu increments", (unsigned long long)y,
                  (unsigned long long)inc);
    } else {
        TC_EQ(b.gen[0].collections, a.gen[0].collections);
    }
    TC_ASSERT(b.gen[1].collections > a.gen[1].collections + (gi ? 250 : 500), "only %llu increments",
              (unsigned long long)(b.gen[1].collections - a.gen[1].collections));
    uint64_t cycles = inc_probe(gc).swaps - swaps0;
    TC_ASSERT(cycles >= 2, "only %llu cycles completed over 200000 allocations", (unsigned long long)cycles);
    /* Young objects (201 or so) plus at most two collections' credit
     * (a credit left by marking that ended early is spent by the scan). */
    TC_ASSERT(largest <= 201 + 2 * (201 + 2 * 201) + 8,
              "an increment examined %zu objects (credit %ld)", largest, budget_at_largest);
    /* Every garbage cycle is found by the increments: what is left is at
     * most the garbage made since the last cycle's increments passed. */
    TC_COLLECT(HB_GC_FULL);
    TC_CHECK();
    TC_EQ(tc_stats().live_objects, 20000);
    tc_recorded("no long-lived heuristic, no automatic full collection: %llu increments and %llu "
                "cycles over 200000 allocations; the largest examined %zu objects (credit %ld)%s",
                (unsigned long long)(b.gen[1].collections - a.gen[1].collections),
                (unsigned long long)cycles, largest, budget_at_largest,
                at_once ? ", marking aside (in one step: the largest marked every live object)" : "");
    if (at_once)
        TC_ASSERT(largest_mark >= 20000, "marking in one step marked at most %zu of 20000 live objects",
                  largest_mark);
    hb_scope_leave(gc, s);
}

/* ---- untracking -------------------------------------------------------------------------------- */


void inc_untracking(hb_gc *gc)
{
    hb_scope s = hb_scope_enter(gc);
    hb_gc_disable(gc);
    TC_COLLECT(HB_GC_FULL);
    long c[3];
    hb_obj *leaf = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
    TC_EQ(hb_gc_is_tracked(gc, leaf), 0);
    TC_EQ(hb_gc_get_count(gc, c), 0);
    TC_EQ(c[0], 1);
    hb_obj *atom = hb_get(gc, tc_new(gc, &tc_plain, 0, NULL));
    hb_set(gc, leaf, 0, atom); /* an edge to an atom closes no cycle: still untracked */
    TC_EQ(hb_gc_is_tracked(gc, leaf), 0);
    hb_obj *cont = hb_get(gc, tc_new(gc, &tc_plain, 1, NULL)); /* a container, untracked */
    TC_EQ(hb_gc_is_tracked(gc, cont), 0);
    hb_set(gc, leaf, 1, cont); /* an edge to a container: tracked again */
    TC_EQ(hb_gc_is_tracked(gc, leaf), 1);
    TC_EQ(inc_gen(leaf), 0);
    TC_CHECK();
    hb_obj *held = inc_new_tracked(gc, 2, NULL);
    hb_set(gc, held, 0, leaf);
    TC_EQ(TC_COLLECT(0), 0);
    TC_EQ(hb_gc_is_tracked(gc, leaf), 0);
    TC_EQ(hb_gc_is_tracked(gc, held), 1);
    TC_EQ(inc_gen(held), 1 + inc_probe(gc).visited);
    TC_CHECK();
    /* Untracked once, tracked again by a store: increments keep it tracked;
     * a full collection untracks it again. */
    {
        hb_obj *box = hb_get(gc, tc_new(gc, &tc_plain, 64, NULL));
        hb_set(gc, box, 0, cont);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(hb_gc_is_tracked(gc, box), 0);
        hb_set(gc, box, 1, cont);
        TC_EQ(hb_gc_is_tracked(gc, box), 1);
        TC_EQ(inc_gen(box), 0);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(hb_gc_is_tracked(gc, box), 1);
        inc_finish_cycle(gc, 1000);
        inc_finish_cycle(gc, 1000);
        TC_EQ(hb_gc_is_tracked(gc, box), 1);
        TC_EQ(TC_COLLECT(HB_GC_FULL), 0);
        TC_EQ(hb_gc_is_tracked(gc, box), 0);
        TC_CHECK();
    }
    /* Trees, edges stored either way: one young collection untracks them whole. */
    for (int order = 0; order < 2; order++) {
        hb_scope t = hb_scope_enter(gc);
        hb_obj *root = tc_tree(gc, 8, order == 1);
        TC_ASSERT(tc_count_tracked(gc, root) > 100, "edges were stored: tracked nodes expected");
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(tc_count_tracked(gc, root), 0);
        TC_CHECK();
        hb_scope_leave(gc, t);
    }
    /* A cycle closed through an object untracked earlier: the young
     * collection keeps its tracked member (held by the untracked one);
     * increments take the pending untracked objects a pending object
     * reaches, so they find it without a full collection. */
    {
        uint64_t aid, bid;
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = hb_get(gc, tc_new(gc, &tc_plain, 1, &aid));
        hb_obj *b = hb_get(gc, tc_new(gc, &tc_plain, 1, &bid));
        hb_set(gc, a, 0, b);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(hb_gc_is_tracked(gc, a), 0);
        TC_EQ(hb_gc_is_tracked(gc, b), 0);
        hb_set(gc, b, 0, a);
        TC_EQ(hb_gc_is_tracked(gc, b), 1);
        TC_EQ(hb_gc_is_tracked(gc, a), 0);
        hb_scope_leave(gc, t);
        TC_EQ(TC_COLLECT(0), 0);
        TC_EQ(tc_freed(aid) + tc_freed(bid), 0);
        uint64_t full0 = tc_stats().gen[2].collections;
        for (int cyc = 0; cyc < 3 && tc_freed(aid) == 0; cyc++) {
            inc_finish_cycle(gc, 1000);
        }
        TC_EQ(tc_freed(aid), 1);
        TC_EQ(tc_freed(bid), 1);
        TC_EQ(tc_stats().gen[2].collections, full0);
    }
    /* A finalizer hanging off a cycle: found and finalized by the young
     * collection that frees the cycle. */
    {
        uint64_t fid;
        hb_scope t = hb_scope_enter(gc);
        hb_obj *a = inc_new_tracked(gc, 2, NULL);
        hb_obj *f = hb_get(gc, tc_new(gc, &tc_fin, 1, &fid));
        hb_set(gc, f, 0, hb_get(gc, tc_new(gc, &tc_plain, 0, NULL)));
        hb_set(gc, a, 0, f);
        hb_scope_leave(gc, t);
        TC_EQ(TC_COLLECT(0), 2);
        TC_EQ(tc_finalized(fid), 1);
        TC_EQ(tc_freed(fid), 1);
    }
    TC_CHECK();
    hb_gc_enable(gc);
    hb_scope_leave(gc, s);
}
