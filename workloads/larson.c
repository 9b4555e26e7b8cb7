/*
 * larson.c: Larson & Krishnan's server simulation (as in mimalloc-bench
 * larsonN), reimplemented from its description.
 *
 * T lineages of threads.  Each lineage owns `slots` blocks of `min`..`max`
 * bytes; a thread of a lineage runs `steps` steps (free a random slot,
 * allocate a new random size into it), then starts the next thread of its
 * lineage, hands it the slots and exits: blocks made by one thread are freed
 * by its successor, and threads die with live blocks, as in the original.
 * There is no barrier between lineages.  The run is a fixed number of rounds
 * (threads per lineage), not a fixed time, so that the checksum is stable.
 *
 * Every block carries a tag (lineage, step) in its first word, read back
 * before the block is freed.  The checksum mixes those reads per lineage in
 * step order and combines the lineages in index order: it depends on the seed
 * and the parameters only.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"slots", 5000, 1, 10000000, NULL, "live blocks per thread lineage"},
    {"steps", 2000000, 1, 1000000000LL, NULL,
     "free+malloc steps per thread before it hands over, at scale 1 (default run: 10 rounds x 2M steps per thread)"},
    {"rounds", 10, 1, 100000, NULL, "threads per lineage (hand-overs + 1)"},
    {"min", 8, 8, 1 << 20, NULL, "smallest block size, bytes"},
    {"max", 999, 8, 1 << 20, NULL, "largest block size, bytes"},
};

typedef struct lineage {
    const hb_workload_env *env;
    struct shared *sh;
    int index;
    hb_rng rng;
    void **slot;
    uint32_t *size;
    long long steps_done; /* over all rounds: block tags */
    uint64_t hash, ops;
    int round;          /* round of the thread now holding the slots */
    pthread_t *handles; /* one per round; handles[r] valid when started[r] */
    unsigned char *started;
    int rc; /* HB_WL_*: the lineage's outcome */
} lineage;

typedef struct shared {
    long long slots, steps;
    int rounds;
    uint64_t lo, span;
    atomic_int stop; /* set on OOM or failed thread creation: every lineage winds down */
} shared;

static uint64_t tag(const lineage *l, long long step)
{
    return ((uint64_t)l->index << 48) ^ (uint64_t)step;
}

static void release_all(lineage *l)
{
    for (long long i = 0; i < l->sh->slots; i++)
        if (l->slot[i] != NULL) {
            l->hash = hb_mix(l->hash, *(uint64_t *)l->slot[i]);
            hb_free(l->env->alloc, l->slot[i], l->size[i]);
            l->slot[i] = NULL;
        }
}

