/*
 * fuzz_alloc.c: libFuzzer harness for the built-in allocators (naive,
 * pooled, bump), opened in process with hb_alloc_open (the drop-in
 * libraries are the same code behind dropin.c).
 *
 * Input: byte 0 picks the allocator; the rest is a sequence of operations,
 * each an opcode byte, a slot byte and two size bytes, run against a shadow
 * model of SLOTS slots.  What the model checks after every operation:
 *  - live blocks never overlap: an interval set of [p, p + max(request,
 *    usable)) for every live block; for bump (no reuse by design, free is a
 *    no-op) freed blocks stay in the set, so a block handed out twice is
 *    caught too;
 *  - contents are intact: a block is filled with a pattern derived from its
 *    slot and generation and verified before it is freed or reallocated;
 *    realloc keeps the prefix min(old, new);
 *  - alignment: HB_MIN_ALIGN (16), or the requested power of two;
 *  - usable_size >= the request where the allocator reports it, and every
 *    usable byte is writable;
 *  - calloc memory is zero; overflowing calloc and huge malloc give NULL
 *    with ENOMEM; a bad alignment gives NULL with EINVAL; free leaves errno
 *    unchanged; realloc(p, n, 0) frees and returns NULL;
 *  - check() passes every CHECK_EVERY operations and at the end.
 * Everything is freed at the end and the instance closed (LeakSanitizer
 * sees anything the allocator leaves behind).
 *
 * The model itself uses libc only, never the allocator under test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "builtin.h"
#include "fuzz_common.h"

#define SLOTS 64
#define CHECK_EVERY 16
#define MAX_OPS 4096

static const char *const allocators[] = {"naive", "pooled", "bump"};

typedef struct slot {
    unsigned char *p; /* NULL: empty */
    size_t size;      /* requested bytes */
    size_t align;     /* alignment asked for (HB_MIN_ALIGN for plain requests) */
    uint32_t gen;     /* generation: changes at every (re)allocation */
} slot;

/* Interval set: sorted by start, non-overlapping by construction. */
typedef struct ival {
    uintptr_t lo, hi; /* [lo, hi) */
    int slot;         /* owning slot, or -1: freed but kept (bump) */
} ival;

typedef struct model {
    hb_alloc a;
    const char *name;
    int frees;   /* free makes blocks reusable (not bump) */
    int usable;  /* usable_size is meaningful */
    slot s[SLOTS];
    ival *iv;
    size_t niv, cap;
    uint32_t gen;
} model;

static inline unsigned char pattern(int slotno, uint32_t gen, size_t i)
{
    return (unsigned char)(slotno * 31u + gen * 17u + (uint32_t)i * 7u + (uint32_t)(i >> 8) * 13u + 1u);
}

/* First interval whose hi > lo (the only candidates for overlapping [lo, ...)). */
static size_t iv_search(const model *m, uintptr_t lo)
{
    size_t a = 0, b = m->niv;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (m->iv[mid].hi <= lo)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

static void iv_insert(model *m, uintptr_t lo, uintptr_t hi, int slotno)
{
    size_t i = iv_search(m, lo);
    if (i < m->niv && m->iv[i].lo < hi)
        FUZZ_FAIL("%s: block [%#lx, %#lx) for slot %d overlaps [%#lx, %#lx) (slot %d%s)", m->name,
                  (unsigned long)lo, (unsigned long)hi, slotno, (unsigned long)m->iv[i].lo,
                  (unsigned long)m->iv[i].hi, m->iv[i].slot, m->iv[i].slot < 0 ? ", freed: bump reused it" : "");
    if (m->niv == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 128;
        m->iv = realloc(m->iv, m->cap * sizeof *m->iv);
        if (m->iv == NULL)
            FUZZ_FAIL("model: out of memory");
    }
    memmove(&m->iv[i + 1], &m->iv[i], (m->niv - i) * sizeof *m->iv);
    m->iv[i] = (ival){lo, hi, slotno};
    m->niv++;
}

static void iv_remove(model *m, uintptr_t lo, int slotno)
{
    size_t i = iv_search(m, lo);
    if (i >= m->niv || m->iv[i].lo != lo || m->iv[i].slot != slotno)
        FUZZ_FAIL("model: interval of slot %d not found", slotno);
    if (!m->frees) { /* bump: the block stays taken forever */
        m->iv[i].slot = -1;
        return;
    }
    memmove(&m->iv[i], &m->iv[i + 1], (m->niv - i - 1) * sizeof *m->iv);
    m->niv--;
}

FUZZ_NO_COVERAGE static void fill(model *m, int k)
{
    slot *s = &m->s[k];
    for (size_t i = 0; i < s->size; i++)
        s->p[i] = pattern(k, s->gen, i);
}

/* Index of the first of p[0 .. n) that is not slot k's pattern of generation
 * gen, or n. */
FUZZ_NO_COVERAGE static size_t mismatch(const unsigned char *p, size_t n, int k, uint32_t gen)
{
    size_t i = 0;
    while (i < n && p[i] == pattern(k, gen, i))
        i++;
    return i;
}

FUZZ_NO_COVERAGE static size_t first_nonzero(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] == 0)
        i++;
    return i;
}

