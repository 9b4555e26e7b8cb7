/*
 * collector.h: the object model and collector interface of heapbench, and
 * the collector registry.  The one public header of collectors/.
 *
 * The model is Python's: every object has a header (reference count, type,
 * collector links, flags), `nslots` pointer slots and `nbytes` raw bytes.  C
 * code holds objects through *handles* kept in *scopes* on a shadow stack;
 * heap edges change only through the setter hb_set().  The same workload
 * source therefore runs unchanged under every collector:
 *
 *   refcount      a handle and a slot each hold one reference; an object is
 *                 freed when its count reaches zero; cycles leak (by design).
 *   generational  refcount plus CPython's three-generation cycle detector.
 *   incremental   refcount plus CPython 3.14's incremental cycle detector:
 *                 a young generation and an old one scanned in increments
 *                 (incremental-3.14: the same with 3.14.0-3.14.4's settings).
 *   gen-inc       refcount plus a generational and incremental detector
 *                 (PEP 848): a young space bounded in bytes, young
 *                 collections alternating with increments of the old one.
 *   marksweep     pure tracing: the handles are the roots; hb_set is a store.
 *   boehm         libgc (conservative tracing); it owns its heap.
 *
 *   hb_gc *gc;
 *   if (hb_gc_open(&gc, "generational", &alloc, msg, sizeof msg) != 0) ...
 *   hb_scope s = hb_scope_enter(gc);
 *   hb_handle a = hb_new(gc, &node_type, 2, 8);     // 2 slots, 8 raw bytes
 *   hb_handle b = hb_new(gc, &node_type, 2, 8);
 *   hb_set(gc, hb_get(gc, a), 0, hb_get(gc, b));     // a.slot0 = b
 *   hb_set(gc, hb_get(gc, b), 0, hb_get(gc, a));     // b.slot0 = a: a cycle
 *   hb_scope_leave(gc, s);                           // drops a and b
 *   long n = hb_gc_collect(gc, HB_GC_FULL);          // 2 (0 under refcount)
 *   hb_gc_close(gc);
 *
 * Raw pointers (hb_obj *) are borrowed: none of the collectors moves
 * objects, so a pointer stays valid while its object is kept alive by a
 * handle or by a path from a handle, and (under reference counting) while
 * no hb_set/hb_handle_set/hb_scope_leave drops its last reference.  Hold an
 * object across anything that can allocate or collect by pushing it
 * (hb_push).
 *
 * Memory: objects are allocated through the hb_alloc given to hb_gc_open
 * (boehm excepted), with the object's size passed back to free, so the
 * counting wrapper sees exactly the live objects.  Collector metadata
 * (shadow stack, mark stacks, tables, pause log) comes from the process
 * malloc, so that live bytes measure objects only.
 *
 * Errors: functions return negative errno values (-EINVAL, -ENOMEM,
 * -ENOTSUP) or NULL / HB_NO_HANDLE with errno set.  -ENOTSUP marks an
 * operation a collector does not have; it is documented behaviour, listed
 * per function.  Plug-ins never print and never exit.
 *
 * Threads: an instance is used by one thread at a time, not necessarily the
 * one that opened it (boehm registers each new thread with libgc on its
 * first call and unregisters it when the thread exits).
 */
#ifndef HB_COLLECTOR_H
#define HB_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hb_gc hb_gc;
typedef struct hb_obj hb_obj;
typedef struct hb_type hb_type;

/* ---- objects ---------------------------------------------------------------- */

/* Doubly-linked list links; the first member of every object. */
typedef struct hb_link {
    struct hb_link *next, *prev;
} hb_link;

