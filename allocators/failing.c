/*
 * failing.c: the failing wrapper, for out-of-memory tests.
 *
 * Stacks over any instance and fails allocation request number `nth`
 * (1-based; malloc, calloc, realloc and aligned each count as one request)
 * with NULL and errno ENOMEM, as Lua's test allocator's fail-next; with
 * `every` nonzero it fails each `every`-th request after that too.  A failed
 * realloc leaves the block untouched, as the interface requires.  Frees are
 * never failed.  The counter is atomic, so the wrapper is as thread-safe as
 * its inner instance.
 */
#define _GNU_SOURCE
#include "allocator.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>

typedef struct failing {
    hb_alloc inner;
    _Atomic unsigned long seen;
    _Atomic unsigned long nth, every;
} failing;

/* True when this request must fail. */
static int should_fail(failing *f)
{
    unsigned long n = atomic_fetch_add_explicit(&f->seen, 1, memory_order_relaxed) + 1;
    unsigned long nth = atomic_load_explicit(&f->nth, memory_order_relaxed);
    unsigned long every = atomic_load_explicit(&f->every, memory_order_relaxed);
    if (nth == 0 || n < nth)
        return 0;
    if (n == nth || (every != 0 && (n - nth) % every == 0)) {
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

static void *fail_malloc(void *ctx, size_t size)
{
    failing *f = ctx;
    return should_fail(f) ? NULL : hb_malloc(&f->inner, size);
}

static void *fail_calloc(void *ctx, size_t count, size_t size)
{
    failing *f = ctx;
    return should_fail(f) ? NULL : hb_calloc(&f->inner, count, size);
}

static void *fail_realloc(void *ctx, void *p, size_t old, size_t size)
{
    failing *f = ctx;
    if (p != NULL && size == 0) { /* a free, never failed */
        hb_free(&f->inner, p, old);
        return NULL;
    }
    return should_fail(f) ? NULL : hb_realloc(&f->inner, p, old, size);
}

static void *fail_aligned(void *ctx, size_t align, size_t size)
{
    failing *f = ctx;
    return should_fail(f) ? NULL : hb_aligned(&f->inner, align, size);
}

static void fail_free(void *ctx, void *p, size_t size)
{
    failing *f = ctx;
    hb_free(&f->inner, p, size);
}

static size_t fail_usable(void *ctx, const void *p)
{
    failing *f = ctx;
    return hb_usable_size(&f->inner, p);
}

static int fail_stats(void *ctx, hb_alloc_stats *st)
{
    failing *f = ctx;
    return f->inner.ops->stats ? f->inner.ops->stats(f->inner.ctx, st) : -1;
}

static int fail_check(void *ctx, char *msg, size_t len)
{
    failing *f = ctx;
    return f->inner.ops->check ? f->inner.ops->check(f->inner.ctx, msg, len) : 0;
}

static void *fail_create(void) { return NULL; } /* made by hb_failing_wrap only */
static void fail_destroy(void *ctx) { munmap(ctx, sizeof(failing)); }

static const hb_allocator_ops failing_ops = {
    .name = "failing",
    .summary = "wrapper: fails the Nth allocation request, for out-of-memory tests",
    .caps = HB_ALLOC_WRAPPER,
    .preload = NULL,
    .create = fail_create,
    .destroy = fail_destroy,
    .malloc = fail_malloc,
    .calloc = fail_calloc,
    .realloc = fail_realloc,
    .aligned = fail_aligned,
    .free = fail_free,
    .usable_size = fail_usable,
    .stats = fail_stats,
    .check = fail_check,
    .verify = NULL,
};

int hb_failing_wrap(hb_alloc *out, const hb_alloc *inner, unsigned long nth, unsigned long every)
{
    failing *f = mmap(NULL, sizeof *f, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (f == MAP_FAILED)
        return -1;
    f->inner = *inner;
    atomic_init(&f->seen, 0);
    atomic_init(&f->nth, nth);
    atomic_init(&f->every, every);
    out->ops = &failing_ops;
    out->ctx = f;
    return 0;
}

void hb_failing_set(const hb_alloc *a, unsigned long nth, unsigned long every)
{
    failing *f = a->ctx;
    atomic_store(&f->seen, 0);
    atomic_store(&f->nth, nth);
    atomic_store(&f->every, every);
}

unsigned long hb_failing_count(const hb_alloc *a)
{
    failing *f = a->ctx;
    return atomic_load(&f->seen);
}
