/*
 * conform_extra.c: rules of the malloc API that go beyond the calls a
 * program makes itself (run by conform_api, so by `heapbench conform`):
 *
 *   enomem-paths       every overflow path of the aligned family fails with
 *                      NULL (or the error code) and ENOMEM
 *   oom-recovery       under an address-space limit: allocate until NULL,
 *                      everything written before is intact, free all, and
 *                      the allocator serves again
 *   interpose          memory that glibc's own functions allocate (strdup,
 *                      asprintf, getline, getdelim, realpath, open_memstream,
 *                      scandir) is the library's: it has a usable size and
 *                      the library frees it
 *   cross-thread-kinds aligned, calloc'd and realloc'd blocks freed by
 *                      another thread; a thread that exits while others hold
 *                      its blocks; 1,000 threads created and joined while
 *                      allocating
 *   usable-realloc     every byte up to malloc_usable_size is writable and
 *                      survives a realloc to that size
 *
 * Divergences of registered allocators are recorded in `recorded` below, as
 * observed (Debian bookworm builds); a library given by path has none.
 * Like every rule file, nothing here allocates except on purpose.
 */
#define _GNU_SOURCE
#include "conform_rules.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- recorded divergences ------------------------------------------------- */

static const struct {
    const char *alloc, *item, *observed;
} recorded[] = {
    /* jemalloc 5.3.0: memalign with a huge size leaves errno 0 */
    {"jemalloc", "aligned family with a huge size", "aligned_alloc:ENOMEM memalign:0 posix_memalign:ENOMEM"},
    /* mimalloc 2.0.9: aligned_alloc and memalign leave errno 0 */
    {"mimalloc", "aligned family with a huge size", "aligned_alloc:0 memalign:0 posix_memalign:ENOMEM"},
    /* gperftools 2.10: pvalloc rounds SIZE_MAX up to a page, the sum wraps to 0, and it returns a block */
    {"jemalloc", "valloc/pvalloc near SIZE_MAX", "0"}, /* valloc leaves errno 0; no pvalloc of its own */
    {"mimalloc", "valloc/pvalloc near SIZE_MAX", "0"},
    {"tcmalloc", "valloc/pvalloc near SIZE_MAX", "valloc:ENOMEM pvalloc:block"},
    /* oneTBB 2021.8: aligned_alloc(8, 0) fails with EINVAL; pvalloc near SIZE_MAX sets EINVAL */
    {"tbbmalloc", "aligned_alloc(64, 100), aligned_alloc(8, 0)", "ok, NULL EINVAL"},
    {"tbbmalloc", "valloc/pvalloc near SIZE_MAX", "valloc:ENOMEM pvalloc:EINVAL"},
    /* scudo (LLVM 14): aligned_alloc wants a size that is a multiple of the
     * alignment (C11's letter), so aligned_alloc(64, 100) fails */
    {"scudo", "aligned_alloc(64, 100), aligned_alloc(8, 0)", "NULL EINVAL, ok"},
    {"scudo", "aligned family with a huge size", "aligned_alloc:EINVAL memalign:0 posix_memalign:ENOMEM"},
};

const char *conform_recorded(const char *item, const char *reference)
{
    if (!tu_reference_table)
        for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++)
            if (strcmp(recorded[i].alloc, tu_alloc_name) == 0 && strcmp(recorded[i].item, item) == 0)
                return recorded[i].observed;
    return reference;
}

/* Whether `fn` of the malloc family is defined by the object that defines
 * malloc (else glibc's would serve it on glibc's own heap). */
static int served(const char *fn)
{
    Dl_info a, b;
    void *m = dlsym(RTLD_DEFAULT, "malloc"), *f = dlsym(RTLD_DEFAULT, fn);
    return m && f && dladdr(m, &a) && dladdr(f, &b) && a.dli_fbase == b.dli_fbase;
}

/* ============================================================================
 * enomem-paths
 * ========================================================================= */
