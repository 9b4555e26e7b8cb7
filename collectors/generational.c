/*
 * generational.c: CPython's cycle collector over reference counting.
 *
 * Three generations (lists 0..2 of struct hb_rcheap) and a permanent one
 * (list 3, freeze).  New objects go to generation 0; gc->count[0] counts
 * allocations minus deallocations and an automatic collection runs when it
 * exceeds threshold 0 (700).  A collection of generation g examines
 * generations 0..g merged into one private list (`young`), each object
 * flagged HB_OF_COLLECTING, and:
 *   1. update_refs: gc_refs := refcnt;
 *   2. subtract_refs: gc_refs -= references from other objects of young;
 *      what remains counts references from outside (handles, older
 *      generations, the garbage list);
 *   3. move_unreachable: one pass over young in list order; an object with
 *      gc_refs > 0 is reachable and so is everything it reaches (children
 *      already moved to `unreachable` come back at the tail of young, and
 *      are scanned in turn: an iterative graph walk with no stack); one
 *      with gc_refs 0 moves to `unreachable` for now;
 *   4. survivors are promoted: young is spliced onto generation g+1 (g if
 *      g is the oldest), except those that cannot be in a cycle with a
 *      tracked object (their slots hold NULL or untracked objects), which
 *      go to the untracked list, as CPython untracks tuples of atoms;
 *   5. legacy finalizers (tp_del) and all they reach leave `unreachable`
 *      for the garbage list (uncollectable);
 *   6. weak links to the remaining unreachable objects are cleared; the
 *      callbacks of weak references that are not themselves unreachable
 *      run after all the clearing;
 *   7. PEP 442: tp_finalize runs once for each unreachable object not yet
 *      finalized; then steps 1-3 run again over `unreachable`: what a
 *      finalizer resurrected (and what it reaches) moves to the old
 *      generation;
 *   8. the rest is freed by clearing each object's slots under a temporary
 *      reference: reference counting does the freeing.
 * gc_refs lives in the high bits of hb_obj.gc, the flags in the low bits,
 * so steps 1-3 touch one word per object.  Objects freed by reference
 * counting during steps 6-8 unlink themselves from whichever list.
 *
 * Untracked objects: young collections treat them as they treat older
 * generations (outside the set; their references count as external), so
 * an acyclic structure that survives one young collection is not examined
 * again until a full collection: binary-trees and gcbench build large
 * acyclic trees that would otherwise be scanned once per generation.  As
 * our objects are mutable, hb_set tracks an untracked object again when it
 * stores a reference in it (CPython does this for dicts), and full
 * collections examine the untracked list too, so that a cycle closed
 * through an object untracked earlier is still found: a full collection
 * remains exact.  The long-lived heuristic counts them in the total.  An
 * object is untracked by young collections at most once
 * (HB_OF_UNTRACKED_ONCE): one tracked again afterwards is promoted as any
 * other and untracked again only by full collections, or a container that
 * keeps growing would be rescanned whole by every young collection, a
 * quadratic cost (CPython untracks dicts only in full collections for
 * this reason).
 *
 * Long-lived heuristic (CPython's): a generation-2 collection requested by
 * the thresholds runs only when long_lived_pending > long_lived_total / 4.
 * long_lived_total is the size of generation 2 and the untracked list after
 * the last full collection; long_lived_pending counts the objects that generation-1
 * collections promoted since then (HB_OF_PENDING) and that are still alive:
 * unlike CPython, an object that dies by reference count stops waiting for
 * a full collection, so acyclic churn that reaches generation 2 and dies
 * there does not bring full collections on.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct gen_ctx {
    hb_rcheap rc; /* first: the core's reference counting reads it */
    size_t long_lived_total;   /* survivors of the last full collection */
    hb_cyc_scratch scratch;    /* of the array-based passes */
    /* long_lived_pending (in rc): objects promoted to gen 2 since then and
     * still alive */
} gen_ctx;

/* ---- trial deletion ------------------------------------------------------------------ */

