/*
 * allocator.h: the allocator interface of heapbench, and its registry.
 *
 * An allocator plug-in is one `const struct hb_allocator_ops` (name, summary,
 * capability flags and function pointers that take a context pointer first),
 * listed in the static table of registry.c.  An instance is an `hb_alloc`:
 * the ops plus the context that create() returned.  Wrappers (counting,
 * failing) are instances whose context holds another instance.
 *
 * Sizes travel with the calls, as in Lua's allocator hook: free() and
 * realloc() take the size the caller asked for when the block was made, or 0
 * when the caller does not know it.  Plug-ins that track sizes themselves
 * ignore it; the counting wrapper needs it (see hb_counting_wrap).
 *
 * Contract for every plug-in (the conformance suite asserts it):
 *  - malloc(0) returns a unique pointer that can be freed;
 *  - failure returns NULL and sets errno to ENOMEM, never exits;
 *  - every pointer is aligned to alignof(max_align_t);
 *  - aligned(align, n) takes a power of two >= sizeof(void *); anything else
 *    gives NULL with errno EINVAL;
 *  - free(NULL) does nothing and free never changes errno;
 *  - realloc(NULL, 0, n) is malloc(n); realloc(p, old, 0) frees p and returns
 *    NULL (glibc's behaviour); a failed realloc leaves p valid and intact.
 * Plug-ins never print and never exit: errors are return values, and the
 * harness alone turns them into messages and exit statuses.
 */
#ifndef HB_ALLOCATOR_H
#define HB_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Capability flags. */
enum {
    HB_ALLOC_THREAD_SAFE = 1u << 0, /* may be called from several threads at once */
    HB_ALLOC_USABLE_SIZE = 1u << 1, /* usable_size() reports the real block size */
    HB_ALLOC_FREES = 1u << 2,       /* free() makes the block reusable (bump: no) */
    HB_ALLOC_RETURNS_OS = 1u << 3,  /* gives freed memory back to the OS */
    HB_ALLOC_STATS = 1u << 4,       /* stats() reports mapped / in-use bytes */
    HB_ALLOC_PROCESS = 1u << 5,     /* it is the process malloc (libc or LD_PRELOAD) */
    HB_ALLOC_CHECK = 1u << 6,       /* check() walks and validates real structures */
    HB_ALLOC_WRAPPER = 1u << 7,     /* a wrapper over another instance */
    HB_ALLOC_EXTERNAL = 1u << 8,    /* a library given by path (NAME=PATH), not built in */
};

typedef struct hb_alloc_stats {
    size_t mapped;   /* bytes obtained from the OS and not yet returned (0: unknown) */
    size_t in_use;   /* bytes in live blocks, usable sizes (0: unknown) */
    size_t live;     /* live blocks (0: unknown) */
} hb_alloc_stats;

typedef struct hb_allocator_ops {
    const char *name;    /* short id: "pooled" */
    const char *summary; /* one line for `heapbench list allocators` */
    unsigned caps;       /* HB_ALLOC_* */
    /* Shared library that must be LD_PRELOADed for this allocator to serve a
     * process (external anchors and the drop-in builds of pooled and naive),
     * or NULL.  For HB_ALLOC_PROCESS plug-ins it is required for `run`; for
     * built-ins it is what `exec` preloads. */
    const char *preload;

    void *(*create)(void);       /* new instance context, or NULL (errno set) */
    void (*destroy)(void *ctx);  /* releases everything; no live block may be used after */

    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t count, size_t size);
    void *(*realloc)(void *ctx, void *p, size_t old_size, size_t new_size);
    void *(*aligned)(void *ctx, size_t align, size_t size);
    void (*free)(void *ctx, void *p, size_t size);
    size_t (*usable_size)(void *ctx, const void *p); /* 0 for NULL or when unknown */
    int (*stats)(void *ctx, hb_alloc_stats *out);    /* 0, or -1 when it has none */
    /* Walks the allocator's structures and validates every invariant.  0 when
     * valid; -1 with a description in msg otherwise.  Not thread-safe: call
     * it while no other thread uses the instance. */
    int (*check)(void *ctx, char *msg, size_t msglen);
    /* For HB_ALLOC_PROCESS plug-ins: 0 when this allocator really serves
     * malloc in the current process, -1 with a reason in msg otherwise.
     * NULL for in-process plug-ins (always live). */
    int (*verify)(char *msg, size_t msglen);
} hb_allocator_ops;

/* An instance: the ops and the context they act on. */
typedef struct hb_alloc {
    const hb_allocator_ops *ops;
    void *ctx;
} hb_alloc;

static inline void *hb_malloc(const hb_alloc *a, size_t n) { return a->ops->malloc(a->ctx, n); }
static inline void *hb_calloc(const hb_alloc *a, size_t c, size_t n) { return a->ops->calloc(a->ctx, c, n); }
static inline void *hb_realloc(const hb_alloc *a, void *p, size_t o, size_t n) { return a->ops->realloc(a->ctx, p, o, n); }
static inline void *hb_aligned(const hb_alloc *a, size_t al, size_t n) { return a->ops->aligned(a->ctx, al, n); }
static inline void hb_free(const hb_alloc *a, void *p, size_t n) { a->ops->free(a->ctx, p, n); }
static inline size_t hb_usable_size(const hb_alloc *a, const void *p) { return a->ops->usable_size(a->ctx, p); }

/* ---- registry (registry.c) ---------------------------------------------- */

