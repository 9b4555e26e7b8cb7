/*
 * broken.c: malloc libraries with one bug each, to prove that `heapbench
 * conform` catches it.  Built once per bug (tests/conform/CMakeLists.txt)
 * with -DBUG_<NAME>; with no BUG_ macro it is a correct library.
 *
 * Every library forwards the malloc family to glibc's own entry points
 * (__libc_malloc and friends, which glibc exports for exactly this use), so
 * apart from its one bug it behaves as glibc does.  BUG_RACY is the
 * exception: it serves small blocks from an allocator of its own with no
 * lock at all.
 *
 *   REALLOC_LOSES     realloc copies only half of the old block
 *   ALIGN_IGNORED     aligned_alloc, memalign, posix_memalign ignore the alignment
 *   CALLOC_DIRTY      calloc does not zero (reused memory shows its old bytes)
 *   USABLE_LIES       malloc_usable_size reports 64 bytes more than there are
 *   NO_ERRNO          a failed malloc leaves errno 0
 *   CALLOC_OVERFLOW   calloc multiplies without an overflow check
 *   FORK_LOCK         one lock around every call and no fork handlers
 *   RACY              small blocks from unlocked free lists: not thread-safe
 *   MEMALIGN_BAD      posix_memalign accepts an alignment that is not a power of two
 *   FREE_NULL_CRASH   free(NULL) dereferences its argument
 *   FREE_ERRNO        free sets errno
 *   REALLOC_FAIL_WIPES  a failed realloc wipes the block it leaves in place
 *   ALIGN_OVERFLOW    the aligned family rounds a huge size up and wraps around
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <dlfcn.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

static size_t glibc_usable(void *p); /* glibc's malloc_usable_size */

#define EXPORT __attribute__((visibility("default")))

#ifdef BUG_FORK_LOCK
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&big_lock)
#define UNLOCK() pthread_mutex_unlock(&big_lock)
#else
#define LOCK() (void)0
#define UNLOCK() (void)0
#endif

#ifdef BUG_RACY
/* Blocks up to 256 bytes in 16 classes, carved from one region by a pointer
 * bumped without a lock, recycled through free lists without a lock.  The
 * 16 bytes before a block hold its class. */
