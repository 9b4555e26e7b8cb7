/*
 * conform_common.c: the rules of CONFORMANCE.md section 1 that hold for the
 * malloc API and for the hb_alloc interface alike, written once against
 * `tal` (see testutil.h), plus the helpers both programs use.
 *
 * Bookkeeping is static (fixed slot arrays), never allocated: the only calls
 * the allocator under test sees are the ones a rule makes on purpose.  Every
 * free passes the size that was asked for, so the counting wrapper's totals
 * stay exact and conform_iface can check they return to zero.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ============================================================================
 * helpers
 * ========================================================================= */

const char *tu_alloc_name = "?";
const char *tu_case_name = "?";
uint64_t tu_seed;

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

void tu_fail(const char *fmt, ...)
{
    static char buf[1024];
    int n = snprintf(buf, sizeof buf, "FAIL alloc.%s.%s: ", tu_alloc_name, tu_case_name);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof buf)
        n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    if (tu_seed != 0 && n >= 0 && (size_t)n < sizeof buf)
        n += snprintf(buf + n, sizeof buf - (size_t)n, " [seed 0x%llx]", (unsigned long long)tu_seed);
    if (n < 0 || (size_t)n >= sizeof buf - 1)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    write_all(2, buf, (size_t)n);
    _exit(1);
}

void tu_note(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    write_all(1, buf, (size_t)n);
}

const char *tu_errname(int e)
{
    static char buf[32];
    switch (e) {
    case 0: return "0";
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EOVERFLOW: return "EOVERFLOW";
    default: snprintf(buf, sizeof buf, "errno %d", e); return buf;
    }
}

void tu_record(const char *item, const char *observed, const char *expected, const char *reference)
{
    tu_note("observed: %s %s: %s", tu_alloc_name, item, observed);
    if (expected == NULL)
        tu_fail("%s: observed '%s' but the expectation table has no entry for it", item, observed);
    if (strcmp(observed, expected) != 0)
        tu_fail("%s: observed '%s' but the expectation table says '%s' (library version changed?)", item,
                observed, expected);
    if (reference != NULL && strcmp(expected, reference) != 0)
        tu_note("recorded: %s %s: %s (reference: %s)", tu_alloc_name, item, observed, reference);
}

static inline uint64_t word_at(uint64_t key, size_t i) { return key + (uint64_t)i * 0x9e3779b97f4a7c15ULL; }

void tu_fill(void *p, size_t n, uint64_t key)
{
    unsigned char *b = p;
    size_t words = n / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t w = word_at(key, i);
        memcpy(b + i * 8, &w, 8);
    }
    uint64_t w = word_at(key, words);
    for (size_t j = words * 8; j < n; j++)
        b[j] = (unsigned char)(w >> (8 * (j - words * 8)));
}

size_t tu_verify(const void *p, size_t n, uint64_t key)
{
    const unsigned char *b = p;
    size_t words = n / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t w = word_at(key, i), got;
        memcpy(&got, b + i * 8, 8);
        if (got != w) {
            for (size_t j = 0; j < 8; j++)
                if (b[i * 8 + j] != (unsigned char)(w >> (8 * j)))
                    return i * 8 + j;
        }
    }
    uint64_t w = word_at(key, words);
    for (size_t j = words * 8; j < n; j++)
        if (b[j] != (unsigned char)(w >> (8 * (j - words * 8))))
            return j;
    return SIZE_MAX;
}

size_t tu_nonzero(const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (w != 0)
            break;
    }
    for (; i < n; i++)
        if (b[i] != 0)
            return i;
    return SIZE_MAX;
}

size_t tu_page(void) { return (size_t)sysconf(_SC_PAGESIZE); }

size_t tu_rss(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        tu_fail("cannot open /proc/self/statm: %s", strerror(errno));
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        tu_fail("cannot read /proc/self/statm");
    buf[n] = '\0';
    unsigned long size = 0, resident = 0;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
        tu_fail("cannot parse /proc/self/statm: '%s'", buf);
    return (size_t)resident * tu_page();
}

double tu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void tu_sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

const tu_case *tu_find_case(const tu_case *table, const char *name)
{
    for (; table->name != NULL; table++)
        if (strcmp(table->name, name) == 0)
            return table;
    return NULL;
}

void tu_check(const tal *t, const char *when)
{
    char msg[512];
    if (t->check == NULL)
        return;
    msg[0] = '\0';
    if (t->check(msg, sizeof msg) != 0)
        tu_fail("check() %s: %s", when, msg);
}

size_t tu_need_align(const tal *t, size_t n)
{
    return n <= t->expect->align8_upto ? 8 : _Alignof(max_align_t);
}

