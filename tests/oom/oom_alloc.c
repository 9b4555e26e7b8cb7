/*
 * oom_alloc.c: out-of-memory behaviour of the built-in allocators.
 *
 *   oom_alloc ALLOCATOR rlimit    under RLIMIT_AS a little above the current
 *                                 address space, allocate until NULL: every
 *                                 failure is NULL with ENOMEM (malloc, calloc,
 *                                 aligned, realloc, which leaves its block
 *                                 intact), never a crash; check() passes; after
 *                                 freeing some blocks (or, for bump, raising
 *                                 the limit: it never reuses) allocation works
 *                                 again.
 *   oom_alloc ALLOCATOR failing   through the failing wrapper, for several N:
 *                                 request N (and every K-th after it) fails
 *                                 with NULL and ENOMEM, exactly there, every
 *                                 other request succeeds, realloc failures keep
 *                                 their block, and the allocator still works
 *                                 and passes check() afterwards.
 *
 * Exit 0 on success, 1 on a failed assertion (one line naming it), 77 when
 * the case cannot run in this build (RLIMIT_AS under AddressSanitizer, whose
 * shadow reserves terabytes of address space): CTest shows it as skipped.
 * The test's own bookkeeping lives in mmap'd memory taken before the limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "allocator.h"

#if defined(__SANITIZE_ADDRESS__)
#define HB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HB_ASAN 1
#endif
#endif

#define FAIL(...)                                                                                        \
    do {                                                                                                 \
        lift_limit();                                                                                    \
        fprintf(stderr, "oom_alloc %s %s: ", g_name, g_case);                                            \
        fprintf(stderr, __VA_ARGS__);                                                                    \
        fputc('\n', stderr);                                                                             \
        exit(1);                                                                                         \
    } while (0)

static const char *g_name = "?", *g_case = "?";
static struct rlimit g_saved;
static int g_limited;

static void lift_limit(void)
{
    if (g_limited) {
        setrlimit(RLIMIT_AS, &g_saved);
        g_limited = 0;
    }
}

/* Current size of the address space, bytes (/proc/self/statm, first field). */
static size_t vm_size(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f == NULL || fscanf(f, "%lu", &pages) != 1)
        FAIL("cannot read /proc/self/statm");
    fclose(f);
    return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void check(hb_alloc *a, const char *when)
{
    char msg[256] = "";
    if (a->ops->check != NULL && a->ops->check(a->ctx, msg, sizeof msg) != 0)
        FAIL("check() failed %s: %s", when, msg);
}

static unsigned char tag(size_t i) { return (unsigned char)(i * 37u + 11u); }

typedef struct block {
    unsigned char *p;
    size_t size;
} block;

#define MAX_BLOCKS (1u << 20)

static block *g_blocks;
static size_t g_nblocks;

static void fill(block *b, size_t i)
{
    memset(b->p, tag(i), b->size < 64 ? b->size : 64);
    if (b->size > 0)
        b->p[b->size - 1] = tag(i);
}

static void verify(const block *b, size_t i)
{
    size_t n = b->size < 64 ? b->size : 64;
    for (size_t k = 0; k < n; k++)
        if (b->p[k] != tag(i))
            FAIL("block %zu (%zu bytes) corrupt at byte %zu", i, b->size, k);
    if (b->size > 0 && b->p[b->size - 1] != tag(i))
        FAIL("block %zu (%zu bytes) corrupt at its last byte", i, b->size);
}

/* Allocates `size`-byte blocks until one fails or `max` were made; every
 * failure must be NULL with ENOMEM.  Returns the number allocated. */
static size_t fill_until_null(hb_alloc *a, size_t size, size_t max, int kind)
{
    size_t made = 0;
    while (made < max && g_nblocks < MAX_BLOCKS) {
        errno = 0;
        void *p;
        switch (kind) {
        case 0: p = hb_malloc(a, size); break;
        case 1: p = hb_calloc(a, 1, size); break;
        default: p = hb_aligned(a, 64, size); break;
        }
        if (p == NULL) {
            if (errno != ENOMEM)
                FAIL("%s(%zu) returned NULL with errno %d (%s), expected ENOMEM", kind == 0 ? "malloc"
                     : kind == 1 ? "calloc" : "aligned", size, errno, strerror(errno));
            return made;
        }
        if (kind == 2 && (uintptr_t)p % 64 != 0)
            FAIL("aligned(64, %zu) gave %p", size, p);
        block *b = &g_blocks[g_nblocks];
        b->p = p;
        b->size = size;
        fill(b, g_nblocks);
        g_nblocks++;
        made++;
    }
    return made;
}

