/*
 * incremental.c: CPython 3.14's incremental cycle collector over reference
 * counting.
 *
 * CPython 3.14.0 replaced the three generations by two: a young generation
 * and an old one split into two spaces, `pending` and `visited`.  Each
 * automatic collection takes the young objects plus an increment of the
 * pending space, runs trial deletion over that region, and moves the
 * survivors to the visited space; when the pending space is empty, the
 * spaces swap roles (a bit flips: nothing is relabelled) and the next
 * cycle begins.  Every old object is examined once per cycle, and no
 * collection examines the whole heap, so pauses are bounded by the work
 * given to one increment instead of by the heap.  (3.14.5 reverted it; the
 * results in results/gc/ are about why.)
 *
 *   lists (struct hb_rcheap)           generation bits / flags
 *   0  young                           0
 *   1  old space 0, tracked            1
 *   2  old space 1, tracked            2
 *   3  permanent (freeze)              3
 *   4  untracked, space 0              2, HB_OF_UNTRACKED
 *   5  untracked, space 1              3, HB_OF_UNTRACKED
 *   6  gray: reached by the marker,    the visited space's bits, HB_OF_GRAY
 *      children not scanned yet
 * `visited` (0 or 1) names the visited space; the other is pending.  An
 * object is in the visited space when its space bit equals `visited`.
 *
 * A cycle has two phases:
 *   MARK ("mark alive", CPython PR #126511): the objects reachable from the
 *     roots (handles, the garbage list, pending weak reference callbacks)
 *     are moved to the visited space without trial deletion: they are alive
 *     and need not be examined this cycle.  The marker shades an object by
 *     moving it to the gray list (young, pending and pending-untracked
 *     objects; visited and permanent ones are done) and blackens the head
 *     of the gray list by shading its children and moving it to its visited
 *     list (a container's slots in chunks of SLOTS_PER_UNIT per unit, so
 *     that a list of a million items is scanned over several steps; a
 *     head that changes meanwhile starts over).  Marking is budgeted like an increment and spread over as many
 *     collections as it needs (CPython 3.14 marks in one step); the roots
 *     are read from a cursor over the handles, so a long shadow stack is
 *     also spread.
 *   SCAN: each collection's region is the young objects plus seeds taken
 *     from the head of the pending space (its tracked list, then its untracked one), each closed over
 *     references: the pending objects, tracked or untracked, that a taken
 *     object reaches are taken too, so that no cycle of pending objects is
 *     split between increments.  The closure is never cut (a large garbage
 *     cycle is one large increment); its excess is charged to later
 *     collections.
 * Both phases run alongside a young collection in the same pause.
 *
 * Work: each collection adds new + min(heap / 10 / threshold1, 2 x new) to
 * a credit (CPython 3.14's assess_work_to_do: new = objects allocated minus
 * freed since the last collection, at least threshold0; heap = objects in
 * the old generation, untracked ones included, as the marker visits them),
 * and pays one unit per object marked or put in the region; a deficit is
 * carried over.  In the steady state a cycle costs three times the objects
 * allocated during it, whatever the heap.
 *
 * Trial deletion over a region (young + increment) is generational's, and
 * runs on its code: the pending objects an increment takes are relabelled
 * young (generation bits 0), so the region is exactly the objects with
 * generation bits 0 and generational.c's array-based passes
 * (hb__cyc_find_unreachable_vec, hb__cyc_finish) run over it unchanged,
 * with the visited space's lists as the survivors' destination.
 * gc_refs := refcnt, minus the references from other members; what is
 * reachable from a member with gc_refs > 0 survives; the rest is
 * unreachable and goes through the same steps as in generational.c (legacy
 * finalizers to the garbage list, weak links cleared and callbacks run,
 * PEP 442 finalizers, resurrection found by running trial deletion again,
 * slots cleared so that reference counting frees it).  It is sound for any
 * region, closed or not: references from outside only keep objects alive.
 * The closure is what makes it complete.
 *
 * Untracking (as generational.c: see hb_gc_is_tracked): objects whose type
 * has no traverse function are born untracked (labelled with the space young
 * survivors join); a
 * store into an untracked object tracks it again in the young generation;
 * and increments untrack each survivor whose slots hold only untracked
 * objects (default layout, not a weak reference, not untracked by a
 * collection before: HB_OF_UNTRACKED_ONCE), deciding each survivor after
 * its children in a depth-first walk, so that a tree is untracked whole
 * whichever order its nodes were reached in; the marker untracks what it
 * blackens by the same rule.  Our objects are mutable, so an untracked
 * object may come to reach a tracked one, and a cycle may consist of
 * untracked objects only.  CPython needs no answer to this (its untracked
 * objects are atoms and tuples of them); here the marker traverses
 * untracked objects too, each space of untracked objects has its own list,
 * the closure of an increment takes the pending untracked objects it
 * reaches, and they are seeds of their own: every such cycle is found by
 * increments alone.
 *
 * Choices of our own, beyond what CPython 3.14 specifies:
 *  - the marker is budgeted and spread over collections; it holds no
 *    references: the gray list is an rcheap list, so an object that dies
 *    while gray simply leaves it.  Marking is only a shortcut (it keeps
 *    objects out of trial deletion), so what the mutator changes between
 *    steps costs precision (floating garbage, found next cycle), never
 *    safety;
 *  - the pending space's untracked objects are seeds too, after its tracked
 *    ones, and a cycle ends only when both lists are empty: every old
 *    object is examined once per cycle, untracked ones included.  Untracking
 *    spares an object the young collections, not the increments: with
 *    mutable objects a cycle may come to consist of untracked objects only
 *    (a tracked member of it is untracked by a young collection once its
 *    slots hold only untracked objects), and it must still be found without
 *    a full collection;
 *  - a deficit (a closure larger than the credit) is carried across the
 *    swap of the spaces; a surplus is not;
 *  - collect(1) runs one increment with the budget of an automatic one
 *    (new counted as at least threshold0), so that repeated calls finish a
 *    cycle; collect(0) is a young collection alone; collect(2) examines
 *    everything (young, both spaces, untracked, gray), leaves the
 *    survivors visited and starts a new cycle (CPython's gc_collect_full);
 *  - a cycle does not start as soon as the last one ended: automatic
 *    collections are young collections until the old generation has grown
 *    by threshold2 percent (25) since then, as generational's long-lived
 *    heuristic waits for 25% growth before a full collection; meanwhile
 *    young survivors join the pending space, so the cycle that starts
 *    examines them.  threshold2 = 0 runs cycles back to back as 3.14 does;
 *    an explicit collect(1) starts one at once;
 *  - atoms (objects without slots or traverse function) are on a list of
 *    their own that no increment or marker examines (no cycle goes through
 *    one), and a store of an atom into an untracked container leaves the
 *    container untracked (unless it has a finalizer or weak references):
 *    a list of a million boxed ints is not rescanned by young collections
 *    as it grows, as CPython keeps dicts of atoms untracked;
 *  - marking scans a container's slots in chunks of SLOTS_PER_UNIT per unit
 *    of work, resuming where it stopped, so that no single object makes a
 *    long pause;
 *  - thresholds (700, 10, 25): threshold0 is generational's 700, not 3.14's
 *    2000: measured at scale 1 (gcbench, binary-trees, gcold, slots-vs-dict,
 *    generational-churn, 3 runs each), 700 lowered both the max pause
 *    (gcbench 0.69 -> 0.36 ms, slots-vs-dict 0.98 -> 0.55 ms) and the wall
 *    time (gcbench 0.69 -> 0.65 s): smaller increments, each marking a
 *    smaller slice; threshold1 as 3.14; get_count gives (new
 *    objects, increments this cycle, cycles since the last full collection);
 *    stats count young collections as generation 0, increments as 1, full
 *    collections as 2;
 *  - allocation failure runs a full collection (as generational).
 *
 * Settings (struct hb_inc_settings, internal.h): each collector name is a
 * settings table over this one file.  `incremental` is heapbench's choices
 * above; `incremental-3.14` is CPython 3.14.0-3.14.4's own: threshold0
 * 2000, threshold2 0 (cycles back to back, no growth gate), and the marker
 * run to its end in one step when a cycle begins (3.14's mark_at_start),
 * so a pause holds the whole marking; the model choices (atoms, untracked
 * seeds, collect(g), the deficit carried over, the closure) are kept.
 * gen-inc (gen_inc.c) runs its own schedule over the same spaces, with
 * seeds taken newest first and its own credit (settings newest_first,
 * assess).
 *
 * Invariants (inc_check, besides hb__rc_check's): outside a collection
 * every object is on the list its flags name; the gray list is empty in
 * the SCAN phase and holds only objects labelled with the visited space;
 * newborn untracked objects are labelled with the space young survivors
 * join (visited, or pending while the cycle waits); a waiting cycle has
 * not begun marking.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>

#define SCAN_RATE_DIVISOR 10 /* CPython 3.14: a tenth of the heap per threshold1 increments */
#define DEFAULT_NEW 700      /* new objects assumed by collect(1) when threshold0 is 0 */
#define SLOTS_PER_UNIT 16    /* marking: slots scanned per unit of work */
#define MARK_ALL (LONG_MAX / 64) /* a marking budget that never runs out (no overflow) */

