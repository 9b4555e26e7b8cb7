/*
 * slots_vs_dict.c: seed M11 (__slots__ against a per-instance __dict__).
 *
 *   regular_list = [RegularClass(i, i) for i in range(n)]   # layout=dict
 *   slotted_list = [SlottedClass(i, i) for i in range(n)]   # layout=slots
 *
 * Each round builds a list of n instances with fields x and y (both the
 * same boxed int i, as in the slide), reads every x + y back, and drops
 * the list.  layout=slots: an instance is one object with two slots.
 * layout=dict: an instance is an object whose one slot is its __dict__, a
 * small hash map made of objects (a dict object holding a table object:
 * key/value slot pairs, open addressing with linear probing, the hashes in
 * raw bytes, grown at 2/3 load from 8 entries), keyed by the interned
 * strings "x" and "y".  The difference in bytes per instance shows in
 * peak_live_bytes.
 *
 * Checksum: n, then per round the sum of x + y over the instances; the same
 * for both layouts.
 */
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "workload.h"

static const char *const layout_choices[] = {"dict", "slots", NULL};

static const hb_param_def params[] = {
    {"n", 100000, 1, 100000000LL, NULL, "instances per round (the slide's 100000)"},
    {"layout", 0, 0, 1, layout_choices, "dict: a hash map per instance; slots: two fixed slots"},
    {"rounds", 20, 1, 100000000LL, NULL,
     "rounds, at scale 1 (default: about 1.2 s with layout=dict (libc, generational))"},
};

static const hb_type list_type = {.name = "list"};
static const hb_type int_type = {.name = "int"};
static const hb_type str_type = {.name = "str"};
static const hb_type regular_type = {.name = "RegularClass"};
static const hb_type slotted_type = {.name = "SlottedClass"};
static const hb_type dict_type = {.name = "dict"};
static const hb_type table_type = {.name = "dict-table"};

/* ---- the map: dict (slot 0: table; raw: used) and table (2*cap slots) ---- */

#define DICT_MINSIZE 8

static uint64_t str_hash_of(const hb_obj *s)
{
    return *(const uint64_t *)(const void *)(s->slots + s->nslots);
}
static const char *str_chars(const hb_obj *s)
{
    return (const char *)(s->slots + s->nslots) + 8;
}

static bool key_eq(const hb_obj *a, const hb_obj *b)
{
    return a == b || (str_hash_of(a) == str_hash_of(b) && strcmp(str_chars(a), str_chars(b)) == 0);
}

/* Entry of key in table t, or of the empty entry where it would go. */
static uint32_t table_probe(const hb_obj *t, const hb_obj *key, uint64_t hash)
{
    uint32_t mask = t->nslots / 2 - 1;
    for (uint32_t i = (uint32_t)hash & mask;; i = (i + 1) & mask) {
        const hb_obj *k = hb_slot(t, 2 * i);
        if (k == NULL || key_eq(k, key))
            return i;
    }
}

/* d[key] = value (key and value held by the caller, as is d).  0, or -1. */
static int dict_set(hb_gc *gc, hb_obj *d, hb_obj *key, hb_obj *value, uint64_t *ops)
{
    uint64_t *used = hb_bytes(d), hash = str_hash_of(key);
    hb_obj *t = hb_slot(d, 0);
    uint32_t cap = t ? t->nslots / 2 : 0;
    if (t == NULL || (*used + 1) * 3 > (uint64_t)cap * 2) {
        uint32_t ncap = cap ? cap * 2 : DICT_MINSIZE;
        hb_scope s = hb_scope_enter(gc);
        hb_handle nh = hb_new(gc, &table_type, 2 * ncap, ncap * (uint32_t)sizeof(uint64_t));
        if (nh == HB_NO_HANDLE) {
            hb_scope_leave(gc, s);
            return -1;
        }
        (*ops)++;
        hb_obj *nt = hb_get(gc, nh);
        t = hb_slot(d, 0);
        for (uint32_t i = 0; i < cap; i++) {
            hb_obj *k = hb_slot(t, 2 * i);
            if (k == NULL)
                continue;
            uint64_t kh = str_hash_of(k);
            uint32_t j = table_probe(nt, k, kh);
            ((uint64_t *)hb_bytes(nt))[j] = kh;
            hb_set(gc, nt, 2 * j, k);
            hb_set(gc, nt, 2 * j + 1, hb_slot(t, 2 * i + 1));
        }
        hb_set(gc, d, 0, nt);
        hb_scope_leave(gc, s);
        t = nt;
    }
    uint32_t i = table_probe(t, key, hash);
    if (hb_slot(t, 2 * i) == NULL) {
        ((uint64_t *)hb_bytes(t))[i] = hash;
        hb_set(gc, t, 2 * i, key);
        (*used)++;
    }
    hb_set(gc, t, 2 * i + 1, value);
    return 0;
}