static void verify(model *m, int k, size_t upto, const char *when)
{
    slot *s = &m->s[k];
    size_t i = mismatch(s->p, upto, k, s->gen);
    if (i < upto)
        FUZZ_FAIL("%s: slot %d (%zu bytes at %p) corrupt at byte %zu before %s: %#x, expected %#x", m->name, k,
                  s->size, (void *)s->p, i, when, s->p[i], pattern(k, s->gen, i));
}

/* Takes a new block into slot k (empty): checks it and enters it in the model. */
static void take(model *m, int k, void *p, size_t size, size_t align, const char *what)
{
    slot *s = &m->s[k];
    uintptr_t u = (uintptr_t)p;
    if (u % align != 0)
        FUZZ_FAIL("%s: %s(%zu) gave %p, not aligned to %zu", m->name, what, size, p, align);
    size_t usable = size;
    if (m->usable) {
        usable = hb_usable_size(&m->a, p);
        if (usable < size)
            FUZZ_FAIL("%s: usable_size %zu < request %zu (%s)", m->name, usable, size, what);
    }
    size_t extent = usable > size ? usable : size;
    iv_insert(m, u, u + (extent ? extent : 1), k);
    s->p = p;
    s->size = size;
    s->align = align;
    s->gen = ++m->gen;
    /* Every usable byte must be writable; only the requested ones are kept. */
    if (usable > size)
        memset(s->p + size, 0xa5, usable - size);
    fill(m, k);
}

static void release(model *m, int k, const char *when)
{
    slot *s = &m->s[k];
    verify(m, k, s->size, when);
    iv_remove(m, (uintptr_t)s->p, k);
    s->p = NULL;
}

static void op_free(model *m, int k)
{
    slot *s = &m->s[k];
    if (s->p == NULL) {
        errno = 4242;
        hb_free(&m->a, NULL, 0);
        if (errno != 4242)
            FUZZ_FAIL("%s: free(NULL) changed errno to %d", m->name, errno);
        return;
    }
    void *p = s->p;
    size_t size = s->size;
    release(m, k, "free");
    errno = 4242;
    hb_free(&m->a, p, size);
    if (errno != 4242)
        FUZZ_FAIL("%s: free changed errno to %d", m->name, errno);
}

static void op_alloc(model *m, int k, int kind, size_t size, size_t align)
{
    if (m->s[k].p != NULL)
        op_free(m, k);
    void *p = NULL;
    const char *what = "malloc";
    switch (kind) {
    case 0: p = hb_malloc(&m->a, size); break;
    case 1:
        what = "calloc";
        /* split size into count x elem when it divides evenly */
        if (size % 3 == 0 && size > 0)
            p = hb_calloc(&m->a, 3, size / 3);
        else
            p = hb_calloc(&m->a, size, 1);
        break;
    default: what = "aligned"; p = hb_aligned(&m->a, align, size); break;
    }
    if (p == NULL)
        FUZZ_FAIL("%s: %s(%zu, align %zu) failed: %s", m->name, what, size, align, strerror(errno));
    if (kind == 1) {
        const unsigned char *b = p;
        size_t i = first_nonzero(b, size);
        if (i < size)
            FUZZ_FAIL("%s: calloc(%zu) byte %zu is %#x, not zero", m->name, size, i, b[i]);
    }
    take(m, k, p, size, kind == 2 && align > HB_MIN_ALIGN ? align : HB_MIN_ALIGN, what);
}