/*
 * An object: 48-byte header, then `nslots` pointer slots, then `nbytes` raw
 * bytes (zeroed at creation; 8-byte aligned).  Allocated as one block of
 * hb_obj_size(nslots, nbytes) bytes.
 *
 * Invariants (checked by hb_gc_check):
 *  - link: refcount and generational: the object is on exactly one list: a
 *    generation list (0, 1, 2), the permanent (frozen) list, or, only while
 *    a collection runs, one of that collection's private lists; the list it
 *    is on is recorded in the flags (HB_OF_GEN_MASK) outside a collection.
 *    generational also has the untracked list (HB_OF_UNTRACKED, gen bits
 *    2): see hb_gc_is_tracked.  incremental: young (gen bits 0), the old
 *    generation's two spaces (gen bits 1 and 2), permanent (3), the
 *    untracked objects of either space (HB_OF_UNTRACKED, gen bits 2 and 3)
 *    and the gray list (HB_OF_GRAY): see incremental.c.
 *    marksweep: on the all-objects list.  none: on its all-objects list.
 *    boehm: unused (NULL).
 *  - refcnt: refcount and generational: the number of handles, slots and
 *    collector-held references (garbage list, callbacks being run) to the
 *    object; > 0 for every live object; it reaches 0 only on the way to
 *    being freed.  Tracing collectors: always 0.
 *  - gc: flags in the low HB_OF_BITS bits, gc_refs above them.  gc_refs is
 *    0 outside a collection.  During a generational collection, for an
 *    object of the generations being collected (HB_OF_COLLECTING set) it is
 *    first a copy of refcnt, then refcnt minus the references from other
 *    objects being collected (the references from outside); reachability
 *    is then marked with HB_OF_MARK (or, in the list-based fallback, by
 *    gc_refs > 0).
 *  - HB_OF_FINALIZED: set just before tp_finalize runs and never cleared:
 *    the finalizer runs at most once per object, even if it resurrects it.
 *  - slots[] hold NULL or pointers to live objects; under reference
 *    counting each non-NULL slot holds one reference.
 */
struct hb_obj {
    hb_link link;          /* generation / all-objects list (see above) */
    intptr_t refcnt;       /* reference count (0 under tracing) */
    const hb_type *type;   /* never NULL */
    uintptr_t gc;          /* flags (low bits) and gc_refs (high bits) */
    uint32_t nslots;       /* number of pointer slots */
    uint32_t nbytes;       /* number of raw bytes after the slots */
    hb_obj *slots[];       /* nslots pointers, then nbytes raw bytes */
};

/* Flag bits of hb_obj.gc (read-only for users; for tests and check). */
enum {
    HB_OF_GEN_MASK = 3u,          /* generation 0..2; 3: permanent (frozen) */
    HB_OF_COLLECTING = 1u << 2,   /* in the set a collection is examining */
    HB_OF_UNREACHABLE = 1u << 3,  /* found unreachable (during a collection) */
    HB_OF_FINALIZED = 1u << 4,    /* tp_finalize has run (never cleared) */
    HB_OF_WEAKREFS = 1u << 5,     /* weak links to this object exist */
    HB_OF_MARK = 1u << 6,         /* marksweep: marked (during a collection) */
    HB_OF_WEAKREF = 1u << 7,      /* the object is a weak reference */
    HB_OF_PENDING = 1u << 8,      /* generational: promoted to generation 2 by a
                                     generation-1 collection since the last full
                                     one (counted in long_lived_pending) */
    HB_OF_UNTRACKED = 1u << 9,    /* generational: on the untracked list (gen
                                     bits 2): young collections skip it */
    HB_OF_UNTRACKED_ONCE = 1u << 10, /* generational, incremental: a collection
                                     untracked it once; only full collections
                                     untrack it again */
    HB_OF_GRAY = 1u << 11,        /* incremental: reached by the marker, its
                                     children not scanned yet (gray list) */
    HB_OF_BITS = 12,              /* gc_refs = gc >> HB_OF_BITS */
};

/* Visit callback for hb_type.traverse. */
typedef void (*hb_visit_fn)(hb_obj *child, void *arg);

