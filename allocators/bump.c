/*
 * bump.c: the bump allocator, the lower bound on allocation cost.
 *
 * Each thread carves blocks from its own chunk by advancing a pointer; free
 * is a no-op by design, so memory only grows until the instance is
 * destroyed.  Chunks are CHUNK_SIZE bytes, mapped aligned to CHUNK_SIZE so
 * that any block finds its chunk header by masking its address; a request
 * too big for a chunk gets a mapping of its own, with the same header.
 *
 * Invariants: every chunk of an instance is on its `chunks` list (guarded by
 * `lock`, which fork takes through forksafe.h); a thread's cursor lies inside one chunk of the instance whose id
 * its cache names; blocks are HB_MIN_ALIGN aligned.  The per-thread cache
 * names an instance by a process-unique id, never by address, so a cache left
 * behind by a destroyed instance can never be mistaken for a new one.
 *
 * realloc copies min(old, new) bytes when the caller passes the old size
 * (the interface's contract); when it passes 0 (unknown), it copies up to the
 * end of the chunk, which is always mapped, so the old contents survive.
 */
#define _GNU_SOURCE
#include "allocator.h"
#include "builtin.h"
#include "forksafe.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* ---- tunables -------------------------------------------------------------- */
#define CHUNK_SIZE ((size_t)16 << 20) /* refills are rare; above the largest alignment tested (8 MiB) */
#define BIG_REQUEST (CHUNK_SIZE / 16)  /* larger requests get a mapping of their own: no chunk waste */
#define CHUNK_MAGIC 0x62756d7063686bULL
/* ------------------------------------------------------------------------------ */

typedef struct chunk {
    uint64_t magic;
    size_t size;           /* bytes mapped, header included */
    struct chunk *next;    /* instance's list */
    char pad[HB_MIN_ALIGN * 2 - sizeof(uint64_t) - sizeof(size_t) - sizeof(void *)];
} chunk;
_Static_assert(sizeof(chunk) % HB_MIN_ALIGN == 0, "chunk header keeps blocks aligned");
_Static_assert((CHUNK_SIZE & (CHUNK_SIZE - 1)) == 0, "chunk size is a power of two");

typedef struct bump {
    uint64_t id;
    pthread_mutex_t lock;
    chunk *chunks;
    _Atomic size_t mapped;
    hb_fork_entry fork_entry; /* takes lock across fork: a child must not inherit it held */
} bump;

/* Per-thread cursor, for the instance with id `id`. */
static __thread struct {
    uint64_t id;
    char *cur, *end;
} tls;

static _Atomic uint64_t next_id = 1;

/* Maps `size` bytes aligned to `align` (a power of two >= page size). */
static void *map_aligned(size_t size, size_t align)
{
    if (size > SIZE_MAX - align)
        return NULL;
    size_t span = size + align;
    char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    char *p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    size_t tail = (size_t)(raw + span - (p + size));
    if (tail > 0)
        munmap(p + size, tail);
    return p;
}

static chunk *new_chunk(bump *b, size_t size)
{
    chunk *c = map_aligned(size, CHUNK_SIZE);
    if (c == NULL)
        return NULL;
    c->magic = CHUNK_MAGIC;
    c->size = size;
    pthread_mutex_lock(&b->lock);
    c->next = b->chunks;
    b->chunks = c;
    pthread_mutex_unlock(&b->lock);
    atomic_fetch_add_explicit(&b->mapped, size, memory_order_relaxed);
    return c;
}

static void *bump_create(void)
{
    bump *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED)
        return NULL;
    b->id = atomic_fetch_add(&next_id, 1);
    pthread_mutex_init(&b->lock, NULL);
    b->chunks = NULL;
    atomic_init(&b->mapped, 0);
    /* fork while another thread links a new chunk: a child must not inherit
     * `lock` held by a thread it does not have (its next chunk would wait forever) */
    hb_fork_register_mutex(&b->fork_entry, &b->lock);
    return b;
}

static void bump_destroy(void *ctx)
{
    bump *b = ctx;
    hb_fork_unregister(&b->fork_entry);
    chunk *c = b->chunks;
    while (c != NULL) {
        chunk *next = c->next;
        munmap(c, c->size);
        c = next;
    }
    if (tls.id == b->id)
        tls.id = 0;
    pthread_mutex_destroy(&b->lock);
    munmap(b, sizeof *b);
}

static inline size_t round_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