enum { PHASE_MARK, PHASE_SCAN };

typedef hb_inc_ctx inc_ctx; /* internal.h: shared with gen_inc.c */

/* List and generation bits of a space's tracked and untracked objects. */
static inline int tlist(int s) { return 1 + s; }
static inline int ulist(int s) { return HB_LIST_UNTRACKED + s; }
static inline uintptr_t ubits(int s) { return HB_OF_UNTRACKED | (uintptr_t)(2 | s); }

/* The space young survivors and newborn untracked objects join: visited,
 * or pending while the cycle waits to start (so that the cycle examines
 * them). */
static inline int dest_space(const inc_ctx *c) { return c->waiting ? c->visited ^ 1 : c->visited; }

/* Moves o (outside a collection's region) to the list its new gc names. */
static inline void relist(hb_rcheap *h, hb_obj *o, uintptr_t g)
{
    hb__list_unlink(&o->link);
    h->size[hb__list_of(o)]--;
    o->gc = g;
    int l = hb__list_of(o);
    hb__list_append(&h->lists[l], &o->link);
    h->size[l]++;
}

size_t hb__inc_old_size(const hb_rcheap *h)
{
    return h->size[1] + h->size[2] + h->size[HB_LIST_UNTRACKED] + h->size[HB_LIST_UNTRACKED1] +
           h->size[HB_LIST_GRAY];
}

