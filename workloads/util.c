/*
 * util.c: small helpers shared by workloads: seeding, scratch memory, scale.
 */
#define _GNU_SOURCE
#include "workload.h"

#include <pthread.h>
#include <stdio.h>
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
