/*
 * random_churn.c: the plain allocator loop of heapbench's pooled target.
 *
 * `live` slots are filled with blocks of random sizes in [min, max]; then each
 * step frees a random slot and allocates a new random size into it.  This is
 * the shape in which a malloc/free pair costs about 15 ns under glibc, 8.5
 * under jemalloc and 6 under mimalloc on a 2-core x86-64 machine, so it tells
 * whether a small-object allocator is competitive, at a small live set (1000:
 * everything in cache) and a large one (1,000,000: cache and TLB misses).
 * Each block's first word holds a value derived from its step, read back
 * before the block is freed; the checksum mixes those reads.
 */
#include <stdio.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"live", 1000, 1, 100000000LL, NULL, "live blocks (slots)"},
    {"steps", 20000000, 1, 10000000000LL, NULL, "free+malloc pairs after the fill, at scale 1"},
    {"min", 16, 8, 1 << 20, NULL, "smallest block size, bytes"},
    {"max", 512, 8, 1 << 20, NULL, "largest block size, bytes"},
};

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    long long live = env->params[0], steps = hb_wl_scaled(env, env->params[1], 1);
    uint64_t lo = (uint64_t)env->params[2], hi = (uint64_t)env->params[3];
    if (hi < lo) {
        snprintf(out->message, sizeof out->message, "max (%llu) is below min (%llu)", (unsigned long long)hi,
                 (unsigned long long)lo);
        return HB_WL_ERROR;
    }
    uint64_t span = hi - lo + 1;
    size_t bytes = (size_t)live * (sizeof(void *) + sizeof(uint32_t));
    void **slot = hb_wl_scratch_alloc(bytes);
    if (slot == NULL)
        return HB_WL_OOM;
    uint32_t *size = (uint32_t *)(slot + live);
    hb_rng rng;
    hb_rng_seed(&rng, env->seed);
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;

    for (long long i = 0; i < live; i++) {
        uint32_t n = (uint32_t)(lo + hb_rng_below(&rng, span));
        uint64_t *p = hb_malloc(env->alloc, n);
        if (p == NULL) {
            rc = HB_WL_OOM;
            live = i;
            break;
        }
        *p = (uint64_t)i;
        slot[i] = p;
        size[i] = n;
        ops++;
    }
    for (long long s = 0; s < steps && rc == HB_WL_OK; s++) {
        uint64_t r = hb_rng_next(&rng);
        size_t i = (size_t)(((unsigned __int128)(r >> 16) * (uint64_t)live) >> 48);
        uint32_t n = (uint32_t)(lo + (r & 0xffff) % span);
        h = hb_mix(h, *(uint64_t *)slot[i]);
        hb_free(env->alloc, slot[i], size[i]);
        uint64_t *p = hb_malloc(env->alloc, n);
        if (p == NULL) {
            slot[i] = NULL;
            rc = HB_WL_OOM;
            break;
        }
        *p = (uint64_t)s;
        slot[i] = p;
        size[i] = n;
        ops++;
    }
    for (long long i = 0; i < live; i++)
        if (slot[i] != NULL) {
            h = hb_mix(h, *(uint64_t *)slot[i]);
            hb_free(env->alloc, slot[i], size[i]);
        }
    hb_wl_scratch_free(slot, bytes);
    out->checksum = h;
    out->ops = ops;
    if (rc == HB_WL_OOM)
        snprintf(out->message, sizeof out->message, "allocation failed");
    return rc;
}

const hb_workload_ops hb_wl_random_churn = {
    .name = "random-churn",
    .summary = "free a random slot, allocate a random size into it: the plain malloc/free pair loop",
    .origin = "heapbench (the pooled performance target's loop)",
    .flags = HB_WL_ALLOCATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