int tu_listed(const char *list, const char *word)
{
    size_t n = strlen(word);
    if (list == NULL)
        return 0;
    for (const char *p = strstr(list, word); p != NULL; p = strstr(p + 1, word))
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

const char *tu_errno_profile(const char *const *labels, const int *errnos, size_t k, char *buf, size_t len)
{
    size_t same = 1;
    for (size_t i = 1; i < k; i++)
        same &= errnos[i] == errnos[0];
    if (same) {
        snprintf(buf, len, "%s", tu_errname(errnos[0]));
        return buf;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s:%s", i ? " " : "", labels[i], tu_errname(errnos[i]));
    }
    return buf;
}

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define MAX_ALIGN (_Alignof(max_align_t))

static int aligned_to(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

/* A misaligned aligned allocation that the table records for this allocator. */
static int aligned_recorded(const tal *t, size_t align, size_t n)
{
    char pair[64];
    snprintf(pair, sizeof pair, "%zu/%zu", align, n);
    return tu_listed(t->expect->misaligned, pair);
}

/* Allocates with t->malloc and fails on NULL. */
static void *must_malloc(const tal *t, size_t n, const char *what)
{
    void *p = t->malloc(n);
    if (p == NULL)
        tu_fail("%s: malloc(%zu) returned NULL (errno %s)", what, n, tu_errname(errno));
    return p;
}

/* Checks a block's usable size (when known) and writes every usable byte. */
static size_t check_usable(const tal *t, void *p, size_t n, const char *what)
{
    size_t u = n;
    if (t->flags & TAL_USABLE) {
        u = t->usable(p);
        TU_CHECK(u >= n, "%s: usable size %zu of %p is below the %zu bytes asked for", what, u, p, n);
    }
    return u;
}

/* ============================================================================
 * 1. malloc(0)
 * ========================================================================= */
#define ZERO_N 256
static void *zero_blocks[ZERO_N];

static int cmp_ptr(const void *a, const void *b) { return a < b ? -1 : a > b; }
static void sort_ptrs(void **v, size_t n) /* insertion sort: qsort may allocate */
{
    for (size_t i = 1; i < n; i++) {
        void *x = v[i];
        size_t j = i;
        while (j > 0 && cmp_ptr(v[j - 1], x) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static void case_malloc0(const tal *t)
{
    size_t nulls = 0;
    for (size_t i = 0; i < ZERO_N; i++) {
        zero_blocks[i] = t->malloc(tu_opaque(0));
        if (zero_blocks[i] == NULL)
            nulls++;
        else
            TU_CHECK(aligned_to(zero_blocks[i], tu_need_align(t, 0)), "malloc(0) returned %p, not aligned to %zu",
                     zero_blocks[i], tu_need_align(t, 0));
    }
    TU_CHECK(nulls == 0 || nulls == ZERO_N, "malloc(0) returned NULL %zu times out of %d", nulls, ZERO_N);
    tu_record("malloc(0)", nulls ? "NULL" : "non-NULL", t->expect->malloc0, "non-NULL");
    if (nulls == 0) {
        static void *sorted[ZERO_N];
        memcpy(sorted, zero_blocks, sizeof sorted);
        sort_ptrs(sorted, ZERO_N);
        for (size_t i = 1; i < ZERO_N; i++)
            TU_CHECK(sorted[i] != sorted[i - 1], "malloc(0) returned %p twice while both were live", sorted[i]);
    }
    for (size_t i = 0; i < ZERO_N; i++)
        t->free(zero_blocks[i], 0);
    /* and again after the frees: still freeable */
    void *p = t->malloc(tu_opaque(0));
    t->free(p, 0);
}

/* ============================================================================
 * 2. free(NULL) is a no-op; free leaves errno unchanged
 * ========================================================================= */
static void case_free_null(const tal *t)
{
    static const size_t sizes[] = {1, 16, 100, 512, 513, 4096, 100 * KIB, 513 * KIB, 8 * MIB};
    for (int i = 0; i < 1000; i++) {
        errno = 4242;
        t->free(tu_opaque_ptr(NULL), 0);
        TU_CHECK(errno == 4242, "free(NULL) changed errno to %s", tu_errname(errno));
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = must_malloc(t, sizes[i], "free-null");
        memset(p, 0x5a, sizes[i]);
        errno = 4242;
        t->free(p, sizes[i]);
        TU_CHECK(errno == 4242, "free of a %zu-byte block changed errno to %s", sizes[i], tu_errname(errno));
    }
    /* many frees of blocks of one class, so a page or pool empties out */
    static void *v[4096];
    for (size_t i = 0; i < 4096; i++)
        v[i] = must_malloc(t, 64, "free-null");
    errno = 4242;
    for (size_t i = 0; i < 4096; i++)
        t->free(v[i], 64);
    TU_CHECK(errno == 4242, "freeing 4096 64-byte blocks changed errno to %s", tu_errname(errno));
}

/* ============================================================================
 * 3. malloc(SIZE_MAX), malloc(PTRDIFF_MAX + 1)
 * ========================================================================= */
static void case_malloc_huge(const tal *t)
{
    const size_t sizes[] = {SIZE_MAX, (size_t)PTRDIFF_MAX + 1, SIZE_MAX - 4096, (size_t)PTRDIFF_MAX};
    const char *const labels[] = {"SIZE_MAX", "PTRDIFF_MAX+1", "SIZE_MAX-4096", "PTRDIFF_MAX"};
    int errs[4];
    char buf[256];
    for (size_t i = 0; i < 4; i++) {
        errno = 0;
        void *p = t->malloc(tu_opaque(sizes[i]));
        errs[i] = errno;
        TU_CHECK(p == NULL, "malloc(%zu) returned %p, not NULL", sizes[i], p);
    }
    tu_record("errno after malloc(SIZE_MAX, PTRDIFF_MAX+1, SIZE_MAX-4096, PTRDIFF_MAX)",
              tu_errno_profile(labels, errs, 4, buf, sizeof buf), t->expect->malloc_huge, "ENOMEM");
    /* the allocator still works */
    void *p = must_malloc(t, 100, "after malloc(huge)");
    t->free(p, 100);
}

/* ============================================================================
 * 4. calloc overflow
 * ========================================================================= */
static void case_calloc_overflow(const tal *t)
{
    const size_t pairs[][2] = {
        {SIZE_MAX / 2 + 1, 2}, {2, SIZE_MAX / 2 + 1}, {(size_t)1 << 32, (size_t)1 << 32},
        {SIZE_MAX, SIZE_MAX},  {SIZE_MAX / 16 + 1, 16}, {65536, SIZE_MAX / 65536 + 1},
    };
    const char *first = NULL;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        errno = 0;
        void *p = t->calloc(tu_opaque(pairs[i][0]), tu_opaque(pairs[i][1]));
        int e = errno;
        TU_CHECK(p == NULL, "calloc(%zu, %zu) overflows but returned %p", pairs[i][0], pairs[i][1], p);
        const char *name = tu_errname(e);
        if (first == NULL) {
            static char keep[32];
            snprintf(keep, sizeof keep, "%s", name);
            first = keep;
        } else {
            TU_CHECK(strcmp(first, name) == 0, "calloc(%zu, %zu) set errno %s but the first overflow set %s",
                     pairs[i][0], pairs[i][1], name, first);
        }
    }
    tu_record("errno after calloc overflow", first, t->expect->calloc_overflow, "ENOMEM");
}

/* ============================================================================
 * 5. calloc memory is zero: small, large, reused
 * ========================================================================= */
static void calloc_zero_once(const tal *t, size_t count, size_t size, const char *what)
{
    size_t n = count * size;
    unsigned char *p = t->calloc(count, size);
    TU_CHECK(p != NULL, "%s: calloc(%zu, %zu) returned NULL (errno %s)", what, count, size, tu_errname(errno));
    TU_CHECK(aligned_to(p, tu_need_align(t, n)), "%s: calloc returned %p, not aligned to %zu", what, (void *)p,
             tu_need_align(t, n));
    size_t bad = tu_nonzero(p, n);
    TU_CHECK(bad == SIZE_MAX, "%s: calloc(%zu, %zu) block %p has nonzero byte 0x%02x at offset %zu", what, count,
             size, (void *)p, p[bad], bad);
    memset(p, 0xa5, n); /* dirty it, so a reuse shows */
    t->free(p, n);
}

static void case_calloc_zero(const tal *t)
{
    static const size_t sizes[] = {1,   7,    8,    15,    16,        17,        24,       100,       255,
                                   256, 511,  512,  513,   1000,      4095,      4096,     4097,      16 * KIB,
                                   65 * KIB, 128 * KIB, 200 * KIB, 513 * KIB, 1 * MIB, 4 * MIB + 3, 32 * MIB};
    const size_t ns = sizeof sizes / sizeof sizes[0];
    /* fresh blocks, and each size calloc'ed again right after a dirty free */
    const int reuses = (t->flags & TAL_REUSES) != 0;
    for (int round = 0; round < (reuses ? 2 : 1); round++)
        for (size_t i = 0; i < ns; i++) {
            calloc_zero_once(t, 1, sizes[i], "calloc-zero");
            calloc_zero_once(t, sizes[i], 1, "calloc-zero");
        }
    /* blocks used and freed first: fill many blocks of a size, free them all,
     * calloc the same number again */
    static void *v[2048];
    for (size_t i = 0; i < ns; i++) {
        size_t n = sizes[i];
        size_t k = n <= 4096 ? 2048 : n <= MIB ? 32 : 2;
        if (!reuses) { /* bump keeps every byte: nothing is reused, keep RSS modest */
            if (n > MIB)
                continue;
            k = k > 64 ? 64 : k;
        }
        for (size_t j = 0; j < k; j++) {
            v[j] = must_malloc(t, n, "calloc-zero");
            memset(v[j], 0xff, n);
        }
        for (size_t j = 0; j < k; j++)
            t->free(v[j], n);
        for (size_t j = 0; j < k; j++) {
            unsigned char *p = t->calloc(1, n);
            TU_CHECK(p != NULL, "calloc(1, %zu) returned NULL", n);
            size_t bad = tu_nonzero(p, n);
            TU_CHECK(bad == SIZE_MAX, "calloc(1, %zu) after freeing dirty blocks: byte %zu of %p is 0x%02x", n, bad,
                     (void *)p, p[bad]);
            v[j] = p;
        }
        for (size_t j = 0; j < k; j++)
            t->free(v[j], n);
    }
}

/* ============================================================================
 * 6. calloc(0,0), calloc(0,SIZE_MAX), calloc(SIZE_MAX,0)
 * ========================================================================= */
static void case_calloc_edge(const tal *t)
{
    const size_t pairs[][2] = {{0, 0}, {0, SIZE_MAX}, {SIZE_MAX, 0}, {0, 1}, {1, 0}};
    char seen[128] = "";
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        void *p = t->calloc(tu_opaque(pairs[i][0]), tu_opaque(pairs[i][1]));
        if (p != NULL)
            TU_CHECK(aligned_to(p, tu_need_align(t, 0)), "calloc(%zu, %zu) returned %p, not aligned", pairs[i][0],
                     pairs[i][1], p);
        size_t len = strlen(seen);
        snprintf(seen + len, sizeof seen - len, "%s%s", i ? " " : "", p ? "block" : "NULL");
        t->free(p, 0);
    }
    tu_note("observed: %s calloc(0,0) (0,SIZE_MAX) (SIZE_MAX,0) (0,1) (1,0): %s", tu_alloc_name, seen);
}

/* ============================================================================
 * 7. realloc: NULL acts as malloc; grow and shrink keep contents
 * ========================================================================= */
/* Byte i of a realloc'ed block: depends on the index only, so it survives moves. */
static void fill_index(unsigned char *p, size_t from, size_t to, unsigned salt)
{
    for (size_t i = from; i < to; i++)
        p[i] = (unsigned char)(i * 131 + salt + (i >> 8));
}
static size_t verify_index(const unsigned char *p, size_t n, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 131 + salt + (i >> 8)))
            return i;
    return SIZE_MAX;
}

static void case_realloc(const tal *t)
{
    /* realloc(NULL, n) acts as malloc(n) */
    static const size_t ns[] = {0, 1, 16, 100, 512, 513, 5000, 600 * KIB};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        unsigned char *p = t->realloc(tu_opaque_ptr(NULL), 0, ns[i]);
        if (ns[i] == 0 && p == NULL && strcmp(t->expect->malloc0, "NULL") == 0)
            continue;
        TU_CHECK(p != NULL, "realloc(NULL, %zu) returned NULL (errno %s)", ns[i], tu_errname(errno));
        TU_CHECK(aligned_to(p, tu_need_align(t, ns[i])), "realloc(NULL, %zu) returned %p, not aligned", ns[i], (void *)p);
        check_usable(t, p, ns[i], "realloc(NULL, n)");
        fill_index(p, 0, ns[i], 1);
        t->free(p, ns[i]);
    }
    /* grow 20 -> 200, shrink 100 -> 16 */
    unsigned char *p = must_malloc(t, 20, "realloc");
    fill_index(p, 0, 20, 7);
    p = t->realloc(p, 20, 200);
    TU_CHECK(p != NULL, "realloc(p, 200) returned NULL");
    size_t bad = verify_index(p, 20, 7);
    TU_CHECK(bad == SIZE_MAX, "realloc 20 -> 200 lost byte %zu", bad);
    t->free(p, 200);
    p = must_malloc(t, 100, "realloc");
    fill_index(p, 0, 100, 9);
    p = t->realloc(p, 100, 16);
    TU_CHECK(p != NULL, "realloc(p, 16) returned NULL");
    bad = verify_index(p, 16, 9);
    TU_CHECK(bad == SIZE_MAX, "realloc 100 -> 16 lost byte %zu of the prefix", bad);
    t->free(p, 16);
    /* a walk across size classes, pool / large boundaries and back */
    static const size_t walk[] = {1,        8,         16,       17,      32,       48,       100,     256,
                                  511,      512,       513,      1024,    2048,     4096,     4097,    8192,
                                  16 * KIB, 64 * KIB,  128 * KIB, 256 * KIB, 513 * KIB, MIB,   4 * MIB, 9 * MIB,
                                  2 * MIB,  600 * KIB, 100 * KIB, 5000,    513,      512,      300,     16,
                                  1,        24,        24,       4 * MIB, 17,       520,      510,     7};
    for (unsigned salt = 0; salt < 3; salt++) {
        size_t old = walk[0];
        p = must_malloc(t, old, "realloc walk");
        fill_index(p, 0, old, salt);
        for (size_t i = 1; i < sizeof walk / sizeof walk[0]; i++) {
            size_t n = walk[(i + salt) % (sizeof walk / sizeof walk[0])];
            unsigned char *q = t->realloc(p, old, n);
            TU_CHECK(q != NULL, "realloc(p, %zu -> %zu) returned NULL", old, n);
            TU_CHECK(aligned_to(q, tu_need_align(t, n)), "realloc(p, %zu -> %zu) returned %p, not aligned", old, n, (void *)q);
            size_t keep = old < n ? old : n;
            bad = verify_index(q, keep, salt);
            TU_CHECK(bad == SIZE_MAX, "realloc %zu -> %zu lost byte %zu of the %zu kept", old, n, bad, keep);
            check_usable(t, q, n, "realloc");
            if (n > old)
                fill_index(q, old, n, salt);
            p = q;
            old = n;
        }
        t->free(p, old);
    }
}

