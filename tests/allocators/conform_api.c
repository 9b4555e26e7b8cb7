/*
 * conform_api.c: docs/conformance.md section 1 for the C malloc family of whatever
 * serves malloc in this process: glibc, or jemalloc / mimalloc / tcmalloc /
 * the pooled and naive drop-ins reached by LD_PRELOAD (CTest sets it).
 *
 *   conform_api <allocator> <rule>
 *   allocator: libc jemalloc mimalloc tcmalloc pooled-dropin naive-dropin
 *
 * Every rule first proves that the allocator asked for is the one serving
 * malloc (rule 21: each allocator's own exported marker, defined by the same
 * object as malloc; libc: no marker at all), so a preload that silently
 * failed is an error, never a pass.
 *
 * `expect_table` below is what each allocator was observed to do for the
 * record items (Debian bookworm: glibc 2.36, jemalloc 5.3.0, mimalloc 2.0.9,
 * gperftools tcmalloc_minimal 2.10).  A change in a library version fails
 * loudly; a divergence from the reference prints a "recorded:" line.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocator.h" /* hb_verify_library */
#include "conform_rules.h"

/* ---- expectation table ------------------------------------------------------ */
#define BAD_ALIGNS_OK "0:ok 3:ok 24:ok 0x300:ok"