/* ---- marking ------------------------------------------------------------------------- */

/* Gray o unless it is gray, visited or permanent. */
static inline void shade(inc_ctx *c, hb_obj *o)
{
    uintptr_t g = o->gc;
    int v = c->visited;
    if (g & (HB_OF_GRAY | HB_OF_COLLECTING))
        return;
    if (g & HB_OF_UNTRACKED) {
        if (!(g & 2u) || (int)(g & 1u) == v)
            return; /* an atom, or visited */
        relist(&c->rc, o, (g & HB_OF_PERSIST) | ubits(v) | HB_OF_GRAY);
    } else {
        uintptr_t gen = g & HB_OF_GEN_MASK;
        if (gen == HB_GEN_PERMANENT || gen == (uintptr_t)tlist(v))
            return;
        relist(&c->rc, o, (g & HB_OF_PERSIST) | (uintptr_t)tlist(v) | HB_OF_GRAY);
    }
}

static void visit_shade(hb_obj *ch, void *arg)
{
    if (ch != NULL)
        shade(arg, ch);
}

/* Up to `budget` units of marking; returns the units done. */
static long mark_step(inc_ctx *c, long budget)
{
    hb_rcheap *h = &c->rc;
    hb_gc *gc = h->gc;
    long done = 0;
    if (!c->roots_done) {
        while (c->root_next < gc->roots.nhandles && done < budget) {
            hb_obj *o = gc->roots.handles[c->root_next++];
            if (o != NULL)
                shade(c, o);
            done++;
        }
        if (c->root_next >= gc->roots.nhandles) {
            for (size_t i = 0; i < gc->garbage.n; i++)
                shade(c, gc->garbage.v[i]);
            for (size_t i = 0; i < gc->cbq.n; i++)
                shade(c, gc->cbq.v[i]);
            c->roots_done = true;
        }
    }
    hb_link *gray = &h->lists[HB_LIST_GRAY];
    const int v = c->visited;
    while (done < budget && !hb__list_empty(gray)) {
        hb_obj *o = (hb_obj *)gray->next;
        uintptr_t g = o->gc & ~(uintptr_t)HB_OF_GRAY;
        bool leaves = true; /* every slot NULL or untracked */
        if (o->type->traverse == NULL) {
            /* Slots in chunks: a container of a million slots is scanned
             * over several steps (SLOTS_PER_UNIT slots cost one unit), not
             * in one pause.  A head that changed (it died, or a store
             * tracked it again) starts over. */
            uint32_t j = 0;
            if (c->mark_obj == o && c->mark_pos <= o->nslots) {
                j = c->mark_pos;
                leaves = c->mark_leaves;
            }
            const uint32_t start = j;
            uint64_t room = (uint64_t)(budget - done) * SLOTS_PER_UNIT;
            uint32_t end = (uint64_t)o->nslots - j > room ? j + (uint32_t)room : o->nslots;
            for (; j < end; j++) {
                hb_obj *ch = o->slots[j];
                if (ch == NULL)
                    continue;
                shade(c, ch);
                if (!(ch->gc & HB_OF_UNTRACKED))
                    leaves = false;
            }
            done += 1 + (long)((end - start) / SLOTS_PER_UNIT);
            if (j < o->nslots) { /* out of budget: resume here next step */
                c->mark_obj = o;
                c->mark_pos = j;
                c->mark_leaves = leaves;
                break;
            }
        } else {
            HB_FOR_EACH_CHILD(o, ch, {
                shade(c, ch);
                if (!(ch->gc & HB_OF_UNTRACKED))
                    leaves = false;
            }, visit_shade, c);
            done++;
        }
        c->mark_obj = NULL;
        if (leaves && !(g & (HB_OF_UNTRACKED | HB_OF_WEAKREF | HB_OF_UNTRACKED_ONCE)) &&
            o->type->traverse == NULL)
            g = (g & HB_OF_PERSIST) | ubits(v) | HB_OF_UNTRACKED_ONCE;
        relist(h, o, g);
    }
    if (c->roots_done && hb__list_empty(gray))
        c->phase = PHASE_SCAN;
    return done;
}

/* ---- the region: young objects plus an increment ------------------------------------------- */

/* Takes pending o into an increment's region: relabelled young
 * (generation bits 0, tracked), so that the region is exactly the objects
 * whose generation bits are 0. */
