/*
 * workload.h: the workload interface of heapbench, and its registry.
 *
 * A workload is one `const struct hb_workload_ops`: name, summary, where it
 * comes from (a seed slide or a public benchmark), flags, a parameter table
 * and run().  run() gets everything through an hb_workload_env: the
 * allocator instance to allocate through (the harness may have stacked its
 * counting and latency wrappers over it), the collector for collector
 * workloads, the thread count, a seed and the parameter values.  It must be
 * deterministic for a given seed and parameters, and its checksum must not
 * depend on the allocator or the collector: the harness compares checksums
 * across allocators, so a broken allocator is caught by the benchmark.
 *
 * Workloads never print, never exit and never call malloc for the data they
 * measure: everything goes through env->alloc (or env->gc).  Bookkeeping that
 * is not part of the measured behaviour may use hb_wl_scratch_* (mmap'd),
 * never the allocator under test.
 */
#ifndef HB_WORKLOAD_H
#define HB_WORKLOAD_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hb_gc; /* collectors/collector.h */

enum {
    HB_WL_ALLOCATOR = 1u << 0, /* runs on an allocator alone (env->gc is NULL) */
    HB_WL_COLLECTOR = 1u << 1, /* needs a collector (env->gc is set) */
    HB_WL_THREADED = 1u << 2,  /* honours env->threads */
    HB_WL_PROGRAM = 1u << 3,   /* a real program (harness/programs.c): run == NULL */
    HB_WL_FIELD = 1u << 4,     /* a field workload: models a public report (field.h); gc-study --field */
};

/* A parameter: an integer in [min, max], or, when `choices` is set, one of
 * those words (its value is the index of the word). */
typedef struct hb_param_def {
    const char *name;
    long long def;
    long long min, max;
    const char *const *choices; /* NULL-terminated, or NULL for integers */
    const char *help;
} hb_param_def;

#define HB_MAX_PARAMS 8
#define HB_WL_MAX_PHASES 16

/* Figures a workload publishes while it runs.  The harness's timeline
 * sampler (another thread) reads them every few milliseconds, and the child
 * turns them into columns when run() returns (gc_trash_*, the soak figures).
 *
 * Trash: objects the workload has made unreachable and whose freeing it has
 * not yet been told of.  A field workload counts each structure it drops
 * (hb_wl_trash_drop) and learns of each one's freeing through a finalizer or
 * a weak-reference callback (hb_wl_trash_freed), so the figure is exact at
 * every moment, not sampled.  trash_max and the time integral (for the mean)
 * are kept at each change under the lock, so a sampler cannot miss a peak.
 *
 * Phases: a workload with phases (ops->phases) announces each one with
 * hb_wl_phase; the start of each is kept (phase_ns, CLOCK_MONOTONIC) for the
 * timeline and for figures measured over a phase.
 *
 * live_bytes: the workload's own exact count of the bytes it holds, for
 * workloads that know it (the soaks), or -1. */
typedef struct hb_wl_gauges {
    _Atomic int64_t trash_objects, trash_bytes;
    _Atomic int64_t live_bytes;
    _Atomic int phase; /* index into ops->phases; -1 before the first */
    /* below: written under `lock` only */
    int lock; /* a spin lock (hb_wl_gauge_lock) */
    int64_t trash_max, trash_bytes_max;
    uint64_t trash_drops, trash_frees; /* structures dropped, and freed */
    double trash_integral;             /* object-nanoseconds */
    uint64_t t_start, t_last;          /* CLOCK_MONOTONIC ns */
    uint64_t phase_ns[HB_WL_MAX_PHASES]; /* start of each phase, 0 if never entered */
} hb_wl_gauges;

typedef struct hb_workload_env {
    const hb_alloc *alloc; /* allocate through this */
    struct hb_gc *gc;      /* collector workloads only */
    int threads;           /* >= 1 */
    double scale;          /* 1.0 = the catalogue's default size */
    uint64_t seed;
    long long params[HB_MAX_PARAMS]; /* in the order of the ops' table */
    hb_wl_gauges *gauges;            /* never NULL under the harness; may be NULL elsewhere */
} hb_workload_env;

/* run() returns one of these. */
enum {
    HB_WL_OK = 0,
    HB_WL_OOM = 1,   /* an allocation failed: the harness reports status oom */
    HB_WL_WRONG = 2, /* the workload's own verification failed (corrupt data) */
    HB_WL_ERROR = 3, /* anything else (thread creation failed ...): message in result */
};

typedef struct hb_workload_result {
    uint64_t checksum; /* what it computed; allocator- and collector-independent */
    uint64_t ops;      /* allocation requests made (malloc/calloc/realloc/aligned or object creations) */
    char message[160]; /* why, when run() did not return HB_WL_OK */
} hb_workload_result;

