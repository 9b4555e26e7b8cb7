/*
 * random_graph.c: docs/conformance.md 2.5, only unreachable objects are freed.
 *
 * Random object graphs (10..200 nodes, 0..4 slots each, some with
 * finalizers or their own traverse function), random edges through
 * hb_set, random handles in nested scopes, then rounds of random
 * mutations: new nodes, slot overwrites (with NULL or another reachable
 * node), handle drops and rebinds, scopes left with or without a kept
 * handle.  The test keeps its own model of the graph (adjacency and
 * handles; never the collector's) and computes what is reachable from the
 * handles.  The mutator only touches reachable nodes, as a real program
 * would, so an unreachable node stays unreachable.
 *
 * Observed through the free hook (per-node ids in raw bytes):
 *   - every free, when it happens: the node is unreachable in the model;
 *     under reference counting it is dead in the model's own reference
 *     counts (counted and cascaded by the model);
 *   - at every checkpoint: reachable nodes intact (id and slots match the
 *     model); refcount: freed set == the model's refcount-dead set;
 *     generational: refcount-dead <= freed <= unreachable;
 *   - after the final full collection: freed set == unreachable set
 *     (refcount: == refcount-dead; the rest reported as leaked bytes).
 * boehm (no free hook): a weak-value map id -> node observes liveness; a
 * reachable node must never disappear; conservative retention of
 * unreachable ones is recorded.
 *
 *   reachability     automatic collections at default settings.
 *   reachability_gc  aggressive thresholds, explicit collections of random
 *                    generations, freeze/unfreeze, between mutations.
 * HB_GC_SEED and HB_GC_GRAPHS override the seed and the number of graphs
 * (1000 by default); the seed of a failing graph is printed.
 */
#include "gctest.h"
#include "internal.h" /* hb__gen_scratch_limit */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXN = 400, MAXSLOTS = 4 };

typedef struct node {
    uint64_t id;
    uintptr_t objh; /* the object, hidden (boehm scans this file's data);
                     * valid while the node is reachable: use OBJ() */
    uint32_t nslots;
    int out[MAXSLOTS]; /* model edges: node index or -1 */
    bool fin;          /* has a finalizer */
    bool rc_dead;      /* freed by the model's reference counting */
    bool reach;        /* reachable from the handles (recomputed) */
    bool ever_unreach; /* became unreachable (monotone) */
    long rc;           /* model reference count (refcounting collectors) */
} node;

typedef struct graph {
    node n[MAXN];
    int nn;
    uint64_t base_id;
    int *hnode; /* model handles: node index or -1; handle = hbase + k */
    size_t nh, hcap;
    hb_handle hbase;
    hb_wvmap *map; /* id -> node, for boehm and as a cross-check */
} graph;

static graph G;

/* Pointers to objects are kept hidden from libgc's scan of the data segment. */
#define HIDE_MASK ((uintptr_t)0xa5a5a5a5a5a5a5a5ull)
static inline hb_obj *OBJ(const node *nd) { return (hb_obj *)(nd->objh ^ HIDE_MASK); }
static inline void SET_OBJ(node *nd, hb_obj *o) { nd->objh = (uintptr_t)o ^ HIDE_MASK; }
static bool g_refcounting;

/* ---- the model ------------------------------------------------------------------ */

static void model_dec(int v);

static void model_inc(int v)
{
    if (v >= 0)
        G.n[v].rc++;
}

/* Releases one reference to v and cascades, iteratively. */
static void model_dec(int v)
{
    if (v < 0 || !g_refcounting)
        return;
    static int stack[MAXN * MAXSLOTS + 8];
    int sp = 0;
    stack[sp++] = v;
    while (sp > 0) {
        int x = stack[--sp];
        node *nd = &G.n[x];
        if (--nd->rc > 0)
            continue;
        if (nd->rc < 0)
            TC_FAIL("model: negative refcount on node %d", x);
        if (nd->rc_dead)
            continue; /* already released (freed by a collection) */
        nd->rc_dead = true;
        for (uint32_t i = 0; i < nd->nslots; i++)
            if (nd->out[i] >= 0) {
                int t = nd->out[i];
                stack[sp++] = t;
            }
    }
}