static inline void take_young(hb_rcheap *h, hb_link *region, hb_obj *o)
{
    hb__list_unlink(&o->link);
    h->size[hb__list_of(o)]--;
    o->gc &= HB_OF_PERSIST;
    hb__list_append(region, &o->link);
}

/* Moves the young list into the region as it is (an increment's
 * membership is its generation bits 0); returns how many. */
size_t hb__inc_splice_young(hb_rcheap *h, hb_link *region)
{
    size_t n = h->size[0];
    hb__list_splice(region, &h->lists[0]);
    h->size[0] = 0;
    return n;
}

/* Takes a whole list into the region. */
static size_t take_list(hb_rcheap *h, hb_link *region, int i)
{
    size_t n = 0;
    hb_link *list = &h->lists[i];
    for (hb_link *l = list->next; l != list; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        o->gc = ((uintptr_t)o->refcnt << HB_OF_BITS) | (o->gc & (HB_OF_PERSIST | HB_OF_UNTRACKED)) |
                HB_OF_COLLECTING;
        n++;
    }
    hb__list_splice(region, list);
    h->size[i] = 0;
    return n;
}

/* A pending object: tracked in the pending space, or untracked and
 * labelled with it; not gray, not already in the region. */
static inline bool is_pending(const hb_obj *o, int p)
{
    uintptr_t g = o->gc;
    if (g & (HB_OF_GRAY | HB_OF_COLLECTING))
        return false;
    if (g & HB_OF_UNTRACKED)
        return (g & 2u) && (int)(g & 1u) == p; /* atoms are never pending */
    return (g & HB_OF_GEN_MASK) == (uintptr_t)tlist(p);
}

struct take_arg {
    hb_rcheap *h;
    hb_link *region;
    int pending;
    size_t n;
};

static void visit_take(hb_obj *ch, void *arg)
{
    struct take_arg *a = arg;
    if (ch != NULL && is_pending(ch, a->pending)) {
        take_young(a->h, a->region, ch);
        a->n++;
    }
}

/* Takes seed and everything pending it reaches (up to `limit` objects in
 * all: a cut closure is sound, only less complete); returns how many. */
size_t hb__inc_take_closure(inc_ctx *c, hb_link *region, hb_obj *seed, size_t limit)
{
    struct take_arg a = {&c->rc, region, c->visited ^ 1, 1};
    take_young(&c->rc, region, seed);
    for (hb_link *l = &seed->link; l != region && a.n < limit; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        HB_FOR_EACH_CHILD(o, ch, {
            if (is_pending(ch, a.pending)) {
                take_young(a.h, region, ch);
                a.n++;
            }
        }, visit_take, &a);
    }
    return a.n;
}

/* ---- trial deletion ------------------------------------------------------------------------ */

static void visit_decref(hb_obj *c, void *arg)
{
    (void)arg;
    if (c != NULL && (c->gc & HB_OF_COLLECTING))
        c->gc -= HB_REFS_ONE;
}

static inline void reach(hb_obj *c, hb_link *list)
{
    uintptr_t g = c->gc;
    if (!(g & HB_OF_COLLECTING))
        return;
    if (g & HB_OF_UNREACHABLE) {
        hb__list_move(list, &c->link);
        c->gc = (g & (HB_OF_PERSIST | HB_OF_COLLECTING | HB_OF_UNTRACKED)) | HB_REFS_ONE;
    } else if ((g >> HB_OF_BITS) == 0) {
        c->gc = g | HB_REFS_ONE;
    }
}

static void visit_reach(hb_obj *c, void *arg)
{
    if (c != NULL)
        reach(c, arg);
}

/* Steps 2 and 3: subtract the internal references, then move what is not
 * reachable from a member with references from outside to `unreachable`.
 * Survivors stay in `region`, collection state cleared (flags: persistent
 * ones and HB_OF_UNTRACKED). */
static void find_unreachable(hb_link *region, hb_link *unreachable)
{
    for (hb_link *l = region->next; l != region; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        HB_FOR_EACH_CHILD(o, c, {
            if (c->gc & HB_OF_COLLECTING)
                c->gc -= HB_REFS_ONE;
        }, visit_decref, NULL);
    }
    hb_link *l = region->next;
    while (l != region) {
        hb_obj *o = (hb_obj *)l;
        hb_link *next = l->next;
        __builtin_prefetch(next->next);
        if (o->gc >> HB_OF_BITS) {
            HB_FOR_EACH_CHILD(o, c, { reach(c, region); }, visit_reach, region);
            o->gc &= HB_OF_PERSIST | HB_OF_UNTRACKED; /* done: reachable */
            l = l->next; /* re-read: reach() may have appended after o */
        } else {
            hb__list_move(unreachable, l);
            o->gc |= HB_OF_UNREACHABLE;
            l = next;
        }
    }
}

