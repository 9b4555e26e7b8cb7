/*
 * pooled.c: small-object allocator in the spirit of CPython's obmalloc, with
 * per-thread heaps in the spirit of mimalloc.  Requests up to 512 bytes with
 * alignment up to 16 are served here; the rest go to a fallback (libc in
 * process, naive in libhb-pooled.so).  Code behind the hb_pooled_* API gets
 * memory from mmap only and never calls malloc, printf or anything that may
 * allocate: in the drop-in library it *is* malloc.
 *
 * ---- Layers -----------------------------------------------------------------
 *
 *   instance (hb_pooled) : lock, radix tree, arena buckets, heaps, metadata
 *      |
 *      +-- arena  1 MiB, aligned to 1 MiB, 64 pools; header in metadata
 *      |     +-- pool  16 KiB, header at its start (pool = p & ~(16 KiB-1)),
 *      |           the rest carved into equal blocks of one size class
 *      |                 +-- block: 16..512 bytes, free ones threaded in LIFO lists
 *      +-- heap   one per thread (per instance): for each size class a list of
 *                 the pools it allocates from; heaps are never freed, a heap
 *                 whose thread exits is abandoned and adopted by a new thread
 *
 *   size class  block size  requests      blocks per pool (16 KiB - 128 B header)
 *        0          16        0..16           1016
 *        1          32       17..32            508
 *        2          48       33..48            338
 *       ...        ...         ...             ...
 *       c       16(c+1)  16c+1..16(c+1)   16256 / (16(c+1))
 *       31         512      497..512            31
 *
 * ---- Pool states (where) ----------------------------------------------------
 *
 *     arena: FREE --(heap takes it for class c)--> AVAIL (on heap->avail[c])
 *     AVAIL --(no free block and nothing uncarved)--> FULL (on no list)
 *     FULL  --(a block freed, locally or drained)--> AVAIL
 *     AVAIL/FULL --(last block freed)--> kept as the avail head, or CACHED
 *                 (heap->cached[c]), or given back: FREE
 *     CACHED --(class c needs a pool)--> AVAIL
 *   An arena whose 64 pools are all FREE is unmapped, except one spare.
 *
 * ---- Invariants (hb_pooled_check verifies them) -----------------------------
 *  - A pool's blocks are at offsets POOL_HDR + k * bsize < nextoffset; blocks
 *    at or above nextoffset are uncarved (never handed out since the pool
 *    left its arena).  local free + used + uncarved == capacity, where `used`
 *    counts blocks handed out and not freed locally (so it includes blocks on
 *    the pool's thread_free list, freed by other threads and not yet drained).
 *  - Every free-list block lies inside its pool, on a block boundary, below
 *    nextoffset, on at most one list; lists have no cycles.
 *  - AVAIL pools are on their owner's avail list of their class; only its
 *    head may be empty (used == 0), and then cached[c] is NULL: each heap
 *    keeps at most one empty pool per class, so a class that empties and
 *    refills does not thrash the arena lock.
 *  - A pool has the QUEUED bit in thread_free iff it is on its owner's remote
 *    list, and then its thread_free list is not empty.
 *  - heap->nlive[c] == sum of used over the heap's pools of class c.
 *  - An arena's nfree == free-list pools + never-used pools (64 - nextpool);
 *    it is in bucket[nfree] when nfree > 0; bucket bit k-1 is set iff
 *    bucket[k] is not empty; at most one arena is entirely free (the spare).
 *    New pools come from the lowest non-empty bucket: the fullest arena, so
 *    the emptiest ones can drain and go back to the OS (obmalloc's order).
 *  - The radix tree maps the 1 MiB granule of every live arena, and nothing else,
 *    to that arena's header.
 *
 * ---- Threading --------------------------------------------------------------
 *  - Fast paths take no lock and use no atomic read-modify-write: malloc
 *    pops from the head pool of the calling thread's heap; a free of a block
 *    whose pool the calling thread's heap owns pushes it onto the pool's
 *    local list.  The heap is found through a per-thread cache (instance id,
 *    heap); a miss asks pthread_getspecific, then adopts an abandoned heap or
 *    makes a new one.
 *  - A free by another thread pushes the block onto the pool's thread_free
 *    (CAS).  The push that sets the QUEUED bit also pushes the pool onto the
 *    owner's `remote` list; the owner drains that list in its slow path
 *    (before taking a new pool), and nowhere else, so a pool never leaves its
 *    heap while a remote freer may still touch it.
 *  - The instance lock guards the arena layer, the radix tree's leaves, the
 *    metadata and the heap lists.  Radix lookups take no lock: leaves are
 *    never unmapped before destroy.
 *  - A thread's exit (pthread key destructor) abandons its heap; its blocks
 *    stay valid and can be freed from anywhere.
 *  - fork: prepare takes the instance lock, parent releases it, child
 *    re-initializes it.  Heaps of threads that did not survive the fork are
 *    left alone in the child (they may have been mid-update): their memory
 *    is not reused there, but their blocks can still be freed.
 *  - hb_pooled_destroy requires that no other thread uses the instance any
 *    more; blocks served by the fallback are the fallback's and stay live.
 */
#define _GNU_SOURCE
#include "builtin.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define HB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HB_ASAN 1
#endif
#endif
#ifdef HB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define NO_ASAN
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define NOINLINE __attribute__((noinline)) /* slow paths: keep the fast paths free of their register saves */

/* ==== tunables ============================================================= */
#define CLASS_SHIFT 4                     /* 16-byte classes: HB_MIN_ALIGN, and at most 15 bytes lost per block */
#define SMALL_MAX 512                     /* obmalloc's threshold: beyond it pools waste too much per block */
#define POOL_SHIFT 14                     /* 16 KiB pools: 31 blocks of 512 B, header cost under 1% */
#define ARENA_SHIFT 20                    /* 1 MiB arenas: small enough to empty and unmap under churn */
#define CARVE_BYTES 4096                  /* carve one page of fresh blocks at a time: untouched memory stays so */
#define META_CHUNK ((size_t)256 << 10)    /* metadata (heaps, arena headers of 8 KiB) mapped 256 KiB at a time */
#define ADDR_BITS 48                      /* user address space of x86-64 and arm64 with 4-level tables */
#define ROOT_BITS 14                      /* radix root: 16K entries of 16 GiB each (128 KiB, lazily touched) */
/* ============================================================================ */