#define RACY_REGION ((size_t)1 << 32)
static char *racy_base, *racy_cur;
static void *racy_free[17];
static int racy_ours(const void *p) { return racy_base && (const char *)p >= racy_base && (const char *)p < racy_base + RACY_REGION; }
static void *racy_malloc(size_t n)
{
    size_t c = (n + 15) / 16;
    if (c == 0)
        c = 1;
    if (racy_base == NULL) {
        void *m = mmap(NULL, RACY_REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        racy_base = racy_cur = m;
    }
    void *p = racy_free[c];
    if (p != NULL) {
        racy_free[c] = *(void **)p;
        return p;
    }
    char *h = racy_cur;
    racy_cur = h + 16 + c * 16;
    *(size_t *)h = c;
    return h + 16;
}
static void racy_release(void *p)
{
    size_t c = *(size_t *)((char *)p - 16);
    *(void **)p = racy_free[c];
    racy_free[c] = p;
}
#endif

EXPORT void *malloc(size_t n)
{
#ifdef BUG_RACY
    if (n <= 256)
        return racy_malloc(n);
#endif
    LOCK();
    void *p = __libc_malloc(n);
    UNLOCK();
#ifdef BUG_NO_ERRNO
    if (p == NULL)
        errno = 0;
#endif
    return p;
}

EXPORT void free(void *p)
{
#ifdef BUG_FREE_NULL_CRASH
    if (*(volatile char *)p == 0x7f) /* free(NULL) reads address 0 */
        __asm__ volatile("" ::: "memory");
#endif
#ifdef BUG_RACY
    if (p != NULL && racy_ours(p)) {
        racy_release(p);
        return;
    }
#endif
    LOCK();
    __libc_free(p);
    UNLOCK();
#ifdef BUG_FREE_ERRNO
    errno = EINVAL;
#endif
}

EXPORT void *calloc(size_t c, size_t n)
{
#if defined(BUG_CALLOC_DIRTY) || defined(BUG_CALLOC_OVERFLOW) || defined(BUG_RACY)
    size_t total = c * n; /* BUG_CALLOC_OVERFLOW: the product may wrap around */
#if !defined(BUG_CALLOC_OVERFLOW)
    if (n != 0 && total / n != c) {
        errno = ENOMEM;
        return NULL;
    }
#endif
    void *p = malloc(total);
#ifndef BUG_CALLOC_DIRTY
    if (p != NULL)
        memset(p, 0, total);
#endif
    return p;
#else
    LOCK();
    void *p = __libc_calloc(c, n);
    UNLOCK();
    return p;
#endif
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (p == NULL)
        return 0;
#ifdef BUG_RACY
    if (racy_ours(p))
        return *(size_t *)((char *)p - 16) * 16;
#endif
#ifdef BUG_USABLE_LIES
    return glibc_usable(p) + 64;
#else
    return glibc_usable(p);
#endif
}

EXPORT void *realloc(void *p, size_t n)
{
#ifdef BUG_REALLOC_FAIL_WIPES
    if (p != NULL && n > ((size_t)1 << 48)) {
        memset(p, 0, malloc_usable_size(p));
        errno = ENOMEM;
        return NULL;
    }
#endif
#if defined(BUG_REALLOC_LOSES) || defined(BUG_RACY)
    if (p == NULL)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    size_t old = malloc_usable_size(p);
    void *q = malloc(n);
    if (q == NULL)
        return NULL;
#ifdef BUG_REALLOC_LOSES
    memcpy(q, p, (old < n ? old : n) / 2);
#else
    memcpy(q, p, old < n ? old : n);
#endif
    free(p);
    return q;
#else
    LOCK();
    void *q = __libc_realloc(p, n);
    UNLOCK();
    return q;
#endif
}

EXPORT void *reallocarray(void *p, size_t c, size_t n)
{
    if (n != 0 && c > SIZE_MAX / n) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, c * n);
}

static void *aligned(size_t al, size_t n)
{
#ifdef BUG_ALIGN_IGNORED
    (void)al;
    return malloc(n);
#elif defined(BUG_ALIGN_OVERFLOW)
    LOCK();
    void *p = __libc_memalign(al, (n + al - 1) & ~(al - 1)); /* wraps to a small size near SIZE_MAX */
    UNLOCK();
    return p;
#else
    LOCK();
    void *p = __libc_memalign(al, n);
    UNLOCK();
    return p;
#endif
}

EXPORT void *aligned_alloc(size_t al, size_t n) { return aligned(al, n); }
EXPORT void *memalign(size_t al, size_t n) { return aligned(al, n); }

EXPORT int posix_memalign(void **out, size_t al, size_t n)
{
#ifdef BUG_MEMALIGN_BAD
    if (al < sizeof(void *))
        return EINVAL;
#else
    if (al < sizeof(void *) || (al & (al - 1)) != 0)
        return EINVAL;
#endif
    int saved = errno;
    void *p = aligned(al & (al - 1) ? 16 : al, n);
    if (p == NULL) {
        errno = saved;
        return ENOMEM;
    }
    *out = p;
    return 0;
}

EXPORT void *valloc(size_t n)
{
    LOCK();
    void *p = __libc_valloc(n);
    UNLOCK();
    return p;
}

EXPORT void *pvalloc(size_t n)
{
    LOCK();
    void *p = __libc_pvalloc(n);
    UNLOCK();
    return p;
}

/* glibc's own malloc_usable_size: the next definition after this library's. */
static size_t glibc_usable(void *p)
{
    static size_t (*fn)(void *);
    if (fn == NULL)
        fn = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    return fn ? fn(p) : 0;
}