/* ============================================================================
 * 8. a failed realloc leaves the block valid and intact
 * ========================================================================= */
static void case_realloc_fail(const tal *t)
{
    static const size_t olds[] = {100, 5000, 600 * KIB};
    const size_t huge[] = {(size_t)PTRDIFF_MAX, (size_t)PTRDIFF_MAX + 1, SIZE_MAX - 4096, SIZE_MAX};
    const char *const labels[] = {"PTRDIFF_MAX", "PTRDIFF_MAX+1", "SIZE_MAX-4096", "SIZE_MAX"};
    static char first[256];
    char buf[256];
    for (size_t i = 0; i < sizeof olds / sizeof olds[0]; i++) {
        unsigned char *p = must_malloc(t, olds[i], "realloc-fail");
        fill_index(p, 0, olds[i], 3);
        int errs[4];
        for (size_t j = 0; j < 4; j++) {
            errno = 0;
            void *q = t->realloc(p, olds[i], tu_opaque(huge[j]));
            errs[j] = errno;
            TU_CHECK(q == NULL, "realloc(p, %zu) returned %p, not NULL", huge[j], q);
            size_t bad = verify_index(p, olds[i], 3);
            TU_CHECK(bad == SIZE_MAX, "failed realloc(p, %zu) changed byte %zu of the %zu-byte block", huge[j], bad,
                     olds[i]);
        }
        tu_errno_profile(labels, errs, 4, buf, sizeof buf);
        if (i == 0)
            snprintf(first, sizeof first, "%s", buf);
        else
            TU_CHECK(strcmp(first, buf) == 0, "failed realloc of a %zu-byte block set errno '%s', of a %zu-byte one '%s'",
                     olds[i], buf, olds[0], first);
        /* p is still a valid block: it can grow, and be freed */
        unsigned char *q = t->realloc(p, olds[i], olds[i] * 2);
        TU_CHECK(q != NULL, "realloc after a failed realloc returned NULL");
        size_t bad = verify_index(q, olds[i], 3);
        TU_CHECK(bad == SIZE_MAX, "realloc after a failed realloc lost byte %zu", bad);
        t->free(q, olds[i] * 2);
    }
    tu_record("errno after failed realloc(p, PTRDIFF_MAX, PTRDIFF_MAX+1, SIZE_MAX-4096, SIZE_MAX)", first,
              t->expect->realloc_fail, "ENOMEM");
}

