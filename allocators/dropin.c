/*
 * dropin.c: the malloc family over a built-in allocator, for LD_PRELOAD.
 *
 * Built twice (see CMakeLists.txt): libhb-naive.so with
 * HB_DROPIN_BACKEND_naive, and libhb-pooled.so with HB_DROPIN_BACKEND_pooled,
 * where pooled serves every size and alignment itself (pooled.c is compiled
 * into this file: malloc and free are pooled's own fast paths).
 * HB_DROPIN_NAME names the backend; hb_dropin_name() returns it, so that a
 * program (the harness's child, the drop-in tests) can prove with
 * dlsym(RTLD_DEFAULT, "hb_dropin_name") that the preload is live.
 *
 * Initialization is lazy and reentrancy-safe: the first call from any thread
 * (a constructor of another library may come before ours) sets up the
 * instance, which lives in static or mmap'd memory, never in malloc'd memory.  The
 * constructor also registers the fork hooks with pthread_atfork, after the
 * instances are marked ready, because pthread_atfork may itself call malloc.
 *
 * Semantics follow glibc 2.36 where the conformance list says so:
 *  - malloc(0) returns a unique, freeable pointer (usable size 16);
 *  - realloc(p, 0) frees p and returns NULL; realloc(NULL, n) is malloc(n);
 *    a failed realloc leaves p intact;
 *  - aligned_alloc and memalign accept any alignment as glibc 2.36 does: an
 *    alignment up to 16 is plain malloc (so 0 works), one that is not a power
 *    of two is rounded up to the next power of two (3 -> 4), and one above
 *    SIZE_MAX / 2 + 1 fails with EINVAL (memalign(-1, n) fails);
 *  - posix_memalign returns EINVAL, leaving *memptr untouched, for an
 *    alignment that is not a power of two or below sizeof(void *), and
 *    ENOMEM for a size it cannot serve;
 *  - valloc and pvalloc align to the page; pvalloc rounds the size up to it;
 *  - every allocation failure returns NULL with errno ENOMEM; free and
 *    free(NULL) leave errno unchanged; malloc_usable_size(NULL) is 0.
 */
#define _GNU_SOURCE
#include "builtin.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#if !defined(HB_DROPIN_BACKEND_naive) && !defined(HB_DROPIN_BACKEND_pooled)
#error "define HB_DROPIN_BACKEND_naive or HB_DROPIN_BACKEND_pooled"
#endif
#ifndef HB_DROPIN_NAME
#error "define HB_DROPIN_NAME"
#endif

#define EXPORT __attribute__((visibility("default")))

/* The malloc family is declared by <stdlib.h> and <malloc.h>; these are the
 * ones the headers may not declare under every feature set. */
EXPORT void *memalign(size_t align, size_t size);
EXPORT void *pvalloc(size_t size);
EXPORT size_t malloc_usable_size(void *p);
EXPORT const char *hb_dropin_name(void);

/* ---- the instance ------------------------------------------------------------ */
enum { UNINIT, INITIALIZING, READY, FAILED };
static _Atomic int state = UNINIT;
#ifdef HB_DROPIN_BACKEND_pooled
/* pooled is compiled into this file, so that malloc is hb_pooled_malloc with
 * the instance's address a constant: the same code as in process, with no
 * wrapper around it.  The instance is static (zero until ready); pooled's
 * slow paths call pooled_dropin_init, its fast paths never see an instance
 * that is not ready (no thread's cache names it). */
#include "pooled.c"
static hb_pooled instance;
#else
static hb_naive *naive;
#endif

/* Creates the instance once; any thread that finds another one creating
 * it waits.  Returns 0 when ready. */
static int init_slow(void)
{
    int expect = UNINIT;
    if (atomic_compare_exchange_strong(&state, &expect, INITIALIZING)) {
#ifdef HB_DROPIN_BACKEND_pooled
        int ok = pooled_init(&instance) == 0;
#else
        naive = hb_naive_create();
        int ok = naive != NULL;
#endif
        atomic_store(&state, ok ? READY : FAILED);
    }
    for (;;) {
        int s = atomic_load(&state);
        if (s == READY)
            return 0;
        if (s == FAILED) {
            errno = ENOMEM;
            return -1;
        }
        sched_yield(); /* another thread is creating the instance */
    }
}

static inline int ready(void)
{
    if (__builtin_expect(atomic_load_explicit(&state, memory_order_acquire) == READY, 1))
        return 0;
    return init_slow();
}

#ifdef HB_DROPIN_BACKEND_pooled
int pooled_dropin_init(void) { return ready(); }
#endif

/* ---- fork hooks ------------------------------------------------------------------ */
static void fork_prepare(void)
{
#ifdef HB_DROPIN_BACKEND_pooled
    hb_pooled_fork_prepare(&instance);
#else
    hb_naive_fork_prepare(naive);
#endif
}

