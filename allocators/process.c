/*
 * process.c: plug-ins whose allocator is the process malloc.
 *
 * libc is glibc's malloc; jemalloc, mimalloc and tcmalloc replace malloc for
 * the whole process, so they reach a heapbench child by LD_PRELOAD (the path
 * CMake found is in `preload`) and are never linked.  All four share the same
 * operations, which call the malloc family; they differ in how verify()
 * proves which allocator really serves malloc, and in how stats() asks it.
 * verify() looks for each allocator's own exported symbol with dlsym and
 * checks that the object defining `malloc` is the one defining that symbol,
 * so a preload that silently failed is caught.
 */
#define _GNU_SOURCE
#include "allocator.h"
#include "elfsym.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int process_ctx; /* a non-NULL context for create() */

static void *proc_create(void) { return &process_ctx; }
static void proc_destroy(void *ctx) { (void)ctx; }
static void *proc_malloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void *proc_calloc(void *ctx, size_t c, size_t n) { (void)ctx; return calloc(c, n); }
static void *proc_realloc(void *ctx, void *p, size_t old, size_t n)
{
    (void)ctx;
    (void)old;
    if (p != NULL && n == 0) { /* the interface's contract, whatever realloc(p, 0) does */
        free(p);
        return NULL;
    }
    return realloc(p, n);
}
static void proc_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    int saved = errno;
    free(p);
    errno = saved;
}
static void *proc_aligned(void *ctx, size_t align, size_t n)
{
    (void)ctx;
    void *p = NULL;
    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    int rc = posix_memalign(&p, align, n);
    if (rc != 0) {
        errno = rc;
        return NULL;
    }
    return p;
}
static size_t proc_usable(void *ctx, const void *p)
{
    (void)ctx;
    return p ? malloc_usable_size((void *)p) : 0;
}

/* Objects in the global lookup order, for defining_object(). */
typedef struct lookup {
    const char *sym;
    int seen_main;
    char found[4096];
} lookup;

static int first_definer(struct dl_phdr_info *info, size_t size, void *arg)
{
    lookup *l = arg;
    (void)size;
    if (!l->seen_main) { /* the program itself comes first: its definition was not real */
        l->seen_main = 1;
        return 0;
    }
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
        return 0;
    if (hb_elf_file_defines(info->dlpi_name, l->sym) == 1) {
        snprintf(l->found, sizeof l->found, "%s", info->dlpi_name);
        return 1;
    }
    return 0;
}

/* The shared object that defines `sym` in this process, or NULL.  A program
 * that takes a function's address (Debian's python3 does, for malloc) has a
 * canonical PLT entry for it, and dlsym then names the program, which only
 * jumps on: then the first object after it, in lookup order, whose own
 * dynamic symbols define `sym` is the one that serves it. */
static const char *defining_object(const char *sym, void **addr)
{
    static lookup l;
    Dl_info info;
    void *p = dlsym(RTLD_DEFAULT, sym);
    if (addr)
        *addr = p;
    if (p == NULL || dladdr(p, &info) == 0)
        return NULL;
    struct stat a, b;
    int in_program = info.dli_fname != NULL && stat(info.dli_fname, &a) == 0 && stat("/proc/self/exe", &b) == 0 &&
                     a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    if (!in_program || hb_elf_file_defines("/proc/self/exe", sym) != 0)
        return info.dli_fname;
    memset(&l, 0, sizeof l);
    l.sym = sym;
    if (dl_iterate_phdr(first_definer, &l) == 1)
        return l.found;
    return info.dli_fname;
}

/* 0 when `marker` is exported and the object defining it also defines malloc. */
static int verify_marker(const char *name, const char *marker, char *msg, size_t len)
{
    const char *mobj = defining_object("malloc", NULL);
    const char *kobj = defining_object(marker, NULL);
    if (kobj == NULL) {
        snprintf(msg, len, "allocator '%s' is not loaded in this process (no '%s' symbol; was it LD_PRELOADed?)",
                 name, marker);
        return -1;
    }
    if (mobj == NULL || strcmp(mobj, kobj) != 0) {
        snprintf(msg, len, "allocator '%s' is loaded (%s) but malloc is served by %s", name, kobj,
                 mobj ? mobj : "an unknown object");
        return -1;
    }
    return 0;
}

static const char *const foreign_markers[] = {"mallctl",         "mi_version",          "tc_version",
                                              "hb_dropin_name",  "__TBB_malloc_proxy", "__scudo_print_stats"};

/* 0 when files a and b are the same file (device and inode). */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (a == NULL || b == NULL || stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return -1;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino ? 0 : -1;
}