/* ============================================================================
 * 9. realloc(p, 0)
 * ========================================================================= */
static void case_realloc_zero(const tal *t)
{
    static const size_t sizes[] = {1, 100, 1000, 5000, 600 * KIB};
    const char *seen = NULL;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = must_malloc(t, sizes[i], "realloc-zero");
        memset(p, 1, sizes[i]);
        void *q = t->realloc(p, sizes[i], tu_opaque(0));
        const char *what = q == NULL ? "frees, returns NULL" : "returns a block";
        TU_CHECK(seen == NULL || strcmp(seen, what) == 0, "realloc(p, 0) %s for %zu bytes but %s before", what,
                 sizes[i], seen);
        seen = what;
        t->free(q, 0);
    }
    tu_record("realloc(p, 0)", seen, t->expect->realloc_zero, "frees, returns NULL");
    /* no leak: 100k rounds of realloc(malloc(1000), 0) keep RSS flat */
    if (!(t->flags & TAL_REUSES)) {
        tu_note("recorded: %s never reuses memory: realloc(p, 0) leak check not applicable", tu_alloc_name);
        return;
    }
    size_t before = 0;
    for (int i = 0; i < 100000; i++) {
        if (i == 1000)
            before = tu_rss();
        void *p = must_malloc(t, 1000, "realloc-zero");
        memset(p, 2, 1000);
        void *q = t->realloc(p, 1000, tu_opaque(0));
        t->free(q, 0);
    }
    size_t after = tu_rss();
    TU_CHECK(after <= before + 16 * MIB, "100k realloc(p, 0) rounds grew RSS from %zu to %zu KiB: a leak",
             before / KIB, after / KIB);
}

