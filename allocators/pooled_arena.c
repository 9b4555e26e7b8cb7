/*
 * pooled_arena.c: the bottom layer of the pooled allocator: memory from the
 * OS (mmap only), the metadata that holds heaps and large records, the radix
 * tree that says which addresses are arenas or large blocks, the arenas
 * themselves, kept in buckets by kind and number of free pools so that new
 * pools come from the fullest arena, and the large blocks with their cache.
 * Shared state changes under the instance lock; system calls that may take
 * long (mmap, munmap of large blocks) run outside it.  See pooled.c for the
 * design.
 */
#define _GNU_SOURCE
#include "pooled_internal.h"

#include <sys/mman.h>
#include <time.h>

void *pooled_map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void pooled_unmap(hb_pooled *pa, void *p, size_t size)
{
    UNPOISON(p, size);
    munmap(p, size);
    if (pa != NULL)
        atomic_fetch_sub_explicit(&pa->mapped, size, memory_order_relaxed);
}

/* ---- metadata: heaps (lock held) --------------------------------------------- */

void *pooled_meta_alloc(hb_pooled *pa, size_t size)
{
    size = (size + 63) & ~(size_t)63;
    if ((size_t)(pa->meta_end - pa->meta_cur) < size) {
        char *c = pooled_map(META_CHUNK);
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


static void *map_aligned(size_t size, size_t align, size_t room);

/* A fresh mapping of size bytes for a large block of `want` bytes:
 * map_aligned, and from LARGE_HUGE_MIN up aligned to 2 MiB with its first
 * `want` bytes (0 for a block that grows by realloc) rounded down to 2 MiB
 * advised for transparent huge pages, so
 * that their first touch faults in 2 MiB at a time, not 4 KiB (a fault
 * costs a trap into the hypervisor here: see docs/pooled.md).  The rest,
 * the block's rounding included, stays in 4 KiB pages: a huge page there
 * would make resident what the program never asked for. */
static void *map_large(size_t size, size_t want, size_t align, size_t room)
{
#if LARGE_HUGE_MIN
    if (want >= LARGE_HUGE_MIN) {
        char *p = map_aligned(size, align > HUGE_PAGE ? align : HUGE_PAGE, room);
        if (p != NULL) {
            int saved = errno;
            madvise(p, want & ~(HUGE_PAGE - 1), MADV_HUGEPAGE); /* where THP is off it fails: nothing changes */
            errno = saved;
        }
        return p;
    }
#else
    (void)want;
#endif
    return map_aligned(size, align, room);
}
static void arena_expire(hb_pooled *pa, uint64_t now);

/* ---- large blocks ------------------------------------------------------------ */

/* The instance's clock: the coarse monotonic clock, plus what a test
 * advanced it by (pooled_clock_advance), so that every delay can be tested
 * without waiting. */
static uint64_t coarse_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t now_ms(const hb_pooled *pa)
{
    uint64_t base = atomic_load_explicit(&pa->clock_frozen_ms, memory_order_relaxed);
    return (likely(base == 0) ? coarse_ms() : base) + atomic_load_explicit(&pa->clock_skew_ms, memory_order_relaxed);
}

void pooled_clock_advance(hb_pooled *pa, uint64_t ms)
{
    atomic_fetch_add_explicit(&pa->clock_skew_ms, ms, memory_order_relaxed);
}

/* The clock stands still from now on but for pooled_clock_advance: a test of
 * what happens within a window (spares_remapped) then cannot be slowed past
 * it by a loaded machine. */
void pooled_clock_freeze(hb_pooled *pa)
{
    atomic_store_explicit(&pa->clock_frozen_ms, coarse_ms() + 1, memory_order_relaxed); /* + 1: never 0 */
}

static void list_unlink(large **head, large **tail, large *l)
{
    if (l->prev != NULL)
        l->prev->next = l->next;
    else
        *head = l->next;
    if (l->next != NULL)
        l->next->prev = l->prev;
    else if (tail != NULL)
        *tail = l->prev;
}

static void list_push(large **head, large **tail, large *l)
{
    l->prev = NULL;
    l->next = *head;
    if (*head != NULL)
        (*head)->prev = l;
    else if (tail != NULL)
        *tail = l;
    *head = l;
}

/* Takes cache entry l out of the radix tree and the cache (lock held); the
 * caller unmaps [base, base + size) after unlocking. */
static void cache_evict(hb_pooled *pa, large *l)
{
    list_unlink(&pa->cache_head, &pa->cache_tail, l);
    pa->ncached--;
    pa->cached_bytes -= l->size;
    atomic_store_explicit(pooled_radix_slot(pa, l->base, false), 0, memory_order_release);
    l->cached = false;
    l->next = pa->large_spare;
    pa->large_spare = l;
}

/* Takes the oldest cache entries out (cache_evict) while the cache holds
 * more than keep_n blocks or keep_bytes bytes, or, with by_age, its oldest
 * has waited LARGE_DELAY_MS at `now`; their ranges go to base and size
 * (room for LARGE_CACHE_N + 1), for the caller to unmap after unlocking.
 * Lock held. */
static size_t cache_shed(hb_pooled *pa, size_t keep_n, size_t keep_bytes, bool by_age, uint64_t now, uintptr_t *base,
                         size_t *size)
{
    size_t n = 0;
    while (pa->cache_tail != NULL && n < LARGE_CACHE_N + 1 &&
           (pa->ncached > keep_n || pa->cached_bytes > keep_bytes ||
            (by_age && now - pa->cache_tail->freed_ms >= LARGE_DELAY_MS))) {
        large *o = pa->cache_tail;
        base[n] = o->base;
        size[n++] = o->size;
        cache_evict(pa, o);
    }
    return n;
}

/* Gives back what has waited its delay: the pages of free pools, spare
 * arenas but one of each kind, cache entries.  With all, as if every delay
 * had passed (hb_pooled_purge's hook).  Lock held: small ones, which is what
 * stays in the cache after LARGE_DELAY_MS, are quick to unmap. */
static void large_expire(hb_pooled *pa, bool all)
{
    uint64_t now = all ? UINT64_MAX : now_ms(pa);
    if (all) /* first, so that what spare arenas had dirty counts as purged */
        pooled_purge(pa, true);
    /* spares first: the purge batch then goes to pools of arenas that stay */
    if (pa->nempty[KIND_SMALL] > 1 || pa->nempty[KIND_MEDIUM] > 1 || pa->nempty[KIND_BIG] > 1)
        arena_expire(pa, now);
    if (pa->dirty_head != NULL && now - pa->dirty_head->freed_ms >= PURGE_DELAY_MS)
        pooled_purge(pa, false);
    while (pa->cache_tail != NULL && (all || now - pa->cache_tail->freed_ms >= LARGE_DELAY_MS)) {
        large *l = pa->cache_tail;
        uintptr_t base = l->base;
        size_t size = l->size;
        cache_evict(pa, l);
        pooled_unmap(pa, (void *)base, size);
    }
}

void pooled_large_trim(hb_pooled *pa, bool all)
{
    pthread_mutex_lock(&pa->lock);
    large_expire(pa, all);
    pthread_mutex_unlock(&pa->lock);
}

/* Page-rounded size of a large request, in eight steps per power of two
 * beyond 64 KiB (so that freed blocks fit later requests); 0 on overflow. */
static size_t large_need(const hb_pooled *pa, size_t size)
{
    size_t need = (size + pa->page - 1) & ~(pa->page - 1);
    if (size > PTRDIFF_MAX || need < size)
        return 0;
    if (need == 0) /* aligned(65536, 0) */
        need = pa->page;
    if (need > ((size_t)64 << 10)) {
        size_t step = ((size_t)1 << (63 - __builtin_clzll(need))) / 8;
        if (need + step - 1 > need)
            need = (need + step - 1) & ~(step - 1);
    }
    return need;
}

/* Takes l out of the cache (lock held): it becomes live. */
static void cache_take(hb_pooled *pa, large *l)
{
    list_unlink(&pa->cache_head, &pa->cache_tail, l);
    pa->ncached--;
    pa->cached_bytes -= l->size;
    l->cached = false;
    list_push(&pa->large_live, NULL, l);
    pa->nlarge++;
}

/* Puts live block l back into the cache, as freed now (lock held). */
static void cache_return(hb_pooled *pa, large *l)
{
    list_unlink(&pa->large_live, NULL, l);
    pa->nlarge--;
    l->cached = true;
    l->freed_ms = now_ms(pa);
    list_push(&pa->cache_head, &pa->cache_tail, l);
    pa->ncached++;
    pa->cached_bytes += l->size;
}

/* Grows live block l to need bytes where it is (mremap without moving: no
 * page-table move, no TLB flush); 0, or -1 when its neighbour is in the way.
 * Lock not held; keeps errno. */
static int grow_in_place(hb_pooled *pa, large *l, size_t need)
{
    int saved = errno;
    if (mremap((void *)l->base, l->size, need, 0) == MAP_FAILED) {
        errno = saved;
        return -1;
    }
    atomic_fetch_add_explicit(&pa->mapped, need - l->size, memory_order_relaxed);
    pthread_mutex_lock(&pa->lock);
    l->size = need;
    pthread_mutex_unlock(&pa->lock);
    return 0;
}

/* Moves live block l (its pages, by mremap: page tables, not bytes) to the
 * start of a fresh mapping of need bytes aligned to align, with `room`
 * bytes of address space left free after its start for later growth in
 * place; 0, or -1 (l unchanged, errno ENOMEM).  Lock not held. */
static int move_block(hb_pooled *pa, large *l, size_t need, size_t align, size_t room)
{
    size_t old = l->size;
    char *q = map_large(need, 0, align, room); /* a block that grows by realloc: no huge pages (realloc-grow 10% slower) */
    if (q == NULL)
        goto fail;
    /* The new granule's slot first (it may need a leaf: that can fail), then
     * out of the radix tree at the old base while the old range is freed by
     * the move, so that no mapping made meanwhile there is clobbered. */
    pthread_mutex_lock(&pa->lock);
    _Atomic uintptr_t *slot = pooled_radix_slot(pa, (uintptr_t)q, true);
    if (slot != NULL)
        atomic_store_explicit(pooled_radix_slot(pa, l->base, false), 0, memory_order_release);
    pthread_mutex_unlock(&pa->lock);
    if (slot == NULL) {
        munmap(q, need);
        goto fail;
    }
    bool moved = mremap((void *)l->base, old, old, MREMAP_MAYMOVE | MREMAP_FIXED, q) != MAP_FAILED;
    pthread_mutex_lock(&pa->lock);
    if (moved) {
        l->base = (uintptr_t)q;
        l->size = need;
    }
    atomic_store_explicit(pooled_radix_slot(pa, l->base, false), (uintptr_t)l | TAG_LARGE, memory_order_release);
    pthread_mutex_unlock(&pa->lock);
    if (!moved) {
        munmap(q, need);
        goto fail;
    }
    atomic_fetch_add_explicit(&pa->mapped, need - old, memory_order_relaxed);
    return 0;
fail:
    errno = ENOMEM;
    return -1;
}

void *pooled_large_alloc(hb_pooled *pa, size_t size, size_t align, unsigned how)
{
    size_t need = large_need(pa, size);
    if (need == 0) {
        errno = ENOMEM;
        return NULL;
    }
    if (align < ARENA_SIZE)
        align = ARENA_SIZE;
    size_t room = how & LARGE_GROW ? need * LARGE_ROOM : need;
    if (room / LARGE_ROOM != need)
        room = need;
    pthread_mutex_lock(&pa->lock);
    large_expire(pa, false);
    /* From the cache, in this order, so that no request pays a TLB flush
     * that a copy or a page fault would not cost more than:
     *  - the smallest block of at least need bytes, if it is no more than
     *    twice that or the request is a growing realloc's: taken whole (no
     *    system call, its pages resident; the rest is room to grow);
     *  - the largest block of need/2 bytes or more, grown where it is;
     *  - one of LARGE_MOVE_MIN or more, moved (page tables) to a fresh
     *    mapping of need bytes: its resident pages need no faults;
     *  - a bigger block, trimmed to need.
     * A block of a very different size is worth more kept for a request of
     * its own size. */
    large *fit = NULL, *under = NULL;
    for (large *l = pa->cache_head; l != NULL; l = l->next) {
        if ((l->base & (align - 1)) != 0)
            continue;
        if (l->size >= need) {
            if (fit == NULL || l->size < fit->size)
                fit = l;
        } else if (l->size >= need / 2 && (under == NULL || l->size > under->size)) {
            under = l;
        }
    }
    large *got = NULL;
    size_t trim = 0, old = 0;
    if (fit != NULL && (fit->size - need <= need || (how & LARGE_GROW))) {
        got = fit;
        old = fit->size;
        cache_take(pa, got);
    } else if (under != NULL) {
        old = under->size;
        cache_take(pa, under);
        pthread_mutex_unlock(&pa->lock);
        if (grow_in_place(pa, under, need) == 0 ||
            (old >= LARGE_MOVE_MIN && move_block(pa, under, need, align, room) == 0))
            got = under;
        pthread_mutex_lock(&pa->lock);
        if (got == NULL)
            cache_return(pa, under);
    }
    /* The lock was let go while `under` grew: fit may have been taken or
     * evicted meanwhile, and its record reused (then it must fit anew). */
    if (got == NULL && fit != NULL && fit->cached && fit->size >= need && (fit->base & (align - 1)) == 0) {
        got = fit;
        old = fit->size;
        cache_take(pa, got);
        trim = old - need;
        got->size = need;
    }
    if (got != NULL) {
        pthread_mutex_unlock(&pa->lock);
        char *q = (char *)got->base;
        if (trim != 0)
            pooled_unmap(pa, q + need, trim);
        if (how & LARGE_ZERO)
            memset(q, 0, size < old ? size : old); /* beyond old: fresh pages */
        return q;
    }
    large *l = pa->large_spare;
    if (l != NULL)
        pa->large_spare = l->next;
    else
        l = pooled_meta_alloc(pa, sizeof *l);
    /* Nothing cached served it: the new block's pages will be faulted in
     * while the cache's stay resident, and a program whose large requests the
     * cache does not fit would hold both at its peak (python: 7 MiB of its
     * peak RSS).  So, but for a growing realloc (whose buffers the cache
     * serves next), the oldest cached blocks go back until the cache and the
     * new block together are within LARGE_FRESH_BUDGET. */
    uintptr_t ev_base[LARGE_CACHE_N + 1];
    size_t ev_size[LARGE_CACHE_N + 1], nev = 0;
    if (!(how & LARGE_GROW))
        nev = cache_shed(pa, LARGE_CACHE_N, need < LARGE_FRESH_BUDGET ? LARGE_FRESH_BUDGET - need : 0, false, 0,
                         ev_base, ev_size);
    pthread_mutex_unlock(&pa->lock);
    for (size_t i = 0; i < nev; i++)
        pooled_unmap(pa, (void *)ev_base[i], ev_size[i]);
    if (l == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    char *p = map_large(need, how & LARGE_GROW ? 0 : size, align, room); /* fresh: zero already */
    pthread_mutex_lock(&pa->lock);
    _Atomic uintptr_t *slot = p != NULL ? pooled_radix_slot(pa, (uintptr_t)p, true) : NULL;
    if (slot == NULL) {
        l->next = pa->large_spare;
        pa->large_spare = l;
        pthread_mutex_unlock(&pa->lock);
        if (p != NULL)
            munmap(p, need);
        errno = ENOMEM;
        return NULL;
    }
    atomic_fetch_add_explicit(&pa->mapped, need, memory_order_relaxed);
    l->base = (uintptr_t)p;
    l->size = need;
    l->cached = false;
    list_push(&pa->large_live, NULL, l);
    pa->nlarge++;
    atomic_store_explicit(slot, (uintptr_t)l | TAG_LARGE, memory_order_release);
    pthread_mutex_unlock(&pa->lock);
    return p;
}

void pooled_large_free(hb_pooled *pa, large *l)
{
    int saved = errno;
    uintptr_t unmap_base[LARGE_CACHE_N + 1];
    size_t unmap_size[LARGE_CACHE_N + 1], n = 0;
    pthread_mutex_lock(&pa->lock);
    if (l->cached) { /* double free: the block is in the cache already */
        pthread_mutex_unlock(&pa->lock);
        return;
    }
    list_unlink(&pa->large_live, NULL, l);
    pa->nlarge--;
    if (l->size > LARGE_CACHE_BLOCK) { /* too big to keep: back to the OS now */
        uintptr_t base = l->base;
        size_t size = l->size;
        atomic_store_explicit(pooled_radix_slot(pa, base, false), 0, memory_order_release);
        l->next = pa->large_spare;
        pa->large_spare = l;
        pthread_mutex_unlock(&pa->lock);
        pooled_unmap(pa, (void *)base, size);
        errno = saved;
        return;
    }
    l->cached = true;
    l->freed_ms = now_ms(pa);
    list_push(&pa->cache_head, &pa->cache_tail, l);
    pa->ncached++;
    pa->cached_bytes += l->size;
    /* oldest out first while over the limits (the block just freed too, if it alone is over) */
    n = cache_shed(pa, LARGE_CACHE_N, LARGE_CACHE_BYTES, true, l->freed_ms, unmap_base, unmap_size);
    pthread_mutex_unlock(&pa->lock);
    for (size_t i = 0; i < n; i++)
        pooled_unmap(pa, (void *)unmap_base[i], unmap_size[i]);
    errno = saved;
}

void *pooled_large_realloc(hb_pooled *pa, large *l, size_t size)
{
    size_t need = (size + pa->page - 1) & ~(pa->page - 1);
    if (size > PTRDIFF_MAX || need < size)
        return NULL;
    if (need <= l->size) {
        if (l->size - need <= need) /* shrinking by half or less: keep the pages */
            return (void *)l->base;
        if (l->size <= LARGE_CACHE_BLOCK) /* a copy costs less than the unmap and the faults that follow it: the block waits resident in the cache */
            return NULL;
        size_t trim = l->size - need;
        pthread_mutex_lock(&pa->lock);
        l->size = need;
        pthread_mutex_unlock(&pa->lock);
        pooled_unmap(pa, (void *)(l->base + need), trim);
        return (void *)l->base;
    }
    /* Growing: into a cached block big enough if there is one (the caller
     * copies: a copy into resident pages costs less than faulting fresh
     * ones in, ten times less where page faults are slow); else where it is
     * if the address space after it is free; else a big block is moved (its
     * page tables: one TLB flush, but no fault and no copy), with room to
     * grow again in place; a smaller one is left to the caller to copy. */
    bool cached_fit = false;
    pthread_mutex_lock(&pa->lock);
    for (large *c = pa->cache_head; c != NULL && !cached_fit; c = c->next)
        cached_fit = c->size >= need;
    pthread_mutex_unlock(&pa->lock);
    if (cached_fit)
        return NULL;
    if (grow_in_place(pa, l, need) == 0)
        return (void *)l->base;
    if (l->size < LARGE_MOVE_MIN)
        return NULL;
    int saved = errno;
    size_t room = need * LARGE_ROOM;
    if (move_block(pa, l, need, ARENA_SIZE, room / LARGE_ROOM == need ? room : need) == 0)
        return (void *)l->base;
    errno = saved;
    return NULL;
}

/* ---- arena layer (lock held) ---------------------------------------------- */

/* The dirty list: FREE pools whose pages were touched, oldest first.  A pool
 * joins it when it goes back to its arena, leaves it when taken again (its
 * pages still resident: no fault) or when purged (madvise; the next carve
 * faults fresh zero pages in) or when its arena is unmapped. */
static void dirty_unlink(hb_pooled *pa, pool *p)
{
    if (p->dprev != NULL)
        p->dprev->dnext = p->dnext;
    else
        pa->dirty_head = p->dnext;
    if (p->dnext != NULL)
        p->dnext->dprev = p->dprev;
    else
        pa->dirty_tail = p->dprev;
    p->dnext = p->dprev = NULL;
    pa->dirty_bytes -= p->dirty_bytes;
    p->dirty_bytes = 0;
}

static void dirty_append(hb_pooled *pa, pool *p, uint32_t bytes, uint64_t now)
{
    p->dirty_bytes = bytes;
    p->freed_ms = now;
    p->dnext = NULL;
    p->dprev = pa->dirty_tail;
    if (pa->dirty_tail != NULL)
        pa->dirty_tail->dnext = p;
    else
        pa->dirty_head = p;
    pa->dirty_tail = p;
    pa->dirty_bytes += bytes;
}

/* Under the lock: a batch is PURGE_BATCH pools of at most 128 KiB each, and
 * a pool in the middle of a purge must not be taken by another thread. */
void pooled_purge(hb_pooled *pa, bool all)
{
    uint64_t now = all ? 0 : now_ms(pa);
    for (unsigned n = 0; pa->dirty_head != NULL && (all || n < PURGE_BATCH); n++) {
        pool *p = pa->dirty_head;
        if (!all && now - p->freed_ms < PURGE_DELAY_MS)
            break;
        size_t bytes = p->dirty_bytes;
        dirty_unlink(pa, p);
        int saved = errno;
        if (madvise(p->start, bytes, POOLED_PURGE_ADVICE) == 0)
            pa->purged_bytes += bytes;
        errno = saved;
    }
}

size_t hb_pooled_purge(hb_pooled *pa, int all, size_t *dirty)
{
    pthread_mutex_lock(&pa->lock);
    if (all)
        large_expire(pa, true); /* the pages of free pools, then spare arenas and the large cache */
    else
        pooled_purge(pa, false);
    size_t purged = pa->purged_bytes;
    if (dirty != NULL)
        *dirty = pa->dirty_bytes;
    pthread_mutex_unlock(&pa->lock);
    return purged;
}

static void bucket_remove(hb_pooled *pa, arena *a)
{
    if (a->nfree == 0)
        return;
    arena **b = pa->bucket[a->kind];
    if (a->prev != NULL)
        a->prev->next = a->next;
    else
        b[a->nfree] = a->next;
    if (a->next != NULL)
        a->next->prev = a->prev;
    if (b[a->nfree] == NULL)
        pa->bucket_bits[a->kind] &= ~((uint64_t)1 << (a->nfree - 1));
}

static void bucket_insert(hb_pooled *pa, arena *a)
{
    if (a->nfree == 0)
        return;
    arena **b = pa->bucket[a->kind];
    a->prev = NULL;
    a->next = b[a->nfree];
    if (a->next != NULL)
        a->next->prev = a;
    b[a->nfree] = a;
    pa->bucket_bits[a->kind] |= (uint64_t)1 << (a->nfree - 1);
}

_Atomic uintptr_t *pooled_radix_slot(hb_pooled *pa, uintptr_t base, bool create)
{
    _Atomic uintptr_t *rs = &pa->root[base >> (ADDR_BITS - ROOT_BITS)];
    _Atomic uintptr_t *leaf = (_Atomic uintptr_t *)atomic_load_explicit(rs, memory_order_relaxed);
    if (leaf == NULL) {
        if (!create)
            return NULL;
        leaf = pooled_map(LEAF_LEN * sizeof *leaf);
        if (leaf == NULL)
            return NULL;
        atomic_fetch_add_explicit(&pa->mapped, LEAF_LEN * sizeof *leaf, memory_order_relaxed);
        atomic_store_explicit(rs, (uintptr_t)leaf, memory_order_release);
    }
    return &leaf[(base >> ARENA_SHIFT) & (LEAF_LEN - 1)];
}

/* Maps size bytes aligned to align (a power of two >= ARENA_SIZE): first
 * right after the last such mapping (so mappings merge), else by
 * over-mapping and trimming.  The next mapping is tried `room` (>= size)
 * bytes after this one's start: the gap is address space left free for
 * this block to grow into in place.  No lock needed. */
static void *map_aligned(size_t size, size_t align, size_t room)
{
    static _Atomic uintptr_t hint;
    uintptr_t h = atomic_load_explicit(&hint, memory_order_relaxed);
    char *p = mmap((void *)h, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED && ((uintptr_t)p & (align - 1)) != 0) {
        munmap(p, size);
        p = MAP_FAILED;
    }
    if (p == MAP_FAILED) {
        if (size + align < size)
            return NULL;
        char *raw = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            return NULL;
        p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
        if (p > raw)
            munmap(raw, (size_t)(p - raw));
        if (raw + size + align > p + size)
            munmap(p + size, (size_t)(raw + size + align - (p + size)));
    }
    if (((uintptr_t)p + size) >> ADDR_BITS) { /* beyond what the radix tree covers */
        munmap(p, size);
        return NULL;
    }
    uintptr_t next = (uintptr_t)p + room + ARENA_SIZE - 1;
    atomic_store_explicit(&hint, next < (uintptr_t)p || next >> ADDR_BITS ? 0 : next & ~(uintptr_t)(ARENA_SIZE - 1),
                          memory_order_relaxed);
    return p;
}

/* The granules of an arena that the radix tree maps: all of a 1 MiB arena's,
 * a big arena's but the first (its header: no block lies there). */
static size_t first_granule(unsigned kind) { return kind == KIND_BIG ? 1 : 0; }

/* The spare limit of a kind adapts to the program, as glibc's mmap threshold
 * does.  An arena that empties beyond the limit goes back to the OS at once
 * and counts as a debt; an arena mapped while a debt is at most
 * REMAP_WINDOW_MS old pays one off and raises the limit by one: the live set
 * swings wider than the spares kept, and every swing faults the same pages in
 * again (CPython tearing down one scenario's objects and building the
 * next's).  After one such swing the limit covers it.  Each SPARES_RELAX_MS
 * without a remap halves the limit, down to the floor (and no lower than the
 * spares kept), so a program that shrank for good keeps only the floor.
 * Spares still go back after ARENA_DELAY_MS whatever the limit
 * (arena_expire): the limit bounds what a drop keeps, not for how long.
 * Lock held. */
static void spares_remapped(hb_pooled *pa, unsigned kind, uint64_t now)
{
    if (pa->spare_debt[kind] == 0)
        return;
    if (now - pa->unmap_ms[kind] > REMAP_WINDOW_MS) {
        pa->spare_debt[kind] = 0;
        return;
    }
    pa->spare_debt[kind]--;
    if (pa->spare_limit[kind] < SPARES_MAX)
        pa->spare_limit[kind]++;
    pa->remap_ms[kind] = now;
}

static void spares_relax(hb_pooled *pa, unsigned kind, uint64_t now)
{
    unsigned floor = spares_floor(kind), half = pa->spare_limit[kind] / 2;
    if (pa->spare_limit[kind] > floor && now - pa->remap_ms[kind] >= SPARES_RELAX_MS) {
        half = half < floor ? floor : half;
        pa->spare_limit[kind] = half < pa->nempty[kind] ? pa->nempty[kind] : half; /* spares kept stay within it */
        pa->remap_ms[kind] = now;
    }
}

void pooled_spares_init(hb_pooled *pa)
{
    for (unsigned kind = 0; kind < NKINDS; kind++)
        pa->spare_limit[kind] = spares_floor(kind);
}

static arena *arena_new(hb_pooled *pa, unsigned kind)
{
    size_t bytes = arena_bytes(kind), ng = bytes >> ARENA_SHIFT;
    spares_remapped(pa, kind, now_ms(pa));
    arena *a = map_aligned(bytes, bytes, bytes);
    if (a == NULL)
        return NULL;
    /* an arena is aligned to its size, so its granules share one leaf */
    _Atomic uintptr_t *slot = pooled_radix_slot(pa, (uintptr_t)a, true);
    if (slot == NULL) {
        munmap(a, bytes);
        return NULL;
    }
    atomic_fetch_add_explicit(&pa->mapped, bytes, memory_order_relaxed);
    a->base = (uintptr_t)a; /* the rest is zero: fresh from mmap */
    a->kind = (uint8_t)kind;
    a->shift = (uint8_t)shift_of_kind(kind);
    a->npools = (unsigned)(bytes >> a->shift) - 1;
    a->nfree = a->npools;
    for (unsigned i = 0; i < a->npools; i++) {
        a->pools[i].start = (char *)a + ((size_t)(i + 1) << a->shift);
        a->pools[i].arena = a;
    }
    a->all_next = pa->all;
    if (pa->all != NULL)
        pa->all->all_prev = a;
    pa->all = a;
    pa->narenas++;
    pa->nempty[kind]++;
    bucket_insert(pa, a);
    for (size_t g = first_granule(kind); g < ng; g++)
        atomic_store_explicit(slot + g, radix_entry(a, g, a->shift), memory_order_release);
    return a;
}

static void arena_free(hb_pooled *pa, arena *a)
{
    for (unsigned i = 0; i < a->nextpool; i++)
        if (a->pools[i].dirty_bytes != 0)
            dirty_unlink(pa, &a->pools[i]);
    bucket_remove(pa, a);
    _Atomic uintptr_t *slot = pooled_radix_slot(pa, a->base, false);
    for (size_t g = first_granule(a->kind); g < arena_bytes(a->kind) >> ARENA_SHIFT; g++)
        atomic_store_explicit(slot + g, 0, memory_order_release);
    if (a->all_prev != NULL)
        a->all_prev->all_next = a->all_next;
    else
        pa->all = a->all_next;
    if (a->all_next != NULL)
        a->all_next->all_prev = a->all_prev;
    pa->narenas--;
    pooled_unmap(pa, a, arena_bytes(a->kind));
}

/* A pool of class cls for heap h, from the fullest arena that has one.  Its
 * class is set under the lock, where hb_pooled_stats reads it. */
pool *pooled_arena_take(hb_pooled *pa, heap *h, size_t cls)
{
    unsigned kind = kind_of_class(cls);
    pthread_mutex_lock(&pa->lock);
    if (pa->ncached != 0 || pa->nempty[KIND_SMALL] > 1 || pa->nempty[KIND_MEDIUM] > 1 || pa->nempty[KIND_BIG] > 1 ||
        pa->dirty_head != NULL)
        large_expire(pa, false);
    arena *a;
    if (pa->bucket_bits[kind] != 0)
        a = pa->bucket[kind][__builtin_ctzll(pa->bucket_bits[kind]) + 1];
    else if ((a = arena_new(pa, kind)) == NULL) {
        pthread_mutex_unlock(&pa->lock);
        return NULL;
    }
    bucket_remove(pa, a);
    if (a->nfree == a->npools)
        pa->nempty[kind]--;
    pool *p = a->freepools;
    if (p != NULL)
        a->freepools = p->next;
    else
        p = &a->pools[a->nextpool++];
    if (p->dirty_bytes != 0)
        dirty_unlink(pa, p); /* its pages are still resident */
    a->nfree--;
    bucket_insert(pa, a);
    size_t bs = pooled_class_size[cls];
    p->free = NULL;
    used_set(p, 0);
    p->cls = (uint8_t)cls;
    p->bsize = (uint32_t)bs;
    p->nextoffset = 0;
    p->maxoffset = (uint32_t)((((size_t)1 << a->shift) / bs) * bs);
    p->owner = h;
    atomic_store_explicit(&p->thread_free, 0, memory_order_relaxed);
    pthread_mutex_unlock(&pa->lock);
    return p;
}

/* Unmaps spare arenas that have been empty for ARENA_DELAY_MS, but one of each kind (lock held). */
static void arena_expire(hb_pooled *pa, uint64_t now)
{
    for (unsigned kind = 0; kind < NKINDS; kind++) {
        arena *next;
        unsigned n = (unsigned)(arena_bytes(kind) >> shift_of_kind(kind)) - 1;
        for (arena *a = pa->bucket[kind][n]; a != NULL && pa->nempty[kind] > 1; a = next) {
            next = a->next;
            if (now - a->empty_ms >= ARENA_DELAY_MS) {
                pa->nempty[kind]--;
                arena_free(pa, a);
            }
        }
    }
}

/* Gives an empty pool back to its arena.  An arena that empties stays as a
 * spare (at most the kind's spare limit, unmapped after the delay but one),
 * so that a workload whose live set swings does not fault its pages in again
 * and again.  Keeps errno. */
void pooled_arena_put(hb_pooled *pa, pool *p)
{
    int saved = errno;
    size_t dirty = ((size_t)p->nextoffset + pa->page - 1) & ~(pa->page - 1);
    pthread_mutex_lock(&pa->lock);
    arena *a = p->arena;
    uint64_t now = now_ms(pa);
    if (dirty != 0)
        dirty_append(pa, p, (uint32_t)dirty, now);
    p->where = POOL_FREE;
    p->owner = NULL;
    p->next = a->freepools;
    a->freepools = p;
    bucket_remove(pa, a);
    a->nfree++;
    if (a->nfree == a->npools)
        spares_relax(pa, a->kind, now);
    if (a->nfree == a->npools && pa->nempty[a->kind] >= pa->spare_limit[a->kind]) {
        pa->spare_debt[a->kind]++;
        pa->unmap_ms[a->kind] = now;
        a->nfree = 0; /* so that arena_free finds it in no bucket */
        arena_free(pa, a);
    } else {
        if (a->nfree == a->npools) {
            pa->nempty[a->kind]++;
            a->empty_ms = now;
        }
        bucket_insert(pa, a);
    }
    if (pa->dirty_head != NULL && now - pa->dirty_head->freed_ms >= PURGE_DELAY_MS)
        pooled_purge(pa, false);
    pthread_mutex_unlock(&pa->lock);
    errno = saved;
}
