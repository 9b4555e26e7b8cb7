/*
 * pooled.c: heapbench's own allocator: small objects in the spirit of
 * CPython's obmalloc, per-thread heaps in the spirit of mimalloc, medium and
 * big classes on the same heaps, and large blocks in their own mappings with
 * a cache.  It serves every size and alignment itself: no fallback.  Code
 * behind the hb_pooled_* API gets memory from mmap only and never calls
 * malloc, printf or anything that may allocate: in the drop-in library it
 * *is* malloc (dropin.c compiles this file in).
 *
 * ---- Layers -----------------------------------------------------------------
 *
 *   instance (hb_pooled): lock, radix tree, arena buckets, heap lists,
 *      |                  metadata, large blocks and their cache
 *      +-- small arena  1 MiB, aligned to 1 MiB (pooled_arena.c).  Pool 0
 *      |     |          holds the header with the pool descriptors (2 pages
 *      |     |          touched); descriptor of p = &arena->pools[index - 1]
 *      |     +-- pool 1..63   16 KiB, all of it equal blocks of one class
 *      |            +-- block  16..512 bytes; free ones in LIFO lists
 *      +-- medium arena  the same, with 7 pools of 128 KiB
 *      |     +-- pool 1..7    blocks of 640 B .. 32 KiB (4 to 204 a pool)
 *      +-- big arena  8 MiB, aligned to 8 MiB; header in the first MiB; only
 *      |     |          with POOLED_BIG_CLASSES=1 (off by default: below)
 *      |     +-- pool 1..7    1 MiB: blocks of 40, 48, 56, 64 KiB (16 to 25)
 *      +-- large block  > SERVE_MAX: 32 KiB, or 64 KiB with the big classes
 *      |                (or alignment beyond what a class gives):
 *      |                its own mapping, aligned to 1 MiB (2 MiB from 2 MiB
 *      |                up, advised for huge pages), page-rounded in eight
 *      |                steps per power of two; a record in metadata
 *      +-- heap   one per thread and instance: per size class, the list of pools
 *                 it allocates from.  Heaps come from metadata and are never
 *                 freed; a heap whose thread exits is abandoned, then adopted
 *                 (oldest first) by a thread that needs one
 *
 *   The radix tree maps each 1 MiB granule to an arena | its pool shift (15,
 *   17 or 20; a big arena's granule g > 0 to the arena's address plus g
 *   descriptors, so that pool_at lands on pool g's: radix_entry), or to a
 *   large record | 1: free finds a block's descriptor with
 *   the lookup it needs anyway to know the block is pooled's, and no load
 *   more.  Descriptors sit in the arena header, not at the start of their
 *   pool: 16 KiB-aligned headers all share one L1 cache set with the first
 *   line of every page, which made the churn loop twice as slow.
 *
 *   size class  block size        requests        blocks per pool
 *        0          16              0..16               1024
 *        c       16(c+1)      16c+1..16(c+1)      16384 / (16(c+1))
 *       31         512            497..512                32
 *       32         640            513..640       131072 / 640 = 204
 *       33..55   768, 896, 1024, 1280, ... 32768: four per power of
 *                two (the 5/4, 6/4, 7/4 and 8/4 steps mimalloc and jemalloc use)
 *       56..59   40, 48, 56, 64 KiB                         1 MiB / bsize
 *   Medium pools are 128 KiB so that the largest class still has 4 blocks a
 *   pool and the waste at the end of a pool stays under 13%; 32 KiB is where
 *   glibc-thread's sizes end.  Big classes (issue 21): a mapping per block
 *   of 32..64 KiB costs service-soak an mmap/munmap pair per value; classes
 *   to 256 KiB cost mstress 7 MiB of peak RSS, so they end at 64 KiB; and
 *   even so they kept 55 MiB more of service-soak's memory after its load
 *   drop, for a reason not found yet (docs/pooled.md), so requests of 32..64
 *   KiB use them only in a build with POOLED_BIG_CLASSES=1.  A big pool's blocks are carved one at a time (each is over
 *   CARVE_BYTES): untouched blocks stay so.  An empty big pool is never kept
 *   by its heap (neither CACHED nor the avail head): its last free gives it
 *   back to its arena, dirty, where any big class takes its pages again.
 *
 * ---- Pool states (where) ----------------------------------------------------
 *
 *     arena: FREE --(heap takes it for class c)--> AVAIL (on heap->avail[c])
 *     AVAIL --(no free block and nothing uncarved)--> FULL (on no list)
 *     FULL  --(a block freed, locally or drained)--> AVAIL, at the list's tail
 *     AVAIL/FULL --(last block freed)--> kept as the avail head, or CACHED
 *                 (heap->cached[c]), or given back: FREE
 *     CACHED --(class c needs a pool)--> AVAIL
 *   An arena whose pools are all FREE stays mapped as a spare (at most the
 *   kind's spare limit: 8, 2 big ones, raised by one for each arena given
 *   back and mapped again within 2 s, halved each 10 s without that; see
 *   spares_remapped) and is unmapped once it has been empty for 500 ms, but
 *   one.  Every delay reads the instance's clock (now_ms: the coarse clock
 *   plus what a test advanced it by, or frozen by a test);
 *   hb_pooled_purge(pa, 1, ..) acts as if every delay had passed.
 *   A FREE pool whose pages were touched is dirty (on the instance's dirty
 *   list, oldest first); once it has been free PURGE_DELAY_MS (1 s) a slow
 *   path (arena put or take, a large operation) madvises its touched pages
 *   away, 16 pools a call at most: it is then clean, as a never-used pool.
 *
 * ---- Large blocks -------------------------------------------------------------
 *   live (on large_live) --free--> cached (cache list, newest first), or
 *   unmapped at once when over 8 MiB.  The cache holds at most 32 blocks and
 *   64 MiB; the oldest go first, and any that waited 500 ms are unmapped by
 *   the next large operation, arena take or thread exit.  A request that
 *   none of them serves (but a growing realloc's) maps fresh memory and
 *   first unmaps the oldest cached blocks until the cache and the new block
 *   together are within 16 MiB: fresh pages faulted in beside a resident
 *   cache the program does not reuse were malloc-large's and python's
 *   peak.  A request takes, in this order: the smallest cached block of at least its size, whole, if
 *   it is at most twice that (or the request is a growing realloc's, which
 *   takes the smallest fit whatever its size); the largest cached block of
 *   half its size or more, grown where it is by mremap (no move); one of
 *   1 MiB or more, moved by mremap (its resident pages with it) to the start
 *   of a fresh mapping; a bigger one, trimmed; else a fresh mapping.  calloc
 *   clears only what a reused block had; fresh pages are zero.  A fresh
 *   mapping for a request of 2 MiB or more (not a growing realloc's) is
 *   2 MiB-aligned, and the
 *   request's size rounded down to 2 MiB from its start is advised
 *   MADV_HUGEPAGE (malloc-large: a third of the CPU; every 4 KiB fault is a
 *   trap into the hypervisor here), the rest left in 4 KiB pages.
 *   realloc of a large block: within its usable size it stays; shrinking by
 *   more than half copies (the block goes to the cache, its pages resident)
 *   unless it is too big to cache (then it is trimmed); growing copies into a cached
 *   block if one is big enough (a copy into resident pages costs less than
 *   page faults), else grows in place, else moves a block of 1 MiB or more
 *   by mremap, else copies into a block mapped with 4x its size of address
 *   space left free after it, to grow into in place.  A page-table move costs
 *   a TLB flush (a third of git log's time went there when every growth past
 *   32 KiB moved a cached block): only blocks of 1 MiB and more are moved.
 *
 * ---- Invariants (hb_pooled_check verifies them) -----------------------------
 *  - Class sizes grow, are multiples of 16, end at 512 (small), 32768
 *    (medium) and 65536 (big), a pool holds at least 4 blocks of a medium or
 *    big class, and class_of maps every size to the smallest class that fits.
 *  - A pool's blocks are at offsets k * bsize < nextoffset from its start; blocks
 *    at or above nextoffset are uncarved (never handed out since the pool
 *    left its arena).  local free + used + uncarved == capacity, where `used`
 *    counts blocks handed out and not freed locally (so it includes blocks on
 *    the pool's thread_free list, freed by other threads and not yet drained).
 *  - Every free-list block lies inside its pool, on a block boundary, below
 *    nextoffset, on at most one list; lists have no cycles.
 *  - A pool's class is of its arena's kind; its maxoffset is the whole blocks
 *    that fit in a pool of that kind.
 *  - AVAIL pools are on their owner's avail list of their class (avail_tail
 *    is its last); only its head may be empty (used == 0), and then
 *    cached[c] is NULL: each heap keeps at most one empty pool per class, so
 *    a class that empties and refills does not thrash the arena lock.  No
 *    big-class pool that a heap owns is empty.
 *  - A pool has the QUEUED bit in thread_free iff it is on its owner's remote
 *    list, and then its thread_free list is not empty.
 *  - Every pool of an arena below nextpool is FREE and on the arena's free
 *    list, or owned by a heap of the instance and in the state its lists say.
 *  - An arena is aligned to its size (1 MiB, big 8 MiB); pool i starts at
 *    base + (i << shift), and free's lookup (radix, pool_at) of its first
 *    and last byte finds its descriptor.
 *  - An arena's nfree == free-list pools + never-used pools (npools - nextpool);
 *    it is in bucket[kind][nfree] when nfree > 0; bucket bit k-1 is set iff
 *    bucket[kind][k] is not empty; nempty[kind] arenas (at most
 *    spare_limit[kind], which stays within [8 (2 big), SPARES_MAX]) are
 *    entirely free.  New pools come from the lowest non-empty bucket: the
 *    fullest arena, so the emptiest ones can drain and go back to the OS
 *    (obmalloc's order).
 *  - Dirty pools (dirty_bytes != 0) are FREE, on the dirty list once, in
 *    freed_ms order; pa->dirty_bytes is their sum; clean pools are on no list.
 *  - Large records: live ones on large_live (nlarge of them), cached ones on
 *    the cache list newest first (ncached, cached_bytes within the limits);
 *    sizes are page multiples, bases 1 MiB-aligned.
 *  - The radix tree maps every granule of every live arena (a big arena's
 *    but its header's) and of every large block, live or cached, and
 *    nothing else.
 *
 * ---- Threading --------------------------------------------------------------
 *  - Fast paths take no lock and no atomic read-modify-write, and keep no
 *    counters (stats sums the pools' `used` instead): malloc
 *    pops from the head pool of the calling thread's heap; a free of a block
 *    whose pool the calling thread's heap owns pushes it onto the pool's
 *    local list.  Small and medium classes take the same paths; medium sizes
 *    find their class in a 257-byte table.  The heap is found through a
 *    per-thread cache (instance id, heap); a miss asks pthread_getspecific,
 *    then adopts an abandoned heap or makes a new one.
 *  - A free by another thread pushes the block onto the pool's thread_free
 *    (CAS).  The push that sets the QUEUED bit also pushes the pool onto the
 *    owner's `remote` list.  Only the heap's owner drains that list (in its
 *    slow path before taking a new pool, on adoption, at thread exit), so a
 *    pool never leaves its heap while a remote freer may still touch it: a
 *    queued pool has an undrained block, so it is not empty.
 *  - The instance lock guards the arena layer, the radix tree's leaves, the
 *    metadata, the heap lists and the large lists.  mmap, mremap and the
 *    munmap of large blocks run outside it; a large block leaves the radix
 *    tree before its range is unmapped or moved.  Radix lookups take no
 *    lock: leaves are never unmapped before destroy.
 *  - A thread's exit (pthread key destructor) abandons its heap; its blocks
 *    stay valid and can be freed from anywhere.
 *  - fork: prepare takes the instance lock, parent releases it, child
 *    re-initializes it.  Heaps of threads that did not survive the fork are
 *    left alone in the child (they may have been mid-update): their memory
 *    is not reused there, but their blocks can still be freed.  pooled calls
 *    no other allocator, so no other lock can be held across the fork.
 *  - hb_pooled_destroy requires that no other thread uses the instance any
 *    more; it unmaps everything, large blocks included.
 */
