/*
 * finalizer_lifecycle.c: seed M8 and the notebook's __del__ cells.
 *
 *   def object_lifecycle():
 *       obj1 = LifecycleDemo("Object 1"); obj2 = LifecycleDemo("Object 2")
 *   object_lifecycle()     # both finalizers run as the function returns
 *
 * `scopes` times: a scope (the function call) makes two objects whose type
 * has a tp_finalize (the __del__), writes their names (numbers) into them,
 * reads them back, and ends.  Under reference counting both finalizers run
 * as the scope ends; under tracing, at the collector's discretion.  The run
 * ends with a full collection.  The finalizer counts its calls.
 *
 * Checksum: scopes, then the names read back, mixed per scope: the objects'
 * data only.  The number of finalizer calls (2 * scopes) is checked, not
 * checksummed: it must be exact under every collector that has finalizers
 * and is precise (refcount and generational at once, tracing ones after
 * the final full collection), and never above 2 * scopes; a conservative
 * collector (boehm) may legitimately keep a few objects alive.
 */
#include <stdio.h>

#include "collector.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"scopes", 4000000, 1, 10000000000LL, NULL,
     "scopes of two objects, at scale 1 (default: about 0.25 s (libc, generational); the seed's count is 100000)"},
};

/* Finalizer calls of the current run.  A
 * collector instance is single-threaded; statics rather than a pointer in
 * the objects, because a conservative collector may finalize after run()
 * has returned. */
static uint64_t finalized;

static void lifecycle_finalize(hb_gc *gc, hb_obj *self)
{
    (void)gc;
    (void)self;
    finalized++;
}

static const hb_type lifecycle_type = {.name = "LifecycleDemo", .tp_finalize = lifecycle_finalize};

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long scopes = hb_wl_scaled(env, env->params[0], 1);
    unsigned caps = hb_gc_ops(gc)->caps;
    uint64_t h = hb_mix(HB_CHECKSUM_INIT, (uint64_t)scopes), ops = 0, expect = 2 * (uint64_t)scopes;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);

    finalized = 0;
    for (long long i = 0; i < scopes; i++) {
        hb_scope s = hb_scope_enter(gc); /* object_lifecycle() */
        hb_handle o[2];
        for (int k = 0; k < 2; k++) {
            if ((o[k] = hb_new(gc, &lifecycle_type, 0, sizeof(uint64_t))) == HB_NO_HANDLE)
                goto oom;
            ops++;
            *(uint64_t *)hb_bytes(hb_get(gc, o[k])) = 2 * (uint64_t)i + (uint64_t)k + 1; /* its name */
        }
        h = hb_mix(h,
                   *(const uint64_t *)hb_bytes(hb_get(gc, o[0])) * 3 + *(const uint64_t *)hb_bytes(hb_get(gc, o[1])));
        hb_scope_leave(gc, s); /* "Function has ended" */
    }
    hb_gc_collect(gc, HB_GC_FULL);
    if (finalized > expect)
        goto wrong;
    if (((caps & HB_GC_REFCOUNT) || ((caps & HB_GC_FINALIZERS) && !(caps & HB_GC_CONSERVATIVE))) && finalized != expect)
        goto wrong;
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "%llu finalizer calls for %llu objects", (unsigned long long)finalized,
             (unsigned long long)expect);
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_finalizer_lifecycle = {
    .name = "finalizer-lifecycle",
    .summary = "scopes that make two objects with finalizers and end; finalizers counted",
    .origin = "seed M8, N (__del__ and object lifecycle)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
