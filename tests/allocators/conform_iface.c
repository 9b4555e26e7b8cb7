/*
 * conform_iface.c: docs/conformance.md section 1 through the hb_alloc interface,
 * for the in-process plug-ins and for the wrappers stacked over them.
 *
 *   conform_iface <instance> <rule>
 *   instance: naive | pooled | bump | counting-<plug-in> | failing-<plug-in>
 *
 * The contract is allocator.h's: ENOMEM on every failure, realloc(p, old, 0)
 * frees and returns NULL, aligned() takes powers of two >= sizeof(void *) and
 * gives EINVAL otherwise, every block aligned to alignof(max_align_t).  The
 * wrappers run with nothing to do (counting with exact sizes, failing with no
 * failure armed), so every rule holds through them too; `counts` and `oom`
 * check what they add.  Capability flags decide what the rules expect: bump
 * (no HB_ALLOC_FREES) is exempt from the reuse checks only, and rule 22
 * asserts that its free is a no-op.
 *
 * After every rule, a counting wrapper must report zero live bytes and blocks
 * (the rules pass exact sizes), and check() must accept the heap.
 */
#define _GNU_SOURCE
#include "allocator.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

/* Under AddressSanitizer, the libc plug-in (and wrappers over it) reach the
 * sanitizer's malloc: it must return NULL for impossible sizes (as the
 * contract says) rather than abort, and must not park freed blocks in its
 * quarantine, or the RSS rules would measure the quarantine.  ASAN_OPTIONS
 * from the environment still override these. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1:quarantine_size_mb=0"; }

static hb_alloc inner, outer; /* outer == inner when no wrapper */
static const char *wrapper;   /* "counting", "failing" or NULL */

/* ---- the interface contract as an expectation table --------------------------- */
static tal_expect contract = {
    .malloc0 = "non-NULL",
    .malloc_huge = "ENOMEM",
    .calloc_overflow = "ENOMEM",
    .realloc_fail = "ENOMEM",
    .realloc_zero = "frees, returns NULL",
    .large_return = "returned to the OS", /* "kept" without HB_ALLOC_RETURNS_OS */
    .align8_upto = 0,
    .misaligned = "none",
};

static void *i_malloc(size_t n) { return hb_malloc(&outer, n); }
static void *i_calloc(size_t c, size_t n) { return hb_calloc(&outer, c, n); }
static void *i_realloc(void *p, size_t old, size_t n) { return hb_realloc(&outer, p, old, n); }
static void *i_aligned(size_t a, size_t n) { return hb_aligned(&outer, a, n); }
static void i_free(void *p, size_t n) { hb_free(&outer, p, n); }
static size_t i_usable(const void *p) { return hb_usable_size(&outer, p); }
static int i_check(char *msg, size_t len) { return outer.ops->check(outer.ctx, msg, len); }

static tal iface = {
    .malloc = i_malloc,
    .calloc = i_calloc,
    .realloc = i_realloc,
    .aligned = i_aligned,
    .free = i_free,
    .usable = i_usable,
    .check = NULL,
    .expect = &contract,
};

