/*
 * xmalloc_test.c: Lever & Boreham's xmalloc-test, reimplemented from its
 * description.
 *
 * T producer threads and T consumer threads share one stack of batches.  A
 * producer allocates a batch of `batch` blocks (64 B, or with `mixed=1`
 * random sizes of 8..2048 B), writes a tag into the first word of each and
 * pushes the batch; it blocks while the stack holds `depth` batches.  A
 * consumer pops a batch, checks each tag and frees the blocks, so every free
 * is made by a thread other than the one that allocated the block.  The run
 * is a fixed number of batches, split evenly among the producers.
 *
 * The checksum is a sum over all blocks of a hash of (tag, size): a sum, so
 * it does not depend on which consumer freed which batch.  A tag that does
 * not match what its producer wrote returns HB_WL_WRONG.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"batches", 4000, 1, 100000000LL, NULL, "batches produced in all, at scale 1"},
    {"batch", 4096, 1, 1 << 20, NULL, "blocks per batch"},
    {"mixed", 0, 0, 1, NULL, "0: every block 64 B; 1: random sizes of 8..2048 B"},
    {"depth", 100, 1, 1 << 20, NULL, "batches the shared stack holds before producers block"},
};

typedef struct batch {
    struct batch *next; /* in the shared stack or the free pool */
    long long id;
    int count; /* blocks filled */
    void **block;
    uint16_t *size;
} batch;

typedef struct shared {
    const hb_workload_env *env;
    long long total, per_block;
    int nblocks, depth, mixed, producers;
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    batch *stack, *pool; /* under lock */
    int stacked;
    long long popped;
    int producers_done;
    bool abort;
    int rc; /* first failure, under lock */
    char message[120];
    uint64_t sum; /* under lock: checksum */
    uint64_t ops; /* under lock */
} shared;

typedef struct worker {
    shared *sh;
    int index;
} worker;

static uint64_t block_tag(long long id, int i)
{
    return ((uint64_t)id << 20) ^ (uint64_t)i ^ (0x5bd1e995ULL << 40);
}

static uint16_t block_size(const shared *sh, hb_rng *rng)
{
    return sh->mixed ? (uint16_t)(8 + hb_rng_below(rng, 2041)) : 64;
}

static void fail(shared *sh, int rc, const char *msg)
{
    if (sh->rc == HB_WL_OK) {
        sh->rc = rc;
        snprintf(sh->message, sizeof sh->message, "%s", msg);
    }
    sh->abort = true;
    pthread_cond_broadcast(&sh->not_full);
    pthread_cond_broadcast(&sh->not_empty);
}

/* Frees a popped batch; returns the batch's checksum part, or sets *bad. */
static uint64_t drain(shared *sh, batch *b, bool *bad)
{
    uint64_t sum = 0;
    for (int i = 0; i < b->count; i++) {
        uint64_t v = *(uint64_t *)b->block[i];
        if (v != block_tag(b->id, i))
            *bad = true;
        sum += hb_mix(hb_mix(HB_CHECKSUM_INIT, v), b->size[i]);
        hb_free(sh->env->alloc, b->block[i], b->size[i]);
    }
    return sum;
}

static void *producer(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    uint64_t ops = 0;
    for (long long id = w->index; id < sh->total; id += sh->producers) {
        pthread_mutex_lock(&sh->lock);
        batch *b = sh->abort ? NULL : sh->pool;
        if (b != NULL)
            sh->pool = b->next;
        pthread_mutex_unlock(&sh->lock);
        if (b == NULL)
            break;
        hb_rng rng;
        hb_rng_seed(&rng, sh->env->seed ^ ((uint64_t)id * 0x9e3779b97f4a7c15ULL));
        b->id = id;
        b->count = 0;
        bool oom = false;
        for (int i = 0; i < sh->nblocks; i++) {
            uint16_t n = block_size(sh, &rng);
            uint64_t *p = hb_malloc(sh->env->alloc, n);
            if (p == NULL) {
                oom = true;
                break;
            }
            *p = block_tag(id, i);
            b->block[i] = p;
            b->size[i] = n;
            b->count++;
        }
        ops += (uint64_t)b->count;
        pthread_mutex_lock(&sh->lock);
        if (oom)
            fail(sh, HB_WL_OOM, "allocation failed");
        while (sh->stacked >= sh->depth && !sh->abort)
            pthread_cond_wait(&sh->not_full, &sh->lock);
        b->next = sh->stack; /* pushed even on abort: consumers (or run()) free it */
        sh->stack = b;
        sh->stacked++;
        pthread_cond_signal(&sh->not_empty);
        pthread_mutex_unlock(&sh->lock);
        if (oom)
            break;
    }
    pthread_mutex_lock(&sh->lock);
    sh->ops += ops;
    if (++sh->producers_done == sh->producers)
        pthread_cond_broadcast(&sh->not_empty);
    pthread_mutex_unlock(&sh->lock);
    return NULL;
}

