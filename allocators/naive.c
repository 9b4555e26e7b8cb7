/*
 * naive.c: the naive allocator, a textbook first-fit free-list allocator with
 * boundary tags and immediate coalescing, on its own mmap'd heap.  Correct,
 * simple and honestly slow: the baseline that shows why pools exist.
 *
 * Heap.  Memory comes from mmap in chunks of CHUNK_SIZE (1 MiB).  A request
 * whose block would exceed HUGE_THRESHOLD (256 KiB) gets a mapping of its own,
 * so freeing it gives the memory straight back to the OS.
 *
 *   chunk (page aligned, size a multiple of the page size)
 *   +--------------+----------+---------+---------+-----+---------+----------+
 *   | chunk header | prologue | block 0 | block 1 | ... | block n | epilogue |
 *   |   32 bytes   | 8: 0|A   |         |         |     |         |  8: 0|A  |
 *   +--------------+----------+---------+---------+-----+---------+----------+
 *   offset 0        32         40                                 size-8
 *
 *   block (size a multiple of 16, at least MIN_BLOCK = 32)
 *   allocated:  [ tag | payload (size - 16 bytes, 16-aligned) ...... | tag ]
 *   free:       [ tag | next | prev | ...unused...                   | tag ]
 *                 b     b+8                                            b+size-8
 *   tag = size | A (bit 0: allocated) | H (bit 1: huge, own mapping)
 *
 * A block's header sits at an address = 8 (mod 16), so its payload is 16-byte
 * aligned and the next block's header is again = 8 (mod 16).  The prologue
 * (a footer of size 0, allocated) and the epilogue (a header of size 0,
 * allocated) stop coalescing at the chunk's ends.
 *
 *   huge block (own mapping)
 *   [ ...gap (aligned requests only)... | huge header: next prev maplen offset
 *     magic tag | payload ...to the end of the mapping ]
 *   The tag is the last word before the payload, as for chunk blocks, with H
 *   set; `offset` is payload - mapping start.
 *
 * Invariants (hb_naive_check verifies each of them):
 *  - in every chunk, blocks tile [first block, epilogue) exactly; each block's
 *    header equals its footer; sizes are multiples of 16 and >= MIN_BLOCK;
 *  - no two adjacent blocks are free (coalescing is immediate, both sides);
 *  - the free list holds exactly the free blocks, each once, doubly linked;
 *  - `spare`, if set, is a chunk whose single block is free and whole;
 *  - the counters (mapped, in_use, live, nfree) agree with a full walk.
 *
 * Fork: in process, every live instance is locked across fork by handlers
 * registered once (see instance_add); the drop-in registers its own.
 *
 * Policy.  One explicit free list, LIFO (a freed or split-off block goes to
 * the head), searched first fit from the head: O(1) free, O(free blocks)
 * malloc.  A block is split when the rest would be at least MIN_BLOCK.  A
 * chunk that becomes entirely free is unmapped, except that one such chunk is
 * kept as a spare so that an alloc/free pair at a chunk boundary does not
 * mmap/munmap every time.  realloc shrinks in place, grows in place into a
 * free successor, remaps huge blocks with mremap, and otherwise moves.
 * aligned() over-allocates by align + MIN_BLOCK and gives the leading gap
 * back as a free block; large alignments go to a huge mapping trimmed to the
 * aligned address.  One pthread mutex guards everything.
 *
 * This file is linked into the drop-in libraries, which *are* malloc: it
 * calls nothing that may allocate (no malloc, no stdio), only mmap/munmap/
 * mremap and the string functions.
 */
