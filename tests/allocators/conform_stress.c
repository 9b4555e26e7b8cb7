/*
 * conform_stress.c: the stress rules of docs/conformance.md section 1, shared by
 * conform_api.c and conform_iface.c like conform_common.c: 17 (a randomized
 * run with overlap checks), 18 (cross-thread frees, threads that come and
 * go), 19 (fork while other threads allocate) and 20 (large blocks).  Same
 * invariant as the rest of the suite: the helpers never allocate.
 */
#define _GNU_SOURCE
#include "conform_rules.h"
#include "testutil.h"
#include "wait_bounded.h"
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

void case_random(const tal *t)
{
    tu_rng r = {tu_seed = 0x5eed0017ULL};
    const int reuses = (t->flags & TAL_REUSES) != 0;
    size_t live = 0;
    for (size_t op = 0; op < RND_OPS; op++) {
        rslot *s = &rnd[tu_below(&r, RND_SLOTS)];
        size_t x = tu_below(&r, 100);
        if (s->p == NULL) {
            size_t n = random_size(&r, reuses), align = 0;
            unsigned char *p;
            char call[96]; /* the call exactly, for the evidence */
            if (x < 70) {
                p = t->malloc(n);
                snprintf(call, sizeof call, "malloc(%zu)", n);
            } else if (x < 85) {
                p = t->calloc(x & 1 ? 1 : n, x & 1 ? n : 1);
                snprintf(call, sizeof call, "calloc(%zu, %zu)", x & 1 ? (size_t)1 : n, x & 1 ? n : (size_t)1);
                if (p != NULL) {
                    size_t bad = tu_nonzero(p, n);
                    TU_CHECK(bad == SIZE_MAX, "op %zu: %s = %p has byte %zu nonzero", op, call, (void *)p, bad);
                }
            } else if (x < 95) {
                align = (size_t)8 << tu_below(&r, 10); /* 8 .. 4096 */
                p = t->aligned(align, n);
                snprintf(call, sizeof call, (t->flags & TAL_IFACE) ? "aligned(%zu, %zu)" : "posix_memalign(&p, %zu, %zu)",
                         align, n);
            } else {
                p = t->realloc(NULL, 0, n);
                snprintf(call, sizeof call, "realloc(NULL, %zu)", n);
            }
            TU_CHECK(p != NULL, "op %zu: %s returned NULL (errno %s)", op, call, tu_errname(errno));
            if (align != 0)
                TU_CHECK(aligned_to(p, align) || aligned_recorded(t, align, n), "op %zu: %s gave %p: not %zu-aligned",
                         op, call, (void *)p, align);
            else
                check_align(t, p, n, "op %zu: %s", op, call);
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
            check_align(t, q, n, "op %zu: realloc(%p, %zu)", op, s->p, n);
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

void case_threads(const tal *t)
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
#define FORK_TIMES 50
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

/* A child that has not exited after this long is taken to be deadlocked: a
 * bound far above what a child takes on a machine at load 17 (well under a
 * second), so that only a real deadlock reaches it. */
#define FORK_DEADLOCK_S 60

void case_fork(const tal *t)
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
        int w = tu_wait_bounded(pid, FORK_DEADLOCK_S, &status);
        TU_CHECK(w >= 0, "waitpid: %s", strerror(errno));
        if (w == 1)
            tu_fail("fork %d: the child has not finished after %d s: deadlock in the allocator after fork", k,
                    FORK_DEADLOCK_S);
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
void case_large(const tal *t)
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
    for (int i = 0; i < 250 && rss2 + huge / 2 > rss1; i++) { /* up to 5 s: a busy machine */
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
        check_align(t, p, n, "malloc(%zu)", n);
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