static void *consumer(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    uint64_t sum = 0;
    bool bad = false;
    pthread_mutex_lock(&sh->lock);
    for (;;) {
        while (sh->stack == NULL && sh->popped < sh->total && sh->producers_done < sh->producers)
            pthread_cond_wait(&sh->not_empty, &sh->lock);
        batch *b = sh->stack;
        if (b == NULL)
            break; /* everything popped, or every producer gone */
        sh->stack = b->next;
        sh->stacked--;
        sh->popped++;
        pthread_cond_signal(&sh->not_full);
        if (sh->popped == sh->total)
            pthread_cond_broadcast(&sh->not_empty);
        pthread_mutex_unlock(&sh->lock);
        sum += drain(sh, b, &bad);
        pthread_mutex_lock(&sh->lock);
        b->next = sh->pool;
        sh->pool = b;
        if (bad) {
            fail(sh, HB_WL_WRONG, "a block's tag changed between its producer and its consumer");
            bad = false;
        }
    }
    sh->sum += sum;
    pthread_mutex_unlock(&sh->lock);
    return NULL;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    int T = env->threads;
    shared sh = {
        .env = env,
        .total = hb_wl_scaled(env, env->params[0], 1),
        .nblocks = (int)env->params[1],
        .mixed = (int)env->params[2],
        .depth = (int)env->params[3],
        .producers = T,
        .rc = HB_WL_OK,
    };
    /* Batches in use at once: `depth` stacked, one per producer being filled
     * and one per consumer being drained. */
    size_t nbatch = (size_t)sh.depth + 2 * (size_t)T + 1;
    size_t per = (size_t)sh.nblocks * (sizeof(void *) + sizeof(uint16_t));
    size_t bytes = nbatch * (sizeof(batch) + per) + 2 * (size_t)T * (sizeof(worker) + sizeof(pthread_t));
    unsigned char *scratch = hb_wl_scratch_alloc(bytes);
    if (scratch == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for %zu batches", nbatch);
        return HB_WL_OOM;
    }
    pthread_t *tid = (pthread_t *)scratch;
    worker *ws = (worker *)(tid + 2 * T);
    batch *bs = (batch *)(ws + 2 * T);
    unsigned char *m = (unsigned char *)(bs + nbatch);
    for (size_t i = 0; i < nbatch; i++) {
        bs[i].block = (void **)m;
        m += (size_t)sh.nblocks * sizeof(void *);
        bs[i].size = (uint16_t *)m;
        m += (size_t)sh.nblocks * sizeof(uint16_t);
        m = (unsigned char *)(((uintptr_t)m + 7) & ~(uintptr_t)7);
        bs[i].next = sh.pool;
        sh.pool = &bs[i];
    }
    pthread_mutex_init(&sh.lock, NULL);
    pthread_cond_init(&sh.not_full, NULL);
    pthread_cond_init(&sh.not_empty, NULL);

    int created = 0;
    for (; created < 2 * T; created++) {
        ws[created] = (worker){&sh, created % T};
        if (pthread_create(&tid[created], NULL, created < T ? producer : consumer, &ws[created]) != 0) {
            pthread_mutex_lock(&sh.lock);
            fail(&sh, HB_WL_ERROR, "could not create a thread");
            if (created < T) /* producers that were never started count as done */
                sh.producers_done += T - created;
            pthread_cond_broadcast(&sh.not_empty);
            pthread_mutex_unlock(&sh.lock);
            break;
        }
    }
    for (int i = 0; i < created; i++)
        pthread_join(tid[i], NULL);
    bool bad = false; /* batches left when consumers could not all start */
    while (sh.stack != NULL) {
        batch *b = sh.stack;
        sh.stack = b->next;
        sh.sum += drain(&sh, b, &bad);
    }
    if (bad && sh.rc == HB_WL_OK) {
        sh.rc = HB_WL_WRONG;
        snprintf(sh.message, sizeof sh.message, "a block's tag changed between its producer and its consumer");
    }
    pthread_cond_destroy(&sh.not_empty);
    pthread_cond_destroy(&sh.not_full);
    pthread_mutex_destroy(&sh.lock);
    out->checksum = sh.sum;
    out->ops = sh.ops;
    if (sh.rc != HB_WL_OK)
        snprintf(out->message, sizeof out->message, "%s", sh.message);
    hb_wl_scratch_free(scratch, bytes);
    return sh.rc;
}

const hb_workload_ops hb_wl_xmalloc_test = {
    .name = "xmalloc-test",
    .summary = "producers allocate batches of blocks, consumers free them: every free is cross-thread",
    .origin = "Lever & Boreham, xmalloc-test (mimalloc-bench xmalloc-testN)",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