static void op_realloc(model *m, int k, size_t size)
{
    slot *s = &m->s[k];
    if (s->p == NULL) { /* realloc(NULL, 0, n) is malloc(n) */
        void *p = hb_realloc(&m->a, NULL, 0, size);
        if (p == NULL)
            FUZZ_FAIL("%s: realloc(NULL, %zu) failed: %s", m->name, size, strerror(errno));
        take(m, k, p, size, HB_MIN_ALIGN, "realloc(NULL)");
        return;
    }
    verify(m, k, s->size, "realloc");
    if (size == 0) { /* frees and returns NULL */
        void *old = s->p;
        size_t oldsize = s->size;
        release(m, k, "realloc(p, 0)");
        void *p = hb_realloc(&m->a, old, oldsize, 0);
        if (p != NULL)
            FUZZ_FAIL("%s: realloc(p, 0) returned %p, not NULL", m->name, p);
        return;
    }
    void *old = s->p;
    size_t oldsize = s->size;
    uint32_t oldgen = s->gen;
    /* The old block leaves the interval set first: realloc may return it. */
    iv_remove(m, (uintptr_t)old, k);
    unsigned char *p = hb_realloc(&m->a, old, oldsize, size);
    if (p == NULL)
        FUZZ_FAIL("%s: realloc(%zu -> %zu) failed: %s", m->name, oldsize, size, strerror(errno));
    size_t keep = oldsize < size ? oldsize : size;
    size_t i = mismatch(p, keep, k, oldgen);
    if (i < keep)
        FUZZ_FAIL("%s: realloc(%zu -> %zu) lost byte %zu of the prefix: %#x, expected %#x", m->name, oldsize,
                      size, i, p[i], pattern(k, oldgen, i));
    s->p = NULL;
    take(m, k, p, size, HB_MIN_ALIGN, "realloc");
}

/* Requests that must fail, and must leave the allocator usable. */
static void op_bad(model *m, int which, size_t arg)
{
    void *p;
    errno = 0;
    switch (which) {
    case 0:
        p = hb_malloc(&m->a, SIZE_MAX - arg);
        if (p != NULL || errno != ENOMEM)
            FUZZ_FAIL("%s: malloc(SIZE_MAX - %zu) gave %p, errno %d (expected NULL, ENOMEM)", m->name, arg, p, errno);
        break;
    case 1:
        p = hb_malloc(&m->a, (size_t)PTRDIFF_MAX + 1 + arg);
        if (p != NULL || errno != ENOMEM)
            FUZZ_FAIL("%s: malloc(PTRDIFF_MAX + 1 + %zu) gave %p, errno %d", m->name, arg, p, errno);
        break;
    case 2:
        p = hb_calloc(&m->a, SIZE_MAX / (arg + 2) + 1, arg + 2);
        if (p != NULL || errno != ENOMEM)
            FUZZ_FAIL("%s: overflowing calloc(%zu, %zu) gave %p, errno %d", m->name, SIZE_MAX / (arg + 2) + 1,
                      arg + 2, p, errno);
        break;
    default: {
        /* not a power of two >= sizeof(void *): 0, 3, 24, 0x300, ... */
        size_t align = arg < 8 ? arg : (arg | 1) * 8 + 8;
        if (align >= sizeof(void *) && (align & (align - 1)) == 0)
            align += 8;
        p = hb_aligned(&m->a, align, 64);
        if (p != NULL || errno != EINVAL)
            FUZZ_FAIL("%s: aligned(%zu, 64) gave %p, errno %d (expected NULL, EINVAL)", m->name, align, p, errno);
        break;
    }
    }
}

