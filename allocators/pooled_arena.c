/*
 * pooled_arena.c: the bottom layer of the pooled allocator: memory from the
 * OS (mmap only), the metadata that holds heaps, the radix tree that says
 * which addresses are arenas, and the arenas themselves, kept in buckets by
 * their number of free pools so that new pools come from the fullest arena.
 * Everything here runs under the instance lock.  See pooled.c for the design.
 */
#define _GNU_SOURCE
#include "pooled_internal.h"

#include <sys/mman.h>

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

_Atomic(arena *) *pooled_radix_slot(hb_pooled *pa, uintptr_t base, bool create)
{
    _Atomic(arena *) *_Atomic *rs = &pa->root[base >> (ADDR_BITS - ROOT_BITS)];
    _Atomic(arena *) *leaf = atomic_load_explicit(rs, memory_order_relaxed);
    if (leaf == NULL) {
        if (!create)
            return NULL;
        leaf = pooled_map(LEAF_LEN * sizeof *leaf);
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
    _Atomic(arena *) *slot = pooled_radix_slot(pa, (uintptr_t)a, true);
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
    atomic_store_explicit(pooled_radix_slot(pa, a->base, false), NULL, memory_order_release);
    if (a->all_prev != NULL)
        a->all_prev->all_next = a->all_next;
    else
        pa->all = a->all_next;
    if (a->all_next != NULL)
        a->all_next->all_prev = a->all_prev;
    pa->narenas--;
    pooled_unmap(pa, a, ARENA_SIZE);
}

/* A pool of class cls for heap h, from the fullest arena that has one.  Its
 * class is set under the lock, where hb_pooled_stats reads it. */
pool *pooled_arena_take(hb_pooled *pa, heap *h, size_t cls)
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
void pooled_arena_put(hb_pooled *pa, pool *p)
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