#define _GNU_SOURCE
#include "allocator.h"
#include "builtin.h"
#include "forksafe.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define NAIVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NAIVE_ASAN 1
#endif
#endif
#ifdef NAIVE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* ---- tunables -------------------------------------------------------------- */
#define CHUNK_SIZE ((size_t)1 << 20)     /* one mmap per MiB of small blocks: refills are rare */
#define HUGE_THRESHOLD ((size_t)256 << 10) /* bigger blocks get their own mapping, returned on free */
#define MIN_BLOCK ((size_t)32)           /* header + two links + footer */
#define TAG_SIZE ((size_t)8)
#define FIRST_OFFSET ((size_t)40)        /* chunk header (32) + prologue (8) */
#define MAX_REQUEST ((size_t)PTRDIFF_MAX - ((size_t)1 << 30)) /* above: ENOMEM without trying */
#define CHUNK_MAGIC 0x6e616976656368ULL  /* "naivech" */
#define HUGE_MAGIC 0x6e61697665687567ULL /* "naivehug" */
#define HEAP_MAGIC 0x6e61697665686561ULL /* "naivehea" */
/* ------------------------------------------------------------------------------ */

#define T_ALLOC ((size_t)1)
#define T_HUGE ((size_t)2)
#define T_SIZE (~(size_t)15)

typedef struct chunk {
    uint64_t magic;
    size_t size; /* bytes mapped, header included */
    struct chunk *next, *prev;
} chunk;
_Static_assert(sizeof(chunk) + TAG_SIZE == FIRST_OFFSET, "first block header follows the prologue");
_Static_assert(FIRST_OFFSET % HB_MIN_ALIGN == TAG_SIZE, "payloads are 16-byte aligned");

typedef struct huge {
    struct huge *next, *prev;
    size_t maplen; /* bytes mapped */
    size_t offset; /* payload - start of the mapping */
    uint64_t magic;
    size_t tag; /* usable | T_ALLOC | T_HUGE: the word before the payload */
} huge;
_Static_assert(sizeof(huge) % HB_MIN_ALIGN == 0, "huge payloads are 16-byte aligned");

struct hb_naive {
    uint64_t magic;
    pthread_mutex_t lock;
    chunk *chunks;    /* every chunk, doubly linked */
    chunk *spare;     /* an entirely free chunk kept mapped, or NULL */
    char *free_head;  /* LIFO free list of chunk blocks */
    huge *huges;      /* every huge block, doubly linked */
    size_t nchunks, nhuge;
    size_t mapped;    /* bytes of chunks and huge mappings */
    size_t in_use;    /* usable bytes of live blocks */
    size_t live;      /* live blocks */
    size_t nfree;     /* blocks on the free list */
    hb_fork_entry fork_entry; /* registration with forksafe.c (in process) */
};

static size_t page_size(void)
{
    static _Atomic size_t cached; /* benign: every thread computes the same value */
    size_t ps = atomic_load_explicit(&cached, memory_order_relaxed);
    if (ps == 0) {
        long v = sysconf(_SC_PAGESIZE);
        ps = v > 0 ? (size_t)v : 4096;
        atomic_store_explicit(&cached, ps, memory_order_relaxed);
    }
    return ps;
}

static inline size_t round_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

/* ---- block helpers (b points at a block's header) ------------------------ */
static inline size_t tag_at(const char *p) { return *(const size_t *)p; }
static inline void set_tag(char *p, size_t t) { *(size_t *)p = t; }
static inline size_t bsize(const char *b) { return tag_at(b) & T_SIZE; }
static inline int is_alloc(const char *b) { return (tag_at(b) & T_ALLOC) != 0; }
static inline void set_block(char *b, size_t size, size_t flags)
{
    set_tag(b, size | flags);
    set_tag(b + size - TAG_SIZE, size | flags);
}
static inline char **link_next(char *b) { return (char **)(b + TAG_SIZE); }
static inline char **link_prev(char *b) { return (char **)(b + 2 * TAG_SIZE); }
static inline char *first_block(chunk *c) { return (char *)c + FIRST_OFFSET; }
static inline char *epilogue(chunk *c) { return (char *)c + c->size - TAG_SIZE; }

/* Block size for a request of n bytes (n <= MAX_REQUEST). */
static inline size_t block_for(size_t n)
{
    size_t s = round_up(n + 2 * TAG_SIZE, HB_MIN_ALIGN);
    return s < MIN_BLOCK ? MIN_BLOCK : s;
}

