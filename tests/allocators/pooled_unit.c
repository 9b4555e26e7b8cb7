/*
 * pooled_unit.c: unit test of the pooled allocator (allocators/pooled*.c),
 * linked directly (it serves every size itself: no fallback).
 *
 *  1. edge cases of the allocator contract (sizes 0 and huge, bad alignments,
 *     errno, realloc corners, calloc of recycled blocks);
 *  2. a randomized run of 1M malloc/calloc/realloc/aligned/free operations
 *     over sizes 1..1024 (3% medium up to 40 KiB, 0.5% big-class and large
 *     up to 600 KiB),
 *     every block filled with a
 *     pattern derived from its address and size and verified when it is
 *     freed or moved (so overlapping blocks are caught), hb_pooled_check
 *     every 10k operations;
 *  3. empty arenas (small, medium, big) go back to the OS: stats' mapped bytes
 *     drop after a large live set is freed; freed large blocks are cached,
 *     reused, and unmapped once they have waited past the delay (the
 *     instance's clock is advanced: no test waits); the big classes (32 KiB
 *     .. 64 KiB) come from pools, every class filled past a pool;
 *  3a. the pages of free pools inside partly used arenas go back (madvise)
 *     when the purge is driven (hb_pooled_purge, its zero-delay hook): the
 *     arenas' resident pages, as mincore sees them, drop; blocks allocated
 *     again afterwards are usable and check passes;
 *  3b. large blocks grown by realloc as strbufs grow (in place, copied, moved),
 *     shrunk (copied, or trimmed when too big to cache), grown into a cached block, in four threads;
 *  4. threads that come and go, freeing each other's blocks (1 in 64 of the
 *     big classes or large) through a shared exchange array; then check, and
 *     no live block left once heaps drain;
 *  5. several instances in one thread, destroyed and re-created;
 *  6. fork with the hooks while another thread allocates;
 *  7. the plug-in ops.
 * Exit status 0 on success; otherwise a message on stderr and status 1.
 * The test's own bookkeeping uses libc, never the allocator under test.
 */
#define _GNU_SOURCE
#include "allocator.h"
#include "builtin.h"
#include "pooled_internal.h" /* the tunables the tests check against */

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern const hb_allocator_ops hb_pooled_ops;

#define FAIL(...)                                                                                                      \
    do {                                                                                                               \
        fprintf(stderr, "pooled_unit:%d: ", __LINE__);                                                                 \
        fprintf(stderr, __VA_ARGS__);                                                                                  \
        fputc('\n', stderr);                                                                                           \
        exit(1);                                                                                                       \
    } while (0)
#define EXPECT(cond, ...)                                                                                              \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            FAIL(__VA_ARGS__);                                                                                         \
    } while (0)

/* The allocator's delays (the large cache's, spare arenas', the purge of
 * free pools) are tested without waiting: the test advances the instance's
 * clock (white-box hook, pooled_arena.c) past every delay, or drives the
 * purge with hb_pooled_purge(pa, 1, ...). */
void pooled_clock_advance(hb_pooled *pa, uint64_t ms);
void pooled_clock_freeze(hb_pooled *pa);
#define AN_HOUR_MS ((uint64_t)3600 * 1000)

/* Built twice: pooled_unit with the default build (requests of 32..64 KiB
 * are large blocks) and pooled_unit_big with POOLED_BIG_CLASSES=1 (they
 * come from the big classes' pools). */
#ifndef POOLED_BIG_CLASSES
#define POOLED_BIG_CLASSES 0
#endif
#define CLASS_MAX (POOLED_BIG_CLASSES ? 65536 : 32768) /* the largest request a class serves */

static void check(hb_pooled *pa, const char *when)
{
    char msg[256];
    if (hb_pooled_check(pa, msg, sizeof msg) != 0)
        FAIL("check failed %s: %s", when, msg);
}

/* ---- patterns ------------------------------------------------------------------ */
static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint8_t pat(uintptr_t seed, size_t i) { return (uint8_t)((seed >> (i % 7)) + i * 131 + (seed >> 29)); }
static uintptr_t seed_of(const void *p, size_t n) { return (uintptr_t)p * 0x9E3779B97F4A7C15ULL ^ n; }

static void fill(void *p, size_t n, uintptr_t seed)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = pat(seed, i);
}
static void verify(const void *p, size_t n, uintptr_t seed, const char *what)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != pat(seed, i))
            FAIL("%s: block %p size %zu corrupted at byte %zu (overlap or stray write)", what, p, n, i);
}