static const tal_expect expect_table[] = {
    {
        .name = "libc",
        .malloc0 = "non-NULL",
        .malloc_huge = "ENOMEM",
        .calloc_overflow = "ENOMEM",
        .realloc_fail = "ENOMEM",
        .realloc_zero = "frees, returns NULL",
        .large_return = "returned to the OS",
        .align8_upto = 0,
        .misaligned = "none",
        .reallocarray_overflow = "ENOMEM",
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = BAD_ALIGNS_OK " SIZE_MAX:NULL EINVAL", /* glibc 2.36 rounds bad alignments up */
        .memalign_bad = "NULL EINVAL",
        .missing = "none",
    },
    {
        .name = "jemalloc",
        .malloc0 = "non-NULL",
        .malloc_huge = "ENOMEM",
        .calloc_overflow = "ENOMEM",
        .realloc_fail = "0", /* jemalloc 5.3.0 does not set ENOMEM on a failed realloc */
        .realloc_zero = "frees, returns NULL",
        .large_return = "returned to the OS",
        .align8_upto = 8, /* 8-byte size class */
        .misaligned = "none",
        .reallocarray_overflow = "ENOMEM", /* glibc's reallocarray checks the product */
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = "0:NULL EINVAL 3:NULL EINVAL 24:NULL EINVAL 0x300:NULL EINVAL SIZE_MAX:NULL EINVAL",
        .memalign_bad = "NULL 0",
        .missing = "reallocarray pvalloc", /* glibc's reallocarray calls realloc; glibc's pvalloc must not be used */
    },
    {
        .name = "mimalloc",
        .malloc0 = "non-NULL",
        /* mimalloc 2.0.9 leaves errno 0 above its size limit, sets ENOMEM just below it */
        .malloc_huge = "SIZE_MAX:0 PTRDIFF_MAX+1:0 SIZE_MAX-4096:0 PTRDIFF_MAX:ENOMEM",
        .calloc_overflow = "0",
        .realloc_fail = "PTRDIFF_MAX:ENOMEM PTRDIFF_MAX+1:0 SIZE_MAX-4096:0 SIZE_MAX:0",
        .realloc_zero = "returns a block",
        .large_return = "returned to the OS",
        .align8_upto = 8,
        /* blocks whose size equals their alignment, 256..1024, come back at the
         * size class's offset: misaligned (mimalloc 2.0.9 bug, fixed upstream) */
        .misaligned = "256/256 512/512 1024/1024",
        .reallocarray_overflow = "ENOMEM",
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = "0:NULL 0 3:NULL 0 24:NULL 0 0x300:NULL 0 SIZE_MAX:NULL 0",
        .memalign_bad = "NULL 0",
        .missing = "none",
    },
    {
        .name = "tcmalloc",
        .malloc0 = "non-NULL",
        .malloc_huge = "ENOMEM",
        .calloc_overflow = "0", /* gperftools 2.10 returns NULL without setting errno */
        .realloc_fail = "ENOMEM",
        .realloc_zero = "frees, returns NULL",
        .large_return = "kept", /* the page heap keeps freed spans; it releases them gradually */
        .align8_upto = 8,
        .misaligned = "none",
        .reallocarray_overflow = "ENOMEM",
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = BAD_ALIGNS_OK " SIZE_MAX:NULL ENOMEM",
        .memalign_bad = "NULL ENOMEM",
        .missing = "reallocarray",
    },
    {
        .name = "tbbmalloc", /* oneTBB 2021.8.0, through libtbbmalloc_proxy */
        .malloc0 = "non-NULL",
        .malloc_huge = "ENOMEM",
        .calloc_overflow = "ENOMEM",
        .realloc_fail = "ENOMEM",
        .realloc_zero = "frees, returns NULL",
        .large_return = "returned to the OS",
        .align8_upto = 8,
        .misaligned = "none",
        .reallocarray_overflow = "ENOMEM",
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = "0:NULL EINVAL 3:NULL EINVAL 24:NULL EINVAL 0x300:NULL EINVAL SIZE_MAX:NULL EINVAL",
        .memalign_bad = "NULL EINVAL",
        .missing = "reallocarray",
    },
    {
        .name = "scudo", /* LLVM 14.0.6 compiler-rt, standalone scudo */
        .malloc0 = "non-NULL",
        .malloc_huge = "ENOMEM",
        .calloc_overflow = "ENOMEM",
        .realloc_fail = "ENOMEM",
        .realloc_zero = "frees, returns NULL",
        .large_return = "returned to the OS",
        .align8_upto = 0,
        .misaligned = "none",
        .reallocarray_overflow = "ENOMEM",
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = "0:NULL EINVAL 3:NULL EINVAL 24:NULL EINVAL 0x300:NULL EINVAL SIZE_MAX:NULL EINVAL",
        .memalign_bad = "NULL EINVAL",
        .missing = "reallocarray",
    },
    /* heapbench's own drop-ins follow glibc 2.36 (dropin.c) */
    {
        .name = "pooled-dropin",
        .malloc0 = "non-NULL",
        .malloc_huge = "ENOMEM",
        .calloc_overflow = "ENOMEM",
        .realloc_fail = "ENOMEM",
        .realloc_zero = "frees, returns NULL",
        .large_return = "returned to the OS",
        .align8_upto = 0,
        .misaligned = "none",
        .reallocarray_overflow = "ENOMEM",
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = BAD_ALIGNS_OK " SIZE_MAX:NULL EINVAL", /* as glibc 2.36, by design (dropin.c) */
        .memalign_bad = "NULL EINVAL",
        .missing = "none",
    },
    {
        .name = "naive-dropin",
        .malloc0 = "non-NULL",
        .malloc_huge = "ENOMEM",
        .calloc_overflow = "ENOMEM",
        .realloc_fail = "ENOMEM",
        .realloc_zero = "frees, returns NULL",
        .large_return = "returned to the OS",
        .align8_upto = 0,
        .misaligned = "none",
        .reallocarray_overflow = "ENOMEM",
        .posix_memalign0 = "non-NULL",
        .aligned_alloc_bad = BAD_ALIGNS_OK " SIZE_MAX:NULL EINVAL", /* as glibc 2.36, by design (dropin.c) */
        .memalign_bad = "NULL EINVAL",
        .missing = "none",
    },
};
/* A library given by path (HB_CONFORM_LIB names its file): no recorded
 * divergence; the C standard and POSIX decide, and what they leave open is
 * recorded, never failed. */