static void *lineage_thread(void *arg)
{
    lineage *l = arg;
    const shared *sh = l->sh;
    const hb_alloc *a = l->env->alloc;

    if (l->round == 0) { /* the first thread fills the slots */
        for (long long i = 0; i < sh->slots; i++) {
            uint32_t n = (uint32_t)(sh->lo + hb_rng_below(&l->rng, sh->span));
            uint64_t *p = hb_malloc(a, n);
            if (p == NULL) {
                l->rc = HB_WL_OOM;
                break;
            }
            *p = tag(l, l->steps_done++);
            l->slot[i] = p;
            l->size[i] = n;
            l->ops++;
        }
    }
    for (long long s = 0; s < sh->steps && l->rc == HB_WL_OK; s++) {
        if ((s & 1023) == 0 && atomic_load_explicit(&l->sh->stop, memory_order_relaxed))
            break;
        size_t i = (size_t)hb_rng_below(&l->rng, (uint64_t)sh->slots);
        uint32_t n = (uint32_t)(sh->lo + hb_rng_below(&l->rng, sh->span));
        l->hash = hb_mix(l->hash, *(uint64_t *)l->slot[i]);
        hb_free(a, l->slot[i], l->size[i]);
        l->slot[i] = NULL;
        uint64_t *p = hb_malloc(a, n);
        if (p == NULL) {
            l->rc = HB_WL_OOM;
            break;
        }
        *p = tag(l, l->steps_done++);
        l->slot[i] = p;
        l->size[i] = n;
        l->ops++;
    }
    if (l->rc != HB_WL_OK)
        atomic_store(&l->sh->stop, 1);
    int next = l->round + 1;
    if (next < sh->rounds && l->rc == HB_WL_OK && !atomic_load(&l->sh->stop)) {
        l->round = next; /* the successor reads it; written before it starts */
        if (pthread_create(&l->handles[next], NULL, lineage_thread, l) == 0) {
            l->started[next] = 1; /* read by the main thread after joining us */
            return NULL;
        }
        l->round = next - 1;
        l->rc = HB_WL_ERROR;
        atomic_store(&l->sh->stop, 1);
    }
    release_all(l); /* the last thread of the lineage frees everything */
    return NULL;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    shared sh = {
        .slots = env->params[0],
        .steps = hb_wl_scaled(env, env->params[1], 1),
        .rounds = (int)env->params[2],
        .lo = (uint64_t)env->params[3],
    };
    uint64_t hi = (uint64_t)env->params[4];
    int T = env->threads;
    if (hi < sh.lo) {
        snprintf(out->message, sizeof out->message, "max (%llu) is below min (%llu)", (unsigned long long)hi,
                 (unsigned long long)sh.lo);
        return HB_WL_ERROR;
    }
    sh.span = hi - sh.lo + 1;
    atomic_init(&sh.stop, 0);

    /* Scratch layout: T lineage records, then per lineage its slot pointers,
     * sizes, round handles and round flags. */
    size_t per = (size_t)sh.slots * (sizeof(void *) + sizeof(uint32_t)) + (size_t)sh.rounds * sizeof(pthread_t) +
                 (size_t)sh.rounds;
    per = (per + 63) & ~(size_t)63;
    size_t head = ((size_t)T * sizeof(lineage) + 63) & ~(size_t)63;
    size_t bytes = head + (size_t)T * per;
    unsigned char *scratch = hb_wl_scratch_alloc(bytes);
    if (scratch == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for %d lineages", T);
        return HB_WL_OOM;
    }
    lineage *ls = (lineage *)scratch;
    for (int t = 0; t < T; t++) {
        unsigned char *m = scratch + head + (size_t)t * per;
        lineage *l = &ls[t];
        l->env = env;
        l->sh = &sh;
        l->index = t;
        hb_rng_seed(&l->rng, env->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)t);
        l->handles = (pthread_t *)m;
        m += (size_t)sh.rounds * sizeof(pthread_t);
        l->slot = (void **)m;
        m += (size_t)sh.slots * sizeof(void *);
        l->size = (uint32_t *)m;
        m += (size_t)sh.slots * sizeof(uint32_t);
        l->started = m;
        l->hash = HB_CHECKSUM_INIT;
        l->rc = HB_WL_OK;
    }

    int created = 0, rc = HB_WL_OK;
    for (; created < T; created++) {
        if (pthread_create(&ls[created].handles[0], NULL, lineage_thread, &ls[created]) != 0) {
            atomic_store(&sh.stop, 1);
            rc = HB_WL_ERROR;
            snprintf(out->message, sizeof out->message, "could not create thread %d of %d", created, T);
            break;
        }
        ls[created].started[0] = 1;
    }
    /* Join each lineage along its chain: thread r wrote handles[r+1] and
     * started[r+1] before it exited, so they are visible after joining it. */
    for (int t = 0; t < created; t++)
        for (int r = 0; r < sh.rounds && ls[t].started[r]; r++)
            pthread_join(ls[t].handles[r], NULL);

    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    for (int t = 0; t < T; t++) {
        h = hb_mix(h, ls[t].hash);
        ops += ls[t].ops;
        if (rc == HB_WL_OK && ls[t].rc != HB_WL_OK) {
            rc = ls[t].rc;
            snprintf(out->message, sizeof out->message, "%s in lineage %d, round %d",
                     rc == HB_WL_OOM ? "allocation failed" : "could not create the next thread", t, ls[t].round);
        }
    }
    hb_wl_scratch_free(scratch, bytes);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_larson = {
    .name = "larson",
    .summary = "server simulation: per-thread slots of 8..999 B replaced at random, handed to successor threads",
    .origin = "Larson & Krishnan (mimalloc-bench larsonN)",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