/* ---- 1. edge cases ------------------------------------------------------------ */
static void test_edges(hb_pooled *pa)
{
    void *a = hb_pooled_malloc(pa, 0), *b = hb_pooled_malloc(pa, 0);
    EXPECT(a != NULL && b != NULL && a != b, "malloc(0) gives unique pointers");
    EXPECT(hb_pooled_owns(pa, a) && hb_pooled_usable_size(pa, a) >= 1, "malloc(0) is a pooled block");
    errno = 1234;
    hb_pooled_free(pa, a);
    hb_pooled_free(pa, b);
    hb_pooled_free(pa, NULL);
    void *big = hb_pooled_malloc(pa, 100000);
    hb_pooled_free(pa, big);
    EXPECT(errno == 1234, "free changed errno to %d", errno);

    errno = 0;
    EXPECT(hb_pooled_malloc(pa, SIZE_MAX) == NULL && errno == ENOMEM, "malloc(SIZE_MAX)");
    errno = 0;
    EXPECT(hb_pooled_malloc(pa, (size_t)PTRDIFF_MAX + 1) == NULL && errno == ENOMEM, "malloc(PTRDIFF_MAX+1)");
    errno = 0;
    EXPECT(hb_pooled_calloc(pa, SIZE_MAX / 2, 3) == NULL && errno == ENOMEM, "calloc overflow");
    void *z;
    EXPECT((z = hb_pooled_calloc(pa, 0, 0)) != NULL, "calloc(0,0)");
    hb_pooled_free(pa, z);
    EXPECT((z = hb_pooled_calloc(pa, 0, SIZE_MAX)) != NULL, "calloc(0,SIZE_MAX)");
    hb_pooled_free(pa, z);

    static const size_t bad[] = {0, 1, 3, 4, 24, 0x300, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        EXPECT(hb_pooled_aligned(pa, bad[i], 16) == NULL && errno == EINVAL, "aligned(%zu) must be EINVAL", bad[i]);
    }
    errno = 0;
    EXPECT(hb_pooled_aligned(pa, 64, SIZE_MAX) == NULL && errno == ENOMEM, "aligned huge");
    for (size_t al = 8; al <= ((size_t)1 << 16); al <<= 1)
        for (size_t n = 1; n <= 3 * al; n += al / 2 + 1) {
            char *p = hb_pooled_aligned(pa, al, n);
            EXPECT(p != NULL && (uintptr_t)p % al == 0, "aligned(%zu, %zu)", al, n);
            EXPECT(hb_pooled_usable_size(pa, p) >= n, "usable size of aligned block");
            memset(p, 0x5a, n);
            hb_pooled_free(pa, p);
        }

    for (size_t al = (size_t)1 << 17; al <= ((size_t)1 << 23); al <<= 2) { /* large alignments: own mappings */
        char *p = hb_pooled_aligned(pa, al, 100 + al / 8);
        EXPECT(p != NULL && (uintptr_t)p % al == 0 && hb_pooled_owns(pa, p), "aligned(%zu) of a large block", al);
        memset(p, 0x3c, 100 + al / 8);
        hb_pooled_free(pa, p);
    }
    check(pa, "after aligned blocks");

    /* realloc corners */
    EXPECT(hb_pooled_usable_size(pa, NULL) == 0, "usable_size(NULL)");
    char *p = hb_pooled_realloc(pa, NULL, 20);
    EXPECT(p != NULL, "realloc(NULL, 20)");
    fill(p, 20, 7);
    char *q = hb_pooled_realloc(pa, p, 30);
    EXPECT(q == p, "realloc within a class stays in place");
    p = hb_pooled_realloc(pa, q, 200);
    verify(p, 20, 7, "realloc 20->200");
    fill(p, 200, 8);
    p = hb_pooled_realloc(pa, p, 5000); /* small -> medium */
    EXPECT(p != NULL && hb_pooled_owns(pa, p) && hb_pooled_usable_size(pa, p) == 5120, "realloc to a medium class");
    verify(p, 200, 8, "realloc 200->5000");
    fill(p, 5000, 9);
    errno = 0;
    EXPECT(hb_pooled_realloc(pa, p, SIZE_MAX - 64) == NULL && errno == ENOMEM, "failed realloc");
    verify(p, 5000, 9, "failed realloc keeps the block");
    p = hb_pooled_realloc(pa, p, 300000); /* medium -> large */
    EXPECT(p != NULL && hb_pooled_owns(pa, p) && hb_pooled_usable_size(pa, p) >= 300000, "realloc to a large block");
    verify(p, 5000, 9, "realloc 5000->300000");
    fill(p, 300000, 10);
    for (size_t n = 400000; n <= 3000000; n += 650000) { /* grows in place or moves */
        p = hb_pooled_realloc(pa, p, n);
        EXPECT(p != NULL && hb_pooled_usable_size(pa, p) >= n, "realloc of a large block to %zu", n);
        verify(p, 300000, 10, "realloc of a large block keeps its bytes");
    }
    p = hb_pooled_realloc(pa, p, 200000); /* shrinks in place */
    verify(p, 200000, 10, "large realloc shrinking");
    fill(p, 200000, 9);
    p = hb_pooled_realloc(pa, p, 100); /* large -> small */
    EXPECT(p != NULL && hb_pooled_owns(pa, p) && hb_pooled_usable_size(pa, p) == 112, "realloc back into a pool");
    verify(p, 100, 9, "realloc 200000->100");
    p = hb_pooled_realloc(pa, p, 16);
    verify(p, 16, 9, "realloc 100->16");
    char *s = hb_pooled_malloc(pa, 64);
    errno = 0;
    EXPECT(hb_pooled_realloc(pa, s, SIZE_MAX) == NULL && errno == ENOMEM, "failed realloc of a pooled block");
    hb_pooled_free(pa, s);
    EXPECT(hb_pooled_realloc(pa, p, 0) == NULL, "realloc(p, 0) frees and returns NULL");

    /* calloc zeroes recycled blocks */
    void *blk[64];
    for (int i = 0; i < 64; i++) {
        blk[i] = hb_pooled_malloc(pa, 200);
        memset(blk[i], 0xff, 200);
    }
    for (int i = 0; i < 64; i++)
        hb_pooled_free(pa, blk[i]);
    for (int i = 0; i < 64; i++) {
        unsigned char *c = hb_pooled_calloc(pa, 10, 20);
        for (int k = 0; k < 200; k++)
            EXPECT(c[k] == 0, "calloc of a recycled block is not zero");
        blk[i] = c;
    }
    for (int i = 0; i < 64; i++)
        hb_pooled_free(pa, blk[i]);
    check(pa, "after edge cases");
}

/* ---- 2. randomized run -------------------------------------------------------- */
#define SLOTS 4096
typedef struct {
    char *p;
    size_t n;
} slot;

static size_t rand_size(uint64_t *s)
{
    uint64_t r = rnd(s);
    if (r % 1000 < 5) /* the big classes (to 64 KiB) and large blocks beyond */
        return (size_t)(r >> 8) % 600000 + 1;
    if (r % 100 < 3)
        return (size_t)(r >> 8) % 40000 + 1;
    if (r % 1000 == 7)
        return 0;
    return (size_t)(r >> 8) % 1024 + 1;
}