#define _GNU_SOURCE
#include "pooled_internal.h"

#include <sys/mman.h>
#include <unistd.h>

POOLED_HIDDEN pool pooled_empty_pool;
/* The heap of a thread that frees but has not allocated (a consumer): every
 * class empty, so malloc's fast path falls through; it owns no pool, so free
 * goes remote without asking pthread_getspecific each time. */
static heap no_heap = {.avail = {[0 ... NCLASSES - 1] = &pooled_empty_pool}};
static _Atomic uint64_t next_id = 1;
/* The calling thread's heap of one instance.  initial-exec everywhere: the
 * drop-in library is loaded at startup (LD_PRELOAD), never by dlopen, and
 * the in-process copy lives in executables only.  Without the attribute the
 * position-independent build of hb_alloc used the general-dynamic model:
 * the linker relaxes its __tls_get_addr call away, but the compiler had
 * already saved and restored three registers around it on both fast paths
 * (issue 21: 6 instructions of free's 50, of malloc's 30). */
#define NO_ID UINT64_MAX /* no instance has it; the drop-in's has id 0 until it is ready */
static __thread __attribute__((tls_model("initial-exec"))) struct {
    uint64_t id;
    heap *heap;
} tls = {NO_ID, NULL};

/* Block size of each class: 16-byte steps up to 512, then four steps per
 * power of two (640, 768, 896, 1024, 1280, ...), as mimalloc and jemalloc
 * space theirs: at most 25% (in practice under 20%) lost to rounding. */