static const tal_expect reference_expect = {
    .name = "(reference)",
    .malloc0 = TU_ANY,
    .malloc_huge = "ENOMEM",
    .calloc_overflow = "ENOMEM",
    .realloc_fail = "ENOMEM",
    .realloc_zero = TU_ANY,
    .large_return = TU_ANY,
    .align8_upto = 0, /* judged by C11: every block aligned for any fundamental type; a block that meets
                         only C23's weaker rule (N2293: the types that fit in its size) is named so */
    .misaligned = "none",
    .reallocarray_overflow = "ENOMEM",
    .posix_memalign0 = TU_ANY,
    .aligned_alloc_bad = TU_ANY,
    .memalign_bad = TU_ANY,
    .missing = TU_ANY,
};

/* Reference behaviours (glibc, C standard, POSIX) for the API-only items. */
#define REF_ALIGNED_ALLOC_BAD BAD_ALIGNS_OK " SIZE_MAX:NULL EINVAL"
#define REF_MEMALIGN_BAD "NULL EINVAL"

/* ---- the malloc family as a tal ----------------------------------------------- */
static void *api_malloc(size_t n) { return malloc(n); }
static void *api_calloc(size_t c, size_t n) { return calloc(c, n); }
static void *api_realloc(void *p, size_t old, size_t n)
{
    (void)old;
    return realloc(p, n);
}
static void *api_aligned(size_t align, size_t n)
{
    void *p = NULL;
    int rc = posix_memalign(&p, align, n);
    if (rc != 0) {
        errno = rc;
        return NULL;
    }
    return p;
}
static void api_free(void *p, size_t n)
{
    (void)n;
    free(p);
}
/* malloc_usable_size is a glibc extension (neither C nor POSIX): it is asked
 * only of a library that defines it.  glibc's own cannot read another
 * library's blocks, so for a library without one the usable size is unknown
 * (0, TAL_USABLE off) and no rule fails for it. */
static int lib_usable = 1;
static size_t api_usable(const void *p) { return lib_usable ? malloc_usable_size((void *)p) : 0; }

static tal api = {
    .flags = TAL_REUSES | TAL_THREAD_SAFE | TAL_USABLE,
    .malloc = api_malloc,
    .calloc = api_calloc,
    .realloc = api_realloc,
    .aligned = api_aligned,
    .free = api_free,
    .usable = api_usable,
    .check = NULL,
};

/* ---- rule 21: the allocator asked for is the one live ----------------------- */
static const char *const family[] = {"malloc",  "calloc",        "realloc", "reallocarray", "free",
                                     "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
                                     "malloc_usable_size"};
#define NFAMILY (sizeof family / sizeof family[0])
static const struct {
    const char *alloc, *marker;
} markers[] = {
    {"jemalloc", "mallctl"},
    {"mimalloc", "mi_version"},
    {"tcmalloc", "tc_version"},
    {"tbbmalloc", "__TBB_malloc_proxy"},
    {"scudo", "__scudo_print_stats"},
    {"pooled-dropin", "hb_dropin_name"},
    {"naive-dropin", "hb_dropin_name"},
};

/* The object that defines `sym` for this process, or NULL. */
static const char *provider(const char *sym)
{
    Dl_info info;
    void *p = dlsym(RTLD_DEFAULT, sym);
    if (p == NULL || dladdr(p, &info) == 0 || info.dli_fname == NULL)
        return NULL;
    return info.dli_fname;
}

static char missing_seen[256];

/* Rule 21 for a library given by path: malloc, free, calloc and realloc
 * resolve into that file; the rest of the family may be glibc's (recorded). */
static void identity_library(const char *name, const char *lib, int verbose)
{
    char msg[1024];
    TU_CHECK(hb_verify_library(name, lib, msg, sizeof msg) == 0, "identity: %s", msg);
    struct stat want, got;
    TU_CHECK(stat(lib, &want) == 0, "identity: cannot stat %s", lib);
    missing_seen[0] = '\0';
    for (size_t i = 0; i < NFAMILY; i++) {
        const char *obj = provider(family[i]);
        if (obj == NULL || stat(obj, &got) != 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
            size_t len = strlen(missing_seen);
            snprintf(missing_seen + len, sizeof missing_seen - len, "%s%s", len ? " " : "", family[i]);
        }
    }
    if (missing_seen[0] == '\0')
        snprintf(missing_seen, sizeof missing_seen, "none");
    if (verbose) {
        tu_note("identity: malloc is served by %s", lib);
        tu_record("family functions not exported (glibc's serve them)", missing_seen, TU_ANY, "none");
    }
}