static void test_random(hb_pooled *pa, long ops)
{
    slot *sl = calloc(SLOTS, sizeof *sl);
    uint64_t s = rng_state;
    for (long op = 1; op <= ops; op++) {
        slot *x = &sl[rnd(&s) % SLOTS];
        uint64_t r = rnd(&s) % 100;
        if (x->p == NULL) {
            size_t n = rand_size(&s), al = 0;
            char *p;
            if (r < 60) {
                p = hb_pooled_malloc(pa, n);
            } else if (r < 75) {
                p = hb_pooled_calloc(pa, 1 + n % 3, n / 3 + 1);
                if (p != NULL) {
                    size_t m = (1 + n % 3) * (n / 3 + 1);
                    for (size_t i = 0; i < m; i++)
                        EXPECT(p[i] == 0, "calloc(%zu) not zero at %zu", m, i);
                    n = m;
                }
            } else if (r < 85) {
                al = (size_t)8 << rnd(&s) % 10;
                p = hb_pooled_aligned(pa, al, n);
                EXPECT(p == NULL || (uintptr_t)p % al == 0, "aligned(%zu) misaligned", al);
            } else {
                p = hb_pooled_realloc(pa, NULL, n);
            }
            EXPECT(p != NULL, "allocation of %zu failed", n);
            EXPECT((uintptr_t)p % HB_MIN_ALIGN == 0, "block %p not 16-aligned", (void *)p);
            EXPECT(hb_pooled_usable_size(pa, p) >= n, "usable size below request");
            EXPECT(hb_pooled_owns(pa, p), "ownership of a %zu-byte block (alignment %zu)", n, al);
            size_t u = hb_pooled_usable_size(pa, p);
            EXPECT(n > CLASS_MAX || al > 16 || u - (n == 0) < n + n / 4 + 16, "usable size %zu too far above %zu", u, n);
            fill(p, n, seed_of(p, n));
            x->p = p;
            x->n = n;
        } else {
            verify(x->p, x->n, seed_of(x->p, x->n), "random run");
            if (r < 70) {
                hb_pooled_free(pa, x->p);
                x->p = NULL;
            } else {
                size_t n = rand_size(&s);
                char *p = hb_pooled_realloc(pa, x->p, n);
                if (n == 0) {
                    EXPECT(p == NULL, "realloc(p, 0) returns NULL");
                    x->p = NULL;
                    continue;
                }
                EXPECT(p != NULL, "realloc to %zu failed", n);
                verify(p, n < x->n ? n : x->n, seed_of(x->p, x->n), "realloc keeps the prefix");
                fill(p, n, seed_of(p, n));
                x->p = p;
                x->n = n;
            }
        }
        if (op % 10000 == 0)
            check(pa, "during the random run");
    }
    for (size_t i = 0; i < SLOTS; i++)
        if (sl[i].p != NULL) {
            verify(sl[i].p, sl[i].n, seed_of(sl[i].p, sl[i].n), "random run, end");
            hb_pooled_free(pa, sl[i].p);
        }
    free(sl);
    check(pa, "after the random run");
}

/* ---- 3. arenas go back -------------------------------------------------------- */
static void test_return_sizes(hb_pooled *pa, size_t lo, size_t hi, int N);
/* Every big class, more blocks than a pool holds: usable size is the class
 * size, blocks do not overlap (patterns), check passes, and once freed the
 * purge hook gives the big arenas back but one. */
static void test_big_classes(hb_pooled *pa)
{
    enum { PER = 30 };
    char *v[PER];
    size_t mapped0, mapped1;
    hb_pooled_stats(pa, &mapped0, NULL, NULL);
    for (size_t n = 32769; n <= 65536; n = n + n / 10) {
        for (int i = 0; i < PER; i++) {
            size_t m = n + (size_t)i * 37 % (n / 10);
            m = m > 65536 ? 65536 : m;
            v[i] = hb_pooled_malloc(pa, m);
            EXPECT(v[i] != NULL && hb_pooled_owns(pa, v[i]), "malloc(%zu) in a big class", m);
            size_t u = hb_pooled_usable_size(pa, v[i]);
            EXPECT(u >= m && (!POOLED_BIG_CLASSES || (u < m + m / 4 + 16 && u % 8192 == 0)),
                   "big class of %zu: usable %zu", m, u);
            fill(v[i], u, seed_of(v[i], u));
        }
        check(pa, "with blocks of a big class");
        for (int i = 0; i < PER; i++) {
            size_t u = hb_pooled_usable_size(pa, v[i]);
            verify(v[i], u, seed_of(v[i], u), "big class block");
            hb_pooled_free(pa, v[i]);
        }
    }
    check(pa, "after the big classes");
    hb_pooled_purge(pa, 1, NULL);
    hb_pooled_stats(pa, &mapped1, NULL, NULL);
    EXPECT(mapped1 <= mapped0 + ((size_t)8 << 20), "big arenas kept after the purge: %zu -> %zu", mapped0, mapped1);
    check(pa, "after the big classes went back");
}