int hb_verify_library(const char *name, const char *path, char *msg, size_t len)
{
    static const char *const core[] = {"malloc", "free", "calloc", "realloc"};
    for (size_t i = 0; i < sizeof core / sizeof core[0]; i++) {
        const char *obj = defining_object(core[i], NULL);
        if (same_file(obj, path) != 0) {
            snprintf(msg, len, "allocator '%s' (%s) asked for, but %s is served by %s%s", name, path, core[i],
                     obj ? obj : "an unknown object",
                     i == 0 ? " (was it LD_PRELOADed?)" : "");
            return -1;
        }
    }
    return 0;
}

/* In a sanitizer build the sanitizer's runtime serves malloc in place of
 * glibc's: it is what "libc" means there, and the only allocator such a
 * process can have. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HB_SANITIZER_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HB_SANITIZER_MALLOC 1
#endif
#endif

static int libc_verify(char *msg, size_t len)
{
    for (size_t i = 0; i < sizeof foreign_markers / sizeof foreign_markers[0]; i++) {
        const char *obj = defining_object(foreign_markers[i], NULL);
        if (obj != NULL) {
            snprintf(msg, len, "allocator 'libc' asked for, but %s (defining %s) is loaded", obj,
                     foreign_markers[i]);
            return -1;
        }
    }
    const char *mobj = defining_object("malloc", NULL);
#ifdef HB_SANITIZER_MALLOC
    if (mobj != NULL && strstr(mobj, "libc.so") == NULL) /* the sanitizer's malloc stands in for glibc's */
        return 0;
#endif
    if (mobj == NULL || strstr(mobj, "libc.so") == NULL) {
        snprintf(msg, len, "allocator 'libc' asked for, but malloc is served by %s", mobj ? mobj : "an unknown object");
        return -1;
    }
    return 0;
}

static int libc_stats(void *ctx, hb_alloc_stats *st)
{
    (void)ctx;
    struct mallinfo2 mi = mallinfo2();
    st->mapped = mi.arena + mi.hblkhd;
    st->in_use = mi.uordblks + mi.hblkhd;
    st->live = 0;
    return 0;
}

#define PROCESS_OPS                                                                                        \
    .create = proc_create, .destroy = proc_destroy, .malloc = proc_malloc, .calloc = proc_calloc,         \
    .realloc = proc_realloc, .aligned = proc_aligned, .free = proc_free, .usable_size = proc_usable,       \
    .check = NULL

const hb_allocator_ops hb_libc_ops = {
    .name = "libc",
    .summary = "the system malloc (glibc ptmalloc2): the baseline, as PYTHONMALLOC=malloc",
    .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_USABLE_SIZE | HB_ALLOC_FREES | HB_ALLOC_RETURNS_OS |
            HB_ALLOC_STATS | HB_ALLOC_PROCESS,
    .preload = NULL,
    PROCESS_OPS,
    .stats = libc_stats,
    .verify = libc_verify,
};

#ifdef HAVE_JEMALLOC
static int jemalloc_verify(char *msg, size_t len) { return verify_marker("jemalloc", "mallctl", msg, len); }
static int jemalloc_stats(void *ctx, hb_alloc_stats *st)
{
    (void)ctx;
    typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);
    mallctl_fn mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
    uint64_t epoch = 1;
    size_t sz = sizeof epoch, mapped = 0, allocated = 0, szs = sizeof(size_t);
    if (mallctl == NULL)
        return -1;
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    if (mallctl("stats.mapped", &mapped, &szs, NULL, 0) != 0)
        return -1;
    szs = sizeof(size_t);
    mallctl("stats.allocated", &allocated, &szs, NULL, 0);
    st->mapped = mapped;
    st->in_use = allocated;
    st->live = 0;
    return 0;
}
const hb_allocator_ops hb_jemalloc_ops = {
    .name = "jemalloc",
    .summary = "jemalloc " HB_JEMALLOC_VERSION " (Debian), by LD_PRELOAD: anchor",
    .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_USABLE_SIZE | HB_ALLOC_FREES | HB_ALLOC_RETURNS_OS |
            HB_ALLOC_STATS | HB_ALLOC_PROCESS,
    .preload = HB_JEMALLOC_SO,
    PROCESS_OPS,
    .stats = jemalloc_stats,
    .verify = jemalloc_verify,
};
#endif

#ifdef HAVE_MIMALLOC
static int mimalloc_verify(char *msg, size_t len) { return verify_marker("mimalloc", "mi_version", msg, len); }
static int mimalloc_stats(void *ctx, hb_alloc_stats *st)
{
    (void)ctx;
    typedef void (*info_fn)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *);
    info_fn info = (info_fn)dlsym(RTLD_DEFAULT, "mi_process_info");
    size_t e, u, s, rss, prss, commit = 0, pcommit, faults;
    if (info == NULL)
        return -1;
    info(&e, &u, &s, &rss, &prss, &commit, &pcommit, &faults);
    st->mapped = commit;
    st->in_use = 0;
    st->live = 0;
    return 0;
}
const hb_allocator_ops hb_mimalloc_ops = {
    .name = "mimalloc",
    .summary = "mimalloc " HB_MIMALLOC_VERSION " (Debian), by LD_PRELOAD: anchor",
    .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_USABLE_SIZE | HB_ALLOC_FREES | HB_ALLOC_RETURNS_OS |
            HB_ALLOC_STATS | HB_ALLOC_PROCESS,
    .preload = HB_MIMALLOC_SO,
    PROCESS_OPS,
    .stats = mimalloc_stats,
    .verify = mimalloc_verify,
};
#endif

