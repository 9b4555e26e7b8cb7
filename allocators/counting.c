/*
 * counting.c: the counting wrapper, heapbench's tracemalloc.
 *
 * Stacks over any instance and counts live and peak requested bytes and
 * blocks, as tracemalloc's get_traced_memory() reports current and peak.
 *
 * Counting must cost little next to a 5 ns malloc, so each thread counts in
 * a thread-local batch (plain adds, no atomics) and folds it into the shared
 * atomic totals every FLUSH_OPS calls, when the wrapper is read, and when the
 * thread exits (a pthread key destructor).  The batch also remembers the
 * highest its byte delta rose since the last fold, so the peak raised at a
 * fold is exact for one thread and, with several, is the shared total plus
 * one thread's excursion (an estimate; tracemalloc takes a lock instead).
 * A batch names its wrapper by a process-unique id and is folded only into a
 * wrapper still open (a table of open wrappers), so a batch left behind by a
 * closed wrapper is dropped, never written into freed memory.  Frees subtract the size
 * the caller passes; with HB_COUNT_TRACK a pointer->size table (open
 * addressing, linear probing, tombstones, in mmap'd memory behind one mutex)
 * supplies it instead.  With HB_COUNT_FRAG every allocation also asks the
 * inner allocator for the usable size, to measure internal fragmentation.
 * Its own memory never comes from the allocator it measures.
 */
#define _GNU_SOURCE
#include "allocator.h"
#include "forksafe.h"

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
    uint64_t id;
    _Atomic size_t live_bytes, peak_bytes, live_blocks, peak_blocks;
    _Atomic size_t total_allocs, total_frees, total_bytes;
    _Atomic size_t slack, slack_requested;
    /* pointer -> size table, HB_COUNT_TRACK only */
    pthread_mutex_t lock;
    slot *table;
    size_t cap, used; /* used counts tombstones too */
    hb_fork_entry fork_entry; /* takes lock across fork: a child must not inherit it held */
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

/* ---- thread-local batches ------------------------------------------------ */
#define FLUSH_OPS 64   /* calls per fold: the atomics cost 1/64 of a call each */
#define MAX_OPEN 64    /* wrappers open at once in one process */

typedef struct batch {
    uint64_t id;                 /* wrapper this batch counts for; 0: none */
    intptr_t bytes, blocks;      /* deltas since the last fold */
    intptr_t max_bytes, max_blocks; /* highest the deltas rose since the last fold */
    size_t allocs, frees, total;
    unsigned ops;
} batch;

static __thread batch tb;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static counting *open_table[MAX_OPEN];
static _Atomic uint64_t next_id = 1;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* Folds the batch into c (which must be open, or NULL: the batch is dropped). */
static void fold_into(counting *c, batch *b)
{
    if (c != NULL) {
        size_t before = atomic_fetch_add_explicit(&c->live_bytes, (size_t)b->bytes, memory_order_relaxed);
        size_t nbefore = atomic_fetch_add_explicit(&c->live_blocks, (size_t)b->blocks, memory_order_relaxed);
        if (b->max_bytes > 0)
            raise_peak(&c->peak_bytes, before + (size_t)b->max_bytes);
        if (b->max_blocks > 0)
            raise_peak(&c->peak_blocks, nbefore + (size_t)b->max_blocks);
        atomic_fetch_add_explicit(&c->total_allocs, b->allocs, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->total_frees, b->frees, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->total_bytes, b->total, memory_order_relaxed);
    }
    uint64_t id = b->id;
    memset(b, 0, sizeof *b);
    b->id = id;
}

/* The open wrapper with this id, or NULL.  Call with open_lock held. */
static counting *find_open(uint64_t id)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (open_table[i] != NULL && open_table[i]->id == id)
            return open_table[i];
    return NULL;
}

/* Folds this thread's batch into whichever open wrapper it belongs to. */
static void fold_mine(void)
{
    if (tb.id == 0)
        return;
    pthread_mutex_lock(&open_lock);
    fold_into(find_open(tb.id), &tb);
    pthread_mutex_unlock(&open_lock);
}

static void on_thread_exit(void *arg)
{
    (void)arg;
    fold_mine();
    tb.id = 0;
}

static void open_lock_take(void) { pthread_mutex_lock(&open_lock); }
static void open_lock_give(void) { pthread_mutex_unlock(&open_lock); }
static void open_lock_reset(void) { pthread_mutex_init(&open_lock, NULL); }

static void make_exit_key(void)
{
    pthread_key_create(&exit_key, on_thread_exit);
    pthread_atfork(open_lock_take, open_lock_give, open_lock_reset); /* a child may count too */
}

/* Makes this thread's batch count for c (slow path: first use, or switch). */
static void adopt(counting *c)
{
    fold_mine();
    tb.id = c->id;
    pthread_once(&exit_once, make_exit_key);
    pthread_setspecific(exit_key, &tb); /* non-NULL, so the destructor runs */
}

static inline void count(counting *c, intptr_t bytes, intptr_t blocks, int alloc)
{
    if (__builtin_expect(tb.id != c->id, 0))
        adopt(c);
    tb.bytes += bytes;
    tb.blocks += blocks;
    if (tb.bytes > tb.max_bytes)
        tb.max_bytes = tb.bytes;
    if (tb.blocks > tb.max_blocks)
        tb.max_blocks = tb.blocks;
    if (alloc) {
        tb.allocs++;
        tb.total += (size_t)bytes;
    } else {
        tb.frees++;
    }
    if (__builtin_expect(++tb.ops >= FLUSH_OPS, 0))
        fold_into(c, &tb); /* c is open: the caller is using it */
}

static void note_alloc(counting *c, void *p, size_t size)
{
    count(c, (intptr_t)size, 1, 1);
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
    count(c, -(intptr_t)size, -1, 0);
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
    pthread_mutex_lock(&open_lock);
    for (int i = 0; i < MAX_OPEN; i++)
        if (open_table[i] == c)
            open_table[i] = NULL;
    pthread_mutex_unlock(&open_lock);
    if (tb.id == c->id)
        tb.id = 0;
    hb_fork_unregister(&c->fork_entry);
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
    c->id = atomic_fetch_add(&next_id, 1);
    pthread_mutex_init(&c->lock, NULL);
    int slot_i = -1;
    pthread_mutex_lock(&open_lock);
    for (int i = 0; i < MAX_OPEN && slot_i < 0; i++)
        if (open_table[i] == NULL)
            open_table[slot_i = i] = c;
    pthread_mutex_unlock(&open_lock);
    if (slot_i < 0) {
        pthread_mutex_destroy(&c->lock);
        munmap(c, sizeof *c);
        errno = EMFILE;
        return -1;
    }
    /* fork while another thread is inside track_add/track_take: a child must
     * not inherit the table lock held by a thread it does not have */
    hb_fork_register_mutex(&c->fork_entry, &c->lock);
    out->ops = &counting_ops;
    out->ctx = c;
    return 0;
}

void hb_counting_get(const hb_alloc *a, hb_count_stats *st)
{
    counting *c = a->ctx;
    if (tb.id == c->id)
        fold_into(c, &tb);
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
    if (tb.id == c->id)
        fold_into(c, &tb);
    atomic_store(&c->peak_bytes, atomic_load(&c->live_bytes));
    atomic_store(&c->peak_blocks, atomic_load(&c->live_blocks));
}