static void recompute_reach(void)
{
    static int stack[MAXN];
    int sp = 0;
    for (int i = 0; i < G.nn; i++)
        G.n[i].reach = false;
    for (size_t k = 0; k < G.nh; k++) {
        int v = G.hnode[k];
        if (v >= 0 && !G.n[v].reach) {
            G.n[v].reach = true;
            stack[sp++] = v;
        }
    }
    while (sp > 0) {
        node *nd = &G.n[stack[--sp]];
        for (uint32_t i = 0; i < nd->nslots; i++) {
            int t = nd->out[i];
            if (t >= 0 && !G.n[t].reach) {
                G.n[t].reach = true;
                stack[sp++] = t;
            }
        }
    }
    for (int i = 0; i < G.nn; i++) {
        if (G.n[i].reach && G.n[i].ever_unreach)
            TC_FAIL("model: node %d became reachable again (mutator bug)", i);
        if (!G.n[i].reach)
            G.n[i].ever_unreach = true;
    }
}

static void push_handle_model(int v)
{
    if (G.nh == G.hcap) {
        G.hcap = G.hcap ? 2 * G.hcap : 64;
        G.hnode = realloc(G.hnode, G.hcap * sizeof *G.hnode);
        TC_ASSERT(G.hnode != NULL, "out of memory");
    }
    G.hnode[G.nh++] = v;
    model_inc(v);
}

/* ---- observation -------------------------------------------------------------- */

static void on_free(hb_gc *gc, hb_obj *o)
{
    (void)gc;
    uint64_t id = tc_id(o);
    if (id < G.base_id || id >= G.base_id + (uint64_t)G.nn)
        TC_FAIL("freed object %llu is not of the current graph", (unsigned long long)id);
    node *nd = &G.n[id - G.base_id];
    if (nd->reach)
        TC_FAIL("node %llu freed while reachable from the handles", (unsigned long long)(id - G.base_id));
    if (g_refcounting && !TC_HAS(HB_GC_CYCLES) && !nd->rc_dead)
        TC_FAIL("refcount freed node %llu whose model count is %ld", (unsigned long long)(id - G.base_id),
                nd->rc);
    if (nd->fin && !hb_is_finalized(o))
        TC_FAIL("node with a finalizer freed without it having run");
    if (g_refcounting && !nd->rc_dead) {
        /* Freed by a collection: its slots' references are released. */
        nd->rc_dead = true;
        for (uint32_t i = 0; i < nd->nslots; i++)
            model_dec(nd->out[i]);
    }
}

/* ---- collector operations ------------------------------------------------------ */

static const hb_type *pick_type(tc_rng *r, bool *fin)
{
    uint64_t x = tc_below(r, 10);
    *fin = false;
    if (x < 2 && !TC_HAS(HB_GC_CONSERVATIVE)) {
        *fin = true;
        return x == 0 ? &tc_fin : &tc_travfin;
    }
    return x < 4 ? &tc_trav : &tc_plain;
}

/* A new node, held by a new handle (the model's and the collector's). */
static int op_new(hb_gc *gc, tc_rng *r)
{
    if (G.nn >= MAXN)
        return -1;
    int v = G.nn;
    node *nd = &G.n[v];
    memset(nd, 0, sizeof *nd);
    nd->nslots = (uint32_t)tc_below(r, MAXSLOTS + 1);
    for (int i = 0; i < MAXSLOTS; i++)
        nd->out[i] = -1;
    const hb_type *t = pick_type(r, &nd->fin);
    nd->id = G.base_id + (uint64_t)v;
    hb_handle h = tc_new_id(gc, t, nd->nslots, nd->id);
    TC_ASSERT(h == G.hbase + G.nh, "handle %zu, model expects %zu", h, G.hbase + G.nh);
    G.nn++;
    SET_OBJ(nd, hb_get(gc, h));
    push_handle_model(v);
    nd->reach = true;
    if (G.map)
        TC_EQ(hb_wvmap_set(G.map, nd->id, OBJ(nd)), 0);
    return v;
}

/* A random reachable node, or -1. */
static int pick_reachable(tc_rng *r)
{
    int cnt = 0;
    for (int i = 0; i < G.nn; i++)
        cnt += G.n[i].reach;
    if (cnt == 0)
        return -1;
    int k = (int)tc_below(r, (uint64_t)cnt);
    for (int i = 0; i < G.nn; i++)
        if (G.n[i].reach && k-- == 0)
            return i;
    return -1;
}

static void op_set(hb_gc *gc, tc_rng *r)
{
    int u = pick_reachable(r);
    if (u < 0 || G.n[u].nslots == 0)
        return;
    uint32_t s = (uint32_t)tc_below(r, G.n[u].nslots);
    int v = tc_below(r, 5) == 0 ? -1 : pick_reachable(r);
    hb_obj *uo = OBJ(&G.n[u]), *vo = v >= 0 ? OBJ(&G.n[v]) : NULL;
    int old = G.n[u].out[s];
    G.n[u].out[s] = v;
    model_inc(v);
    model_dec(old);
    recompute_reach();
    hb_set(gc, uo, s, vo);
}