static hb_obj *dict_get(const hb_obj *d, const hb_obj *key)
{
    const hb_obj *t = hb_slot(d, 0);
    if (t == NULL)
        return NULL;
    uint32_t i = table_probe(t, key, str_hash_of(key));
    return hb_slot(t, 2 * i) == NULL ? NULL : hb_slot(t, 2 * i + 1);
}

/* An interned string: raw bytes = hash, then the characters. */
static hb_handle intern(hb_gc *gc, const char *s, uint64_t *ops)
{
    size_t len = strlen(s);
    hb_handle h = hb_new(gc, &str_type, 0, (uint32_t)(8 + len + 1));
    if (h == HB_NO_HANDLE)
        return h;
    (*ops)++;
    uint64_t hash = HB_CHECKSUM_INIT;
    for (size_t i = 0; i < len; i++)
        hash = hb_mix(hash, (unsigned char)s[i]);
    char *b = hb_bytes(hb_get(gc, h));
    memcpy(b, &hash, 8);
    memcpy(b + 8, s, len + 1);
    return h;
}

static int64_t unbox(const hb_obj *o)
{
    return *(const int64_t *)(const void *)(o->slots + o->nslots);
}

/* ---- the workload -------------------------------------------------------- */

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    uint32_t n = (uint32_t)env->params[0];
    int slots = env->params[1] == 1;
    long long rounds = hb_wl_scaled(env, env->params[2], 1);
    uint64_t h = hb_mix(HB_CHECKSUM_INIT, n), ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);
    hb_handle kx = intern(gc, "x", &ops), ky = intern(gc, "y", &ops);

    if (kx == HB_NO_HANDLE || ky == HB_NO_HANDLE)
        goto oom;
    for (long long r = 0; r < rounds; r++) {
        hb_scope s = hb_scope_enter(gc);
        hb_handle list = hb_new(gc, &list_type, n, 0);
        if (list == HB_NO_HANDLE)
            goto oom;
        ops++;
        for (uint32_t i = 0; i < n; i++) {
            hb_scope si = hb_scope_enter(gc);
            hb_handle v = hb_new(gc, &int_type, 0, sizeof(int64_t));
            if (v == HB_NO_HANDLE)
                goto oom;
            ops++;
            *(int64_t *)hb_bytes(hb_get(gc, v)) = (int64_t)i + r;
            hb_handle inst = hb_new(gc, slots ? &slotted_type : &regular_type, slots ? 2 : 1, 0);
            if (inst == HB_NO_HANDLE)
                goto oom;
            ops++;
            if (slots) {
                hb_set(gc, hb_get(gc, inst), 0, hb_get(gc, v)); /* self.x = x */
                hb_set(gc, hb_get(gc, inst), 1, hb_get(gc, v)); /* self.y = y */
            } else {
                hb_handle d = hb_new(gc, &dict_type, 1, sizeof(uint64_t));
                if (d == HB_NO_HANDLE)
                    goto oom;
                ops++;
                hb_set(gc, hb_get(gc, inst), 0, hb_get(gc, d)); /* self.__dict__ */
                if (dict_set(gc, hb_get(gc, d), hb_get(gc, kx), hb_get(gc, v), &ops) != 0 ||
                    dict_set(gc, hb_get(gc, d), hb_get(gc, ky), hb_get(gc, v), &ops) != 0)
                    goto oom;
            }
            hb_set(gc, hb_get(gc, list), i, hb_get(gc, inst));
            hb_scope_leave(gc, si);
        }
        uint64_t sum = 0;
        hb_obj *lo = hb_get(gc, list), *x = hb_get(gc, kx), *y = hb_get(gc, ky);
        for (uint32_t i = 0; i < n; i++) {
            const hb_obj *o = hb_slot(lo, i);
            const hb_obj *vx = slots ? hb_slot(o, 0) : dict_get(hb_slot(o, 0), x);
            const hb_obj *vy = slots ? hb_slot(o, 1) : dict_get(hb_slot(o, 0), y);
            if (vx == NULL || vy == NULL)
                goto wrong;
            sum += (uint64_t)(unbox(vx) + unbox(vy));
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
    snprintf(out->message, sizeof out->message, "an instance lost its x or y");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_slots_vs_dict = {
    .name = "slots-vs-dict",
    .summary = "100k instances with fields x, y: a hash map per instance against two fixed slots",
    .origin = "seed M11 (__slots__)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
