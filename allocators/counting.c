/*
 * counting.c: the counting wrapper, heapbench's tracemalloc.
 *
 * Stacks over any instance and counts live and peak requested bytes and
 * blocks, as tracemalloc's get_traced_memory() reports current and peak.
 * Counters are relaxed atomics (the peak is raised with a CAS loop), so the
 * wrapper is as thread-safe as its inner instance.  Frees subtract the size
 * the caller passes; with HB_COUNT_TRACK a pointer->size table (open
 * addressing, linear probing, tombstones, in mmap'd memory behind one mutex)
 * supplies it instead.  With HB_COUNT_FRAG every allocation also asks the
 * inner allocator for the usable size, to measure internal fragmentation.
 * Its own memory never comes from the allocator it measures.
 */
#define _GNU_SOURCE
#include "allocator.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define TOMBSTONE ((uintptr_t)1)

typedef struct slot {
    uintptr_t key; /* 0: empty; TOMBSTONE: deleted */
    size_t size;
} slot;

typedef struct counting {
    hb_alloc inner;
    unsigned flags;
    _Atomic size_t live_bytes, peak_bytes, live_blocks, peak_blocks;
    _Atomic size_t total_allocs, total_frees, total_bytes;
    _Atomic size_t slack, slack_requested;
    /* pointer -> size table, HB_COUNT_TRACK only */
    pthread_mutex_t lock;
    slot *table;
    size_t cap, used; /* used counts tombstones too */
} counting;

