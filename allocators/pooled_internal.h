/*
 * pooled_internal.h: what the files of the pooled allocator share: tunables,
 * the structures (pool descriptor, arena header, heap, instance) and inline
 * helpers.  The design, with the invariants these structures keep, is the
 * comment at the top of pooled.c.  Cross-file functions are named pooled_*
 * and hidden: the drop-in library exports only the malloc family.
 */
#ifndef HB_POOLED_INTERNAL_H
#define HB_POOLED_INTERNAL_H

#include "builtin.h"
#include "forksafe.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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
/* malloc's and free's fast paths start on a cache line: their speed then does
 * not depend on where unrelated code changes happen to place them (measured,
 * issue 21: glibc-simple 0.058 against 0.100 s CPU for the same instructions
 * 16 bytes before a line boundary). */
#define HOT_PATH __attribute__((aligned(64)))

/* ==== tunables ============================================================= */
#define CLASS_SHIFT 4                     /* 16-byte classes: HB_MIN_ALIGN, and at most 15 bytes lost per block */
#define SMALL_MAX 512                     /* obmalloc's threshold: beyond it 16 KiB pools waste too much per block */
#define MEDIUM_MAX 32768                  /* medium classes end here (glibc-thread's sizes end here) */
#define BIG_MAX ((size_t)64 << 10)        /* big classes (40 KiB .. 64 KiB, in 1 MiB pools) end here; beyond: large blocks */
#ifndef POOLED_BIG_CLASSES
#define POOLED_BIG_CLASSES 0              /* 1: requests of 32..64 KiB use the big classes; 0: large blocks (docs/pooled.md) */
#endif
#define SERVE_MAX (POOLED_BIG_CLASSES ? BIG_MAX : (size_t)MEDIUM_MAX) /* the largest request a class serves */
#define POOL_SHIFT 15                     /* 32 KiB small pools: 64 blocks of 512 B (16 KiB, obmalloc's, measured 5-10% slower on larson and mstress) */
#define MPOOL_SHIFT 17                    /* 128 KiB medium pools: 4 blocks of 32 KiB, 204 of 640 B */
#define ARENA_SHIFT 20                    /* 1 MiB arenas (obmalloc's): small enough to empty and unmap under churn */
#define BPOOL_SHIFT 20                    /* 1 MiB big pools: 4 blocks of 256 KiB, 25 of 40 KiB */
#define BARENA_SHIFT 23                   /* 8 MiB big arenas: the header in the first MiB, 7 pools */
#define CARVE_BYTES 4096                  /* carve one page of fresh blocks at a time: untouched memory stays so */
#define META_CHUNK ((size_t)64 << 10)     /* heaps (~1.5 KiB each) are mapped 64 KiB at a time */
#define ADDR_BITS 48                      /* user address space of x86-64 and arm64 with 4-level tables */
#define ROOT_BITS 14                      /* radix root: 16K entries of 16 GiB each (128 KiB, lazily touched) */
#define LARGE_CACHE_N 32                  /* freed large blocks kept mapped for reuse ... */
#define LARGE_CACHE_BLOCK ((size_t)8 << 20) /* ... if no larger than this (bigger ones go back at once: reusing one costs a calloc
                                                 as much as fresh pages, and malloc-large's 5-25 MiB blocks held 64 MiB) ... */