void hb__cyc_update_refs(hb_link *list)
{
    for (hb_link *l = list->next; l != list; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        o->gc = ((uintptr_t)o->refcnt << HB_OF_BITS) | (o->gc & HB_OF_PERSIST) | HB_OF_COLLECTING;
    }
}

static void visit_decref(hb_obj *c, void *arg)
{
    (void)arg;
    if (c != NULL && (c->gc & HB_OF_COLLECTING))
        c->gc -= HB_REFS_ONE;
}

void hb__cyc_subtract_refs(hb_link *list)
{
    for (hb_link *l = list->next; l != list; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        HB_FOR_EACH_CHILD(o, c, {
            if (c->gc & HB_OF_COLLECTING)
                c->gc -= HB_REFS_ONE;
        }, visit_decref, NULL);
    }
}

typedef struct reach_arg {
    hb_link *list;
} reach_arg;

static inline void reach(hb_obj *c, hb_link *list)
{
    uintptr_t g = c->gc;
    if (!(g & HB_OF_COLLECTING))
        return; /* outside the set, or already scanned */
    if (g & HB_OF_UNREACHABLE) {
        /* Tentatively unreachable: back to the tail of the list, to scan. */
        hb__list_move(list, &c->link);
        c->gc = (g & (HB_OF_PERSIST | HB_OF_COLLECTING)) | HB_REFS_ONE;
    } else if ((g >> HB_OF_BITS) == 0) {
        c->gc = g | HB_REFS_ONE; /* not scanned yet: will be, as reachable */
    }
}

static void visit_reach(hb_obj *c, void *arg)
{
    if (c != NULL)
        reach(c, ((reach_arg *)arg)->list);
}

struct mark_arg {
    hb_obj **stack;
    size_t *top;
};

static void visit_mark(hb_obj *ch, void *arg)
{
    struct mark_arg *ma = arg;
    if (ch != NULL && (ch->gc & (HB_OF_COLLECTING | HB_OF_MARK)) == HB_OF_COLLECTING) {
        ch->gc = (ch->gc & (HB_REFS_ONE - 1)) | HB_OF_MARK; /* gc_refs: next slot 0 */
        ma->stack[(*ma->top)++] = ch;
    }
}

size_t hb__cyc_move_unreachable(hb_link *list, hb_link *unreachable, uintptr_t bits)
{
    size_t kept = 0;
    reach_arg ra = {list};
    hb_link *l = list->next;
    while (l != list) {
        hb_obj *o = (hb_obj *)l;
        hb_link *next = l->next;
        __builtin_prefetch(next->next);
        if (o->gc >> HB_OF_BITS) {
            HB_FOR_EACH_CHILD(o, c, { reach(c, list); }, visit_reach, &ra);
            o->gc = (o->gc & HB_OF_PERSIST) | bits; /* done: clean */
            kept++;
            l = l->next; /* re-read: reach() may have appended after o */
        } else {
            hb__list_move(unreachable, l);
            o->gc |= HB_OF_UNREACHABLE;
            l = next;
        }
    }
    return kept;
}

/*
 * The same three steps over an array, with the untracking of step 4: one
 * walk of the list fills `vec` and does steps 1 and 2 together (membership
 * of a child comes from its generation bits), untracking at once what a
 * young collection need not examine; the later passes read the array,
 * whose loads do not depend on each other as a list walk's do (the
 * processor overlaps their cache misses).  Reachability is a depth-first
 * walk from the objects with gc_refs > 0 that also decides which
 * survivors leave for the untracked list; a last pass relinks the three
 * lists.  Returns the survivors that stay tracked (left in `list`), or
 * (size_t)-1 when the scratch arrays cannot grow (the caller then uses the
 * list-based steps on what is still in `list`).
 */
static void visit_fused(hb_obj *ch, void *arg)
{
    uintptr_t cg = ch->gc, gmax = *(uintptr_t *)arg;
    if (!(cg & HB_OF_COLLECTING)) {
        if ((cg & HB_OF_GEN_MASK) > gmax)
            return;
        cg = ((uintptr_t)ch->refcnt << HB_OF_BITS) | (cg & HB_OF_PERSIST) | HB_OF_COLLECTING;
    }
    ch->gc = cg - HB_REFS_ONE;
}