/*
 * A type: its name, how to visit its slots, and its finalizers.  Types are
 * static constants owned by the caller and outlive every object of theirs.
 */
struct hb_type {
    const char *name;
    /* Calls visit(child, arg) once for every non-NULL slot, in any order.
     * NULL: the default, every slot, visited by the collectors' own tight
     * loops (no per-object call); a type gives its own only to model
     * CPython's tp_traverse cost.  It must report every non-NULL slot. */
    void (*traverse)(hb_obj *self, hb_visit_fn visit, void *arg);
    /* PEP 442 finalizer, or NULL.  Runs at most once per object (see
     * HB_OF_FINALIZED), when the object is about to be freed: at refcount
     * zero, or for unreachable trash, after the weak references to all of
     * that trash were cleared and before any of it is freed.  The object and
     * what it reaches are intact.  It may allocate (its handles live in a
     * scope of its own, dropped when it returns), call hb_set, collect (a
     * nested collection is a no-op returning 0), and resurrect the object by
     * storing it where it is reachable (a slot of a live object, the
     * garbage list...): a resurrected object is not freed, nor is what it
     * reaches, and its finalizer never runs again. */
    void (*tp_finalize)(hb_gc *gc, hb_obj *self);
    /* Legacy finalizer (CPython's tp_del), or NULL.  Run when the object is
     * freed by its reference count reaching zero.  An object with tp_del
     * that a collector finds unreachable (in a cycle, or any unreachable
     * one under tracing) is uncollectable: it goes to the garbage list
     * (hb_gc_garbage_*) with everything it reaches, and tp_del is not run. */
    void (*tp_del)(hb_gc *gc, hb_obj *self);
};

/* Bytes of the block holding an object with these sizes. */
static inline size_t hb_obj_size(uint32_t nslots, uint32_t nbytes)
{
    return sizeof(hb_obj) + (size_t)nslots * sizeof(hb_obj *) + nbytes;
}
static inline hb_obj *hb_slot(const hb_obj *o, uint32_t i) { return o->slots[i]; }
static inline void *hb_bytes(hb_obj *o) { return (void *)(o->slots + o->nslots); }
static inline const hb_type *hb_type_of(const hb_obj *o) { return o->type; }
static inline bool hb_is_finalized(const hb_obj *o) { return (o->gc & HB_OF_FINALIZED) != 0; }

/* The type of weak reference objects (hb_weakref_new). */
extern const hb_type hb_weakref_type;

/* ---- shadow stack: scopes and handles ------------------------------------ */

/* A handle is an index into the shadow stack; a scope is a stack height. */
typedef size_t hb_handle;
typedef size_t hb_scope;
#define HB_NO_HANDLE ((hb_handle)-1)

/* The public prefix of an instance: the shadow stack, read by hb_get. */
typedef struct hb_gc_roots {
    hb_obj **handles; /* handles[0 .. nhandles): roots / owned references */
    size_t nhandles;
    size_t cap;
} hb_gc_roots;

/* Opens a scope: returns the current stack height. */
static inline hb_scope hb_scope_enter(hb_gc *gc) { return ((hb_gc_roots *)gc)->nhandles; }
/* Drops every handle made since `s` was entered, in the order they were
 * made (as CPython clears a frame's locals), releasing each one's
 * reference under reference counting: this may free objects and run
 * finalizers. */
void hb_scope_leave(hb_gc *gc, hb_scope s);
/* hb_scope_leave, but the object of handle `keep` (made inside the scope)
 * survives in a new handle in the enclosing scope, which is returned (a
 * function's return value).  HB_NO_HANDLE on bad arguments. */
hb_handle hb_scope_leave_keep(hb_gc *gc, hb_scope s, hb_handle keep);

/* The object a handle holds (NULL allowed).  Valid until the handle is
 * dropped or reassigned. */
static inline hb_obj *hb_get(hb_gc *gc, hb_handle h) { return ((hb_gc_roots *)gc)->handles[h]; }