static void identity(const char *name, int verbose)
{
    static char mobj[512];
    if (getenv("HB_CONFORM_LIB") != NULL) {
        identity_library(name, getenv("HB_CONFORM_LIB"), verbose);
        return;
    }
    const char *m = provider("malloc");
    TU_CHECK(m != NULL, "identity: cannot find which object defines malloc");
    snprintf(mobj, sizeof mobj, "%s", m);
    const char *want_marker = NULL;
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
        if (strcmp(markers[i].alloc, name) == 0)
            want_marker = markers[i].marker;
    static const char *const all_markers[] = {"mallctl",        "mi_version",         "tc_version",
                                              "hb_dropin_name", "__TBB_malloc_proxy", "__scudo_print_stats"};
    for (size_t i = 0; i < sizeof all_markers / sizeof all_markers[0]; i++) {
        const char *obj = provider(all_markers[i]);
        int wanted = want_marker != NULL && strcmp(want_marker, all_markers[i]) == 0;
        if (wanted) {
            TU_CHECK(obj != NULL,
                     "identity: '%s' asked for but its marker '%s' is not in the process (LD_PRELOAD=%s): the preload "
                     "failed",
                     name, all_markers[i], getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "(unset)");
            TU_CHECK(strcmp(obj, mobj) == 0, "identity: '%s' is loaded (%s) but malloc is served by %s", name, obj,
                     mobj);
        } else {
            TU_CHECK(obj == NULL, "identity: '%s' asked for but %s (defining '%s') is loaded", name, obj ? obj : "",
                     all_markers[i]);
        }
    }
    if (strcmp(name, "libc") == 0)
        TU_CHECK(strstr(mobj, "libc.so") != NULL, "identity: 'libc' asked for but malloc is served by %s", mobj);
    else
        TU_CHECK(strstr(mobj, "libc.so") == NULL, "identity: '%s' asked for but malloc is served by glibc (%s)", name,
                 mobj);
    if (strstr(name, "-dropin") != NULL) {
        const char *(*dropin_name)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "hb_dropin_name");
        const char *got = dropin_name();
        size_t len = strlen(name) - strlen("-dropin");
        TU_CHECK(got != NULL && strlen(got) == len && strncmp(got, name, len) == 0,
                 "identity: the drop-in loaded says it is '%s', not '%.*s'", got ? got : "(null)", (int)len, name);
    }
    /* every family function comes from the same object as malloc, except
     * those the expectation table says the allocator does not export */
    missing_seen[0] = '\0';
    for (size_t i = 0; i < NFAMILY; i++) {
        const char *obj = provider(family[i]);
        TU_CHECK(obj != NULL, "identity: no definition of %s in the process", family[i]);
        if (strcmp(obj, mobj) != 0) {
            size_t len = strlen(missing_seen);
            snprintf(missing_seen + len, sizeof missing_seen - len, "%s%s", len ? " " : "", family[i]);
        }
    }
    if (missing_seen[0] == '\0')
        snprintf(missing_seen, sizeof missing_seen, "none");
    if (verbose) {
        tu_note("identity: malloc is served by %s", mobj);
        tu_record("family functions not exported (glibc's serve them)", missing_seen, api.expect->missing, "none");
    } else {
        TU_CHECK(strcmp(missing_seen, api.expect->missing) == 0,
                 "identity: functions served by another object than malloc: '%s', table says '%s'", missing_seen,
                 api.expect->missing);
    }
}

static int is_missing(const char *fn) { return tu_listed(missing_seen, fn); }

/* Proof of service: blocks from `alloc` are really the allocator's. */
typedef void *(*alloc_fn)(size_t n);
static void *via_malloc(size_t n) { return malloc(n); }
static void *via_reallocarray(size_t n) { return reallocarray(NULL, n / 8, 8); }

