/*
 * cache_thrash.c: Berger's cache-thrash test from the Hoard suite,
 * reimplemented from its description: active false sharing.
 *
 * T threads start at once; each `iterations` times allocates an object of
 * `size` bytes, writes and reads every byte `repetitions` times and frees it.
 * An allocator that carves the small objects of different threads out of one
 * cache line makes the threads' writes fight over it (active false sharing).
 * cache-scratch is the same loop after a hand-off of neighbouring objects.
 *
 * The checksum sums, per thread, the bytes read back, and mixes the threads'
 * sums in thread order; what was written is a function of the seed, the
 * thread index and the loop counters only.
 */
#include <pthread.h>
#include <stdio.h>

#include "workload.h"

static const hb_param_def params[] = {
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

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    int T = env->threads, rc = HB_WL_OK, created = 0;
    size_t bytes = (size_t)T * (sizeof(worker) + sizeof(pthread_t));
    worker *ws = hb_wl_scratch_alloc(bytes);
    if (ws == NULL)
        return HB_WL_OOM;
    pthread_t *tid = (pthread_t *)(ws + T);

    for (; created < T; created++) {
        ws[created] = (worker){.env = env,
                               .index = created,
                               .iterations = hb_wl_scaled(env, env->params[0], 1),
                               .size = (size_t)env->params[1],
                               .repetitions = env->params[2],
                               .rc = HB_WL_OK};
        if (pthread_create(&tid[created], NULL, work, &ws[created]) != 0) {
            rc = HB_WL_ERROR;
            snprintf(out->message, sizeof out->message, "could not create thread %d of %d", created, T);
            break;
        }
    }
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
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

const hb_workload_ops hb_wl_cache_thrash = {
    .name = "cache-thrash",
    .summary = "active false sharing: threads repeatedly allocate, write and free their own small objects",
    .origin = "Berger, Hoard benchmarks (cache-thrash)",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