/* Slow path: a request that does not fit the thread's current chunk. */
static void *bump_refill(bump *b, size_t size, size_t align)
{
    if (size > PTRDIFF_MAX - CHUNK_SIZE || align >= CHUNK_SIZE) { /* p must stay in its first chunk */
        errno = ENOMEM;
        return NULL;
    }
    if (size + align > BIG_REQUEST) {
        chunk *c = new_chunk(b, round_up(sizeof(chunk) + size + align, (size_t)4096));
        if (c == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        return (void *)round_up((uintptr_t)(c + 1), align);
    }
    chunk *c = new_chunk(b, CHUNK_SIZE);
    if (c == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    tls.id = b->id;
    tls.cur = (char *)(c + 1);
    tls.end = (char *)c + CHUNK_SIZE;
    char *p = (char *)round_up((uintptr_t)tls.cur, align);
    tls.cur = p + size;
    return p;
}

static inline void *bump_alloc(bump *b, size_t size, size_t align)
{
    size = round_up(size ? size : 1, HB_MIN_ALIGN);
    if (__builtin_expect(tls.id == b->id, 1)) {
        char *p = (char *)round_up((uintptr_t)tls.cur, align);
        if (__builtin_expect(p <= tls.end && size <= (size_t)(tls.end - p), 1)) {
            tls.cur = p + size;
            return p;
        }
    }
    return bump_refill(b, size, align);
}

static void *bump_malloc(void *ctx, size_t size)
{
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    return bump_alloc(ctx, size, HB_MIN_ALIGN);
}

static void *bump_calloc(void *ctx, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total) || total > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    /* Bump memory is never reused, so it is still the zero-filled memory that
     * mmap gave. */
    return bump_alloc(ctx, total, HB_MIN_ALIGN);
}

static void bump_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)p;
    (void)size; /* a no-op by design */
}

static void *bump_realloc(void *ctx, void *p, size_t old, size_t size)
{
    if (p == NULL)
        return bump_malloc(ctx, size);
    if (size == 0)
        return NULL; /* "frees" p */
    void *q = bump_malloc(ctx, size);
    if (q == NULL)
        return NULL;
    size_t copy = old;
    if (copy == 0) { /* unknown: everything up to the end of p's chunk is mapped */
        chunk *c = (chunk *)((uintptr_t)p & ~(uintptr_t)(CHUNK_SIZE - 1));
        copy = (size_t)((char *)c + c->size - (char *)p);
    }
    memmove(q, p, copy < size ? copy : size); /* with an unknown old size the ranges may overlap */
    return q;
}

static void *bump_aligned(void *ctx, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    return bump_alloc(ctx, size, align < HB_MIN_ALIGN ? HB_MIN_ALIGN : align);
}

static size_t bump_usable(void *ctx, const void *p)
{
    (void)ctx;
    (void)p;
    return 0; /* bump keeps no sizes */
}

static int bump_stats(void *ctx, hb_alloc_stats *st)
{
    bump *b = ctx;
    st->mapped = atomic_load_explicit(&b->mapped, memory_order_relaxed);
    st->in_use = 0;
    st->live = 0;
    return 0;
}

static int bump_check(void *ctx, char *msg, size_t len)
{
    bump *b = ctx;
    size_t total = 0, n = 0;
    pthread_mutex_lock(&b->lock);
    for (chunk *c = b->chunks; c != NULL; c = c->next, n++) {
        if (((uintptr_t)c & (CHUNK_SIZE - 1)) != 0 || c->magic != CHUNK_MAGIC || c->size < sizeof(chunk) ||
            c->size % 4096 != 0) {
            snprintf(msg, len, "bump: chunk %zu at %p is corrupt", n, (void *)c);
            pthread_mutex_unlock(&b->lock);
            return -1;
        }
        total += c->size;
    }
    pthread_mutex_unlock(&b->lock);
    if (total != atomic_load(&b->mapped)) {
        snprintf(msg, len, "bump: chunks hold %zu bytes but %zu are counted as mapped", total,
                 (size_t)atomic_load(&b->mapped));
        return -1;
    }
    if (tls.id == b->id) {
        chunk *c = (chunk *)((uintptr_t)(tls.end - 1) & ~(uintptr_t)(CHUNK_SIZE - 1));
        if (tls.cur < (char *)(c + 1) || tls.cur > tls.end || c->magic != CHUNK_MAGIC) {
            snprintf(msg, len, "bump: this thread's cursor %p lies outside its chunk", (void *)tls.cur);
            return -1;
        }
    }
    return 0;
}

const hb_allocator_ops hb_bump_ops = {
    .name = "bump",
    .summary = "per-thread bump arenas; free is a no-op: the lower bound on allocation cost",
    .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_STATS | HB_ALLOC_CHECK,
    .preload = NULL,
    .create = bump_create,
    .destroy = bump_destroy,
    .malloc = bump_malloc,
    .calloc = bump_calloc,
    .realloc = bump_realloc,
    .aligned = bump_aligned,
    .free = bump_free,
    .usable_size = bump_usable,
    .stats = bump_stats,
    .check = bump_check,
    .verify = NULL,
};