/*
 * A new object of `type` with nslots NULL slots and nbytes zeroed raw
 * bytes, held by a new handle in the current scope (under reference
 * counting: refcnt 1, owned by the handle).  May run a collection first
 * (generational: gen0 count over threshold 0; marksweep: allocation volume;
 * boehm: libgc's own policy).  HB_NO_HANDLE with errno ENOMEM when the
 * allocator fails even after a full collection, EINVAL for a NULL type.
 */
hb_handle hb_new(hb_gc *gc, const hb_type *type, uint32_t nslots, uint32_t nbytes);
/* A new handle on `o` (NULL allowed) in the current scope; adds a
 * reference under reference counting.  HB_NO_HANDLE with ENOMEM. */
hb_handle hb_push(hb_gc *gc, hb_obj *o);
/* Rebinds handle h to `o` (NULL allowed): "h = o" / "del h". */
void hb_handle_set(hb_gc *gc, hb_handle h, hb_obj *o);

/* The setter: o.slots[slot] = value (NULL allowed).  Reference counting:
 * adds a reference to value, then releases the old one (which may free
 * it); tracing: a store plus whatever barrier the collector needs.  The
 * only way heap edges change.  slot must be < o->nslots. */
void hb_set(hb_gc *gc, hb_obj *o, uint32_t slot, hb_obj *value);

/* The reference count of o (CPython's sys.getrefcount(o) - 1: no
 * temporary reference is added).  -ENOTSUP under tracing collectors. */
intptr_t hb_refcount(hb_gc *gc, const hb_obj *o);

/* ---- weak references ---------------------------------------------------- */

/* Weak reference callback: runs once, after the referent died and the
 * reference was cleared (hb_weakref_get gives NULL), with the weak
 * reference object itself; never when the weak reference object is part
 * of the same trash.  It may allocate and collect (nested collections are
 * no-ops). */
typedef void (*hb_weakref_cb)(hb_gc *gc, hb_obj *wr, void *arg);

/*
 * A new weak reference object to `target` (non-NULL), with an optional
 * callback and its argument, in a new handle of the current scope.  The
 * weak reference is an ordinary object (type hb_weakref_type, no slots): it
 * does not keep its target alive; it is cleared when the target dies, by
 * reference count or by collection, before any finalizer of the same trash
 * runs.  boehm: callbacks are not supported (cb must be NULL, else ENOTSUP);
 * the link is a libgc disappearing link.  HB_NO_HANDLE with errno on error.
 */
hb_handle hb_weakref_new(hb_gc *gc, hb_obj *target, hb_weakref_cb cb, void *arg);
/* The target of weak reference `wr`, or NULL once cleared.  Borrowed. */
hb_obj *hb_weakref_get(hb_gc *gc, hb_obj *wr);
/* Number of weak links (weak references and weak-value map entries) to o
 * (weakref.getweakrefcount).  -ENOTSUP under boehm. */
long hb_weakref_count(hb_gc *gc, const hb_obj *o);

/*
 * Weak-value map (WeakValueDictionary): uint64 key -> weak value.  An entry
 * disappears when its value dies (by reference count or by a collection);
 * hb_wvmap_len and iteration see the same set at any moment and stay
 * consistent while collections run: an entry whose value dies during an
 * iteration is skipped, the others are each seen once.  Insertion
 * (hb_wvmap_set of a new key) may reorganise the map and restarts an
 * iteration's guarantees, as in a dict.  Maps must be freed before their
 * collector is closed.
 */
typedef struct hb_wvmap hb_wvmap;
hb_wvmap *hb_wvmap_new(hb_gc *gc);         /* NULL with ENOMEM */
void hb_wvmap_free(hb_wvmap *m);
/* Maps key to value (non-NULL; replaces an existing entry).  0, -EINVAL,
 * -ENOMEM. */