static void prove_served(const char *name, alloc_fn fn, const char *what)
{
    enum { N = 100, SZ = 1000 };
    static void *v[N];
    /* A library given by path may forward to glibc (a tracing wrapper does):
     * rule 21 proved by symbol resolution that it serves the calls. */
    const int glibc_info = getenv("HB_CONFORM_LIB") == NULL &&
                           strstr(provider("mallinfo2") ? provider("mallinfo2") : "", "libc.so") != NULL;
    struct mallinfo2 before = mallinfo2();
    uint64_t je_before = 0, je_after = 0;
    size_t jsz = sizeof je_before;
    typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);
    mallctl_fn mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
    if (strcmp(name, "jemalloc") == 0)
        TU_CHECK(mallctl("thread.allocated", &je_before, &jsz, NULL, 0) == 0, "mallctl(thread.allocated) failed");
    for (int i = 0; i < N; i++) {
        v[i] = fn(SZ);
        TU_CHECK(v[i] != NULL, "%s(%d) returned NULL", what, SZ);
    }
    struct mallinfo2 after = mallinfo2();
    size_t grew = after.uordblks > before.uordblks ? after.uordblks - before.uordblks : 0;
    if (strcmp(name, "libc") == 0) {
        /* blocks parked in glibc's tcache count as in use already: allow for them */
        TU_CHECK(grew >= (size_t)N * SZ * 3 / 4, "%s: glibc's in-use bytes grew by %zu, not %d: glibc did not serve it", what,
                 grew, N * SZ);
    } else if (glibc_info) {
        TU_CHECK(grew < (size_t)N * SZ / 2, "%s: glibc's in-use bytes grew by %zu: glibc served blocks, not %s", what,
                 grew, name);
    }
    if (strcmp(name, "jemalloc") == 0) {
        jsz = sizeof je_after;
        mallctl("thread.allocated", &je_after, &jsz, NULL, 0);
        TU_CHECK(je_after - je_before >= (uint64_t)N * SZ, "%s: jemalloc's thread.allocated grew by %llu only", what,
                 (unsigned long long)(je_after - je_before));
    } else if (strcmp(name, "mimalloc") == 0) {
        int (*in_heap)(const void *) = (int (*)(const void *))dlsym(RTLD_DEFAULT, "mi_is_in_heap_region");
        for (int i = 0; i < N; i++)
            TU_CHECK(in_heap(v[i]), "%s: block %p is not in mimalloc's heap", what, v[i]);
    } else if (strcmp(name, "tcmalloc") == 0) {
        int (*owner)(const void *) = (int (*)(const void *))dlsym(RTLD_DEFAULT, "MallocExtension_GetOwnership");
        for (int i = 0; i < N; i++)
            TU_CHECK(owner(v[i]) == 1, "%s: tcmalloc does not own block %p", what, v[i]);
    }
    for (int i = 0; i < N; i++)
        free(v[i]);
}

static void case_identity(const tal *t)
{
    identity(t->name, 1);
    prove_served(t->name, via_malloc, "malloc");
    prove_served(t->name, via_reallocarray, "reallocarray");
}

