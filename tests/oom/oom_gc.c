/*
 * oom_gc.c: out-of-memory behaviour of the collectors.
 *
 *   oom_gc COLLECTOR CASE
 *
 * hb_new must return HB_NO_HANDLE with ENOMEM only after an emergency full
 * collection (collector.h).  The collection is observed with a collection
 * callback that records, for each collection, whether it started inside an
 * hb_new call after the allocator had refused a request.  Automatic
 * collection is disabled, so every collection seen is an emergency one.
 *
 *   emergency_frees   a budget allocator (live bytes capped) and garbage
 *                     cycles: allocating ten budgets' worth of cycles works,
 *                     because each refusal triggers a collection that frees
 *                     the cycles and the retry succeeds.
 *   nothing_freeable  the same budget, every object reachable: hb_new fails
 *                     with HB_NO_HANDLE and ENOMEM after one emergency
 *                     collection that freed nothing; nothing reachable was
 *                     freed; once the objects are dropped, hb_new works again.
 *   failing_all       the failing wrapper fails every request from now on:
 *                     hb_new fails with ENOMEM after an emergency collection;
 *                     it works again once the wrapper stops failing.
 *   failing_once      the failing wrapper fails the next request only: the
 *                     emergency collection's retry makes hb_new succeed.
 * hb_gc_check passes after each step.
 *
 * refcount: a collection frees nothing (it only counts leaked cycles), so it
 * has nothing to gain from an emergency collection and runs none: hb_new
 * fails at the first refusal, and garbage cycles are never reclaimed.  That
 * is its documented design, asserted as such and printed as "recorded:".
 *
 * boehm owns its heap (the allocator is ignored), so its cases use libgc's
 * own limit, GC_MAXIMUM_HEAP_SIZE, in a child process:
 *   heap_limit         objects all reachable: libgc's default out-of-memory
 *                      handler returns NULL (libgc 8.2), so hb_new must give
 *                      HB_NO_HANDLE with ENOMEM; a child killed by a signal
 *                      (an abort in libgc) fails the test with the signal.
 *   garbage_reclaimed  ten heap limits' worth of garbage allocate fine: libgc
 *                      collects before it grows the heap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector.h"

#define FAIL(...)                                                                                        \
    do {                                                                                                 \
        fprintf(stderr, "oom_gc %s %s: ", g_name, g_case);                                               \
        fprintf(stderr, __VA_ARGS__);                                                                    \
        fputc('\n', stderr);                                                                             \
        exit(1);                                                                                         \
    } while (0)

static const char *g_name = "?", *g_case = "?";

/* ---- budget allocator: libc with a cap on live bytes ----------------------- */

typedef struct budget {
    size_t live, limit;
    unsigned long refused; /* requests refused so far */
} budget;

#define HDR 16 /* keeps blocks 16-byte aligned; holds the size */