/*
 * Survivors to the visited space, untracking those that qualify: default
 * layout, not a weak reference, not untracked before (unless full), and
 * every slot NULL or holding an untracked object once this pass is done.
 * A depth-first walk over the survivors decides each object after its
 * children (so that a tree is untracked whole whatever order its nodes are
 * in): during it a survivor not yet reached carries HB_OF_MARK, one on the
 * walk's path HB_OF_UNREACHABLE (a child on the path is a cycle), one with
 * a tracked child or a cycle BLOCKED (HB_OF_PENDING, unused here), and its
 * gc_refs hold the index of its next slot.  Survivors that were untracked
 * before stay untracked.  When the stack cannot grow, the object stays
 * tracked.
 */
enum { BLOCKED = HB_OF_PENDING, ONPATH = HB_OF_UNREACHABLE };

static inline bool untrackable(const hb_obj *o, bool full)
{
    return o->type->traverse == NULL && !(o->gc & HB_OF_WEAKREF) &&
           (full || !(o->gc & HB_OF_UNTRACKED_ONCE));
}

static void decide(inc_ctx *c, hb_obj *root, bool full)
{
    const uintptr_t low = HB_REFS_ONE - 1;
    size_t top = 0;
    root->gc = (root->gc & low & ~(uintptr_t)HB_OF_MARK) | ONPATH;
    c->stack.v[top++] = root;
    while (top > 0) {
        hb_obj *p = c->stack.v[top - 1];
        uintptr_t pg = p->gc, j = pg >> HB_OF_BITS;
        hb_obj *push = NULL;
        if (p->type->traverse == NULL) {
            for (uintptr_t ns = p->nslots; j < ns; j++) {
                hb_obj *ch = p->slots[j];
                if (ch == NULL)
                    continue;
                uintptr_t cg = ch->gc;
                if (cg & HB_OF_MARK) {
                    if (top == c->stack.cap) {
                        c->stack.n = top; /* hb__vec_push grows a full vector only */
                        if (hb__vec_push(&c->stack, ch) != 0) {
                            pg |= BLOCKED; /* no room: ch is left to the outer loop */
                            continue;
                        }
                    }
                    push = ch;
                    j++;
                    break;
                }
                if ((cg & ONPATH) || !(cg & HB_OF_UNTRACKED))
                    pg |= BLOCKED;
            }
        } else {
            pg |= BLOCKED;
        }
        p->gc = (pg & low) | (j << HB_OF_BITS);
        if (push != NULL) {
            push->gc = (push->gc & low & ~(uintptr_t)HB_OF_MARK) | ONPATH;
            c->stack.v[top++] = push;
            continue;
        }
        top--;
        uintptr_t g = p->gc & low & ~(uintptr_t)ONPATH;
        if (!(g & HB_OF_UNTRACKED)) {
            if (!(g & BLOCKED) && untrackable(p, full))
                g |= HB_OF_UNTRACKED | HB_OF_UNTRACKED_ONCE;
            else if (top > 0)
                c->stack.v[top - 1]->gc |= BLOCKED;
        }
        p->gc = g & ~(uintptr_t)BLOCKED;
    }
}

static size_t place_survivors(inc_ctx *c, hb_link *region, bool full)
{
    hb_rcheap *h = &c->rc;
    const int v = dest_space(c);
    for (hb_link *l = region->next; l != region; l = l->next)
        ((hb_obj *)l)->gc |= HB_OF_MARK; /* gc_refs are 0: slot index 0 */
    if (c->stack.cap == 0)
        hb__vec_push(&c->stack, NULL);
    for (hb_link *l = region->next; l != region; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        if (o->gc & HB_OF_MARK) {
            if (c->stack.cap > 0)
                decide(c, o, full);
            else
                o->gc &= ~(uintptr_t)HB_OF_MARK; /* no stack at all: stays as it is */
        }
    }
    size_t n = 0, nt = 0, nu = 0;
    hb_link *tl = &h->lists[tlist(v)], *ul = &h->lists[ulist(v)];
    while (!hb__list_empty(region)) {
        hb_obj *o = (hb_obj *)region->next;
        hb__list_unlink(&o->link);
        if ((o->gc & HB_OF_UNTRACKED) && o->nslots == 0 && o->type->traverse == NULL) {
            o->gc = (o->gc & HB_OF_PERSIST) | HB_OF_UNTRACKED | 1u; /* an atom (full collections) */
            hb__list_append(&h->lists[HB_LIST_ATOMS], &o->link);
            h->size[HB_LIST_ATOMS]++;
        } else if (o->gc & HB_OF_UNTRACKED) {
            o->gc = (o->gc & HB_OF_PERSIST) | ubits(v);
            hb__list_append(ul, &o->link);
            nu++;
        } else {
            o->gc = (o->gc & HB_OF_PERSIST) | (uintptr_t)tlist(v);
            hb__list_append(tl, &o->link);
            nt++;
        }
        n++;
    }
    h->size[tlist(v)] += nt;
    h->size[ulist(v)] += nu;
    return n;
}