/* ---- rule 10: reallocarray ------------------------------------------------------ */
static void case_reallocarray(const tal *t)
{
    (void)t;
    unsigned char *p = reallocarray(tu_opaque_ptr(NULL), 10, 10);
    TU_CHECK(p != NULL, "reallocarray(NULL, 10, 10) returned NULL");
    for (int i = 0; i < 100; i++)
        p[i] = (unsigned char)(i * 7 + 1);
    const size_t bad[][2] = {{SIZE_MAX / 2 + 1, 2}, {(size_t)1 << 32, (size_t)1 << 32}, {2, SIZE_MAX}};
    const char *first = NULL;
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        errno = 0;
        void *q = reallocarray(p, tu_opaque(bad[k][0]), tu_opaque(bad[k][1]));
        int e = errno;
        TU_CHECK(q == NULL, "reallocarray(p, %zu, %zu) overflows but returned %p", bad[k][0], bad[k][1], q);
        for (int i = 0; i < 100; i++)
            TU_CHECK(p[i] == (unsigned char)(i * 7 + 1), "failed reallocarray changed byte %d of the original", i);
        if (first == NULL)
            first = e == ENOMEM ? "ENOMEM" : e == 0 ? "0" : "other";
        TU_CHECK(strcmp(first, e == ENOMEM ? "ENOMEM" : e == 0 ? "0" : "other") == 0,
                 "reallocarray overflows set different errno values");
    }
    tu_record("errno after reallocarray overflow", first, api.expect->reallocarray_overflow, "ENOMEM");
    unsigned char *q = reallocarray(p, 50, 40);
    TU_CHECK(q != NULL, "reallocarray(p, 50, 40) returned NULL");
    for (int i = 0; i < 100; i++)
        TU_CHECK(q[i] == (unsigned char)(i * 7 + 1), "reallocarray to 2000 bytes lost byte %d", i);
    free(q);
}

/* ---- rule 12: posix_memalign ------------------------------------------------------ */
static void case_posix_memalign(const tal *t)
{
    (void)t;
    void *const sentinel = (void *)(uintptr_t)0x1234;
    const size_t bad[] = {0, 1, 2, 4, sizeof(void *) / 2, 3, 24, 0x300, SIZE_MAX, 48, 4097, (size_t)1 << 63 | 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *m = sentinel;
        int rc = posix_memalign(&m, tu_opaque(bad[i]), 100);
        TU_CHECK(rc == EINVAL, "posix_memalign(alignment %#zx) returned %s, not EINVAL", bad[i], tu_errname(rc));
        TU_CHECK(m == sentinel, "posix_memalign(alignment %#zx) failed but changed *memptr to %p", bad[i], m);
    }
    const size_t huge[] = {SIZE_MAX - 100, (size_t)PTRDIFF_MAX + 1, (size_t)PTRDIFF_MAX};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        void *m = sentinel;
        int rc = posix_memalign(&m, 64, tu_opaque(huge[i]));
        TU_CHECK(rc == ENOMEM, "posix_memalign(64, %zu) returned %s, not ENOMEM", huge[i], tu_errname(rc));
        TU_CHECK(m == sentinel, "posix_memalign(64, %zu) failed but changed *memptr to %p", huge[i], m);
    }
    void *m = sentinel;
    int rc = posix_memalign(&m, 16, tu_opaque(0));
    TU_CHECK(rc == 0, "posix_memalign(16, 0) returned %s, not 0", tu_errname(rc));
    TU_CHECK(m != sentinel, "posix_memalign(16, 0) returned 0 but left *memptr untouched");
    tu_record("posix_memalign(&p, 16, 0)", m ? "non-NULL" : "NULL", api.expect->posix_memalign0, "non-NULL");
    free(m);
    for (size_t a = sizeof(void *); a <= 65536; a <<= 1) {
        m = NULL;
        rc = posix_memalign(&m, a, 100);
        TU_CHECK(rc == 0 && m != NULL && ((uintptr_t)m & (a - 1)) == 0, "posix_memalign(%zu, 100) gave %s, %p", a,
                 tu_errname(rc), m);
        memset(m, 1, 100);
        free(m);
    }
}