static bool grow_scratch(hb_cyc_scratch *c, size_t cap)
{
    if (cap > c->max)
        return false;
    hb_obj **v = realloc(c->vec, cap * sizeof *v);
    if (v == NULL)
        return false;
    c->vec = v;
    hb_obj **st = realloc(c->stack, cap * sizeof *st);
    if (st == NULL)
        return false;
    c->stack = st;
    c->vcap = cap;
    return true;
}

size_t hb__cyc_find_unreachable_vec(hb_cyc_scratch *c, hb_rcheap *h, hb_link *list, size_t n, int g, bool young,
                                    hb_link *unreachable, uintptr_t bits, int ulist_at, uintptr_t ubits)
{
    if (n + 1024 > c->vcap && !grow_scratch(c, n + n / 2 + 1024))
        return (size_t)-1;
    hb_obj **v = c->vec, **stack = c->stack;
    size_t k = 0;
    /* Steps 1 and 2 fused: the set is generations 0..g, so membership is
     * known from a child's generation bits before the child was reached;
     * an object's gc_refs is set from refcnt the first time it is met
     * (HB_OF_COLLECTING marks it set), as a member or as a child. */
    uintptr_t gmax = (uintptr_t)g;
    hb_link *ulist = &h->lists[ulist_at];
    for (hb_link *l = list->next, *next; l != list; l = next) {
        hb_obj *o = (hb_obj *)l;
        next = l->next;
        /* The list-based steps redo everything from the list: safe to
         * fall back to them from here. */
        if (k == c->vcap && !grow_scratch(c, k + k / 2 + 1024))
            return (size_t)-1;
        __builtin_prefetch((char *)o + 512); /* allocation order is mostly address order */
        const hb_type *t = o->type;
        if (t->traverse == NULL) {
            /* Untracked at once (young collections): an object whose slots
             * hold only untracked objects is in no cycle, so trial deletion
             * loses nothing by skipping it (if it is garbage, it hangs off
             * garbage that this collection frees, and reference counting
             * frees it then); children first in list order, so a structure
             * whose edges were stored bottom-up goes in one walk.  Not
             * those the collection must see as unreachable themselves:
             * finalizers (step 7 runs them before any cycle is broken) and
             * weakly referenced objects (step 6 clears those links first).
             * Nothing was subtracted for such an object's slots. */
            bool early = young && t->tp_finalize == NULL && t->tp_del == NULL &&
                         !(o->gc & (HB_OF_WEAKREFS | HB_OF_WEAKREF | HB_OF_UNTRACKED_ONCE));
            if (!(o->gc & HB_OF_COLLECTING))
                o->gc = ((uintptr_t)o->refcnt << HB_OF_BITS) | (o->gc & HB_OF_PERSIST) | HB_OF_COLLECTING;
            hb_obj **sl = o->slots, **end = sl + o->nslots;
            for (; sl < end; sl++) {
                hb_obj *ch = *sl;
                if (ch == NULL)
                    continue;
                uintptr_t cg = ch->gc;
                if (!(cg & HB_OF_COLLECTING)) {
                    if ((cg & HB_OF_GEN_MASK) > gmax) {
                        if (!(cg & HB_OF_UNTRACKED))
                            early = false;
                        continue; /* older: outside the set */
                    }
                    cg = ((uintptr_t)ch->refcnt << HB_OF_BITS) | (cg & HB_OF_PERSIST) | HB_OF_COLLECTING;
                }
                early = false;
                ch->gc = cg - HB_REFS_ONE;
            }
            if (early) {
                o->gc = (o->gc & HB_OF_PERSIST) | ubits;
                hb__list_move(ulist, l);
                h->size[ulist_at]++; /* now: the fallback may take over */
                continue;
            }
        } else {
            if (!(o->gc & HB_OF_COLLECTING))
                o->gc = ((uintptr_t)o->refcnt << HB_OF_BITS) | (o->gc & HB_OF_PERSIST) | HB_OF_COLLECTING;
            t->traverse(o, visit_fused, &gmax);
        }
        c->vec[k++] = o;
    }
    v = c->vec;
    stack = c->stack;
    /* Step 3 and the untracking of survivors: a depth-first walk from
     * each object with gc_refs > 0 that finishes an object after its
     * children.  A reached object's gc_refs are not needed any more: they
     * hold the index of its next slot to visit.  An object is untracked
     * when it is of the default layout (a traverse function may hold
     * references that hb_set does not see), not a weak reference, not
     * (in a young collection) untracked once before, and every slot holds
     * NULL or an object untracked by then; anything else
     * (a tracked object outside the set or finished tracked, one on the
     * walk's path: a cycle) sets BLOCKED, and so does a child that
     * finishes tracked on the parent below it on the stack.  Each object
     * is pushed once, when marked: top < k. */
    enum { BLOCKED = HB_OF_PENDING }; /* PENDING is clear during the walk */
    const uintptr_t low = HB_REFS_ONE - 1;
    for (size_t i = 0; i < k; i++) {
        hb_obj *o = v[i];
        if ((o->gc >> HB_OF_BITS) == 0 || (o->gc & HB_OF_MARK))
            continue;
        o->gc = (o->gc & low) | HB_OF_MARK;
        size_t top = 0;
        stack[top++] = o;
        while (top > 0) {
            hb_obj *p = stack[top - 1];
            uintptr_t pg = p->gc, j = pg >> HB_OF_BITS;
            if (p->type->traverse == NULL) {
                hb_obj *push = NULL;
                for (uintptr_t ns = p->nslots; j < ns; j++) {
                    hb_obj *ch = p->slots[j];
                    if (ch == NULL)
                        continue;
                    uintptr_t cg = ch->gc;
                    if ((cg & (HB_OF_COLLECTING | HB_OF_MARK)) == HB_OF_COLLECTING) {
                        push = ch;
                        j++;
                        break;
                    }
                    if (!(cg & HB_OF_UNTRACKED))
                        pg |= BLOCKED;
                }
                p->gc = (pg & low) | (j << HB_OF_BITS);
                if (push != NULL) {
                    push->gc = (push->gc & low) | HB_OF_MARK;
                    stack[top++] = push;
                    continue;
                }
            } else if (j == 0) {
                p->gc = (p->gc + HB_REFS_ONE) | BLOCKED;
                struct mark_arg ma = {stack, &top};
                p->type->traverse(p, visit_mark, &ma);
                continue;
            }
            top--;
            if ((p->gc & (BLOCKED | HB_OF_WEAKREF)) || (young && (p->gc & HB_OF_UNTRACKED_ONCE))) {
                p->gc = (p->gc & HB_OF_PERSIST) | bits;
                if (top > 0)
                    stack[top - 1]->gc |= BLOCKED;
            } else {
                p->gc = (p->gc & HB_OF_PERSIST) | ubits;
            }
        }
    }
    /* Relink: `list` holds exactly v[0 .. k); each object is appended to
     * the survivors (still `list`), the untracked list or `unreachable`,
     * in list order, with no unlinking. */
    size_t kept = 0, nu = 0;
    hb_link *yt = list, *ut = ulist->prev, *rt = unreachable->prev;
    for (size_t i = 0; i < k; i++) {
        hb_obj *o = v[i];
        hb_link *l = &o->link;
        uintptr_t og = o->gc;
        if (og & HB_OF_COLLECTING) { /* never reached */
            o->gc = (og & (HB_OF_PERSIST | HB_OF_COLLECTING)) | HB_OF_UNREACHABLE;
            rt->next = l;
            l->prev = rt;
            rt = l;
        } else if (og & HB_OF_UNTRACKED) {
            ut->next = l;
            l->prev = ut;
            ut = l;
            nu++;
        } else {
            yt->next = l;
            l->prev = yt;
            yt = l;
            kept++;
        }
    }
    yt->next = list;
    list->prev = yt;
    ut->next = ulist;
    ulist->prev = ut;
    rt->next = unreachable;
    unreachable->prev = rt;
    h->size[ulist_at] += nu;
    return kept;
}