int hb_wvmap_set(hb_wvmap *m, uint64_t key, hb_obj *value);
/* The live value for key, or NULL (absent or dead).  Borrowed. */
hb_obj *hb_wvmap_get(hb_wvmap *m, uint64_t key);
/* Removes key: 0, or -ENOENT. */
int hb_wvmap_del(hb_wvmap *m, uint64_t key);
size_t hb_wvmap_len(hb_wvmap *m);
/* Iteration: start with *cursor = 0; each call gives the next live entry
 * and returns true, or returns false at the end.  *value is borrowed. */
bool hb_wvmap_next(hb_wvmap *m, size_t *cursor, uint64_t *key, hb_obj **value);

/* ---- collection control (Python's gc module) ---------------------------- */

#define HB_GC_NGEN 3
#define HB_GC_FULL (-1) /* generation argument: the oldest */

/* Runs a collection of `generation` (0 .. generations-1, or HB_GC_FULL),
 * which also collects the younger ones and counts one collection for
 * `generation`.  Returns the number of unreachable objects found (those a
 * finalizer then resurrected included, as CPython counts them) plus the
 * uncollectable ones, like gc.collect(); 0 when called during a collection
 * (from a finalizer or callback: CPython's `collecting` guard); -EINVAL for
 * a bad generation.  Always runs, even when disabled and even for a full
 * collection the long-lived heuristic would skip.
 *   refcount: frees nothing and returns 0; it counts the objects that are
 *     unreachable from the handles (leaked cycles) into the stats' leaked_*.
 *   incremental: 0 collects the young generation only; 1 runs one
 *     increment (the young objects plus a slice of the old generation's
 *     pending space, or a step of marking), as an automatic collection
 *     does; 2 examines everything at once and starts a new cycle.
 *   marksweep: one generation: any generation means a full collection,
 *     counted as generation 0.
 *   none: frees nothing and returns 0 (not counted as a collection).
 *   boehm: GC_gcollect(); returns 0 (libgc does not count objects). */
long hb_gc_collect(hb_gc *gc, int generation);

/* Number of generations: 3 generational and incremental (young, increment,
 * full), 1 marksweep and boehm, 0 refcount and none. */
int hb_gc_generations(hb_gc *gc);

/* Automatic collection on or off (gc.enable / gc.disable / gc.isenabled).
 * refcount: accepted, it never collects anyway.  boehm: GC_enable/disable. */
void hb_gc_enable(hb_gc *gc);
void hb_gc_disable(hb_gc *gc);
bool hb_gc_isenabled(hb_gc *gc);

/* Thresholds (gc.get_threshold / set_threshold): generational: (700, 10, 10)
 * by default; t0 = 0 turns automatic collection off.  incremental: (700,
 * 10, 25): t0 new objects trigger an increment (3.14: 2000) and t1 scales
 * the slice of the old generation (heap / 10 / t1), as CPython 3.14; a cycle starts once
 * the old generation grew by t2 percent since the last one (0: back to back).  marksweep: t[0] is
 * the minimum allocation volume in bytes between collections (8 MiB), the
 * trigger being max(t0, live bytes after the last collection).  Get fills
 * t[0 .. generations); set takes n <= 3 values (the rest keep theirs).
 * 0, -EINVAL (negative value, n out of range), -ENOTSUP (refcount, boehm). */
int hb_gc_get_threshold(hb_gc *gc, long t[HB_GC_NGEN]);
int hb_gc_set_threshold(hb_gc *gc, int n, const long *t);
/* gc.get_count: generational: (allocations minus deallocations since the
 * last collection of gen 0, collections of gen 0 since the last of gen 1,
 * collections of gen 1 since the last of gen 2).  incremental: (the same
 * c[0], increments since the current cycle began, cycles completed since
 * the last full collection).  marksweep: objects
 * allocated since the last collection in c[0].  -ENOTSUP otherwise. */
int hb_gc_get_count(hb_gc *gc, long c[HB_GC_NGEN]);