#ifdef HAVE_TCMALLOC
static int tcmalloc_verify(char *msg, size_t len) { return verify_marker("tcmalloc", "tc_version", msg, len); }
static int tcmalloc_stats(void *ctx, hb_alloc_stats *st)
{
    (void)ctx;
    typedef int (*prop_fn)(const char *, size_t *);
    prop_fn prop = (prop_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
    size_t heap = 0, allocated = 0;
    if (prop == NULL || !prop("generic.heap_size", &heap))
        return -1;
    prop("generic.current_allocated_bytes", &allocated);
    st->mapped = heap;
    st->in_use = allocated;
    st->live = 0;
    return 0;
}
const hb_allocator_ops hb_tcmalloc_ops = {
    .name = "tcmalloc",
    .summary = "tcmalloc (gperftools " HB_TCMALLOC_VERSION ", Debian), by LD_PRELOAD: anchor",
    .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_USABLE_SIZE | HB_ALLOC_FREES | HB_ALLOC_RETURNS_OS |
            HB_ALLOC_STATS | HB_ALLOC_PROCESS,
    .preload = HB_TCMALLOC_SO,
    PROCESS_OPS,
    .stats = tcmalloc_stats,
    .verify = tcmalloc_verify,
};
#endif

/* Anchors that export nothing to ask for statistics: verified by the file
 * that serves malloc, as libraries given by path are. */
#define PATH_ANCHOR(id, so, text)                                                                          \
    static int id##_verify(char *msg, size_t len) { return hb_verify_library(#id, so, msg, len); }       \
    const hb_allocator_ops hb_##id##_ops = {                                                              \
        .name = #id,                                                                                      \
        .summary = text,                                                                                  \
        .caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_USABLE_SIZE | HB_ALLOC_FREES | HB_ALLOC_RETURNS_OS |      \
                HB_ALLOC_PROCESS,                                                                         \
        .preload = so,                                                                                    \
        PROCESS_OPS,                                                                                      \
        .stats = NULL,                                                                                    \
        .verify = id##_verify,                                                                            \
    }

#ifdef HAVE_TBBMALLOC
PATH_ANCHOR(tbbmalloc, HB_TBBMALLOC_SO,
            "oneTBB scalable allocator " HB_TBBMALLOC_VERSION " (Debian), by LD_PRELOAD of its proxy: anchor");
#endif
#ifdef HAVE_SCUDO
PATH_ANCHOR(scudo, HB_SCUDO_SO, "scudo standalone (LLVM compiler-rt " HB_SCUDO_VERSION ", Debian), by LD_PRELOAD: anchor");
#endif

/* ---- verification by name, for programs run under an allocator ---------- */

/* 0 when the drop-in build of `name` serves malloc in this process. */
static int verify_dropin(const char *name, char *msg, size_t len)
{
    if (verify_marker(name, "hb_dropin_name", msg, len) != 0)
        return -1;
    const char *(*dropin_name)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "hb_dropin_name");
    const char *live = dropin_name ? dropin_name() : "";
    if (strcmp(live, name) != 0) {
        snprintf(msg, len, "allocator '%s' asked for, but the heapbench drop-in '%s' serves malloc", name, live);
        return -1;
    }
    return 0;
}

int hb_verify_allocator(const char *name, char *msg, size_t len)
{
    static const hb_allocator_ops *const process_ops[] = {
        &hb_libc_ops,
#ifdef HAVE_JEMALLOC
        &hb_jemalloc_ops,
#endif
#ifdef HAVE_MIMALLOC
        &hb_mimalloc_ops,
#endif
#ifdef HAVE_TCMALLOC
        &hb_tcmalloc_ops,
#endif
#ifdef HAVE_TBBMALLOC
        &hb_tbbmalloc_ops,
#endif
#ifdef HAVE_SCUDO
        &hb_scudo_ops,
#endif
    };
    const char *eq = strchr(name, '=');
    if (eq != NULL) { /* NAME=PATH: a library given by path */
        char nm[128];
        snprintf(nm, sizeof nm, "%.*s", (int)(eq - name), name);
        return hb_verify_library(nm, eq + 1, msg, len);
    }
    for (size_t i = 0; i < sizeof process_ops / sizeof process_ops[0]; i++)
        if (strcmp(process_ops[i]->name, name) == 0)
            return process_ops[i]->verify(msg, len);
    return verify_dropin(name, msg, len);
}