static void op_handle_set(hb_gc *gc, tc_rng *r, bool drop)
{
    if (G.nh == 0)
        return;
    size_t k = (size_t)tc_below(r, G.nh);
    int v = drop ? -1 : pick_reachable(r);
    hb_obj *vo = v >= 0 ? OBJ(&G.n[v]) : NULL;
    int old = G.hnode[k];
    G.hnode[k] = v;
    model_inc(v);
    model_dec(old);
    recompute_reach();
    hb_handle_set(gc, G.hbase + k, vo);
}

static void op_push(hb_gc *gc, tc_rng *r)
{
    int v = pick_reachable(r);
    if (v < 0)
        return;
    hb_handle h = hb_push(gc, OBJ(&G.n[v]));
    TC_ASSERT(h == G.hbase + G.nh, "hb_push gave handle %zu, model expects %zu", h, G.hbase + G.nh);
    push_handle_model(v);
}

/* Leaves the scope entered at model handle count `mark`, maybe keeping one. */
static void scope_leave_model(hb_gc *gc, tc_rng *r, size_t mark)
{
    bool keep = G.nh > mark && tc_below(r, 2) == 0;
    if (keep) {
        size_t k = mark + (size_t)tc_below(r, G.nh - mark);
        int kv = G.hnode[k];
        model_inc(kv);
        for (size_t j = mark; j < G.nh; j++)
            model_dec(G.hnode[j]);
        G.nh = mark;
        G.hnode[G.nh++] = kv; /* its reference moved */
        recompute_reach();
        hb_handle h = hb_scope_leave_keep(gc, G.hbase + mark, G.hbase + k);
        TC_EQ(h, G.hbase + mark);
        TC_ASSERT(hb_get(gc, h) == (kv >= 0 ? OBJ(&G.n[kv]) : NULL), "kept handle holds another object");
    } else {
        for (size_t j = mark; j < G.nh; j++)
            model_dec(G.hnode[j]);
        G.nh = mark;
        recompute_reach();
        hb_scope_leave(gc, G.hbase + mark);
    }
}

/* ---- checks ------------------------------------------------------------------------- */

static void checkpoint(hb_gc *gc, bool final)
{
    TC_CHECK();
    for (int i = 0; i < G.nn; i++) {
        node *nd = &G.n[i];
        unsigned freed = T.have_hook ? tc_freed(nd->id) : 0;
        if (nd->reach) {
            TC_ASSERT(!freed, "reachable node %d freed", i);
            hb_obj *o = OBJ(nd);
            TC_EQ(tc_id(o), nd->id);
            TC_EQ(o->nslots, nd->nslots);
            for (uint32_t s = 0; s < nd->nslots; s++) {
                hb_obj *want = nd->out[s] >= 0 ? OBJ(&G.n[nd->out[s]]) : NULL;
                TC_ASSERT(o->slots[s] == want, "node %d slot %u differs from the model", i, s);
            }
            if (g_refcounting)
                TC_EQ(hb_refcount(gc, o), nd->rc);
            if (G.map)
                TC_ASSERT(hb_wvmap_get(G.map, nd->id) == o, "weak map lost reachable node %d", i);
            continue;
        }
        if (!T.have_hook)
            continue;
        if (g_refcounting && nd->rc_dead)
            TC_ASSERT(freed, "node %d: model count 0 but not freed", i);
        if (g_refcounting && !TC_HAS(HB_GC_CYCLES))
            TC_ASSERT(freed == nd->rc_dead, "refcount: node %d freed %u, model dead %d", i, freed,
                      nd->rc_dead);
        if (final && TC_HAS(HB_GC_CYCLES))
            TC_ASSERT(freed, "node %d unreachable but not freed by a full collection", i);
        if (freed && nd->fin)
            TC_EQ(tc_finalized(nd->id), 1);
        if (freed && G.map)
            TC_ASSERT(hb_wvmap_get(G.map, nd->id) == NULL, "weak map keeps freed node %d", i);
    }
}

/* ---- one graph ---------------------------------------------------------------------- */

typedef struct totals {
    size_t graphs, nodes, unreachable, freed, retained, leaked;
    size_t base_leaked, base_leaked_bytes; /* refcount: leaked before this graph */
} totals;