/* ---- free list ------------------------------------------------------------- */
static void list_push(hb_naive *h, char *b)
{
    *link_next(b) = h->free_head;
    *link_prev(b) = NULL;
    if (h->free_head != NULL)
        *link_prev(h->free_head) = b;
    h->free_head = b;
    h->nfree++;
    POISON(b + 3 * TAG_SIZE, bsize(b) - 4 * TAG_SIZE);
}

static void list_remove(hb_naive *h, char *b)
{
    UNPOISON(b, bsize(b));
    char *n = *link_next(b), *p = *link_prev(b);
    if (p != NULL)
        *link_next(p) = n;
    else
        h->free_head = n;
    if (n != NULL)
        *link_prev(n) = p;
    h->nfree--;
    if (h->spare != NULL && b == first_block(h->spare))
        h->spare = NULL;
}

/* ---- chunks ------------------------------------------------------------------ */
static void chunk_unmap(hb_naive *h, chunk *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        h->chunks = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    h->nchunks--;
    h->mapped -= c->size;
    size_t size = c->size;
    UNPOISON(c, size);
    munmap(c, size);
}

/* Maps a new chunk and returns its single free block, not on the free list. */
static char *chunk_new(hb_naive *h)
{
    size_t size = CHUNK_SIZE;
    chunk *c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        return NULL;
    c->magic = CHUNK_MAGIC;
    c->size = size;
    c->prev = NULL;
    c->next = h->chunks;
    if (h->chunks != NULL)
        h->chunks->prev = c;
    h->chunks = c;
    h->nchunks++;
    h->mapped += size;
    set_tag((char *)c + sizeof(chunk), T_ALLOC); /* prologue */
    set_tag(epilogue(c), T_ALLOC);
    char *b = first_block(c);
    set_block(b, size - FIRST_OFFSET - TAG_SIZE, 0);
    return b;
}

/* Marks b free, merges it with free neighbours, and puts the result on the
 * free list, or unmaps its chunk when it became entirely free and a spare is
 * already kept. */
static void release_block(hb_naive *h, char *b)
{
    size_t size = bsize(b);
    if (!(tag_at(b - TAG_SIZE) & T_ALLOC)) { /* previous block is free */
        char *prev = b - (tag_at(b - TAG_SIZE) & T_SIZE);
        list_remove(h, prev);
        size += bsize(prev);
        b = prev;
    }
    char *next = b + size;
    if (!is_alloc(next)) {
        list_remove(h, next);
        size += bsize(next);
    }
    set_block(b, size, 0);
    chunk *c = (chunk *)(b - FIRST_OFFSET);
    if (tag_at(b - TAG_SIZE) == T_ALLOC && tag_at(b + size) == T_ALLOC && c->magic == CHUNK_MAGIC &&
        size == c->size - FIRST_OFFSET - TAG_SIZE) { /* the whole chunk is free */
        if (h->spare != NULL) {
            chunk_unmap(h, c);
            return;
        }
        list_push(h, b);
        h->spare = c;
        return;
    }
    list_push(h, b);
}

/* Makes b (off the free list, of size >= need) an allocated block of `need`
 * bytes, splitting off the rest as a free block when it is big enough. */
static void *place(hb_naive *h, char *b, size_t need)
{
    size_t size = bsize(b);
    if (size - need >= MIN_BLOCK) {
        set_block(b, need, T_ALLOC);
        set_block(b + need, size - need, 0);
        release_block(h, b + need);
        size = need;
    } else {
        set_block(b, size, T_ALLOC);
    }
    h->in_use += size - 2 * TAG_SIZE;
    h->live++;
    return b + TAG_SIZE;
}

/* First fit: a free block of at least `need` bytes, off the list. */
static char *find_fit(hb_naive *h, size_t need)
{
    for (char *b = h->free_head; b != NULL; b = *link_next(b)) {
        if (bsize(b) >= need) {
            list_remove(h, b);
            return b;
        }
    }
    return chunk_new(h);
}

