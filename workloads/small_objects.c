/*
 * small_objects.c: seed M5 (memory pools for small objects).
 *
 *   small_objects = [i for i in range(n)]   # n boxed ints (28 B in CPython)
 *   large_object = <one array of n values>
 *
 * Each round builds, reads back and drops n values: with `kind=boxed` as n
 * boxed ints (objects with 8 raw bytes) held by one list object of n slots;
 * with `kind=array` as one object with n * 8 raw bytes.  boxed shows the
 * per-object cost (header, allocator call, pooling); array the floor.
 *
 * Checksum: n, then the sum of the values read back in each round; the same
 * for both kinds.
 */
#include <stdio.h>

#include "collector.h"
#include "workload.h"

static const char *const kind_choices[] = {"boxed", "array", NULL};

static const hb_param_def params[] = {
    {"n", 1000000, 1, 500000000LL, NULL, "values per round"},
    {"kind", 0, 0, 1, kind_choices, "boxed: one object per value; array: one object for all"},
    {"rounds", 5, 1, 100000000LL, NULL,
     "rounds, at scale 1 (default: about 0.7 s with kind=boxed (libc, generational))"},
};

static const hb_type list_type = {.name = "list"};
static const hb_type int_type = {.name = "int"};
static const hb_type array_type = {.name = "array"};

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    uint32_t n = (uint32_t)env->params[0];
    int boxed = env->params[1] == 0;
    long long rounds = hb_wl_scaled(env, env->params[2], 1);
    uint64_t h = hb_mix(HB_CHECKSUM_INIT, n), ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);

    for (long long r = 0; r < rounds; r++) {
        hb_scope s = hb_scope_enter(gc);
        uint64_t sum = 0;
        if (boxed) {
            hb_handle l = hb_new(gc, &list_type, n, 0);
            if (l == HB_NO_HANDLE)
                goto oom;
            ops++;
            for (uint32_t i = 0; i < n; i++) {
                hb_scope si = hb_scope_enter(gc);
                hb_handle v = hb_new(gc, &int_type, 0, sizeof(int64_t));
                if (v == HB_NO_HANDLE)
                    goto oom;
                ops++;
                *(int64_t *)hb_bytes(hb_get(gc, v)) = (int64_t)i + r;
                hb_set(gc, hb_get(gc, l), i, hb_get(gc, v));
                hb_scope_leave(gc, si);
            }
            hb_obj *lo = hb_get(gc, l);
            for (uint32_t i = 0; i < n; i++)
                sum += (uint64_t) * (const int64_t *)hb_bytes(hb_slot(lo, i));
        } else {
            if ((uint64_t)n * sizeof(int64_t) > UINT32_MAX) {
                hb_scope_leave(gc, s0);
                snprintf(out->message, sizeof out->message, "n=%u values do not fit one object", n);
                return HB_WL_ERROR;
            }
            hb_handle a = hb_new(gc, &array_type, 0, n * (uint32_t)sizeof(int64_t));
            if (a == HB_NO_HANDLE)
                goto oom;
            ops++;
            int64_t *v = hb_bytes(hb_get(gc, a));
            for (uint32_t i = 0; i < n; i++)
                v[i] = (int64_t)i + r;
            for (uint32_t i = 0; i < n; i++)
                sum += (uint64_t)v[i];
        }
        h = hb_mix(h, sum);
        hb_scope_leave(gc, s);
    }
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_small_objects = {
    .name = "small-objects",
    .summary = "n boxed small ints in a list against one array of n values",
    .origin = "seed M5 (memory pools for small objects)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