/* ============================================================================
 * 11. alignment of malloc, calloc, realloc
 * ========================================================================= */
static void case_align_default(const tal *t)
{
    /* which sizes come back less than 16-byte aligned (C allows 8 where no
     * object of the size needs more); everything else must be 16-aligned */
    size_t worst = 0;
    int any = 0;
    static void *v[1024];
    static size_t vn[1024];
    const int rounds = (t->flags & TAL_REUSES) ? 8 : 2; /* bump keeps every byte */
    for (int round = 0; round < rounds; round++) {
        for (size_t i = 0; i < 1024; i++) {
            size_t n = i < 600 ? i : (i - 590) * 997;
            if (n == 0 && strcmp(t->expect->malloc0, "NULL") == 0)
                n = 1;
            void *p = (i % 3 == 0) ? t->calloc(1, n) : t->malloc(n);
            TU_CHECK(p != NULL, "allocation of %zu bytes returned NULL", n);
            TU_CHECK(aligned_to(p, 8), "%s(%zu) returned %p, not even 8-byte aligned", i % 3 ? "malloc" : "calloc",
                     n, p);
            if (!aligned_to(p, MAX_ALIGN)) {
                any = 1;
                worst = n > worst ? n : worst;
            }
            TU_CHECK(aligned_to(p, tu_need_align(t, n)), "%s(%zu) returned %p, not aligned to %zu",
                     i % 3 ? "malloc" : "calloc", n, p, tu_need_align(t, n));
            v[i] = p;
            vn[i] = n;
        }
        for (size_t i = 0; i < 1024; i++) {
            size_t n = vn[i] * 3 / 2 + (i & 7) + 1;
            void *q = t->realloc(v[i], vn[i], n);
            TU_CHECK(q != NULL, "realloc to %zu bytes returned NULL", n);
            TU_CHECK(aligned_to(q, tu_need_align(t, n)), "realloc(p, %zu) returned %p, not aligned to %zu", n, q,
                     tu_need_align(t, n));
            if (!aligned_to(q, MAX_ALIGN)) {
                any = 1;
                worst = n > worst ? n : worst;
            }
            t->free(q, n);
        }
    }
    char seen[64], want[64];
    if (any)
        snprintf(seen, sizeof seen, "8-byte aligned up to %zu bytes", worst);
    else
        snprintf(seen, sizeof seen, "16-byte aligned at every size");
    if (t->expect->align8_upto)
        snprintf(want, sizeof want, "8-byte aligned up to %zu bytes", t->expect->align8_upto);
    else
        snprintf(want, sizeof want, "16-byte aligned at every size");
    tu_record("alignment of malloc/calloc/realloc", seen, want, "16-byte aligned at every size");
}

/* ============================================================================
 * 13. power-of-two alignments 8 .. 2^23, sizes 1 .. 3x the alignment
 * ========================================================================= */
static void case_align_pow2(const tal *t)
{
    static char misaligned[1024];
    misaligned[0] = '\0';
    for (size_t a = 8; a <= ((size_t)1 << 23); a <<= 1) {
        const size_t sizes[] = {1, a / 2 + 1, a - 1, a, a + 1, 2 * a + 8, 3 * a};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t n = sizes[i];
            errno = 0;
            void *p = t->aligned(a, n);
            TU_CHECK(p != NULL, "aligned allocation (alignment %zu, size %zu) returned NULL (errno %s)", a, n,
                     tu_errname(errno));
            if (!aligned_to(p, a)) {
                size_t len = strlen(misaligned);
                snprintf(misaligned + len, sizeof misaligned - len, "%s%zu/%zu", len ? " " : "", a, n);
            }
            size_t u = check_usable(t, p, n, "align-pow2");
            uint64_t key = tu_key(p, u);
            if ((t->flags & TAL_REUSES) || u <= MIB) {
                tu_fill(p, u, key);
                size_t bad = tu_verify(p, u, key);
                TU_CHECK(bad == SIZE_MAX, "alignment %zu size %zu: byte %zu did not keep what was written", a, n,
                         bad);
            } else { /* bump keeps every byte: write the first and last 64 KiB only */
                unsigned char *b = p;
                tu_fill(b, 64 * KIB, key);
                tu_fill(b + u - 64 * KIB, 64 * KIB, key + 1);
                TU_CHECK(tu_verify(b, 64 * KIB, key) == SIZE_MAX && tu_verify(b + u - 64 * KIB, 64 * KIB, key + 1) ==
                             SIZE_MAX,
                         "alignment %zu size %zu: the block did not keep what was written", a, n);
            }
            t->free(p, n);
        }
    }
    if (misaligned[0] == '\0')
        snprintf(misaligned, sizeof misaligned, "none");
    tu_record("misaligned aligned allocations (alignment/size)", misaligned, t->expect->misaligned, "none");
}

/* ============================================================================
 * 16. usable size
 * ========================================================================= */
