/*
 * service_soak.c: a long-running key-value cache service, in process, for
 * memory over time (docs/soak.md).
 *
 * T worker threads each serve a slice of the key space (keys/T keys) under a
 * byte budget (capacity/T).  Phases, named from HB_SOAK_PHASES so that the
 * harness finds their roles (harness/soak.h), each a share of `duration`:
 *
 *   warmup  10%  fill the cache with sessions (64 B .. 4 KiB values) to budget
 *   steady  35%  churn: GETs (a miss or an expired entry refills the key) and
 *                SETs that overwrite a key with a value of another size; TTL
 *                expiry, lazily on GET and by sampling (as redis's active
 *                expiry); random eviction when over budget
 *   shift   20%  the same churn with pages (4 KiB .. 64 KiB) for its first
 *                two thirds, then sessions again: small to large and back
 *   drop         `drop` percent of the keys deleted at once: a burst, as fast
 *                as the threads can delete (unpaced), so that the idle phase
 *                sees how soon the allocator gives memory back
 *   idle    25%  no allocation at all: the threads sleep
 *   regrow  10%  fill to budget again, then churn
 *
 * Cross-thread frees: a value that leaves the table (overwrite, expiry,
 * eviction, delete) is freed by its owner or, for `remote` percent of them,
 * handed to the next thread through a locked queue (linked through the
 * value's own header) and freed there, as a server whose requests complete
 * on another thread.  Every queue is drained before the idle phase, so that
 * nothing is allocated or freed while it lasts.
 *
 * Determinism.  The NUMBER of operations of every phase is fixed by the
 * parameters (rate x the phase's share of duration; fills: until the budget,
 * a count the state decides) and never by the clock: `duration` only paces
 * them (a thread that is ahead of its schedule sleeps) and sets the length
 * of the idle phase.  A slow machine or allocator makes the run longer, never
 * different.  Each thread's table is touched by that thread only, so its
 * sequence of hits, misses and evictions depends on the seed and the
 * parameters alone; it is hashed in order.  Which thread frees a handed-off
 * value, and when, depends on timing: each free checks the value (its tag,
 * size and last byte) and ADDS a hash of it to a sum, which is
 * order-independent.  The checksum is the ordered per-thread hashes, in thread
 * order, mixed with that sum: it depends on the seed, the thread count and the
 * parameters only.
 *
 * Exact live bytes: every allocation and free moves env->gauges' live bytes
 * by the value's size, at the moment it happens (a value in a hand-off queue
 * is live until it is freed).  Bookkeeping (slot arrays, queues) is mmap'd
 * scratch, not the allocator's; its resident pages count in RSS, the same
 * for every allocator (8 bytes per key).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"duration", 60, 1, 86400, NULL, "seconds the soak lasts at least (phases are shares of it; the idle phase 25%)"},
    {"capacity", 256, 1, 65536, NULL, "cache budget, MiB of values at scale 1 (split evenly over the threads)"},
    {"keys", 400000, 16, 1000000000LL, NULL, "key space at scale 1 (split evenly over the threads)"},
    {"rate", 20000, 10, 100000000LL, NULL, "requests per second per thread the schedule paces (fixes each phase's count)"},
    {"ttl", 10, 1, 1000000, NULL, "mean time to live of an entry, seconds of schedule (uniform in [ttl/2, 3ttl/2])"},
    {"remote", 50, 0, 100, NULL, "percent of the values leaving the table that another thread frees"},
    {"drop", 90, 1, 100, NULL, "percent of the keys deleted by the load drop"},
    {"get", 70, 0, 100, NULL, "percent of requests that are GETs (the rest overwrite)"},
};

enum { P_WARMUP, P_STEADY, P_SHIFT, P_DROP, P_IDLE, P_REGROW, P_COUNT };
static const char *const phase_names[] = {"warmup", "steady", "shift", "drop", "idle", "regrow", NULL};
/* share of duration, per mille */
static const int phase_share[P_COUNT] = {100, 350, 200, 0, 250, 100}; /* drop: a burst */

/* A value: this header, then its payload, every byte of which is written (a
 * cache stores what it is given, so RSS sees every page). */
typedef struct value {
    uint64_t tag;    /* hb_mix of key and creation step: checked when freed */
    uint32_t size;   /* bytes allocated, header included */
    uint32_t key;    /* within the owner's slice */
    uint64_t expire; /* owner's step at which the entry expires */
    struct value *next; /* hand-off queue link */
} value;
#define MIN_VALUE 64