static void check(model *m, const char *when)
{
    char msg[256] = "";
    if (m->a.ops->check != NULL && m->a.ops->check(m->a.ctx, msg, sizeof msg) != 0)
        FUZZ_FAIL("%s: check() failed %s: %s", m->name, when, msg);
}

/* Sizes: mostly small, then pooled's medium classes (513 B .. 32 KiB), its
 * big classes (.. 64 KiB) and large blocks (beyond, up to 4 MiB: its
 * large-block cache, and from 2 MiB its huge-page mappings). */
static size_t decode_size(unsigned char b0, unsigned char b1)
{
    switch (b0 >> 6) {
    case 0: return b1 & 0x3f;                        /* 0 .. 63 */
    case 1: return (size_t)((b0 & 0x3f) << 8 | b1) % 600; /* pooled's small limit, 512, inside */
    case 2: return (size_t)((b0 & 0x3f) << 8 | b1);       /* .. 16 KiB: small and medium */
    default:
        if (b0 & 0x20) /* .. 4 MiB, in 512-byte steps: large blocks, huge pages from 2 MiB */
            return (size_t)((b0 & 0x1f) << 8 | b1) << 9;
        return (size_t)((b0 & 0x1f) << 8 | b1) << 4; /* .. 128 KiB: medium, big (32 .. 64 KiB), and large */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    model m;
    char msg[256];
    memset(&m, 0, sizeof m);
    m.name = allocators[data[0] % 3];
    if (hb_alloc_open(&m.a, m.name, msg, sizeof msg) != 0)
        FUZZ_FAIL("cannot open %s: %s", m.name, msg);
    m.frees = (m.a.ops->caps & HB_ALLOC_FREES) != 0;
    m.usable = (m.a.ops->caps & HB_ALLOC_USABLE_SIZE) != 0;
    if (strcmp(m.name, "bump") == 0 && m.frees)
        FUZZ_FAIL("bump claims HB_ALLOC_FREES");

    size_t nops = 0;
    for (size_t i = 1; i + 4 <= size && nops < MAX_OPS; i += 4, nops++) {
        unsigned op = data[i] % 16;
        int k = data[i + 1] % SLOTS;
        size_t sz = decode_size(data[i + 2], data[i + 3]);
        switch (op) {
        case 0: case 1: case 2: op_alloc(&m, k, 0, sz, HB_MIN_ALIGN); break;
        case 3: case 4: op_alloc(&m, k, 1, sz, HB_MIN_ALIGN); break;
        case 5: op_alloc(&m, k, 2, sz % 4096, (size_t)1 << (3 + data[i + 1] / SLOTS % 4 * 4 + data[i] / 16 % 4));
            break; /* alignments 8 .. 2^18 */
        case 6: case 7: case 8: op_realloc(&m, k, sz); break;
        case 9: op_realloc(&m, k, 0); break;
        case 10: case 11: case 12: op_free(&m, k); break;
        case 13:
            if (m.s[k].p != NULL && m.usable && hb_usable_size(&m.a, m.s[k].p) < m.s[k].size)
                FUZZ_FAIL("%s: usable_size shrank below %zu", m.name, m.s[k].size);
            if (hb_usable_size(&m.a, NULL) != 0)
                FUZZ_FAIL("%s: usable_size(NULL) != 0", m.name);
            if (m.s[k].p != NULL)
                verify(&m, k, m.s[k].size, "usable_size");
            break;
        case 14: op_bad(&m, data[i + 1] % 4, data[i + 3]); break;
        default: check(&m, "on request"); break;
        }
        if (nops % CHECK_EVERY == CHECK_EVERY - 1)
            check(&m, "periodically");
    }
    check(&m, "after the operations");
    for (int k = 0; k < SLOTS; k++)
        if (m.s[k].p != NULL)
            op_free(&m, k);
    check(&m, "after freeing everything");
    if (m.frees) {
        hb_alloc_stats st;
        if (m.a.ops->stats != NULL && m.a.ops->stats(m.a.ctx, &st) == 0 && st.live != 0)
            FUZZ_FAIL("%s: %zu blocks still live after every block was freed", m.name, st.live);
    }
    hb_alloc_close(&m.a);
    free(m.iv);
    return 0;
}