static void case_enomem_paths(const tal *t)
{
    (void)t;
    /* SIZE_MAX - 1 wraps around when rounded up to any alignment */
    const size_t huge[] = {tu_opaque(SIZE_MAX - 100), tu_opaque(SIZE_MAX - 1)};
    int errs[3] = {0, 0, 0};
    const char *labels[] = {"aligned_alloc", "memalign", "posix_memalign"};
    char buf[256];
    void *p;
    for (size_t i = 0; i < 2; i++) {
        errno = 0;
        p = aligned_alloc(64, huge[i]);
        errs[0] = i == 0 ? errno : errs[0];
        TU_CHECK(p == NULL, "aligned_alloc(64, %#zx) = %p, not NULL", huge[i], p);
        errno = 0;
        p = memalign(64, huge[i]);
        errs[1] = i == 0 ? errno : errs[1];
        TU_CHECK(p == NULL, "memalign(64, %#zx) = %p, not NULL", huge[i], p);
        void *m = NULL;
        int rc = posix_memalign(&m, 64, huge[i]);
        errs[2] = i == 0 ? rc : errs[2];
        TU_CHECK(rc != 0 && m == NULL, "posix_memalign(64, %#zx) returned %s, %p", huge[i], tu_errname(rc), m);
    }
    tu_record("aligned family with a huge size", tu_errno_profile(labels, errs, 3, buf, sizeof buf),
              conform_recorded("aligned family with a huge size", "ENOMEM"), "ENOMEM");

    const size_t page = tu_page();
    const size_t near[] = {SIZE_MAX, SIZE_MAX - page + 2, SIZE_MAX - 100};
    char seen[256] = "", one[2][96];
    for (int f = 0; f < 2; f++) {
        one[f][0] = '\0';
        if (f == 1 && !served("pvalloc")) { /* glibc's would serve it on glibc's heap */
            snprintf(one[f], sizeof one[f], "-");
            continue;
        }
        for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
            errno = 0;
            p = f == 0 ? valloc(tu_opaque(near[i])) : pvalloc(tu_opaque(near[i]));
            const char *got = p != NULL ? "block" : tu_errname(errno);
            free(p); /* a block here came from a size that wrapped around: it is small */
            size_t used = strlen(one[f]);
            if (i == 0 || strstr(one[f], got) != one[f] || strchr(one[f], ','))
                snprintf(one[f] + used, sizeof one[f] - used, "%s%s", i ? "," : "", got);
        }
    }
    if (strcmp(one[0], one[1]) == 0 || strcmp(one[1], "-") == 0) /* "-": no pvalloc of its own, not called */
        snprintf(seen, sizeof seen, "%s", one[0]);
    else
        snprintf(seen, sizeof seen, "valloc:%s pvalloc:%s", one[0], one[1]);
    tu_record("valloc/pvalloc near SIZE_MAX", seen, conform_recorded("valloc/pvalloc near SIZE_MAX", "ENOMEM"), "ENOMEM");
}

/* ============================================================================
 * oom-recovery
 * ========================================================================= */
#define OOM_MAX_BLOCKS (1u << 18)
#define OOM_HEADROOM (256 * MIB)
static void *oom_block[OOM_MAX_BLOCKS];
static size_t oom_size[OOM_MAX_BLOCKS];

/* Bytes of address space this process has mapped, from /proc/self/statm. */
static size_t mapped_bytes(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return (size_t)strtoull(buf, NULL, 10) * tu_page();
}

static void case_oom_recovery(const tal *t)
{
    (void)t;
    tu_seed = 0x5eed00a5ULL;
    tu_rng rng = {tu_seed};
    /* warm the allocator first, so its own set-up is not what runs out */
    free(must_malloc(t, 100, "oom-recovery"));
    struct rlimit lim = {mapped_bytes() + OOM_HEADROOM, RLIM_INFINITY};
    lim.rlim_max = lim.rlim_cur;
    TU_CHECK(setrlimit(RLIMIT_AS, &lim) == 0, "setrlimit(RLIMIT_AS): %s", strerror(errno));
    size_t n = 0;
    int e = 0;
    for (; n < OOM_MAX_BLOCKS; n++) {
        size_t sz = tu_below(&rng, 8) == 0 ? tu_range(&rng, 64 * KIB, 2 * MIB) : tu_range(&rng, 16, 4096);
        errno = 0;
        void *p = malloc(sz);
        if (p == NULL) {
            e = errno;
            break;
        }
        oom_block[n] = p;
        oom_size[n] = sz;
        tu_fill(p, sz < 256 ? sz : 256, tu_key(p, sz));
    }
    TU_CHECK(n < OOM_MAX_BLOCKS, "%u blocks fit under an address-space limit of %zu MiB of headroom", OOM_MAX_BLOCKS,
             (size_t)OOM_HEADROOM / MIB);
    TU_CHECK(e == ENOMEM, "malloc failed after %zu blocks with errno %s, not ENOMEM", n, tu_errname(e));
    for (size_t i = 0; i < n; i++) {
        size_t bad = tu_verify(oom_block[i], oom_size[i] < 256 ? oom_size[i] : 256, tu_key(oom_block[i], oom_size[i]));
        TU_CHECK(bad == SIZE_MAX, "after running out of memory, block %zu (%zu bytes) changed at byte %zu", i,
                 oom_size[i], bad);
    }
    for (size_t i = 0; i < n; i++)
        free(oom_block[i]);
    /* the allocator serves again: half as many blocks of the same sizes */
    for (size_t i = 0; i < n / 2; i++) {
        void *p = malloc(oom_size[i]);
        TU_CHECK(p != NULL, "after freeing everything, malloc(%zu) number %zu of %zu failed (errno %s)", oom_size[i],
                 i, n / 2, tu_errname(errno));
        memset(p, 0x3c, oom_size[i] < 4096 ? oom_size[i] : 4096);
        oom_block[i] = p;
    }
    for (size_t i = 0; i < n / 2; i++)
        free(oom_block[i]);
    tu_note("observed: %s ran out after %zu blocks, recovered", tu_alloc_name, n);
}