typedef struct queue {
    pthread_mutex_t lock;
    value *head;
    char pad[64];
} queue;

struct shared;

typedef struct worker {
    hb_wl_thread base; /* hash, ops, rc */
    struct shared *sh;
    int index;
    hb_rng rng;
    value **slot;             /* keys of this thread's slice */
    uint64_t nkeys, budget, bytes; /* bytes: in the table (not counting handed-off values) */
    uint64_t step;            /* requests served: the clock of TTLs */
    uint64_t freed_sum;       /* sum of hashes of values freed here (order-independent) */
    value *out;               /* batch for the next thread's queue */
    int nout;
    int large;                /* current value-size mix: pages */
    uint64_t settles;         /* settle() calls made */
    uint64_t cursor;          /* eviction scan */
    char msg[120];
} worker;

typedef struct shared {
    const hb_workload_env *env;
    int T;
    uint64_t ttl_steps, rate;
    int remote, drop, get;
    double phase_s[P_COUNT];
    pthread_barrier_t barrier;
    _Atomic uint64_t arrived; /* settle(): threads that have arrived, over all settles */
    atomic_int stop; /* a thread failed: the others skip the rest of the work */
    queue *q; /* one per thread */
    worker *w;
} shared;

/* ---- values ---------------------------------------------------------------- */

static uint32_t value_size(worker *w)
{
    /* sessions: 64 B .. 4 KiB, log-spread; pages: 4 KiB .. 64 KiB */
    uint64_t r = hb_rng_next(&w->rng);
    uint64_t base = w->large ? (4096u << (r % 4)) : (64u << (r % 6));
    return (uint32_t)(base + (r >> 8) % base);
}

static unsigned char fill_byte(uint64_t tag) { return (unsigned char)(tag >> 56) | 1; }

static value *value_new(worker *w, uint32_t key)
{
    uint32_t n = value_size(w);
    value *v = hb_malloc(w->sh->env->alloc, n);
    if (v == NULL)
        return NULL;
    v->tag = hb_mix(hb_mix(HB_CHECKSUM_INIT, ((uint64_t)w->index << 32) | key), w->step);
    v->size = n;
    v->key = key;
    uint64_t lo = w->sh->ttl_steps / 2;
    v->expire = w->step + lo + hb_rng_below(&w->rng, w->sh->ttl_steps + 1);
    v->next = NULL;
    memset((char *)v + sizeof *v, fill_byte(v->tag), n - sizeof *v);
    hb_wl_live_add(w->sh->env->gauges, n);
    w->base.ops++;
    return v;
}

/* Checks a value and frees it: 0, or -1 when its bytes were changed under
 * us (an allocator that handed out overlapping blocks). */
static int value_free(worker *w, value *v)
{
    uint32_t n = v->size;
    if (n < MIN_VALUE || ((unsigned char *)v)[n - 1] != fill_byte(v->tag)) {
        snprintf(w->msg, sizeof w->msg, "a value of key %u changed while it was live (size %u)", v->key, n);
        return -1;
    }
    w->freed_sum += hb_mix(v->tag, n);
    hb_free(w->sh->env->alloc, v, n);
    hb_wl_live_add(w->sh->env->gauges, -(int64_t)n);
    return 0;
}

static int flush_out(worker *w)
{
    if (w->nout == 0)
        return 0;
    queue *q = &w->sh->q[(w->index + 1) % w->sh->T];
    value *last = w->out;
    while (last->next != NULL)
        last = last->next;
    pthread_mutex_lock(&q->lock);
    last->next = q->head;
    q->head = w->out;
    pthread_mutex_unlock(&q->lock);
    w->out = NULL;
    w->nout = 0;
    return 0;
}

static int drain(worker *w)
{
    queue *q = &w->sh->q[w->index];
    pthread_mutex_lock(&q->lock);
    value *v = q->head;
    q->head = NULL;
    pthread_mutex_unlock(&q->lock);
    int rc = 0;
    while (v != NULL) {
        value *next = v->next;
        if (value_free(w, v) != 0)
            rc = -1;
        v = next;
    }
    return rc;
}

/* A value leaves the table: freed here, or handed to the next thread. */
static int release(worker *w, uint64_t k)
{
    value *v = w->slot[k];
    w->slot[k] = NULL;
    w->bytes -= v->size;
    if (hb_rng_below(&w->rng, 100) < (uint64_t)w->sh->remote) {
        v->next = w->out;
        w->out = v;
        if (++w->nout >= 32)
            return flush_out(w);
        return 0;
    }
    return value_free(w, v);
}