/* ---- rule 21: the instance is the plug-in asked for ----------------------------- */
static void case_identity(const tal *t)
{
    (void)t;
    const hb_allocator_ops *ops = inner.ops;
    char msg[256];
    TU_CHECK(hb_allocator_find(ops->name) == ops, "registry: '%s' does not find the plug-in that opened",
             ops->name);
    TU_CHECK(!(ops->caps & HB_ALLOC_PROCESS) || ops->verify != NULL, "'%s' is a process plug-in without verify()",
             ops->name);
    if (ops->verify != NULL)
        TU_CHECK(ops->verify(msg, sizeof msg) == 0, "verify(): %s", msg);
    if (wrapper != NULL) {
        TU_CHECK(strcmp(outer.ops->name, wrapper) == 0, "wrapper is '%s', not '%s'", outer.ops->name, wrapper);
        TU_CHECK(outer.ops->caps & HB_ALLOC_WRAPPER, "wrapper '%s' lacks HB_ALLOC_WRAPPER", wrapper);
    }
    /* an unknown name is refused, with the valid names in the message */
    hb_alloc bogus;
    TU_CHECK(hb_alloc_open(&bogus, "no-such-allocator", msg, sizeof msg) != 0, "unknown name opened");
    TU_CHECK(strstr(msg, ops->name) != NULL, "unknown-name message '%s' does not list '%s'", msg, ops->name);
    /* the blocks are the instance's own: its statistics move */
    if ((ops->caps & HB_ALLOC_STATS) && !(ops->caps & HB_ALLOC_PROCESS)) {
        static void *v[64];
        hb_alloc_stats a = {0}, b = {0};
        TU_CHECK(ops->stats(inner.ctx, &a) == 0, "stats() failed though HB_ALLOC_STATS is set");
        for (int i = 0; i < 64; i++)
            v[i] = hb_malloc(&outer, 1000);
        TU_CHECK(ops->stats(inner.ctx, &b) == 0, "stats() failed");
        TU_CHECK(b.mapped > a.mapped || b.in_use > a.in_use || b.live > a.live,
                 "64 blocks of 1000 bytes moved none of the instance's statistics (mapped %zu -> %zu, in use %zu -> "
                 "%zu, live %zu -> %zu): were they served by it?",
                 a.mapped, b.mapped, a.in_use, b.in_use, a.live, b.live);
        for (int i = 0; i < 64; i++)
            hb_free(&outer, v[i], 1000);
    }
    tu_note("identity: %s%s%s, caps 0x%x", wrapper ? wrapper : "", wrapper ? " over " : "", ops->name, ops->caps);
}

/* ---- rules 12 and 14 through the interface: aligned() --------------------------- */
static void case_aligned_bad(const tal *t)
{
    const size_t bad[] = {0, 1, 2, 4, 3, 24, 0x300, SIZE_MAX, 48, 4097, (size_t)1 << 63 | 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        void *p = t->aligned(tu_opaque(bad[i]), 100);
        int e = errno;
        TU_CHECK(p == NULL, "aligned(%#zx, 100) returned %p, not NULL", bad[i], p);
        TU_CHECK(e == EINVAL, "aligned(%#zx, 100) set errno %s, not EINVAL", bad[i], tu_errname(e));
    }
    const size_t huge[] = {SIZE_MAX - 100, (size_t)PTRDIFF_MAX + 1, (size_t)PTRDIFF_MAX};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        errno = 0;
        void *p = t->aligned(64, tu_opaque(huge[i]));
        int e = errno;
        TU_CHECK(p == NULL && e == ENOMEM, "aligned(64, %zu) gave %p, errno %s: not NULL with ENOMEM", huge[i], p,
                 tu_errname(e));
    }
    for (size_t a = sizeof(void *); a <= 65536; a <<= 1) {
        void *p = t->aligned(a, tu_opaque(0));
        TU_CHECK(p != NULL, "aligned(%zu, 0) returned NULL (errno %s)", a, tu_errname(errno));
        TU_CHECK(((uintptr_t)p & (a - 1)) == 0, "aligned(%zu, 0) returned %p", a, p);
        t->free(p, 0);
        p = t->aligned(a, 100);
        TU_CHECK(p != NULL && ((uintptr_t)p & (a - 1)) == 0, "aligned(%zu, 100) returned %p", a, p);
        memset(p, 1, 100);
        t->free(p, 100);
    }
}