#define NCLASSES (SMALL_MAX >> CLASS_SHIFT)
#define POOL_SIZE ((size_t)1 << POOL_SHIFT)
#define ARENA_SIZE ((size_t)1 << ARENA_SHIFT)
#define POOLS_PER_ARENA (ARENA_SIZE / POOL_SIZE)
#define LEAF_BITS (ADDR_BITS - ARENA_SHIFT - ROOT_BITS)
#define ROOT_LEN ((size_t)1 << ROOT_BITS)
#define LEAF_LEN ((size_t)1 << LEAF_BITS)
#define QUEUED ((uintptr_t)1) /* low bit of thread_free: the pool is on its owner's remote list */

_Static_assert((POOL_SIZE & (POOL_SIZE - 1)) == 0, "POOL_SIZE is a power of two");
_Static_assert(ARENA_SIZE % POOL_SIZE == 0 && POOLS_PER_ARENA == 64, "pool 0 holds the header, 63 pools: one bitmap word");
_Static_assert(SMALL_MAX % (1 << CLASS_SHIFT) == 0 && (1 << CLASS_SHIFT) == HB_MIN_ALIGN, "classes keep 16-byte alignment");
_Static_assert(POOL_SIZE / SMALL_MAX >= 2, "a pool holds at least two blocks of the largest class");
_Static_assert(LEAF_BITS > 0 && LEAF_BITS <= 20, "radix leaf size is sane");
_Static_assert(POOL_SIZE <= 65535, "used and offsets fit in 16 bits");

typedef struct block {
    struct block *next;
} block;

typedef struct heap heap;
typedef struct arena arena;

enum { POOL_FREE = 0, POOL_AVAIL, POOL_FULL, POOL_CACHED };

/* A pool's descriptor.  Descriptors live in their arena's header, not at the
 * start of their pool: headers at 16 KiB-aligned addresses would all share one
 * L1 cache set with the first line of every page (measured: churn twice as
 * slow), and this way a pool's 16 KiB all hold blocks. */
typedef struct pool {
    /* first cache line: the owner's fields */
    block *free;         /* local LIFO free list (owner only) */
    _Atomic uint16_t used; /* blocks out, including undrained remote frees (owner writes; relaxed, for stats) */
    uint8_t where;       /* POOL_* */
    uint8_t cls;         /* size class */
    uint16_t bsize;      /* block size, (cls + 1) * 16 */
    uint16_t nextoffset; /* first uncarved byte */
    uint16_t maxoffset;  /* end of the last whole block */
    uint16_t index;      /* pool number in its arena */
    heap *owner;         /* owning heap; NULL when FREE */
    struct pool *next;   /* avail list, or arena free list */
    struct pool *prev;   /* avail list */
    char *start;         /* the pool's memory: blocks at start + k * bsize */
    arena *arena;
    /* second cache line: written by other threads */
    _Alignas(64) _Atomic uintptr_t thread_free; /* remote frees | QUEUED */
    struct pool *next_remote;      /* link in owner->remote */
} pool;
_Static_assert(sizeof(pool) == 128, "a descriptor is two cache lines");

/* The arena header fills the start of pool 0 (2 pages; the rest of pool 0 is
 * never touched), so a block finds its descriptor by masking its address,
 * with no load: the radix lookup that says "mine" runs beside it. */
struct arena {
    uintptr_t base;
    pool *freepools;    /* pools given back, LIFO through pool->next */
    unsigned nfree;     /* free pools: freepools + never used */
    unsigned nextpool;  /* pools at or above this index were never used */
    arena *next, *prev; /* bucket[nfree] list */
    arena *all_next, *all_prev;
    pool pools[POOLS_PER_ARENA - 1]; /* pools[i - 1] describes pool i */
};
#define ARENA_POOLS (POOLS_PER_ARENA - 1)
_Static_assert(sizeof(struct arena) <= POOL_SIZE, "the arena header fits in pool 0");

struct heap {
    pool *avail[NCLASSES];           /* head of each class's avail list (&empty_pool when none) */
    pool *cached[NCLASSES];          /* one empty pool kept per class */
    hb_pooled *inst;
    heap *all_next;                  /* instance's list of heaps */
    heap *abandoned_next;            /* instance's abandoned list */
    bool abandoned;
    size_t chk_avail[NCLASSES], chk_queued; /* hb_pooled_check's tallies */
    _Alignas(64) _Atomic(pool *) remote; /* pools with remote frees, on their own line */
};

struct hb_pooled {
    uint64_t id;                         /* process-unique: per-thread caches name it */
    hb_fallback fb;
    bool has_fb;
    pthread_key_t key;
    pthread_mutex_t lock;
    arena *bucket[ARENA_POOLS + 1];      /* arenas by nfree (index 0 unused) */
    uint64_t bucket_bits;                /* bit k-1: bucket[k] not empty */
    arena *all;                          /* every arena */
    size_t narenas;
    heap *heaps;                         /* every heap */
    heap *abandoned, *abandoned_tail;    /* FIFO: the heap abandoned longest ago is adopted first */
    char *meta_cur, *meta_end;           /* metadata bump region */
    void *meta_chunks;                   /* chunks, linked through their first word */
    _Atomic size_t mapped;
    _Atomic size_t fb_bytes, fb_blocks;  /* fallback's live blocks (usable bytes) */
    _Atomic(arena *) *_Atomic root[ROOT_LEN]; /* radix root (see radix_get) */
};

/* The avail head of a class without pools: no free block, never written. */
static pool empty_pool;
static _Atomic uint64_t next_id = 1;
static __thread struct {
    uint64_t id;
    heap *heap;
} tls;

/* ---- small helpers ------------------------------------------------------- */

static inline size_t class_of(size_t size) { return (size - 1) >> CLASS_SHIFT; }
static inline arena *arena_of(const void *p) { return (arena *)((uintptr_t)p & ~(uintptr_t)(ARENA_SIZE - 1)); }
static inline pool *pool_of(const void *p)
{
    return &arena_of(p)->pools[(((uintptr_t)p >> POOL_SHIFT) & (POOLS_PER_ARENA - 1)) - 1];
}
static inline size_t capacity_of(size_t bsize) { return POOL_SIZE / bsize; }

/* Free-list links live inside poisoned blocks: read and write them unchecked. */
static inline NO_ASAN block *link_get(const block *b) { return b->next; }
static inline NO_ASAN void link_set(block *b, block *n) { b->next = n; }

/* `used` is written by its owner only; relaxed accesses compile to plain moves
 * and let stats read it from another thread without a data race. */
static inline unsigned used_of(const pool *p) { return atomic_load_explicit(&p->used, memory_order_relaxed); }
static inline void used_set(pool *p, unsigned v) { atomic_store_explicit(&p->used, (uint16_t)v, memory_order_relaxed); }

