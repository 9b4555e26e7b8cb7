/*
 * self_cycles.c: seed M14 (memory leaks: dicts that hold themselves).
 *
 *   def create_cycle(): l = {}; l['self'] = l; return l
 *   for _ in range(1000): create_cycle()
 *   gc.collect()
 *
 * Each round disables automatic collection, makes `maps` maps that each
 * map the interned key "self" to themselves and drops them, then runs one
 * full collection (the slide's gc.collect()) and restores automatic
 * collection.  With `break=1` the self entry is overwritten with NULL (the
 * slide's l['self'] = None) before the map is dropped, so reference
 * counting frees it at once.  A map is an object: 8 key/value slot pairs
 * with open addressing and the keys' hashes in its raw bytes.
 *
 * Checksum: maps, rounds, break, and per round the number of maps whose
 * 'self' lookup gave the map itself, as computed before dropping it.  What
 * the collection returns depends on the collector and is not in it; it is
 * checked instead: with break=0, a precise cycle collector must report at
 * least `maps` unreachable objects per round.
 */
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"maps", 100000, 1, 100000000LL, NULL, "maps made per round (the slide makes 1000)"},
    {"rounds", 12, 1, 100000000LL, NULL,
     "rounds of (maps, one collection), at scale 1 (default: about 0.25 s (libc, generational); refcount walks its "
     "growing leak at "
     "every collection, so its time grows with rounds^2)"},
    {"break", 0, 0, 1, NULL, "1: clear the self entry before dropping the map"},
};

#define MAP_CAP 8 /* entries; a power of two */

typedef struct map_meta {
    uint64_t hash[MAP_CAP];
    uint64_t used;
} map_meta;

static const hb_type map_type = {.name = "dict"};
static const hb_type str_type = {.name = "str"};

static uint64_t str_hash(const char *s)
{
    uint64_t h = HB_CHECKSUM_INIT;
    while (*s)
        h = hb_mix(h, (unsigned char)*s++);
    return h | 1; /* 0 marks an empty entry */
}

/* Entry index for key (identity, then hash and bytes), or the first free
 * one; -1 when the map is full. */
static int map_find(hb_obj *m, hb_obj *key)
{
    map_meta *mm = (map_meta *)hb_bytes(m);
    uint64_t kh = *(const uint64_t *)hb_bytes(key);
    for (uint32_t p = 0; p < MAP_CAP; p++) {
        uint32_t i = (uint32_t)(kh + p) & (MAP_CAP - 1);
        hb_obj *k = hb_slot(m, 2 * i);
        if (k == NULL)
            return (int)i;
        if (k == key || (mm->hash[i] == kh && strcmp((char *)hb_bytes(k) + 8, (char *)hb_bytes(key) + 8) == 0))
            return (int)i;
    }
    return -1;
}

static int map_set(hb_gc *gc, hb_obj *m, hb_obj *key, hb_obj *value)
{
    int i = map_find(m, key);
    if (i < 0)
        return -1;
    map_meta *mm = (map_meta *)hb_bytes(m);
    if (hb_slot(m, 2 * (uint32_t)i) == NULL) {
        mm->hash[i] = *(const uint64_t *)hb_bytes(key);
        mm->used++;
        hb_set(gc, m, 2 * (uint32_t)i, key);
    }
    hb_set(gc, m, 2 * (uint32_t)i + 1, value);
    return 0;
}

static hb_obj *map_get(hb_obj *m, hb_obj *key)
{
    int i = map_find(m, key);
    return i < 0 || hb_slot(m, 2 * (uint32_t)i) == NULL ? NULL : hb_slot(m, 2 * (uint32_t)i + 1);
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long maps = env->params[0], rounds = hb_wl_scaled(env, env->params[1], 1);
    int brk = (int)env->params[2];
    unsigned caps = hb_gc_ops(gc)->caps;
    bool was_enabled = hb_gc_isenabled(gc);
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    long found = 0;
    hb_scope s0 = hb_scope_enter(gc);

    h = hb_mix(hb_mix(hb_mix(h, (uint64_t)maps), (uint64_t)rounds), (uint64_t)brk);
    hb_handle key = hb_new(gc, &str_type, 0, 16); /* the interned 'self' */
    if (key == HB_NO_HANDLE)
        goto oom;
    ops++;
    *(uint64_t *)hb_bytes(hb_get(gc, key)) = str_hash("self");
    memcpy((char *)hb_bytes(hb_get(gc, key)) + 8, "self", 5);

    for (long long r = 0; r < rounds; r++) {
        uint64_t selfs = 0;
        hb_gc_disable(gc);
        for (long long i = 0; i < maps; i++) {
            hb_scope s = hb_scope_enter(gc);
            hb_handle l = hb_new(gc, &map_type, 2 * MAP_CAP, sizeof(map_meta));
            if (l == HB_NO_HANDLE)
                goto oom;
            ops++;
            hb_obj *m = hb_get(gc, l), *k = hb_get(gc, key);
            map_set(gc, m, k, m); /* l['self'] = l */
            if (brk)
                map_set(gc, m, k, NULL); /* l['self'] = None */
            selfs += map_get(m, k) == m;
            hb_scope_leave(gc, s);
        }
        if (was_enabled)
            hb_gc_enable(gc);
        found = hb_gc_collect(gc, HB_GC_FULL);
        if (!brk && (caps & HB_GC_CYCLES) && !(caps & HB_GC_CONSERVATIVE) && found < maps)
            goto wrong;
        h = hb_mix(h, selfs);
    }
    goto done;

oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "collect() found %ld unreachable objects after %lld self-cycles", found,
             maps);
done:
    if (was_enabled)
        hb_gc_enable(gc);
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_self_cycles = {
    .name = "self-cycles",
    .summary = "maps that hold themselves, made with automatic collection off, then one collection per round",
    .origin = "seed M14, N (gc.disable, gc.collect)",
    .flags = HB_WL_COLLECTOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