/* ---- requests -------------------------------------------------------------- */

static int evict_to_budget(worker *w)
{
    while (w->bytes > w->budget) {
        uint64_t k = w->nkeys;
        for (int tries = 0; tries < 16 && k == w->nkeys; tries++) {
            uint64_t c = hb_rng_below(&w->rng, w->nkeys);
            if (w->slot[c] != NULL)
                k = c;
        }
        while (k == w->nkeys) { /* a sparse table: scan on */
            w->cursor = (w->cursor + 1) % w->nkeys;
            if (w->slot[w->cursor] != NULL)
                k = w->cursor;
        }
        w->base.hash = hb_mix(w->base.hash, w->slot[k]->tag ^ 0x5eedULL);
        if (release(w, k) != 0)
            return -1;
    }
    return 0;
}

static int set(worker *w, uint64_t k)
{
    value *v = value_new(w, (uint32_t)k);
    if (v == NULL) {
        snprintf(w->msg, sizeof w->msg, "allocation failed at step %llu", (unsigned long long)w->step);
        w->base.rc = HB_WL_OOM;
        return -1;
    }
    if (w->slot[k] != NULL && release(w, k) != 0)
        return -1;
    w->slot[k] = v;
    w->bytes += v->size;
    return evict_to_budget(w);
}

/* One request of the churn: a GET (hit: read the value; miss or expired:
 * refill) or a SET (overwrite with another size), then active expiry of a
 * few sampled keys. */
static int request(worker *w)
{
    uint64_t k = hb_rng_below(&w->rng, w->nkeys);
    value *v = w->slot[k];
    w->step++;
    if (hb_rng_below(&w->rng, 100) < (uint64_t)w->sh->get) {
        if (v != NULL && v->expire <= w->step) {
            if (release(w, k) != 0)
                return -1;
            v = NULL;
        }
        if (v != NULL) {
            w->base.hash = hb_mix(w->base.hash, v->tag ^ ((unsigned char *)v)[v->size - 1]);
            return 0;
        }
        w->base.hash = hb_mix(w->base.hash, k);
    }
    if (set(w, k) != 0)
        return -1;
    if ((w->step & 15) == 0)
        for (int i = 0; i < 4; i++) {
            uint64_t c = hb_rng_below(&w->rng, w->nkeys);
            if (w->slot[c] != NULL && w->slot[c]->expire <= w->step && release(w, c) != 0)
                return -1;
        }
    return 0;
}

/* ---- schedule -------------------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
    uint64_t now = now_ns();
    if (t > now) {
        uint64_t d = t - now;
        struct timespec ts = {(time_t)(d / 1000000000u), (long)(d % 1000000000u)};
        nanosleep(&ts, NULL);
    }
}

typedef struct pace {
    uint64_t t0, span_ns, n; /* n: the planned count (an estimate for fills) */
} pace;

/* Every 64 requests: drain the incoming queue and wait for the schedule. */
static int tick(worker *w, const pace *p, uint64_t i)
{
    if ((i & 63) != 63)
        return 0;
    if (drain(w) != 0)
        return -1;
    if (p->n > 0)
        sleep_until(p->t0 + (uint64_t)((double)p->span_ns * (double)(i < p->n ? i : p->n) / (double)p->n));
    return 0;
}

static pace pace_start(const worker *w, int phase, uint64_t n)
{
    pace p = {now_ns(), (uint64_t)(w->sh->phase_s[phase] * 1e9), n};
    return p;
}

/* Fills the free keys, in key order, until the budget is reached (the last
 * value may take it over: the eviction that follows brings it back). */
static int fill(worker *w, const pace *p, uint64_t *i)
{
    for (uint64_t k = 0; k < w->nkeys && w->bytes < w->budget; k++) {
        if (w->slot[k] != NULL)
            continue;
        w->step++;
        if (set(w, k) != 0 || tick(w, p, (*i)++) != 0)
            return -1;
    }
    return 0;
}

static int churn(worker *w, const pace *p, uint64_t *i, uint64_t n, uint64_t large_until)
{
    for (uint64_t r = 0; r < n; r++) {
        w->large = r < large_until;
        if (request(w) != 0 || tick(w, p, (*i)++) != 0)
            return -1;
    }
    w->large = 0;
    return 0;
}