/* ---- rule 22: bump's free is a no-op --------------------------------------------- */
static void case_bump_nofree(const tal *t)
{
    TU_CHECK(!(inner.ops->caps & HB_ALLOC_FREES), "'%s' declares HB_ALLOC_FREES: rule 22 is bump's", inner.ops->name);
    static unsigned char *v[4096];
    static const size_t sizes[] = {1, 16, 100, 512, 4096, 100 * KIB, 2 * MIB};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], k = n <= 4096 ? 4096 : 8;
        for (size_t i = 0; i < k; i++) {
            v[i] = t->malloc(n);
            TU_CHECK(v[i] != NULL, "malloc(%zu) returned NULL", n);
            tu_fill(v[i], n, tu_key(v[i], n));
        }
        for (size_t i = 0; i < k; i++)
            t->free(v[i], n);
        /* nothing freed is handed out again, and freed blocks keep their bytes */
        static unsigned char *fresh[64];
        size_t nfresh = 0;
        for (size_t i = 0; i < k && nfresh < 64; i++) { /* the overlap scan is quadratic: 64 are enough */
            unsigned char *q = fresh[nfresh++] = t->malloc(n);
            TU_CHECK(q != NULL, "malloc(%zu) returned NULL", n);
            for (size_t j = 0; j < k; j++)
                if (q < v[j] + n && v[j] < q + n)
                    tu_fail("free is documented a no-op, but the new %zu-byte block %p overlaps the freed block %p", n,
                            (void *)q, (void *)v[j]);
            memset(q, 0xee, n);
        }
        for (size_t i = 0; i < k; i++) {
            size_t bad = tu_verify(v[i], n, tu_key(v[i], n));
            TU_CHECK(bad == SIZE_MAX, "freed %zu-byte block %p changed at byte %zu: its memory was reused", n,
                     (void *)v[i], bad);
        }
        for (size_t i = 0; i < nfresh; i++)
            t->free(fresh[i], n);
    }
    /* realloc(p, old, 0) "frees": p's bytes stay */
    unsigned char *p = t->malloc(64);
    tu_fill(p, 64, 99);
    TU_CHECK(t->realloc(p, 64, 0) == NULL, "realloc(p, 64, 0) did not return NULL");
    TU_CHECK(tu_verify(p, 64, 99) == SIZE_MAX, "realloc(p, 64, 0) changed p's bytes");
    tu_note("recorded: %s free is a no-op by design: freed blocks are never reused", tu_alloc_name);
}

/* ---- failing wrapper: the Nth request fails ------------------------------------- */
static void case_oom(const tal *t)
{
    TU_CHECK(wrapper != NULL && strcmp(wrapper, "failing") == 0, "rule 'oom' is the failing wrapper's");
    void *v[8];
    hb_failing_set(&outer, 3, 0);
    for (int i = 0; i < 6; i++) {
        errno = 0;
        v[i] = t->malloc(100);
        if (i == 2)
            TU_CHECK(v[i] == NULL && errno == ENOMEM, "request 3 of 3 should fail with ENOMEM: got %p, errno %s",
                     v[i], tu_errname(errno));
        else
            TU_CHECK(v[i] != NULL, "request %d should succeed", i + 1);
    }
    TU_CHECK(hb_failing_count(&outer) == 6, "6 requests seen as %lu", hb_failing_count(&outer));
    for (int i = 0; i < 6; i++)
        t->free(v[i], 100); /* frees are never requests, never failed */
    TU_CHECK(hb_failing_count(&outer) == 6, "frees counted as requests: %lu", hb_failing_count(&outer));
    /* nth 2, every 3: requests 2, 5, 8 fail; calloc and aligned count too */
    hb_failing_set(&outer, 2, 3);
    for (int i = 0; i < 8; i++) {
        int k = i + 1;
        errno = 0;
        v[i] = i % 3 == 0 ? t->malloc(50) : i % 3 == 1 ? t->calloc(5, 10) : t->aligned(64, 50);
        int should_fail = k == 2 || k == 5 || k == 8;
        TU_CHECK(should_fail ? v[i] == NULL && errno == ENOMEM : v[i] != NULL, "request %d: %p, errno %s", k, v[i],
                 tu_errname(errno));
    }
    for (int i = 0; i < 8; i++)
        t->free(v[i], v[i] ? 50 : 0);
    /* a failed realloc leaves the block intact; realloc(p, old, 0) is a free, never failed */
    hb_failing_set(&outer, 0, 0);
    unsigned char *p = t->malloc(300);
    tu_fill(p, 300, 5);
    hb_failing_set(&outer, 1, 0);
    errno = 0;
    TU_CHECK(t->realloc(p, 300, 600) == NULL && errno == ENOMEM, "armed realloc did not fail with ENOMEM");
    TU_CHECK(tu_verify(p, 300, 5) == SIZE_MAX, "failed realloc changed the block");
    TU_CHECK(t->realloc(p, 300, 0) == NULL, "realloc(p, 300, 0) did not free");
    hb_failing_set(&outer, 0, 0);
    void *q = t->malloc(10);
    TU_CHECK(q != NULL, "disarmed wrapper failed");
    t->free(q, 10);
}