#define M4(k) (5u << (k)), (6u << (k)), (7u << (k)), (8u << (k))
POOLED_HIDDEN const uint32_t pooled_class_size[NCLASSES] = {
    16,  32,  48,  64,  80,  96,  112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
    272, 288, 304, 320, 336, 352, 368, 384, 400, 416, 432, 448, 464, 480, 496, 512,
    M4(7), M4(8), M4(9), M4(10), M4(11), M4(12), /* medium */
    M4(13),                                      /* big: 40 KiB .. 64 KiB */
};
#undef M4
/* pooled_medium_class[(size - 1) >> 7]: the class of a size of 513..MEDIUM_MAX bytes. */
POOLED_HIDDEN const uint8_t pooled_medium_class[(MEDIUM_MAX >> MTAB_SHIFT) + 1] = {
#define C1(c) c
#define R2(c) C1(c), C1(c)
#define R4(c) R2(c), R2(c)
#define R8(c) R4(c), R4(c)
#define R16(c) R8(c), R8(c)
#define R32(c) R16(c), R16(c)
    /* sizes 1..512 (classes 0..31: not looked up here) */ R4(0),
    /* 640 768 896 1024: one 128-byte step each */ 32, 33, 34, 35,
    /* 1280 .. 2048: 2 steps each */ R2(36), R2(37), R2(38), R2(39),
    /* 2560 .. 4096 */ R4(40), R4(41), R4(42), R4(43),
    /* 5120 .. 8192 */ R8(44), R8(45), R8(46), R8(47),
    /* 10240 .. 16384 */ R16(48), R16(49), R16(50), R16(51),
    /* 20480 .. 32768 */ R32(52), R32(53), R32(54), R32(55),
    /* (index 256 is (MEDIUM_MAX >> 7): never used, as (size - 1) >> 7 < 256) */ 55,
#undef C1
#undef R2
#undef R4
#undef R8
#undef R16
#undef R32
};