#define LARGE_CACHE_BYTES ((size_t)64 << 20) /* ... at most this many bytes of them ... */
#define LARGE_DELAY_MS 500                /* ... for at most this long: then they go back to the OS */
#define LARGE_FRESH_BUDGET ((size_t)16 << 20) /* a fresh mapping the cache could not spare evicts cached blocks down to this, with it */
#define LARGE_MOVE_MIN ((size_t)1 << 20) /* large blocks this big are moved by mremap, smaller ones copied */
#ifndef LARGE_HUGE_MIN
#define LARGE_HUGE_MIN (2UL << 20)        /* fresh large mappings this big: 2 MiB-aligned, MADV_HUGEPAGE (0: never) */
#endif
#define HUGE_PAGE ((size_t)2 << 20)       /* x86-64's and arm64's (4 KiB granule) transparent huge page */
#define LARGE_ROOM 4                      /* a block made by a growing realloc has 4x its size of address space */
#define ARENA_SPARES 8                    /* empty arenas of a kind kept mapped at least (for ARENA_DELAY_MS; one for good) */
#define BARENA_SPARES 2                   /* ... of the big kind (8 MiB each) */
#define SPARES_MAX 1024                   /* the most a kind's spare limit grows to (1 GiB of 1 MiB arenas) */
#define REMAP_WINDOW_MS 2000              /* an arena mapped this soon after the limit sent one of its kind back: limit + 1 */
#define SPARES_RELAX_MS 10000             /* each such span without one: the limit halves, down to the floor */
#ifndef ARENA_DELAY_MS
#define ARENA_DELAY_MS LARGE_DELAY_MS     /* a spare arena empty this long goes back to the OS (but one of each kind) */
#endif
#define PURGE_DELAY_MS 1000               /* a FREE pool's pages go back (madvise) once it has been free this long ... */
#define PURGE_BATCH 16                    /* ... at most this many pools per slow path that looks */
#ifndef POOLED_PURGE_ADVICE
#define POOLED_PURGE_ADVICE MADV_DONTNEED /* RSS drops at once; MADV_FREE leaves it to memory pressure (docs/pooled.md) */
#endif
/* ============================================================================ */

#define NSMALL (SMALL_MAX >> CLASS_SHIFT)  /* classes 0..31: 16(c+1) bytes */
#define NMEDIUM 24                         /* classes 32..55: 4 per power of two, 640 .. 32768 bytes */
#define NBIG 4                             /* classes 56..59: 40, 48, 56, 64 KiB */
#define NCLASSES (NSMALL + NMEDIUM + NBIG)
#define BIG_FIRST (NSMALL + NMEDIUM)
#define MTAB_SHIFT 7                       /* medium classes are multiples of 128 B: class by (size-1) >> 7 */
#define POOL_SIZE ((size_t)1 << POOL_SHIFT)
#define ARENA_SIZE ((size_t)1 << ARENA_SHIFT)
#define POOLS_PER_ARENA (ARENA_SIZE / POOL_SIZE)
#define LEAF_BITS (ADDR_BITS - ARENA_SHIFT - ROOT_BITS)
#define ROOT_LEN ((size_t)1 << ROOT_BITS)
#define LEAF_LEN ((size_t)1 << LEAF_BITS)
#define QUEUED ((uintptr_t)1) /* low bit of thread_free: the pool is on its owner's remote list */
#define TAG_MASK ((uintptr_t)63) /* low bits of a radix entry: the pool shift of an arena, or TAG_LARGE */
#define TAG_LARGE ((uintptr_t)1)

enum { KIND_SMALL = 0, KIND_MEDIUM = 1, KIND_BIG = 2, NKINDS = 3 };

_Static_assert((POOL_SIZE & (POOL_SIZE - 1)) == 0, "POOL_SIZE is a power of two");
_Static_assert(ARENA_SIZE % POOL_SIZE == 0 && POOLS_PER_ARENA <= 64, "pool 0 holds the header; at most 63 pools: one bitmap word");
_Static_assert(SMALL_MAX % (1 << CLASS_SHIFT) == 0 && (1 << CLASS_SHIFT) == HB_MIN_ALIGN, "classes keep 16-byte alignment");
_Static_assert(POOL_SIZE / SMALL_MAX >= 2, "a pool holds at least two blocks of the largest class");
_Static_assert(((size_t)1 << MPOOL_SHIFT) / MEDIUM_MAX >= 4, "a medium pool holds at least four blocks");
_Static_assert(MEDIUM_MAX % (1 << MTAB_SHIFT) == 0, "medium classes are multiples of the table step");
_Static_assert(((size_t)1 << BPOOL_SHIFT) / BIG_MAX >= 4 && BPOOL_SHIFT >= ARENA_SHIFT && BARENA_SHIFT > BPOOL_SHIFT,
               "a big pool holds four blocks and covers whole granules");
_Static_assert(((size_t)1 << (BARENA_SHIFT - BPOOL_SHIFT)) - 1 <= POOLS_PER_ARENA - 1, "big pools fit the header");
_Static_assert(LEAF_BITS > 0 && LEAF_BITS <= 20, "radix leaf size is sane");
_Static_assert(POOL_SHIFT > 5 && MPOOL_SHIFT < 64 && BPOOL_SHIFT < 64 && TAG_LARGE < POOL_SHIFT,
               "radix tags: shifts and the large tag differ");