/* All threads meet; thread 0 then announces the phase. */
static void enter(worker *w, int phase)
{
    pthread_barrier_wait(&w->sh->barrier);
    if (w->index == 0)
        hb_wl_phase(w->sh->env->gauges, phase);
    pthread_barrier_wait(&w->sh->barrier);
}

/* Hands the batch on, waits for every thread to do the same, frees what
 * came in.  While it waits it goes on freeing what others hand it, as a
 * server thread with no requests still completes its share of frees: a
 * thread that finished its phase early must not hold the values of one that
 * is still serving. */
static int settle(worker *w)
{
    int rc = 0;
    flush_out(w);
    uint64_t want = (uint64_t)w->sh->T * ++w->settles;
    atomic_fetch_add(&w->sh->arrived, 1);
    while (atomic_load(&w->sh->arrived) < want) {
        if (drain(w) != 0)
            rc = -1;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    if (drain(w) != 0) /* everything handed to us was flushed before its sender arrived */
        rc = -1;
    return rc;
}

static uint64_t phase_requests(const shared *sh, int phase)
{
    return (uint64_t)((double)sh->rate * sh->phase_s[phase] + 0.5);
}

/* Whether this thread goes on serving: after a failure anywhere, every
 * thread skips the rest of the work but still meets the others at each
 * barrier, so that all of them finish. */
static int going(worker *w)
{
    if (w->base.rc == HB_WL_OK && !atomic_load_explicit(&w->sh->stop, memory_order_relaxed))
        return 1;
    atomic_store(&w->sh->stop, 1);
    return 0;
}

#define STEP(w, call)                                                                                    \
    do {                                                                                                 \
        if (going(w) && (call) != 0) {                                                                   \
            if ((w)->base.rc == HB_WL_OK)                                                                \
                (w)->base.rc = HB_WL_WRONG;                                                              \
            atomic_store(&(w)->sh->stop, 1);                                                             \
        }                                                                                                \
    } while (0)

/* Every thread settles the same number of times, failed or not. */
#define SETTLE(w)                                                                                        \
    do {                                                                                                 \
        if (settle(w) != 0 && going(w)) {                                                                \
            (w)->base.rc = HB_WL_WRONG;                                                                  \
            atomic_store(&(w)->sh->stop, 1);                                                             \
        }                                                                                                \
    } while (0)

static int drop_keys(worker *w, const pace *p)
{
    uint64_t i = 0;
    for (uint64_t k = 0; k < w->nkeys; k++) {
        if (w->slot[k] != NULL && hb_mix(k, 0xd20bULL) % 100 < (uint64_t)w->sh->drop) {
            w->base.hash = hb_mix(w->base.hash, w->slot[k]->tag);
            if (release(w, k) != 0)
                return -1;
        }
        if (tick(w, p, i++) != 0)
            return -1;
    }
    return 0;
}

static int release_all(worker *w)
{
    for (uint64_t k = 0; k < w->nkeys; k++)
        if (w->slot[k] != NULL && release(w, k) != 0)
            return -1;
    return 0;
}

static void serve(worker *w)
{
    shared *sh = w->sh;
    uint64_t i = 0, n;
    double mean_session = 1008.0; /* of value_size's session mix */
    pace p;

    enter(w, P_WARMUP);
    p = pace_start(w, P_WARMUP, (uint64_t)((double)w->budget / mean_session) + 1);
    STEP(w, fill(w, &p, &i));
    SETTLE(w);

    enter(w, P_STEADY);
    n = phase_requests(sh, P_STEADY);
    p = pace_start(w, P_STEADY, n);
    i = 0;
    STEP(w, churn(w, &p, &i, n, 0));
    SETTLE(w);

    enter(w, P_SHIFT);
    n = phase_requests(sh, P_SHIFT);
    p = pace_start(w, P_SHIFT, n);
    i = 0;
    STEP(w, churn(w, &p, &i, n, n * 2 / 3));
    SETTLE(w);

    enter(w, P_DROP);
    p = pace_start(w, P_DROP, 0); /* unpaced */
    STEP(w, drop_keys(w, &p));
    SETTLE(w);

    enter(w, P_IDLE); /* nothing allocated or freed until the phase ends */
    if (w->index == 0 && going(w))
        sleep_until(now_ns() + (uint64_t)(sh->phase_s[P_IDLE] * 1e9));

    enter(w, P_REGROW);
    n = phase_requests(sh, P_REGROW);
    uint64_t est = (w->budget > w->bytes ? (uint64_t)((double)(w->budget - w->bytes) / mean_session) : 0) + n;
    p = pace_start(w, P_REGROW, est);
    i = 0;
    STEP(w, fill(w, &p, &i));
    STEP(w, churn(w, &p, &i, n, 0));

    /* the end of the service: every value goes, the same ways */
    STEP(w, release_all(w));
    SETTLE(w);
}

static void *worker_main(void *arg)
{
    serve(arg);
    return NULL;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.env = env;
    atomic_init(&sh.stop, 0);
    atomic_init(&sh.arrived, 0);
    sh.T = env->threads > 0 ? env->threads : 1;
    long long duration = env->params[0];
    uint64_t capacity = (uint64_t)hb_wl_scaled(env, env->params[1] << 20, (long long)sh.T * 16384);
    uint64_t keys = (uint64_t)hb_wl_scaled(env, env->params[2], (long long)sh.T * 16);
    sh.rate = (uint64_t)env->params[3];
    sh.ttl_steps = (uint64_t)env->params[4] * sh.rate;
    sh.remote = (int)env->params[5];
    sh.drop = (int)env->params[6];
    sh.get = (int)env->params[7];
    for (int ph = 0; ph < P_COUNT; ph++)
        sh.phase_s[ph] = (double)duration * phase_share[ph] / 1000.0;
    if (keys / (uint64_t)sh.T > UINT32_MAX) {
        snprintf(out->message, sizeof out->message, "too many keys per thread (%llu)", (unsigned long long)keys);
        return HB_WL_ERROR;
    }

    int T = sh.T;
    uint64_t per_keys = keys / (uint64_t)T;
    size_t wbytes = ((size_t)T * sizeof(worker) + 63) & ~(size_t)63;
    size_t qbytes = ((size_t)T * sizeof(queue) + 63) & ~(size_t)63;
    size_t sbytes = (size_t)T * (size_t)per_keys * sizeof(value *);
    size_t bytes = wbytes + qbytes + sbytes;
    unsigned char *scratch = hb_wl_scratch_alloc(bytes);
    if (scratch == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for %llu keys", (unsigned long long)keys);
        return HB_WL_OOM;
    }
    sh.w = (worker *)scratch;
    sh.q = (queue *)(scratch + wbytes);
    value **slots = (value **)(scratch + wbytes + qbytes);
    if (pthread_barrier_init(&sh.barrier, NULL, (unsigned)T) != 0) {
        hb_wl_scratch_free(scratch, bytes);
        snprintf(out->message, sizeof out->message, "cannot create a barrier for %d threads", T);
        return HB_WL_ERROR;
    }
    for (int t = 0; t < T; t++) {
        worker *w = &sh.w[t];
        pthread_mutex_init(&sh.q[t].lock, NULL);
        w->base.hash = HB_CHECKSUM_INIT;
        w->base.rc = HB_WL_OK;
        w->sh = &sh;
        w->index = t;
        hb_rng_seed(&w->rng, env->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)t);
        w->slot = slots + (size_t)t * per_keys;
        w->nkeys = per_keys;
        w->budget = capacity / (uint64_t)T;
    }
    hb_wl_live_set(env->gauges, 0);

    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int failed = -1;
    int rc = hb_wl_threads(worker_main, sh.w, sizeof(worker), T, &h, &ops, &failed, out);
    uint64_t sum = 0;
    for (int t = 0; t < T; t++)
        sum += sh.w[t].freed_sum;
    if (rc == HB_WL_OK)
        for (int t = 0; t < T; t++) /* nothing may be left behind */
            if (sh.q[t].head != NULL || sh.w[t].bytes != 0) {
                rc = HB_WL_WRONG;
                snprintf(out->message, sizeof out->message, "thread %d ended with values left", t);
            }
    if (failed >= 0)
        snprintf(out->message, sizeof out->message, "thread %d: %s", failed,
                 sh.w[failed].msg[0] ? sh.w[failed].msg : "failed");
    for (int t = 0; t < T; t++)
        pthread_mutex_destroy(&sh.q[t].lock);
    pthread_barrier_destroy(&sh.barrier);
    hb_wl_scratch_free(scratch, bytes);
    out->checksum = hb_mix(h, sum);
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_service_soak = {
    .name = "service-soak",
    .summary = "a key-value cache service over time: warm-up, churn with TTLs, a size-mix shift, a load drop, "
               "idle, regrowth (docs/soak.md)",
    .origin = "heapbench issue 20 (mimalloc-bench issues 190, 78: long-running services)",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
    .phases = phase_names,
};