static void fork_parent(void)
{
#ifdef HB_DROPIN_BACKEND_pooled
    hb_pooled_fork_parent(&instance);
#else
    hb_naive_fork_parent(naive);
#endif
}

static void fork_child(void)
{
#ifdef HB_DROPIN_BACKEND_pooled
    hb_pooled_fork_child(&instance);
#else
    hb_naive_fork_child(naive);
#endif
}

__attribute__((constructor)) static void dropin_init(void)
{
    if (ready() == 0) /* READY first: pthread_atfork may call malloc */
        pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* ---- backend dispatch ---------------------------------------------------------- */
#ifdef HB_DROPIN_BACKEND_pooled
/* pooled makes itself ready in its slow paths and sets errno ENOMEM on every
 * failure, and its free keeps errno: no checks around its calls. */
#define READY() 0
#define B_MALLOC(n) hb_pooled_malloc(&instance, (n))
#define B_CALLOC(c, n) hb_pooled_calloc(&instance, (c), (n))
#define B_REALLOC(p, n) hb_pooled_realloc(&instance, (p), (n))
#define B_ALIGNED(a, n) hb_pooled_aligned(&instance, (a), (n))
#define B_FREE(p) hb_pooled_free(&instance, (p))
#define B_USABLE(p) hb_pooled_usable_size(&instance, (p))
#define NOMEM_IF_NULL(p) (p)
#else
#define READY() ready()
#define B_MALLOC(n) hb_naive_malloc(naive, (n))
#define B_CALLOC(c, n) hb_naive_calloc(naive, (c), (n))
#define B_REALLOC(p, n) hb_naive_realloc(naive, (p), (n))
#define B_ALIGNED(a, n) hb_naive_aligned(naive, (a), (n))
#define B_FREE(p) hb_naive_free(naive, (p))
#define B_USABLE(p) hb_naive_usable_size(naive, (p))
#define NOMEM_IF_NULL(p) nomem_if_null(p)
#endif

/* Every failure of an allocating call reports ENOMEM, whatever the backend
 * said. */
static inline void *nomem_if_null(void *p)
{
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

static size_t page(void)
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

/* ---- the malloc family --------------------------------------------------------- */
EXPORT const char *hb_dropin_name(void) { return HB_DROPIN_NAME; }

EXPORT void *malloc(size_t size)
{
    if (READY() != 0)
        return NULL;
    return NOMEM_IF_NULL(B_MALLOC(size));
}

EXPORT void free(void *p)
{
#ifdef HB_DROPIN_BACKEND_pooled
    B_FREE(p); /* NULL, and pointers not its own, are no-ops; errno is kept */
#else
    if (p == NULL)
        return;
    int saved = errno;
    B_FREE(p); /* p came from us, so the instance is ready */
    errno = saved;
#endif
}

EXPORT void cfree(void *p);
EXPORT void cfree(void *p) { free(p); }

EXPORT void *calloc(size_t count, size_t size)
{
    if (READY() != 0)
        return NULL;
    return NOMEM_IF_NULL(B_CALLOC(count, size));
}

EXPORT void *realloc(void *p, size_t size)
{
    if (READY() != 0)
        return NULL;
    if (p == NULL)
        return NOMEM_IF_NULL(B_MALLOC(size));
    if (size == 0) { /* glibc: frees and returns NULL */
        free(p);
        return NULL;
    }
    return NOMEM_IF_NULL(B_REALLOC(p, size));
}

EXPORT void *reallocarray(void *p, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL; /* p stays valid */
    }
    return realloc(p, total);
}

/* glibc 2.36's memalign: small alignments are malloc, others round up to a
 * power of two, absurd ones fail with EINVAL. */
EXPORT void *memalign(size_t align, size_t size)
{
    if (READY() != 0)
        return NULL;
    if (align <= HB_MIN_ALIGN)
        return nomem_if_null(B_MALLOC(size));
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    if ((align & (align - 1)) != 0) {
        size_t a = HB_MIN_ALIGN * 2;
        while (a < align)
            a <<= 1;
        align = a;
    }
    return nomem_if_null(B_ALIGNED(align, size));
}

EXPORT void *aligned_alloc(size_t align, size_t size) { return memalign(align, size); }

EXPORT int posix_memalign(void **memptr, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL; /* *memptr untouched */
    if (READY() != 0)
        return ENOMEM;
    void *p = align <= HB_MIN_ALIGN ? B_MALLOC(size) : B_ALIGNED(align, size);
    if (p == NULL) {
        errno = ENOMEM; /* as glibc leaves it; the result is what counts */
        return ENOMEM;
    }
    *memptr = p;
    return 0;
}

EXPORT void *valloc(size_t size) { return memalign(page(), size); }

EXPORT void *pvalloc(size_t size)
{
    size_t ps = page(), rounded;
    if (__builtin_add_overflow(size, ps - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(ps - 1);
    return memalign(ps, rounded ? rounded : ps);
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (p == NULL)
        return 0;
    return B_USABLE(p);
}