static void case_usable_size(const tal *t)
{
    if (!(t->flags & TAL_USABLE)) {
        void *p = must_malloc(t, 100, "usable-size");
        size_t u = t->usable(p);
        TU_CHECK(u == 0, "usable size is documented unknown (0) but is %zu", u);
        TU_CHECK(t->usable(NULL) == 0, "usable_size(NULL) is %zu, not 0", t->usable(NULL));
        tu_note("recorded: %s keeps no block sizes: usable_size is 0 (unknown)", tu_alloc_name);
        t->free(p, 100);
        return;
    }
    TU_CHECK(t->usable(tu_opaque_ptr(NULL)) == 0, "usable size of NULL is %zu, not 0", t->usable(NULL));
    static void *v[1200];
    static size_t vn[1200];
    for (size_t i = 0; i < 1200; i++) {
        size_t n = i < 1100 ? i : (i - 1099) * 7919;
        void *p = t->malloc(n);
        if (p == NULL && n == 0 && strcmp(t->expect->malloc0, "NULL") == 0) {
            v[i] = NULL;
            continue;
        }
        TU_CHECK(p != NULL, "malloc(%zu) returned NULL", n);
        size_t u = check_usable(t, p, n, "usable-size");
        tu_fill(p, u, tu_key(p, u));
        v[i] = p;
        vn[i] = n;
    }
    for (size_t i = 0; i < 1200; i++) {
        if (v[i] == NULL)
            continue;
        size_t u = t->usable(v[i]);
        size_t bad = tu_verify(v[i], u, tu_key(v[i], u));
        TU_CHECK(bad == SIZE_MAX, "block %p (%zu asked, %zu usable): byte %zu was overwritten by another block",
                 v[i], vn[i], u, bad);
        t->free(v[i], vn[i]);
    }
}

/* ============================================================================
 * 17. live blocks never overlap: a randomized run
 * ========================================================================= */
#define RND_SLOTS 8192
#define RND_OPS 1000000
typedef struct rslot {
    unsigned char *p;
    size_t n;
    uint64_t key;
} rslot;
static rslot rnd[RND_SLOTS];

/* Mostly small; a reusing allocator gets more large blocks than bump, which
 * keeps every byte it ever hands out. */
static size_t random_size(tu_rng *r, int reuses)
{
    size_t x = tu_below(r, 100000);
    if (x < (reuses ? 90000u : 95000u))
        return tu_range(r, 1, 128);
    if (x < (reuses ? 99500u : 99990u))
        return tu_range(r, 129, 8192);
    if (x < (reuses ? 99950u : 99999u))
        return tu_range(r, 8193, 128 * KIB);
    return tu_range(r, 128 * KIB + 1, MIB);
}

static void rnd_check_block(const rslot *s, size_t op, const char *when)
{
    size_t bad = tu_verify(s->p, s->n, s->key);
    if (bad != SIZE_MAX)
        tu_fail("op %zu: %s block %p (%zu bytes): byte %zu was overwritten (another live block overlaps it, or "
                "the allocator wrote into it)",
                op, when, (void *)s->p, s->n, bad);
}

static void case_random(const tal *t)
{
    tu_rng r = {tu_seed = 0x5eed0017ULL};
    const int reuses = (t->flags & TAL_REUSES) != 0;
    size_t live = 0;
    for (size_t op = 0; op < RND_OPS; op++) {
        rslot *s = &rnd[tu_below(&r, RND_SLOTS)];
        size_t x = tu_below(&r, 100);
        if (s->p == NULL) {
            size_t n = random_size(&r, reuses), align = tu_need_align(t, n);
            unsigned char *p;
            if (x < 70) {
                p = t->malloc(n);
            } else if (x < 85) {
                p = t->calloc(x & 1 ? 1 : n, x & 1 ? n : 1);
                if (p != NULL) {
                    size_t bad = tu_nonzero(p, n);
                    TU_CHECK(bad == SIZE_MAX, "op %zu: calloc'ed block %p (%zu bytes) has byte %zu nonzero", op,
                             (void *)p, n, bad);
                }
            } else if (x < 95) {
                align = (size_t)8 << tu_below(&r, 10); /* 8 .. 4096 */
                p = t->aligned(align, n);
            } else {
                p = t->realloc(NULL, 0, n);
            }
            TU_CHECK(p != NULL, "op %zu: allocation of %zu bytes returned NULL (errno %s)", op, n, tu_errname(errno));
            TU_CHECK(aligned_to(p, align) || aligned_recorded(t, align, n),
                     "op %zu: %zu-byte block %p is not aligned to %zu", op, n, (void *)p, align);
            if (t->flags & TAL_USABLE)
                TU_CHECK(t->usable(p) >= n, "op %zu: usable size %zu below %zu", op, t->usable(p), n);
            s->p = p;
            s->n = n;
            s->key = tu_key(p, n);
            tu_fill(p, n, s->key);
            live++;
        } else if (x < 70) {
            rnd_check_block(s, op, "freeing");
            t->free(s->p, s->n);
            s->p = NULL;
            live--;
        } else {
            size_t n = random_size(&r, reuses);
            rnd_check_block(s, op, "reallocating");
            unsigned char *q = t->realloc(s->p, s->n, n);
            TU_CHECK(q != NULL, "op %zu: realloc(%zu -> %zu) returned NULL", op, s->n, n);
            TU_CHECK(aligned_to(q, tu_need_align(t, n)), "op %zu: realloc returned %p, not aligned", op, (void *)q);
            size_t keep = s->n < n ? s->n : n;
            size_t bad = tu_verify(q, keep, s->key);
            TU_CHECK(bad == SIZE_MAX, "op %zu: realloc %zu -> %zu lost byte %zu", op, s->n, n, bad);
            s->p = q;
            s->n = n;
            s->key = tu_key(q, n);
            tu_fill(q, n, s->key);
        }
        if ((op & 0xffff) == 0xffff)
            tu_check(t, "during the randomized run");
    }
    for (size_t i = 0; i < RND_SLOTS; i++)
        if (rnd[i].p != NULL)
            rnd_check_block(&rnd[i], RND_OPS, "final check of");
    tu_check(t, "after the randomized run");
    for (size_t i = 0; i < RND_SLOTS; i++)
        if (rnd[i].p != NULL) {
            t->free(rnd[i].p, rnd[i].n);
            rnd[i].p = NULL;
        }
    tu_check(t, "after freeing everything");
    tu_note("random: %d ops, %zu blocks live at the end, seed 0x%llx", RND_OPS, live,
            (unsigned long long)tu_seed);
}

