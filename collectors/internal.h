/*
 * internal.h: structures and cross-file functions of collectors/.  Not a
 * public header: workloads and tests use collector.h.
 *
 * Cross-file names are hb__*, grouped below under the file that defines
 * them.  The instance (struct hb_gc) holds what every collector shares;
 * reference-counting plug-ins (refcount, generational) share struct
 * hb_rcheap (rc.c), which is the first member of their context so that the
 * core can do reference counting inline without calling through the ops.
 */
#ifndef HB_COLLECTORS_INTERNAL_H
#define HB_COLLECTORS_INTERNAL_H

#include "collector.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Flags that survive across collections; all others are collection state. */
#define HB_OF_PERSIST \
    ((uintptr_t)(HB_OF_FINALIZED | HB_OF_WEAKREFS | HB_OF_WEAKREF | HB_OF_UNTRACKED_ONCE))
#define HB_REFS_ONE ((uintptr_t)1 << HB_OF_BITS)
#define HB_GEN_PERMANENT 3
/* rcheap.lists beyond the generations (0..2) and the permanent one (3):
 * generational's untracked list (4); incremental's untracked objects of
 * space 0 (4) and space 1 (5), and its gray list (6: reached by the marker,
 * children not scanned yet).  See hb__list_of. */
#define HB_LIST_UNTRACKED 4
#define HB_LIST_UNTRACKED1 5
#define HB_LIST_GRAY 6
#define HB_LIST_ATOMS 7 /* incremental: untracked objects without slots (gen bits 1) */
#define HB_NLISTS 8

static inline uintptr_t hb__refs(const hb_obj *o) { return o->gc >> HB_OF_BITS; }
static inline int hb__gen(const hb_obj *o) { return (int)(o->gc & HB_OF_GEN_MASK); }

/* ---- intrusive lists -------------------------------------------------------- */
static inline void hb__list_init(hb_link *l) { l->next = l->prev = l; }
static inline bool hb__list_empty(const hb_link *l) { return l->next == l; }
static inline void hb__list_unlink(hb_link *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
}
static inline void hb__list_append(hb_link *head, hb_link *n)
{
    hb_link *last = head->prev;
    n->prev = last;
    n->next = head;
    last->next = n;
    head->prev = n;
}
static inline void hb__list_move(hb_link *head, hb_link *n)
{
    hb__list_unlink(n);
    hb__list_append(head, n);
}
/* Appends all of `from` to `to`; `from` becomes empty. */
static inline void hb__list_splice(hb_link *to, hb_link *from)
{
    if (hb__list_empty(from))
        return;
    hb_link *first = from->next, *last = from->prev, *tail = to->prev;
    tail->next = first;
    first->prev = tail;
    last->next = to;
    to->prev = last;
    hb__list_init(from);
}

/* Growable array of object pointers (process malloc). */
typedef struct hb_objvec {
    hb_obj **v;
    size_t n, cap;
} hb_objvec;
int hb__vec_push(hb_objvec *v, hb_obj *o); /* 0 or -ENOMEM */
void hb__vec_free(hb_objvec *v);

/* ---- weak links (weak.c) -------------------------------------------------------- */

/*
 * A weak link: the payload of a weak reference object, or a weak-value map
 * entry.  Core-kept links (every collector but boehm) are on their
 * target's list, whose head the weak table maps from the target; the
 * target carries HB_OF_WEAKREFS exactly while its list is non-empty.
 * `target` is 0 once cleared, and a cleared link is on no list.  With a
 * collector that keeps links itself (ops->weak_register), `target` is that
 * collector's representation (boehm: a hidden pointer) and next/prev are
 * unused.
 */
typedef struct hb_weaklink {
    uintptr_t target;
    struct hb_weaklink *next, *prev;
    hb_obj *wr;                /* the weak reference object, or NULL */
    struct hb_wvmap *map;      /* the map of an entry, or NULL */
    hb_weakref_cb cb;
    void *arg;
} hb_weaklink;

