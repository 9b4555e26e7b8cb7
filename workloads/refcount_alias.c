/*
 * refcount_alias.c: seed M1, M2 and the notebook's getrefcount cells.
 *
 *   a = [1, 2, 3]; b = a; del a; ... del b     (the count goes 1, 2, 1, 0)
 *
 * `iterations` times: a container of three slots is made and filled with
 * three small ints, aliased by a second handle, read through the alias,
 * and both names are dropped (alias first, as in M2, or original first, as
 * in M1, alternating), which frees it under reference counting.  With
 * `ints=cached` the ints are three boxed singletons made once, as CPython
 * caches small ints (each fill is then pure reference count traffic); with
 * `ints=fresh` every container gets three new boxed ints i, i+1, i+2.
 *
 * Under a reference-counting collector the counts 1, 2, 1 are checked with
 * hb_refcount (a wrong count is HB_WL_WRONG); tracing collectors have none.
 * Checksum: the values read through the alias, mixed per iteration.
 */
#include <stdio.h>

#include "collector.h"
#include "workload.h"

static const char *const ints_choices[] = {"cached", "fresh", NULL};

static const hb_param_def params[] = {
    {"iterations", 5000000, 1, 10000000000LL, NULL,
     "containers made and dropped, at scale 1 (default: about 0.3 s (libc, generational); the seed's count is "
     "1000000)"},
    {"ints", 0, 0, 1, ints_choices, "cached: three shared small-int objects; fresh: three new boxed ints each"},
};

static const hb_type list_type = {.name = "list"};
static const hb_type int_type = {.name = "int"};

static hb_handle box(hb_gc *gc, int64_t v)
{
    hb_handle h = hb_new(gc, &int_type, 0, sizeof(int64_t));
    if (h != HB_NO_HANDLE)
        *(int64_t *)hb_bytes(hb_get(gc, h)) = v;
    return h;
}

static int64_t unbox(hb_obj *o)
{
    return *(const int64_t *)hb_bytes(o);
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long n = hb_wl_scaled(env, env->params[0], 1);
    int fresh = env->params[1] == 1;
    int counted = (hb_gc_ops(gc)->caps & HB_GC_REFCOUNT) != 0;
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);
    hb_handle small[3];

    if (!fresh)
        for (int k = 0; k < 3; k++) {
            if ((small[k] = box(gc, k + 1)) == HB_NO_HANDLE)
                goto oom;
            ops++;
        }
    for (long long i = 0; i < n; i++) {
        hb_scope s = hb_scope_enter(gc);
        hb_handle a = hb_new(gc, &list_type, 3, 0);
        if (a == HB_NO_HANDLE)
            goto oom;
        ops++;
        for (uint32_t k = 0; k < 3; k++) {
            hb_obj *v;
            if (fresh) {
                hb_handle t = box(gc, i + k);
                if (t == HB_NO_HANDLE)
                    goto oom;
                ops++;
                v = hb_get(gc, t);
                hb_set(gc, hb_get(gc, a), k, v);
                hb_handle_set(gc, t, NULL); /* the list holds it now */
            } else {
                v = hb_get(gc, small[k]);
                hb_set(gc, hb_get(gc, a), k, v);
            }
        }
        if (counted && hb_refcount(gc, hb_get(gc, a)) != 1)
            goto wrong;
        hb_handle b = hb_push(gc, hb_get(gc, a)); /* b = a */
        if (b == HB_NO_HANDLE)
            goto oom;
        if (counted && hb_refcount(gc, hb_get(gc, a)) != 2)
            goto wrong;
        hb_obj *l = hb_get(gc, b);
        h = hb_mix(h, (uint64_t)(unbox(hb_slot(l, 0)) + 2 * unbox(hb_slot(l, 1)) + 3 * unbox(hb_slot(l, 2))));
        hb_handle first = (i & 1) ? a : b, second = (i & 1) ? b : a;
        hb_handle_set(gc, first, NULL); /* del one name */
        if (counted && hb_refcount(gc, hb_get(gc, second)) != 1)
            goto wrong;
        hb_handle_set(gc, second, NULL); /* del the other: 0, freed */
        hb_scope_leave(gc, s);
    }
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "reference count is not 1, 2, 1 for a container and its alias");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_refcount_alias = {
    .name = "refcount-alias",
    .summary = "container of three small ints, aliased, alias dropped, original dropped: counts 1, 2, 1, 0",
    .origin = "seed M1, M2, N (sys.getrefcount cells)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
