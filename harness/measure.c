/*
 * measure.c: clocks, resident set, and the latency-sampling wrapper.
 *
 * The latency wrapper counts calls in a thread-local countdown and reads the
 * time-stamp counter around one call in `every`, so its cost is a decrement
 * per call plus two TSC reads per sample.  Ticks are turned into nanoseconds
 * with the tick rate measured against CLOCK_MONOTONIC between wrap and
 * result.  Samples go to an mmap'd reservoir (its memory is not the
 * allocator's): the first `capacity` samples fill it, and sample i after
 * that replaces a slot chosen by a hash of i with probability capacity / i
 * (reservoir sampling), so a long run keeps a uniform sample of all its
 * calls, not the last ones: a soak's p99.9 covers every phase.
 */
#define _GNU_SOURCE
#include "measure.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t ticks(void) { return __rdtsc(); }
#else
static inline uint64_t ticks(void) { return hb_now_ns(); }
#endif

uint64_t hb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long hb_rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long hb_peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hb_percentile(double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t rank = (size_t)(q * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

typedef struct latency {
    hb_alloc inner;
    unsigned every;
    size_t capacity;
    _Atomic size_t count;
    _Atomic uint32_t *samples; /* ticks, saturated at UINT32_MAX */
    uint64_t t0_ns, t0_ticks;
} latency;

static __thread unsigned countdown;

static inline uint64_t mix64(uint64_t z) /* splitmix64's finaliser */
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void record(latency *l, uint64_t dt)
{
    size_t i = atomic_fetch_add_explicit(&l->count, 1, memory_order_relaxed), slot = i;
    if (i >= l->capacity) { /* keep it with probability capacity / (i + 1) */
        slot = (size_t)(((unsigned __int128)mix64(i) * (i + 1)) >> 64);
        if (slot >= l->capacity)
            return;
    }
    atomic_store_explicit(&l->samples[slot], dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt, memory_order_relaxed);
}

#define TIMED(l, call)                                                                                   \
    do {                                                                                                 \
        if (__builtin_expect(countdown-- != 0, 1))                                                       \
            return call;                                                                                 \
        countdown = (l)->every - 1;                                                                      \
        uint64_t t0 = ticks();                                                                           \
        void *r = call;                                                                                  \
        record((l), ticks() - t0);                                                                       \
        return r;                                                                                        \
    } while (0)

static void *lat_malloc(void *ctx, size_t n)
{
    latency *l = ctx;
    TIMED(l, hb_malloc(&l->inner, n));
}
static void *lat_calloc(void *ctx, size_t c, size_t n)
{
    latency *l = ctx;
    TIMED(l, hb_calloc(&l->inner, c, n));
}
static void *lat_realloc(void *ctx, void *p, size_t o, size_t n)
{
    latency *l = ctx;
    TIMED(l, hb_realloc(&l->inner, p, o, n));
}
static void *lat_aligned(void *ctx, size_t a, size_t n)
{
    latency *l = ctx;
    TIMED(l, hb_aligned(&l->inner, a, n));
}
static void lat_free(void *ctx, void *p, size_t n)
{
    latency *l = ctx;
    hb_free(&l->inner, p, n);
}
static size_t lat_usable(void *ctx, const void *p)
{
    latency *l = ctx;
    return hb_usable_size(&l->inner, p);
}
static int lat_stats(void *ctx, hb_alloc_stats *st)
{
    latency *l = ctx;
    return l->inner.ops->stats ? l->inner.ops->stats(l->inner.ctx, st) : -1;
}
static int lat_check(void *ctx, char *msg, size_t len)
{
    latency *l = ctx;
    return l->inner.ops->check ? l->inner.ops->check(l->inner.ctx, msg, len) : 0;
}
static void *lat_create(void) { return NULL; }
static void lat_destroy(void *ctx)
{
    latency *l = ctx;
    munmap(l->samples, l->capacity * sizeof(uint32_t));
    munmap(l, sizeof *l);
}

static const hb_allocator_ops latency_ops = {
    .name = "latency",
    .summary = "wrapper: samples the latency of allocation calls",
    .caps = HB_ALLOC_WRAPPER,
    .create = lat_create,
    .destroy = lat_destroy,
    .malloc = lat_malloc,
    .calloc = lat_calloc,
    .realloc = lat_realloc,
    .aligned = lat_aligned,
    .free = lat_free,
    .usable_size = lat_usable,
    .stats = lat_stats,
    .check = lat_check,
};

int hb_latency_wrap(hb_alloc *out, const hb_alloc *inner, unsigned every, size_t capacity)
{
    latency *l = mmap(NULL, sizeof *l, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (l == MAP_FAILED)
        return -1;
    l->samples = mmap(NULL, capacity * sizeof(uint32_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (l->samples == MAP_FAILED) {
        munmap(l, sizeof *l);
        return -1;
    }
    l->inner = *inner;
    l->every = every ? every : 1;
    l->capacity = capacity ? capacity : 1;
    atomic_init(&l->count, 0);
    countdown = l->every - 1;
    l->t0_ns = hb_now_ns();
    l->t0_ticks = ticks();
    out->ops = &latency_ops;
    out->ctx = l;
    return 0;
}

double *hb_latency_sorted(const hb_alloc *a, size_t *n_out)
{
    latency *l = a->ctx;
    uint64_t dns = hb_now_ns() - l->t0_ns, dticks = ticks() - l->t0_ticks;
    double ns_per_tick = dticks ? (double)dns / (double)dticks : 1.0;
    size_t n = atomic_load(&l->count);
    if (n > l->capacity)
        n = l->capacity;
    *n_out = 0;
    if (n == 0)
        return NULL;
    double *v = malloc(n * sizeof *v);
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = atomic_load_explicit(&l->samples[i], memory_order_relaxed) * ns_per_tick;
    qsort(v, n, sizeof *v, cmp_double);
    *n_out = n;
    return v;
}