/* Radix tree over the 48-bit address space at arena granularity: a root of
 * ROOT_LEN leaves (inline in the instance), each a table of LEAF_LEN arena
 * addresses.  Lookups take no lock; leaves live until destroy. */
static inline arena *radix_get(const hb_pooled *pa, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (unlikely(a >> ADDR_BITS))
        return NULL;
    _Atomic(arena *) *leaf = atomic_load_explicit(&pa->root[a >> (ADDR_BITS - ROOT_BITS)], memory_order_acquire);
    if (leaf == NULL)
        return NULL;
    return atomic_load_explicit(&leaf[(a >> ARENA_SHIFT) & (LEAF_LEN - 1)], memory_order_acquire);
}

static void *map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void unmap(hb_pooled *pa, void *p, size_t size)
{
    UNPOISON(p, size);
    munmap(p, size);
    if (pa != NULL)
        atomic_fetch_sub_explicit(&pa->mapped, size, memory_order_relaxed);
}

/* ---- metadata: heaps (lock held) --------------------------------------------- */

static void *meta_alloc(hb_pooled *pa, size_t size)
{
    size = (size + 63) & ~(size_t)63;
    if ((size_t)(pa->meta_end - pa->meta_cur) < size) {
        char *c = map(META_CHUNK);
        if (c == NULL)
            return NULL;
        atomic_fetch_add_explicit(&pa->mapped, META_CHUNK, memory_order_relaxed);
        *(void **)c = pa->meta_chunks;
        pa->meta_chunks = c;
        pa->meta_cur = c + 64;
        pa->meta_end = c + META_CHUNK;
    }
    void *p = pa->meta_cur;
    pa->meta_cur += size;
    return p; /* zero: fresh from mmap, and metadata is never freed before destroy */
}

/* ---- arena layer (lock held) ---------------------------------------------- */

static void bucket_remove(hb_pooled *pa, arena *a)
{
    if (a->nfree == 0)
        return;
    if (a->prev != NULL)
        a->prev->next = a->next;
    else
        pa->bucket[a->nfree] = a->next;
    if (a->next != NULL)
        a->next->prev = a->prev;
    if (pa->bucket[a->nfree] == NULL)
        pa->bucket_bits &= ~((uint64_t)1 << (a->nfree - 1));
}

static void bucket_insert(hb_pooled *pa, arena *a)
{
    if (a->nfree == 0)
        return;
    a->prev = NULL;
    a->next = pa->bucket[a->nfree];
    if (a->next != NULL)
        a->next->prev = a;
    pa->bucket[a->nfree] = a;
    pa->bucket_bits |= (uint64_t)1 << (a->nfree - 1);
}

static _Atomic(arena *) *radix_slot(hb_pooled *pa, uintptr_t base, bool create)
{
    _Atomic(arena *) *_Atomic *rs = &pa->root[base >> (ADDR_BITS - ROOT_BITS)];
    _Atomic(arena *) *leaf = atomic_load_explicit(rs, memory_order_relaxed);
    if (leaf == NULL) {
        if (!create)
            return NULL;
        leaf = map(LEAF_LEN * sizeof *leaf);
        if (leaf == NULL)
            return NULL;
        atomic_fetch_add_explicit(&pa->mapped, LEAF_LEN * sizeof *leaf, memory_order_relaxed);
        atomic_store_explicit(rs, leaf, memory_order_release);
    }
    return &leaf[(base >> ARENA_SHIFT) & (LEAF_LEN - 1)];
}

/* Maps ARENA_SIZE bytes aligned to ARENA_SIZE: first right after the last
 * arena (so mappings merge), else by over-mapping and trimming. */