/* ---- the collection ---------------------------------------------------------------------- */

/* Moves into `to` everything in `from` reachable from the objects of `to`
 * (the legacy finalizers and what they reach).  `to` is scanned as a work
 * list: appended objects are scanned in turn. */
static void move_reachable_from(hb_link *to)
{
    for (hb_link *l = to->next; l != to; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        for (uint32_t i = 0; i < o->nslots; i++) {
            hb_obj *c = o->slots[i];
            if (c != NULL && (c->gc & HB_OF_UNREACHABLE)) {
                c->gc &= ~(uintptr_t)HB_OF_UNREACHABLE;
                hb__list_move(to, &c->link);
            }
        }
    }
}

/* Splices `list` onto list `at`, each object's state its persistent flags
 * and `bits`. */
static size_t adopt_bits(hb_rcheap *h, hb_link *list, int at, uintptr_t bits)
{
    size_t n = 0;
    for (hb_link *l = list->next; l != list; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        o->gc = (o->gc & HB_OF_PERSIST) | bits;
        n++;
    }
    hb__list_splice(&h->lists[at], list);
    h->size[at] += n;
    return n;
}

/* Splices `list` onto generation `gen`, setting each object's state. */
static size_t adopt(hb_rcheap *h, hb_link *list, int gen) { return adopt_bits(h, list, gen, (uintptr_t)gen); }

