/*
 * testutil.h: what the allocator conformance programs share.
 *
 * The rules of docs/conformance.md section 1 are written once, in conform_common.c,
 * against `tal` (test allocator): a small table of functions that
 * conform_api.c fills with the process malloc family and conform_iface.c
 * with an hb_alloc instance.  Each program runs one rule for one allocator
 * and exits 0, or prints one line "FAIL alloc.<allocator>.<rule>: ..." and
 * exits 1.
 *
 * Invariant of every helper here: it never allocates.  Messages go through
 * a static buffer and write(2), bookkeeping lives in static arrays, RSS is
 * read with open/read, so the allocator under test only ever sees the calls
 * a rule makes on purpose.
 *
 * Record items (behaviours the standard leaves open, or where an allocator
 * is known to diverge) compare what was observed with an expectation table:
 * `tal_expect`, one per allocator.  A mismatch fails loudly (a library
 * version changed); a match that differs from the reference behaviour prints
 * "recorded: <allocator> <item>: <behaviour>", so divergences show in the
 * test log and are never skipped silently.
 */
#ifndef HB_TESTUTIL_H
#define HB_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- messages and failure --------------------------------------------------- */

/* Set by main(): test name parts, and the PRNG seed of the rule (0: none). */
extern const char *tu_alloc_name;
extern const char *tu_case_name;
extern uint64_t tu_seed;

/* Prints "FAIL alloc.<a>.<c>: <message> [seed 0x..]" on stderr and exits 1
 * (with _exit: safe in forked children and threads). */
__attribute__((format(printf, 1, 2), noreturn)) void tu_fail(const char *fmt, ...);
/* Prints one line "<message>" on stdout. */
__attribute__((format(printf, 1, 2))) void tu_note(const char *fmt, ...);

#define TU_CHECK(cond, ...)                                                                                \
    do {                                                                                                   \
        if (!(cond))                                                                                       \
            tu_fail(__VA_ARGS__);                                                                          \
    } while (0)

/* "ENOMEM", "EINVAL", "0", or the number. */
const char *tu_errname(int e);

/* A record item: prints "observed: <alloc> <item>: <observed>"; fails when it
 * differs from `expected` (the allocator's table entry); prints "recorded:
 * <alloc> <item>: <observed> (reference: <reference>)" when the table entry
 * differs from the reference behaviour.  `expected` TU_ANY records what the
 * allocator does and never fails (behaviours the standards leave open, for a
 * library heapbench has never seen). */
#define TU_ANY "*"
void tu_record(const char *item, const char *observed, const char *expected, const char *reference);
/* Set when the expectation table is the standards' reference (a library
 * given by path): a mismatch is then a departure from POSIX or C, not a
 * changed library version. */
extern int tu_reference_table;

/* ---- values the compiler must not see through ------------------------------- */
static inline size_t tu_opaque(size_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}
static inline void *tu_opaque_ptr(void *p)
{
    __asm__ volatile("" : "+r"(p) : : "memory");
    return p;
}

