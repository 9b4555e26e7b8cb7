/*
 * binary_trees.c: the Benchmarks Game's binary-trees, over the object model.
 *
 * With maximum depth N (parameter `depth`, the game's minimum depth 4 and
 * N raised to at least 6): a stretch tree of depth N+1 is built bottom-up,
 * checked and dropped; a long-lived tree of depth N is built and kept; for
 * each even depth d from 4 to N, 2^(N-d+4) trees of depth d are built,
 * checked and dropped; finally the long-lived tree is checked.  A tree of
 * depth d has 2^(d+1)-1 nodes, each an object with two slots (left, right;
 * NULL in leaves); the check of a tree is its node count, found by walking it.
 *
 * Checksum: hb_mix, from HB_CHECKSUM_INIT, of the check values in the
 * order the game prints them: the stretch tree's, the sum for each depth,
 * the long-lived tree's.  Every value is also compared with its closed form
 * (a mismatch is HB_WL_WRONG).  `scale` multiplies the number of trees per
 * depth.  With -p depth=10 (and scale 1) the values are 4095,
 * 31744, 32512, 32704, 32752, 2047 and the checksum is
 * BINARY_TREES_DEPTH10_CHECKSUM below.
 */
#include <stdio.h>

#include "collector.h"
#include "trees.h"
#include "workload.h"

/* hb_mix of 4095, 31744, 32512, 32704, 32752, 2047 from HB_CHECKSUM_INIT. */
#define BINARY_TREES_DEPTH10_CHECKSUM 0xd2cf5a19406e2c29ULL

static const hb_param_def params[] = {
    {"depth", 16, 4, 26, NULL, "maximum tree depth N (at least 6 is used); default 16: about 1 s (libc, generational)"},
};

static const hb_type node_type = {.name = "tree-node"};

/* A new tree of `depth`, bottom-up, in a handle of the caller's scope;
 * HB_NO_HANDLE when an allocation failed. */
static hb_handle bottom_up(hb_gc *gc, int depth, uint64_t *ops)
{
    return hb_tree_bottom_up(gc, &node_type, 0, depth + 1, NULL, NULL, ops);
}

static uint64_t check(const hb_obj *o)
{
    uint64_t n = 1;
    while (hb_slot(o, 0) != NULL) { /* recurse left, iterate right */
        n += 1 + check(hb_slot(o, 0));
        o = hb_slot(o, 1);
    }
    return n;
}

static uint64_t tree_nodes(int depth)
{
    return (2ULL << depth) - 1;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    const int mind = 4;
    int maxd = (int)env->params[0] < mind + 2 ? mind + 2 : (int)env->params[0];
    uint64_t h = HB_CHECKSUM_INIT, ops = 0, c;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc), s;
    hb_handle t, longlived;

    s = hb_scope_enter(gc);
    if ((t = bottom_up(gc, maxd + 1, &ops)) == HB_NO_HANDLE)
        goto oom;
    c = check(hb_get(gc, t));
    if (c != tree_nodes(maxd + 1))
        goto wrong;
    h = hb_mix(h, c);
    hb_scope_leave(gc, s);

    if ((longlived = bottom_up(gc, maxd, &ops)) == HB_NO_HANDLE)
        goto oom;
    for (int d = mind; d <= maxd; d += 2) {
        uint64_t iters = (uint64_t)hb_wl_scaled(env, 1LL << (maxd - d + mind), 1), sum = 0;
        for (uint64_t i = 0; i < iters; i++) {
            s = hb_scope_enter(gc);
            if ((t = bottom_up(gc, d, &ops)) == HB_NO_HANDLE)
                goto oom;
            sum += check(hb_get(gc, t));
            hb_scope_leave(gc, s);
        }
        if (sum != iters * tree_nodes(d))
            goto wrong;
        h = hb_mix(h, sum);
    }
    c = check(hb_get(gc, longlived));
    if (c != tree_nodes(maxd))
        goto wrong;
    h = hb_mix(h, c);
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "a tree check is not the node count of its depth");
done:
    hb_scope_leave(gc, s0);
    if (rc == HB_WL_OK && maxd == 10 && env->scale == 1.0 && h != BINARY_TREES_DEPTH10_CHECKSUM) {
        rc = HB_WL_WRONG;
        snprintf(out->message, sizeof out->message, "depth=10 checksum differs from the documented value");
    }
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_binary_trees = {
    .name = "binary-trees",
    .summary = "stretch tree, long-lived tree, 2^(N-d+4) trees of each even depth d built, checked, dropped",
    .origin = "the Computer Language Benchmarks Game, binary-trees",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