/* gc.freeze / unfreeze / get_freeze_count (generational, incremental): freeze moves
 * every tracked object (and the untracked ones, which full collections
 * would visit) to the permanent generation, which no collection visits;
 * unfreeze moves them back into the oldest generation, tracked (incremental:
 * its visited space).  0 or count,
 * -ENOTSUP elsewhere. */
int hb_gc_freeze(hb_gc *gc);
int hb_gc_unfreeze(hb_gc *gc);
long hb_gc_get_freeze_count(hb_gc *gc);

/* gc.is_tracked (generational): 1 when young collections examine o, 0 when
 * it is untracked.  A collection untracks each survivor that cannot be in
 * a cycle with a tracked object as things stand: its type has no traverse
 * function, it is not a weak reference, and each of its slots is NULL or
 * holds an untracked object (CPython untracks tuples of atoms the same
 * way).  Untracked objects are not promoted and do not count towards the
 * long-lived heuristic; as our objects are mutable, storing a reference in
 * a slot of an untracked object (hb_set) tracks it again in generation 0,
 * and full collections still examine untracked objects, so that a cycle
 * made later through them is found, as exactly as without untracking.  An
 * object a collection untracked once and a store tracked again is left
 * tracked by young collections (only full ones untrack it again): a
 * growing container would otherwise be rescanned whole by every young
 * collection (CPython untracks dicts in full collections only, for the
 * same reason).  incremental: the same rules, its increments playing the
 * young collections' part (and its marker untracking what it reaches
 * whose slots hold only untracked objects); increments also take in the
 * untracked objects that a pending object reaches and the marker did not,
 * so that a cycle through them is found without a full collection.
 * -ENOTSUP for the other collectors. */
int hb_gc_is_tracked(hb_gc *gc, const hb_obj *o);

/* ---- garbage list (gc.garbage) ------------------------------------------ */
/* Uncollectable objects (see hb_type.tp_del), each held by one reference
 * (a root under tracing).  Clearing the list drops those references; a
 * cycle still uncollectable goes back at the next collection.  boehm:
 * always empty. */
size_t hb_gc_garbage_len(hb_gc *gc);
hb_obj *hb_gc_garbage_get(hb_gc *gc, size_t i); /* NULL when out of range */
void hb_gc_garbage_clear(hb_gc *gc);

/* ---- statistics ----------------------------------------------------------- */

typedef struct hb_gc_gen_stats {
    uint64_t collections;   /* collections of this generation */
    uint64_t collected;     /* unreachable objects found by them */
    uint64_t uncollectable; /* of which uncollectable (garbage list) */
} hb_gc_gen_stats;

typedef struct hb_gc_stats {
    int generations;                  /* as hb_gc_generations */
    hb_gc_gen_stats gen[HB_GC_NGEN]; /* gc.get_stats() */
    size_t live_objects;   /* objects allocated and not yet freed (boehm: 0, unknown) */
    size_t live_bytes;     /* their bytes, headers included (boehm: libgc heap in use) */
    uint64_t allocated;    /* objects allocated since open */
    uint64_t freed;        /* objects freed since open (boehm: 0, unknown) */
    size_t leaked_objects; /* refcount: objects unreachable from the handles at */
    size_t leaked_bytes;   /*   the last hb_gc_collect (leaked cycles), else 0 */
    size_t garbage;        /* hb_gc_garbage_len */
    size_t frozen;         /* objects in the permanent generation */
    uint64_t finalized;    /* tp_finalize calls */
    uint64_t weakrefs_cleared; /* weak links cleared because their referent died */
    uint64_t pauses;       /* entries in the pause log (collections timed) */
    uint64_t pause_total_ns;
    uint64_t pause_max_ns;
} hb_gc_stats;
void hb_gc_get_stats(hb_gc *gc, hb_gc_stats *out);

