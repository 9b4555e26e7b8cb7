/*
 * gctest.h: shared helpers of the collector conformance tests.
 *
 * Every test program takes `<collector> <case>` and runs one case against
 * one collector: it exits 0 on success, or prints one line
 * "FAIL gc.<collector>.<case>: <where>: <what>" and exits 1.  A behaviour a
 * collector has by design instead of the rule (refcount leaks cycles, boehm
 * has no free hook...) is asserted, and printed as a "recorded: <collector>
 * <behaviour>" line, never skipped.
 *
 * The helpers open the collector over libc wrapped in the counting wrapper
 * (live bytes = live objects), give every test object an id in its raw
 * bytes, and observe frees through the free hook (where the collector has
 * one).  They never allocate through the allocator under test: their own
 * tables come from the process malloc.
 */
#ifndef HB_GCTEST_H
#define HB_GCTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocator.h"
#include "collector.h"

/* ---- the instance under test ------------------------------------------- */

typedef struct tc_state {
    const char *collector; /* argv[1] */
    const char *casename;  /* argv[2] */
    const char *prefix;    /* "gc" or "seed" */
    hb_alloc base;         /* libc */
    hb_alloc counting;     /* counting wrapper over base: what the gc uses */
    hb_gc *gc;
    unsigned caps;          /* hb_gc_ops(gc)->caps */
    bool have_hook;         /* hb_gc_set_free_hook worked */
    size_t baseline_live;   /* counting live bytes right after open */
    char context[160];      /* printed with a failure (e.g. the PRNG seed) */
    bool closing;           /* inside hb_gc_close */
    size_t close_hook_calls, close_finalizer_calls; /* seen inside hb_gc_close */
} tc_state;
extern tc_state T;

/* Shorthands for capabilities. */
#define TC_HAS(cap) ((T.caps & (cap)) != 0)

/* One case of a test program. */
typedef struct tc_case {
    const char *name;
    void (*run)(hb_gc *gc);
} tc_case;

/* Runs argv[2] of `cases` for collector argv[1] ("gc" prefix for names),
 * closes everything, checks that live bytes returned to the baseline after
 * hb_gc_close, and returns the exit status.  `--list` prints the names. */
int tc_main(int argc, char **argv, const char *prefix, const tc_case *cases, size_t ncases);

/* Opens / closes the instance (tc_main does it around every case; a case
 * may reopen, e.g. in another thread). */
void tc_open(const char *collector);
void tc_close(void);

/* ---- failure and reporting ----------------------------------------------- */

#if defined(__GNUC__)
#define TC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TC_PRINTF(a, b)
#endif

_Noreturn void tc_fail(const char *file, int line, const char *fmt, ...) TC_PRINTF(3, 4);
void tc_recorded(const char *fmt, ...) TC_PRINTF(1, 2);
void tc_note(const char *fmt, ...) TC_PRINTF(1, 2);

