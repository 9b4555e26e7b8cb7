/*
 * containers.c: seed M12 (memory-efficient data structures).
 *
 *   list(range(n)), tuple(range(n)), array('i', range(n)), set(range(n))
 *
 * Each round stores n ints in one structure, reads them all back, and
 * drops it:
 *   kind=list   a list object whose items array (n slots, preallocated as
 *               list(range(n)) does) points at n boxed ints;
 *   kind=tuple  one object with the n slots inline, pointing at boxed ints;
 *   kind=array  one object of n unboxed int32s (array('i'));
 *   kind=set    a hash set of boxed ints: a set object holding a table
 *               object (key slots, hashes in raw bytes), linear probing,
 *               grown at 60% load to 4x the used
 *               entries (2x above 50000), as CPython's set grows; every value
 *               is then looked up, and n absent ones too.
 * Bytes per element show in peak_live_bytes.  Values are i ^ (round & 255),
 * distinct within a round.
 *
 * Checksum: n, then per round the sum of the values read back (the same for
 * every kind) and, for the set, nothing more: lookups are checked, a miss
 * or a false hit is HB_WL_WRONG.
 */
#include <stdio.h>

#include "collector.h"
#include "pyobj.h"
#include "workload.h"

static const char *const kind_choices[] = {"list", "tuple", "array", "set", NULL};

static const hb_param_def params[] = {
    {"n", 1000000, 1, 100000000LL, NULL, "ints per round (the slide's 1000000)"},
    {"kind", 0, 0, 3, kind_choices, "list, tuple (boxed ints), array (unboxed int32), set (hash set of boxed ints)"},
    {"rounds", 4, 1, 100000000LL, NULL,
     "rounds, at scale 1 (default: about 0.6 s with kind=list (libc, generational))"},
};

enum { KIND_LIST, KIND_TUPLE, KIND_ARRAY, KIND_SET };

static const hb_type tuple_type = {.name = "tuple"};
static const hb_type array_type = {.name = "array"};
static const hb_type set_type = {.name = "set"};
static const hb_type table_type = {.name = "set-table"};

/* ---- the set: set object (slot 0: table; raw: used) and table (cap key
 * slots; raw: cap hashes).  hash(int) is the int, as in CPython. */

#define SET_MINSIZE 8

static uint32_t table_probe(const hb_obj *t, int64_t v)
{
    uint32_t mask = t->nslots - 1;
    for (uint32_t i = (uint32_t)(uint64_t)v & mask;; i = (i + 1) & mask) {
        const hb_obj *k = hb_slot(t, i);
        if (k == NULL || hb_py_unbox(k) == v)
            return i;
    }
}

/* s.add(v): s and v held by the caller.  0, or -1. */
static int set_add(hb_gc *gc, hb_obj *s, hb_obj *v, uint64_t *ops)
{
    uint64_t *used = hb_bytes(s);
    hb_obj *t = hb_slot(s, 0);
    uint32_t cap = t ? t->nslots : 0;
    if (t == NULL || (*used + 1) * 5 >= (uint64_t)cap * 3) {
        uint64_t minused = (*used + 1) * (*used > 50000 ? 2 : 4), ncap = SET_MINSIZE;
        while (ncap <= minused) /* CPython's set_table_resize */
            ncap <<= 1;
        if (ncap > (1u << 31))
            return -1;
        hb_scope sc = hb_scope_enter(gc);
        hb_handle nh = hb_new(gc, &table_type, (uint32_t)ncap, 0);
        if (nh == HB_NO_HANDLE) {
            hb_scope_leave(gc, sc);
            return -1;
        }
        (*ops)++;
        hb_obj *nt = hb_get(gc, nh);
        t = hb_slot(s, 0);
        for (uint32_t i = 0; i < cap; i++)
            if (hb_slot(t, i) != NULL)
                hb_set(gc, nt, table_probe(nt, hb_py_unbox(hb_slot(t, i))), hb_slot(t, i));
        hb_set(gc, s, 0, nt);
        hb_scope_leave(gc, sc);
        t = nt;
    }
    uint32_t i = table_probe(t, hb_py_unbox(v));
    if (hb_slot(t, i) == NULL) {
        hb_set(gc, t, i, v);
        (*used)++;
    }
    return 0;
}

