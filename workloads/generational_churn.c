/*
 * generational_churn.c: the notebook's gc.get_stats() cell, as a workload.
 *
 *   [{'collections': 275, 'collected': 1699, ...}, {'collections': 25, ...},
 *    {'collections': 3, ...}]
 *
 * The shape of program that gives such per-generation statistics: many
 * short-lived containers, a few survivors that live long, some cycles.
 * `base` long-lived containers are made first and kept.  Then each step
 * makes a container (three slots: a new boxed int, a reference to a random
 * older container, and a partner; a 64-bit value) that usually dies at
 * once; one step in `cycle` gives it a partner that points back (a cycle
 * that only a cycle collector reclaims); one step in `survive` stores it in
 * a ring of `keep` survivors, evicting the oldest (medium lifetimes that
 * get promoted, then die in an older generation).  The harness reports the
 * per-generation collections and pauses (gc_* columns).
 *
 * Checksum: per step the value of the older container referenced, and the
 * value of each evicted survivor; at the end, the values of the survivors
 * and of the long-lived containers.  Random choices come from env->seed.
 */
#include <stdio.h>

#include "collector.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"steps", 6000000, 1, 10000000000LL, NULL, "containers made, at scale 1 (default: about 1 s (libc, generational))"},
    {"survive", 100, 1, 1000000000LL, NULL, "one container in this many becomes a survivor"},
    {"cycle", 10, 1, 1000000000LL, NULL, "one container in this many is made part of a two-object cycle"},
    {"keep", 10000, 1, 100000000LL, NULL, "survivors kept (a FIFO ring)"},
    {"base", 50000, 1, 100000000LL, NULL, "long-lived containers made first"},
};

static const hb_type container_type = {.name = "container"};
static const hb_type ring_type = {.name = "list"};
static const hb_type int_type = {.name = "int"};

static uint64_t value_of(const hb_obj *o)
{
    return *(const uint64_t *)(const void *)(o->slots + o->nslots);
}

/* A container with value v: in a handle of the current scope. */
static hb_handle container(hb_gc *gc, uint64_t v, uint64_t *ops)
{
    hb_handle c = hb_new(gc, &container_type, 3, sizeof(uint64_t));
    if (c == HB_NO_HANDLE)
        return c;
    (*ops)++;
    *(uint64_t *)hb_bytes(hb_get(gc, c)) = v;
    hb_handle b = hb_new(gc, &int_type, 0, sizeof(uint64_t));
    if (b == HB_NO_HANDLE)
        return b;
    (*ops)++;
    *(uint64_t *)hb_bytes(hb_get(gc, b)) = v * 7;
    hb_set(gc, hb_get(gc, c), 0, hb_get(gc, b));
    hb_handle_set(gc, b, NULL);
    return c;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long steps = hb_wl_scaled(env, env->params[0], 1);
    uint64_t survive = (uint64_t)env->params[1], cycle = (uint64_t)env->params[2];
    uint32_t keep = (uint32_t)env->params[3], base = (uint32_t)env->params[4];
    uint64_t h = HB_CHECKSUM_INIT, ops = 0, filled = 0;
    int rc = HB_WL_OK;
    hb_rng rng;
    hb_scope s0 = hb_scope_enter(gc), s;
    hb_handle longlived, ring;

    hb_rng_seed(&rng, env->seed);
    if ((longlived = hb_new(gc, &ring_type, base, 0)) == HB_NO_HANDLE)
        goto oom;
    if ((ring = hb_new(gc, &ring_type, keep, 0)) == HB_NO_HANDLE)
        goto oom;
    ops += 2;
    for (uint32_t i = 0; i < base; i++) {
        s = hb_scope_enter(gc);
        hb_handle c = container(gc, i, &ops);
        if (c == HB_NO_HANDLE)
            goto oom;
        if (i > 0) /* each refers to an earlier one */
            hb_set(gc, hb_get(gc, c), 1, hb_slot(hb_get(gc, longlived), (uint32_t)hb_rng_below(&rng, i)));
        hb_set(gc, hb_get(gc, longlived), i, hb_get(gc, c));
        hb_scope_leave(gc, s);
    }

    for (long long step = 0; step < steps; step++) {
        uint64_t r = hb_rng_next(&rng), v = (uint64_t)step + base;
        s = hb_scope_enter(gc);
        hb_handle c = container(gc, v, &ops);
        if (c == HB_NO_HANDLE)
            goto oom;
        /* A reference to an older object: a survivor, or a long-lived one. */
        hb_obj *older = NULL;
        if (filled > 0 && (r & 1))
            older = hb_slot(hb_get(gc, ring), (uint32_t)hb_rng_below(&rng, filled < keep ? filled : keep));
        else
            older = hb_slot(hb_get(gc, longlived), (uint32_t)hb_rng_below(&rng, base));
        h = hb_mix(h, value_of(older));
        hb_set(gc, hb_get(gc, c), 1, older);
        if ((r >> 8) % cycle == 0) { /* a two-object cycle */
            hb_handle p = container(gc, ~v, &ops);
            if (p == HB_NO_HANDLE)
                goto oom;
            hb_set(gc, hb_get(gc, c), 2, hb_get(gc, p));
            hb_set(gc, hb_get(gc, p), 2, hb_get(gc, c));
        }
        if ((r >> 32) % survive == 0) { /* a survivor, evicting the oldest */
            uint32_t at = (uint32_t)(filled % keep);
            hb_obj *rg = hb_get(gc, ring), *old = hb_slot(rg, at);
            if (old != NULL)
                h = hb_mix(h, value_of(old) ^ value_of(hb_slot(old, 0)));
            hb_set(gc, rg, at, hb_get(gc, c));
            filled++;
        }
        hb_scope_leave(gc, s);
    }

    hb_obj *rg = hb_get(gc, ring), *ll = hb_get(gc, longlived);
    for (uint32_t i = 0; i < keep; i++)
        if (hb_slot(rg, i) != NULL)
            h = hb_mix(h, value_of(hb_slot(rg, i)));
    for (uint32_t i = 0; i < base; i++)
        h = hb_mix(h, value_of(hb_slot(ll, i)) + value_of(hb_slot(hb_slot(ll, i), 0)));
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

const hb_workload_ops hb_wl_generational_churn = {
    .name = "generational-churn",
    .summary = "many short-lived containers, a few long-lived survivors, some cycles: per-generation statistics",
    .origin = "seed N (gc.get_stats)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