/* Open-addressing table: target -> head of its weak link list. */
typedef struct hb_weaktab {
    struct hb_weakent { hb_obj *key; hb_weaklink *head; } *e;
    size_t n, cap; /* cap: 0 or a power of two */
} hb_weaktab;

int hb__weak_attach(hb_gc *gc, hb_weaklink *l, hb_obj *target);
void hb__weak_detach(hb_gc *gc, hb_weaklink *l);
hb_obj *hb__weak_read(hb_gc *gc, const hb_weaklink *l);
/* Clears every weak link to `target` (core-kept links).  Weak reference
 * objects with a callback that are not trash ((wr->gc & mask) != want, or
 * mask 0) are retained and queued on gc->cbq.  Returns links cleared. */
size_t hb__weak_clear(hb_gc *gc, hb_obj *target, uintptr_t mask, uintptr_t want);
/* Runs (and empties) the queued callbacks, each in a scope of its own. */
void hb__weak_run_callbacks(hb_gc *gc);
/* Each entry of the weak table, for tracing collectors (read-only walk). */
void hb__weaktab_free(hb_weaktab *t);
int hb__weak_check(hb_gc *gc, char *msg, size_t len);
/* A weak-value map entry's link was cleared (called by hb__weak_clear). */
void hb__wvmap_entry_died(hb_weaklink *l);

/* ---- the instance (object.c) ----------------------------------------------------- */

struct hb_rcheap;

struct hb_gc {
    hb_gc_roots roots; /* first: read by the inline hb_get / hb_scope_enter */
    const hb_collector_ops *ops;
    void *ctx;
    struct hb_rcheap *rc; /* ctx of a reference-counting plug-in, else NULL */
    hb_alloc alloc;
    bool enabled;
    bool collecting;      /* CPython's guard: nested collections are no-ops */
    bool requested;       /* inside hb_gc_collect: pauses recorded now are the program's */
    bool barrier;         /* hb_set calls ops->barrier */
    bool closing;
    long threshold[HB_GC_NGEN];
    long count[HB_GC_NGEN];
    hb_gc_stats st;       /* counters (the pause and garbage fields too) */
    hb_gc_pause *pauses;
    size_t npauses, pcap;
    struct { hb_gc_callback fn; void *arg; } cbs[8];
    int ncbs;
    hb_free_hook free_hook;
    void *free_hook_arg;
    hb_objvec garbage;    /* the garbage list: each entry holds a reference */
    hb_weaktab weak;
    hb_objvec cbq;        /* weak references whose callback is pending */
    size_t last_collected, last_uncollectable; /* set by ops->collect */
};

/* One collection with callbacks, timing and the reentrancy guard: what
 * hb_gc_collect does after checking its argument; plug-ins call it for
 * their automatic collections. */
long hb__collect(hb_gc *gc, int generation);

/* Time, for pauses. */
uint64_t hb__now_ns(void);
/* Appends a pause record (and updates the stats). */
void hb__pause_record(hb_gc *gc, uint64_t start, uint64_t ns, int generation);

/* Allocation of an object block of `size` bytes, header and slots zeroed
 * and set; accounting done.  NULL with ENOMEM. */
hb_obj *hb__obj_alloc(hb_gc *gc, const hb_type *t, uint32_t nslots, uint32_t nbytes);
/* Frees an object block: detaches a weak reference object's link, calls the
 * free hook, accounts, returns the block to the allocator. */
void hb__obj_free(hb_gc *gc, hb_obj *o);

/* Calls the finalizer (tp_finalize, or tp_del when legacy) of o in a scope
 * of its own; sets HB_OF_FINALIZED for tp_finalize. */
void hb__run_finalizer(hb_gc *gc, hb_obj *o, bool legacy);

