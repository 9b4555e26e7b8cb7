/*
 * util.c: small helpers shared by workloads: seeding, scratch memory, scale.
 */
#define _GNU_SOURCE
#include "workload.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

void hb_rng_seed(hb_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) { /* splitmix64 */
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
}

void *hb_wl_scratch_alloc(size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void hb_wl_scratch_free(void *p, size_t bytes)
{
    if (p != NULL)
        munmap(p, bytes ? bytes : 1);
}

long long hb_wl_scaled(const hb_workload_env *env, long long dflt, long long min)
{
    double v = (double)dflt * env->scale;
    long long n = v >= 9.2e18 ? (long long)9.2e18 : (long long)(v + 0.5);
    return n < min ? min : n;
}

int hb_wl_threads(void *(*fn)(void *), void *workers, size_t stride, int n, uint64_t *hash,
                  uint64_t *ops, int *failed, hb_workload_result *out)
{
    size_t bytes = (size_t)n * sizeof(pthread_t);
    pthread_t *tid = hb_wl_scratch_alloc(bytes);
    if (tid == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for %d threads", n);
        return HB_WL_OOM;
    }
    int rc = HB_WL_OK, created = 0;
    *failed = -1;
    for (; created < n; created++)
        if (pthread_create(&tid[created], NULL, fn, (char *)workers + (size_t)created * stride) != 0) {
            rc = HB_WL_ERROR;
            snprintf(out->message, sizeof out->message, "could not create thread %d of %d", created, n);
            break;
        }
    for (int t = 0; t < created; t++) {
        pthread_join(tid[t], NULL);
        const hb_wl_thread *w = (const hb_wl_thread *)((char *)workers + (size_t)t * stride);
        *hash = hb_mix(*hash, w->hash);
        *ops += w->ops;
        if (rc == HB_WL_OK && w->rc != HB_WL_OK) {
            rc = w->rc;
            *failed = t;
        }
    }
    hb_wl_scratch_free(tid, bytes);
    return rc;
}

/* ---- gauges ---------------------------------------------------------------- */

static uint64_t gauge_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void gauge_lock(hb_wl_gauges *g)
{
    while (__atomic_exchange_n(&g->lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&g->lock, __ATOMIC_RELAXED))
            sched_yield();
}

static void gauge_unlock(hb_wl_gauges *g) { __atomic_store_n(&g->lock, 0, __ATOMIC_RELEASE); }

void hb_wl_gauges_init(hb_wl_gauges *g)
{
    if (g == NULL)
        return;
    memset(g, 0, sizeof *g);
    atomic_store(&g->live_bytes, -1);
    atomic_store(&g->phase, -1);
    g->t_start = g->t_last = gauge_now();
}

/* Adds the time since the last change, at the old trash count, to the
 * integral; then applies the change.  Called with the lock held. */
static void trash_change(hb_wl_gauges *g, int64_t objects, int64_t bytes)
{
    uint64_t now = gauge_now();
    int64_t cur = atomic_load_explicit(&g->trash_objects, memory_order_relaxed);
    g->trash_integral += (double)cur * (double)(now - g->t_last);
    g->t_last = now;
    cur += objects;
    int64_t b = atomic_load_explicit(&g->trash_bytes, memory_order_relaxed) + bytes;
    atomic_store_explicit(&g->trash_objects, cur, memory_order_relaxed);
    atomic_store_explicit(&g->trash_bytes, b, memory_order_relaxed);
    if (cur > g->trash_max)
        g->trash_max = cur;
    if (b > g->trash_bytes_max)
        g->trash_bytes_max = b;
}

void hb_wl_trash_drop(hb_wl_gauges *g, int64_t objects, int64_t bytes)
{
    if (g == NULL)
        return;
    gauge_lock(g);
    g->trash_drops++;
    trash_change(g, objects, bytes);
    gauge_unlock(g);
}

void hb_wl_trash_freed(hb_wl_gauges *g, int64_t objects, int64_t bytes)
{
    if (g == NULL)
        return;
    gauge_lock(g);
    g->trash_frees++;
    trash_change(g, -objects, -bytes);
    gauge_unlock(g);
}

double hb_wl_trash_mean(hb_wl_gauges *g)
{
    if (g == NULL)
        return 0;
    gauge_lock(g);
    trash_change(g, 0, 0);
    double span = (double)(g->t_last - g->t_start), m = span > 0 ? g->trash_integral / span : 0;
    gauge_unlock(g);
    return m;
}

void hb_wl_phase(hb_wl_gauges *g, int i)
{
    if (g == NULL || i < 0 || i >= HB_WL_MAX_PHASES)
        return;
    gauge_lock(g);
    if (g->phase_ns[i] == 0)
        g->phase_ns[i] = gauge_now();
    atomic_store(&g->phase, i);
    gauge_unlock(g);
}

void hb_wl_live_set(hb_wl_gauges *g, int64_t bytes)
{
    if (g != NULL)
        atomic_store_explicit(&g->live_bytes, bytes, memory_order_relaxed);
}

void hb_wl_live_add(hb_wl_gauges *g, int64_t delta)
{
    if (g != NULL)
        atomic_fetch_add_explicit(&g->live_bytes, delta, memory_order_relaxed);
}