/* ---- rule 14: aligned_alloc ----------------------------------------------------- */
static void case_aligned_alloc(const tal *t)
{
    (void)t;
    const size_t bad[] = {0, 3, 24, 0x300, SIZE_MAX};
    const char *label[] = {"0", "3", "24", "0x300", "SIZE_MAX"};
    char seen[256] = "";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        void *p = aligned_alloc(tu_opaque(bad[i]), tu_opaque(100));
        int e = errno;
        size_t len = strlen(seen);
        snprintf(seen + len, sizeof seen - len, "%s%s:%s%s", len ? " " : "", label[i], p ? "ok" : "NULL ",
                 p ? "" : tu_errname(e));
        if (p != NULL)
            memset(p, 1, 100);
        free(p);
    }
    tu_record("aligned_alloc with alignments 0, 3, 24, 0x300, SIZE_MAX", seen, api.expect->aligned_alloc_bad,
              REF_ALIGNED_ALLOC_BAD);
    /* sizes that are not a multiple of the alignment (C17 allows them; C11's letter did not) */
    char two[2][32];
    const size_t al[2] = {64, 8}, sz[2] = {100, 0};
    for (int i = 0; i < 2; i++) {
        errno = 0;
        void *p = aligned_alloc(al[i], tu_opaque(sz[i]));
        snprintf(two[i], sizeof two[i], "%s%s", p ? "ok" : "NULL ", p ? "" : tu_errname(errno));
        TU_CHECK(p == NULL || ((uintptr_t)p & (al[i] - 1)) == 0, "aligned_alloc(%zu, %zu) = %p: not %zu-aligned", al[i],
                 sz[i], p, al[i]);
        if (p != NULL)
            memset(p, 2, sz[i]);
        free(p);
    }
    char both[80];
    snprintf(both, sizeof both, "%s, %s", two[0], two[1]);
    tu_record("aligned_alloc(64, 100), aligned_alloc(8, 0)", both,
              conform_recorded("aligned_alloc(64, 100), aligned_alloc(8, 0)", "ok, ok"), "ok, ok");
    void *p;
    for (size_t a = 8; a <= ((size_t)1 << 16); a <<= 1) {
        p = aligned_alloc(a, 3 * a);
        TU_CHECK(p != NULL, "aligned_alloc(%zu, %zu) returned NULL (errno %s)", a, 3 * a, tu_errname(errno));
        TU_CHECK(((uintptr_t)p & (a - 1)) == 0, "aligned_alloc(%zu, %zu) = %p: not %zu-aligned", a, 3 * a, p, a);
        memset(p, 3, 3 * a);
        free(p);
    }
}

/* ---- rule 15: memalign, valloc, pvalloc ------------------------------------------ */
static void case_memalign(const tal *t)
{
    (void)t;
    const size_t page = tu_page();
    for (size_t a = 16; a <= 65536; a <<= 1) {
        const size_t sizes[] = {1, a - 1, a, a + 1, 3 * a};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *p = memalign(a, sizes[i]);
            char pair[64];
            snprintf(pair, sizeof pair, "%zu/%zu", a, sizes[i]);
            TU_CHECK(p != NULL, "memalign(%zu, %zu) returned NULL", a, sizes[i]);
            if (((uintptr_t)p & (a - 1)) != 0 && tu_listed(api.expect->misaligned, pair))
                tu_note("recorded: %s memalign(%zu, %zu) returned %p, misaligned", tu_alloc_name, a, sizes[i], p);
            else
                TU_CHECK(((uintptr_t)p & (a - 1)) == 0, "memalign(%zu, %zu) = %p: not %zu-aligned", a, sizes[i], p, a);
            TU_CHECK(!lib_usable || malloc_usable_size(p) >= sizes[i], "memalign(%zu, %zu) = %p: malloc_usable_size %zu",
                     a, sizes[i], p, api_usable(p));
            memset(p, 4, sizes[i]);
            free(p);
        }
    }
    const size_t sizes[] = {1, 100, page - 1, page, page + 1, 3 * page + 5, 300 * KIB};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = valloc(sizes[i]);
        TU_CHECK(p != NULL && ((uintptr_t)p & (page - 1)) == 0, "valloc(%zu) returned %p, not page-aligned", sizes[i],
                 p);
        memset(p, 5, sizes[i]);
        free(p);
    }
    if (is_missing("pvalloc")) {
        tu_note("recorded: %s does not export pvalloc (glibc's would allocate from glibc's own heap): not called",
                tu_alloc_name);
    } else {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *p = pvalloc(sizes[i]);
            size_t round = (sizes[i] + page - 1) / page * page;
            TU_CHECK(p != NULL && ((uintptr_t)p & (page - 1)) == 0, "pvalloc(%zu) returned %p, not page-aligned",
                     sizes[i], p);
            TU_CHECK(!lib_usable || malloc_usable_size(p) >= round,
                     "pvalloc(%zu) = %p: malloc_usable_size %zu, below the page multiple %zu", sizes[i], p,
                     api_usable(p), round);
            memset(p, 6, round);
            free(p);
        }
    }
    errno = 0;
    void *p = memalign(tu_opaque(SIZE_MAX), 10);
    int e = errno;
    TU_CHECK(p == NULL, "memalign(SIZE_MAX, 10) returned %p, not NULL", p);
    char seen[64];
    snprintf(seen, sizeof seen, "NULL %s", tu_errname(e));
    tu_record("memalign(SIZE_MAX, 10)", seen, api.expect->memalign_bad, REF_MEMALIGN_BAD);
}