static size_t list_len(const hb_link *list)
{
    size_t n = 0;
    for (const hb_link *l = list->next; l != list; l = l->next)
        n++;
    return n;
}

/*
 * Steps 5 to 8 over `unreachable` (what steps 1-3 found; flags
 * HB_OF_COLLECTING | HB_OF_UNREACHABLE): legacy finalizers and what they
 * reach go to the garbage list and to list `old` (generation bits `bits`);
 * weak links are cleared and their callbacks run; PEP 442 finalizers run and
 * what they resurrected joins list `old`; the rest is freed.  Returns how
 * many were unreachable (collected), *uncollectable how many went to the
 * garbage list.  Shared by generational and incremental.
 */
size_t hb__cyc_finish(hb_rcheap *h, hb_link *unreachable, int old, uintptr_t bits, size_t *uncollectable)
{
    hb_gc *gc = h->gc;
    hb_link legacy;
    hb__list_init(&legacy);
    /* 5: legacy finalizers and what they reach are uncollectable. */
    bool finalizers = false;
    for (hb_link *l = unreachable->next, *next; l != unreachable; l = next) {
        hb_obj *o = (hb_obj *)l;
        next = l->next;
        if (o->type->tp_del != NULL) {
            o->gc &= ~(uintptr_t)HB_OF_UNREACHABLE;
            hb__list_move(&legacy, l);
        } else if (o->type->tp_finalize != NULL && !(o->gc & HB_OF_FINALIZED)) {
            finalizers = true;
        }
    }
    size_t n_uncollectable = 0;
    if (!hb__list_empty(&legacy)) {
        move_reachable_from(&legacy);
        for (hb_link *l = legacy.next; l != &legacy; l = l->next)
            if (hb__vec_push(&gc->garbage, (hb_obj *)l) == 0)
                hb__incref((hb_obj *)l);
        n_uncollectable = adopt_bits(h, &legacy, old, bits);
    }
    size_t m = list_len(unreachable);

    /* 6: clear weak links to the trash, then run the callbacks. */
    for (hb_link *l = unreachable->next; l != unreachable; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        if (o->gc & HB_OF_WEAKREFS)
            hb__weak_clear(gc, o, HB_OF_UNREACHABLE, HB_OF_UNREACHABLE);
    }
    hb__weak_run_callbacks(gc);

    /* 7: PEP 442 finalizers, then whatever they resurrected survives. */
    if (finalizers) {
        hb_link seen;
        hb__list_init(&seen);
        while (!hb__list_empty(unreachable)) {
            hb_obj *o = (hb_obj *)unreachable->next;
            hb__list_move(&seen, &o->link);
            if (o->type->tp_finalize != NULL && !(o->gc & HB_OF_FINALIZED)) {
                o->refcnt++;
                hb__run_finalizer(gc, o, false);
                hb__decref(h, o); /* may free it: it unlinks itself */
            }
        }
        hb__list_splice(unreachable, &seen);
        hb_link resurrected;
        hb__list_init(&resurrected);
        hb__list_splice(&resurrected, unreachable);
        hb__cyc_update_refs(&resurrected);
        hb__cyc_subtract_refs(&resurrected);
        size_t back = hb__cyc_move_unreachable(&resurrected, unreachable, bits);
        hb__list_splice(&h->lists[old], &resurrected);
        h->size[old] += back;
    }

    /* 8: free the rest: clearing slots lets reference counting free it. */
    while (!hb__list_empty(unreachable)) {
        hb_obj *o = (hb_obj *)unreachable->next;
        o->refcnt++;
        for (uint32_t i = 0; i < o->nslots; i++) {
            hb_obj *ch = o->slots[i];
            if (ch != NULL) {
                o->slots[i] = NULL;
                hb__decref(h, ch);
            }
        }
        hb__decref(h, o); /* usually frees it, which unlinks it */
        if (unreachable->next == &o->link) {
            /* Still here: someone else holds it; it survives (it may die later). */
            hb__list_move(&h->lists[old], &o->link);
            o->gc = (o->gc & HB_OF_PERSIST) | bits;
            h->size[old]++;
        }
    }

    *uncollectable = n_uncollectable;
    return m;
}