typedef struct block {
    struct block *next;
} block;

typedef struct heap heap;
typedef struct arena arena;

enum { POOL_FREE = 0, POOL_AVAIL, POOL_FULL, POOL_CACHED };

/* A pool's descriptor.  Descriptors live in their arena's header, not at the
 * start of their pool: headers at 16 KiB-aligned addresses would all share one
 * L1 cache set with the first line of every page (measured: churn twice as
 * slow), and this way a pool's bytes all hold blocks. */
typedef struct pool {
    /* first cache line: the owner's fields */
    block *free;         /* local LIFO free list (owner only) */
    uint16_t used;       /* blocks out, including undrained remote frees (see used_set) */
    uint8_t where;       /* POOL_* */
    uint8_t cls;         /* size class */
    uint32_t bsize;      /* block size: class_size[cls] */
    uint32_t nextoffset; /* first uncarved byte */
    uint32_t maxoffset;  /* end of the last whole block */
    heap *owner;         /* owning heap; NULL when FREE */
    struct pool *next;   /* avail list, or arena free list */
    struct pool *prev;   /* avail list */
    char *start;         /* the pool's memory: blocks at start + k * bsize */
    arena *arena;
    /* second cache line: written by other threads */
    _Alignas(64) _Atomic uintptr_t thread_free; /* remote frees | QUEUED */
    struct pool *next_remote;      /* link in owner->remote */
    /* dirty list (lock held): FREE pools whose carved pages may be resident */
    struct pool *dnext, *dprev;
    uint64_t freed_ms;             /* when it went back to its arena */
    uint32_t dirty_bytes;          /* page-rounded bytes carved before it went back; 0 when not dirty */
} pool;
_Static_assert(sizeof(pool) == 128, "a descriptor is two cache lines");

/* The arena header fills the start of pool 0 (2 pages; the rest of pool 0 is
 * never touched).  A small arena (1 MiB) has 31 pools of 32 KiB, a medium
 * arena (1 MiB) 7 of 128 KiB, a big arena (8 MiB) 7 of 1 MiB (pools[0..6]);
 * the radix entry of each granule carries the pool shift, so a block finds
 * its descriptor with no load beyond the radix lookup (see radix_entry). */
struct arena {
    uintptr_t base;
    pool *freepools;    /* pools given back, LIFO through pool->next */
    unsigned nfree;     /* free pools: freepools + never used */
    unsigned nextpool;  /* pools at or above this index were never used */
    unsigned npools;    /* 63 (small) or 7 (medium) */
    uint8_t kind;       /* KIND_* */
    uint8_t shift;      /* POOL_SHIFT, MPOOL_SHIFT or BPOOL_SHIFT */
    uint64_t empty_ms;  /* when its last pool came back (nfree == npools) */
    arena *next, *prev; /* bucket[kind][nfree] list */
    arena *all_next, *all_prev;
    pool pools[POOLS_PER_ARENA - 1]; /* pools[i - 1] describes pool i */
};
#define ARENA_POOLS (POOLS_PER_ARENA - 1)
_Static_assert(sizeof(struct arena) <= POOL_SIZE, "the arena header fits in pool 0");

/* A large block: its own mapping, aligned to ARENA_SIZE (so that its radix
 * slot is its own), described by a record from metadata. */
typedef struct large {
    uintptr_t base;     /* the block, and the start of its mapping */
    size_t size;        /* mapped bytes, a multiple of the page: the usable size */
    struct large *next, *prev; /* live list, cache list (LRU at the tail), or spare records */
    uint64_t freed_ms;  /* when it entered the cache */
    bool cached;
} large;

struct heap {
    pool *avail[NCLASSES];           /* head of each class's avail list (&pooled_empty_pool when none) */
    pool *avail_tail[NCLASSES];      /* last pool of each avail list (NULL when none) */
    pool *cached[NCLASSES];          /* one empty pool kept per class */
    hb_pooled *inst;
    heap *all_next;                  /* instance's list of heaps */
    heap *abandoned_next;            /* instance's abandoned list */
    bool abandoned;
    size_t chk_avail[NCLASSES], chk_queued; /* hb_pooled_check's tallies */
    _Alignas(64) _Atomic(pool *) remote; /* pools with remote frees, on their own line */
};