static void test_return(hb_pooled *pa)
{
    test_return_sizes(pa, 16, 512, 200000);
    test_return_sizes(pa, 513, 32768, 6000);
    test_return_sizes(pa, 32769, 262144, 600);
    test_big_classes(pa);
    /* large blocks, in an instance of their own: freed ones wait in the
     * cache, are reused, then unmapped */
    pa = hb_pooled_create();
    EXPECT(pa != NULL, "create");
    size_t mapped1, mapped2, in_use, live;
    char *big[4];
    for (int i = 0; i < 4; i++) {
        big[i] = hb_pooled_malloc(pa, (size_t)(i + 1) << 20);
        EXPECT(big[i] != NULL && ((uintptr_t)big[i] & 0xfffff) == 0, "large block not on a 1 MiB boundary");
        memset(big[i], i + 1, (size_t)(i + 1) << 20);
    }
    hb_pooled_stats(pa, &mapped1, &in_use, &live);
    EXPECT(live == 4 && in_use >= ((size_t)10 << 20), "stats with 4 large blocks: live %zu in_use %zu", live, in_use);
    char *keep = big[2];
    for (int i = 0; i < 4; i++)
        hb_pooled_free(pa, big[i]);
    check(pa, "with cached large blocks");
    hb_pooled_stats(pa, &mapped2, &in_use, &live);
    EXPECT(live == 0 && in_use == 0 && mapped2 == mapped1, "freed large blocks are cached: mapped %zu -> %zu",
           mapped1, mapped2);
    char *again = hb_pooled_calloc(pa, 3, 1 << 20); /* best fit: the 3 MiB block, cleared */
    EXPECT(again == keep, "a cached large block of the right size is reused");
    for (size_t i = 0; i < ((size_t)3 << 20); i += 4093)
        EXPECT(again[i] == 0, "calloc of a reused large block is not zero at %zu", i);
    hb_pooled_free(pa, again);
    /* before the delay, a large operation keeps them; past it, the next one
     * unmaps them all (the new 1 MiB block is then cached in their place) */
    hb_pooled_free(pa, hb_pooled_malloc(pa, (size_t)1 << 20));
    hb_pooled_stats(pa, &mapped2, &in_use, &live);
    EXPECT(mapped2 == mapped1, "cached large blocks unmapped before their delay: %zu -> %zu", mapped1, mapped2);
    pooled_clock_advance(pa, AN_HOUR_MS);
    hb_pooled_free(pa, hb_pooled_malloc(pa, (size_t)1 << 20));
    hb_pooled_stats(pa, &mapped2, &in_use, &live);
    EXPECT(mapped2 + ((size_t)9 << 20) <= mapped1, "cached large blocks not returned after their delay: %zu -> %zu",
           mapped1, mapped2);
    check(pa, "after the large cache expired");
    hb_pooled_purge(pa, 1, NULL); /* the hook empties the cache */
    hb_pooled_stats(pa, &mapped2, &in_use, &live);
    EXPECT(mapped2 + ((size_t)10 << 20) <= mapped1, "the purge hook left the large cache: %zu -> %zu", mapped1,
           mapped2);
    check(pa, "after the purge hook");
    /* a block over LARGE_CACHE_BLOCK goes back at once */
    hb_pooled_stats(pa, &mapped1, NULL, NULL);
    hb_pooled_free(pa, hb_pooled_malloc(pa, LARGE_CACHE_BLOCK + ((size_t)1 << 20)));
    hb_pooled_stats(pa, &mapped2, NULL, NULL);
    EXPECT(mapped2 == mapped1, "a block over LARGE_CACHE_BLOCK was kept: mapped %zu -> %zu", mapped1, mapped2);
    /* a fresh mapping the cache could not serve evicts the oldest cached
     * blocks until the cache and the new block fit LARGE_FRESH_BUDGET */
    size_t quarter = LARGE_FRESH_BUDGET / 4;
    char *q[4];
    for (int i = 0; i < 4; i++)
        q[i] = hb_pooled_malloc(pa, quarter - ((size_t)i << 16)); /* distinct, each its own mapping */
    for (int i = 0; i < 4; i++) {
        EXPECT(q[i] != NULL, "malloc of a quarter of the budget");
        hb_pooled_free(pa, q[i]); /* oldest first: q[0] */
    }
    hb_pooled_stats(pa, &mapped1, NULL, NULL);
    char *fresh = hb_pooled_malloc(pa, 3 * quarter); /* none fits, none is half its size: fresh */
    EXPECT(fresh != NULL && fresh != q[3], "a request no cached block serves maps fresh memory (it may land where an evicted block was)");
    hb_pooled_stats(pa, &mapped2, NULL, NULL);
    EXPECT(mapped2 <= mapped1 + 3 * quarter - 2 * quarter, "the cache was not trimmed for a fresh block: %zu -> %zu",
           mapped1, mapped2);
    EXPECT(mapped2 >= mapped1 + 3 * quarter - 4 * quarter, "the cache lost more than the budget asks: %zu -> %zu",
           mapped1, mapped2);
    char *newest = hb_pooled_malloc(pa, quarter - ((size_t)3 << 16));
    EXPECT(newest == q[3], "the newest cached block stays: %p, not %p", (void *)newest, (void *)q[3]);
    hb_pooled_free(pa, newest);
    hb_pooled_free(pa, fresh);
    check(pa, "after the cache made room for a fresh block");
    hb_pooled_destroy(pa);
}

static void test_return_sizes(hb_pooled *pa, size_t lo, size_t hi, int N)
{
    void **v = malloc(N * sizeof *v);
    size_t mapped0, mapped1, mapped2, in_use, live;
    hb_pooled_stats(pa, &mapped0, &in_use, &live);
    EXPECT(live == 0 && in_use == 0, "live blocks before the test: %zu", live);
    uint64_t s = 42;
    size_t asked = 0;
    for (int i = 0; i < N; i++) {
        size_t n = lo + rnd(&s) % (hi - lo + 1);
        v[i] = hb_pooled_malloc(pa, n);
        EXPECT(v[i] != NULL, "malloc failed");
        memset(v[i], 1, n);
        asked += n;
    }
    hb_pooled_stats(pa, &mapped1, &in_use, &live);
    EXPECT(live == (size_t)N && in_use >= asked, "stats with %d live (%zu bytes asked): live %zu in_use %zu", N, asked,
           live, in_use);
    /* Not mapped1 - mapped0 >= asked: spare arenas of an earlier test, still
     * within their delay, are reused; what mapped must cover is what is in use. */
    EXPECT(mapped1 >= in_use, "mapped %zu -> %zu with %zu bytes in use", mapped0, mapped1, in_use);
    check(pa, "with many live blocks");
    for (int i = 0; i < N; i += 2) /* half first: arenas must empty out even so */
        hb_pooled_free(pa, v[i]);
    check(pa, "with half the blocks live");
    for (int i = 1; i < N; i += 2)
        hb_pooled_free(pa, v[i]);
    /* spare arenas wait for the delay; past it, a later large operation
     * unmaps them, but one of each kind (the clock is advanced: no wait) */
    pooled_clock_advance(pa, AN_HOUR_MS);
    hb_pooled_free(pa, hb_pooled_malloc(pa, (size_t)1 << 20));
    hb_pooled_stats(pa, &mapped2, &in_use, &live);
    EXPECT(live == 0 && in_use == 0, "after freeing all: live %zu in_use %zu", live, in_use);
    EXPECT(mapped2 < mapped0 + ((mapped1 - mapped0) / 8) + ((size_t)1 << 20),
           "arenas not returned after their delay: mapped %zu -> %zu -> %zu", mapped0, mapped1, mapped2);
    check(pa, "after freeing everything");
    hb_pooled_purge(pa, 1, NULL);
    free(v);
}