static void *map_arena(void)
{
    static _Atomic uintptr_t hint;
    uintptr_t h = atomic_load_explicit(&hint, memory_order_relaxed);
    char *p = mmap((void *)h, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED && ((uintptr_t)p & (ARENA_SIZE - 1)) != 0) {
        munmap(p, ARENA_SIZE);
        p = MAP_FAILED;
    }
    if (p == MAP_FAILED) {
        char *raw = mmap(NULL, 2 * ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            return NULL;
        p = (char *)(((uintptr_t)raw + ARENA_SIZE - 1) & ~(uintptr_t)(ARENA_SIZE - 1));
        if (p > raw)
            munmap(raw, (size_t)(p - raw));
        if (raw + 2 * ARENA_SIZE > p + ARENA_SIZE)
            munmap(p + ARENA_SIZE, (size_t)(raw + 2 * ARENA_SIZE - (p + ARENA_SIZE)));
    }
    if ((uintptr_t)p >> ADDR_BITS) { /* beyond what the radix tree covers */
        munmap(p, ARENA_SIZE);
        return NULL;
    }
    atomic_store_explicit(&hint, (uintptr_t)p + ARENA_SIZE, memory_order_relaxed);
    return p;
}

static arena *arena_new(hb_pooled *pa)
{
    arena *a = map_arena();
    if (a == NULL)
        return NULL;
    _Atomic(arena *) *slot = radix_slot(pa, (uintptr_t)a, true);
    if (slot == NULL) {
        munmap(a, ARENA_SIZE);
        return NULL;
    }
    atomic_fetch_add_explicit(&pa->mapped, ARENA_SIZE, memory_order_relaxed);
    a->base = (uintptr_t)a; /* the rest is zero: fresh from mmap */
    a->nfree = ARENA_POOLS;
    for (unsigned i = 0; i < ARENA_POOLS; i++) {
        a->pools[i].index = (uint16_t)(i + 1);
        a->pools[i].start = (char *)a + (size_t)(i + 1) * POOL_SIZE;
        a->pools[i].arena = a;
    }
    a->all_next = pa->all;
    if (pa->all != NULL)
        pa->all->all_prev = a;
    pa->all = a;
    pa->narenas++;
    bucket_insert(pa, a);
    atomic_store_explicit(slot, a, memory_order_release);
    return a;
}

static void arena_free(hb_pooled *pa, arena *a)
{
    bucket_remove(pa, a);
    atomic_store_explicit(radix_slot(pa, a->base, false), NULL, memory_order_release);
    if (a->all_prev != NULL)
        a->all_prev->all_next = a->all_next;
    else
        pa->all = a->all_next;
    if (a->all_next != NULL)
        a->all_next->all_prev = a->all_prev;
    pa->narenas--;
    unmap(pa, a, ARENA_SIZE);
}

/* A pool of class cls for heap h, from the fullest arena that has one.  Its
 * class is set under the lock, where hb_pooled_stats reads it. */
static pool *arena_take_pool(hb_pooled *pa, heap *h, size_t cls)
{
    pthread_mutex_lock(&pa->lock);
    arena *a;
    if (pa->bucket_bits != 0)
        a = pa->bucket[__builtin_ctzll(pa->bucket_bits) + 1];
    else if ((a = arena_new(pa)) == NULL) {
        pthread_mutex_unlock(&pa->lock);
        return NULL;
    }
    bucket_remove(pa, a);
    pool *p = a->freepools;
    if (p != NULL)
        a->freepools = p->next;
    else
        p = &a->pools[a->nextpool++];
    a->nfree--;
    bucket_insert(pa, a);
    size_t bs = (cls + 1) << CLASS_SHIFT;
    p->free = NULL;
    used_set(p, 0);
    p->cls = (uint8_t)cls;
    p->bsize = (uint16_t)bs;
    p->nextoffset = 0;
    p->maxoffset = (uint16_t)(capacity_of(bs) * bs);
    p->owner = h;
    atomic_store_explicit(&p->thread_free, 0, memory_order_relaxed);
    pthread_mutex_unlock(&pa->lock);
    return p;
}

/* Gives an empty pool back to its arena; unmaps the arena when it empties,
 * unless it is the only empty one (the spare).  Keeps errno. */
static void arena_put_pool(hb_pooled *pa, pool *p)
{
    int saved = errno;
    pthread_mutex_lock(&pa->lock);
    arena *a = p->arena;
    p->where = POOL_FREE;
    p->owner = NULL;
    p->next = a->freepools;
    a->freepools = p;
    bucket_remove(pa, a);
    a->nfree++;
    if (a->nfree == ARENA_POOLS && pa->bucket[ARENA_POOLS] != NULL) {
        a->nfree = 0; /* so that arena_free finds it in no bucket */
        arena_free(pa, a);
    } else {
        bucket_insert(pa, a);
    }
    pthread_mutex_unlock(&pa->lock);
    errno = saved;
}

/* ---- heaps ------------------------------------------------------------------- */

static void avail_unlink(heap *h, pool *p)
{
    if (p->prev != NULL)
        p->prev->next = p->next;
    else
        h->avail[p->cls] = p->next != NULL ? p->next : &empty_pool;
    if (p->next != NULL)
        p->next->prev = p->prev;
}

/* Links an AVAIL pool at the front, or second when the head is empty (only
 * the head may be empty). */
static void avail_link(heap *h, pool *p)
{
    pool *head = h->avail[p->cls];
    p->where = POOL_AVAIL;
    if (head == &empty_pool) {
        p->prev = p->next = NULL;
        h->avail[p->cls] = p;
    } else if (used_of(head) == 0 && used_of(p) != 0) {
        p->prev = head;
        p->next = head->next;
        if (p->next != NULL)
            p->next->prev = p;
        head->next = p;
    } else {
        p->prev = NULL;
        p->next = head;
        head->prev = p;
        h->avail[p->cls] = p;
    }
}

/* A block of p was just freed (locally or drained): move p where it belongs. */
NOINLINE static void pool_after_free(hb_pooled *pa, heap *h, pool *p)
{
    size_t c = p->cls;
    if (used_of(p) != 0) {
        if (p->where == POOL_FULL)
            avail_link(h, p);
        return;
    }
    if (p->where == POOL_AVAIL && h->avail[c] == p) {
        if (h->cached[c] != NULL) { /* keep the head, give back the older empty pool */
            pool *q = h->cached[c];
            h->cached[c] = NULL;
            arena_put_pool(pa, q);
        }
        return;
    }
    if (p->where == POOL_AVAIL)
        avail_unlink(h, p);
    if (h->cached[c] != NULL || (h->avail[c] != &empty_pool && used_of(h->avail[c]) == 0)) {
        arena_put_pool(pa, p); /* one empty pool is kept already */
    } else if (h->avail[c] == &empty_pool) {
        avail_link(h, p); /* the class's only pool: keep allocating from it */
    } else {
        p->where = POOL_CACHED;
        h->cached[c] = p;
    }
}

/* Moves remote frees of h's pools onto their local lists. */
static void heap_drain(hb_pooled *pa, heap *h)
{
    pool *p = atomic_exchange_explicit(&h->remote, NULL, memory_order_acquire);
    while (p != NULL) {
        pool *next = p->next_remote; /* before the exchange: p may be queued again after it */
        uintptr_t tf = atomic_exchange_explicit(&p->thread_free, 0, memory_order_acq_rel);
        block *first = (block *)(tf & ~QUEUED), *last = first;
        size_t n = 1;
        for (block *b; (b = link_get(last)) != NULL; last = b)
            n++;
        link_set(last, p->free);
        p->free = first;
        used_set(p, used_of(p) - n);
        pool_after_free(pa, h, p);
        p = next;
    }
}

/* Gives back what an exiting thread's heap does not need: empty pools. */
static void heap_trim(hb_pooled *pa, heap *h)
{
    heap_drain(pa, h);
    for (size_t c = 0; c < NCLASSES; c++) {
        if (h->cached[c] != NULL) {
            arena_put_pool(pa, h->cached[c]);
            h->cached[c] = NULL;
        }
        pool *head = h->avail[c];
        if (head != &empty_pool && used_of(head) == 0) {
            avail_unlink(h, head);
            arena_put_pool(pa, head);
        }
    }
}

static void heap_abandon(void *arg)
{
    heap *h = arg;
    hb_pooled *pa = h->inst;
    heap_trim(pa, h);
    pthread_mutex_lock(&pa->lock);
    h->abandoned = true;
    h->abandoned_next = NULL;
    if (pa->abandoned_tail != NULL)
        pa->abandoned_tail->abandoned_next = h;
    else
        pa->abandoned = h;
    pa->abandoned_tail = h;
    pthread_mutex_unlock(&pa->lock);
    if (tls.heap == h)
        tls.id = 0, tls.heap = NULL;
}

NOINLINE static heap *heap_get_slow(hb_pooled *pa)
{
    heap *h = pthread_getspecific(pa->key);
    if (h == NULL) {
        pthread_mutex_lock(&pa->lock);
        h = pa->abandoned;
        if (h != NULL) {
            pa->abandoned = h->abandoned_next;
            if (pa->abandoned == NULL)
                pa->abandoned_tail = NULL;
            h->abandoned = false;
        } else if ((h = meta_alloc(pa, sizeof *h)) != NULL) {
            for (size_t c = 0; c < NCLASSES; c++)
                h->avail[c] = &empty_pool;
            h->inst = pa;
            h->all_next = pa->heaps;
            pa->heaps = h;
        }
        pthread_mutex_unlock(&pa->lock);
        if (h == NULL)
            return NULL;
        pthread_setspecific(pa->key, h);
        heap_drain(pa, h); /* what other threads freed while it had no owner */
    }
    tls.id = pa->id;
    tls.heap = h;
    return h;
}

static inline heap *heap_get(hb_pooled *pa)
{
    return likely(tls.id == pa->id) ? tls.heap : heap_get_slow(pa);
}

/* ---- allocation ------------------------------------------------------------- */

/* Links up to CARVE_BYTES of p's uncarved blocks onto its (empty) free list. */
static void pool_carve(pool *p)
{
    size_t bs = p->bsize, off = p->nextoffset;
    size_t end = off + (CARVE_BYTES > bs ? CARVE_BYTES / bs : 1) * bs;
    if (end > p->maxoffset)
        end = p->maxoffset;
    char *base = p->start;
    block *next = NULL;
    for (size_t o = end; o > off;) {
        o -= bs;
        block *b = (block *)(base + o);
        link_set(b, next);
        POISON(b, bs);
        next = b;
    }
    p->free = next;
    p->nextoffset = (uint16_t)end;
}

NOINLINE static void *small_alloc_slow(hb_pooled *pa, heap *h, size_t cls)
{
    for (;;) {
        pool *p = h->avail[cls];
        if (p != &empty_pool) {
            if (p->free == NULL && p->nextoffset < p->maxoffset)
                pool_carve(p);
            block *b = p->free;
            if (b != NULL) {
                UNPOISON(b, p->bsize);
                p->free = b->next;
                used_set(p, used_of(p) + 1);
                return b;
            }
            avail_unlink(h, p); /* nothing left: full */
            p->where = POOL_FULL;
            continue;
        }
        if (atomic_load_explicit(&h->remote, memory_order_relaxed) != NULL) {
            heap_drain(pa, h);
            if (h->avail[cls] != &empty_pool)
                continue;
        }
        if (h->cached[cls] != NULL) {
            p = h->cached[cls];
            h->cached[cls] = NULL;
            avail_link(h, p);
            continue;
        }
        p = arena_take_pool(pa, h, cls);
        if (p == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        avail_link(h, p);
    }
}

static void *fb_malloc(hb_pooled *pa, size_t size)
{
    if (!pa->has_fb || size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = pa->fb.malloc(pa->fb.ctx, size);
    if (p != NULL) {
        atomic_fetch_add_explicit(&pa->fb_blocks, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&pa->fb_bytes, pa->fb.usable_size(pa->fb.ctx, p), memory_order_relaxed);
    }
    return p;
}

NOINLINE static void *malloc_slow(hb_pooled *pa, size_t size)
{
    if (size > SMALL_MAX)
        return fb_malloc(pa, size);
    heap *h = heap_get(pa);
    if (h == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    return small_alloc_slow(pa, h, size == 0 ? 0 : class_of(size));
}

void *hb_pooled_malloc(hb_pooled *pa, size_t size)
{
    size_t cls = class_of(size); /* size 0 wraps: slow path */
    if (likely(cls < NCLASSES && tls.id == pa->id)) {
        heap *h = tls.heap;
        pool *p = h->avail[cls];
        block *b = p->free;
        if (likely(b != NULL)) {
            UNPOISON(b, p->bsize);
            p->free = b->next;
            used_set(p, used_of(p) + 1);
            return b;
        }
    }
    return malloc_slow(pa, size);
}

void *hb_pooled_calloc(hb_pooled *pa, size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = hb_pooled_malloc(pa, n);
    if (p != NULL)
        memset(p, 0, n); /* the fallback interface has no calloc, and pool blocks are recycled */
    return p;
}

void *hb_pooled_aligned(hb_pooled *pa, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    if (align <= HB_MIN_ALIGN)
        return hb_pooled_malloc(pa, size);
    if (!pa->has_fb || size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = pa->fb.aligned(pa->fb.ctx, align, size);
    if (p != NULL) {
        atomic_fetch_add_explicit(&pa->fb_blocks, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&pa->fb_bytes, pa->fb.usable_size(pa->fb.ctx, p), memory_order_relaxed);
    }
    return p;
}

/* ---- free -------------------------------------------------------------------- */

static void free_remote(pool *p, block *b)
{
    POISON(b, p->bsize);
    uintptr_t old = atomic_load_explicit(&p->thread_free, memory_order_relaxed);
    do
        link_set(b, (block *)(old & ~QUEUED));
    while (!atomic_compare_exchange_weak_explicit(&p->thread_free, &old, (uintptr_t)b | QUEUED, memory_order_acq_rel,
                                                  memory_order_relaxed));
    if (old & QUEUED)
        return; /* already on the owner's list */
    heap *h = p->owner;
    pool *head = atomic_load_explicit(&h->remote, memory_order_relaxed);
    do
        p->next_remote = head;
    while (!atomic_compare_exchange_weak_explicit(&h->remote, &head, p, memory_order_release, memory_order_relaxed));
}

static void free_local(hb_pooled *pa, heap *h, pool *p, block *b)
{
    b->next = p->free;
    POISON(b, p->bsize);
    p->free = b;
    unsigned used = used_of(p) - 1;
    used_set(p, used);
    if (unlikely(used == 0 || p->where != POOL_AVAIL))
        pool_after_free(pa, h, p);
}

NOINLINE static void free_slow(hb_pooled *pa, void *ptr)
{
    if (radix_get(pa, ptr) == NULL) {
        if (ptr == NULL || !pa->has_fb)
            return;
        int saved = errno;
        atomic_fetch_sub_explicit(&pa->fb_bytes, pa->fb.usable_size(pa->fb.ctx, ptr), memory_order_relaxed);
        atomic_fetch_sub_explicit(&pa->fb_blocks, 1, memory_order_relaxed);
        pa->fb.free(pa->fb.ctx, ptr);
        errno = saved;
        return;
    }
    pool *p = pool_of(ptr);
    if (tls.id != pa->id) { /* cache names another instance: maybe we own p after all */
        heap *h = pthread_getspecific(pa->key);
        if (h != NULL) {
            tls.id = pa->id;
            tls.heap = h;
            if (p->owner == h) {
                free_local(pa, h, p, ptr);
                return;
            }
        }
    }
    free_remote(p, ptr);
}

void hb_pooled_free(hb_pooled *pa, void *ptr)
{
    if (likely(radix_get(pa, ptr) != NULL && tls.id == pa->id)) {
        pool *p = pool_of(ptr);
        heap *h = tls.heap;
        if (likely(p->owner == h)) {
            free_local(pa, h, p, ptr);
            return;
        }
    }
    free_slow(pa, ptr);
}

/* ---- realloc, sizes, ownership ---------------------------------------------- */

size_t hb_pooled_usable_size(hb_pooled *pa, const void *p)
{
    if (p == NULL)
        return 0;
    if (radix_get(pa, p) != NULL)
        return pool_of(p)->bsize;
    return pa->has_fb ? pa->fb.usable_size(pa->fb.ctx, p) : 0;
}

void *hb_pooled_realloc(hb_pooled *pa, void *p, size_t size)
{
    if (p == NULL)
        return hb_pooled_malloc(pa, size);
    if (size == 0) {
        hb_pooled_free(pa, p);
        return NULL;
    }
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    size_t old;
    if (radix_get(pa, p) != NULL) {
        pool *pl = pool_of(p);
        if (size <= SMALL_MAX && class_of(size) == pl->cls)
            return p;
        old = pl->bsize;
    } else {
        if (!pa->has_fb)
            return NULL;
        old = pa->fb.usable_size(pa->fb.ctx, p);
        if (size > SMALL_MAX) { /* stays with the fallback */
            void *q = pa->fb.realloc(pa->fb.ctx, p, size);
            if (q != NULL)
                atomic_fetch_add_explicit(&pa->fb_bytes, pa->fb.usable_size(pa->fb.ctx, q) - old,
                                          memory_order_relaxed);
            return q;
        }
    }
    void *q = hb_pooled_malloc(pa, size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, old < size ? old : size);
    hb_pooled_free(pa, p);
    return q;
}

int hb_pooled_owns(hb_pooled *pa, const void *p) { return radix_get(pa, p) != NULL; }

/* ---- instances ---------------------------------------------------------------- */

hb_pooled *hb_pooled_create(const hb_fallback *fallback)
{
    hb_pooled *pa = map(sizeof *pa); /* zero; the radix root is touched only where arenas are */
    if (pa == NULL)
        return NULL;
    int rc = pthread_key_create(&pa->key, heap_abandon);
    if (rc != 0) {
        unmap(NULL, pa, sizeof *pa);
        errno = rc;
        return NULL;
    }
    pa->id = atomic_fetch_add(&next_id, 1);
    if (fallback != NULL) {
        pa->fb = *fallback;
        pa->has_fb = true;
    }
    pthread_mutex_init(&pa->lock, NULL);
    atomic_init(&pa->mapped, sizeof *pa);
    return pa;
}

void hb_pooled_destroy(hb_pooled *pa)
{
    if (pa == NULL)
        return;
    if (tls.id == pa->id)
        tls.id = 0, tls.heap = NULL;
    pthread_key_delete(pa->key);
    while (pa->all != NULL) {
        arena *a = pa->all;
        pa->all = a->all_next;
        unmap(NULL, (void *)a->base, ARENA_SIZE);
    }
    for (size_t i = 0; i < ROOT_LEN; i++) {
        void *leaf = atomic_load_explicit(&pa->root[i], memory_order_relaxed);
        if (leaf != NULL)
            unmap(NULL, leaf, LEAF_LEN * sizeof(_Atomic(arena *)));
    }
    while (pa->meta_chunks != NULL) {
        void *c = pa->meta_chunks;
        pa->meta_chunks = *(void **)c;
        unmap(NULL, c, META_CHUNK);
    }
    pthread_mutex_destroy(&pa->lock);
    unmap(NULL, pa, sizeof *pa);
}

void hb_pooled_stats(hb_pooled *pa, size_t *mapped, size_t *in_use, size_t *live)
{
    size_t bytes = atomic_load_explicit(&pa->fb_bytes, memory_order_relaxed);
    size_t blocks = atomic_load_explicit(&pa->fb_blocks, memory_order_relaxed);
    /* Sums the pools (no per-operation counters on the fast paths): a walk of
     * 63 descriptors per arena.  Blocks freed by another thread count until
     * their owner drains them. */
    pthread_mutex_lock(&pa->lock);
    for (arena *a = pa->all; a != NULL; a = a->all_next)
        for (unsigned i = 0; i < a->nextpool; i++) {
            const pool *p = &a->pools[i];
            size_t n = used_of(p); /* 0 when FREE */
            blocks += n;
            bytes += n * p->bsize;
        }
    pthread_mutex_unlock(&pa->lock);
    if (mapped != NULL)
        *mapped = atomic_load_explicit(&pa->mapped, memory_order_relaxed);
    if (in_use != NULL)
        *in_use = bytes;
    if (live != NULL)
        *live = blocks;
}

/* ---- check --------------------------------------------------------------------- */

/* Formats "pooled: WHAT (at ADDR, N)" without printf, which may allocate. */
static int fail(char *msg, size_t len, const char *what, const void *at, size_t n)
{
    char buf[160], *o = buf, *end = buf + sizeof buf - 1;
    for (const char *s = "pooled: "; *s && o < end; s++)
        *o++ = *s;
    for (const char *s = what; *s && o < end; s++)
        *o++ = *s;
    char num[40];
    int k = 0;
    for (uintptr_t v = (uintptr_t)at; k == 0 || v != 0; v >>= 4)
        num[k++] = "0123456789abcdef"[v & 15];
    for (const char *s = " (at 0x"; *s && o < end; s++)
        *o++ = *s;
    while (k > 0 && o < end)
        *o++ = num[--k];
    for (const char *s = ", "; *s && o < end; s++)
        *o++ = *s;
    for (size_t v = n; k == 0 || v != 0; v /= 10)
        num[k++] = (char)('0' + v % 10);
    while (k > 0 && o < end)
        *o++ = num[--k];
    if (o < end)
        *o++ = ')';
    *o = 0;
    if (msg != NULL && len > 0) {
        size_t m = (size_t)(o - buf) < len - 1 ? (size_t)(o - buf) : len - 1;
        memcpy(msg, buf, m);
        msg[m] = 0;
    }
    return -1;
}
#define CHECK(cond, what, at, n)                                                                                        \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            return fail(msg, msglen, (what), (at), (size_t)(n));                                                       \
    } while (0)

/* Walks one list of p's blocks, marking them in seen; the count in *n. */
static int check_list(pool *p, block *b, uint64_t *seen, size_t *n, char *msg, size_t msglen)
{
    size_t cap = capacity_of(p->bsize);
    for (*n = 0; b != NULL; b = link_get(b)) {
        uintptr_t off = (uintptr_t)b - (uintptr_t)p->start;
        CHECK(off < POOL_SIZE, "free block outside its pool", b, off);
        CHECK(off < p->nextoffset, "free block outside the carved area", b, off);
        size_t k = off / p->bsize;
        CHECK(off % p->bsize == 0, "free block not on a block boundary", b, off);
        CHECK(!(seen[k / 64] >> (k % 64) & 1), "block twice on free lists (cycle or double free)", b, k);
        seen[k / 64] |= (uint64_t)1 << (k % 64);
        CHECK(++*n <= cap, "free list longer than the pool", p, *n);
    }
    return 0;
}

static int check_pool(hb_pooled *pa, arena *a, pool *p, char *msg, size_t msglen)
{
    heap *h = pa->heaps;
    while (h != NULL && h != p->owner)
        h = h->all_next;
    CHECK(h != NULL, "pool owned by no heap of this instance", p, p->where);
    CHECK(p->where == POOL_AVAIL || p->where == POOL_FULL || p->where == POOL_CACHED, "bad pool state", p, p->where);
    CHECK(p->arena == a && p->start == (char *)a->base + (size_t)p->index * POOL_SIZE, "pool names the wrong arena",
          p, p->index);
    CHECK(p->cls < NCLASSES && p->bsize == (p->cls + 1u) << CLASS_SHIFT, "bad size class", p, p->cls);
    size_t cap = capacity_of(p->bsize);
    CHECK(p->maxoffset == cap * p->bsize, "bad pool end", p, p->maxoffset);
    CHECK(p->nextoffset <= p->maxoffset && p->nextoffset % p->bsize == 0, "bad carve offset", p, p->nextoffset);
    uint64_t seen[(POOL_SIZE / HB_MIN_ALIGN + 63) / 64] = {0};
    size_t nfree, nremote;
    uintptr_t tf = atomic_load_explicit(&p->thread_free, memory_order_relaxed);
    if (check_list(p, p->free, seen, &nfree, msg, msglen) || check_list(p, (block *)(tf & ~QUEUED), seen, &nremote, msg, msglen))
        return -1;
    size_t uncarved = (p->maxoffset - p->nextoffset) / p->bsize;
    CHECK(nfree + used_of(p) + uncarved == cap, "free + used + uncarved != capacity", p, nfree + used_of(p) + uncarved);
    CHECK(nremote <= used_of(p), "more remote frees than blocks out", p, nremote);
    CHECK(!(tf & QUEUED) == (nremote == 0), "QUEUED bit disagrees with the remote list", p, nremote);
    CHECK(p->where != POOL_FULL || (nfree == 0 && uncarved == 0), "FULL pool has free blocks", p, nfree + uncarved);
    CHECK(p->where != POOL_CACHED || (used_of(p) == 0 && h->cached[p->cls] == p), "stray CACHED pool", p, used_of(p));
    h->chk_avail[p->cls] += p->where == POOL_AVAIL;
    h->chk_queued += (tf & QUEUED) != 0;
    return 0;
}

static int check_arena(hb_pooled *pa, arena *a, char *msg, size_t msglen)
{
    CHECK((a->base & (ARENA_SIZE - 1)) == 0, "arena not aligned", (void *)a->base, 0);
    _Atomic(arena *) *slot = radix_slot(pa, a->base, false);
    CHECK(a->base == (uintptr_t)a && slot != NULL && atomic_load_explicit(slot, memory_order_relaxed) == a,
          "radix tree misses an arena",
          (void *)a->base, 0);
    CHECK(a->nextpool <= ARENA_POOLS && a->nfree <= ARENA_POOLS, "bad arena counts", (void *)a->base, a->nfree);
    size_t nlist = 0;
    for (pool *p = a->freepools; p != NULL; p = p->next) {
        CHECK(++nlist <= a->nextpool, "arena free list too long", (void *)a->base, nlist);
        CHECK(p >= a->pools && p < a->pools + a->nextpool && p->where == POOL_FREE, "bad pool on arena free list", p,
              p->where);
    }
    size_t nfreestate = 0;
    for (unsigned i = 0; i < a->nextpool; i++) {
        pool *p = &a->pools[i];
        CHECK(p->index == i + 1, "pool index wrong", p, p->index);
        if (p->where == POOL_FREE)
            nfreestate++;
        else if (check_pool(pa, a, p, msg, msglen))
            return -1;
    }
    CHECK(nfreestate == nlist, "FREE pools missing from the arena free list", (void *)a->base, nfreestate);
    CHECK(a->nfree == nlist + ARENA_POOLS - a->nextpool, "arena nfree wrong", (void *)a->base, a->nfree);
    if (a->nfree > 0) {
        arena *b = pa->bucket[a->nfree];
        while (b != NULL && b != a)
            b = b->next;
        CHECK(b == a, "arena not in the bucket of its free-pool count", (void *)a->base, a->nfree);
    }
    return 0;
}

int hb_pooled_check(hb_pooled *pa, char *msg, size_t msglen)
{
    if (msg != NULL && msglen > 0)
        msg[0] = 0;
    size_t nheaps = 0;
    for (heap *h = pa->heaps; h != NULL; h = h->all_next) {
        CHECK(++nheaps < META_CHUNK, "heap list has a cycle", h, nheaps);
        CHECK(h->inst == pa, "heap of another instance", h, 0);
        memset(h->chk_avail, 0, sizeof h->chk_avail);
        h->chk_queued = 0;
    }
    size_t nabandoned = 0;
    for (heap *h = pa->abandoned; h != NULL; h = h->abandoned_next)
        CHECK(h->abandoned && ++nabandoned <= nheaps, "bad abandoned list", h, nabandoned);
    /* arenas, their pools, and the buckets */
    size_t narenas = 0, nbucketed = 0, nspare = 0;
    for (arena *a = pa->all; a != NULL; a = a->all_next) {
        CHECK(++narenas <= pa->narenas, "arena list longer than the arena count", a, narenas);
        CHECK(a->all_prev == NULL ? pa->all == a : a->all_prev->all_next == a, "arena list links", a, narenas);
        if (check_arena(pa, a, msg, msglen))
            return -1;
        nbucketed += a->nfree > 0;
        nspare += a->nfree == ARENA_POOLS;
    }
    CHECK(narenas == pa->narenas, "arena count wrong", NULL, narenas);
    CHECK(nspare <= 1, "more than one empty arena kept", NULL, nspare);
    size_t inbuckets = 0;
    for (size_t k = 1; k <= ARENA_POOLS; k++) {
        CHECK((pa->bucket[k] != NULL) == (pa->bucket_bits >> (k - 1) & 1), "bucket bitmap wrong", NULL, k);
        for (arena *a = pa->bucket[k]; a != NULL; a = a->next) {
            CHECK(a->nfree == k, "arena in the wrong bucket", (void *)a->base, k);
            CHECK(a->prev == NULL ? pa->bucket[k] == a : a->prev->next == a, "bucket links", (void *)a->base, k);
            CHECK(++inbuckets <= nbucketed, "buckets hold more arenas than have free pools", NULL, inbuckets);
        }
    }
    CHECK(inbuckets == nbucketed, "arena with free pools missing from buckets", NULL, inbuckets);
    /* radix tree: exactly the live arenas */
    size_t nradix = 0;
    for (size_t i = 0; i < ROOT_LEN; i++) {
        _Atomic(arena *) *leaf = atomic_load_explicit(&pa->root[i], memory_order_relaxed);
        for (size_t j = 0; leaf != NULL && j < LEAF_LEN; j++) {
            arena *a = atomic_load_explicit(&leaf[j], memory_order_relaxed);
            if (a == NULL)
                continue;
            nradix++;
            CHECK(a->base >> ARENA_SHIFT == (i << LEAF_BITS | j), "radix entry names another arena", (void *)a->base,
                  j);
        }
    }
    CHECK(nradix == narenas, "radix tree maps arenas that are gone", NULL, nradix);
    /* heaps: lists against the tallies of the pools */
    for (heap *h = pa->heaps; h != NULL; h = h->all_next) {
        for (size_t c = 0; c < NCLASSES; c++) {
            size_t n = 0;
            for (pool *p = h->avail[c], *prev = NULL; p != &empty_pool; prev = p, p = p->next ? p->next : &empty_pool) {
                CHECK(++n <= pa->narenas * ARENA_POOLS, "avail list has a cycle", h, c);
                CHECK(p->where == POOL_AVAIL && p->owner == h && p->cls == c, "bad pool on an avail list", p, c);
                CHECK(p->prev == prev, "avail list links", p, c);
                CHECK(used_of(p) != 0 || (prev == NULL && h->cached[c] == NULL), "more than one empty pool kept", p, c);
            }
            CHECK(n == h->chk_avail[c], "AVAIL pool missing from its avail list", h, c);
            pool *q = h->cached[c];
            CHECK(q == NULL || (q->where == POOL_CACHED && q->owner == h && q->cls == c), "bad cached pool", q, c);
        }
        size_t nq = 0;
        for (pool *p = atomic_load_explicit(&h->remote, memory_order_relaxed); p != NULL; p = p->next_remote) {
            CHECK(++nq <= h->chk_queued, "remote list longer than the QUEUED pools", h, nq);
            CHECK(p->owner == h && (atomic_load_explicit(&p->thread_free, memory_order_relaxed) & QUEUED),
                  "bad pool on a remote list", p, nq);
        }
        CHECK(nq == h->chk_queued, "QUEUED pool missing from its remote list", h, nq);
    }
    return 0;
}
#undef CHECK

void hb_pooled_fork_prepare(hb_pooled *pa) { pthread_mutex_lock(&pa->lock); }
void hb_pooled_fork_parent(hb_pooled *pa) { pthread_mutex_unlock(&pa->lock); }
void hb_pooled_fork_child(hb_pooled *pa) { pthread_mutex_init(&pa->lock, NULL); }

/* ---- plug-in (not in the drop-in library, where pooled is malloc) --------------- */
#ifndef HB_DROPIN_NAME
#include "allocator.h"

#include <malloc.h>
#include <stdlib.h>

static void *libc_malloc(void *ctx, size_t size) { return (void)ctx, malloc(size); }
static void *libc_realloc(void *ctx, void *p, size_t size) { return (void)ctx, realloc(p, size); }
static void libc_free(void *ctx, void *p) { (void)ctx, free(p); }
static size_t libc_usable(void *ctx, const void *p) { return (void)ctx, malloc_usable_size((void *)p); }
static void *libc_aligned(void *ctx, size_t align, size_t size)
{
    (void)ctx;
    void *p;
    int rc = posix_memalign(&p, align, size);
    if (rc != 0) {
        errno = rc;
        return NULL;
    }
    return p;
}

static void *op_create(void)
{
    const hb_fallback libc = {NULL, libc_malloc, libc_aligned, libc_realloc, libc_free, libc_usable};
    return hb_pooled_create(&libc);
}
static void op_destroy(void *ctx) { hb_pooled_destroy(ctx); }
static void *op_malloc(void *ctx, size_t n) { return hb_pooled_malloc(ctx, n); }
static void *op_calloc(void *ctx, size_t c, size_t n) { return hb_pooled_calloc(ctx, c, n); }
static void *op_realloc(void *ctx, void *p, size_t old, size_t n) { return (void)old, hb_pooled_realloc(ctx, p, n); }
static void *op_aligned(void *ctx, size_t al, size_t n) { return hb_pooled_aligned(ctx, al, n); }
static void op_free(void *ctx, void *p, size_t n) { (void)n, hb_pooled_free(ctx, p); }
static size_t op_usable(void *ctx, const void *p) { return hb_pooled_usable_size(ctx, p); }
static int op_stats(void *ctx, hb_alloc_stats *out)
{
    hb_pooled_stats(ctx, &out->mapped, &out->in_use, &out->live);
    return 0;
}
static int op_check(void *ctx, char *msg, size_t len) { return hb_pooled_check(ctx, msg, len); }

const hb_allocator_ops hb_pooled_ops = {
    .name = "pooled",
    .summary = "obmalloc-style 16-byte classes up to 512 B in 16 KiB pools, 1 MiB arenas, per-thread heaps; libc beyond",
    .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_USABLE_SIZE | HB_ALLOC_FREES | HB_ALLOC_RETURNS_OS | HB_ALLOC_STATS |
            HB_ALLOC_CHECK,
#ifdef HB_DROPIN_DIR
    .preload = HB_DROPIN_DIR "/libhb-pooled.so",
#else
    .preload = NULL,
#endif
    .create = op_create,
    .destroy = op_destroy,
    .malloc = op_malloc,
    .calloc = op_calloc,
    .realloc = op_realloc,
    .aligned = op_aligned,
    .free = op_free,
    .usable_size = op_usable,
    .stats = op_stats,
    .check = op_check,
    .verify = NULL,
};
#endif /* HB_DROPIN_NAME */
