/*
 * conform_common.c: the rules of docs/conformance.md section 1 that hold for the
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
#include "conform_rules.h"

#include <errno.h>
#include <stdarg.h>
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

int tu_reference_table;

/* Who asks for a record item's reference value, for the evidence of a
 * library given by path: a standard's requirement reads "POSIX requires",
 * glibc's behaviour for its own extensions (memalign, valloc, pvalloc) reads
 * "glibc returns", never "the standard". */
static const struct {
    const char *item, *who;
} authority[] = {
    {"errno after malloc(", "POSIX requires errno"},
    {"errno after calloc overflow", "POSIX requires errno"},
    {"errno after failed realloc(", "POSIX requires errno"},
    {"errno after reallocarray overflow", "POSIX (2024) requires errno"},
    {"misaligned aligned allocations", "POSIX requires of posix_memalign"},
    {"aligned family with a huge size",
     "POSIX requires ENOMEM of aligned_alloc and posix_memalign; memalign is a glibc extension, and glibc returns"},
    {"valloc/pvalloc near SIZE_MAX", "valloc and pvalloc are glibc extensions (in no standard), and glibc returns"},
    {"aligned_alloc(64, 100), aligned_alloc(8, 0)",
     "C17 and POSIX ask (64, 100) to succeed; for (8, 0) C leaves size 0 implementation-defined, and glibc returns"},
};

static const char *authority_of(const char *item)
{
    for (size_t i = 0; i < sizeof authority / sizeof authority[0]; i++)
        if (strncmp(item, authority[i].item, strlen(authority[i].item)) == 0)
            return authority[i].who;
    return "glibc, the reference, returns";
}

void tu_record(const char *item, const char *observed, const char *expected, const char *reference)
{
    tu_note("observed: %s %s: %s", tu_alloc_name, item, observed);
    if (expected != NULL && strcmp(expected, TU_ANY) == 0)
        return;
    if (expected == NULL)
        tu_fail("%s: observed '%s' but the expectation table has no entry for it", item, observed);
    if (strcmp(observed, expected) != 0 && tu_reference_table)
        tu_fail("%s: '%s'; %s '%s'", item, observed, authority_of(item), expected);
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


int aligned_to(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

/* C23 (paper N2293) asks of malloc(n) only the alignment of the types that
 * fit in n bytes: the largest power of two <= n, up to max_align_t's. */
static size_t c23_align(size_t n)
{
    size_t a = MAX_ALIGN;
    while (a > 1 && a > n)
        a >>= 1;
    return a;
}

void check_align(const tal *t, const void *p, size_t n, const char *fmt, ...)
{
    size_t need = tu_need_align(t, n);
    if (p == NULL || aligned_to(p, need))
        return;
    char call[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call, sizeof call, fmt, ap);
    va_end(ap);
    const char *why = need == MAX_ALIGN ? "C11 7.22.3 asks every block to be aligned for any fundamental type"
                                        : "the expectation table records 8-byte alignment only up to";
    const char *bytes = n == 1 ? "byte" : "bytes";
    if (need != MAX_ALIGN)
        tu_fail("%s returned %p: not %zu-aligned (%s %zu bytes)", call, p, need, why, t->expect->align8_upto);
    if (aligned_to(p, c23_align(n)))
        tu_fail("%s returned %p: not %zu-aligned (%s); it meets only C23's weaker rule (N2293: %zu-aligned for the "
                "types that fit in %zu %s)",
                call, p, need, why, c23_align(n), n, bytes);
    if (c23_align(n) == need)
        tu_fail("%s returned %p: not %zu-aligned (%s; C23 asks the same of %zu %s)", call, p, need, why, n, bytes);
    tu_fail("%s returned %p: not %zu-aligned (%s), nor even %zu-aligned as C23's weaker rule asks of %zu %s", call, p,
            need, why, c23_align(n), n, bytes);
}

/* A misaligned aligned allocation that the table records for this allocator. */
int aligned_recorded(const tal *t, size_t align, size_t n)
{
    char pair[64];
    snprintf(pair, sizeof pair, "%zu/%zu", align, n);
    return tu_listed(t->expect->misaligned, pair);
}

/* Allocates with t->malloc and fails on NULL. */
void *must_malloc(const tal *t, size_t n, const char *what)
{
    void *p = t->malloc(n);
    if (p == NULL)
        tu_fail("%s: malloc(%zu) returned NULL (errno %s)", what, n, tu_errname(errno));
    return p;
}

/* Checks a block's usable size (when known) and writes every usable byte. */
size_t check_usable(const tal *t, void *p, size_t n, const char *what)
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
            check_align(t, zero_blocks[i], 0, "malloc(0)");
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
    check_align(t, p, n, "%s: calloc(%zu, %zu)", what, count, size);
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
            check_align(t, p, 0, "calloc(%zu, %zu)", pairs[i][0], pairs[i][1]);
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
        check_align(t, p, ns[i], "realloc(NULL, %zu)", ns[i]);
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
            check_align(t, q, n, "realloc(p of %zu bytes, %zu)", old, n);
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
        /* size 0 last: a library that aborts on malloc(0) or calloc(1, 0)
         * (efence) must not hide what the other sizes show */
        for (size_t k = 0; k < 1024; k++) {
            size_t i = (k + 1) % 1024;
            size_t n = i < 600 ? i : (i - 590) * 997;
            if (n == 0 && strcmp(t->expect->malloc0, "NULL") == 0)
                n = 1;
            void *p = (i % 3 == 0) ? t->calloc(1, n) : t->malloc(n);
            TU_CHECK(p != NULL, "%s%zu) returned NULL (errno %s)", i % 3 ? "malloc(" : "calloc(1, ", n,
                     tu_errname(errno));
            if (!aligned_to(p, MAX_ALIGN)) {
                any = 1;
                worst = n > worst ? n : worst;
            }
            check_align(t, p, n, "%s%zu)", i % 3 ? "malloc(" : "calloc(1, ", n);
            v[i] = p;
            vn[i] = n;
        }
        for (size_t i = 0; i < 1024; i++) {
            size_t n = vn[i] * 3 / 2 + (i & 7) + 1;
            void *q = t->realloc(v[i], vn[i], n);
            TU_CHECK(q != NULL, "realloc(p of %zu bytes, %zu) returned NULL (errno %s)", vn[i], n, tu_errname(errno));
            check_align(t, q, n, "realloc(p of %zu bytes, %zu)", vn[i], n);
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
    /* A library given by path may give 8 bytes to blocks of 8 or less (C17 DR 445): recorded, not judged. */
    tu_record("alignment of malloc/calloc/realloc", seen, tu_reference_table ? TU_ANY : want,
              "16-byte aligned at every size");
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
