/*
 * gcbench.c: Ellis, Kovac and Boehm's GCBench, over the object model.
 *
 * A stretch tree of depth `stretch` (18) is built and dropped.  Then a
 * long-lived tree of depth `longlived` (16) and an array of `array`
 * (500,000) doubles (one raw-bytes object, its first half set to 1/i) are
 * made and kept to the end.  For each depth d = `min`, min+2, ..., `max`
 * (4..16), 2*size(stretch)/size(d) trees of depth d are built top-down
 * (a node is made, then its children are made and stored into it) and
 * dropped, then as many bottom-up (children first); `scale` multiplies
 * those counts.  A tree of depth i has
 * size(i) = 2^(i+1)-1 nodes; a node has two slots and two 32-bit ints.
 *
 * Unlike the original, every tree is walked before it is dropped (its node
 * count and the sum of its nodes' depth fields), so a premature free is
 * caught.  Checksum: hb_mix over, in order, the stretch tree's count, then
 * per depth the total count and depth sum of the top-down and bottom-up
 * trees, then the long-lived tree's count and a few array elements' bits.
 */
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "trees.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"stretch", 18, 2, 24, NULL, "stretch tree depth (also fixes the work per depth)"},
    {"longlived", 16, 1, 24, NULL, "long-lived tree depth"},
    {"min", 4, 1, 24, NULL, "smallest temporary tree depth"},
    {"max", 16, 1, 24, NULL, "largest temporary tree depth (default run: about 1-2 s (libc, generational))"},
    {"array", 500000, 2, 100000000LL, NULL, "doubles in the long-lived array"},
};

static const hb_type node_type = {.name = "gcbench-node"};

typedef struct node_data {
    int32_t i, j;
} node_data;

static hb_obj *new_node(hb_gc *gc, int depth, hb_handle *h, uint64_t *ops)
{
    *h = hb_new(gc, &node_type, 2, sizeof(node_data));
    if (*h == HB_NO_HANDLE)
        return NULL;
    (*ops)++;
    hb_obj *o = hb_get(gc, *h);
    node_data *d = hb_bytes(o);
    d->i = depth;
    d->j = -depth;
    return o;
}

/* Gives `node` (kept alive by the caller) two children of depth-1, and so
 * on down: GCBench's Populate.  0, or -1 when an allocation failed. */
static int populate(hb_gc *gc, int depth, hb_obj *node, uint64_t *ops)
{
    if (depth <= 0)
        return 0;
    hb_scope s = hb_scope_enter(gc);
    hb_handle hl, hr;
    hb_obj *l = new_node(gc, depth - 1, &hl, ops);
    if (l == NULL)
        goto fail;
    hb_set(gc, node, 0, l);
    hb_obj *r = new_node(gc, depth - 1, &hr, ops);
    if (r == NULL)
        goto fail;
    hb_set(gc, node, 1, r);
    hb_scope_leave(gc, s); /* node now holds both */
    if (populate(gc, depth - 1, l, ops) != 0 || populate(gc, depth - 1, r, ops) != 0)
        return -1;
    return 0;
fail:
    hb_scope_leave(gc, s);
    return -1;
}

static void init_node(hb_obj *o, int level, void *arg)
{
    (void)arg;
    node_data *d = hb_bytes(o);
    d->i = level - 1; /* the node's depth, as new_node gives it */
    d->j = -(level - 1);
}

/* GCBench's MakeTree: children first, then their parent. */
static hb_handle make_tree(hb_gc *gc, int depth, uint64_t *ops)
{
    return hb_tree_bottom_up(gc, &node_type, sizeof(node_data), depth + 1, init_node, NULL, ops);
}

/* Node count and sum of the i fields. */
static void walk(const hb_obj *o, uint64_t *count, uint64_t *isum)
{
    while (o != NULL) {
        const node_data *d = (const node_data *)(o->slots + o->nslots);
        (*count)++;
        *isum += (uint64_t)(int64_t)d->i;
        walk(hb_slot(o, 0), count, isum);
        o = hb_slot(o, 1);
    }
}

static uint64_t tree_size(int depth)
{
    return (2ULL << depth) - 1;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    int stretch = (int)env->params[0], longd = (int)env->params[1];
    int mind = (int)env->params[2], maxd = (int)env->params[3];
    uint32_t narray = (uint32_t)env->params[4];
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc), s;
    hb_handle t, longlived, array;

    if ((uint64_t)narray * sizeof(double) > UINT32_MAX) {
        snprintf(out->message, sizeof out->message, "array=%u doubles do not fit one object", narray);
        return HB_WL_ERROR;
    }

    /* Stretch the heap. */
    s = hb_scope_enter(gc);
    if ((t = make_tree(gc, stretch, &ops)) == HB_NO_HANDLE)
        goto oom;
    uint64_t count = 0, isum = 0;
    walk(hb_get(gc, t), &count, &isum);
    if (count != tree_size(stretch))
        goto wrong;
    h = hb_mix(h, count);
    hb_scope_leave(gc, s);

    /* The long-lived data. */
    if (new_node(gc, longd, &longlived, &ops) == NULL || populate(gc, longd, hb_get(gc, longlived), &ops) != 0)
        goto oom;
    if ((array = hb_new(gc, &node_type, 0, narray * (uint32_t)sizeof(double))) == HB_NO_HANDLE)
        goto oom;
    ops++;
    double *a = hb_bytes(hb_get(gc, array));
    for (uint32_t i = 1; i < narray / 2; i++)
        a[i] = 1.0 / i;

    for (int d = mind; d <= maxd; d += 2) {
        uint64_t iters = (uint64_t)hb_wl_scaled(env, (long long)(2 * tree_size(stretch) / tree_size(d)), 1);
        uint64_t c[2] = {0, 0}, is[2] = {0, 0};
        for (uint64_t k = 0; k < iters; k++) { /* top-down */
            s = hb_scope_enter(gc);
            hb_obj *root = new_node(gc, d, &t, &ops);
            if (root == NULL || populate(gc, d, root, &ops) != 0)
                goto oom;
            walk(root, &c[0], &is[0]);
            hb_scope_leave(gc, s);
        }
        for (uint64_t k = 0; k < iters; k++) { /* bottom-up */
            s = hb_scope_enter(gc);
            if ((t = make_tree(gc, d, &ops)) == HB_NO_HANDLE)
                goto oom;
            walk(hb_get(gc, t), &c[1], &is[1]);
            hb_scope_leave(gc, s);
        }
        if (c[0] != iters * tree_size(d) || c[1] != c[0] || is[1] != is[0])
            goto wrong;
        h = hb_mix(hb_mix(h, c[0]), is[0]);
    }

    count = isum = 0;
    walk(hb_get(gc, longlived), &count, &isum);
    if (count != tree_size(longd))
        goto wrong;
    h = hb_mix(hb_mix(h, count), isum);
    a = hb_bytes(hb_get(gc, array));
    for (uint32_t i = 1; i < narray / 2; i += narray / 16 + 1) {
        uint64_t bits;
        memcpy(&bits, &a[i], sizeof bits);
        if (a[i] != 1.0 / i)
            goto wrong;
        h = hb_mix(h, bits);
    }
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "a tree or the long-lived array does not hold what was built");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_gcbench = {
    .name = "gcbench",
    .summary = "stretch tree, long-lived tree and array, then top-down and bottom-up trees of depths 4..16",
    .origin = "Ellis, Kovac and Boehm's GCBench",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
