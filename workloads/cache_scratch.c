/*
 * cache_scratch.c: Berger's cache-scratch and cache-thrash tests from the
 * Hoard suite, reimplemented from their description: passive and active
 * false sharing.  This file runs both (cache_thrash.c holds the other's
 * entry); they differ only in the hand-off.
 *
 * The main thread allocates T small objects back to back, so they are likely
 * to share cache lines, and gives object t to thread t, which frees it
 * first.  Then each thread `iterations` times allocates an object of `size`
 * bytes, writes and reads every byte `repetitions` times and frees it.  An
 * allocator that hands the freed neighbour's memory back to a thread makes
 * threads write into one cache line (passive false sharing).  cache-thrash
 * is the same loop without the hand-off: an allocator that carves different
 * threads' small objects out of one cache line makes their writes fight over
 * it (active false sharing).
 *
 * The checksum sums, per thread, the bytes read back, and mixes the threads'
 * sums in thread order; what was written is a function of the seed, the
 * thread index and the loop counters only.
 */
#include <pthread.h>
#include <stdio.h>

#include "cache_sharing.h"
#include "workload.h"

const hb_param_def hb_wl_cache_params[HB_WL_CACHE_NPARAMS] = {
    {"iterations", 1000, 1, 1000000000LL, NULL, "objects each thread allocates, writes and frees, at scale 1"},
    {"size", 1, 1, 1 << 20, NULL, "object size, bytes"},
    {"repetitions", 1000000, 1, 1000000000LL, NULL,
     "writes and reads of every byte of each object (the default run does 1000 x 1000000 x 1 B per thread)"},
};

typedef struct worker {
    const hb_workload_env *env;
    int index;
    long long iterations, repetitions;
    size_t size;
    void *handoff; /* freed first by this thread (allocated by the main thread); NULL for thrash */
    uint64_t sum, ops;
    int rc;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    const hb_alloc *a = w->env->alloc;
    hb_rng rng;
    hb_rng_seed(&rng, w->env->seed + (uint64_t)w->index);
    unsigned char base = (unsigned char)hb_rng_next(&rng);
    uint64_t sum = 0;

    hb_free(a, w->handoff, w->size);
    for (long long it = 0; it < w->iterations; it++) {
        volatile unsigned char *p = hb_malloc(a, w->size);
        if (p == NULL) {
            w->rc = HB_WL_OOM;
            break;
        }
        w->ops++;
        for (long long r = 0; r < w->repetitions; r++) {
            unsigned char v = (unsigned char)(base + (unsigned char)it + (unsigned char)r);
            for (size_t k = 0; k < w->size; k++) {
                p[k] = (unsigned char)(v + k);
                sum += p[k];
            }
        }
        hb_free(a, (void *)p, w->size);
    }
    w->sum = sum;
    return NULL;
}

int hb_wl_cache_run(const hb_workload_env *env, hb_workload_result *out, bool handoff)
{
    int T = env->threads, rc = HB_WL_OK, created = 0;
    size_t bytes = (size_t)T * (sizeof(worker) + sizeof(pthread_t));
    worker *ws = hb_wl_scratch_alloc(bytes);
    if (ws == NULL)
        return HB_WL_OOM;
    pthread_t *tid = (pthread_t *)(ws + T);
    uint64_t ops = 0;

    for (int t = 0; t < T; t++) {
        ws[t] = (worker){.env = env,
                         .index = t,
                         .iterations = hb_wl_scaled(env, env->params[0], 1),
                         .size = (size_t)env->params[1],
                         .repetitions = env->params[2],
                         .rc = HB_WL_OK};
        if (!handoff)
            continue;
        ws[t].handoff = hb_malloc(env->alloc, ws[t].size); /* back to back, from this thread */
        if (ws[t].handoff == NULL) {
            for (int k = 0; k < t; k++)
                hb_free(env->alloc, ws[k].handoff, ws[k].size);
            hb_wl_scratch_free(ws, bytes);
            snprintf(out->message, sizeof out->message, "allocation failed");
            return HB_WL_OOM;
        }
        ops++;
    }
    for (; created < T; created++)
        if (pthread_create(&tid[created], NULL, work, &ws[created]) != 0)
            break;
    if (created < T) {
        rc = HB_WL_ERROR;
        snprintf(out->message, sizeof out->message, "could not create thread %d of %d", created, T);
        for (int t = created; t < T; t++)
            hb_free(env->alloc, ws[t].handoff, ws[t].size);
    }
    uint64_t h = HB_CHECKSUM_INIT;
    for (int t = 0; t < created; t++) {
        pthread_join(tid[t], NULL);
        h = hb_mix(h, ws[t].sum);
        ops += ws[t].ops;
        if (rc == HB_WL_OK && ws[t].rc != HB_WL_OK) {
            rc = ws[t].rc;
            snprintf(out->message, sizeof out->message, "allocation failed in thread %d", t);
        }
    }
    hb_wl_scratch_free(ws, bytes);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

static int run_scratch(const hb_workload_env *env, hb_workload_result *out)
{
    return hb_wl_cache_run(env, out, true);
}

const hb_workload_ops hb_wl_cache_scratch = {
    .name = "cache-scratch",
    .summary = "passive false sharing: threads free neighbouring objects, then write their own small objects",
    .origin = "Berger, Hoard benchmarks (cache-scratch)",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = hb_wl_cache_params,
    .nparams = HB_WL_CACHE_NPARAMS,
    .run = run_scratch,
};