/* ---- 3b. the spare limit learns a live set that swings ------------------------- */

/* Fills about `arenas` 1 MiB arenas with 512-byte blocks (v holds them) and
 * returns how many blocks that took. */
static int fill_arenas(hb_pooled *pa, void **v, int arenas)
{
    int n = arenas * (int)(((size_t)1 << 20) / 512) * 31 / 32; /* an arena's pool 0 is its header */
    for (int i = 0; i < n; i++) {
        v[i] = hb_pooled_malloc(pa, 512);
        EXPECT(v[i] != NULL, "malloc(512) failed at block %d", i);
        memset(v[i], 7, 512);
    }
    return n;
}

static size_t mapped_now(hb_pooled *pa)
{
    size_t mapped, in_use, live;
    hb_pooled_stats(pa, &mapped, &in_use, &live);
    return mapped;
}

/* A live set of 40 arenas, freed and built again: the first drop keeps the
 * floor's 8 spares and gives 32 back, the rebuild maps them again within the
 * window (the clock is frozen: a loaded machine cannot stretch it past), so
 * the limit covers the swing and the second drop keeps every arena.  Time
 * without remaps (the clock advanced) then lets the spares expire and the
 * limit fall back. */
static void test_spare_limit(void)
{
    enum { ARENAS = 40 };
    hb_pooled *pa = hb_pooled_create();
    EXPECT(pa != NULL, "create");
    pooled_clock_freeze(pa);
    size_t base = mapped_now(pa);
    void **v = malloc((size_t)ARENAS * 2048 * sizeof *v);
    EXPECT(v != NULL, "malloc of the test's table");
    int n = fill_arenas(pa, v, ARENAS);
    size_t full = mapped_now(pa);
    for (int i = 0; i < n; i++)
        hb_pooled_free(pa, v[i]);
    check(pa, "after the first drop");
    size_t kept1 = mapped_now(pa);
    EXPECT(full - kept1 >= (size_t)(ARENAS - 10) << 20,
           "the first drop kept more than the floor's spares: mapped %zu of %zu", kept1, full);
    n = fill_arenas(pa, v, ARENAS);
    EXPECT(mapped_now(pa) == full, "the rebuild mapped %zu, the first build %zu", mapped_now(pa), full);
    for (int i = 0; i < n; i++)
        hb_pooled_free(pa, v[i]);
    check(pa, "after the second drop");
    EXPECT(mapped_now(pa) == full, "the second drop gave arenas back (mapped %zu of %zu): the limit did not learn",
           mapped_now(pa), full);
    /* past the spares' delay a slow path (a large block's) gives them back, but one */
    pooled_clock_advance(pa, AN_HOUR_MS);
    hb_pooled_free(pa, hb_pooled_malloc(pa, (size_t)1 << 20));
    EXPECT(mapped_now(pa) < base + ((size_t)4 << 20), "spares kept past their delay: mapped %zu (%zu at the start)",
           mapped_now(pa), base);
    check(pa, "after the spares expired");
    /* and with no remap for a while (the clock advanced past SPARES_RELAX_MS
     * once), the limit halves: a drop keeps half the swing, 20 arenas */
    n = fill_arenas(pa, v, ARENAS);
    pooled_clock_advance(pa, AN_HOUR_MS);
    for (int i = 0; i < n; i++)
        hb_pooled_free(pa, v[i]);
    check(pa, "after a drop with the limit relaxed");
    EXPECT(full - mapped_now(pa) >= (size_t)(ARENAS / 2 - 2) << 20,
           "the limit did not relax: a drop kept %zu of %zu", mapped_now(pa), full);
    free(v);
    hb_pooled_destroy(pa);
}

/* ---- 3a. free pools of partly used arenas are purged -------------------------- */

/* Resident pages of the 1 MiB arenas at bases[0..n) (mincore). */
static size_t resident_pages(uintptr_t *bases, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), np = ((size_t)1 << 20) / page, res = 0;
    unsigned char *vec = malloc(np);
    EXPECT(vec != NULL, "libc malloc");
    for (size_t i = 0; i < n; i++) {
        EXPECT(mincore((void *)bases[i], (size_t)1 << 20, vec) == 0, "mincore: %s", strerror(errno));
        for (size_t k = 0; k < np; k++)
            res += vec[k] & 1;
    }
    free(vec);
    return res;
}