static long gen_collect(void *ctx, int g)
{
    gen_ctx *c = ctx;
    hb_rcheap *h = &c->rc;
    hb_gc *gc = h->gc;
    int old = g + 1 < HB_GC_NGEN ? g + 1 : g;
    hb_link young, unreachable;
    hb__list_init(&young);
    hb__list_init(&unreachable);

    if (g + 1 < HB_GC_NGEN)
        gc->count[g + 1]++;
    size_t nyoung = 0;
    for (int i = 0; i <= g; i++) {
        gc->count[i] = 0;
        nyoung += h->size[i];
        hb__list_splice(&young, &h->lists[i]);
        h->size[i] = 0;
    }
    if (g == HB_GC_NGEN - 1) { /* full: the untracked objects too */
        nyoung += h->size[HB_LIST_UNTRACKED];
        hb__list_splice(&young, &h->lists[HB_LIST_UNTRACKED]);
        h->size[HB_LIST_UNTRACKED] = 0;
    }

    /* 1-3: find what is unreachable from outside young. */
    uintptr_t bits = (uintptr_t)old | (g == HB_GC_NGEN - 2 ? HB_OF_PENDING : 0);
    const uintptr_t ubits = HB_OF_UNTRACKED | HB_OF_UNTRACKED_ONCE | (uintptr_t)(HB_GC_NGEN - 1);
    size_t survivors = hb__cyc_find_unreachable_vec(&c->scratch, h, &young, nyoung, g, g < HB_GC_NGEN - 1,
                                                    &unreachable, bits, HB_LIST_UNTRACKED, ubits);
    if (survivors == (size_t)-1) {
        hb__cyc_update_refs(&young);
        hb__cyc_subtract_refs(&young);
        survivors = hb__cyc_move_unreachable(&young, &unreachable, bits);
    }
    hb__list_splice(&h->lists[old], &young);
    h->size[old] += survivors;
    if (g == HB_GC_NGEN - 2)
        h->long_lived_pending += survivors;

    size_t n_uncollectable = 0;
    size_t m = hb__cyc_finish(h, &unreachable, old, (uintptr_t)old, &n_uncollectable);

    if (g == HB_GC_NGEN - 1) {
        h->long_lived_pending = 0; /* every survivor's flag was cleared */
        c->long_lived_total = h->size[old] + h->size[HB_LIST_UNTRACKED];
    }
    gc->st.gen[g].collections++;
    gc->st.gen[g].collected += m;
    gc->st.gen[g].uncollectable += n_uncollectable;
    gc->last_collected = m;
    gc->last_uncollectable = n_uncollectable;
    return (long)(m + n_uncollectable);
}