typedef struct hb_workload_ops {
    const char *name;
    const char *summary;
    const char *origin; /* "seed M3, M4, N" or "Larson & Krishnan (mimalloc-bench larsonN)" */
    unsigned flags;     /* HB_WL_* */
    const hb_param_def *params;
    size_t nparams;
    int (*run)(const hb_workload_env *env, hb_workload_result *out);
    /* Names of the workload's phases, in order, NULL-terminated (at most
     * HB_WL_MAX_PHASES), or NULL for a workload without phases. */
    const char *const *phases;
} hb_workload_ops;

/* ---- registry (registry.c) ------------------------------------------------- */
size_t hb_workload_count(void);
const hb_workload_ops *hb_workload_at(size_t i);
const hb_workload_ops *hb_workload_find(const char *name);
const char *hb_workload_names(char *buf, size_t len);
/* Index of parameter `name` in w's table, or -1. */
int hb_workload_param_index(const hb_workload_ops *w, const char *name);
/* Parses `value` for parameter i (integer in range, or one of the choices).
 * 0, or -1 with a message naming the valid values. */
int hb_workload_param_parse(const hb_workload_ops *w, int i, const char *value, long long *out, char *msg,
                            size_t len);
/* Fills env->params with the defaults. */
void hb_workload_defaults(const hb_workload_ops *w, hb_workload_env *env);

/* ---- helpers for workloads (util.c) ---------------------------------------- */

/* splitmix64 seeding, xoshiro256** generator: fast, deterministic, per thread. */
typedef struct hb_rng {
    uint64_t s[4];
} hb_rng;
void hb_rng_seed(hb_rng *r, uint64_t seed);
static inline uint64_t hb_rng_next(hb_rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}
/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; bias negligible for n << 2^64). */
static inline uint64_t hb_rng_below(hb_rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)hb_rng_next(r) * n) >> 64);
}

/* Mixes v into a running checksum (order-dependent, FNV-1a over 64-bit words). */
static inline uint64_t hb_mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x100000001b3ULL;
    return h ^ (h >> 29);
}
#define HB_CHECKSUM_INIT 0xcbf29ce484222325ULL

/* mmap'd scratch memory for bookkeeping that is not measured; zeroed.
 * NULL on failure. */
void *hb_wl_scratch_alloc(size_t bytes);
void hb_wl_scratch_free(void *p, size_t bytes);

/* Worker threads of the threaded workloads: each worker struct begins with
 * an hb_wl_thread, which its thread fills (hash starts as set by the
 * caller, rc as HB_WL_OK). */
typedef struct hb_wl_thread {
    uint64_t hash, ops;
    int rc;
} hb_wl_thread;
/* Runs fn on each of the n workers at `workers` (`stride` bytes apart),
 * joins every thread started, folds each started worker's hash into *hash
 * (hb_mix, in worker order) and adds its ops to *ops.  Returns HB_WL_OK;
 * HB_WL_ERROR or HB_WL_OOM (message set) when a thread could not be
 * created, those after it not run; or the rc of the first worker that
 * failed, its index in *failed (else -1), the message left to the
 * caller. */
int hb_wl_threads(void *(*fn)(void *), void *workers, size_t stride, int n, uint64_t *hash,
                  uint64_t *ops, int *failed, hb_workload_result *out);

/* ---- gauges (util.c): every function accepts g == NULL and does nothing ---- */
/* Zeroes g and starts its clock (the harness, before run()). */
void hb_wl_gauges_init(hb_wl_gauges *g);
/* `objects` objects of `bytes` bytes in all became unreachable (one
 * structure: a cycle, a list). */
void hb_wl_trash_drop(hb_wl_gauges *g, int64_t objects, int64_t bytes);
/* A dropped structure of `objects` objects and `bytes` bytes was freed. */
void hb_wl_trash_freed(hb_wl_gauges *g, int64_t objects, int64_t bytes);
/* Time-weighted mean of trash_objects from hb_wl_gauges_init to now. */
double hb_wl_trash_mean(hb_wl_gauges *g);
/* Enters phase i (an index into ops->phases). */
void hb_wl_phase(hb_wl_gauges *g, int i);
/* Sets (or moves by delta) the workload's exact live bytes. */
void hb_wl_live_set(hb_wl_gauges *g, int64_t bytes);
void hb_wl_live_add(hb_wl_gauges *g, int64_t delta);

/* Scales a default count by env->scale, at least `min`. */
long long hb_wl_scaled(const hb_workload_env *env, long long dflt, long long min);

#ifdef __cplusplus
}
#endif
#endif