/* Zero when the instance can be used.  The drop-in library's instance is
 * static and made ready on first use (dropin.c); every path that needs the
 * instance set up passes through a slow path that asks. */
static inline int inst_ready(hb_pooled *pa)
{
#ifdef HB_DROPIN_NAME
    (void)pa;
    return pooled_dropin_init();
#else
    (void)pa;
    return 0;
#endif
}

/* ---- heaps ------------------------------------------------------------------- */

static void avail_unlink(heap *h, pool *p)
{
    if (p->prev != NULL)
        p->prev->next = p->next;
    else
        h->avail[p->cls] = p->next != NULL ? p->next : &pooled_empty_pool;
    if (p->next != NULL)
        p->next->prev = p->prev;
    else
        h->avail_tail[p->cls] = p->prev;
}

/* Links an AVAIL pool at the front, or second when the head is empty (only
 * the head may be empty). */
static void avail_link(heap *h, pool *p)
{
    pool *head = h->avail[p->cls];
    p->where = POOL_AVAIL;
    if (head == &pooled_empty_pool) {
        p->prev = p->next = NULL;
        h->avail[p->cls] = h->avail_tail[p->cls] = p;
    } else if (used_of(head) == 0 && used_of(p) != 0) {
        p->prev = head;
        p->next = head->next;
        if (p->next != NULL)
            p->next->prev = p;
        else
            h->avail_tail[p->cls] = p;
        head->next = p;
    } else {
        p->prev = NULL;
        p->next = head;
        head->prev = p;
        h->avail[p->cls] = p;
    }
}