/* Splices `list` onto the visited space's tracked list. */
static size_t adopt_visited(inc_ctx *c, hb_link *list)
{
    hb_rcheap *h = &c->rc;
    int t = tlist(c->visited);
    size_t n = 0;
    for (hb_link *l = list->next; l != list; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        o->gc = (o->gc & HB_OF_PERSIST) | (uintptr_t)t;
        n++;
    }
    hb__list_splice(&h->lists[t], list);
    h->size[t] += n;
    return n;
}

/* Trial deletion over `region`, then everything generational.c does with
 * the unreachable objects; sets last_collected / last_uncollectable. */
static size_t collect_region(inc_ctx *c, hb_link *region, bool full)
{
    hb_rcheap *h = &c->rc;
    hb_gc *gc = h->gc;
    const int t = tlist(dest_space(c));
    hb_link unreachable;
    hb__list_init(&unreachable);

    find_unreachable(region, &unreachable);
    place_survivors(c, region, full);
    for (hb_link *l = unreachable.next; l != &unreachable; l = l->next)
        ((hb_obj *)l)->gc &= ~(uintptr_t)HB_OF_UNTRACKED; /* the untracked lists are for the living */
    size_t n_uncollectable = 0;
    size_t m = hb__cyc_finish(h, &unreachable, t, (uintptr_t)t, &n_uncollectable);
    gc->last_collected = m;
    gc->last_uncollectable = n_uncollectable;
    return m + n_uncollectable;
}

/* An increment (or a young collection): the region is the young list plus
 * the pending objects taken, relabelled young (generation bits 0), so that
 * generational's array-based trial deletion runs over it with membership
 * read from the generation bits, untracking what a young collection may. */
size_t hb__inc_collect_young_region(inc_ctx *c, hb_link *region, size_t n)
{
    hb_rcheap *h = &c->rc;
    hb_gc *gc = h->gc;
    const int d = dest_space(c), t = tlist(d);
    const uintptr_t ub = HB_OF_UNTRACKED | HB_OF_UNTRACKED_ONCE | ubits(d);
    hb_link unreachable;
    hb__list_init(&unreachable);
    size_t kept = hb__cyc_find_unreachable_vec(&c->scratch, h, region, n, 0, true, &unreachable, (uintptr_t)t,
                                               ulist(d), ub);
    if (kept == (size_t)-1) { /* no scratch: the list-based steps, no untracking */
        hb__cyc_update_refs(region);
        hb__cyc_subtract_refs(region);
        kept = hb__cyc_move_unreachable(region, &unreachable, (uintptr_t)t);
    }
    hb__list_splice(&h->lists[t], region);
    h->size[t] += kept;
    size_t n_uncollectable = 0;
    size_t m = hb__cyc_finish(h, &unreachable, t, (uintptr_t)t, &n_uncollectable);
    gc->last_collected = m;
    gc->last_uncollectable = n_uncollectable;
    return m + n_uncollectable;
}

/* ---- cycles and collections ---------------------------------------------------------------- */

/* The pending space is done: the spaces swap roles, marking starts over. */
static void swap_spaces(inc_ctx *c, bool wait)
{
    c->last.swaps++;
    c->visited ^= 1;
    c->phase = PHASE_MARK;
    c->base = hb__inc_old_size(&c->rc);
    c->waiting = wait && c->rc.gc->threshold[2] > 0;
    c->rc.untracked_gc = ubits(dest_space(c));
    c->roots_done = false;
    c->root_next = 0;
    c->mark_obj = NULL;
    if (c->work > 0)
        c->work = 0; /* a surplus is not saved up; a deficit is carried over */
    c->rc.gc->count[1] = 0;
}

/* CPython 3.14's assess_work_to_do. */
static long assess(inc_ctx *c)
{
    hb_gc *gc = c->rc.gc;
    long scale = gc->threshold[1] < 2 ? 2 : gc->threshold[1];
    long fresh = gc->count[0];
    long floor = gc->threshold[0] > 0 ? gc->threshold[0] : DEFAULT_NEW;
    if (fresh < floor)
        fresh = floor;
    long frac = (long)(hb__inc_old_size(&c->rc) / SCAN_RATE_DIVISOR / (size_t)scale);
    if (frac > 2 * fresh)
        frac = 2 * fresh;
    return fresh + frac;
}