static int case_rlimit(const char *name)
{
#ifdef HB_ASAN
    printf("skipped: RLIMIT_AS cannot be used under AddressSanitizer (its shadow memory reserves terabytes of "
           "address space); this case runs in the plain builds\n");
    return 77;
#endif
    char msg[256];
    hb_alloc a;
    if (hb_alloc_open(&a, name, msg, sizeof msg) != 0)
        FAIL("cannot open: %s", msg);
    int frees = (a.ops->caps & HB_ALLOC_FREES) != 0;
    /* Warm up: the allocator's first mappings, stdio's buffer. */
    void *warm = hb_malloc(&a, 100);
    if (warm == NULL)
        FAIL("malloc(100) failed before any limit");
    printf("%s: address space %zu MiB before the limit\n", name, vm_size() >> 20);
    fflush(stdout);

    const size_t headroom = (size_t)96 << 20;
    if (getrlimit(RLIMIT_AS, &g_saved) != 0)
        FAIL("getrlimit: %s", strerror(errno));
    struct rlimit lim = g_saved;
    lim.rlim_cur = vm_size() + headroom;
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        FAIL("setrlimit: %s", strerror(errno));
    g_limited = 1;

    /* Large blocks, then medium, then small ones: each phase until NULL. */
    size_t big = fill_until_null(&a, (size_t)1 << 20, SIZE_MAX, 0);
    size_t mid = fill_until_null(&a, 20000, SIZE_MAX, 1);
    size_t small = fill_until_null(&a, 48, (size_t)1 << 19, 0);
    size_t al = fill_until_null(&a, 4000, SIZE_MAX, 2);
    if (big == 0 || big * ((size_t)1 << 20) > headroom)
        FAIL("%zu 1 MiB blocks under a %zu MiB headroom", big, headroom >> 20);
    /* Everything is exhausted now: every kind of request fails cleanly. */
    errno = 0;
    if (hb_malloc(&a, (size_t)8 << 20) != NULL || errno != ENOMEM)
        FAIL("malloc(8 MiB) at the limit did not fail with ENOMEM (errno %d)", errno);
    errno = 0;
    if (hb_calloc(&a, 1024, 8192) != NULL || errno != ENOMEM)
        FAIL("calloc(1024, 8192) at the limit did not fail with ENOMEM (errno %d)", errno);
    block *first = &g_blocks[0];
    errno = 0;
    void *r = hb_realloc(&a, first->p, first->size, (size_t)64 << 20);
    if (r != NULL)
        FAIL("realloc(1 MiB -> 64 MiB) succeeded at the limit");
    if (errno != ENOMEM)
        FAIL("failed realloc set errno %d, expected ENOMEM", errno);
    verify(first, 0);
    check(&a, "at the limit");

    size_t again = 0;
    if (frees) {
        /* Free every other 1 MiB block: the same size must fit again. */
        for (size_t i = 0; i < big; i += 2) {
            verify(&g_blocks[i], i);
            hb_free(&a, g_blocks[i].p, g_blocks[i].size);
            g_blocks[i].p = NULL;
        }
        check(&a, "after freeing half of the large blocks");
        for (size_t i = 0; i < big; i += 2) {
            g_blocks[i].p = hb_malloc(&a, g_blocks[i].size);
            if (g_blocks[i].p == NULL)
                break;
            fill(&g_blocks[i], i);
            again++;
        }
        if (again < big / 4)
            FAIL("after freeing %zu MiB only %zu of %zu 1 MiB blocks could be allocated again", (big + 1) / 2,
                 again, (big + 1) / 2);
        for (size_t i = again * 2; i < big; i += 2)
            g_blocks[i].p = NULL; /* not reallocated */
    }
    lift_limit();
    if (!frees) {
        /* bump never reuses: it is usable again once memory is. */
        void *p = hb_malloc(&a, (size_t)1 << 20);
        if (p == NULL)
            FAIL("malloc(1 MiB) failed after the limit was lifted");
        hb_free(&a, p, (size_t)1 << 20);
    }
    check(&a, "after recovering");
    for (size_t i = 0; i < g_nblocks; i++)
        if (g_blocks[i].p != NULL) {
            verify(&g_blocks[i], i);
            hb_free(&a, g_blocks[i].p, g_blocks[i].size);
        }
    hb_free(&a, warm, 100);
    check(&a, "after freeing everything");
    hb_alloc_close(&a);
    printf("%s: under the limit: %zu x 1 MiB, %zu x 20000 B (calloc), %zu x 48 B, %zu x 4000 B (aligned 64), "
           "then NULL with ENOMEM each time; a failed realloc kept its block; %s\n",
           name, big, mid, small, al,
           frees ? "after freeing half the large blocks the same size was allocated again" : "free is a no-op (bump): usable again once the limit was lifted");
    if (frees)
        printf("%s: %zu 1 MiB blocks allocated again after the frees\n", name, again);
    return 0;
}

/* One request of kind (n % 4), number n of the wrapper's count. */
static void *request(hb_alloc *f, size_t n, block *keep)
{
    switch (n % 4) {
    case 0: return hb_malloc(f, 24 + n % 600);
    case 1: return hb_calloc(f, 3, 40 + n % 300);
    case 2: return hb_aligned(f, 32, 100 + n % 100);
    default: /* realloc of a kept block: a failure must leave it intact */
        return hb_realloc(f, keep->p, keep->size, keep->size + 1000 + n % 3000);
    }
}