static void test_purge_sizes(size_t size, int N)
{
    hb_pooled *pa = hb_pooled_create();
    EXPECT(pa != NULL, "create");
    void **v = malloc(N * sizeof *v);
    uintptr_t *bases = malloc(N * sizeof *bases);
    size_t nb = 0;
    for (int i = 0; i < N; i++) {
        v[i] = hb_pooled_malloc(pa, size);
        EXPECT(v[i] != NULL, "malloc failed");
        memset(v[i], 7, size);
        uintptr_t b = (uintptr_t)v[i] & ~(((uintptr_t)1 << 20) - 1);
        if (nb == 0 || bases[nb - 1] != b) {
            size_t k = 0;
            while (k < nb && bases[k] != b)
                k++;
            if (k == nb)
                bases[nb++] = b;
        }
    }
    EXPECT(nb >= 3, "%d blocks of %zu B filled only %zu arenas", N, size, nb);
    /* keep the blocks in the first 160 KiB of each arena (its first pools):
     * every arena stays partly used, so none is unmapped whole */
    size_t kept = 0;
    for (int i = 0; i < N; i++) {
        if (((uintptr_t)v[i] & 0xfffff) < (160u << 10))
            kept++;
        else
            hb_pooled_free(pa, v[i]), v[i] = NULL;
    }
    check(pa, "with dirty free pools");
    size_t dirty0 = 0, dirty1 = 0;
    size_t purged0 = hb_pooled_purge(pa, 0, &dirty0); /* nothing has waited the delay... unless the machine stalled */
    size_t before = resident_pages(bases, nb);
    size_t purged1 = hb_pooled_purge(pa, 1, &dirty1);
    size_t after = resident_pages(bases, nb);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    EXPECT(dirty0 + purged0 >= (size_t)(nb - 1) << 19, "only %zu dirty bytes in %zu arenas after freeing most", dirty0,
           nb);
    EXPECT(dirty1 == 0 && purged1 >= purged0 + dirty0, "purge all left %zu dirty, purged %zu -> %zu", dirty1, purged0,
           purged1);
    EXPECT(before >= after + (purged1 - purged0) / page / 2 && after * 2 < before,
           "resident pages of %zu partly used arenas: %zu -> %zu after purging %zu bytes", nb, before, after,
           purged1 - purged0);
    check(pa, "after the purge");
    /* the purged pools serve again: fresh zero pages, carved anew */
    for (int i = 0; i < N; i++) {
        if (v[i] == NULL) {
            v[i] = hb_pooled_malloc(pa, size);
            EXPECT(v[i] != NULL, "malloc after purge");
            memset(v[i], 9, size);
        }
    }
    check(pa, "refilled after the purge");
    for (int i = 0; i < N; i++)
        hb_pooled_free(pa, v[i]);
    check(pa, "all freed after the purge");
    free(v);
    free(bases);
    hb_pooled_destroy(pa);
}

static void test_purge(void)
{
    test_purge_sizes(256, 40000);  /* small pools: 10 MiB over ~10 arenas */
    test_purge_sizes(3000, 4000);  /* medium pools */
}

/* ---- 3b. large blocks that grow and shrink by realloc -------------------------- */

/* Grows a buffer from `from` bytes by 1.5x (git's strbuf) to `to`, filling
 * each new part and verifying the whole after every realloc; returns it. */
static char *grow_buffer(hb_pooled *pa, char *p, size_t from, size_t to, uintptr_t seed)
{
    size_t n = from;
    while (n < to) {
        size_t m = (n + 16) * 3 / 2;
        if (m > to)
            m = to;
        char *q = hb_pooled_realloc(pa, p, m);
        EXPECT(q != NULL && hb_pooled_usable_size(pa, q) >= m, "growing realloc %zu -> %zu", n, m);
        verify(q, n, seed, "a growing realloc keeps the bytes");
        for (size_t i = n; i < m; i++)
            q[i] = (char)pat(seed, i);
        p = q;
        n = m;
    }
    return p;
}

static void *grow_worker(void *arg)
{
    hb_pooled *pa = arg;
    for (int r = 0; r < 6; r++) {
        size_t from = 20000 + (size_t)r * 1000, to = ((size_t)r % 3 + 1) << 20;
        uintptr_t seed = (uintptr_t)arg + (uintptr_t)r * 77 + (uintptr_t)pthread_self();
        char *p = hb_pooled_malloc(pa, from);
        EXPECT(p != NULL, "malloc %zu", from);
        fill(p, from, seed);
        p = grow_buffer(pa, p, from, to, seed);
        p = hb_pooled_realloc(pa, p, to / 8); /* shrinks by more than half */
        EXPECT(p != NULL, "shrinking realloc");
        verify(p, to / 8, seed, "a shrinking realloc keeps the bytes");
        hb_pooled_free(pa, p);
    }
    return NULL;
}