long hb__inc_collect(void *ctx, int g)
{
    inc_ctx *c = ctx;
    hb_rcheap *h = &c->rc;
    hb_gc *gc = h->gc;
    hb_link region;
    hb__list_init(&region);

    hb_inc_probe *p = &c->last;
    p->credit = 0;
    p->marked = p->young = p->pulled = 0;
    if (g == HB_GC_NGEN - 1) {
        /* Full: everything at once; then a new cycle. */
        for (int i = 0; i < HB_NLISTS; i++)
            if (i != HB_GEN_PERMANENT)
                p->pulled += take_list(h, &region, i);
    } else if (g == 1 && c->waiting && c->in_auto && gc->threshold[2] > 0 &&
               hb__inc_old_size(h) <= c->base + c->base / 100 * (size_t)gc->threshold[2]) {
        p->young = hb__inc_splice_young(h, &region); /* the cycle waits: a young collection */
    } else if (g == 1) {
        if (c->waiting) { /* the cycle starts: everything old is pending */
            c->waiting = false;
            h->untracked_gc = ubits(c->visited);
        }
        c->work += c->set->assess != NULL ? c->set->assess(c) : assess(c);
        p->credit = c->work;
        if (c->phase == PHASE_MARK) {
            long young = (long)h->size[0];
            if (c->set->mark_at_once) {
                p->marked = (size_t)mark_step(c, MARK_ALL); /* 3.14: marks in one step */
                c->work -= (long)p->marked;
            } else if (c->work - young > 0) {
                p->marked = (size_t)mark_step(c, c->work - young);
                c->work -= (long)p->marked;
            }
        }
        p->young = hb__inc_splice_young(h, &region);
        c->work -= (long)p->young;
        if (c->phase == PHASE_SCAN) {
            /* Seeds: the pending tracked objects, then the pending untracked
             * ones (a cycle of objects that were all untracked is found
             * from them). */
            const int pend = c->visited ^ 1;
            hb_link *seeds[2] = {&h->lists[tlist(pend)], &h->lists[ulist(pend)]};
            for (int k = 0; k < 2; k++)
                while (c->work > 0 && !hb__list_empty(seeds[k])) {
                    hb_obj *seed = (hb_obj *)(c->set->newest_first ? seeds[k]->prev : seeds[k]->next);
                    size_t n = hb__inc_take_closure(c, &region, seed, SIZE_MAX);
                    p->pulled += n;
                    c->work -= (long)n;
                }
        }
    } else {
        p->young = hb__inc_splice_young(h, &region);
    }
    gc->count[0] = 0;

    size_t n = g == HB_GC_NGEN - 1 ? collect_region(c, &region, true)
                                   : hb__inc_collect_young_region(c, &region, p->young + p->pulled);

    if (g == HB_GC_NGEN - 1) {
        swap_spaces(c, false); /* everything is visited now; a new cycle starts */
        gc->count[2] = 0;
    } else if (g == 1) {
        gc->count[1]++;
        if (c->phase == PHASE_SCAN && hb__list_empty(&h->lists[tlist(c->visited ^ 1)]) &&
            hb__list_empty(&h->lists[ulist(c->visited ^ 1)])) {
            swap_spaces(c, true);
            gc->count[2]++;
        }
    }
    gc->st.gen[g].collections++;
    gc->st.gen[g].collected += gc->last_collected;
    gc->st.gen[g].uncollectable += gc->last_uncollectable;
    return (long)n;
}

static void inc_auto(hb_rcheap *h)
{
    inc_ctx *c = (inc_ctx *)h;
    c->in_auto = true;
    hb__collect(h->gc, 1);
    c->in_auto = false;
}

int hb__inc_probe(hb_gc *gc, hb_inc_probe *out)
{
    if (gc->ops->destroy != hb__inc_destroy)
        return -1;
    inc_ctx *c = gc->ctx;
    *out = c->last;
    out->visited = c->visited;
    out->marking = c->phase == PHASE_MARK;
    out->waiting = c->waiting;
    out->base = c->base;
    out->old = hb__inc_old_size(&c->rc);
    out->gray = c->rc.size[HB_LIST_GRAY];
    return 0;
}

void hb__inc_init(inc_ctx *c, hb_gc *gc, const hb_inc_settings *set)
{
    hb__rc_init(&c->rc, gc, true);
    c->set = set;
    c->rc.auto_collect = inc_auto;
    c->visited = 0;
    c->rc.atoms = true;
    c->scratch.max = SIZE_MAX;
    c->phase = PHASE_MARK;
    c->rc.untracked_gc = ubits(dest_space(c));
    for (int i = 0; i < HB_GC_NGEN; i++)
        gc->threshold[i] = set->threshold[i];
}

/* heapbench's choices (the top comment), and CPython 3.14.0-3.14.4's own
 * settings of the same design: threshold0 2000, cycles back to back
 * (threshold2 0: no growth gate), and marking from the roots in one step
 * at the start of each cycle.  Everything else is the model's (atoms,
 * untracked seeds, the collect(g) meanings, the deficit carried over). */
static const hb_inc_settings inc_heapbench = {"incremental", {700, 10, 25}, false, false, NULL};
static const hb_inc_settings inc_314 = {"incremental-3.14", {2000, 10, 0}, true, false, NULL};

static void *inc_create_with(hb_gc *gc, const hb_inc_settings *set, char *msg, size_t len)
{
    inc_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        hb__fail(msg, len, "%s: out of memory", set->name);
        return NULL;
    }
    hb__inc_init(c, gc, set);
    return c;
}

static void *inc_create(hb_gc *gc, char *msg, size_t len) { return inc_create_with(gc, &inc_heapbench, msg, len); }
static void *inc_create_314(hb_gc *gc, char *msg, size_t len) { return inc_create_with(gc, &inc_314, msg, len); }