static const tu_case api_cases[] = {
    {"identity", case_identity},
    {"reallocarray", case_reallocarray},
    {"posix-memalign", case_posix_memalign},
    {"aligned-alloc", case_aligned_alloc},
    {"memalign", case_memalign},
    {NULL, NULL},
};

/* The whole list, in the order `heapbench conform --list` shows it. */
static const tu_case *const api_tables[] = {tu_common_cases, api_cases, conform_extra_cases};

static void usage(void)
{
    fprintf(stderr, "usage: conform_api <allocator> <rule>   (HB_CONFORM_LIB=PATH: a library given by path)\n"
                    "       conform_api --list\n  allocators:");
    for (size_t i = 0; i < sizeof expect_table / sizeof expect_table[0]; i++)
        fprintf(stderr, " %s", expect_table[i].name);
    fprintf(stderr, "\n  rules:");
    for (size_t k = 0; k < sizeof api_tables / sizeof api_tables[0]; k++)
        for (const tu_case *c = api_tables[k]; c->name; c++)
            fprintf(stderr, " %s", c->name);
    fprintf(stderr, "\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) { /* rule<TAB>summary, for heapbench conform */
        for (size_t k = 0; k < sizeof api_tables / sizeof api_tables[0]; k++)
            for (const tu_case *c = api_tables[k]; c->name; c++)
                printf("%s\n", c->name);
        return 0;
    }
    if (argc != 3)
        usage();
    const char *name = argv[1];
    tu_alloc_name = name;
    tu_case_name = argv[2];
    if (getenv("HB_CONFORM_LIB") != NULL) {
        api.expect = &reference_expect;
        tu_reference_table = 1;
    }
    for (size_t i = 0; i < sizeof expect_table / sizeof expect_table[0] && api.expect == NULL; i++)
        if (strcmp(expect_table[i].name, name) == 0)
            api.expect = &expect_table[i];
    if (api.expect == NULL) {
        fprintf(stderr, "conform_api: unknown allocator '%s'\n", name);
        usage();
    }
    api.name = name;
    const tu_case *c = NULL;
    for (size_t k = 0; k < sizeof api_tables / sizeof api_tables[0] && c == NULL; k++)
        c = tu_find_case(api_tables[k], argv[2]);
    if (c == NULL) {
        fprintf(stderr, "conform_api: unknown rule '%s'\n", argv[2]);
        usage();
    }
    /* what a library prints when it is loaded (efence's banner) comes before
     * this line; heapbench conform takes a dying child's last words from
     * after it */
    tu_note("start: alloc.%s.%s", name, c->name);
    identity(name, 0); /* rule 21 before every rule */
    const char *m = provider("malloc"), *u = provider("malloc_usable_size");
    lib_usable = m != NULL && u != NULL && strcmp(m, u) == 0;
    if (!lib_usable) {
        api.flags &= ~(unsigned)TAL_USABLE;
        if (strcmp(c->name, "usable-size") == 0) {
            tu_note("recorded: %s does not define malloc_usable_size (a glibc extension, in neither C nor POSIX): "
                    "glibc's cannot read its blocks, rule not run",
                    name);
            tu_note("ok: alloc.%s.%s", name, c->name);
            return 0;
        }
    }
    c->run(&api);
    tu_note("ok: alloc.%s.%s", name, c->name);
    return 0;
}
