/*
 * materialize_vs_stream.c: seed M9 and the notebook's generator cells.
 *
 *   inefficient: result = []; for i in range(n): result.append(i ** 2)
 *   efficient:   (i ** 2 for i in range(n))
 *
 * The sum of the squares of 0..n-1, `rounds` times.  `mode=list` first
 * materialises all n boxed squares in a list that grows by appending (as
 * CPython's does), then sums it and drops it: the peak holds n boxed ints
 * and the items array.  `mode=stream` pulls them one at a time from a
 * generator object (its state in raw bytes): each boxed square dies as
 * soon as it is added, so the peak is a few objects.
 *
 * Checksum: n, then per round the sum; the same for both modes.
 */
#include <stdio.h>

#include "collector.h"
#include "pyobj.h"
#include "workload.h"

static const char *const mode_choices[] = {"list", "stream", NULL};

static const hb_param_def params[] = {
    {"n", 1000000, 1, 500000000LL, NULL, "values (the slide's 1000000)"},
    {"mode", 0, 0, 1, mode_choices, "list: materialise all results first; stream: one at a time (a generator)"},
    {"rounds", 4, 1, 100000000LL, NULL, "sums, at scale 1 (default: about 1 s with mode=list (libc, generational))"},
};

static const hb_type gen_type = {.name = "generator"};

typedef struct gen_state {
    uint64_t i, n;
} gen_state;

/* next(gen): the next boxed square in a new handle, or HB_NO_HANDLE at the
 * end (*done set) or on failure. */
static hb_handle gen_next(hb_gc *gc, hb_obj *gen, int *done, uint64_t *ops)
{
    gen_state *g = hb_bytes(gen);
    if (g->i >= g->n) {
        *done = 1;
        return HB_NO_HANDLE;
    }
    int64_t i = (int64_t)g->i++;
    return hb_py_box(gc, i * i, ops);
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    uint32_t n = (uint32_t)env->params[0];
    int stream = env->params[1] == 1;
    long long rounds = hb_wl_scaled(env, env->params[2], 1);
    uint64_t h = hb_mix(HB_CHECKSUM_INIT, n), ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);

    for (long long r = 0; r < rounds; r++) {
        hb_scope s = hb_scope_enter(gc);
        uint64_t sum = 0;
        if (!stream) {
            hb_handle l = hb_new(gc, &hb_py_list_type, 1, sizeof(uint64_t));
            if (l == HB_NO_HANDLE)
                goto oom;
            ops++;
            for (uint32_t i = 0; i < n; i++) {
                hb_scope si = hb_scope_enter(gc);
                hb_handle v = hb_py_box(gc, (int64_t)i * i, &ops);
                if (v == HB_NO_HANDLE || hb_py_list_append(gc, hb_get(gc, l), hb_get(gc, v), &ops) != 0)
                    goto oom;
                hb_scope_leave(gc, si);
            }
            hb_obj *lo = hb_get(gc, l), *items = hb_slot(lo, 0);
            if (*(const uint64_t *)hb_bytes(lo) != n)
                goto wrong;
            for (uint32_t i = 0; i < n; i++)
                sum += (uint64_t)hb_py_unbox(hb_slot(items, i));
        } else {
            hb_handle g = hb_new(gc, &gen_type, 0, sizeof(gen_state));
            if (g == HB_NO_HANDLE)
                goto oom;
            ops++;
            ((gen_state *)hb_bytes(hb_get(gc, g)))->n = n;
            for (;;) {
                int done = 0;
                hb_scope si = hb_scope_enter(gc);
                hb_handle v = gen_next(gc, hb_get(gc, g), &done, &ops);
                if (done)
                    break;
                if (v == HB_NO_HANDLE)
                    goto oom;
                sum += (uint64_t)hb_py_unbox(hb_get(gc, v));
                hb_scope_leave(gc, si);
            }
        }
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
    snprintf(out->message, sizeof out->message, "the materialised list has the wrong length");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_materialize_vs_stream = {
    .name = "materialize-vs-stream",
    .summary = "sum of squares of 0..1M-1: all boxed results in a list first, or one at a time from a generator",
    .origin = "seed M9, N (list versus generator)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