/* Visits the children of o: the default loop or the type's traverse. */
#define HB_FOR_EACH_CHILD(o, c, body, visitfn, visitarg)                     \
    do {                                                                     \
        if ((o)->type->traverse == NULL) {                                   \
            hb_obj **hb_s_ = (o)->slots, **hb_e_ = hb_s_ + (o)->nslots;      \
            for (; hb_s_ < hb_e_; hb_s_++) {                                 \
                hb_obj *c = *hb_s_;                                          \
                if (c != NULL) { body }                                      \
            }                                                                \
        } else {                                                             \
            (o)->type->traverse((o), (visitfn), (visitarg));                 \
        }                                                                    \
    } while (0)

/* The invariant checker of collectors that keep every object on one list
 * (marksweep, none): the list is well formed, holds nobjs objects and
 * exactly the live ones, none with collection state left; every slot and
 * handle points into it.  Counts the objects with a pending tp_finalize and
 * with tp_del.  0, or -1 with the first failure in msg.  Uses and clears
 * HB_OF_MARK. */
int hb__check_all_list(hb_gc *gc, hb_link *all, size_t nobjs, size_t *nfin, size_t *nleg, char *msg, size_t len);

/* References held by the core (handles, garbage list, callback queue). */
static inline void hb__incref(hb_obj *o) { o->refcnt++; }
void hb__retain(hb_gc *gc, hb_obj *o);
void hb__release(hb_gc *gc, hb_obj *o);

/* ---- reference counting (rc.c): shared by refcount and generational --------------- */

/*
 * The heap of a reference-counting plug-in.  Every live object is on one of
 * lists[0..6] (refcount uses lists[0] only; generational: generations 0..2,
 * the permanent generation and the untracked list; incremental: young, its
 * two old spaces, permanent, two untracked lists and the gray list), or,
 * during a collection, on
 * one of its private lists with HB_OF_COLLECTING set (then it is counted in
 * no size[]).  size[i] is the length of lists[i].  An object whose count
 * reached zero is on no list: it is on the `pending` stack (linked through
 * link.next) until the drain loop deallocates it: the trashcan, so that
 * freeing a long chain never recurses on the C stack.
 */
typedef struct hb_rcheap {
    hb_gc *gc;
    hb_link lists[HB_NLISTS];
    size_t size[HB_NLISTS];
    hb_obj *pending;
    bool draining;
    bool generational;
    /* generational's long-lived heuristic: objects with HB_OF_PENDING (on
     * lists[2]); one that dies by reference count leaves the count. */
    size_t long_lived_pending;
    /* Cycle collectors (generational, incremental): the automatic
     * collection, run by hb__rc_new when count[0] exceeds threshold[0]; and
     * the gc word of a newborn untracked object (its generation bits say
     * which untracked list: see hb__list_of). */
    void (*auto_collect)(struct hb_rcheap *h);
    uintptr_t untracked_gc;
    /* incremental: newborn objects without slots or traverse function go
     * to the atoms list (HB_OF_UNTRACKED, gen bits 1), which no collection
     * examines: such an object can never be on a cycle. */
    bool atoms;
    /* gen-inc: automatic collections are triggered by bytes allocated
     * (alloc_bytes, reset by the collector) exceeding threshold[0], not by
     * count[0]. */
    bool bytes_trigger;
    size_t alloc_bytes;
} hb_rcheap;

void hb__rc_init(hb_rcheap *h, hb_gc *gc, bool generational);
/* ops->new_obj of refcount, generational and incremental (ctx: the
 * hb_rcheap).  Cycle collectors: runs h->auto_collect first when count[0]
 * exceeds threshold[0]. */