/* ============================================================================
 * interpose
 * ========================================================================= */

/* p came from glibc's own code: the library must know it. */
static void owned(void *p, size_t need, const char *what)
{
    TU_CHECK(p != NULL, "%s returned NULL", what);
    if (served("malloc_usable_size")) {
        size_t u = malloc_usable_size(p);
        TU_CHECK(u >= need && u < need + 64 * MIB, "%s: malloc_usable_size = %zu for %zu bytes: not the library's block",
                 what, u, need);
        memset(p, 0x77, u);
    }
    free(p);
}

static int scandir_all(const struct dirent *d)
{
    (void)d;
    return 1;
}

static void case_interpose(const tal *t)
{
    (void)t;
    for (int round = 0; round < 200; round++) {
        char *s = strdup("heapbench interposition");
        owned(s, 24, "strdup");
        char *a = NULL;
        int n = asprintf(&a, "%s %d %0500d", "asprintf", round, 7);
        TU_CHECK(n > 0, "asprintf failed");
        owned(a, (size_t)n + 1, "asprintf");
        char path[] = "/tmp/hb-interpose-XXXXXX";
        int fd = mkstemp(path);
        TU_CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
        for (int i = 0; i < 40; i++)
            TU_CHECK(write(fd, "0123456789012345678901234567890123456789\n", 41) == 41, "write failed");
        FILE *f = fdopen(fd, "r");
        TU_CHECK(f != NULL, "fdopen failed");
        rewind(f);
        char *line = NULL;
        size_t cap = 0;
        TU_CHECK(getline(&line, &cap, f) == 41, "getline failed");
        owned(line, 42, "getline");
        line = NULL;
        cap = 0;
        TU_CHECK(getdelim(&line, &cap, '\n', f) == 41, "getdelim failed");
        owned(line, 42, "getdelim");
        fclose(f);
        char *real = realpath(path, NULL);
        owned(real, strlen(path) + 1, "realpath(p, NULL)");
        unlink(path);
        char *mem = NULL;
        size_t memlen = 0;
        FILE *ms = open_memstream(&mem, &memlen);
        TU_CHECK(ms != NULL, "open_memstream failed");
        for (int i = 0; i < 100; i++)
            fprintf(ms, "line %d of the memory stream\n", i);
        fclose(ms);
        owned(mem, memlen + 1, "open_memstream");
        struct dirent **list = NULL;
        int k = scandir("/", &list, scandir_all, alphasort);
        TU_CHECK(k > 0, "scandir(/) failed");
        for (int i = 0; i < k; i++)
            owned(list[i], offsetof(struct dirent, d_name) + strlen(list[i]->d_name) + 1, "scandir entry");
        owned(list, (size_t)k * sizeof *list, "scandir list");
    }
}

/* ============================================================================
 * cross-thread-kinds
 * ========================================================================= */
enum { KINDS = 3, PER_KIND = 2000, MANY_THREADS = 1000, BATCH = 8 };
static void *handed[KINDS * PER_KIND];
static size_t handed_size[KINDS * PER_KIND];