static void one_graph(hb_gc *gc, uint64_t seed, bool aggressive, totals *tot)
{
    tc_rng r = {seed};
    free(G.hnode);
    memset(&G, 0, sizeof G);
    G.base_id = tc_next_id();
    hb_scope s = hb_scope_enter(gc);
    G.hbase = s;
    if (TC_HAS(HB_GC_WEAKREFS)) {
        G.map = hb_wvmap_new(gc);
        TC_ASSERT(G.map != NULL, "hb_wvmap_new");
    }
    int n0 = 10 + (int)tc_below(&r, 191);
    for (int i = 0; i < n0; i++) {
        op_new(gc, &r);
        if (tc_below(&r, 3) == 0) /* not every node keeps its handle */
            op_handle_set(gc, &r, true);
    }
    for (int e = 0; e < n0 * 2; e++)
        op_set(gc, &r);
    checkpoint(gc, false);
    int rounds = 2 + (int)tc_below(&r, 4);
    for (int round = 0; round < rounds; round++) {
        int ops = 10 + (int)tc_below(&r, 60);
        for (int k = 0; k < ops; k++) {
            uint64_t x = tc_below(&r, 100);
            if (x < 15) {
                op_new(gc, &r);
            } else if (x < 55) {
                op_set(gc, &r);
            } else if (x < 70) {
                op_handle_set(gc, &r, true);
            } else if (x < 80) {
                op_handle_set(gc, &r, false);
            } else if (x < 88) {
                op_push(gc, &r);
            } else if (x < 95) {
                size_t mark = G.nh;
                int inner = 1 + (int)tc_below(&r, 6);
                for (int j = 0; j < inner; j++) {
                    if (tc_below(&r, 2))
                        op_new(gc, &r);
                    else
                        op_push(gc, &r);
                    op_set(gc, &r);
                }
                scope_leave_model(gc, &r, mark);
            } else if (aggressive) {
                int ng = hb_gc_generations(gc);
                int g = ng > 0 && tc_below(&r, 2) ? (int)tc_below(&r, (uint64_t)ng) : HB_GC_FULL;
                TC_COLLECT(g);
                if (TC_HAS(HB_GC_GENERATIONS) && tc_below(&r, 8) == 0) {
                    TC_EQ(hb_gc_freeze(gc), 0);
                    TC_COLLECT(HB_GC_FULL);
                    TC_EQ(hb_gc_unfreeze(gc), 0);
                }
            }
        }
        checkpoint(gc, false);
    }
    hb_gc_stats before = tc_stats();
    size_t freed_before = 0;
    for (int i = 0; i < G.nn; i++)
        freed_before += T.have_hook ? tc_freed(G.n[i].id) : 0;
    long n = TC_COLLECT(HB_GC_FULL);
    checkpoint(gc, true);
    size_t unreach = 0, freed = 0, rcdead = 0, leaked_bytes = 0, gone = 0;
    for (int i = 0; i < G.nn; i++) {
        node *nd = &G.n[i];
        if (nd->reach)
            continue;
        unreach++;
        rcdead += nd->rc_dead;
        if (T.have_hook)
            freed += tc_freed(nd->id);
        else if (G.map)
            gone += hb_wvmap_get(G.map, nd->id) == NULL;
        if (!nd->rc_dead)
            leaked_bytes += tc_size(nd->nslots);
    }
    if (T.have_hook && TC_HAS(HB_GC_CYCLES)) {
        TC_EQ(freed, unreach);
        TC_EQ(n, (long)(freed - freed_before));
    } else if (T.have_hook) {
        /* refcount: what the model's counts freed, no more; the rest leaks. */
        TC_EQ(freed, rcdead);
        TC_EQ(n, 0);
        hb_gc_stats st = tc_stats();
        tot->leaked += unreach - rcdead;
        /* Earlier graphs' leaks stay (their cycles, and what was still
         * reachable when their scope was dropped). */
        TC_EQ(st.leaked_objects, tot->base_leaked + (unreach - rcdead));
        TC_EQ(st.leaked_bytes, tot->base_leaked_bytes + leaked_bytes);
    } else {
        tot->retained += unreach - gone;
        freed = gone;
    }
    (void)before;
    tot->graphs++;
    tot->nodes += (size_t)G.nn;
    tot->unreachable += unreach;
    tot->freed += freed;
    if (G.map) {
        /* Entries of freed nodes are gone; len and iteration agree. */
        size_t cur = 0, cnt = 0;
        uint64_t k;
        hb_obj *v;
        while (hb_wvmap_next(G.map, &cur, &k, &v))
            cnt++;
        TC_EQ(cnt, hb_wvmap_len(G.map));
        if (T.have_hook)
            TC_EQ(cnt, (size_t)G.nn - freed);
        hb_wvmap_free(G.map);
        G.map = NULL;
    }
    /* Drop everything; the next graph starts from a clean collection. */
    G.nh = 0;
    for (int i = 0; i < G.nn; i++)
        G.n[i].reach = false;
    tc_on_free = NULL;
    hb_scope_leave(gc, s);
    TC_COLLECT(HB_GC_FULL);
    hb_gc_stats after = tc_stats();
    tot->base_leaked = after.leaked_objects;
    tot->base_leaked_bytes = after.leaked_bytes;
    if (TC_HAS(HB_GC_CYCLES) && T.have_hook)
        TC_EQ(after.live_objects, 0);
    tc_on_free = on_free;
}