static void *map_zeroed(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static inline size_t hash_ptr(uintptr_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

/* Inserts key (not present) into a table of capacity cap. */
static void table_put(slot *t, size_t cap, uintptr_t key, size_t size)
{
    size_t i = hash_ptr(key, cap);
    while (t[i].key != 0 && t[i].key != TOMBSTONE)
        i = (i + 1) & (cap - 1);
    t[i].key = key;
    t[i].size = size;
}

static int track_add(counting *c, void *p, size_t size)
{
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    if ((c->used + 1) * 2 > c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 4096;
        slot *nt = map_zeroed(ncap * sizeof(slot));
        if (nt == NULL) {
            rc = -1;
            goto out;
        }
        size_t live = 0;
        for (size_t i = 0; i < c->cap; i++)
            if (c->table[i].key > TOMBSTONE) {
                table_put(nt, ncap, c->table[i].key, c->table[i].size);
                live++;
            }
        if (c->table)
            munmap(c->table, c->cap * sizeof(slot));
        c->table = nt;
        c->cap = ncap;
        c->used = live;
    }
    table_put(c->table, c->cap, (uintptr_t)p, size);
    c->used++;
out:
    pthread_mutex_unlock(&c->lock);
    return rc;
}

/* Removes p and returns its size (0 when it was not tracked). */
static size_t track_take(counting *c, const void *p)
{
    size_t size = 0;
    pthread_mutex_lock(&c->lock);
    if (c->cap) {
        size_t i = hash_ptr((uintptr_t)p, c->cap);
        while (c->table[i].key != 0) {
            if (c->table[i].key == (uintptr_t)p) {
                size = c->table[i].size;
                c->table[i].key = TOMBSTONE;
                break;
            }
            i = (i + 1) & (c->cap - 1);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return size;
}

static inline void raise_peak(_Atomic size_t *peak, size_t now)
{
    size_t cur = atomic_load_explicit(peak, memory_order_relaxed);
    while (now > cur && !atomic_compare_exchange_weak_explicit(peak, &cur, now, memory_order_relaxed,
                                                               memory_order_relaxed))
        ;
}

static void note_alloc(counting *c, void *p, size_t size)
{
    size_t b = atomic_fetch_add_explicit(&c->live_bytes, size, memory_order_relaxed) + size;
    size_t n = atomic_fetch_add_explicit(&c->live_blocks, 1, memory_order_relaxed) + 1;
    raise_peak(&c->peak_bytes, b);
    raise_peak(&c->peak_blocks, n);
    atomic_fetch_add_explicit(&c->total_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->total_bytes, size, memory_order_relaxed);
    if (c->flags & HB_COUNT_FRAG) {
        size_t usable = hb_usable_size(&c->inner, p);
        if (usable >= size) {
            atomic_fetch_add_explicit(&c->slack, usable - size, memory_order_relaxed);
            atomic_fetch_add_explicit(&c->slack_requested, size, memory_order_relaxed);
        }
    }
    if (c->flags & HB_COUNT_TRACK)
        track_add(c, p, size);
}

static void note_free(counting *c, const void *p, size_t size)
{
    if (c->flags & HB_COUNT_TRACK) {
        size_t tracked = track_take(c, p);
        if (tracked != 0 || size == 0)
            size = tracked;
    }
    atomic_fetch_sub_explicit(&c->live_bytes, size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&c->live_blocks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->total_frees, 1, memory_order_relaxed);
}

static void *count_malloc(void *ctx, size_t size)
{
    counting *c = ctx;
    void *p = hb_malloc(&c->inner, size);
    if (p)
        note_alloc(c, p, size);
    return p;
}

static void *count_calloc(void *ctx, size_t count, size_t size)
{
    counting *c = ctx;
    void *p = hb_calloc(&c->inner, count, size);
    if (p)
        note_alloc(c, p, count * size); /* cannot overflow: the inner calloc succeeded */
    return p;
}

static void *count_aligned(void *ctx, size_t align, size_t size)
{
    counting *c = ctx;
    void *p = hb_aligned(&c->inner, align, size);
    if (p)
        note_alloc(c, p, size);
    return p;
}

static void count_free(void *ctx, void *p, size_t size)
{
    counting *c = ctx;
    if (p == NULL)
        return;
    note_free(c, p, size);
    hb_free(&c->inner, p, size);
}

static void *count_realloc(void *ctx, void *p, size_t old, size_t size)
{
    counting *c = ctx;
    if (p == NULL)
        return count_malloc(ctx, size);
    void *q = hb_realloc(&c->inner, p, old, size);
    if (q == NULL && size != 0)
        return NULL; /* p is untouched */
    note_free(c, p, old);
    if (q != NULL)
        note_alloc(c, q, size);
    return q;
}

static size_t count_usable(void *ctx, const void *p)
{
    counting *c = ctx;
    return hb_usable_size(&c->inner, p);
}

static int count_stats(void *ctx, hb_alloc_stats *st)
{
    counting *c = ctx;
    return c->inner.ops->stats ? c->inner.ops->stats(c->inner.ctx, st) : -1;
}

static int count_check(void *ctx, char *msg, size_t len)
{
    counting *c = ctx;
    return c->inner.ops->check ? c->inner.ops->check(c->inner.ctx, msg, len) : 0;
}

static void *count_create(void) { return NULL; } /* made by hb_counting_wrap only */

static void count_destroy(void *ctx)
{
    counting *c = ctx;
    if (c->table)
        munmap(c->table, c->cap * sizeof(slot));
    pthread_mutex_destroy(&c->lock);
    munmap(c, sizeof *c);
}

static const hb_allocator_ops counting_ops = {
    .name = "counting",
    .summary = "wrapper: live and peak requested bytes, like tracemalloc",
    .caps = HB_ALLOC_WRAPPER,
    .preload = NULL,
    .create = count_create,
    .destroy = count_destroy,
    .malloc = count_malloc,
    .calloc = count_calloc,
    .realloc = count_realloc,
    .aligned = count_aligned,
    .free = count_free,
    .usable_size = count_usable,
    .stats = count_stats,
    .check = count_check,
    .verify = NULL,
};

int hb_counting_wrap(hb_alloc *out, const hb_alloc *inner, unsigned flags)
{
    counting *c = map_zeroed(sizeof *c);
    if (c == NULL)
        return -1;
    c->inner = *inner;
    c->flags = flags;
    pthread_mutex_init(&c->lock, NULL);
    out->ops = &counting_ops;
    out->ctx = c;
    return 0;
}

void hb_counting_get(const hb_alloc *a, hb_count_stats *st)
{
    counting *c = a->ctx;
    st->live_bytes = atomic_load(&c->live_bytes);
    st->peak_bytes = atomic_load(&c->peak_bytes);
    st->live_blocks = atomic_load(&c->live_blocks);
    st->peak_blocks = atomic_load(&c->peak_blocks);
    st->total_allocs = atomic_load(&c->total_allocs);
    st->total_frees = atomic_load(&c->total_frees);
    st->total_bytes = atomic_load(&c->total_bytes);
    st->usable_slack = atomic_load(&c->slack);
    st->usable_requested = atomic_load(&c->slack_requested);
}

void hb_counting_reset_peak(const hb_alloc *a)
{
    counting *c = a->ctx;
    atomic_store(&c->peak_bytes, atomic_load(&c->live_bytes));
    atomic_store(&c->peak_blocks, atomic_load(&c->live_blocks));
}