struct hb_pooled {
    /* read by every malloc and free: a line of its own, never written after init */
    _Atomic uint64_t id;                 /* process-unique, never 0: per-thread caches name it */
    pthread_key_t key;
    size_t page;                         /* the OS page size */
    _Alignas(64) pthread_mutex_t lock;
    arena *bucket[NKINDS][ARENA_POOLS + 1]; /* arenas by kind and nfree (index 0 unused) */
    uint64_t bucket_bits[NKINDS];        /* bit k-1: bucket[kind][k] not empty */
    arena *all;                          /* every arena */
    size_t narenas;
    unsigned nempty[NKINDS];             /* arenas with every pool free, by kind */
    unsigned spare_limit[NKINDS];        /* the most of them kept when one more empties (adaptive: pooled_arena.c) */
    unsigned spare_debt[NKINDS];         /* arenas the limit sent back since the last remap that was not too late */
    uint64_t unmap_ms[NKINDS];           /* when the limit last sent one back */
    uint64_t remap_ms[NKINDS];           /* when the limit last changed */
    heap *heaps;                         /* every heap */
    heap *abandoned, *abandoned_tail;    /* FIFO: the heap abandoned longest ago is adopted first */
    char *meta_cur, *meta_end;           /* metadata bump region */
    void *meta_chunks;                   /* chunks, linked through their first word */
    large *large_live;                   /* large blocks in use */
    large *cache_head, *cache_tail;      /* freed large blocks still mapped, newest first */
    large *large_spare;                  /* unused large records */
    size_t nlarge, ncached, cached_bytes;
    _Atomic size_t mapped;
    pool *dirty_head, *dirty_tail;       /* dirty FREE pools, oldest first (by freed_ms) */
    size_t dirty_bytes;                  /* their dirty_bytes summed */
    size_t purged_bytes;                 /* given back by madvise so far (hb_pooled_purge reports it) */
    _Atomic uint64_t clock_skew_ms;      /* added to the clock: tests advance it (pooled_clock_advance) */
    _Atomic uint64_t clock_frozen_ms;    /* 0, or the clock's reading when a test froze it (pooled_clock_freeze) */
    _Alignas(64) _Atomic uintptr_t root[ROOT_LEN];    /* radix root: leaves of LEAF_LEN entries (see radix_get) */
    hb_fork_entry fork_entry;            /* in-process plug-in: registration with forksafe.c */
};

/* The avail head of a class without pools: no free block, never written (pooled.c). */
#define POOLED_HIDDEN __attribute__((visibility("hidden")))

#ifdef HB_DROPIN_NAME
/* In the drop-in library the API serves dropin.c alone: hidden, the linker
 * binds dropin.c's calls directly instead of through the PLT. */
POOLED_HIDDEN hb_pooled *hb_pooled_create(void);
POOLED_HIDDEN void hb_pooled_destroy(hb_pooled *h);
POOLED_HIDDEN void *hb_pooled_malloc(hb_pooled *h, size_t size);
POOLED_HIDDEN void *hb_pooled_calloc(hb_pooled *h, size_t count, size_t size);
POOLED_HIDDEN void *hb_pooled_realloc(hb_pooled *h, void *p, size_t size);
POOLED_HIDDEN void *hb_pooled_aligned(hb_pooled *h, size_t align, size_t size);
POOLED_HIDDEN void hb_pooled_free(hb_pooled *h, void *p);
POOLED_HIDDEN size_t hb_pooled_usable_size(hb_pooled *h, const void *p);
POOLED_HIDDEN int hb_pooled_owns(hb_pooled *h, const void *p);
POOLED_HIDDEN int hb_pooled_check(hb_pooled *h, char *msg, size_t msglen);
POOLED_HIDDEN void hb_pooled_stats(hb_pooled *h, size_t *mapped, size_t *in_use, size_t *live);
POOLED_HIDDEN size_t hb_pooled_purge(hb_pooled *h, int all, size_t *dirty);
POOLED_HIDDEN void hb_pooled_fork_prepare(hb_pooled *h);
POOLED_HIDDEN void hb_pooled_fork_parent(hb_pooled *h);
POOLED_HIDDEN void hb_pooled_fork_child(hb_pooled *h);
/* dropin.c: makes the library's one static instance ready (once); 0 when it is. */
POOLED_HIDDEN int pooled_dropin_init(void);
#endif
extern POOLED_HIDDEN pool pooled_empty_pool;
extern POOLED_HIDDEN const uint32_t pooled_class_size[NCLASSES];
extern POOLED_HIDDEN const uint8_t pooled_medium_class[(MEDIUM_MAX >> MTAB_SHIFT) + 1];