/* Links a FULL pool that just got a free block back at the tail: by the time
 * malloc reaches it, more of its blocks are free, so a class whose pools are
 * all nearly full does not flip one pool between FULL and AVAIL on every
 * malloc/free pair (measured: larson spent 18% of its time doing that). */
static void avail_append(heap *h, pool *p)
{
    pool *tail = h->avail_tail[p->cls];
    if (tail == NULL) {
        avail_link(h, p);
        return;
    }
    p->where = POOL_AVAIL;
    p->next = NULL;
    p->prev = tail;
    tail->next = p;
    h->avail_tail[p->cls] = p;
}

/* A block of p was just freed (locally or drained): move p where it belongs. */
NOINLINE static void pool_after_free(hb_pooled *pa, heap *h, pool *p)
{
    size_t c = p->cls;
    if (used_of(p) != 0) {
        if (p->where == POOL_FULL)
            avail_append(h, p);
        return;
    }
    if (c >= BIG_FIRST) { /* an empty big pool (1 MiB) goes back at once: any big class reuses its pages */
        if (p->where == POOL_AVAIL)
            avail_unlink(h, p);
        pooled_arena_put(pa, p);
        return;
    }
    if (p->where == POOL_AVAIL && h->avail[c] == p) {
        if (h->cached[c] != NULL) { /* keep the head, give back the older empty pool */
            pool *q = h->cached[c];
            h->cached[c] = NULL;
            pooled_arena_put(pa, q);
        }
        return;
    }
    if (p->where == POOL_AVAIL)
        avail_unlink(h, p);
    if (h->cached[c] != NULL || (h->avail[c] != &pooled_empty_pool && used_of(h->avail[c]) == 0)) {
        pooled_arena_put(pa, p); /* one empty pool is kept already */
    } else if (h->avail[c] == &pooled_empty_pool) {
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
    pooled_large_trim(pa, false);
    for (size_t c = 0; c < NCLASSES; c++) {
        if (h->cached[c] != NULL) {
            pooled_arena_put(pa, h->cached[c]);
            h->cached[c] = NULL;
        }
        pool *head = h->avail[c];
        if (head != &pooled_empty_pool && used_of(head) == 0) {
            avail_unlink(h, head);
            pooled_arena_put(pa, head);
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
        tls.id = NO_ID, tls.heap = NULL;
}

NOINLINE static heap *heap_get_slow(hb_pooled *pa)
{
    if (inst_ready(pa) != 0)
        return NULL;
    heap *h = pthread_getspecific(pa->key);
    if (h == NULL) {
        pthread_mutex_lock(&pa->lock);
        h = pa->abandoned;
        if (h != NULL) {
            pa->abandoned = h->abandoned_next;
            if (pa->abandoned == NULL)
                pa->abandoned_tail = NULL;
            h->abandoned = false;
        } else if ((h = pooled_meta_alloc(pa, sizeof *h)) != NULL) {
            for (size_t c = 0; c < NCLASSES; c++)
                h->avail[c] = &pooled_empty_pool;
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
    tls.id = atomic_load_explicit(&pa->id, memory_order_relaxed);
    tls.heap = h;
    return h;
}

static inline uint64_t inst_id(const hb_pooled *pa) { return atomic_load_explicit(&pa->id, memory_order_relaxed); }

static inline heap *heap_get(hb_pooled *pa)
{
    return likely(tls.id == inst_id(pa) && tls.heap != &no_heap) ? tls.heap : heap_get_slow(pa);
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
    p->nextoffset = (uint32_t)end;
}

NOINLINE static void *small_alloc_slow(hb_pooled *pa, heap *h, size_t cls)
{
    for (;;) {
        pool *p = h->avail[cls];
        if (p != &pooled_empty_pool) {
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
            if (h->avail[cls] != &pooled_empty_pool)
                continue;
        }
        if (h->cached[cls] != NULL) {
            p = h->cached[cls];
            h->cached[cls] = NULL;
            avail_link(h, p);
            continue;
        }
        p = pooled_arena_take(pa, h, cls);
        if (p == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        avail_link(h, p);
    }
}

NOINLINE static void *malloc_slow(hb_pooled *pa, size_t size)
{
    if (size > SERVE_MAX)
        return inst_ready(pa) == 0 ? pooled_large_alloc(pa, size, 0, 0) : NULL;
    heap *h = heap_get(pa);
    if (h == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    return small_alloc_slow(pa, h, size == 0 ? 0 : class_of(size));
}

HOT_PATH void *hb_pooled_malloc(hb_pooled *pa, size_t size)
{
    size_t cls = (size - 1) >> CLASS_SHIFT; /* size 0 wraps: slow path */
    if (unlikely(cls >= NSMALL)) {
        if (unlikely(size - 1 >= MEDIUM_MAX))
            return malloc_slow(pa, size);
        cls = pooled_medium_class[(size - 1) >> MTAB_SHIFT];
    }
    if (likely(tls.id == inst_id(pa))) {
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
    if (n > SERVE_MAX) /* fresh mappings are zero already: only reused blocks are cleared */
        return inst_ready(pa) == 0 ? pooled_large_alloc(pa, n, 0, LARGE_ZERO) : NULL;
    void *p = hb_pooled_malloc(pa, n);
    if (p != NULL)
        memset(p, 0, n); /* pool blocks are recycled */
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
    /* A class whose block size is a multiple of align has aligned blocks:
     * pools start at multiples of their size, a power of two >= the block. */
    size_t n = size < align ? align : (size + align - 1) & ~(align - 1);
    if (n >= size && n <= SERVE_MAX) {
        for (size_t c = class_of(n); c < NCLASSES && pooled_class_size[c] <= SERVE_MAX; c++)
            if (pooled_class_size[c] % align == 0)
                return hb_pooled_malloc(pa, pooled_class_size[c]);
    }
    return inst_ready(pa) == 0 ? pooled_large_alloc(pa, size, align, 0) : NULL;
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

static inline __attribute__((always_inline)) void free_local(hb_pooled *pa, heap *h, pool *p, block *b)
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
    uintptr_t e = radix_get(pa, ptr);
    if ((e & TAG_MASK) == TAG_LARGE) {
        large *l = large_at(e);
        if (l->base == (uintptr_t)ptr)
            pooled_large_free(pa, l);
        return;
    }
    if (e == 0)
        return; /* NULL, or not ours */
    pool *p = pool_at(e, ptr);
    if (tls.id != inst_id(pa)) { /* cache names another instance: maybe we own p after all */
        heap *h = pthread_getspecific(pa->key);
        tls.id = inst_id(pa);
        tls.heap = h != NULL ? h : &no_heap;
        if (h != NULL && p->owner == h) {
            free_local(pa, h, p, ptr);
            return;
        }
    }
    free_remote(p, ptr);
}

HOT_PATH void hb_pooled_free(hb_pooled *pa, void *ptr)
{
    uintptr_t e = radix_get(pa, ptr);
    if (likely((e & TAG_MASK) > TAG_LARGE && tls.id == inst_id(pa))) {
        pool *p = pool_at(e, ptr);
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
    uintptr_t e = radix_get(pa, p);
    if (e == 0)
        return 0;
    if ((e & TAG_MASK) == TAG_LARGE)
        return large_at(e)->base == (uintptr_t)p ? large_at(e)->size : 0;
    return pool_at(e, p)->bsize;
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
    uintptr_t e = radix_get(pa, p);
    size_t old;
    if (e == 0) {
        errno = ENOMEM; /* not ours */
        return NULL;
    }
    if ((e & TAG_MASK) == TAG_LARGE) {
        large *l = large_at(e);
        if (size > SERVE_MAX) {
            void *q = pooled_large_realloc(pa, l, size);
            if (q != NULL)
                return q;
        }
        old = l->size;
    } else {
        pool *pl = pool_at(e, p);
        if (size <= SERVE_MAX && class_of(size) == pl->cls)
            return p;
        old = pl->bsize;
    }
    /* A copy: a block that grows past SERVE_MAX gets room to grow again in place. */
    void *q = size > SERVE_MAX && size > old ? pooled_large_alloc(pa, size, 0, LARGE_GROW) : hb_pooled_malloc(pa, size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, old < size ? old : size);
    hb_pooled_free(pa, p);
    return q;
}

int hb_pooled_owns(hb_pooled *pa, const void *p)
{
    uintptr_t e = radix_get(pa, p);
    if ((e & TAG_MASK) == TAG_LARGE) {
        const large *l = large_at(e);
        return !l->cached && (uintptr_t)p - l->base < l->size;
    }
    return e != 0;
}

/* ---- instances ---------------------------------------------------------------- */

int pooled_init(hb_pooled *pa)
{
    int rc = pthread_key_create(&pa->key, heap_abandon);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    if (atomic_load_explicit(&pa->id, memory_order_relaxed) == 0)
        atomic_store_explicit(&pa->id, atomic_fetch_add(&next_id, 1), memory_order_relaxed);
    long ps = sysconf(_SC_PAGESIZE);
    pa->page = ps > 0 ? (size_t)ps : 4096;
    pthread_mutex_init(&pa->lock, NULL);
    pooled_spares_init(pa);
    return 0;
}

hb_pooled *hb_pooled_create(void)
{
    hb_pooled *pa = pooled_map(sizeof *pa); /* zero; the radix root is touched only where arenas are */
    if (pa == NULL)
        return NULL;
    if (pooled_init(pa) != 0) {
        int saved = errno;
        pooled_unmap(NULL, pa, sizeof *pa);
        errno = saved;
        return NULL;
    }
    atomic_init(&pa->mapped, sizeof *pa);
    return pa;
}

void hb_pooled_destroy(hb_pooled *pa)
{
    if (pa == NULL)
        return;
    if (tls.id == inst_id(pa))
        tls.id = NO_ID, tls.heap = NULL;
    pthread_key_delete(pa->key);
    while (pa->all != NULL) {
        arena *a = pa->all;
        pa->all = a->all_next;
        pooled_unmap(NULL, (void *)a->base, arena_bytes(a->kind));
    }
    for (large *l = pa->large_live; l != NULL; l = l->next)
        pooled_unmap(NULL, (void *)l->base, l->size);
    for (large *l = pa->cache_head; l != NULL; l = l->next)
        pooled_unmap(NULL, (void *)l->base, l->size);
    for (size_t i = 0; i < ROOT_LEN; i++) {
        void *leaf = (void *)atomic_load_explicit(&pa->root[i], memory_order_relaxed);
        if (leaf != NULL)
            pooled_unmap(NULL, leaf, LEAF_LEN * sizeof(_Atomic uintptr_t));
    }
    while (pa->meta_chunks != NULL) {
        void *c = pa->meta_chunks;
        pa->meta_chunks = *(void **)c;
        pooled_unmap(NULL, c, META_CHUNK);
    }
    pthread_mutex_destroy(&pa->lock);
    pooled_unmap(NULL, pa, sizeof *pa);
}

void hb_pooled_stats(hb_pooled *pa, size_t *mapped, size_t *in_use, size_t *live)
{
    size_t bytes = 0, blocks = 0;
    /* Sums the pools (no per-operation counters on the fast paths): a walk of
     * the descriptors of every arena.  Exact while no other thread allocates,
     * else a snapshot (see used_set).  Blocks freed by another thread count
     * until their owner drains them. */
    pthread_mutex_lock(&pa->lock);
    for (arena *a = pa->all; a != NULL; a = a->all_next)
        for (unsigned i = 0; i < a->nextpool; i++) {
            const pool *p = &a->pools[i];
            size_t n = used_peek(p); /* 0 when FREE */
            blocks += n;
            bytes += n * p->bsize;
        }
    for (const large *l = pa->large_live; l != NULL; l = l->next)
        bytes += l->size;
    blocks += pa->nlarge;
    pthread_mutex_unlock(&pa->lock);
    if (mapped != NULL)
        *mapped = atomic_load_explicit(&pa->mapped, memory_order_relaxed);
    if (in_use != NULL)
        *in_use = bytes;
    if (live != NULL)
        *live = blocks;
}

void hb_pooled_fork_prepare(hb_pooled *pa) { pthread_mutex_lock(&pa->lock); }
void hb_pooled_fork_parent(hb_pooled *pa) { pthread_mutex_unlock(&pa->lock); }
void hb_pooled_fork_child(hb_pooled *pa) { pthread_mutex_init(&pa->lock, NULL); }

/* ---- plug-in (not in the drop-in library, where pooled is malloc) --------------- */
#ifndef HB_DROPIN_NAME
#include "allocator.h"
#include "forksafe.h"

/* In process, each instance registers its lock with forksafe.c, so a child
 * forked while another thread holds it can still allocate. */
static void fork_prepare_cb(void *pa) { hb_pooled_fork_prepare(pa); }
static void fork_parent_cb(void *pa) { hb_pooled_fork_parent(pa); }
static void fork_child_cb(void *pa) { hb_pooled_fork_child(pa); }

static void *op_create(void)
{
    hb_pooled *pa = hb_pooled_create();
    if (pa != NULL) {
        pa->fork_entry.obj = pa;
        pa->fork_entry.prepare = fork_prepare_cb;
        pa->fork_entry.parent = fork_parent_cb;
        pa->fork_entry.child = fork_child_cb;
        hb_fork_register(&pa->fork_entry);
    }
    return pa;
}
static void op_destroy(void *ctx)
{
    hb_pooled *pa = ctx;
    hb_fork_unregister(&pa->fork_entry);
    hb_pooled_destroy(pa);
}
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
    .summary = "obmalloc-style 32 KiB pools up to 512 B, medium classes to 32 KiB, cached mmap beyond; per-thread heaps",
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