/* ---- huge blocks ------------------------------------------------------------- */
static inline huge *huge_of(const void *p) { return (huge *)((char *)p - sizeof(huge)); }

static void huge_link(hb_naive *h, huge *g)
{
    g->prev = NULL;
    g->next = h->huges;
    if (h->huges != NULL)
        h->huges->prev = g;
    h->huges = g;
    h->nhuge++;
    h->mapped += g->maplen;
    h->in_use += g->maplen - g->offset;
    h->live++;
}

static void huge_unlink(hb_naive *h, huge *g)
{
    if (g->prev != NULL)
        g->prev->next = g->next;
    else
        h->huges = g->next;
    if (g->next != NULL)
        g->next->prev = g->prev;
    h->nhuge--;
    h->mapped -= g->maplen;
    h->in_use -= g->maplen - g->offset;
    h->live--;
}

/* A mapping of its own for `size` bytes aligned to `align` (>= 16). */
static void *huge_alloc(hb_naive *h, size_t align, size_t size)
{
    size_t ps = page_size(), span;
    if (__builtin_add_overflow(size, sizeof(huge) + align, &span) || span > MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    span = round_up(span, ps);
    char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    char *p = (char *)round_up((uintptr_t)raw + sizeof(huge), align);
    char *base = (char *)((uintptr_t)(p - sizeof(huge)) & ~(uintptr_t)(ps - 1));
    char *end = (char *)round_up((uintptr_t)p + (size ? size : 1), ps); /* usable >= 1 */
    if (base > raw)
        munmap(raw, (size_t)(base - raw));
    if (end < raw + span)
        munmap(end, (size_t)(raw + span - end));
    huge *g = huge_of(p);
    g->maplen = (size_t)(end - base);
    g->offset = (size_t)(p - base);
    g->magic = HUGE_MAGIC;
    g->tag = (g->maplen - g->offset) | T_ALLOC | T_HUGE;
    huge_link(h, g);
    return p;
}

static void huge_free(hb_naive *h, huge *g)
{
    huge_unlink(h, g);
    munmap((char *)g + sizeof(huge) - g->offset, g->maplen);
}

/* ---- locked operations --------------------------------------------------------- */
static void *malloc_locked(hb_naive *h, size_t size)
{
    size_t need = block_for(size);
    if (need > HUGE_THRESHOLD)
        return huge_alloc(h, HB_MIN_ALIGN, size);
    char *b = find_fit(h, need);
    if (b == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    return place(h, b, need);
}

static void free_locked(hb_naive *h, void *p)
{
    char *b = (char *)p - TAG_SIZE;
    if (tag_at(b) & T_HUGE) {
        huge_free(h, huge_of(p));
        return;
    }
    h->in_use -= bsize(b) - 2 * TAG_SIZE;
    h->live--;
    release_block(h, b);
}

static void *aligned_locked(hb_naive *h, size_t align, size_t size)
{
    size_t need = block_for(size);
    if (need + align + MIN_BLOCK > HUGE_THRESHOLD)
        return huge_alloc(h, align, size);
    char *b = find_fit(h, need + align + MIN_BLOCK);
    if (b == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    char *pay = b + TAG_SIZE;
    char *p = (char *)round_up((uintptr_t)pay, align);
    if (p != pay && (size_t)(p - pay) < MIN_BLOCK)
        p += align; /* the leading gap must hold a free block */
    if (p != pay) {
        size_t gap = (size_t)(p - pay), total = bsize(b);
        char *ab = p - TAG_SIZE;
        set_block(ab, total - gap, T_ALLOC); /* so the gap does not merge forward */
        set_block(b, gap, 0);
        release_block(h, b);
        b = ab;
    }
    return place(h, b, need);
}

static void *realloc_huge(hb_naive *h, void *p, size_t size)
{
    huge *g = huge_of(p);
    size_t usable = g->maplen - g->offset, ps = page_size();
    if (size <= usable && block_for(size) > HUGE_THRESHOLD / 2) { /* shrink in place, give back the tail */
        char *base = (char *)p - g->offset;
        char *end = (char *)round_up((uintptr_t)p + size, ps);
        if (end < base + g->maplen) {
            size_t cut = (size_t)(base + g->maplen - end);
            munmap(end, cut);
            h->mapped -= cut;
            h->in_use -= cut;
            g->maplen -= cut;
            g->tag = (g->maplen - g->offset) | T_ALLOC | T_HUGE;
        }
        return p;
    }
    if (size > usable && g->offset == sizeof(huge)) { /* grow by remapping, maybe moving */
        size_t len = round_up(size + sizeof(huge), ps);
        huge_unlink(h, g);
        void *m = mremap(g, g->maplen, len, MREMAP_MAYMOVE);
        if (m != MAP_FAILED) {
            g = m;
            g->maplen = len;
            g->tag = (len - g->offset) | T_ALLOC | T_HUGE;
        }
        huge_link(h, g);
        if (m == MAP_FAILED) {
            errno = ENOMEM;
            return NULL;
        }
        return (char *)g + sizeof(huge);
    }
    void *q = malloc_locked(h, size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, size < usable ? size : usable);
    huge_free(h, g);
    return q;
}

static void *realloc_locked(hb_naive *h, void *p, size_t size)
{
    char *b = (char *)p - TAG_SIZE;
    if (tag_at(b) & T_HUGE)
        return realloc_huge(h, p, size);
    size_t need = block_for(size), have = bsize(b);
    if (need <= HUGE_THRESHOLD) {
        if (need <= have) { /* shrink in place */
            if (have - need >= MIN_BLOCK) {
                set_block(b, need, T_ALLOC);
                set_block(b + need, have - need, 0);
                release_block(h, b + need);
                h->in_use -= have - need;
            }
            return p;
        }
        char *next = b + have;
        if (!is_alloc(next) && have + bsize(next) >= need) { /* grow into the free successor */
            list_remove(h, next);
            size_t total = have + bsize(next);
            h->in_use -= have - 2 * TAG_SIZE;
            h->live--;
            set_block(b, total, 0);
            return place(h, b, need);
        }
    }
    void *q = malloc_locked(h, size);
    if (q == NULL)
        return NULL;
    size_t old = have - 2 * TAG_SIZE;
    memcpy(q, p, size < old ? size : old);
    free_locked(h, p);
    return q;
}

/* ---- fork safety of in-process instances ------------------------------------------ */
/* In process, every instance registers its lock with forksafe.c.  The drop-in
 * build leaves this to dropin.c, which orders naive's lock after pooled's and
 * must not see naive's lock taken twice. */
#ifndef HB_DROPIN_NAME
static void fork_prepare_cb(void *h) { hb_naive_fork_prepare(h); }
static void fork_parent_cb(void *h) { hb_naive_fork_parent(h); }
static void fork_child_cb(void *h) { hb_naive_fork_child(h); }

static void instance_add(hb_naive *h)
{
    h->fork_entry.obj = h;
    h->fork_entry.prepare = fork_prepare_cb;
    h->fork_entry.parent = fork_parent_cb;
    h->fork_entry.child = fork_child_cb;
    hb_fork_register(&h->fork_entry);
}

static void instance_remove(hb_naive *h) { hb_fork_unregister(&h->fork_entry); }
#else
static void instance_add(hb_naive *h) { (void)h; }
static void instance_remove(hb_naive *h) { (void)h; }
#endif

/* ---- public API (builtin.h) ------------------------------------------------------ */
hb_naive *hb_naive_create(void)
{
    size_t len = round_up(sizeof(hb_naive), page_size());
    hb_naive *h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    memset(h, 0, sizeof *h);
    h->magic = HEAP_MAGIC;
    pthread_mutex_init(&h->lock, NULL);
    instance_add(h);
    return h;
}

void hb_naive_destroy(hb_naive *h)
{
    if (h == NULL)
        return;
    instance_remove(h);
    while (h->chunks != NULL)
        chunk_unmap(h, h->chunks);
    while (h->huges != NULL)
        huge_free(h, h->huges);
    pthread_mutex_destroy(&h->lock);
    h->magic = 0;
    munmap(h, round_up(sizeof(hb_naive), page_size()));
}

void *hb_naive_malloc(hb_naive *h, size_t size)
{
    if (size > MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&h->lock);
    void *p = malloc_locked(h, size);
    pthread_mutex_unlock(&h->lock);
    return p;
}

void *hb_naive_calloc(hb_naive *h, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total) || total > MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = hb_naive_malloc(h, total);
    if (p == NULL)
        return NULL;
    if (!(tag_at((char *)p - TAG_SIZE) & T_HUGE)) /* a fresh mapping is already zero */
        memset(p, 0, bsize((char *)p - TAG_SIZE) - 2 * TAG_SIZE);
    return p;
}

void *hb_naive_realloc(hb_naive *h, void *p, size_t size)
{
    if (p == NULL)
        return hb_naive_malloc(h, size);
    if (size == 0) {
        hb_naive_free(h, p);
        return NULL;
    }
    if (size > MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&h->lock);
    void *q = realloc_locked(h, p, size);
    pthread_mutex_unlock(&h->lock);
    return q;
}

void *hb_naive_aligned(hb_naive *h, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    if (size > MAX_REQUEST || align > MAX_REQUEST / 2) {
        errno = ENOMEM;
        return NULL;
    }
    if (align <= HB_MIN_ALIGN)
        return hb_naive_malloc(h, size);
    pthread_mutex_lock(&h->lock);
    void *p = aligned_locked(h, align, size);
    pthread_mutex_unlock(&h->lock);
    return p;
}

void hb_naive_free(hb_naive *h, void *p)
{
    if (p == NULL)
        return;
    int saved = errno;
    pthread_mutex_lock(&h->lock);
    free_locked(h, p);
    pthread_mutex_unlock(&h->lock);
    errno = saved;
}

size_t hb_naive_usable_size(hb_naive *h, const void *p)
{
    (void)h;
    if (p == NULL)
        return 0;
    size_t t = tag_at((const char *)p - TAG_SIZE);
    return (t & T_HUGE) ? (t & T_SIZE) : (t & T_SIZE) - 2 * TAG_SIZE;
}

int hb_naive_owns(hb_naive *h, const void *p)
{
    const char *q = p;
    int found = 0;
    if (p == NULL)
        return 0;
    pthread_mutex_lock(&h->lock);
    for (chunk *c = h->chunks; c != NULL && !found; c = c->next)
        found = q > first_block(c) && q < epilogue(c);
    for (huge *g = h->huges; g != NULL && !found; g = g->next)
        found = q == (const char *)g + sizeof(huge);
    pthread_mutex_unlock(&h->lock);
    return found;
}

void hb_naive_stats(hb_naive *h, size_t *mapped, size_t *in_use, size_t *live)
{
    pthread_mutex_lock(&h->lock);
    if (mapped)
        *mapped = h->mapped;
    if (in_use)
        *in_use = h->in_use;
    if (live)
        *live = h->live;
    pthread_mutex_unlock(&h->lock);
}

void hb_naive_fork_prepare(hb_naive *h) { pthread_mutex_lock(&h->lock); }
void hb_naive_fork_parent(hb_naive *h) { pthread_mutex_unlock(&h->lock); }
void hb_naive_fork_child(hb_naive *h) { pthread_mutex_init(&h->lock, NULL); }

/* ---- check ----------------------------------------------------------------------- */
/* A tiny message writer: snprintf may allocate, and this file must not. */
typedef struct msgbuf {
    char *s;
    size_t len, at;
} msgbuf;

static void put_str(msgbuf *m, const char *s)
{
    for (; *s != '\0' && m->len > 0 && m->at + 1 < m->len; s++)
        m->s[m->at++] = *s;
    if (m->len > 0)
        m->s[m->at] = '\0';
}

static void put_num(msgbuf *m, uintptr_t v, unsigned base)
{
    char tmp[32];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    char out[36];
    int k = 0;
    if (base == 16) {
        out[k++] = '0';
        out[k++] = 'x';
    }
    while (n > 0)
        out[k++] = tmp[--n];
    out[k] = '\0';
    put_str(m, out);
}

/* Writes "naive: <what> <value>" and returns -1. */
static int fail(msgbuf *m, const char *what, const void *where, size_t a, size_t b)
{
    put_str(m, "naive: ");
    put_str(m, what);
    if (where != NULL) {
        put_str(m, " at ");
        put_num(m, (uintptr_t)where, 16);
    }
    put_str(m, " (");
    put_num(m, a, 10);
    put_str(m, ", ");
    put_num(m, b, 10);
    put_str(m, ")");
    return -1;
}

static chunk *chunk_holding(hb_naive *h, const char *b)
{
    for (chunk *c = h->chunks; c != NULL; c = c->next)
        if (b >= first_block(c) && b < epilogue(c))
            return c;
    return NULL;
}

static int check_locked(hb_naive *h, msgbuf *m)
{
    size_t mapped = 0, in_use = 0, live = 0, nfree = 0, nchunks = 0, nhuge = 0;
    int spare_seen = 0;
    if (h->magic != HEAP_MAGIC)
        return fail(m, "instance magic is wrong", h, (size_t)h->magic, HEAP_MAGIC);
    for (chunk *c = h->chunks, *prevc = NULL; c != NULL; prevc = c, c = c->next) {
        if (++nchunks > h->nchunks)
            return fail(m, "chunk list is longer than the chunk count (cycle?)", c, nchunks, h->nchunks);
        if (c->magic != CHUNK_MAGIC || c->prev != prevc || c->size < CHUNK_SIZE || c->size % page_size() != 0)
            return fail(m, "chunk header is corrupt", c, c->size, nchunks);
        if (tag_at((char *)c + sizeof(chunk)) != T_ALLOC || tag_at(epilogue(c)) != T_ALLOC)
            return fail(m, "chunk sentinel tag is corrupt", c, tag_at((char *)c + sizeof(chunk)),
                        tag_at(epilogue(c)));
        if (c == h->spare)
            spare_seen = 1;
        mapped += c->size;
        int prev_free = 0;
        char *b = first_block(c), *end = epilogue(c);
        while (b < end) {
            size_t t = tag_at(b), size = t & T_SIZE;
            if (size < MIN_BLOCK || (t & T_HUGE) || (size_t)(end - b) < size)
                return fail(m, "block size is out of range", b, size, (size_t)(end - b));
            if (tag_at(b + size - TAG_SIZE) != t)
                return fail(m, "block header and footer differ", b, t, tag_at(b + size - TAG_SIZE));
            if (t & T_ALLOC) {
                live++;
                in_use += size - 2 * TAG_SIZE;
                prev_free = 0;
            } else {
                if (prev_free)
                    return fail(m, "two adjacent free blocks (missed coalescing)", b, size, 0);
                nfree++;
                prev_free = 1;
            }
            b += size;
        }
        if (b != end)
            return fail(m, "blocks overrun the chunk's epilogue", b, (size_t)(b - (char *)c), c->size);
    }
    if (nchunks != h->nchunks)
        return fail(m, "chunk count disagrees with the chunk list", NULL, nchunks, h->nchunks);
    if (h->spare != NULL) {
        char *b = first_block(h->spare);
        if (!spare_seen || is_alloc(b) || bsize(b) != h->spare->size - FIRST_OFFSET - TAG_SIZE)
            return fail(m, "spare chunk is not an entirely free chunk of the heap", h->spare, spare_seen, bsize(b));
    }
    for (huge *g = h->huges, *prevg = NULL; g != NULL; prevg = g, g = g->next) {
        if (++nhuge > h->nhuge)
            return fail(m, "huge list is longer than the huge count (cycle?)", g, nhuge, h->nhuge);
        if (g->magic != HUGE_MAGIC || g->prev != prevg || g->offset < sizeof(huge) || g->offset % HB_MIN_ALIGN != 0 ||
            g->maplen % page_size() != 0 || g->offset >= g->maplen ||
            g->tag != ((g->maplen - g->offset) | T_ALLOC | T_HUGE))
            return fail(m, "huge block header is corrupt", g, g->maplen, g->offset);
        mapped += g->maplen;
        in_use += g->maplen - g->offset;
        live++;
    }
    if (nhuge != h->nhuge)
        return fail(m, "huge count disagrees with the huge list", NULL, nhuge, h->nhuge);
    size_t listed = 0;
    for (char *b = h->free_head, *prevb = NULL; b != NULL; prevb = b, b = *link_next(b)) {
        if (++listed > nfree)
            return fail(m, "free list holds more entries than there are free blocks (cycle?)", b, listed, nfree);
        if (chunk_holding(h, b) == NULL)
            return fail(m, "free-list entry lies outside every chunk", b, listed, 0);
        if (is_alloc(b) || tag_at(b + bsize(b) - TAG_SIZE) != tag_at(b))
            return fail(m, "free-list entry is not a free block", b, tag_at(b), listed);
        if (*link_prev(b) != prevb)
            return fail(m, "free-list back link is wrong", b, (size_t)(uintptr_t)*link_prev(b), listed);
    }
    if (listed != nfree || nfree != h->nfree)
        return fail(m, "free blocks in the heap, on the list and counted differ", NULL, nfree, listed);
    if (mapped != h->mapped)
        return fail(m, "mapped bytes disagree with the stats", NULL, mapped, h->mapped);
    if (in_use != h->in_use)
        return fail(m, "in-use bytes disagree with the stats", NULL, in_use, h->in_use);
    if (live != h->live)
        return fail(m, "live blocks disagree with the stats", NULL, live, h->live);
    return 0;
}

int hb_naive_check(hb_naive *h, char *msg, size_t msglen)
{
    msgbuf m = {msg, msglen, 0};
    if (msglen > 0)
        msg[0] = '\0';
    pthread_mutex_lock(&h->lock);
    int rc = check_locked(h, &m);
    pthread_mutex_unlock(&h->lock);
    return rc;
}

/* ---- plug-in ops (not in the drop-in builds) ------------------------------------- */
#ifndef HB_DROPIN_NAME
static void *op_create(void) { return hb_naive_create(); }
static void op_destroy(void *ctx) { hb_naive_destroy(ctx); }
static void *op_malloc(void *ctx, size_t n) { return hb_naive_malloc(ctx, n); }
static void *op_calloc(void *ctx, size_t c, size_t n) { return hb_naive_calloc(ctx, c, n); }
static void *op_realloc(void *ctx, void *p, size_t old, size_t n)
{
    (void)old; /* naive knows its block sizes */
    return hb_naive_realloc(ctx, p, n);
}
static void *op_aligned(void *ctx, size_t align, size_t n) { return hb_naive_aligned(ctx, align, n); }
static void op_free(void *ctx, void *p, size_t n)
{
    (void)n;
    hb_naive_free(ctx, p);
}
static size_t op_usable(void *ctx, const void *p) { return hb_naive_usable_size(ctx, p); }
static int op_stats(void *ctx, hb_alloc_stats *st)
{
    hb_naive_stats(ctx, &st->mapped, &st->in_use, &st->live);
    return 0;
}
static int op_check(void *ctx, char *msg, size_t len) { return hb_naive_check(ctx, msg, len); }

const hb_allocator_ops hb_naive_ops = {
    .name = "naive",
    .summary = "first-fit free list with boundary tags and coalescing on an mmap'd heap, one lock",
    .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_USABLE_SIZE | HB_ALLOC_FREES | HB_ALLOC_RETURNS_OS | HB_ALLOC_STATS |
            HB_ALLOC_CHECK,
#ifdef HB_DROPIN_DIR
    .preload = HB_DROPIN_DIR "/libhb-naive.so",
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
#endif