static void *producer(void *arg)
{
    (void)arg;
    tu_rng rng = {0x5eedc0deULL};
    for (size_t i = 0; i < KINDS * PER_KIND; i++) {
        size_t n = tu_range(&rng, 1, i % 64 == 0 ? 300 * KIB : 2048);
        void *p = NULL;
        switch (i % KINDS) {
        case 0: { /* aligned */
            size_t al = (size_t)16 << tu_below(&rng, 9);
            TU_CHECK(posix_memalign(&p, al, n) == 0, "posix_memalign(%zu, %zu) failed in the producer", al, n);
            break;
        }
        case 1: /* calloc'd */
            p = calloc(1, n);
            TU_CHECK(p != NULL && tu_nonzero(p, n) == SIZE_MAX, "calloc(1, %zu) in the producer: NULL or not zero", n);
            break;
        default: /* realloc'd, grown from a small block */
            p = malloc(8);
            TU_CHECK(p != NULL, "malloc(8) failed in the producer");
            p = realloc(p, n);
            TU_CHECK(p != NULL, "realloc(p, %zu) failed in the producer", n);
        }
        tu_fill(p, n, tu_key(p, n));
        handed[i] = p;
        handed_size[i] = n;
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < KINDS * PER_KIND; i++) {
        size_t bad = tu_verify(handed[i], handed_size[i], tu_key(handed[i], handed_size[i]));
        TU_CHECK(bad == SIZE_MAX, "block %zu (kind %zu, %zu bytes) changed at byte %zu before another thread freed it", i,
                 i % KINDS, handed_size[i], bad);
        free(handed[i]);
    }
    return NULL;
}

static void *short_lived(void *arg)
{
    uintptr_t k = (uintptr_t)arg;
    void *keep = NULL;
    for (int i = 0; i < 20; i++) {
        void *p = malloc(16 + (k * 7 + (uintptr_t)i * 13) % 500);
        TU_CHECK(p != NULL, "malloc in thread %lu failed", (unsigned long)k);
        memset(p, (int)k, 16);
        if (i == 7)
            keep = p; /* outlives its thread; the joiner frees it */
        else
            free(p);
    }
    return keep;
}

static void case_cross_thread_kinds(const tal *t)
{
    (void)t;
    pthread_t a, b;
    TU_CHECK(pthread_create(&a, NULL, producer, NULL) == 0, "pthread_create failed");
    TU_CHECK(pthread_join(a, NULL) == 0, "pthread_join failed");
    /* the producer has exited; its blocks are freed by another thread */
    TU_CHECK(pthread_create(&b, NULL, consumer, NULL) == 0, "pthread_create failed");
    TU_CHECK(pthread_join(b, NULL) == 0, "pthread_join failed");
    for (uintptr_t k = 0; k < MANY_THREADS; k += BATCH) {
        pthread_t tid[BATCH];
        void *kept[BATCH];
        for (uintptr_t j = 0; j < BATCH; j++) {
            int rc = pthread_create(&tid[j], NULL, short_lived, (void *)(k + j));
            TU_CHECK(rc == 0, "pthread_create of thread %lu: %s", (unsigned long)(k + j), strerror(rc));
        }
        for (uintptr_t j = 0; j < BATCH; j++) {
            TU_CHECK(pthread_join(tid[j], &kept[j]) == 0, "pthread_join failed");
            free(kept[j]);
        }
    }
}

/* ============================================================================
 * usable-realloc
 * ========================================================================= */
static void case_usable_realloc(const tal *t)
{
    (void)t;
    if (!served("malloc_usable_size")) {
        tu_note("recorded: %s does not define malloc_usable_size (a glibc extension, in neither C nor POSIX): "
                "glibc's cannot read its blocks, rule not run",
                tu_alloc_name);
        return;
    }
    static const size_t sizes[] = {1,    8,     13,    16,    24,     100,    500,      512,      513,     1000,
                                   4000, 4096,  10000, 65536, 100000, 500000, 1 << 20, 3 << 20, 9 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = malloc(sizes[i]);
        TU_CHECK(p != NULL, "malloc(%zu) returned NULL", sizes[i]);
        size_t u = malloc_usable_size(p);
        TU_CHECK(u >= sizes[i], "malloc(%zu): malloc_usable_size = %zu", sizes[i], u);
        tu_fill(p, u, tu_key(NULL, u));
        unsigned char *q = realloc(p, u);
        TU_CHECK(q != NULL, "realloc(p, %zu) to its usable size returned NULL", u);
        size_t bad = tu_verify(q, u, tu_key(NULL, u));
        TU_CHECK(bad == SIZE_MAX, "malloc(%zu), usable size %zu, realloc to that size: byte %zu lost", sizes[i], u,
                 bad);
        free(q);
    }
}

const tu_case conform_extra_cases[] = {
    {"enomem-paths", case_enomem_paths},
    {"oom-recovery", case_oom_recovery},
    {"interpose", case_interpose},
    {"cross-thread-kinds", case_cross_thread_kinds},
    {"usable-realloc", case_usable_realloc},
    {NULL, NULL},
};