static void test_large_growth(void)
{
    hb_pooled *pa = hb_pooled_create();
    EXPECT(pa != NULL, "create");
    /* a block growing past the classes takes a cached block whole, and grows in it */
    char *big = hb_pooled_malloc(pa, (size_t)2 << 20);
    EXPECT(big != NULL, "malloc 2 MiB");
    size_t bigsize = hb_pooled_usable_size(pa, big);
    hb_pooled_free(pa, big);
    char *m = hb_pooled_malloc(pa, 30000);
    fill(m, 30000, 15);
#if POOLED_BIG_CLASSES
    m = hb_pooled_realloc(pa, m, 45000); /* medium to big class: a copy within the pools */
    EXPECT(m != NULL && hb_pooled_usable_size(pa, m) == 49152, "realloc to a big class: %zu bytes",
           hb_pooled_usable_size(pa, m));
    verify(m, 30000, 15, "a realloc into a big class keeps the bytes");
    char *g = hb_pooled_realloc(pa, m, 300000);
#else
    char *g = hb_pooled_realloc(pa, m, 45000);
#endif
    EXPECT(g == big && hb_pooled_usable_size(pa, g) == bigsize,
           "a growing realloc takes the cached block whole (%p, %zu bytes; cached %p, %zu)", (void *)g,
           hb_pooled_usable_size(pa, g), (void *)big, bigsize);
    verify(g, 30000, 15, "a realloc into a cached block keeps the bytes");
    EXPECT(hb_pooled_realloc(pa, g, (size_t)1 << 20) == g, "growth within the usable size stays in place");
    hb_pooled_free(pa, g);
    check(pa, "after growth into a cached block");
    /* from a medium block through in-place growth, copies and moves to 9 MiB */
    char *p = hb_pooled_malloc(pa, 1000);
    EXPECT(p != NULL, "malloc");
    fill(p, 1000, 11);
    p = grow_buffer(pa, p, 1000, (size_t)9 << 20, 11);
    check(pa, "after a buffer grew to 9 MiB");
    /* a big block whose neighbour is in the way is moved, the neighbour untouched */
    char *a = hb_pooled_malloc(pa, (size_t)3 << 19), *b = hb_pooled_malloc(pa, (size_t)1 << 20);
    EXPECT(a != NULL && b != NULL, "malloc of two big blocks");
    fill(a, (size_t)3 << 19, 12);
    fill(b, (size_t)1 << 20, 13);
    a = grow_buffer(pa, a, (size_t)3 << 19, (size_t)6 << 20, 12);
    verify(b, (size_t)1 << 20, 13, "the neighbour of a block that grew");
    check(pa, "after big blocks grew");
    /* shrinking by more than half: copied (the old block waits in the cache), or trimmed where it is */
    size_t mapped1, mapped2;
    char *c = hb_pooled_malloc(pa, 800000);
    EXPECT(c != NULL, "malloc");
    fill(c, 800000, 14);
    hb_pooled_stats(pa, &mapped1, NULL, NULL);
    char *d = hb_pooled_realloc(pa, c, 100000);
    EXPECT(d != NULL, "shrinking realloc");
    verify(d, 100000, 14, "a realloc shrinking to a copy keeps the bytes");
    hb_pooled_stats(pa, &mapped2, NULL, NULL);
    EXPECT(mapped2 >= mapped1, "the block a shrinking copy left is cached, not unmapped: %zu -> %zu", mapped1,
           mapped2);
    char *e = hb_pooled_realloc(pa, a, (size_t)2 << 20); /* cacheable: copied too */
    EXPECT(e != NULL && hb_pooled_usable_size(pa, e) >= ((size_t)2 << 20), "shrinking realloc of a big block");
    verify(e, (size_t)2 << 20, 12, "a realloc shrinking a big block keeps the bytes");
    char *f = hb_pooled_malloc(pa, (size_t)40 << 20), *f2; /* over LARGE_CACHE_BLOCK: trimmed where it is */
    EXPECT(f != NULL, "malloc 40 MiB");
    fill(f, (size_t)1 << 20, 16);
    f2 = hb_pooled_realloc(pa, f, (size_t)8 << 20);
    EXPECT(f2 == f && hb_pooled_usable_size(pa, f2) >= ((size_t)8 << 20) &&
               hb_pooled_usable_size(pa, f2) < ((size_t)16 << 20),
           "a block too big to cache, shrinking by more than half, is trimmed where it is");
    verify(f2, (size_t)1 << 20, 16, "a trimmed block keeps its bytes");
    hb_pooled_free(pa, f2);
    check(pa, "after shrinking reallocs");
    hb_pooled_free(pa, b);
    hb_pooled_free(pa, d);
    hb_pooled_free(pa, e);
    hb_pooled_free(pa, p);
    /* threads growing buffers at once: moves and copies race with each other's large operations */
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        EXPECT(pthread_create(&t[i], NULL, grow_worker, pa) == 0, "pthread_create");
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    check(pa, "after threads grew buffers");
    size_t in_use, live;
    hb_pooled_stats(pa, NULL, &in_use, &live);
    EXPECT(live == 0 && in_use == 0, "blocks left after the growth test: %zu (%zu bytes)", live, in_use);
    hb_pooled_destroy(pa);
}

/* ---- 4. threads ------------------------------------------------------------------ */
#define XCHG 1024
static _Atomic(char *) xchg[XCHG];
static hb_pooled *mt_pa;

static size_t hdr_size(const char *p) { size_t n; memcpy(&n, p, sizeof n); return n; }

/* Blocks in the exchange carry their size in the first word, then the pattern. */
static void xchg_release(char *old)
{
    if (old == NULL)
        return;
    size_t n = hdr_size(old);
    verify(old + sizeof n, n - sizeof n, seed_of(old, n), "cross-thread block");
    hb_pooled_free(mt_pa, old);
}

static void *mt_worker(void *arg)
{
    uint64_t s = (uint64_t)(uintptr_t)arg * 7919;
    void *local[64] = {0};
    for (int i = 0; i < 20000; i++) {
        uint64_t r = rnd(&s);
        /* one in 64 of the big classes or beyond (32 KiB .. 320 KiB) */
        size_t n = sizeof(size_t) + (r % 64 == 0 ? 32768 + (size_t)(r >> 8) % 300000 : (size_t)(r >> 8) % 600);
        char *p = hb_pooled_malloc(mt_pa, n);
        if (p == NULL)
            FAIL("malloc in thread failed");
        memcpy(p, &n, sizeof n);
        fill(p + sizeof n, n - sizeof n, seed_of(p, n));
        if (rnd(&s) % 4 == 0) { /* keep some locally, free them locally */
            size_t k = rnd(&s) % 64;
            xchg_release(local[k]);
            local[k] = p;
        } else {
            xchg_release(atomic_exchange(&xchg[rnd(&s) % XCHG], p));
        }
    }
    for (int k = 0; k < 64; k++)
        xchg_release(local[k]);
    return NULL; /* what it left in xchg outlives it */
}

static void *mt_sweeper(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) { /* touch every class, so this heap drains and trims */
        void *p = hb_pooled_malloc(mt_pa, 1 + (size_t)i % 512);
        hb_pooled_free(mt_pa, p);
    }
    return NULL;
}

static void run_threads(void *(*fn)(void *), int n, int base)
{
    pthread_t t[8];
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, fn, (void *)(uintptr_t)(base + i + 1)) != 0)
            FAIL("pthread_create");
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

