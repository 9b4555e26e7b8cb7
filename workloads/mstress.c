/*
 * mstress.c: mimalloc's stress test (test/test-stress.c), reimplemented from
 * its description.
 *
 * `rounds` times, T threads start; thread t makes steps*(t%8+1) short-lived
 * allocations of 2^(0..4) words and half as many retained ones of 2^(0..6)
 * words (kept until the thread ends); one allocation in a hundred is 100x,
 * 1000x or 10000x larger.  After each allocation the thread frees a random
 * block of its own with probability 2/3, and with probability 1/4 swaps one
 * of its blocks with a random slot of a shared `transfer`-slot array (atomic
 * exchange), so blocks move between threads and between rounds and are
 * freed by threads that did not allocate them.  Every block is filled with a
 * pattern derived from its length and a per-block cookie, and verified when
 * it is freed: a mismatch returns HB_WL_WRONG.
 *
 * The checksum mixes the sequence of block lengths each thread allocated
 * (per round, per thread, in index order).  Which blocks a thread receives
 * from the transfer array depends on scheduling, so nothing about them
 * enters the checksum: the random decisions never look at block contents.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"steps", 5000, 1, 100000000LL, NULL, "short-lived allocations of thread t per round: steps*(t%8+1), at scale 1"},
    {"rounds", 300, 1, 1000000, NULL,
     "times the threads are started (the transfer array lives across rounds); work grows as T(T+1)/2 up to 8 threads"},
    {"transfer", 1000, 1, 10000000, NULL, "slots of the shared transfer array"},
};

#define MAX_WORDS (64 * 10000) /* 2^6 words, 10000x */

typedef _Atomic(uint64_t *) slot_t;

typedef struct shared {
    const hb_workload_env *env;
    long long steps;
    size_t ntransfer;
    slot_t *transfer;
    uint64_t cookie;
    atomic_int stop; /* an allocation failed or a block was corrupt: wind down */
} shared;

typedef struct worker {
    hb_wl_thread res; /* first: hb_wl_threads reads it */
    shared *sh;
    int index, round;
    uint64_t **data, **kept; /* scratch, capacity allocs and allocs/2 */
} worker;