/* `instance`: generational runs the odd instances of the aggressive test
 * with no scratch for its array-based passes, so that every collection
 * there takes the list-based steps. */
static void configure(hb_gc *gc, bool aggressive, long instance)
{
    if (!aggressive)
        return;
    if (TC_HAS(HB_GC_GENERATIONS)) {
        long t[3] = {40, 3, 2};
        TC_EQ(hb_gc_set_threshold(gc, 3, t), 0);
        if (instance % 2 == 1)
            hb__gen_scratch_limit(gc, 0);
    } else if (TC_HAS(HB_GC_TRACING) && !TC_HAS(HB_GC_OWN_HEAP)) {
        long t0 = 4096;
        TC_EQ(hb_gc_set_threshold(gc, 1, &t0), 0);
    }
}

static void run(hb_gc *gc, bool aggressive)
{
    uint64_t base = 0x5eedba5eull ^ (aggressive ? 0xa66 : 0);
    for (const char *p = T.collector; *p; p++)
        base = base * 131 + (unsigned char)*p;
    const char *e = getenv("HB_GC_SEED");
    if (e != NULL && *e)
        base = strtoull(e, NULL, 0);
    long graphs = 1000;
    e = getenv("HB_GC_GRAPHS");
    if (e != NULL && *e)
        graphs = strtol(e, NULL, 0);
    g_refcounting = TC_HAS(HB_GC_REFCOUNT);
    configure(gc, aggressive, 0);
    tc_on_free = on_free;
    totals tot;
    memset(&tot, 0, sizeof tot);
    for (long g = 0; g < graphs; g++) {
        uint64_t seed = base + (uint64_t)g * 0x9e3779b97f4a7c15ull;
        snprintf(T.context, sizeof T.context, "graph %ld, HB_GC_SEED=%#llx HB_GC_GRAPHS=1 reproduces "
                 "with seed %#llx", g, (unsigned long long)seed, (unsigned long long)seed);
        if (g > 0 && g % 100 == 0) {
            tc_on_free = NULL;
            /* A fresh instance every 100 graphs: refcount's leaks would
             * otherwise make every later collection slower. */
            tc_close();
            tc_open(T.collector);
            gc = T.gc;
            configure(gc, aggressive, g / 100);
            tot.base_leaked = tot.base_leaked_bytes = 0;
            tc_on_free = on_free;
        }
        one_graph(gc, seed, aggressive, &tot);
    }
    T.context[0] = '\0';
    tc_on_free = NULL;
    free(G.hnode);
    G.hnode = NULL;
    printf("graphs %zu, nodes %zu, unreachable %zu, freed %zu, leaked (refcount) %zu, "
           "retained (conservative) %zu; seed base %#llx\n",
           tot.graphs, tot.nodes, tot.unreachable, tot.freed, tot.leaked, tot.retained,
           (unsigned long long)base);
    if (tot.leaked)
        tc_recorded("reachability: unreachable nodes on or below cycles leak: %zu of %zu unreachable, "
                    "reported as leaked bytes", tot.leaked, tot.unreachable);
    if (T.caps & HB_GC_NEVER_FREES) {
        tc_recorded("reachability: never frees: all %zu unreachable nodes kept to close, no reachable "
                    "node lost", tot.unreachable);
        TC_EQ(tot.freed, 0);
        TC_EQ(tot.retained, tot.unreachable);
    } else if (!T.have_hook) {
        tc_recorded("reachability: observed by a weak-value map; %zu of %zu unreachable retained "
                    "conservatively; no reachable node ever lost", tot.retained, tot.unreachable);
        TC_ASSERT(tot.retained * 2 <= tot.unreachable, "retained %zu of %zu unreachable nodes",
                  tot.retained, tot.unreachable);
    }
}

static void c_reachability(hb_gc *gc) { run(gc, false); }
static void c_reachability_gc(hb_gc *gc) { run(gc, true); }

static const tc_case cases[] = {
    {"reachability", c_reachability},
    {"reachability_gc", c_reachability_gc},
};

int main(int argc, char **argv)
{
    return tc_main(argc, argv, "gc", cases, sizeof cases / sizeof cases[0]);
}
