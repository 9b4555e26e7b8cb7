/*
 * dropin_api: the malloc family of a drop-in library against the rules of
 * docs/conformance.md section 1 that only the exported functions can show
 * (posix_memalign, aligned_alloc, memalign, valloc, pvalloc, reallocarray,
 * malloc_usable_size, errno), plus the basic ones.
 *
 * Usage: dropin_api BACKEND
 *
 * Each rule prints "FAIL: rule N: ..." when broken; the program goes on and
 * exits 1 when any rule failed.  Recorded behaviours (not failures) are
 * printed as "note:" lines: malloc(0), realloc(p, 0), aligned_alloc with
 * alignments 0 and 3.
 */
#define _GNU_SOURCE
#include "dropin_common.h"

#include <errno.h>
#include <malloc.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(rule, cond, ...)                                                                                         \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            failures++;                                                                                                \
            fprintf(stderr, "dropin_api: FAIL: rule %d: ", rule);                                                      \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

/* Volatile sizes keep the compiler from reasoning about impossible requests. */
static volatile size_t v_max = SIZE_MAX, v_ptrdiff = (size_t)PTRDIFF_MAX + 1, v_half = SIZE_MAX / 2 + 2;

/* Called through volatile pointers where the test uses a block after a call
 * that was meant to fail: the compiler cannot know that it failed. */
static void *(*volatile realloc_)(void *, size_t) = realloc;
static void *(*volatile reallocarray_)(void *, size_t, size_t) = reallocarray;

static int aligned_ok(const void *p, size_t a) { return p != NULL && ((uintptr_t)p & (a - 1)) == 0; }

static void writable(void *p, size_t n) { memset(p, 0xa5, n); }