static void test_threads(void)
{
    mt_pa = hb_pooled_create();
    EXPECT(mt_pa != NULL, "create");
    for (int round = 0; round < 6; round++) /* threads that come and go */
        run_threads(mt_worker, 4, round * 4);
    check(mt_pa, "after threads");
    for (int i = 0; i < XCHG; i++)
        xchg_release(atomic_exchange(&xchg[i], NULL));
    check(mt_pa, "after freeing the leftovers");
    for (int i = 0; i < 8; i++) /* one at a time: each adopts the oldest abandoned heap and drains it */
        run_threads(mt_sweeper, 1, i);
    check(mt_pa, "after the sweep");
    /* spare arenas wait 500 ms; past it (the clock advanced), the exit of one
     * more thread gives them back but one of each kind (1, 1 and 8 MiB) */
    size_t mapped, in_use, live;
    pooled_clock_advance(mt_pa, AN_HOUR_MS);
    run_threads(mt_sweeper, 1, 8);
    hb_pooled_stats(mt_pa, &mapped, &in_use, &live);
    EXPECT(live == 0, "live blocks after every thread drained: %zu", live);
    EXPECT(mapped < ((size_t)12 << 20), "memory kept after the threads and the delay: %zu bytes", mapped);
    check(mt_pa, "after the spares expired");
    hb_pooled_destroy(mt_pa);
}

/* ---- 5. instances ------------------------------------------------------------------ */
static void test_instances(void)
{
    hb_pooled *a = hb_pooled_create(), *b = hb_pooled_create();
    EXPECT(a != NULL && b != NULL, "create two");
    void *pa[100], *pb[100];
    for (int i = 0; i < 100; i++) {
        pa[i] = hb_pooled_malloc(a, 32);
        pb[i] = hb_pooled_malloc(b, 32);
        EXPECT(hb_pooled_owns(a, pa[i]) && !hb_pooled_owns(b, pa[i]) && hb_pooled_owns(b, pb[i]) &&
                   !hb_pooled_owns(a, pb[i]),
               "instances own their own blocks");
    }
    for (int i = 0; i < 100; i++) {
        hb_pooled_free(a, pa[i]);
        hb_pooled_free(b, pb[i]);
    }
    check(a, "instance a");
    check(b, "instance b");
    hb_pooled_destroy(a);
    for (int round = 0; round < 3; round++) { /* a new instance may reuse a's address */
        hb_pooled *c = hb_pooled_create();
        void *p = hb_pooled_malloc(c, 100), *q = hb_pooled_malloc(b, 100);
        EXPECT(hb_pooled_owns(c, p) && hb_pooled_owns(b, q), "fresh instance");
        hb_pooled_free(c, p);
        hb_pooled_free(b, q);
        check(c, "fresh instance");
        hb_pooled_destroy(c);
    }
    check(b, "instance b at the end");
    hb_pooled_destroy(b);
}

/* ---- 6. fork ------------------------------------------------------------------------ */
static _Atomic int fork_stop;
static void *fork_worker(void *arg)
{
    (void)arg;
    void *keep[16] = {0};
    for (unsigned i = 0; !atomic_load(&fork_stop); i++) {
        hb_pooled_free(mt_pa, keep[i % 16]);
        keep[i % 16] = hb_pooled_malloc(mt_pa, 1 + i % 700);
    }
    for (int i = 0; i < 16; i++)
        hb_pooled_free(mt_pa, keep[i]);
    return NULL;
}

static void test_fork(void)
{
    mt_pa = hb_pooled_create();
    pthread_t t;
    atomic_store(&fork_stop, 0);
    if (pthread_create(&t, NULL, fork_worker, NULL) != 0)
        FAIL("pthread_create");
    for (int k = 0; k < 5; k++) {
        usleep(2000);
        hb_pooled_fork_prepare(mt_pa);
        pid_t pid = fork();
        if (pid == 0) {
            hb_pooled_fork_child(mt_pa);
            for (int i = 0; i < 10000; i++) {
                void *p = hb_pooled_malloc(mt_pa, 1 + (size_t)i % 512);
                if (p == NULL)
                    _exit(3);
                memset(p, 1, 1 + (size_t)i % 512);
                hb_pooled_free(mt_pa, p);
            }
            _exit(0);
        }
        hb_pooled_fork_parent(mt_pa);
        EXPECT(pid > 0, "fork");
        int st;
        EXPECT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child after fork failed");
    }
    atomic_store(&fork_stop, 1);
    pthread_join(t, NULL);
    check(mt_pa, "after fork");
    hb_pooled_destroy(mt_pa);
}

/* ---- 7. plug-in ---------------------------------------------------------------------- */
static void test_plugin(void)
{
    const hb_allocator_ops *ops = &hb_pooled_ops;
    EXPECT(strcmp(ops->name, "pooled") == 0 && ops->verify == NULL && (ops->caps & HB_ALLOC_CHECK), "plug-in fields");
    hb_alloc a = {ops, ops->create()};
    EXPECT(a.ctx != NULL, "plug-in create");
    void *p = hb_malloc(&a, 40), *q = hb_calloc(&a, 4, 300), *r = hb_aligned(&a, 256, 10);
    EXPECT(p && q && r && (uintptr_t)r % 256 == 0, "plug-in allocations");
    p = hb_realloc(&a, p, 40, 80);
    hb_alloc_stats st;
    EXPECT(ops->stats(a.ctx, &st) == 0 && st.live == 3 && st.in_use >= 80 + 1200 + 10, "plug-in stats");
    hb_free(&a, p, 80);
    hb_free(&a, q, 1200);
    hb_free(&a, r, 10);
    char msg[200];
    EXPECT(ops->check(a.ctx, msg, sizeof msg) == 0, "plug-in check: %s", msg);
    EXPECT(ops->stats(a.ctx, &st) == 0 && st.live == 0 && st.in_use == 0, "plug-in stats after frees");
    ops->destroy(a.ctx);
}

int main(int argc, char **argv)
{
    long ops = argc > 1 ? atol(argv[1]) : 1000000;
    test_large_growth();
    hb_pooled *pa = hb_pooled_create();
    EXPECT(pa != NULL, "create");
    test_edges(pa);
    test_random(pa, ops);
    test_return(pa);
    hb_pooled_destroy(pa);
    test_purge();
    test_spare_limit();
    test_threads();
    test_instances();
    test_fork();
    test_plugin();
    printf("pooled_unit: ok (%ld random operations)\n", ops);
    return 0;
}