/* Number of plug-ins built into this binary, and the i-th of them. */
size_t hb_allocator_count(void);
const hb_allocator_ops *hb_allocator_at(size_t i);
/* The plug-in with that name (or the library resolved under that name by
 * hb_allocator_resolve), or NULL. */
const hb_allocator_ops *hb_allocator_find(const char *name);
/* "libc, naive, pooled, ..." into buf (for error messages). */
const char *hb_allocator_names(char *buf, size_t len);

/* ---- libraries given by path (external.c) -------------------------------- */

/* Resolves one allocator as a user names it: a registered name; NAME=PATH,
 * PATH a shared library that defines the malloc family; or a bare PATH
 * (containing '/' or ending in .so or .so.N), named after its file
 * (./libfoo.so.2 is `foo`).  A bare path to the very file a registered
 * anchor preloads is that anchor.  A library is checked on disk here: it
 * exists, is an ELF shared object for this machine, and defines malloc, free,
 * calloc and realloc in its own dynamic symbol table; NAME is a short
 * identifier that no registered allocator has.  Returns the ops (externals
 * stay registered for the life of the process, so hb_allocator_find finds
 * them by NAME), or NULL with one line in msg.  Resolving the same NAME=PATH
 * twice returns the same ops; the same NAME for another file is refused. */
const hb_allocator_ops *hb_allocator_resolve(const char *spec, char *msg, size_t msglen);

/* What makes a child process run `a` again: its name, or NAME=PATH for an
 * external library. */
const char *hb_allocator_spec(const hb_allocator_ops *a, char *buf, size_t len);

/* The malloc-family functions an external library leaves to glibc
 * ("aligned_alloc, pvalloc"), or "" when it defines them all (and for
 * registered allocators). */
const char *hb_allocator_missing(const hb_allocator_ops *a);

/* The library that serves malloc when `a` runs as the process allocator (an
 * external's PATH, an anchor's or a drop-in's preload, glibc's libc.so for
 * libc; "" for bump, which has none), and the SHA-256 of its contents in hex
 * ("" when it cannot be read).  Computed once per allocator. */
const char *hb_allocator_path(const hb_allocator_ops *a);
const char *hb_allocator_sha256(const hb_allocator_ops *a);
/* SHA-256 of a file's contents, in hex, into out; "" when it cannot be read. */
void hb_file_sha256(const char *path, char out[65]);

/* 0 when malloc, free, calloc and realloc of this process all resolve into
 * the library at `path` (the same file: device and inode), -1 with a reason
 * naming the first that does not (process.c: it needs nothing but libdl). */
int hb_verify_library(const char *name, const char *path, char *msg, size_t msglen);

/* Opens an instance of `name`.  0 on success; -1 with a message when the name
 * is unknown or create() failed.  For HB_ALLOC_PROCESS plug-ins it also runs
 * verify(), so an instance is only ever opened on the allocator asked for. */
int hb_alloc_open(hb_alloc *a, const char *name, char *msg, size_t msglen);
void hb_alloc_close(hb_alloc *a); /* also closes wrappers, not their inner instance */

/* 0 when allocator `name` really serves malloc in this process: a process
 * allocator (libc, or a preloaded anchor), or the drop-in library of a
 * built-in one (pooled, naive), or NAME=PATH (hb_allocator_spec): the library
 * at PATH; -1 with the reason otherwise.  Used inside programs run by
 * `heapbench exec`, so it needs nothing but this file. */
int hb_verify_allocator(const char *name, char *msg, size_t msglen);

/* ---- wrappers (counting.c, failing.c) ------------------------------------ */

/* Live and peak requested bytes, like tracemalloc's current/peak.  Counts
 * the size asked for at malloc/calloc/realloc/aligned; frees subtract the
 * size given to free()/realloc(), which must therefore be the size asked
 * for (0 is taken as unknown and, unless HB_COUNT_TRACK is given, makes the
 * counts wrong: callers that cannot pass sizes ask for tracking, which keeps a
 * pointer->size side table outside the inner allocator).  Thread-safe when
 * the inner instance is. */
enum {
    HB_COUNT_TRACK = 1u << 0, /* keep a pointer->size table: frees may pass size 0 */
    HB_COUNT_FRAG = 1u << 1,  /* ask the inner usable_size of every block (internal fragmentation) */
};
typedef struct hb_count_stats {
    size_t live_bytes, peak_bytes; /* requested bytes now live, and their maximum */
    size_t live_blocks, peak_blocks;
    size_t total_allocs, total_frees; /* allocation and free requests */
    size_t total_bytes;               /* requested bytes over the whole run */
    size_t usable_slack;              /* sum(usable - requested) of allocations whose usable size is known */
    size_t usable_requested;          /* sum(requested) of those same allocations */
} hb_count_stats;
int hb_counting_wrap(hb_alloc *out, const hb_alloc *inner, unsigned flags);
void hb_counting_get(const hb_alloc *counting, hb_count_stats *out);
void hb_counting_reset_peak(const hb_alloc *counting);

/* Fails allocation request number `nth` (1-based, counting every malloc,
 * calloc, realloc and aligned call) with NULL and ENOMEM; with `every`
 * nonzero it also fails each `every`-th request after that.  0 disables. */
int hb_failing_wrap(hb_alloc *out, const hb_alloc *inner, unsigned long nth, unsigned long every);
void hb_failing_set(const hb_alloc *failing, unsigned long nth, unsigned long every);
unsigned long hb_failing_count(const hb_alloc *failing); /* requests seen */

/* hb_alloc_close() closes a wrapper too; its inner instance stays open. */

#ifdef __cplusplus
}
#endif
#endif