static size_t request_size(size_t n, const block *keep)
{
    switch (n % 4) {
    case 0: return 24 + n % 600;
    case 1: return 3 * (40 + n % 300);
    case 2: return 100 + n % 100;
    default: return keep->size + 1000 + n % 3000;
    }
}

static int case_failing(const char *name)
{
    static const unsigned long nths[] = {1, 2, 3, 4, 5, 8, 13, 50, 101};
    static const unsigned long everys[] = {0, 0, 7, 0, 1, 0, 3, 0, 5};
    char msg[256];
    hb_alloc a, f;
    if (hb_alloc_open(&a, name, msg, sizeof msg) != 0)
        FAIL("cannot open: %s", msg);
    if (hb_failing_wrap(&f, &a, 0, 0) != 0)
        FAIL("hb_failing_wrap: %s", strerror(errno));
    for (size_t t = 0; t < sizeof nths / sizeof nths[0]; t++) {
        unsigned long nth = nths[t], every = everys[t];
        const size_t total = 160;
        size_t failures = 0;
        block keep = {hb_malloc(&a, 64), 64}; /* made on the inner instance: not counted */
        if (keep.p == NULL)
            FAIL("malloc(64) failed");
        memset(keep.p, 0x5a, keep.size);
        hb_failing_set(&f, nth, every);
        for (size_t n = 1; n <= total; n++) {
            int must_fail = n == nth || (n > nth && every != 0 && (n - nth) % every == 0);
            errno = 0;
            unsigned char *oldp = keep.p;
            size_t oldsize = keep.size;
            void *p = request(&f, n, &keep);
            if (hb_failing_count(&f) != n)
                FAIL("nth %lu: the wrapper counted %lu requests, expected %zu", nth, hb_failing_count(&f), n);
            if (must_fail) {
                if (p != NULL || errno != ENOMEM)
                    FAIL("nth %lu every %lu: request %zu gave %p, errno %d: expected NULL with ENOMEM", nth, every, n,
                         p, errno);
                failures++;
                if (n % 4 == 3) { /* failed realloc: the block is intact */
                    for (size_t k = 0; k < oldsize; k++)
                        if (oldp[k] != 0x5a)
                            FAIL("nth %lu: a failed realloc changed byte %zu of its block", nth, k);
                }
                continue;
            }
            if (p == NULL)
                FAIL("nth %lu every %lu: request %zu (kind %zu) failed (errno %d), only %lu%s should", nth, every, n,
                     n % 4, errno, nth, every ? " and every few after it" : "");
            if (n % 4 == 3) {
                keep.p = p;
                keep.size = request_size(n, &(block){NULL, oldsize});
                for (size_t k = 0; k < oldsize; k++)
                    if (keep.p[k] != 0x5a)
                        FAIL("nth %lu: realloc lost byte %zu", nth, k);
                memset(keep.p, 0x5a, keep.size);
            } else {
                size_t sz = request_size(n, &keep);
                memset(p, 0xc3, sz);
                hb_free(&f, p, sz); /* frees are never failed */
            }
        }
        size_t expect = nth <= total ? 1 + (every && total > nth ? (total - nth) / every : 0) : 0;
        if (failures != expect)
            FAIL("nth %lu every %lu: %zu failures in %zu requests, expected %zu", nth, every, failures, total,
                 expect);
        hb_free(&f, keep.p, keep.size);
        hb_failing_set(&f, 0, 0);
        /* Still usable, through the wrapper and directly. */
        void *p = hb_malloc(&f, 1000), *q = hb_malloc(&a, 5000);
        if (p == NULL || q == NULL)
            FAIL("nth %lu: allocation failed after the failures stopped", nth);
        hb_free(&f, p, 1000);
        hb_free(&a, q, 5000);
        check(&a, "after a failing sequence");
        printf("%s: failing wrapper nth %lu every %lu: %zu of %zu requests failed with NULL + ENOMEM exactly "
               "where asked\n", name, nth, every, failures, total);
    }
    hb_alloc_close(&f); /* the wrapper only */
    check(&a, "at the end");
    hb_alloc_close(&a);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: oom_alloc naive|pooled|bump rlimit|failing\n");
        return 2;
    }
    g_name = argv[1];
    g_case = argv[2];
    g_blocks = mmap(NULL, MAX_BLOCKS * sizeof(block), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g_blocks == MAP_FAILED)
        FAIL("mmap: %s", strerror(errno));
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(argv[2], "rlimit") == 0)
        return case_rlimit(argv[1]);
    if (strcmp(argv[2], "failing") == 0)
        return case_failing(argv[1]);
    fprintf(stderr, "oom_alloc: unknown case '%s' (valid: rlimit, failing)\n", argv[2]);
    return 2;
}