static uint64_t block_cookie(const shared *sh, const uint64_t *p)
{
    return sh->cookie ^ ((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL);
}

static uint64_t *alloc_words(worker *w, hb_rng *rng, uint64_t words)
{
    if (hb_rng_below(rng, 100) == 0) { /* one in a hundred is huge */
        if (hb_rng_below(rng, 100) == 0)
            words *= 10000;
        else if (hb_rng_below(rng, 10) == 0)
            words *= 1000;
        else
            words *= 100;
    }
    w->res.hash = hb_mix(w->res.hash, words);
    uint64_t *p = hb_malloc(w->sh->env->alloc, words * sizeof(uint64_t));
    if (p == NULL) {
        w->res.rc = HB_WL_OOM;
        return NULL;
    }
    w->res.ops++;
    uint64_t c = block_cookie(w->sh, p);
    for (uint64_t i = 0; i < words; i++)
        p[i] = (words - i) ^ c;
    return p;
}

/* Verifies and frees p (NULL is fine).  false when the pattern is broken;
 * such a block is not freed, since its length cannot be trusted. */
static bool free_words(const shared *sh, uint64_t *p)
{
    if (p == NULL)
        return true;
    uint64_t c = block_cookie(sh, p), words = p[0] ^ c;
    if (words == 0 || words > MAX_WORDS)
        return false;
    for (uint64_t i = 1; i < words; i++)
        if ((p[i] ^ c) != words - i)
            return false;
    hb_free(sh->env->alloc, p, words * sizeof(uint64_t));
    return true;
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    hb_rng rng;
    hb_rng_seed(&rng, sh->env->seed ^ ((uint64_t)w->round << 32) ^ ((uint64_t)w->index * 0x2545f4914f6cdd1dULL));
    long long allocs = sh->steps * (w->index % 8 + 1), retain = allocs / 2;
    size_t top = 0, kept = 0;
    bool ok = true;

    while ((allocs > 0 || retain > 0) && w->res.rc == HB_WL_OK) {
        if ((top & 255) == 0 && atomic_load_explicit(&sh->stop, memory_order_relaxed))
            break;
        if (retain == 0 || (allocs > 0 && hb_rng_below(&rng, 2) == 0)) {
            allocs--;
            w->data[top++] = alloc_words(w, &rng, 1u << hb_rng_below(&rng, 5));
        } else {
            retain--;
            w->kept[kept++] = alloc_words(w, &rng, 1u << hb_rng_below(&rng, 7));
        }
        if (hb_rng_below(&rng, 3) < 2 && top > 0) {
            size_t i = (size_t)hb_rng_below(&rng, top);
            ok &= free_words(sh, w->data[i]);
            w->data[i] = NULL;
        }
        if (hb_rng_below(&rng, 4) == 0 && top > 0) {
            size_t i = (size_t)hb_rng_below(&rng, top);
            size_t t = (size_t)hb_rng_below(&rng, sh->ntransfer);
            w->data[i] = atomic_exchange(&sh->transfer[t], w->data[i]);
        }
        if (!ok)
            break;
    }
    for (size_t i = 0; i < kept; i++)
        ok &= free_words(sh, w->kept[i]);
    for (size_t i = 0; i < top; i++)
        ok &= free_words(sh, w->data[i]);
    if (!ok)
        w->res.rc = HB_WL_WRONG;
    if (w->res.rc != HB_WL_OK)
        atomic_store(&sh->stop, 1);
    return NULL;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    int T = env->threads, rounds = (int)env->params[1], rc = HB_WL_OK;
    shared sh = {.env = env, .steps = hb_wl_scaled(env, env->params[0], 1), .ntransfer = (size_t)env->params[2]};
    hb_rng rng;
    hb_rng_seed(&rng, env->seed);
    sh.cookie = hb_rng_next(&rng);
    atomic_init(&sh.stop, 0);

    /* Scratch: transfer array, workers, then per thread its data
     * and kept arrays (sized for the largest thread). */
    size_t cap = (size_t)sh.steps * (size_t)(T < 8 ? T : 8);
    size_t per = cap * sizeof(uint64_t *) + (cap / 2 + 1) * sizeof(uint64_t *);
    size_t bytes = sh.ntransfer * sizeof(slot_t) + (size_t)T * (sizeof(worker) + per);
    unsigned char *scratch = hb_wl_scratch_alloc(bytes);
    if (scratch == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for %d threads", T);
        return HB_WL_OOM;
    }
    sh.transfer = (slot_t *)scratch;
    for (size_t i = 0; i < sh.ntransfer; i++)
        atomic_init(&sh.transfer[i], NULL);
    worker *ws = (worker *)(sh.transfer + sh.ntransfer);
    uint64_t **arrays = (uint64_t **)(ws + T);

    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    for (int r = 0; r < rounds && rc == HB_WL_OK; r++) {
        for (int t = 0; t < T; t++) {
            uint64_t **base = arrays + (size_t)t * (per / sizeof(uint64_t *));
            ws[t] = (worker){.res = {.hash = HB_CHECKSUM_INIT, .rc = HB_WL_OK},
                             .sh = &sh,
                             .index = t,
                             .round = r,
                             .data = base,
                             .kept = base + cap};
        }
        int failed;
        rc = hb_wl_threads(work, ws, sizeof *ws, T, &h, &ops, &failed, out);
        if (failed >= 0)
            snprintf(out->message, sizeof out->message, "%s (round %d, thread %d)",
                     rc == HB_WL_OOM ? "allocation failed" : "a block's pattern was overwritten", r, failed);
    }
    bool ok = true;
    for (size_t i = 0; i < sh.ntransfer; i++)
        ok &= free_words(&sh, atomic_exchange(&sh.transfer[i], NULL));
    if (!ok && rc == HB_WL_OK) {
        rc = HB_WL_WRONG;
        snprintf(out->message, sizeof out->message, "a block left in the transfer array was overwritten");
    }
    hb_wl_scratch_free(scratch, bytes);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_mstress = {
    .name = "mstress",
    .summary = "mimalloc's stress test: mixed lifetimes, rare huge blocks, blocks swapped between threads",
    .origin = "mimalloc test/test-stress.c (mimalloc-bench mstressN)",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