/* ---- counting wrapper: live and peak bytes -------------------------------------- */
static void case_counts(const tal *t)
{
    TU_CHECK(wrapper != NULL && strcmp(wrapper, "counting") == 0, "rule 'counts' is the counting wrapper's");
    hb_count_stats s0, s;
    hb_counting_get(&outer, &s0);
    hb_counting_reset_peak(&outer);
    static void *v[1000];
    size_t sum = 0;
    for (size_t i = 0; i < 1000; i++) {
        size_t n = 1 + i * 37 % 3000;
        v[i] = i % 4 == 0 ? t->calloc(1, n) : i % 4 == 1 ? t->aligned(64, n) : t->malloc(n);
        TU_CHECK(v[i] != NULL, "allocation %zu returned NULL", i);
        sum += n;
    }
    hb_counting_get(&outer, &s);
    TU_CHECK(s.live_bytes == s0.live_bytes + sum && s.live_blocks == s0.live_blocks + 1000,
             "after 1000 allocations of %zu bytes: live %zu bytes in %zu blocks", sum, s.live_bytes - s0.live_bytes,
             s.live_blocks - s0.live_blocks);
    TU_CHECK(s.peak_bytes >= s.live_bytes, "peak %zu below live %zu", s.peak_bytes, s.live_bytes);
    /* realloc moves the count by the difference */
    size_t n0 = 1 + 0 * 37 % 3000;
    v[0] = t->realloc(v[0], n0, n0 + 5000);
    TU_CHECK(v[0] != NULL, "realloc returned NULL");
    hb_counting_get(&outer, &s);
    TU_CHECK(s.live_bytes == s0.live_bytes + sum + 5000, "realloc by +5000 moved live bytes by %zd",
             (ssize_t)(s.live_bytes - s0.live_bytes - sum));
    size_t peak = s.peak_bytes;
    for (size_t i = 0; i < 1000; i++) {
        size_t n = 1 + i * 37 % 3000 + (i == 0 ? 5000 : 0);
        t->free(v[i], n);
    }
    hb_counting_get(&outer, &s);
    TU_CHECK(s.live_bytes == s0.live_bytes && s.live_blocks == s0.live_blocks,
             "after freeing everything: %zd bytes, %zd blocks still live", (ssize_t)(s.live_bytes - s0.live_bytes),
             (ssize_t)(s.live_blocks - s0.live_blocks));
    TU_CHECK(s.peak_bytes == peak && peak >= s0.live_bytes + sum + 5000, "peak %zu, expected %zu", s.peak_bytes,
             s0.live_bytes + sum + 5000);
    TU_CHECK(s.total_allocs - s0.total_allocs >= 1001 && s.total_frees - s0.total_frees >= 1000,
             "totals: %zu allocations, %zu frees", s.total_allocs - s0.total_allocs, s.total_frees - s0.total_frees);
    /* with HB_COUNT_TRACK, frees may pass size 0 */
    hb_alloc tracked;
    TU_CHECK(hb_counting_wrap(&tracked, &inner, HB_COUNT_TRACK) == 0, "hb_counting_wrap(TRACK) failed");
    for (size_t i = 0; i < 1000; i++)
        v[i] = hb_malloc(&tracked, 1 + i % 700);
    for (size_t i = 0; i < 1000; i++)
        v[i] = hb_realloc(&tracked, v[i], 0, 2 + i % 900);
    hb_counting_get(&tracked, &s);
    TU_CHECK(s.live_blocks == 1000, "tracked: %zu live blocks, not 1000", s.live_blocks);
    for (size_t i = 0; i < 1000; i++)
        hb_free(&tracked, v[i], 0);
    hb_counting_get(&tracked, &s);
    TU_CHECK(s.live_bytes == 0 && s.live_blocks == 0, "tracked: %zu bytes in %zu blocks live after freeing all",
             s.live_bytes, s.live_blocks);
    hb_alloc_close(&tracked);
}