hb_obj *hb__rc_new(void *ctx, const hb_type *t, uint32_t nslots, uint32_t nbytes);
void hb__gen_auto(hb_rcheap *h); /* generational.c: CPython's collect_generations */
/* The array-based trial deletion (generational.c), shared with incremental:
 * scratch arrays, and steps 1-4 over `list` (n objects, every object whose
 * generation bits are <= g and no other; `young`: untrack survivors at once
 * that a young collection need not examine, never one untracked once
 * before).  Survivors that stay tracked are left in `list` with state
 * `bits` (returned: their number); untracked ones go to h->lists[ulist_at]
 * with state `ubits`; the unreachable to `unreachable`.  (size_t)-1 when
 * the scratch cannot grow: the caller falls back to the list-based steps. */
typedef struct hb_cyc_scratch {
    hb_obj **vec, **stack;
    size_t vcap; /* capacity of both */
    size_t max;  /* grow no further (test hook) */
} hb_cyc_scratch;
size_t hb__cyc_find_unreachable_vec(hb_cyc_scratch *c, hb_rcheap *h, hb_link *list, size_t n, int g, bool young,
                                    hb_link *unreachable, uintptr_t bits, int ulist_at, uintptr_t ubits);
void hb__cyc_scratch_free(hb_cyc_scratch *s);
/* Steps 5-8 (generational.c): see there. */
size_t hb__cyc_finish(hb_rcheap *h, hb_link *unreachable, int old, uintptr_t bits, size_t *uncollectable);
/* Test hook (generational): the array-based passes may use scratch for at
 * most max_objects objects; beyond, collections take the list-based steps. */
void hb__gen_scratch_limit(hb_gc *gc, size_t max_objects);
/* Test hook (incremental): its state and what its last collection did.
 * -1 for another collector. */
typedef struct hb_inc_probe {
    int visited;         /* the visited space, 0 or 1 */
    bool marking;        /* in the MARK phase */
    bool waiting;        /* the cycle waits for the old generation to grow */
    size_t base, old;    /* old generation when the last cycle ended, and now */
    size_t gray;         /* objects on the gray list */
    long credit;         /* last collection: work credit after assessing */
    size_t marked;       /* last collection: marking units done */
    size_t young;        /* last collection: young objects in the region */
    size_t pulled;       /* last collection: pending objects taken (seeds and closures) */
    uint64_t swaps;      /* cycles completed since open */
} hb_inc_probe;
int hb__inc_probe(hb_gc *gc, hb_inc_probe *out);
/* The old-space machinery of incremental.c, shared by its collector names
 * (incremental, incremental-3.14: a settings table each) and by gen-inc
 * (gen_inc.c), which runs its own schedule over it. */
struct hb_inc_ctx;
typedef struct hb_inc_settings {
    const char *name;     /* for messages */
    long threshold[3];    /* the defaults */
    bool mark_at_once;    /* the marker runs to the end in one step (3.14) */
    bool newest_first;    /* increments take seeds from the pending tail */
    /* The credit an increment adds (NULL: CPython 3.14's assess_work_to_do). */
    long (*assess)(struct hb_inc_ctx *c);
} hb_inc_settings;
typedef struct hb_inc_ctx {
    hb_rcheap rc;       /* first: the core's reference counting reads it */
    const hb_inc_settings *set;
    int visited;        /* the visited space: 0 or 1 */
    int phase;          /* 0 MARK or 1 SCAN */
    long work;          /* credit, in objects; negative: a deficit */
    size_t root_next;   /* MARK: next handle to shade */
    hb_obj *mark_obj;   /* MARK: the gray head whose slots are half scanned */
    uint32_t mark_pos;  /* its next slot */
    bool mark_leaves;   /* its slots scanned so far hold only untracked objects */
    bool roots_done;    /* MARK: all roots shaded */
    bool waiting;       /* the cycle has not started: the old generation has not
                           grown by threshold2 percent since the last one ended */
    bool in_auto;       /* the collection running is an automatic one */
    size_t base;        /* old generation's size when the last cycle ended */
    hb_inc_probe last;  /* what the last collection did (test hook) */
    hb_objvec stack;    /* scratch: the untracking walk's stack (full collections) */
    hb_cyc_scratch scratch; /* generational's array-based trial deletion (increments) */
} hb_inc_ctx;
/* Sets up c (zeroed, of the caller's size) with settings `set`. */
void hb__inc_init(hb_inc_ctx *c, hb_gc *gc, const hb_inc_settings *set);
void hb__inc_destroy(void *ctx);
int hb__inc_freeze(void *ctx);
int hb__inc_unfreeze(void *ctx);
int hb__inc_check(void *ctx, char *msg, size_t len);
/* One collection of incremental.c's schedule (ops->collect). */
long hb__inc_collect(void *ctx, int g);
/* Objects in the old generation (both spaces, untracked and gray). */
size_t hb__inc_old_size(const hb_rcheap *h);
/* Moves the young list into `region`; returns how many. */
size_t hb__inc_splice_young(hb_rcheap *h, hb_link *region);
/* Takes pending `seed` and the pending objects it reaches, up to `limit`
 * objects in all (SIZE_MAX: the whole closure), into `region`, relabelled
 * young; returns how many. */