/* Sets up an instance in zeroed memory: what hb_pooled_create does after mapping it. */
POOLED_HIDDEN int pooled_init(hb_pooled *pa);

/* ---- small helpers ------------------------------------------------------- */

/* The fewest empty arenas of a kind kept (the spare limit's floor, pooled_arena.c). */
static inline unsigned spares_floor(unsigned kind) { return kind == KIND_BIG ? BARENA_SPARES : ARENA_SPARES; }

/* Class of a request of MEDIUM_MAX+1..BIG_MAX bytes: four per power of two
 * (lg is 15 while BIG_MAX is 64 KiB; the formula holds for larger BIG_MAX). */
static inline size_t big_class_of(size_t size)
{
    size_t s = size - 1;
    unsigned lg = 63u - (unsigned)__builtin_clzll(s); /* 15..17 */
    return BIG_FIRST + (lg - 15) * 4 + ((s >> (lg - 2)) & 3);
}
/* Class of a request of 1..BIG_MAX bytes. */
static inline size_t class_of(size_t size)
{
    if (size <= SMALL_MAX)
        return (size - 1) >> CLASS_SHIFT;
    return size <= MEDIUM_MAX ? pooled_medium_class[(size - 1) >> MTAB_SHIFT] : big_class_of(size);
}
static inline unsigned kind_of_class(size_t cls)
{
    return cls < NSMALL ? KIND_SMALL : cls < BIG_FIRST ? KIND_MEDIUM : KIND_BIG;
}
static inline unsigned shift_of_kind(unsigned kind)
{
    return kind == KIND_SMALL ? POOL_SHIFT : kind == KIND_MEDIUM ? MPOOL_SHIFT : BPOOL_SHIFT;
}
/* Bytes an arena of a kind spans (a power of two, aligned to itself). */
static inline size_t arena_bytes(unsigned kind) { return kind == KIND_BIG ? (size_t)1 << BARENA_SHIFT : ARENA_SIZE; }
/* The radix entry of granule g of arena a: (an address) | its pool shift,
 * such that pool_at finds the descriptor of the pool at granule g.  For a
 * big arena, whose pools span whole granules, the address is a's shifted by
 * the descriptors of the pools before g's; for 1 MiB arenas it is a's. */
static inline uintptr_t radix_entry(const arena *a, size_t g, unsigned shift)
{
    return ((uintptr_t)a + ((g << ARENA_SHIFT) >> shift) * sizeof(pool)) | shift;
}
/* The descriptor of the pool that holds p, from p's radix entry e (an
 * arena's, see radix_entry: an entry of a big arena's granule g > 0 names an
 * address g descriptors past it, so that pools[-1] is the descriptor of the
 * pool there). */
static inline pool *pool_at(uintptr_t e, const void *p)
{
    uintptr_t i = ((uintptr_t)p & (ARENA_SIZE - 1)) >> (e & TAG_MASK); /* pool number within the granule */
    return (pool *)((e & ~TAG_MASK) + offsetof(arena, pools) + (i - 1) * sizeof(pool)); /* integer sums: i may be 0 */
}
static inline large *large_at(uintptr_t e) { return (large *)(e & ~TAG_MASK); }
static inline size_t capacity_of(const pool *p) { return p->maxoffset / p->bsize; }

/* Free-list links live inside poisoned blocks: read and write them unchecked. */
static inline NO_ASAN block *link_get(const block *b) { return b->next; }
static inline NO_ASAN void link_set(block *b, block *n) { b->next = n; }

/* `used` is read and written by its owner only, except that hb_pooled_stats
 * reads it from any thread (used_peek: a relaxed atomic load).  The owner's
 * store is a plain one, so that the compiler makes `used++` one instruction
 * (a relaxed atomic store cost the churn loop 2%): an aligned 16-bit store
 * is single-copy atomic on every target we build for, so stats reads a
 * stale or a current count, never a torn one.  Under ThreadSanitizer the
 * store is an atomic one, so the tool sees what the hardware guarantees. */