/* Pause log: one record per collection (CLOCK_MONOTONIC nanoseconds), from
 * the start of the collection's work to its end; callbacks excluded,
 * finalizers and weak reference callbacks run by the collection included.
 * boehm: from stop-world to start-world, as libgc reports them.  The array
 * stays valid until the next collection or hb_gc_pause_reset. */
typedef struct hb_gc_pause {
    uint64_t start_ns; /* clock_gettime(CLOCK_MONOTONIC) at the start */
    uint64_t ns;       /* duration */
    int generation;    /* generation collected (boehm: 0) */
    int requested;     /* 1: inside hb_gc_collect (the program's gc.collect(), which
                          must finish before it returns in every design); 0: the
                          collector's own, automatic collection */
} hb_gc_pause;
const hb_gc_pause *hb_gc_pauses(hb_gc *gc, size_t *count);
uint64_t hb_gc_pause_total_ns(hb_gc *gc);
void hb_gc_pause_reset(hb_gc *gc); /* empties the log (totals in stats stay) */

/* gc.callbacks: called at the start and stop of every collection (boehm:
 * explicit ones only), outside its timed pause.  At HB_GC_START, collected
 * and uncollectable are 0.  A callback may read anything, must not
 * allocate objects.  Up to 8 callbacks: 0, -ENOMEM when full, -ENOENT on
 * removing one not added. */
typedef enum hb_gc_phase { HB_GC_START, HB_GC_STOP } hb_gc_phase;
typedef struct hb_gc_info {
    int generation;
    size_t collected;     /* unreachable objects found (STOP) */
    size_t uncollectable; /* of which uncollectable (STOP) */
} hb_gc_info;
typedef void (*hb_gc_callback)(hb_gc *gc, hb_gc_phase phase, const hb_gc_info *info, void *arg);
int hb_gc_callback_add(hb_gc *gc, hb_gc_callback fn, void *arg);
int hb_gc_callback_remove(hb_gc *gc, hb_gc_callback fn, void *arg);

/* Free hook for tests: called with every object just before its memory is
 * freed (after its finalizer and weak reference clearing; its raw bytes
 * intact, its slots unspecified).  Not called by hb_gc_close.  NULL
 * removes it.  0, or -ENOTSUP (boehm: libgc frees silently). */
typedef void (*hb_free_hook)(hb_gc *gc, hb_obj *o, void *arg);
int hb_gc_set_free_hook(hb_gc *gc, hb_free_hook fn, void *arg);

/* Walks the collector's structures and validates them: list linkage both
 * ways, each object on exactly one list and its flags agreeing, list sizes
 * and live counts matching, gc_refs 0 outside a collection, refcounts > 0,
 * weak link lists and tables consistent, handles pointing at live objects.
 * 0 when valid; -1 with a description in msg. */
int hb_gc_check(hb_gc *gc, char *msg, size_t msglen);

/* ---- plug-in interface ------------------------------------------------------ */

/* Capability flags. */
enum {
    HB_GC_REFCOUNT = 1u << 0,    /* reference counts; frees at zero */
    HB_GC_CYCLES = 1u << 1,      /* reclaims unreachable cycles */
    HB_GC_GENERATIONS = 1u << 2, /* generations, thresholds, freeze */
    HB_GC_FINALIZERS = 1u << 3,  /* tp_finalize with resurrection */
    HB_GC_WEAKREFS = 1u << 4,    /* weak references and weak-value maps */
    HB_GC_WEAK_CALLBACKS = 1u << 5, /* weak reference callbacks */
    HB_GC_OWN_HEAP = 1u << 6,    /* ignores the allocator: owns its heap */
    HB_GC_TRACING = 1u << 7,     /* handles are roots; no reference counts */
    HB_GC_GARBAGE_LIST = 1u << 8, /* legacy finalizers make uncollectable garbage */
    HB_GC_FREE_HOOK = 1u << 9,   /* hb_gc_set_free_hook works */
    HB_GC_CONSERVATIVE = 1u << 10, /* may keep unreachable objects (stack scanning) */
    HB_GC_INCREMENTAL = 1u << 11, /* collects the old generation in increments:
                                     collect(0) young, (1) one increment, (2) full */
    HB_GC_NEVER_FREES = 1u << 12, /* none: nothing is ever freed before close */
};