size_t hb__inc_take_closure(hb_inc_ctx *c, hb_link *region, hb_obj *seed, size_t limit);
/* Trial deletion over `region` (n objects, all labelled young), survivors
 * to the space young survivors join; returns collected + uncollectable. */
size_t hb__inc_collect_young_region(hb_inc_ctx *c, hb_link *region, size_t n);
/* refcnt just reached 0: untrack and deallocate (deferred while draining). */
void hb__rc_zero(hb_rcheap *h, hb_obj *o);
/* o (on the untracked list) gets a reference in a slot: back to generation 0. */
static inline int hb__list_of(const hb_obj *o);
static inline void hb__rc_retrack(hb_rcheap *h, hb_obj *o)
{
    hb__list_unlink(&o->link);
    h->size[hb__list_of(o)]--;
    o->gc &= HB_OF_PERSIST; /* generation 0 */
    hb__list_append(&h->lists[0], &o->link);
    h->size[0]++;
}
/* The list an object outside a collection is on: gray (incremental's
 * marker), untracked (list 4 + the low generation bit: generational's
 * untracked objects have generation bits 2, incremental's 2 or 3 by space),
 * or the one its generation bits name. */
static inline int hb__list_of(const hb_obj *o)
{
    uintptr_t g = o->gc;
    if (__builtin_expect((g & (HB_OF_UNTRACKED | HB_OF_GRAY)) != 0, 0))
        return (g & HB_OF_GRAY)  ? HB_LIST_GRAY
               : (g & 2u)        ? HB_LIST_UNTRACKED + (int)(g & 1u)
                                 : HB_LIST_ATOMS;
    return (int)(g & HB_OF_GEN_MASK);
}
void hb__rc_release(void *ctx, hb_obj *o);
void hb__rc_destroy(hb_rcheap *h);
int hb__rc_check(hb_rcheap *h, char *msg, size_t len);

static inline void hb__decref(hb_rcheap *h, hb_obj *o)
{
    if (--o->refcnt == 0)
        hb__rc_zero(h, o);
}

/* ---- trial deletion (generational.c), also used by refcount's leak count ----------- */

/* gc_refs := refcnt, sets COLLECTING (clears UNREACHABLE) for all of list. */
void hb__cyc_update_refs(hb_link *list);
/* Subtracts the references between members of the COLLECTING set. */
void hb__cyc_subtract_refs(hb_link *list);
/* Moves what is unreachable from outside to `unreachable` (flags
 * COLLECTING|UNREACHABLE); what stays in `list` gets its collection state
 * cleared and the flag bits `bits` (its generation, HB_OF_PENDING).
 * Returns the number that stayed. */
size_t hb__cyc_move_unreachable(hb_link *list, hb_link *unreachable, uintptr_t bits);

/* ---- messages ------------------------------------------------------------------ */
int hb__fail(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