static bool set_contains(const hb_obj *s, int64_t v)
{
    const hb_obj *t = hb_slot(s, 0);
    return t != NULL && hb_slot(t, table_probe(t, v)) != NULL;
}

/* ---- the workload -------------------------------------------------------- */

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    uint32_t n = (uint32_t)env->params[0];
    int kind = (int)env->params[1];
    long long rounds = hb_wl_scaled(env, env->params[2], 1);
    uint64_t h = hb_mix(HB_CHECKSUM_INIT, n), ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);

    for (long long r = 0; r < rounds; r++) {
        hb_scope s = hb_scope_enter(gc);
        int64_t c = r & 255;
        uint64_t sum = 0;
        hb_handle top;
        hb_obj *slots_of = NULL; /* list, tuple: the object whose slots hold the ints */
        switch (kind) {
        case KIND_LIST:
        case KIND_TUPLE:
            top = kind == KIND_LIST ? hb_new(gc, &hb_py_list_type, 1, sizeof(uint64_t)) : hb_new(gc, &tuple_type, n, 0);
            if (top == HB_NO_HANDLE)
                goto oom;
            ops++;
            if (kind == KIND_LIST) {
                hb_handle items = hb_new(gc, &hb_py_items_type, n, 0);
                if (items == HB_NO_HANDLE)
                    goto oom;
                ops++;
                hb_set(gc, hb_get(gc, top), 0, hb_get(gc, items));
                *(uint64_t *)hb_bytes(hb_get(gc, top)) = n;
            }
            for (uint32_t i = 0; i < n; i++) {
                hb_scope si = hb_scope_enter(gc);
                hb_handle v = hb_py_box(gc, (int64_t)i ^ c, &ops);
                if (v == HB_NO_HANDLE)
                    goto oom;
                hb_obj *dst = kind == KIND_LIST ? hb_slot(hb_get(gc, top), 0) : hb_get(gc, top);
                hb_set(gc, dst, i, hb_get(gc, v));
                hb_scope_leave(gc, si);
            }
            slots_of = kind == KIND_LIST ? hb_slot(hb_get(gc, top), 0) : hb_get(gc, top);
            for (uint32_t i = 0; i < n; i++)
                sum += (uint64_t)hb_py_unbox(hb_slot(slots_of, i));
            break;
        case KIND_ARRAY: {
            if ((uint64_t)n * sizeof(int32_t) > UINT32_MAX)
                goto oom;
            top = hb_new(gc, &array_type, 0, n * (uint32_t)sizeof(int32_t));
            if (top == HB_NO_HANDLE)
                goto oom;
            ops++;
            int32_t *a = hb_bytes(hb_get(gc, top));
            for (uint32_t i = 0; i < n; i++)
                a[i] = (int32_t)((int64_t)i ^ c);
            for (uint32_t i = 0; i < n; i++)
                sum += (uint64_t)(int64_t)a[i];
            break;
        }
        default: { /* KIND_SET */
            top = hb_new(gc, &set_type, 1, sizeof(uint64_t));
            if (top == HB_NO_HANDLE)
                goto oom;
            ops++;
            for (uint32_t i = 0; i < n; i++) {
                hb_scope si = hb_scope_enter(gc);
                hb_handle v = hb_py_box(gc, (int64_t)i ^ c, &ops);
                if (v == HB_NO_HANDLE || set_add(gc, hb_get(gc, top), hb_get(gc, v), &ops) != 0)
                    goto oom;
                hb_scope_leave(gc, si);
            }
            hb_obj *so = hb_get(gc, top), *t = hb_slot(so, 0);
            if (*(const uint64_t *)hb_bytes(so) != n)
                goto wrong;
            for (uint32_t i = 0; i < t->nslots; i++)
                if (hb_slot(t, i) != NULL)
                    sum += (uint64_t)hb_py_unbox(hb_slot(t, i));
            for (uint32_t i = 0; i < n; i++)
                if (!set_contains(so, (int64_t)i ^ c) || set_contains(so, -1 - (int64_t)i))
                    goto wrong;
            break;
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
    snprintf(out->message, sizeof out->message, "the set lost a member or found an absent one");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_containers = {
    .name = "containers",
    .summary = "1M ints as a list, a tuple (boxed ints), an array (unboxed int32) or a set (hash set of boxed ints)",
    .origin = "seed M12 (list, tuple, array, set)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
