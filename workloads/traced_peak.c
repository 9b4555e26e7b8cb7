/*
 * traced_peak.c: seed M7 and the notebook's tracemalloc cells.
 *
 *   def memory_intensive_function(): return [obj for obj in range(n)]
 *   result = memory_intensive_function()
 *   current, peak = tracemalloc.get_traced_memory()
 *
 * Each round calls a function that builds a list of n boxed ints by
 * appending (a list object holding an items array that grows as CPython's
 * does, the old array dropped after each copy) and returns it from its
 * scope (hb_scope_leave_keep); the caller sums it and drops it.  The
 * harness reports the traced current/peak through the counting wrapper
 * (peak_live_bytes): the peak includes the last growth, when the old and
 * the new items arrays are both alive.
 *
 * Checksum: n, then per round the sum of the returned list.
 */
#include <stdio.h>

#include "collector.h"
#include "pyobj.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"n", 1000000, 1, 500000000LL, NULL, "elements of the returned list (the slide's 1000000)"},
    {"rounds", 4, 1, 100000000LL, NULL, "calls, at scale 1 (default: about 1 s (libc, generational))"},
};

/* memory_intensive_function(): the list, in a handle of the caller's
 * scope, or HB_NO_HANDLE. */
static hb_handle build(hb_gc *gc, uint32_t n, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle l = hb_new(gc, &hb_py_list_type, 1, sizeof(uint64_t));
    if (l == HB_NO_HANDLE)
        goto fail;
    (*ops)++;
    for (uint32_t i = 0; i < n; i++) {
        hb_scope si = hb_scope_enter(gc);
        hb_handle v = hb_new(gc, &hb_py_int_type, 0, sizeof(int64_t));
        if (v == HB_NO_HANDLE)
            goto fail;
        (*ops)++;
        *(int64_t *)hb_bytes(hb_get(gc, v)) = i;
        if (hb_py_list_append(gc, hb_get(gc, l), hb_get(gc, v), ops) != 0)
            goto fail;
        hb_scope_leave(gc, si);
    }
    return hb_scope_leave_keep(gc, s, l);
fail:
    hb_scope_leave(gc, s);
    return HB_NO_HANDLE;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    uint32_t n = (uint32_t)env->params[0];
    long long rounds = hb_wl_scaled(env, env->params[1], 1);
    uint64_t h = hb_mix(HB_CHECKSUM_INIT, n), ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);

    for (long long r = 0; r < rounds; r++) {
        hb_scope s = hb_scope_enter(gc);
        hb_handle result = build(gc, n, &ops);
        if (result == HB_NO_HANDLE)
            goto oom;
        hb_obj *l = hb_get(gc, result), *items = hb_slot(l, 0);
        uint64_t len = *(const uint64_t *)hb_bytes(l), sum = 0;
        if (len != n)
            goto wrong;
        for (uint32_t i = 0; i < n; i++)
            sum += (uint64_t) * (const int64_t *)hb_bytes(hb_slot(items, i));
        h = hb_mix(h, sum);
        hb_scope_leave(gc, s);
    }
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "the returned list has the wrong length");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_traced_peak = {
    .name = "traced-peak",
    .summary = "a function builds a list of 1M boxed ints by appending and returns it; traced current/peak",
    .origin = "seed M7, N (tracemalloc.get_traced_memory)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
