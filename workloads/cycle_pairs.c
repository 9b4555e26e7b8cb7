/*
 * cycle_pairs.c: seed M3, M4 and the notebook's cycle with __del__.
 *
 *   node1.next = node2; node2.next = node1; del node1, node2; gc.collect()
 *
 * `rings` times: `k` nodes (one slot, `next`, and a value) are made and
 * linked into a ring (k=2: a pair; k=1: a node that points at itself), the
 * ring is walked once, and the outside references are dropped.  Reference
 * counting alone leaks every ring (its documented limit); a cycle
 * collector reclaims them as its thresholds fire; one full collection
 * ends the run, as gc.collect() does on the slide.  With `finalizer=1`
 * the nodes have a tp_finalize (the notebook's MyObject with __del__).
 *
 * Checksum: the values read walking each ring, mixed per ring.  Finalizer
 * calls are not in it (they depend on the collector); they are checked:
 * never more than one per node; none under pure reference counting (every
 * ring leaks); all of them after the final collection under a precise
 * collector with cycle collection and finalizers.
 */
#include <stdio.h>

#include "collector.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"rings", 2500000, 1, 10000000000LL, NULL,
     "rings made and dropped, at scale 1 (default: about 0.25 s (libc, generational); refcount leaks them all, about "
     "400 MiB; the seed's count is 100000)"},
    {"k", 2, 1, 1000000, NULL, "nodes per ring (2: the slides' pair)"},
    {"finalizer", 0, 0, 1, NULL, "1: nodes have a finalizer (tp_finalize)"},
};

/* Finalizer calls of the current run (a collector instance is single
 * threaded, and so is this workload). */
static uint64_t finalized;

static void node_finalize(hb_gc *gc, hb_obj *self)
{
    (void)gc;
    (void)self;
    finalized++;
}

static const hb_type node_type = {.name = "node"};
static const hb_type fnode_type = {.name = "node-with-del", .tp_finalize = node_finalize};

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long rings = hb_wl_scaled(env, env->params[0], 1);
    uint32_t k = (uint32_t)env->params[1];
    const hb_type *type = env->params[2] ? &fnode_type : &node_type;
    unsigned caps = hb_gc_ops(gc)->caps;
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);

    finalized = 0;
    for (long long r = 0; r < rings; r++) {
        hb_scope s = hb_scope_enter(gc);
        hb_handle first = HB_NO_HANDLE, prev = HB_NO_HANDLE;
        for (uint32_t j = 0; j < k; j++) {
            hb_handle n = hb_new(gc, type, 1, sizeof(uint64_t));
            if (n == HB_NO_HANDLE)
                goto oom;
            ops++;
            *(uint64_t *)hb_bytes(hb_get(gc, n)) = (uint64_t)r * k + j;
            if (j == 0)
                first = n;
            else {
                hb_set(gc, hb_get(gc, prev), 0, hb_get(gc, n)); /* prev.next = n */
                if (prev != first)
                    hb_handle_set(gc, prev, NULL); /* reachable from first */
            }
            prev = n;
        }
        hb_set(gc, hb_get(gc, prev), 0, hb_get(gc, first)); /* close the ring */
        uint64_t sum = 0;
        hb_obj *o = hb_get(gc, first);
        for (uint32_t j = 0; j < k; j++, o = hb_slot(o, 0))
            sum += *(const uint64_t *)hb_bytes(o);
        if (o != hb_get(gc, first))
            goto wrong;
        h = hb_mix(h, sum);
        hb_scope_leave(gc, s); /* del node1, node2 */
    }
    hb_gc_collect(gc, HB_GC_FULL);
    if (finalized > (uint64_t)rings * k)
        goto wrong;
    if (env->params[2] && (caps & HB_GC_REFCOUNT) && !(caps & HB_GC_CYCLES) && finalized != 0)
        goto wrong;
    if (env->params[2] && (caps & HB_GC_CYCLES) && (caps & HB_GC_FINALIZERS) && !(caps & HB_GC_CONSERVATIVE) &&
        finalized != (uint64_t)rings * k)
        goto wrong;
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "ring broken, or %llu finalizer calls for %llu nodes",
             (unsigned long long)finalized, (unsigned long long)rings * k);
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_cycle_pairs = {
    .name = "cycle-pairs",
    .summary = "pairs (rings of k nodes) pointing at each other, outside references dropped, one final collection",
    .origin = "seed M3, M4, N (circular references, gc.collect)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