/* ============================================================================
 * 18. cross-thread frees, threads that come and go, RSS settles
 * ========================================================================= */
#define TH_N 4
#define TH_STRIPE 4096
#define TH_ROUNDS 12
#define TH_WARM 4
typedef struct tblock {
    unsigned char *p;
    size_t n;
    uint64_t key;
} tblock;
static tblock th_slots[TH_N][TH_STRIPE];
static pthread_barrier_t th_barrier;
static const tal *th_tal;
static size_t th_stripe; /* slots used per stripe */

typedef struct th_arg {
    int t;
    int round;
} th_arg;

static void th_put(const tal *t, tblock *b, tu_rng *r)
{
    size_t x = tu_below(r, 100), n;
    if (x < 80)
        n = tu_range(r, 16, 256);
    else if (x < 98)
        n = tu_range(r, 257, 4096);
    else
        n = tu_range(r, 4097, 64 * KIB);
    unsigned char *p = t->malloc(n);
    if (p == NULL)
        tu_fail("thread: malloc(%zu) returned NULL", n);
    b->p = p;
    b->n = n;
    b->key = tu_key(p, n);
    tu_fill(p, n, b->key);
}

static void th_take(const tal *t, tblock *b, const char *whose)
{
    size_t bad = tu_verify(b->p, b->n, b->key);
    if (bad != SIZE_MAX)
        tu_fail("thread: block %p (%zu bytes) allocated by %s: byte %zu was overwritten", (void *)b->p, b->n, whose,
                bad);
    t->free(b->p, b->n);
    b->p = NULL;
}

static void *th_main(void *arg)
{
    th_arg *a = arg;
    const tal *t = th_tal;
    tu_rng r = {tu_seed ^ ((uint64_t)a->round << 8) ^ (uint64_t)a->t};
    /* phase 1: free what a dead thread of the last round left in my stripe, refill it */
    for (size_t i = 0; i < th_stripe; i++) {
        tblock *b = &th_slots[a->t][i];
        if (b->p != NULL)
            th_take(t, b, "a thread that has exited");
        th_put(t, b, &r);
    }
    pthread_barrier_wait(&th_barrier);
    /* phase 2: free half of my neighbour's blocks while it is alive, and
     * allocate replacements that outlive me */
    int nb = (a->t + 1) % TH_N;
    for (size_t i = 0; i < th_stripe; i += 2) {
        tblock *b = &th_slots[nb][i];
        th_take(t, b, "a live thread");
        th_put(t, b, &r);
    }
    pthread_barrier_wait(&th_barrier);
    /* phase 3: churn locally, freeing my own blocks and those the neighbour left */
    for (size_t i = 1; i < th_stripe; i += 4) {
        tblock *b = &th_slots[a->t][i];
        th_take(t, b, "this thread");
        th_put(t, b, &r);
    }
    return NULL;
}

static void case_threads(const tal *t)
{
    tu_seed = 0x5eed0018ULL;
    if (!(t->flags & TAL_THREAD_SAFE)) {
        tu_note("recorded: %s is not thread-safe (its capability flags): cross-thread rules do not apply",
                tu_alloc_name);
        return;
    }
    const int reuses = (t->flags & TAL_REUSES) != 0;
    const int rounds = reuses ? TH_ROUNDS : TH_WARM + 2;
    th_stripe = reuses ? TH_STRIPE : TH_STRIPE / 4;
    th_tal = t;
    size_t warm = 0, end = 0;
    for (int round = 0; round < rounds; round++) {
        pthread_t tid[TH_N];
        static th_arg args[TH_N];
        pthread_barrier_init(&th_barrier, NULL, TH_N);
        for (int i = 0; i < TH_N; i++) {
            args[i].t = i;
            args[i].round = round;
            int rc = pthread_create(&tid[i], NULL, th_main, &args[i]);
            TU_CHECK(rc == 0, "pthread_create: %s", strerror(rc));
        }
        for (int i = 0; i < TH_N; i++)
            pthread_join(tid[i], NULL);
        pthread_barrier_destroy(&th_barrier);
        if (round == TH_WARM - 1)
            warm = tu_rss();
        if (round == rounds - 1)
            end = tu_rss();
    }
    tu_check(t, "after the threads exited");
    for (int i = 0; i < TH_N; i++)
        for (size_t j = 0; j < th_stripe; j++)
            if (th_slots[i][j].p != NULL)
                th_take(t, &th_slots[i][j], "an exited thread");
    tu_check(t, "after freeing everything");
    tu_note("threads: RSS after %d warm-up rounds %zu KiB, after %d rounds %zu KiB", TH_WARM, warm / KIB, rounds,
            end / KIB);
    if (!reuses) {
        tu_note("recorded: %s never reuses memory: RSS grows with every round (exempt from the settling bound)",
                tu_alloc_name);
        return;
    }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* sanitizer shadow memory grows with every address touched and counts in
     * RSS: the bound is wider, and says so */
    size_t bound = warm + warm / 2 + 64 * MIB;
    tu_note("threads: sanitizer build: RSS includes shadow memory, bound widened to +50%% + 64 MiB");
#else
    size_t bound = warm + warm / 5 + 8 * MIB;
#endif
    TU_CHECK(end <= bound, "RSS did not settle: %zu KiB after %d rounds, bound %zu KiB (warm-up %zu KiB)",
             end / KIB, rounds, bound / KIB, warm / KIB);
}

/* ============================================================================
 * 19. fork while other threads allocate
 * ========================================================================= */
#define FORK_WORKERS 3
#define FORK_TIMES 24
static atomic_int fork_stop;
static atomic_long fork_work;

