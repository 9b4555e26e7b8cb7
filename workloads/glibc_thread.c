/*
 * glibc_thread.c: glibc's bench-malloc-thread, reimplemented from its
 * description, with a fixed step count instead of a fixed time.
 *
 * T threads, each with `slots` slots.  Each step picks a random slot, frees
 * its block (if any) and allocates a new one whose size follows an inverse-
 * square distribution on `min`..`max` bytes (most blocks small, a few up to
 * 32 KiB), writing every byte of it.  The sizes come from one table of 64 Ki
 * draws made from the seed before the threads start, indexed at random, as
 * the original does.
 *
 * The checksum mixes, per thread and in step order, the first and last byte
 * of every block read back before it is freed, and combines the threads in
 * index order: a function of the seed and the parameters only.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"steps", 20000000, 1, 10000000000LL, NULL, "free+malloc steps per thread, at scale 1 (default 20M)"},
    {"slots", 1024, 1, 10000000, NULL, "slots per thread"},
    {"min", 4, 1, 1 << 24, NULL, "smallest block size, bytes"},
    {"max", 32768, 1, 1 << 24, NULL, "largest block size, bytes"},
};

#define NSIZES 65536 /* a power of two: indexed by the low bits of a draw */

typedef struct worker {
    hb_wl_thread res; /* first: hb_wl_threads reads it */
    const hb_workload_env *env;
    const uint32_t *sizes;
    int index;
    long long steps, nslots;
    void **slot;
    uint32_t *size;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    const hb_alloc *a = w->env->alloc;
    hb_rng rng;
    hb_rng_seed(&rng, w->env->seed * 31 + (uint64_t)w->index + 1);
    uint64_t h = HB_CHECKSUM_INIT;

    for (long long s = 0; s < w->steps; s++) {
        uint64_t r = hb_rng_next(&rng);
        size_t i = (size_t)(((unsigned __int128)(r >> 16) * (uint64_t)w->nslots) >> 48);
        unsigned char *old = w->slot[i];
        if (old != NULL) {
            h = hb_mix(h, (uint64_t)old[0] << 8 | old[w->size[i] - 1]);
            hb_free(a, old, w->size[i]);
            w->slot[i] = NULL;
        }
        uint32_t n = w->sizes[r & (NSIZES - 1)];
        unsigned char *p = hb_malloc(a, n);
        if (p == NULL) {
            w->res.rc = HB_WL_OOM;
            break;
        }
        w->res.ops++;
        memset(p, (int)(s & 0xff), n);
        p[n - 1] = (unsigned char)(n ^ (uint32_t)s);
        w->slot[i] = p;
        w->size[i] = n;
    }
    for (long long i = 0; i < w->nslots; i++)
        if (w->slot[i] != NULL) {
            unsigned char *p = w->slot[i];
            h = hb_mix(h, (uint64_t)p[0] << 8 | p[w->size[i] - 1]);
            hb_free(a, p, w->size[i]);
        }
    w->res.hash = h;
    return NULL;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    int T = env->threads;
    long long nslots = env->params[1];
    double lo = (double)env->params[2], hi = (double)env->params[3];
    if (hi < lo) {
        snprintf(out->message, sizeof out->message, "max (%lld) is below min (%lld)", env->params[3], env->params[2]);
        return HB_WL_ERROR;
    }
    size_t per = (size_t)nslots * (sizeof(void *) + sizeof(uint32_t));
    size_t bytes = NSIZES * sizeof(uint32_t) + (size_t)T * (sizeof(worker) + per);
    unsigned char *scratch = hb_wl_scratch_alloc(bytes);
    if (scratch == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for %d threads", T);
        return HB_WL_OOM;
    }
    /* Inverse-square density on [lo, hi]: F(x) = (1/lo - 1/x) / (1/lo - 1/hi),
     * so x = 1 / (1/lo - u (1/lo - 1/hi)) for u uniform in [0, 1). */
    uint32_t *sizes = (uint32_t *)scratch;
    hb_rng rng;
    hb_rng_seed(&rng, env->seed);
    for (size_t k = 0; k < NSIZES; k++) {
        double u = (double)(hb_rng_next(&rng) >> 11) * 0x1p-53;
        double x = 1.0 / (1.0 / lo - u * (1.0 / lo - 1.0 / hi));
        uint32_t n = (uint32_t)x;
        sizes[k] = n < (uint32_t)lo ? (uint32_t)lo : n > (uint32_t)hi ? (uint32_t)hi : n;
    }
    worker *ws = (worker *)(sizes + NSIZES);
    unsigned char *m = (unsigned char *)(ws + T);
    for (int t = 0; t < T; t++, m += per)
        ws[t] = (worker){.env = env,
                         .sizes = sizes,
                         .index = t,
                         .steps = hb_wl_scaled(env, env->params[0], 1),
                         .nslots = nslots,
                         .slot = (void **)m,
                         .size = (uint32_t *)(m + (size_t)nslots * sizeof(void *)),
                         .res = {.rc = HB_WL_OK}};
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int failed;
    int rc = hb_wl_threads(work, ws, sizeof *ws, T, &h, &ops, &failed, out);
    if (failed >= 0)
        snprintf(out->message, sizeof out->message, "allocation failed in thread %d", failed);
    hb_wl_scratch_free(scratch, bytes);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_glibc_thread = {
    .name = "glibc-thread",
    .summary = "per-thread slots replaced at random with inverse-square sizes of 4..32768 B, every byte written",
    .origin = "glibc benchtests bench-malloc-thread",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