#if defined(__SANITIZE_THREAD__)
#define HB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HB_TSAN 1
#endif
#endif
static inline unsigned used_of(const pool *p) { return p->used; }
static inline unsigned used_peek(const pool *p) { return __atomic_load_n(&p->used, __ATOMIC_RELAXED); }
static inline void used_set(pool *p, unsigned v)
{
#ifdef HB_TSAN
    __atomic_store_n(&p->used, (uint16_t)v, __ATOMIC_RELAXED);
#else
    p->used = (uint16_t)v;
#endif
}

/* Radix tree over the 48-bit address space at arena granularity: a root of
 * ROOT_LEN leaves (inline in the instance), each a table of LEAF_LEN entries.
 * An entry is 0, an arena's address | its pool shift, or a large record's
 * address | TAG_LARGE.  Lookups take no lock; leaves live until destroy. */
static inline uintptr_t radix_get(const hb_pooled *pa, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (unlikely(a >> ADDR_BITS))
        return 0;
    _Atomic uintptr_t *leaf =
        (_Atomic uintptr_t *)atomic_load_explicit(&pa->root[a >> (ADDR_BITS - ROOT_BITS)], memory_order_acquire);
    if (leaf == NULL)
        return 0;
    return atomic_load_explicit(&leaf[(a >> ARENA_SHIFT) & (LEAF_LEN - 1)], memory_order_acquire);
}

/* ---- pooled_arena.c: OS memory, metadata, arenas and large blocks ---------- */

/* Fresh zeroed memory from mmap, or NULL. */
POOLED_HIDDEN void *pooled_map(size_t size);
/* Unmaps, and counts it off pa->mapped unless pa is NULL. */
POOLED_HIDDEN void pooled_unmap(hb_pooled *pa, void *p, size_t size);
/* Zeroed metadata (heaps, large records) that lives until destroy; lock held. */
POOLED_HIDDEN void *pooled_meta_alloc(hb_pooled *pa, size_t size);
/* The radix slot of the granule at base; with create, maps its leaf if needed (lock held). */
POOLED_HIDDEN _Atomic uintptr_t *pooled_radix_slot(hb_pooled *pa, uintptr_t base, bool create);
/* A FREE pool set up for class cls and heap h, or NULL; takes the lock. */
POOLED_HIDDEN pool *pooled_arena_take(hb_pooled *pa, heap *h, size_t cls);
/* Gives an empty pool back to its arena; takes the lock; keeps errno. */
POOLED_HIDDEN void pooled_arena_put(hb_pooled *pa, pool *p);
/* Sets each kind's spare limit to its floor (pooled_init). */
POOLED_HIDDEN void pooled_spares_init(hb_pooled *pa);
/* A large block of at least size bytes aligned to align (a power of two), with
 * how's LARGE_* options; NULL with errno ENOMEM.  Takes the lock. */
enum { LARGE_ZERO = 1, LARGE_GROW = 2 }; /* zero-filled; for a realloc that grows (room after it) */
POOLED_HIDDEN void *pooled_large_alloc(hb_pooled *pa, size_t size, size_t align, unsigned how);
/* Frees large block l (into the cache, or back to the OS); keeps errno. */
POOLED_HIDDEN void pooled_large_free(hb_pooled *pa, large *l);
/* Resizes large block l to at least size bytes where it is, or moves a big
 * one by mremap: its (new) address, or NULL when the caller must copy. */
POOLED_HIDDEN void *pooled_large_realloc(hb_pooled *pa, large *l, size_t size);
/* Gives cached large blocks and spare arenas older than LARGE_DELAY_MS back to
 * the OS (all cached large blocks with all), and the pages of pools free for
 * PURGE_DELAY_MS (a batch); takes the lock. */
POOLED_HIDDEN void pooled_large_trim(hb_pooled *pa, bool all);

/* Advances the instance's clock by ms (white-box tests of the delays). */
POOLED_HIDDEN void pooled_clock_advance(hb_pooled *pa, uint64_t ms);

/* Purges dirty FREE pools: those free for PURGE_DELAY_MS, at most
 * PURGE_BATCH of them, or with all every one; lock held. */
POOLED_HIDDEN void pooled_purge(hb_pooled *pa, bool all);

#endif