static void *fork_worker(void *arg)
{
    const tal *t = th_tal;
    tu_rng r = {(uint64_t)(uintptr_t)arg * 7919 + 1};
    static __thread tblock mine[64];
    while (!atomic_load(&fork_stop)) {
        tblock *b = &mine[tu_below(&r, 64)];
        if (b->p != NULL)
            th_take(t, b, "a fork worker");
        th_put(t, b, &r);
        atomic_fetch_add(&fork_work, 1);
    }
    for (int i = 0; i < 64; i++)
        if (mine[i].p != NULL)
            th_take(t, &mine[i], "a fork worker");
    return NULL;
}

static void fork_child(const tal *t)
{
    static tblock v[512];
    tu_rng r = {0xc41d};
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 512; i++)
            th_put(t, &v[i], &r);
        for (int i = 0; i < 512; i++)
            th_take(t, &v[i], "the forked child");
    }
    void *big = t->malloc(2 * MIB);
    if (big == NULL)
        tu_fail("child after fork: malloc(2 MiB) returned NULL");
    memset(big, 3, 2 * MIB);
    t->free(big, 2 * MIB);
    _exit(0);
}

static void case_fork(const tal *t)
{
    if (!(t->flags & TAL_THREAD_SAFE)) {
        tu_note("recorded: %s is not thread-safe (its capability flags): fork with threads does not apply",
                tu_alloc_name);
        return;
    }
    th_tal = t;
    pthread_t tid[FORK_WORKERS];
    atomic_store(&fork_stop, 0);
    for (uintptr_t i = 0; i < FORK_WORKERS; i++) {
        int rc = pthread_create(&tid[i], NULL, fork_worker, (void *)(i + 1));
        TU_CHECK(rc == 0, "pthread_create: %s", strerror(rc));
    }
    while (atomic_load(&fork_work) < 1000)
        tu_sleep_ms(1);
    for (int k = 0; k < FORK_TIMES; k++) {
        long before = atomic_load(&fork_work);
        pid_t pid = fork();
        TU_CHECK(pid >= 0, "fork: %s", strerror(errno));
        if (pid == 0)
            fork_child(t);
        int status = 0;
        double deadline = tu_now() + 20.0;
        pid_t w;
        while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
            if (tu_now() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                tu_fail("fork %d: the child has not finished after 20 s: deadlock in the allocator after fork", k);
            }
            tu_sleep_ms(1);
        }
        TU_CHECK(w == pid, "waitpid: %s", strerror(errno));
        TU_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                 "fork %d: the child %s %d (its FAIL line, if any, is above)", k,
                 WIFEXITED(status) ? "exited with status" : "was killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        /* let the workers run between forks, so forks land in the middle of calls */
        while (atomic_load(&fork_work) < before + 200)
            tu_sleep_ms(0);
    }
    atomic_store(&fork_stop, 1);
    for (int i = 0; i < FORK_WORKERS; i++)
        pthread_join(tid[i], NULL);
    tu_check(t, "after the forks");
    tu_note("fork: %d children allocated and exited 0 while %d threads allocated (%ld ops)", FORK_TIMES,
            FORK_WORKERS, (long)atomic_load(&fork_work));
}

/* ============================================================================
 * 20. large blocks; a freed huge block goes back to the OS
 * ========================================================================= */
static void case_large(const tal *t)
{
    /* first, on a fresh heap: memory of a freed huge block goes back to the OS */
    const size_t huge = 64 * MIB;
    size_t rss0 = tu_rss();
    unsigned char *p = must_malloc(t, huge, "large");
    memset(p, 0x77, huge);
    size_t rss1 = tu_rss();
    TU_CHECK(rss1 >= rss0 + huge / 2, "filling a 64 MiB block raised RSS only from %zu to %zu KiB", rss0 / KIB,
             rss1 / KIB);
    t->free(p, huge);
    size_t rss2 = tu_rss();
    /* some allocators give memory back lazily, on later calls or after a delay */
    for (int i = 0; i < 50 && rss2 + huge / 2 > rss1; i++) {
        void *s = t->malloc(64);
        t->free(s, 64);
        tu_sleep_ms(20);
        rss2 = tu_rss();
    }
    const char *seen = rss2 + huge / 2 <= rss1 ? "returned to the OS" : "kept";
    tu_note("large: RSS %zu KiB before, %zu KiB with 64 MiB filled, %zu KiB after free", rss0 / KIB, rss1 / KIB,
            rss2 / KIB);
    tu_record("freed 64 MiB block", seen, t->expect->large_return, "returned to the OS");
    /* then large blocks allocate, fill, keep their contents, and free */
    static const size_t sizes[] = {513 * KIB, MIB + 1, 8 * MIB, 64 * MIB};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        p = must_malloc(t, n, "large");
        TU_CHECK(aligned_to(p, MAX_ALIGN), "malloc(%zu) returned %p, not aligned", n, (void *)p);
        check_usable(t, p, n, "large");
        uint64_t key = tu_key(p, n);
        tu_fill(p, n, key);
        size_t bad = tu_verify(p, n, key);
        TU_CHECK(bad == SIZE_MAX, "%zu-byte block: byte %zu did not keep what was written", n, bad);
        t->free(p, n);
        unsigned char *z = t->calloc(1, n);
        TU_CHECK(z != NULL, "calloc(1, %zu) returned NULL", n);
        bad = tu_nonzero(z, n);
        TU_CHECK(bad == SIZE_MAX, "calloc(1, %zu): byte %zu is not zero", n, bad);
        t->free(z, n);
    }
}

const tu_case tu_common_cases[] = {
    {"malloc0", case_malloc0},
    {"free-null", case_free_null},
    {"malloc-huge", case_malloc_huge},
    {"calloc-overflow", case_calloc_overflow},
    {"calloc-zero", case_calloc_zero},
    {"calloc-edge", case_calloc_edge},
    {"realloc", case_realloc},
    {"realloc-fail", case_realloc_fail},
    {"realloc-zero", case_realloc_zero},
    {"align-default", case_align_default},
    {"align-pow2", case_align_pow2},
    {"usable-size", case_usable_size},
    {"random", case_random},
    {"threads", case_threads},
    {"fork", case_fork},
    {"large", case_large},
    {NULL, NULL},
};