/*
 * A collector plug-in: one `const struct hb_collector_ops` listed in the
 * static table of registry.c.  The instance-wide machinery (shadow stack,
 * weak links, garbage list, statistics, pause log, callbacks) lives in the
 * core (object.c); a plug-in supplies the object lifecycle and the
 * collection.  Its context is created per instance and passed first.
 */
typedef struct hb_collector_ops {
    const char *name;    /* short id: "generational" */
    const char *summary; /* one line for `heapbench list collectors` */
    unsigned caps;       /* HB_GC_* */
    int generations;     /* 0, 1 or 3 */

    /* New context for instance gc (whose allocator is already set), or NULL
     * with a message. */
    void *(*create)(hb_gc *gc, char *msg, size_t msglen);
    /* Frees every remaining object (no finalizers, no hooks) and the context. */
    void (*destroy)(void *ctx);
    /* A new object, zeroed, header set, refcnt 1 under reference counting,
     * tracked; may collect first.  NULL with errno ENOMEM. */
    hb_obj *(*new_obj)(void *ctx, const hb_type *type, uint32_t nslots, uint32_t nbytes);
    /* Reference release for refcounting plug-ins (the core increments
     * refcnt itself); NULL for tracing plug-ins. */
    void (*release)(void *ctx, hb_obj *o);
    /* Write barrier called by hb_set(o, slot, value) while the core's
     * barrier flag is on (marksweep during finalization), or NULL. */
    void (*barrier)(void *ctx, hb_obj *o, hb_obj *value);
    /* One collection; the core handles reentrancy, callbacks, timing and
     * the generation argument (already in range). */
    long (*collect)(void *ctx, int generation);
    int (*freeze)(void *ctx);   /* NULL: -ENOTSUP */
    int (*unfreeze)(void *ctx); /* NULL: -ENOTSUP */
    /* Optional: storage for the shadow stack (boehm: uncollectable, so
     * libgc scans it).  NULL: the process malloc. */
    void *(*roots_realloc)(void *ctx, void *p, size_t old_bytes, size_t new_bytes);
    /* Optional weak links kept by the collector itself (boehm); NULL: the
     * core keeps per-object weak lists and clears them. */
    int (*weak_register)(void *ctx, uintptr_t *link, hb_obj *target);
    void (*weak_unregister)(void *ctx, uintptr_t *link);
    hb_obj *(*weak_read)(void *ctx, const uintptr_t *link);
    /* Validates the plug-in's structures: 0, or -1 with msg. */
    int (*check)(void *ctx, char *msg, size_t msglen);
} hb_collector_ops;

/* ---- registry and instances (registry.c, object.c) ------------------------ */

size_t hb_collector_count(void);
const hb_collector_ops *hb_collector_at(size_t i);
const hb_collector_ops *hb_collector_find(const char *name); /* NULL if unknown */
const char *hb_collector_names(char *buf, size_t len);      /* "refcount, generational, ..." */

/* Opens an instance of collector `name` over allocator instance `alloc`
 * (copied; it must outlive the instance; boehm records it only).  0 with
 * *gc set; -1 with a message (unknown name, create failed). */
int hb_gc_open(hb_gc **gc, const char *name, const hb_alloc *alloc, char *msg, size_t msglen);
/* Drops every handle and the garbage list, frees every object that is
 * left without running finalizers or hooks, and frees the instance. */
void hb_gc_close(hb_gc *gc);
const hb_collector_ops *hb_gc_ops(hb_gc *gc);

#ifdef __cplusplus
}
#endif
#endif
