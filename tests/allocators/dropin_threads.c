/*
 * dropin_threads: threads share the malloc family of a drop-in library.
 *
 * Usage: dropin_threads BACKEND [OPS_PER_THREAD]
 *
 * Eight threads, in two waves that come and go, run mixed malloc, calloc,
 * realloc, aligned allocations and free over one shared table of slots.  A
 * thread takes a block out of a slot by atomic exchange, so blocks are freed
 * and reallocated by threads other than the one that made them, and blocks
 * of the first wave outlive their threads.  Every block carries its size and
 * a seed in its first 16 bytes and a pattern derived from them after, checked
 * whenever a block is taken and after every realloc.  Exits 0 when all is
 * well, 1 with a message on the first failure.
 */
#define _GNU_SOURCE
#include "dropin_common.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8 /* per wave */
#define SLOTS 4096
#define HDR 16

static _Atomic(unsigned char *) slots[SLOTS];
static long ops_per_thread = 50000;
static atomic_int failed;

typedef struct {
    uint64_t s;
} rng;
static uint64_t next(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static inline unsigned char pat(uint64_t seed, size_t i) { return (unsigned char)((seed >> (i % 8 * 8)) + i * 131); }

static void die(const char *what, const unsigned char *b, size_t n, size_t at)
{
    if (atomic_exchange(&failed, 1) == 0)
        fprintf(stderr, "dropin_threads: FAIL: %s (block %p, size %zu, byte %zu)\n", what, (const void *)b, n, at);
}

static void stamp(unsigned char *b, size_t n, uint64_t seed, size_t from)
{
    memcpy(b, &n, sizeof n);
    memcpy(b + 8, &seed, sizeof seed);
    for (size_t i = from < HDR ? HDR : from; i < n; i++)
        b[i] = pat(seed, i);
}

/* Checks a block's pattern; returns its size, or 0 when corrupt. */
static size_t verify(const unsigned char *b)
{
    size_t n;
    uint64_t seed;
    memcpy(&n, b, sizeof n);
    memcpy(&seed, b + 8, sizeof seed);
    if (n < HDR || n > (2u << 20)) {
        die("block header overwritten", b, n, 0);
        return 0;
    }
    for (size_t i = HDR; i < n; i++)
        if (b[i] != pat(seed, i)) {
            die("block contents changed while it was live", b, n, i);
            return 0;
        }
    return n;
}

static size_t pick_size(rng *r)
{
    unsigned k = (unsigned)(next(r) % 1000);
    if (k < 700)
        return HDR + next(r) % 256;
    if (k < 950)
        return HDR + next(r) % 4096;
    if (k < 995)
        return HDR + next(r) % (128 << 10);
    return HDR + next(r) % (600 << 10); /* the backends' large-block paths */
}

static unsigned char *make(rng *r, size_t n)
{
    unsigned char *b;
    unsigned k = (unsigned)(next(r) % 10);
    if (k == 0) {
        b = calloc(1, n);
        if (b != NULL)
            for (size_t i = 0; i < n; i++)
                if (b[i] != 0) {
                    die("calloc memory is not zero", b, n, i);
                    break;
                }
    } else if (k == 1) {
        size_t align = (size_t)16 << (next(r) % 9);
        b = aligned_alloc(align, n);
        if (b != NULL && ((uintptr_t)b & (align - 1)) != 0)
            die("aligned_alloc result is misaligned", b, n, align);
    } else {
        b = malloc(n);
    }
    if (b == NULL) {
        die("allocation failed", NULL, n, 0);
        return NULL;
    }
    if (((uintptr_t)b & 15) != 0)
        die("block is not 16-byte aligned", b, n, 0);
    if (malloc_usable_size(b) < n)
        die("malloc_usable_size is below the request", b, n, malloc_usable_size(b));
    stamp(b, n, next(r), 0);
    return b;
}

static void *worker(void *arg)
{
    rng r = {(uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1};
    for (long op = 0; op < ops_per_thread && !atomic_load(&failed); op++) {
        size_t i = next(&r) % SLOTS;
        unsigned char *b = atomic_exchange(&slots[i], NULL);
        if (b != NULL) {
            size_t n = verify(b);
            if (n == 0)
                return NULL;
            unsigned k = (unsigned)(next(&r) % 3);
            if (k == 0) {
                free(b);
                continue;
            }
            if (k == 1) { /* realloc keeps the prefix */
                size_t m = pick_size(&r);
                uint64_t seed;
                memcpy(&seed, b + 8, sizeof seed);
                unsigned char *q = realloc(b, m);
                if (q == NULL) {
                    die("realloc failed", b, m, 0);
                    return NULL;
                }
                size_t keep = n < m ? n : m;
                for (size_t j = HDR; j < keep; j++)
                    if (q[j] != pat(seed, j)) {
                        die("realloc lost the block's contents", q, m, j);
                        return NULL;
                    }
                stamp(q, m, seed, keep);
                b = q;
            }
        } else {
            b = make(&r, pick_size(&r));
            if (b == NULL)
                return NULL;
        }
        unsigned char *expect = NULL;
        if (!atomic_compare_exchange_strong(&slots[i], &expect, b))
            free(b); /* another thread filled the slot meanwhile */
    }
    return NULL;
}

static int wave(int first)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(first + i + 1)) != 0) {
            fprintf(stderr, "dropin_threads: FAIL: pthread_create\n");
            return -1;
        }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    return atomic_load(&failed) ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (hb_dropin_expect("dropin_threads", argc > 1 ? argv[1] : NULL) != 0)
        return 1;
    if (argc > 2)
        ops_per_thread = atol(argv[2]);
    /* The second wave frees and reallocates what the first wave's threads,
     * gone by then, allocated. */
    if (wave(0) != 0 || wave(THREADS) != 0)
        return 1;
    for (size_t i = 0; i < SLOTS; i++) {
        unsigned char *b = atomic_exchange(&slots[i], NULL);
        if (b != NULL) {
            if (verify(b) == 0)
                return 1;
            free(b);
        }
    }
    printf("dropin_threads: %s: %d threads x %ld ops in two waves: ok\n", argv[1], 2 * THREADS, ops_per_thread);
    return 0;
}