static void *b_malloc(void *ctx, size_t size)
{
    budget *b = ctx;
    if (size > b->limit - b->live) {
        b->refused++;
        errno = ENOMEM;
        return NULL;
    }
    unsigned char *p = malloc(size + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    b->live += size;
    return p + HDR;
}

static void b_free(void *ctx, void *p, size_t size)
{
    budget *b = ctx;
    (void)size;
    if (p == NULL)
        return;
    unsigned char *h = (unsigned char *)p - HDR;
    size_t n;
    memcpy(&n, h, sizeof n);
    b->live -= n;
    free(h);
}

static void *b_calloc(void *ctx, size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = b_malloc(ctx, n);
    if (p != NULL)
        memset(p, 0, n);
    return p;
}

static void *b_realloc(void *ctx, void *p, size_t old, size_t size)
{
    if (p == NULL)
        return b_malloc(ctx, size);
    if (size == 0) {
        b_free(ctx, p, old);
        return NULL;
    }
    size_t have;
    memcpy(&have, (unsigned char *)p - HDR, sizeof have);
    void *q = b_malloc(ctx, size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, have < size ? have : size);
    b_free(ctx, p, old);
    return q;
}

static void *b_aligned(void *ctx, size_t align, size_t size)
{
    if (align > HDR) {
        errno = EINVAL;
        return NULL;
    }
    return b_malloc(ctx, size);
}

static size_t b_usable(void *ctx, const void *p)
{
    (void)ctx;
    (void)p;
    return 0;
}

static const hb_allocator_ops budget_ops = {
    .name = "budget",
    .summary = "test: libc with a cap on live bytes",
    .caps = HB_ALLOC_FREES,
    .malloc = b_malloc,
    .calloc = b_calloc,
    .realloc = b_realloc,
    .aligned = b_aligned,
    .free = b_free,
    .usable_size = b_usable,
};

/* ---- observation ----------------------------------------------------------- */

typedef struct watch {
    const budget *b;          /* or NULL */
    const hb_alloc *failing;  /* or NULL */
    int in_new;               /* inside an hb_new call */
    unsigned long refused_before; /* b->refused when that hb_new began */
    unsigned long seen_before;    /* failing wrapper's count when it began */
    unsigned collections, emergency;
} watch;

static void on_collect(hb_gc *gc, hb_gc_phase phase, const hb_gc_info *info, void *arg)
{
    watch *w = arg;
    (void)gc;
    (void)info;
    if (phase != HB_GC_START)
        return;
    w->collections++;
    int refused = 0;
    if (w->b != NULL)
        refused = w->b->refused > w->refused_before;
    if (w->failing != NULL)
        refused = hb_failing_count(w->failing) > w->seen_before; /* a request was made (and failed) */
    if (w->in_new && refused)
        w->emergency++;
    else
        FAIL("a collection of generation %d that is not an emergency one (automatic collection is off)",
             info->generation);
}

static hb_handle new_obj(hb_gc *gc, watch *w, const hb_type *t, uint32_t nslots, uint32_t nbytes)
{
    w->in_new = 1;
    w->refused_before = w->b ? w->b->refused : 0;
    w->seen_before = w->failing ? hb_failing_count(w->failing) : 0;
    errno = 0;
    hb_handle h = hb_new(gc, t, nslots, nbytes);
    w->in_new = 0;
    return h;
}

static void gc_check(hb_gc *gc, const char *when)
{
    char msg[256] = "";
    if (hb_gc_check(gc, msg, sizeof msg) != 0)
        FAIL("hb_gc_check failed %s: %s", when, msg);
}

static const hb_type node = {"oom-node", NULL, NULL, NULL};

static int is_refcount(hb_gc *gc) { return strcmp(hb_gc_ops(gc)->name, "refcount") == 0; }

static hb_gc *open_gc(const char *name, const hb_alloc *a, watch *w)
{
    char msg[256];
    hb_gc *gc;
    if (hb_gc_open(&gc, name, a, msg, sizeof msg) != 0)
        FAIL("cannot open: %s", msg);
    hb_gc_disable(gc);
    if (hb_gc_callback_add(gc, on_collect, w) != 0)
        FAIL("cannot add a collection callback");
    return gc;
}

/* ---- cases over the budget allocator -------------------------------------- */

#define OBJ_BYTES 64                       /* raw bytes per object */
#define OBJ_SIZE hb_obj_size(2, OBJ_BYTES) /* 128 bytes */
#define LIMIT (OBJ_SIZE * 1000)

static int case_emergency_frees(const char *name)
{
    budget b = {0, LIMIT, 0};
    hb_alloc a = {&budget_ops, &b};
    watch w = {.b = &b};
    hb_gc *gc = open_gc(name, &a, &w);
    size_t pairs = 10 * LIMIT / (2 * OBJ_SIZE), made = 0;
    for (; made < pairs; made++) {
        hb_scope s = hb_scope_enter(gc);
        hb_handle x = new_obj(gc, &w, &node, 2, OBJ_BYTES);
        if (x == HB_NO_HANDLE)
            break;
        hb_handle y = new_obj(gc, &w, &node, 2, OBJ_BYTES);
        if (y == HB_NO_HANDLE)
            break;
        hb_set(gc, hb_get(gc, x), 0, hb_get(gc, y));
        hb_set(gc, hb_get(gc, y), 0, hb_get(gc, x));
        hb_scope_leave(gc, s); /* a garbage cycle */
    }
    int err = errno;
    gc_check(gc, "after the allocations");
    if (is_refcount(gc)) {
        if (made == pairs)
            FAIL("refcount allocated %zu cycles under a budget of %zu", pairs, (size_t)LIMIT / (2 * OBJ_SIZE));
        if (err != ENOMEM)
            FAIL("refcount: hb_new failed with errno %d, expected ENOMEM", err);
        if (w.collections != 0)
            FAIL("refcount ran %u collections", w.collections);
        printf("recorded: refcount reclaims no cycles (by design): hb_new failed with HB_NO_HANDLE and ENOMEM "
               "after %zu cycles filled the %zu-byte budget, with no emergency collection (one would free "
               "nothing)\n", made, (size_t)LIMIT);
    } else {
        if (made != pairs)
            FAIL("hb_new failed (errno %d) after %zu of %zu garbage cycles: %u emergency collections, allocator "
                 "refused %lu requests", err, made, pairs, w.emergency, b.refused);
        if (w.emergency == 0)
            FAIL("%zu cycles (ten budgets' worth) allocated without any collection", pairs);
        printf("%s: %zu garbage cycles (10x the budget) allocated; %u emergency collections, each after a "
               "refused request, freed the cycles and the retry succeeded\n", name, pairs, w.emergency);
    }
    hb_gc_close(gc);
    return 0;
}

static int case_nothing_freeable(const char *name)
{
    budget b = {0, LIMIT, 0};
    hb_alloc a = {&budget_ops, &b};
    watch w = {.b = &b};
    hb_gc *gc = open_gc(name, &a, &w);
    hb_scope s = hb_scope_enter(gc);
    hb_handle head = hb_push(gc, NULL);
    size_t n = 0;
    hb_handle h;
    for (;;) {
        h = new_obj(gc, &w, &node, 2, OBJ_BYTES);
        if (h == HB_NO_HANDLE)
            break;
        hb_set(gc, hb_get(gc, h), 0, hb_get(gc, head)); /* new -> old chain */
        hb_handle_set(gc, head, hb_get(gc, h));
        hb_scope_leave(gc, h); /* drop the new handle; the chain holds it */
        n++;
        if (n > 2 * LIMIT / OBJ_SIZE)
            FAIL("%zu reachable objects allocated under a budget of %zu", n, (size_t)LIMIT / OBJ_SIZE);
    }
    int err = errno;
    if (err != ENOMEM)
        FAIL("hb_new returned HB_NO_HANDLE with errno %d, expected ENOMEM", err);
    gc_check(gc, "after the failure");
    hb_gc_stats st;
    hb_gc_get_stats(gc, &st);
    if (st.live_objects != n)
        FAIL("%zu live objects after the failed hb_new, %zu were reachable", st.live_objects, n);
    size_t len = 0;
    for (hb_obj *o = hb_get(gc, head); o != NULL; o = hb_slot(o, 0))
        len++;
    if (len != n)
        FAIL("the chain has %zu objects, %zu were made", len, n);
    if (is_refcount(gc)) {
        if (w.collections != 0)
            FAIL("refcount ran %u collections", w.collections);
        printf("recorded: refcount: hb_new failed with HB_NO_HANDLE and ENOMEM at the first refusal, after %zu "
               "objects, without a collection (it could free nothing)\n", n);
    } else if (w.emergency != 1) {
        FAIL("hb_new failed after %u emergency collections, expected exactly 1", w.emergency);
    } else {
        printf("%s: hb_new failed with HB_NO_HANDLE and ENOMEM after %zu reachable objects, after one emergency "
               "collection that freed nothing reachable\n", name, n);
    }
    /* Usable again once the chain is dropped. */
    hb_handle_set(gc, head, NULL);
    unsigned before = w.emergency;
    h = new_obj(gc, &w, &node, 2, OBJ_BYTES);
    if (h == HB_NO_HANDLE)
        FAIL("hb_new failed (errno %d) after every object was dropped", errno);
    if (!is_refcount(gc) && strcmp(name, "marksweep") == 0 && w.emergency != before + 1)
        FAIL("marksweep allocated after the drop without the emergency collection it needed");
    hb_scope_leave(gc, s);
    gc_check(gc, "after recovering");
    hb_gc_close(gc);
    return 0;
}

static int case_failing(const char *name, int all)
{
    char msg[256];
    hb_alloc libc, f;
    if (hb_alloc_open(&libc, "libc", msg, sizeof msg) != 0)
        FAIL("cannot open libc: %s", msg);
    if (hb_failing_wrap(&f, &libc, 0, 0) != 0)
        FAIL("hb_failing_wrap failed");
    watch w = {.failing = &f};
    hb_gc *gc = open_gc(name, &f, &w);
    hb_scope s = hb_scope_enter(gc);
    for (int i = 0; i < 100; i++) /* some reachable objects, some garbage */
        if (new_obj(gc, &w, &node, 2, OBJ_BYTES) == HB_NO_HANDLE)
            FAIL("hb_new failed before any failure was asked for");
    hb_scope inner = hb_scope_enter(gc);
    for (int i = 0; i < 50; i++)
        new_obj(gc, &w, &node, 2, OBJ_BYTES);
    hb_scope_leave(gc, inner);
    hb_failing_set(&f, 1, all ? 1 : 0);
    hb_handle h = new_obj(gc, &w, &node, 2, OBJ_BYTES);
    int err = errno;
    gc_check(gc, "after the failure");
    if (is_refcount(gc)) {
        if (h != HB_NO_HANDLE || err != ENOMEM)
            FAIL("refcount: hb_new gave %zu, errno %d with the allocator failing", (size_t)h, err);
        if (w.collections != 0)
            FAIL("refcount ran %u collections", w.collections);
        printf("recorded: refcount: failing wrapper (%s): hb_new gave HB_NO_HANDLE and ENOMEM at once, "
               "no emergency collection, no retry\n", all ? "every request" : "one request");
    } else if (all) {
        if (h != HB_NO_HANDLE || err != ENOMEM)
            FAIL("hb_new gave %zu, errno %d, with every request failing", (size_t)h, err);
        if (w.emergency != 1)
            FAIL("hb_new failed after %u emergency collections, expected 1", w.emergency);
        printf("%s: failing wrapper (every request): hb_new gave HB_NO_HANDLE and ENOMEM after one emergency "
               "collection (%lu requests made)\n", name, hb_failing_count(&f));
    } else {
        if (h == HB_NO_HANDLE)
            FAIL("hb_new failed (errno %d) when only one request failed: no retry after the emergency "
                 "collection", err);
        if (w.emergency != 1)
            FAIL("hb_new succeeded after %u emergency collections, expected 1", w.emergency);
        if (hb_failing_count(&f) != 2)
            FAIL("%lu allocation requests for one hb_new, expected 2 (the refused one and the retry)",
                 hb_failing_count(&f));
        printf("%s: failing wrapper (one request): the emergency collection ran and the retry succeeded\n", name);
    }
    hb_failing_set(&f, 0, 0);
    if (new_obj(gc, &w, &node, 2, OBJ_BYTES) == HB_NO_HANDLE)
        FAIL("hb_new failed after the wrapper stopped failing");
    hb_gc_stats st;
    hb_gc_get_stats(gc, &st);
    size_t expect_live = 100 + 1 + (h != HB_NO_HANDLE);
    if (st.live_objects < expect_live)
        FAIL("%zu live objects, %zu are reachable", st.live_objects, expect_live);
    hb_scope_leave(gc, s);
    gc_check(gc, "at the end");
    hb_gc_close(gc);
    hb_alloc_close(&f);
    hb_alloc_close(&libc);
    return 0;
}

/* ---- boehm: libgc's own heap limit, in a child ------------------------------ */

static int boehm_child(int garbage)
{
    char msg[256];
    hb_alloc libc;
    hb_gc *gc;
    if (hb_alloc_open(&libc, "libc", msg, sizeof msg) != 0 || hb_gc_open(&gc, "boehm", &libc, msg, sizeof msg) != 0)
        FAIL("cannot open boehm: %s", msg);
    hb_scope s = hb_scope_enter(gc);
    hb_handle head = hb_push(gc, NULL);
    const uint32_t nbytes = 4000;
    const size_t heap = (size_t)32 << 20, total = garbage ? 10 * heap : 4 * heap;
    size_t made = 0;
    for (size_t bytes = 0; bytes < total; bytes += hb_obj_size(1, nbytes), made++) {
        errno = 0;
        hb_handle h = hb_new(gc, &node, 1, nbytes);
        if (h == HB_NO_HANDLE) {
            int err = errno;
            if (garbage)
                FAIL("boehm: hb_new failed (errno %d) after %zu objects, all garbage", err, made);
            if (err != ENOMEM)
                FAIL("boehm: hb_new gave HB_NO_HANDLE with errno %d, expected ENOMEM", err);
            printf("recorded: boehm under GC_MAXIMUM_HEAP_SIZE=32M: hb_new gave HB_NO_HANDLE and ENOMEM after "
                   "%zu reachable objects (%zu MiB): libgc's default out-of-memory handler returns NULL\n",
                   made, bytes >> 20);
            hb_gc_close(gc);
            return 0;
        }
        if (!garbage) {
            hb_set(gc, hb_get(gc, h), 0, hb_get(gc, head));
            hb_handle_set(gc, head, hb_get(gc, h));
        }
        hb_scope_leave(gc, h);
    }
    if (!garbage)
        FAIL("boehm: %zu MiB of reachable objects allocated under a 32 MiB heap limit", total >> 20);
    printf("boehm: %zu MiB of garbage (10x the 32 MiB heap limit) allocated: libgc collected instead of "
           "failing\n", total >> 20);
    hb_scope_leave(gc, s);
    hb_gc_close(gc);
    return 0;
}

static int case_boehm(int garbage)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
        setenv("GC_MAXIMUM_HEAP_SIZE", "32M", 1);
        _exit(boehm_child(garbage));
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(st))
        FAIL("the boehm child died of signal %d (%s): libgc %s at the heap limit", WTERMSIG(st),
             strsignal(WTERMSIG(st)), WTERMSIG(st) == SIGABRT ? "aborted" : "crashed");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: oom_gc COLLECTOR CASE\n");
        return 2;
    }
    g_name = argv[1];
    g_case = argv[2];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(g_case, "emergency_frees") == 0)
        return case_emergency_frees(g_name);
    if (strcmp(g_case, "nothing_freeable") == 0)
        return case_nothing_freeable(g_name);
    if (strcmp(g_case, "failing_all") == 0)
        return case_failing(g_name, 1);
    if (strcmp(g_case, "failing_once") == 0)
        return case_failing(g_name, 0);
    if (strcmp(g_case, "heap_limit") == 0)
        return case_boehm(0);
    if (strcmp(g_case, "garbage_reclaimed") == 0)
        return case_boehm(1);
    fprintf(stderr, "oom_gc: unknown case '%s'\n", g_case);
    return 2;
}
