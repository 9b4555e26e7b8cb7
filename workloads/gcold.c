/*
 * gcold.c: Clinger's GCOld (old-generation stress), over the object model.
 *
 * A table of live full binary trees of height `height` (14: 2^14-1 nodes
 * of two slots and a 64-bit value) is filled up to `live` MiB of objects.
 * Then each step
 *   - allocates `garbage` short-lived nodes (small trees of height 4 that
 *     die at once),
 *   - replaces the oldest tree with a new one (first-in first-out lifetimes:
 *     every tree lives for the same number of steps), and
 *   - makes `swaps` subtree swaps between two random live trees, at the
 *     same random depth, through hb_set: trees of different ages exchange
 *     parts, so old objects come to point at young ones (the write
 *     barrier's work, and the remembered set's for a generational
 *     collector).
 * Swaps at equal depths keep every tree full, so each has 2^height-1 nodes.
 *
 * Checksum: for each tree as it is retired and, at the end, for each tree
 * still live: its node count and the sum of its nodes' values (unique
 * numbers given at creation), mixed in order.  All random choices come from
 * env->seed.
 */
#include <stdio.h>

#include "collector.h"
#include "trees.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"live", 32, 1, 65536, NULL, "live size in MiB of objects (sets the number of trees)"},
    {"height", 14, 2, 24, NULL, "height of the live trees (2^height-1 nodes)"},
    {"steps", 150, 1, 100000000LL, NULL, "steps, at scale 1 (default: about 1 s (libc, generational))"},
    {"garbage", 32768, 0, 100000000LL, NULL, "short-lived nodes per step"},
    {"swaps", 256, 0, 100000000LL, NULL, "subtree swaps per step"},
};

static const hb_type node_type = {.name = "gcold-node"};

#define NODE_BYTES (sizeof(hb_obj) + 2 * sizeof(hb_obj *) + sizeof(uint64_t))

/* A full tree of `height` levels, values numbered from *next; in a handle
 * of the caller's scope, or HB_NO_HANDLE. */
static void number_node(hb_obj *o, int level, void *next)
{
    (void)level;
    *(uint64_t *)hb_bytes(o) = (*(uint64_t *)next)++;
}

static hb_handle make_tree(hb_gc *gc, int height, uint64_t *next, uint64_t *ops)
{
    return hb_tree_bottom_up(gc, &node_type, sizeof(uint64_t), height, number_node, next, ops);
}

static void walk(const hb_obj *o, uint64_t *count, uint64_t *sum)
{
    while (o != NULL) {
        (*count)++;
        *sum += *(const uint64_t *)(const void *)(o->slots + o->nslots);
        walk(hb_slot(o, 0), count, sum);
        o = hb_slot(o, 1);
    }
}

static uint64_t mix_tree(uint64_t h, const hb_obj *root, uint64_t expect, int *bad)
{
    uint64_t count = 0, sum = 0;
    walk(root, &count, &sum);
    if (count != expect)
        *bad = 1;
    return hb_mix(hb_mix(h, count), sum);
}

/* Swaps, between the trees a and b, the subtrees found by following
 * `depth` random steps from each root.  0, or -1 (no handle). */
static int swap_subtrees(hb_gc *gc, hb_obj *a, hb_obj *b, int depth, hb_rng *rng)
{
    uint64_t bits = hb_rng_next(rng);
    for (int k = 0; k < depth - 1; k++, bits >>= 2) {
        a = hb_slot(a, (uint32_t)(bits & 1));
        b = hb_slot(b, (uint32_t)((bits >> 1) & 1));
    }
    uint32_t sa = (uint32_t)(bits & 1), sb = (uint32_t)((bits >> 1) & 1);
    hb_scope s = hb_scope_enter(gc);
    /* Hold a's subtree: storing b's over it may drop its last reference. */
    if (hb_push(gc, hb_slot(a, sa)) == HB_NO_HANDLE)
        return -1;
    hb_obj *t = hb_slot(a, sa);
    hb_set(gc, a, sa, hb_slot(b, sb));
    hb_set(gc, b, sb, t);
    hb_scope_leave(gc, s);
    return 0;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    int height = (int)env->params[1];
    long long steps = hb_wl_scaled(env, env->params[2], 1);
    long long garbage = env->params[3], swaps = env->params[4];
    uint64_t nodes = (1ULL << height) - 1;
    uint64_t ntrees = ((uint64_t)env->params[0] << 20) / (nodes * NODE_BYTES);
    uint64_t h = HB_CHECKSUM_INIT, ops = 0, next = 0;
    int rc = HB_WL_OK, bad = 0;
    hb_rng rng;
    hb_scope s0 = hb_scope_enter(gc), s;
    hb_handle table;

    if (ntrees < 2)
        ntrees = 2;
    if (ntrees > UINT32_MAX) {
        snprintf(out->message, sizeof out->message, "live=%lld MiB needs too many trees", env->params[0]);
        return HB_WL_ERROR;
    }
    hb_rng_seed(&rng, env->seed);
    if ((table = hb_new(gc, &node_type, (uint32_t)ntrees, 0)) == HB_NO_HANDLE)
        goto oom;
    ops++;
    for (uint32_t i = 0; i < ntrees; i++) {
        s = hb_scope_enter(gc);
        hb_handle t = make_tree(gc, height, &next, &ops);
        if (t == HB_NO_HANDLE)
            goto oom;
        hb_set(gc, hb_get(gc, table), i, hb_get(gc, t));
        hb_scope_leave(gc, s);
    }

    uint32_t oldest = 0;
    for (long long step = 0; step < steps; step++) {
        /* Short-lived garbage, in trees of height 4 (15 nodes). */
        uint64_t junk = next;
        for (long long made = 0; made < garbage; made += 15) {
            s = hb_scope_enter(gc);
            if (make_tree(gc, 4, &junk, &ops) == HB_NO_HANDLE)
                goto oom;
            hb_scope_leave(gc, s);
        }
        /* The oldest tree dies; a new one takes its place. */
        hb_obj *tab = hb_get(gc, table);
        h = mix_tree(h, hb_slot(tab, oldest), nodes, &bad);
        hb_set(gc, tab, oldest, NULL);
        s = hb_scope_enter(gc);
        hb_handle t = make_tree(gc, height, &next, &ops);
        if (t == HB_NO_HANDLE)
            goto oom;
        tab = hb_get(gc, table);
        hb_set(gc, tab, oldest, hb_get(gc, t));
        hb_scope_leave(gc, s);
        oldest = (uint32_t)((oldest + 1) % ntrees);
        /* Pointer mutations between trees of different ages. */
        for (long long k = 0; k < swaps; k++) {
            uint32_t a = (uint32_t)hb_rng_below(&rng, ntrees);
            uint32_t b = (uint32_t)((a + 1 + hb_rng_below(&rng, ntrees - 1)) % ntrees);
            int depth = 1 + (int)hb_rng_below(&rng, (uint64_t)(height - 1));
            if (swap_subtrees(gc, hb_slot(tab, a), hb_slot(tab, b), depth, &rng) != 0)
                goto oom;
        }
        if (bad)
            goto wrong;
    }
    hb_obj *tab = hb_get(gc, table);
    for (uint32_t i = 0; i < ntrees; i++)
        h = mix_tree(h, hb_slot(tab, (oldest + i) % (uint32_t)ntrees), nodes, &bad);
    if (bad)
        goto wrong;
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "a live tree lost or gained nodes");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_gcold = {
    .name = "gcold",
    .summary =
        "live trees replaced first-in first-out, short-lived garbage, subtree swaps between trees of different ages",
    .origin = "Clinger's GCOld",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