static const tu_case iface_cases[] = {
    {"identity", case_identity},
    {"aligned-bad", case_aligned_bad},
    {"bump-nofree", case_bump_nofree},
    {"oom", case_oom},
    {"counts", case_counts},
    {NULL, NULL},
};

static void usage(void)
{
    char names[256];
    fprintf(stderr, "usage: conform_iface <instance> <rule>\n  instance: PLUGIN, counting-PLUGIN or failing-PLUGIN; "
                    "plug-ins: %s\n  rules:",
            hb_allocator_names(names, sizeof names));
    for (const tu_case *c = tu_common_cases; c->name; c++)
        fprintf(stderr, " %s", c->name);
    for (const tu_case *c = iface_cases; c->name; c++)
        fprintf(stderr, " %s", c->name);
    fprintf(stderr, "\n");
    exit(2);
}

/* `conform_iface --list PLUGIN`: the rules that apply to a plug-in (not to
 * its wrappers), one per line, for heapbench conform. */
static int list_rules(const char *name)
{
    const hb_allocator_ops *ops = hb_allocator_find(name);
    if (ops == NULL)
        return 2;
    for (const tu_case *c = tu_common_cases; c->name; c++)
        printf("%s\n", c->name);
    printf("identity\naligned-bad\n");
    if (!(ops->caps & HB_ALLOC_FREES))
        printf("bump-nofree\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--list") == 0)
        return list_rules(argv[2]);
    if (argc != 3)
        usage();
    tu_alloc_name = argv[1];
    tu_case_name = argv[2];
    const char *name = argv[1];
    if (strncmp(name, "counting-", 9) == 0) {
        wrapper = "counting";
        name += 9;
    } else if (strncmp(name, "failing-", 8) == 0) {
        wrapper = "failing";
        name += 8;
    }
    const tu_case *c = tu_find_case(iface_cases, argv[2]);
    if (c == NULL)
        c = tu_find_case(tu_common_cases, argv[2]);
    if (c == NULL) {
        fprintf(stderr, "conform_iface: unknown rule '%s'\n", argv[2]);
        usage();
    }
    char msg[512];
    if (hb_alloc_open(&inner, name, msg, sizeof msg) != 0)
        tu_fail("cannot open '%s': %s", name, msg); /* rule 21: never run on another allocator */
    outer = inner;
    if (wrapper != NULL && strcmp(wrapper, "counting") == 0)
        TU_CHECK(hb_counting_wrap(&outer, &inner, 0) == 0, "hb_counting_wrap failed");
    if (wrapper != NULL && strcmp(wrapper, "failing") == 0)
        TU_CHECK(hb_failing_wrap(&outer, &inner, 0, 0) == 0, "hb_failing_wrap failed");

    unsigned caps = inner.ops->caps;
    iface.name = argv[1];
    iface.flags = TAL_IFACE | (caps & HB_ALLOC_FREES ? TAL_REUSES : 0) |
                  (caps & HB_ALLOC_THREAD_SAFE ? TAL_THREAD_SAFE : 0) | (caps & HB_ALLOC_USABLE_SIZE ? TAL_USABLE : 0);
    if (outer.ops->check != NULL)
        iface.check = i_check;
    if (!(caps & HB_ALLOC_RETURNS_OS))
        contract.large_return = "kept";
    contract.name = argv[1];

    tu_check(&iface, "before the rule");
    c->run(&iface);
    tu_check(&iface, "after the rule");
    if (wrapper != NULL && strcmp(wrapper, "counting") == 0) {
        hb_count_stats s;
        hb_counting_get(&outer, &s);
        TU_CHECK(s.live_bytes == 0 && s.live_blocks == 0,
                 "counting wrapper: %zu bytes in %zu blocks live after the rule freed everything", s.live_bytes,
                 s.live_blocks);
    }
    if (wrapper != NULL)
        hb_alloc_close(&outer);
    hb_alloc_close(&inner);
    tu_note("ok: alloc.%s.%s", argv[1], c->name);
    return 0;
}
