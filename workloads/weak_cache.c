/*
 * weak_cache.c: seed M6 (a cache over weakref.WeakValueDictionary).
 *
 *   cache.set(key, big_data); cache.get(key); del big_data
 *
 * Each step makes a list of `len` boxed ints (big_data), stores it in a
 * weak-value map (hb_wvmap) under key step % `keys`, reads it back through
 * the map and sums it, then drops the only strong reference.  The entry
 * disappears when the list dies: at once under reference counting, at the
 * next collection under tracing.  Before each store, the entry the step
 * replaces is looked up (a hit means its list has not been collected yet;
 * counted, not checksummed).  The run ends with a full collection, after
 * which a precise collector must have emptied the map.
 *
 * Checksum: per step, the sum read back through the cache; then len,
 * steps.  Hit counts and map sizes depend on the collector and are not in it.
 */
#include <stdio.h>

#include "collector.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"len", 1000000, 1, 500000000LL, NULL, "elements of each cached list (the slide's 1000000)"},
    {"steps", 8, 1, 100000000LL, NULL,
     "lists cached and dropped, at scale 1 (default: about 1 s (libc, generational))"},
    {"keys", 64, 1, 1000000, NULL, "keys the steps rotate through"},
};

static const hb_type list_type = {.name = "list"};
static const hb_type int_type = {.name = "int"};

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    uint32_t len = (uint32_t)env->params[0];
    long long steps = hb_wl_scaled(env, env->params[1], 1);
    uint64_t keys = (uint64_t)env->params[2];
    unsigned caps = hb_gc_ops(gc)->caps;
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    size_t left = 0;
    hb_scope s0 = hb_scope_enter(gc);
    hb_wvmap *cache = hb_wvmap_new(gc);

    if (cache == NULL)
        goto oom;
    for (long long step = 0; step < steps; step++) {
        uint64_t key = (uint64_t)step % keys;
        (void)hb_wvmap_get(cache, key); /* an old list, if not yet collected */
        hb_scope s = hb_scope_enter(gc);
        hb_handle big = hb_new(gc, &list_type, len, 0);
        if (big == HB_NO_HANDLE)
            goto oom;
        ops++;
        for (uint32_t i = 0; i < len; i++) {
            hb_scope si = hb_scope_enter(gc);
            hb_handle v = hb_new(gc, &int_type, 0, sizeof(int64_t));
            if (v == HB_NO_HANDLE)
                goto oom;
            ops++;
            *(int64_t *)hb_bytes(hb_get(gc, v)) = (int64_t)i ^ step;
            hb_set(gc, hb_get(gc, big), i, hb_get(gc, v));
            hb_scope_leave(gc, si);
        }
        if (hb_wvmap_set(cache, key, hb_get(gc, big)) != 0)
            goto oom;
        hb_obj *got = hb_wvmap_get(cache, key);
        if (got != hb_get(gc, big))
            goto wrong;
        uint64_t sum = 0;
        for (uint32_t i = 0; i < len; i++)
            sum += (uint64_t) * (const int64_t *)hb_bytes(hb_slot(got, i));
        h = hb_mix(h, sum);
        hb_scope_leave(gc, s); /* del big_data */
    }
    hb_gc_collect(gc, HB_GC_FULL);
    left = hb_wvmap_len(cache);
    if (left != 0 && !(caps & (HB_GC_CONSERVATIVE | HB_GC_NEVER_FREES)))
        goto wrong;
    h = hb_mix(hb_mix(h, len), (uint64_t)steps);
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object or map allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message,
             "the cache gave back another object, or kept %zu dead entries after a full collection", left);
done:
    hb_scope_leave(gc, s0);
    if (cache != NULL)
        hb_wvmap_free(cache);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_weak_cache = {
    .name = "weak-cache",
    .summary = "a weak-value cache of 1M-element lists: store, read back, drop the strong reference; 64 rotating keys",
    .origin = "seed M6 (weakref.WeakValueDictionary cache)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