int main(int argc, char **argv)
{
    if (hb_dropin_expect("dropin_api", argc > 1 ? argv[1] : NULL) != 0)
        return 1;
    const size_t ps = (size_t)sysconf(_SC_PAGESIZE);

    /* 1: malloc(0) */
    void *a = malloc(0), *b = malloc(0);
    CHECK(1, a != NULL && b != NULL && a != b, "malloc(0) gave %p and %p", a, b);
    printf("dropin_api: note: malloc(0) returns %s\n", a ? "a unique non-NULL pointer" : "NULL");
    free(a);
    free(b);

    /* 2: free(NULL), errno */
    errno = EDOM;
    free(NULL);
    CHECK(2, errno == EDOM, "free(NULL) changed errno to %d", errno);
    a = malloc(100);
    errno = EDOM;
    free(a);
    CHECK(2, errno == EDOM, "free changed errno to %d", errno);
    a = malloc(1 << 20);
    errno = EDOM;
    free(a);
    CHECK(2, errno == EDOM, "free of a large block changed errno to %d", errno);

    /* 3: impossible sizes */
    errno = 0;
    a = malloc(v_max);
    CHECK(3, a == NULL && errno == ENOMEM, "malloc(SIZE_MAX) gave %p, errno %d", a, errno);
    errno = 0;
    a = malloc(v_ptrdiff);
    CHECK(3, a == NULL && errno == ENOMEM, "malloc(PTRDIFF_MAX + 1) gave %p, errno %d", a, errno);

    /* 4, 6: calloc overflow and zero products */
    errno = 0;
    a = calloc(v_half, 2);
    CHECK(4, a == NULL && errno == ENOMEM, "calloc overflow gave %p, errno %d", a, errno);
    free(calloc(0, 0));
    free(calloc(0, v_max));
    free(calloc(v_max, 0));

    /* 5: calloc zeroes recycled memory */
    for (size_t n = 16; n <= (2u << 20); n *= 4) {
        void *ps_[8];
        for (int i = 0; i < 8; i++) {
            ps_[i] = malloc(n);
            memset(ps_[i], 0xff, n);
        }
        for (int i = 0; i < 8; i++)
            free(ps_[i]);
        for (int i = 0; i < 8; i++) {
            unsigned char *c = calloc(1, n);
            size_t bad = n;
            for (size_t j = 0; c != NULL && j < n && bad == n; j++)
                if (c[j] != 0)
                    bad = j;
            CHECK(5, c != NULL && bad == n, "calloc(1, %zu) byte %zu is not zero", n, bad);
            ps_[i] = c;
        }
        for (int i = 0; i < 8; i++)
            free(ps_[i]);
    }

    /* 7: realloc keeps contents */
    unsigned char *r = realloc(NULL, 20);
    CHECK(7, r != NULL, "realloc(NULL, 20) failed");
    for (int i = 0; i < 20; i++)
        r[i] = (unsigned char)i;
    r = realloc(r, 200);
    for (int i = 0; r != NULL && i < 20; i++)
        CHECK(7, r[i] == i, "realloc 20 -> 200 lost byte %d", i);
    for (int i = 0; r != NULL && i < 200; i++)
        r[i] = (unsigned char)(i * 7);
    r = realloc(r, 16);
    for (int i = 0; r != NULL && i < 16; i++)
        CHECK(7, r[i] == (unsigned char)(i * 7), "realloc 200 -> 16 lost byte %d", i);
    static const size_t steps[] = {16, 512, 513, 4096, 300000, 600000, 5000000, 100, 700000, 24};
    size_t have = 16;
    for (size_t s = 0; r != NULL && s < sizeof steps / sizeof steps[0]; s++) {
        unsigned char *q = realloc(r, steps[s]);
        CHECK(7, q != NULL, "realloc to %zu failed", steps[s]);
        if (q == NULL)
            break;
        size_t keep = have < steps[s] ? have : steps[s];
        for (size_t i = 0; i < keep; i++)
            if (q[i] != (unsigned char)(i * 7)) {
                CHECK(7, 0, "realloc %zu -> %zu lost byte %zu", have, steps[s], i);
                break;
            }
        for (size_t i = 0; i < steps[s]; i++)
            q[i] = (unsigned char)(i * 7);
        r = q;
        have = steps[s];
    }

    /* 8: failed realloc leaves p intact */
    errno = 0;
    void *q = realloc_(r, v_max - 4096);
    CHECK(8, q == NULL && errno == ENOMEM, "realloc(p, huge) gave %p, errno %d", q, errno);
    for (size_t i = 0; r != NULL && i < have; i++)
        if (r[i] != (unsigned char)(i * 7)) {
            CHECK(8, 0, "failed realloc changed byte %zu", i);
            break;
        }

    /* 9: realloc(p, 0) */
    q = realloc(r, 0);
    printf("dropin_api: note: realloc(p, 0) %s\n", q == NULL ? "frees p and returns NULL" : "returns a block");
    free(q);

    /* 10: reallocarray overflow */
    r = malloc(32);
    memset(r, 0x3c, 32);
    errno = 0;
    q = reallocarray_(r, v_half, 2);
    CHECK(10, q == NULL && errno == ENOMEM, "reallocarray overflow gave %p, errno %d", q, errno);
    for (int i = 0; i < 32; i++)
        CHECK(10, r[i] == 0x3c, "reallocarray overflow changed byte %d", i);
    q = reallocarray_(r, 10, 10);
    CHECK(10, q != NULL && ((unsigned char *)q)[31] == 0x3c, "reallocarray(p, 10, 10) failed or lost data");
    free(q);

    /* 11: alignment of plain allocations */
    for (size_t n = 0; n < 2000; n += 7) {
        void *x = malloc(n), *y = calloc(1, n), *z = realloc(NULL, n);
        CHECK(11, aligned_ok(x, alignof(max_align_t)) && aligned_ok(y, alignof(max_align_t)) &&
                      aligned_ok(z, alignof(max_align_t)),
              "size %zu: %p %p %p not aligned to %zu", n, x, y, z, alignof(max_align_t));
        free(x);
        free(y);
        free(z);
    }

    /* 12: posix_memalign */
    static const size_t bad_align[] = {0, 3, 24, 0x300, (size_t)-1, sizeof(void *) / 2};
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++) {
        void *m = &failures;
        int rc = posix_memalign(&m, bad_align[i], 16);
        CHECK(12, rc == EINVAL && m == (void *)&failures, "posix_memalign(align %zu) gave %d, *memptr %s", bad_align[i],
              rc, m == (void *)&failures ? "untouched" : "changed");
    }
    void *m = &failures;
    int rc = posix_memalign(&m, 64, v_max - 4096);
    CHECK(12, rc == ENOMEM && m == (void *)&failures, "posix_memalign(64, huge) gave %d", rc);
    m = NULL;
    rc = posix_memalign(&m, 64, 0);
    CHECK(12, rc == 0 && aligned_ok(m, 64), "posix_memalign(64, 0) gave %d, %p", rc, m);
    free(m);

    /* 13: alignments 8 .. 2^23, sizes 1 .. 3x the alignment */
    for (size_t al = 8; al <= ((size_t)1 << 23); al *= 2) {
        const size_t sizes[] = {1, al / 2 + 1, al, 3 * al};
        for (size_t s = 0; s < 4; s++) {
            m = NULL;
            rc = posix_memalign(&m, al, sizes[s]);
            CHECK(13, rc == 0 && aligned_ok(m, al) && malloc_usable_size(m) >= sizes[s],
                  "posix_memalign(%zu, %zu) gave %d, %p, usable %zu", al, sizes[s], rc, m, malloc_usable_size(m));
            if (rc == 0)
                writable(m, malloc_usable_size(m));
            free(m);
            void *x = aligned_alloc(al, sizes[s]);
            CHECK(13, aligned_ok(x, al) && malloc_usable_size(x) >= sizes[s], "aligned_alloc(%zu, %zu) gave %p", al,
                  sizes[s], x);
            if (x != NULL)
                writable(x, malloc_usable_size(x));
            free(x);
        }
    }

    /* 14: aligned_alloc */
    void *x = aligned_alloc(64, 100), *y = aligned_alloc(8, 0);
    CHECK(14, aligned_ok(x, 64) && y != NULL, "aligned_alloc(64, 100) %p, aligned_alloc(8, 0) %p", x, y);
    free(x);
    free(y);
    static volatile size_t odd_align[] = {0, 3};
    for (size_t i = 0; i < 2; i++) {
        errno = 0;
        x = aligned_alloc(odd_align[i], 32);
        printf("dropin_api: note: aligned_alloc(%zu, 32) %s (errno %d)\n", odd_align[i], x ? "succeeds" : "fails",
               errno);
        free(x);
    }

    /* 15: memalign, valloc, pvalloc */
    x = memalign(ps, 100);
    CHECK(15, aligned_ok(x, ps), "memalign(page, 100) gave %p", x);
    free(x);
    x = valloc(100);
    CHECK(15, aligned_ok(x, ps), "valloc(100) gave %p", x);
    free(x);
    x = pvalloc(100);
    CHECK(15, aligned_ok(x, ps) && malloc_usable_size(x) >= ps, "pvalloc(100) gave %p, usable %zu", x,
          malloc_usable_size(x));
    if (x != NULL)
        writable(x, ps);
    free(x);
    errno = 0;
    x = memalign(v_max, 100); /* -1 */
    CHECK(15, x == NULL, "memalign(-1, 100) gave %p", x);

    /* 16: malloc_usable_size */
    CHECK(16, malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is %zu", malloc_usable_size(NULL));
    for (size_t n = 1; n < (4u << 20); n = n * 3 + 1) {
        x = malloc(n);
        size_t u = malloc_usable_size(x);
        CHECK(16, x != NULL && u >= n, "malloc_usable_size(malloc(%zu)) is %zu", n, u);
        if (x != NULL)
            writable(x, u);
        free(x);
    }

    /* 20: large blocks */
    static const size_t big[] = {513u << 10, 64u << 20};
    for (int i = 0; i < 2; i++) {
        x = malloc(big[i]);
        CHECK(20, x != NULL, "malloc(%zu) failed", big[i]);
        if (x != NULL)
            writable(x, big[i]);
        free(x);
    }

    if (failures != 0) {
        fprintf(stderr, "dropin_api: %s: %d failure(s)\n", argv[1], failures);
        return 1;
    }
    printf("dropin_api: %s: ok\n", argv[1]);
    return 0;
}