void hb__inc_destroy(void *ctx)
{
    inc_ctx *c = ctx;
    hb__rc_destroy(&c->rc);
    hb__vec_free(&c->stack);
    hb__cyc_scratch_free(&c->scratch);
    free(c);
}

int hb__inc_freeze(void *ctx)
{
    inc_ctx *c = ctx;
    hb_rcheap *h = &c->rc;
    for (int i = 0; i < HB_NLISTS; i++) {
        if (i == HB_GEN_PERMANENT)
            continue;
        hb_link *list = &h->lists[i];
        for (hb_link *l = list->next; l != list; l = l->next) {
            hb_obj *o = (hb_obj *)l;
            o->gc = (o->gc & HB_OF_PERSIST) | HB_GEN_PERMANENT;
        }
        hb__list_splice(&h->lists[HB_GEN_PERMANENT], list);
        h->size[HB_GEN_PERMANENT] += h->size[i];
        h->size[i] = 0;
    }
    for (int i = 0; i < HB_GC_NGEN; i++)
        h->gc->count[i] = 0;
    c->phase = PHASE_MARK; /* the gray list is gone: mark again */
    c->roots_done = false;
    c->root_next = 0;
    c->mark_obj = NULL;
    c->work = 0;
    return 0;
}

int hb__inc_unfreeze(void *ctx)
{
    inc_ctx *c = ctx;
    hb_rcheap *h = &c->rc;
    hb_link tmp;
    hb__list_init(&tmp);
    hb__list_splice(&tmp, &h->lists[HB_GEN_PERMANENT]);
    h->size[HB_GEN_PERMANENT] = 0;
    adopt_visited(c, &tmp);
    return 0;
}

int hb__inc_check(void *ctx, char *msg, size_t len)
{
    inc_ctx *c = ctx;
    hb_rcheap *h = &c->rc;
    if (hb__rc_check(h, msg, len) != 0)
        return -1;
    const int v = c->visited;
    if (h->untracked_gc != ubits(dest_space(c)))
        return hb__fail(msg, len, "newborn untracked objects labelled %#lx, visited space %d%s",
                        (unsigned long)h->untracked_gc, v, c->waiting ? " (waiting)" : "");
    if (c->waiting && (c->phase != PHASE_MARK || c->roots_done || h->size[HB_LIST_GRAY] != 0))
        return hb__fail(msg, len, "a waiting cycle has begun marking");
    if (c->phase == PHASE_SCAN && h->size[HB_LIST_GRAY] != 0)
        return hb__fail(msg, len, "%zu gray objects after marking ended", h->size[HB_LIST_GRAY]);
    if (c->set->mark_at_once && c->phase == PHASE_MARK && (c->roots_done || h->size[HB_LIST_GRAY] != 0))
        return hb__fail(msg, len, "marking left unfinished by a collection (%s marks in one step)", c->set->name);
    hb_link *gray = &h->lists[HB_LIST_GRAY];
    for (hb_link *l = gray->next; l != gray; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        uintptr_t want = (o->gc & HB_OF_UNTRACKED) ? (uintptr_t)(2 | v) : (uintptr_t)tlist(v);
        if ((o->gc & HB_OF_GEN_MASK) != want)
            return hb__fail(msg, len, "gray object %p labelled %lu, not the visited space", (void *)o,
                            (unsigned long)(o->gc & HB_OF_GEN_MASK));
    }
    for (int i = 0; i < HB_GC_NGEN; i++)
        if (h->gc->count[i] < 0)
            return hb__fail(msg, len, "count[%d] = %ld < 0", i, h->gc->count[i]);
    return 0;
}

/* What the incremental family's names share: all but name, summary, create. */
#define INC_OPS_COMMON                                                                                     \
    .caps = HB_GC_REFCOUNT | HB_GC_CYCLES | HB_GC_GENERATIONS | HB_GC_INCREMENTAL | HB_GC_FINALIZERS |      \
            HB_GC_WEAKREFS | HB_GC_WEAK_CALLBACKS | HB_GC_GARBAGE_LIST | HB_GC_FREE_HOOK,                  \
    .generations = 3, .destroy = hb__inc_destroy, .new_obj = hb__rc_new, .release = hb__rc_release,         \
    .collect = hb__inc_collect, .freeze = hb__inc_freeze, .unfreeze = hb__inc_unfreeze, .check = hb__inc_check

const hb_collector_ops hb_incremental_ops = {
    .name = "incremental",
    .summary = "CPython 3.14's design: reference counting + young generation and an old one "
               "collected in increments (pending/visited spaces, mark alive), 700/10/25",
    .create = inc_create,
    INC_OPS_COMMON,
};

const hb_collector_ops hb_incremental_314_ops = {
    .name = "incremental-3.14",
    .summary = "the incremental collector with CPython 3.14.0-3.14.4's own settings: 2000/10/0 "
               "(cycles back to back, no growth gate), marking in one step",
    .create = inc_create_314,
    INC_OPS_COMMON,
};
