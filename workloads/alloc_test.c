/*
 * alloc_test.c: the alloc-test of mimalloc-bench, reimplemented from its
 * description.
 *
 * Each thread owns 2^`bits` slots, half of them filled at the start.  Each
 * step picks a slot with a skewed, Pareto-like distribution (a few slots are
 * hot, most are cold); an occupied slot is read (every byte summed) and
 * freed, an empty one gets a new block, filled.  Sizes run from `min` to
 * `max` bytes: half of them 8 B or less, the rest skewed towards small.  The
 * hot slots are spread over the slot table (a fixed permutation), so hot
 * blocks are not neighbours in the table.
 *
 * The checksum mixes, per thread and in step order, the byte sums read
 * before each free, and combines the threads in index order.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"steps", 10000000, 1, 10000000000LL, NULL, "slot visits per thread, at scale 1 (default 10M)"},
    {"bits", 18, 4, 28, NULL, "log2 of the slots per thread (default 2^18)"},
    {"min", 5, 1, 1 << 20, NULL, "smallest block size, bytes (half the blocks are min..8 B)"},
    {"max", 1024, 9, 1 << 20, NULL, "largest block size, bytes"},
};

typedef struct worker {
    hb_wl_thread res; /* first: hb_wl_threads reads it */
    const hb_workload_env *env;
    int index;
    long long steps;
    uint64_t nslots, lo, hi;
    unsigned char **slot;
    uint32_t *size;
} worker;

static uint32_t pick_size(const worker *w, hb_rng *rng)
{
    uint64_t r = hb_rng_next(rng);
    uint64_t small_hi = w->lo > 8 ? w->lo : 8;
    if (r & 1)
        return (uint32_t)(w->lo + ((r >> 1) & 0xffff) % (small_hi - w->lo + 1));
    uint64_t span = w->hi - small_hi, a = hb_rng_below(rng, span), b = hb_rng_below(rng, span);
    return (uint32_t)(small_hi + 1 + (a < b ? a : b)); /* triangular: small sizes likelier */
}

/* A slot index, Pareto-like: u^3 puts half the visits on the first 1/8 of
 * the ranks; the odd multiplier spreads ranks over the table. */
static uint64_t pick_slot(const worker *w, hb_rng *rng)
{
    double u = (double)(hb_rng_next(rng) >> 11) * 0x1p-53;
    uint64_t rank = (uint64_t)(u * u * u * (double)w->nslots);
    return (rank * 0x9e3779b1ULL) & (w->nslots - 1);
}

static int fill(worker *w, hb_rng *rng, uint64_t i, uint64_t stamp)
{
    uint32_t n = pick_size(w, rng);
    unsigned char *p = hb_malloc(w->env->alloc, n);
    if (p == NULL)
        return -1;
    w->res.ops++;
    memset(p, (int)(stamp & 0xff), n);
    p[0] = (unsigned char)(i ^ stamp);
    w->slot[i] = p;
    w->size[i] = n;
    return 0;
}

static uint64_t empty(worker *w, uint64_t i)
{
    const unsigned char *p = w->slot[i];
    uint64_t sum = 0;
    for (uint32_t k = 0; k < w->size[i]; k++)
        sum += p[k];
    hb_free(w->env->alloc, w->slot[i], w->size[i]);
    w->slot[i] = NULL;
    return sum;
}

static void *work(void *arg)
{
    worker *w = arg;
    hb_rng rng;
    hb_rng_seed(&rng, w->env->seed ^ ((uint64_t)w->index * 0xbf58476d1ce4e5b9ULL));
    uint64_t h = HB_CHECKSUM_INIT;

    for (uint64_t i = 0; i < w->nslots && w->res.rc == HB_WL_OK; i += 2)
        if (fill(w, &rng, i, i) != 0)
            w->res.rc = HB_WL_OOM;
    for (long long s = 0; s < w->steps && w->res.rc == HB_WL_OK; s++) {
        uint64_t i = pick_slot(w, &rng);
        if (w->slot[i] != NULL)
            h = hb_mix(h, empty(w, i));
        else if (fill(w, &rng, i, (uint64_t)s) != 0)
            w->res.rc = HB_WL_OOM;
    }
    for (uint64_t i = 0; i < w->nslots; i++)
        if (w->slot[i] != NULL)
            h = hb_mix(h, empty(w, i));
    w->res.hash = h;
    return NULL;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    int T = env->threads;
    uint64_t nslots = 1ULL << env->params[1];
    uint64_t lo = (uint64_t)env->params[2], hi = (uint64_t)env->params[3];
    if (lo > 8 || hi <= 8) {
        snprintf(out->message, sizeof out->message, "need min <= 8 < max (got min=%llu, max=%llu)",
                 (unsigned long long)lo, (unsigned long long)hi);
        return HB_WL_ERROR;
    }
    size_t per = (size_t)nslots * (sizeof(void *) + sizeof(uint32_t));
    size_t bytes = (size_t)T * (sizeof(worker) + per);
    unsigned char *scratch = hb_wl_scratch_alloc(bytes);
    if (scratch == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for %d threads", T);
        return HB_WL_OOM;
    }
    worker *ws = (worker *)scratch;
    unsigned char *m = (unsigned char *)(ws + T);
    for (int t = 0; t < T; t++, m += per)
        ws[t] = (worker){.env = env,
                         .index = t,
                         .steps = hb_wl_scaled(env, env->params[0], 1),
                         .nslots = nslots,
                         .lo = lo,
                         .hi = hi,
                         .slot = (unsigned char **)m,
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

const hb_workload_ops hb_wl_alloc_test = {
    .name = "alloc-test",
    .summary = "2^18 slots per thread, half full; skewed slot choice; occupied slots read and freed, empty ones filled",
    .origin = "mimalloc-bench alloc-test",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