#define TC_FAIL(...) tc_fail(__FILE__, __LINE__, __VA_ARGS__)
/* TC_ASSERT(cond, fmt, ...): the format is required. */
#define TC_ASSERT(cond, ...)                                                      \
    do {                                                                          \
        if (!(cond))                                                              \
            tc_fail_cond(__FILE__, __LINE__, #cond, __VA_ARGS__);                 \
    } while (0)
_Noreturn void tc_fail_cond(const char *file, int line, const char *cond, const char *fmt, ...)
    TC_PRINTF(4, 5);
#define TC_EQ(a, b)                                                               \
    do {                                                                          \
        long long tc_a_ = (long long)(a), tc_b_ = (long long)(b);                 \
        if (tc_a_ != tc_b_)                                                       \
            tc_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a,    \
                    tc_a_, #b, tc_b_);                                            \
    } while (0)

/* hb_gc_check, failing the test with its message. */
#define TC_CHECK() tc_check_at(__FILE__, __LINE__)
void tc_check_at(const char *file, int line);
/* hb_gc_collect(gen) followed by hb_gc_check; returns the collect result. */
#define TC_COLLECT(gen) tc_collect_at(__FILE__, __LINE__, (gen))
long tc_collect_at(const char *file, int line, int gen);

/* ---- test objects ----------------------------------------------------------- */

/* Every test object carries 16 raw bytes: a magic and its id. */
#define TC_MAGIC 0x6863746573746f62ull
#define TC_NBYTES 16u

extern const hb_type tc_plain;   /* no finalizer */
extern const hb_type tc_fin;     /* tp_finalize: counted and logged */
extern const hb_type tc_legacy;  /* tp_del: counted and logged */
extern const hb_type tc_trav;    /* a traverse function of its own, no finalizer */
extern const hb_type tc_travfin; /* own traverse and tp_finalize */
bool tc_is_test_type(const hb_type *t);

/* A new object with a fresh id (returned in *id when non-NULL). */
hb_handle tc_new(hb_gc *gc, const hb_type *type, uint32_t nslots, uint64_t *id);
/* Same, with a chosen id (must not have been used). */
hb_handle tc_new_id(hb_gc *gc, const hb_type *type, uint32_t nslots, uint64_t id);
/* The id of a test object (fails the test when the magic is wrong). */
uint64_t tc_id(hb_obj *o);
/* Next id tc_new will give. */
uint64_t tc_next_id(void);
/* Size of a test object's block. */
static inline size_t tc_size(uint32_t nslots) { return hb_obj_size(nslots, TC_NBYTES); }

/* Per-id observations (indexed by id; grow on demand). */
unsigned tc_freed(uint64_t id);     /* times the free hook saw it (0 or 1) */
unsigned tc_finalized(uint64_t id); /* tp_finalize calls */
unsigned tc_deleted(uint64_t id);   /* tp_del calls */
size_t tc_freed_total(void);        /* test objects freed so far */
size_t tc_finalized_total(void);
size_t tc_deleted_total(void);
size_t tc_weakrefs_freed(void);     /* weak reference objects freed */

/* Called from tp_finalize of tc_fin / tc_travfin after counting and logging
 * (resurrection tests set it); NULL by default. */
extern void (*tc_on_finalize)(hb_gc *gc, hb_obj *self);
/* Called from tp_del of tc_legacy after counting; NULL by default. */
extern void (*tc_on_del)(hb_gc *gc, hb_obj *self);
/* Called from the free hook for test objects after counting; NULL default. */
extern void (*tc_on_free)(hb_gc *gc, hb_obj *o);

/* Event log: 'F' finalize, 'D' tp_del, 'X' freed, 'W' weak callback, 'M'
 * a mark put by the test.  Entries are (kind, id). */
typedef struct tc_event {
    char kind;
    uint64_t id;
} tc_event;
void tc_log(char kind, uint64_t id);
size_t tc_log_len(void);
tc_event tc_log_at(size_t i);
void tc_log_clear(void);
/* Index of the first event (kind, id) at or after `from`, or (size_t)-1. */
size_t tc_log_find(char kind, uint64_t id, size_t from);

/* ---- counting wrapper ------------------------------------------------------- */

/* Live requested bytes through the collector's allocator. */
size_t tc_live_bytes(void);
size_t tc_peak_bytes(void);
void tc_reset_peak(void);

/* ---- stats ------------------------------------------------------------------- */
hb_gc_stats tc_stats(void);

/* ---- PRNG (splitmix64 / xorshift) ------------------------------------------ */
typedef struct tc_rng {
    uint64_t s;
} tc_rng;
uint64_t tc_rand(tc_rng *r);
/* Uniform in [0, n). */
uint64_t tc_below(tc_rng *r, uint64_t n);

/* ---- stack-limited runs ------------------------------------------------------ */
/* Runs fn(arg) on a new thread with a `stack_bytes` stack and waits for it. */
void tc_run_on_small_stack(size_t stack_bytes, void (*fn)(void *), void *arg);

/* A complete binary tree of `depth` in the current scope, its edges stored
 * children first or parent first; returns the root.  And the number of
 * tracked objects (hb_gc_is_tracked) in the tree under o. */
hb_obj *tc_tree(hb_gc *gc, int depth, bool parent_first);
size_t tc_count_tracked(hb_gc *gc, const hb_obj *o);

#endif