/* CPython's collect_generations: the oldest generation over its threshold
 * (called by hb__rc_new when count[0] exceeds threshold[0]). */
void hb__gen_auto(hb_rcheap *h)
{
    gen_ctx *c = (gen_ctx *)h; /* rc is the first member */
    hb_gc *gc = h->gc;
    for (int i = HB_GC_NGEN - 1; i >= 0; i--) {
        if (gc->count[i] > gc->threshold[i]) {
            if (i == HB_GC_NGEN - 1 && !(h->long_lived_pending > c->long_lived_total / 4))
                continue;
            hb__collect(gc, i);
            break;
        }
    }
}

void hb__cyc_scratch_free(hb_cyc_scratch *s)
{
    free(s->vec);
    free(s->stack);
    s->vec = s->stack = NULL;
    s->vcap = 0;
}

static void *gen_create(hb_gc *gc, char *msg, size_t len)
{
    gen_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        hb__fail(msg, len, "generational: out of memory");
        return NULL;
    }
    hb__rc_init(&c->rc, gc, true);
    c->rc.auto_collect = hb__gen_auto;
    c->scratch.max = SIZE_MAX;
    gc->threshold[0] = 700;
    gc->threshold[1] = 10;
    gc->threshold[2] = 10;
    return c;
}

extern const hb_collector_ops hb_generational_ops;

void hb__gen_scratch_limit(hb_gc *gc, size_t max_objects)
{
    if (gc->ops == &hb_generational_ops)
        ((gen_ctx *)gc->ctx)->scratch.max = max_objects;
}

static void gen_destroy(void *ctx)
{
    gen_ctx *c = ctx;
    hb__rc_destroy(&c->rc);
    hb__cyc_scratch_free(&c->scratch);
    free(c);
}

static int gen_freeze(void *ctx)
{
    hb_rcheap *h = &((gen_ctx *)ctx)->rc;
    for (int i = 0; i < HB_NLISTS; i++) {
        if (i == HB_GEN_PERMANENT)
            continue;
        hb_link tmp;
        hb__list_init(&tmp);
        hb__list_splice(&tmp, &h->lists[i]);
        h->size[i] = 0;
        adopt(h, &tmp, HB_GEN_PERMANENT);
        if (i < HB_GC_NGEN)
            h->gc->count[i] = 0;
    }
    h->long_lived_pending = 0; /* adopt cleared the flags */
    return 0;
}

static int gen_unfreeze(void *ctx)
{
    hb_rcheap *h = &((gen_ctx *)ctx)->rc;
    hb_link tmp;
    hb__list_init(&tmp);
    hb__list_splice(&tmp, &h->lists[HB_GEN_PERMANENT]);
    h->size[HB_GEN_PERMANENT] = 0;
    adopt(h, &tmp, HB_GC_NGEN - 1);
    return 0;
}

static int gen_check(void *ctx, char *msg, size_t len)
{
    gen_ctx *c = ctx;
    if (hb__rc_check(&c->rc, msg, len) != 0)
        return -1;
    for (int i = 0; i < HB_GC_NGEN; i++)
        if (c->rc.gc->count[i] < 0)
            return hb__fail(msg, len, "count[%d] = %ld < 0", i, c->rc.gc->count[i]);
    return 0;
}

const hb_collector_ops hb_generational_ops = {
    .name = "generational",
    .summary = "CPython's design: reference counting + 3-generation cycle collector (700/10/10), PEP 442 finalizers",
    .caps = HB_GC_REFCOUNT | HB_GC_CYCLES | HB_GC_GENERATIONS | HB_GC_FINALIZERS | HB_GC_WEAKREFS |
            HB_GC_WEAK_CALLBACKS | HB_GC_GARBAGE_LIST | HB_GC_FREE_HOOK,
    .generations = 3,
    .create = gen_create,
    .destroy = gen_destroy,
    .new_obj = hb__rc_new,
    .release = hb__rc_release,
    .collect = gen_collect,
    .freeze = gen_freeze,
    .unfreeze = gen_unfreeze,
    .check = gen_check,
};