/* ---- PRNG: splitmix64, fixed seeds, printed on failure ----------------------- */
typedef struct tu_rng {
    uint64_t s;
} tu_rng;
static inline uint64_t tu_next(tu_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static inline size_t tu_below(tu_rng *r, size_t n) { return (size_t)(tu_next(r) % n); }
static inline size_t tu_range(tu_rng *r, size_t lo, size_t hi) { return lo + tu_below(r, hi - lo + 1); }

/* ---- block patterns ---------------------------------------------------------- */
/* A key from a block's address and size: two live blocks never share one. */
static inline uint64_t tu_key(const void *p, size_t n)
{
    uint64_t k = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL ^ (uint64_t)n * 0xc2b2ae3d27d4eb4fULL;
    return k ^ (k >> 29);
}
/* Fills n bytes with the pattern of `key`; tu_verify returns the offset of
 * the first byte that differs, or SIZE_MAX. */
void tu_fill(void *p, size_t n, uint64_t key);
size_t tu_verify(const void *p, size_t n, uint64_t key);
/* Offset of the first nonzero byte, or SIZE_MAX. */
size_t tu_nonzero(const void *p, size_t n);

/* ---- process ------------------------------------------------------------------ */
size_t tu_rss(void);        /* resident set in bytes, from /proc/self/statm */
double tu_now(void);        /* monotonic seconds */
void tu_sleep_ms(unsigned ms);
size_t tu_page(void);

/* ---- the allocator under test --------------------------------------------- */
enum {
    TAL_REUSES = 1u << 0,      /* free makes memory reusable (bump: no) */
    TAL_THREAD_SAFE = 1u << 1, /* callable from several threads */
    TAL_USABLE = 1u << 2,      /* usable() reports real block sizes */
    TAL_IFACE = 1u << 3,       /* reached through hb_alloc (else the malloc API) */
};

/* Expected outcomes of the record items, per allocator (strings, so the
 * observed value and the table print and compare the same way). */
typedef struct tal_expect {
    const char *name;
    const char *malloc0;         /* malloc(0): "non-NULL" or "NULL" */
    const char *malloc_huge;     /* errno after malloc(SIZE_MAX) and malloc(PTRDIFF_MAX + 1) */
    const char *calloc_overflow; /* errno after calloc whose product overflows */
    const char *realloc_fail;    /* errno after realloc(p, huge) failed */
    const char *realloc_zero;    /* realloc(p, 0): "frees, returns NULL" or "returns a block" */
    const char *large_return;    /* freed 64 MiB block: "returned to the OS" or "kept" */
    size_t align8_upto;          /* malloc(n) for n <= this is only 8-byte aligned (0: 16 at every size) */
    const char *misaligned;      /* aligned allocations "align/size" that come back misaligned, or "none" */
    /* malloc API only (conform_api.c) */
    const char *reallocarray_overflow; /* errno */
    const char *posix_memalign0;       /* posix_memalign(&p, 16, 0): "non-NULL" or "NULL" */
    const char *aligned_alloc_bad;     /* outcomes for alignments 0, 3, 24, 0x300, SIZE_MAX */
    const char *memalign_bad;          /* memalign(SIZE_MAX, 10) outcome */
    const char *missing;               /* family functions the allocator does not export */
} tal_expect;

typedef struct tal {
    const char *name;
    unsigned flags;                                /* TAL_* */
    void *(*malloc)(size_t n);
    void *(*calloc)(size_t c, size_t n);
    void *(*realloc)(void *p, size_t old, size_t n); /* n == 0: see expect->realloc_zero */
    void *(*aligned)(size_t align, size_t n);        /* NULL with errno on failure */
    void (*free)(void *p, size_t n);
    size_t (*usable)(const void *p);                 /* 0: unknown */
    int (*check)(char *msg, size_t len);             /* NULL: none */
    const tal_expect *expect;
} tal;

/* ---- the shared rules (conform_common.c) ------------------------------------ */
typedef struct tu_case {
    const char *name;
    void (*run)(const tal *t);
} tu_case;

/* NULL-terminated table of the rules both programs run. */
extern const tu_case tu_common_cases[];
/* Alignment malloc(n) must have for this allocator: alignof(max_align_t),
 * or 8 for small sizes where the table records that the allocator gives 8
 * (C allows it: no object of that size needs more). */
size_t tu_need_align(const tal *t, size_t n);
/* Whether `word` is one of the space-separated words of `list`. */
int tu_listed(const char *list, const char *word);
/* Errno profile: the errno name when all k are equal, else "label:name ...". */
const char *tu_errno_profile(const char *const *labels, const int *errnos, size_t k, char *buf, size_t len);

/* Finds a case by name in a NULL-terminated table, or NULL. */
const tu_case *tu_find_case(const tu_case *table, const char *name);
/* Runs the allocator's check(), failing with its message; `when` names the moment. */
void tu_check(const tal *t, const char *when);

#endif
