/*
 * gen_inc.c: gen-inc, a cycle collector over reference counting that is
 * generational and incremental (the design PEP 848 proposes for CPython
 * 3.16): a young generation bounded in bytes, and an old generation
 * examined in increments that alternate with young collections.
 *
 * Structure.  The old generation is incremental.c's: two spaces, pending
 * and visited (tracked lists 1 and 2, untracked lists 4 and 5), a gray list
 * for the marker, atoms on a list no collection examines; gen-inc reuses
 * that machinery (marking, the closure of an increment, trial deletion by
 * generational.c's array-based passes and hb__cyc_finish, untracking), as
 * a settings table (struct hb_inc_settings) and a schedule of its own here.
 * What gen-inc decides, and incremental does not:
 *
 *  1. The trigger is bytes.  An automatic collection runs when the bytes
 *     of containers allocated since the last collection (hb_obj_size of
 *     every object with slots or a traverse function, dead or alive)
 *     exceed threshold0, default YOUNG_BYTES; net object counts (count[0],
 *     what get_count reports) play no part.  Atoms (boxed ints, strings)
 *     do not count, as they do not count toward generational's threshold
 *     (CPython's ints are not GC objects): counted, they made collections
 *     in workloads that have no cycles at all (small-objects: a 1 ms pause
 *     over its list of a million ints, where generational never
 *     collects).  So the young space holds at most threshold0 bytes of
 *     new objects (plus objects a
 *     store tracks again), and a program of large objects is collected as
 *     often, per byte, as one of small ones.  PEP 848 says 24 MB for
 *     CPython; heapbench's heaps are 2-78 MiB and its objects are 40-100 B
 *     where CPython's are 50-1000 B, so 24 MB would make most workloads one
 *     young collection long.  We scale it to 64 KiB: about 1000-1600 of
 *     our objects (generational's 700 objects are about 35 KB here, 3.14's
 *     2000 about 100 KB).  Measured (docs/gc-study.md, scale 0.5, pooled):
 *     cycle-pairs' peak RSS against generational's is 0.99x at 64 KiB,
 *     1.03x at 128 KiB, 1.09x at 256 KiB, 1.76x at 1 MiB and 3.1x at 4 MiB
 *     (garbage cycles wait for the next collection); CPU time differed by
 *     less than this machine's noise between 64 KiB and 4 MiB.
 *  2. Collections alternate: a young collection (generation 0: the young
 *     space alone, survivors to the old generation; skipped, its turn
 *     taken, when no tracked young object is left: containers that died
 *     by reference count leave nothing to examine, and generational's net
 *     count would not have collected either), then an increment
 *     (generation 1: the young space plus a slice of the old generation),
 *     and so on.  A young collection is short (at most threshold0 bytes of
 *     objects), and an increment's slice is capped (below), so that an
 *     automatic pause examines about threshold0 bytes plus MAX_CREDIT
 *     objects, whatever the heap, except where one closure is larger (a
 *     large garbage structure, or a large pending container as a seed:
 *     the closure of an old cycle is never cut; its excess is charged to
 *     later increments).
 *  3. Increments go where garbage is most likely: to the objects promoted
 *     most recently.
 *     - While the old generation has not grown by threshold2 percent (100)
       since the last old cycle ended, there is no cycle (as generational
       waits for growth before a full collection) but the increments
       still run ("recent" increments): each examines, besides the young
       space, the newest objects of the pending space's tracked list (its
       tail: young collections and increments put their survivors there,
       oldest first, so that the tail is in the order of age), without
       closures.  Most increments take what entered the old generation
       since the previous increment (a cycle that outlived one young
       collection is found by the next increment); every MIDDLE_EVERY-th
       (2) takes what the last MIDDLE_INCREMENTS (16) increments added, up
       to MAX_CREDIT: a middle-aged area re-examined, as generational's
       generation 1 re-examines the survivors of ten young collections.
       Measured (scale 0.25, libc, against generational): with the
       promotions of the last increment alone, trash-stream waited 3.9x
       generational's trash and surprise-link 7.7x (a list of 5,000 nodes
       is built over about five increments and dropped: it escaped into
       the old generation and waited for an old cycle); windows of 4 and 8
       increments, every increment, left surprise-link at 7.7x (the
       window must hold a whole dropped list); 16 every 8th or 4th
       increment, 7.7x and 4.9x (a far look finds one list, about 1.5 are
       dropped between two); 10 every 2nd, 7.7x; 16 every 2nd, 0.05x.  The price is CPU time:
       the far looks re-examine up to 6,000 objects per increment (medians
       of 3, user time against generational: trash-stream 2.33x, gcold
       2.00x, ast-build 1.88x, surprise-link 0.84x; every 4th increment:
       1.66x, 1.31x, 1.56x, 0.93x, medians of 2).  Taken without closures:
       with closures (as before) a survivor's closure reached the long-lived
       data (surprise-link's first list, 10,000 nodes), used the budget and
       went back to the tail, to be taken again by every increment.  The
       tail is kept in age order (the objects taken are reversed, the young
       objects put after them): in the order taken, an increment's young
       survivors sat behind what it re-examined, beyond the next
       increment's budget, and a trash-stream ring that was young in an
       increment and died before the next waited for an old cycle (this
       alone took its trash from 385,000 to 71,000 rings at scale 0.2).
     - While an old cycle runs, survivors go to the visited space, where no
       increment of the cycle looks; an automatic young collection then
       also takes the newest tracked objects of the visited space (what the
       last increment added).  Without it, what was promoted during a
       cycle and dropped soon after waited for the next cycle.
     - Once it has grown, an old cycle runs as incremental.c's: marking
 *       from the roots (budgeted), then the pending space in increments,
 *       each seed with the pending objects it reaches (the closure is never
 *       cut: completeness), seeds taken newest first (the tail of the
 *       pending space), so that what was promoted last before the cycle
 *       began is examined first.
 *  4. Work: an increment's credit is fresh + min(old / 10 / threshold1,
 *     2 x fresh), as 3.14's, but `fresh` counts the objects that entered
 *     the old generation since the last increment (young objects of this
 *     collection plus the promotions of the young collection before it),
 *     not a net count, at least MIN_FRESH (1000: so that repeated explicit
 *     collect(1) calls finish a cycle, as incremental's threshold0 floor),
 *     and the credit of one increment is at most
 *     MAX_CREDIT objects (a deficit is carried, as incremental.c does).
 *
 * Soundness: every region is young objects plus old (pending, or during a
 * cycle visited) objects relabelled young; trial deletion is sound over any
 * region (references from outside only keep objects alive), so a recent
 * increment's region, closed or not, costs completeness only.  Completeness comes from the old cycles,
 * whose closures are uncut: every garbage cycle in the old generation is
 * found by the first old cycle that begins after it became garbage.
 *
 * Invariants (gi_check, besides hb__inc_check's: the lists and flags as
 * incremental.c has them, a waiting cycle has not begun marking): the rc
 * heap is in bytes-trigger mode with gen-inc's automatic collection and
 * gen-inc's settings table.  (The promotions counted since the last
 * increment are a budget, not an invariant: promoted objects may die.)
 *
 * collect(0) is a young collection, collect(1) an increment of the old
 * cycle (it starts one if none runs, as incremental's explicit collect(1)),
 * collect(2) a full collection; explicit collections do not change the
 * alternation.  Allocation failure runs a full collection.
 */
#include "internal.h"

#include <stdlib.h>

#ifndef YOUNG_BYTES
#define YOUNG_BYTES (64l << 10) /* threshold0: the young space, in bytes */
#endif
#ifndef GROWTH_PERCENT
#define GROWTH_PERCENT 100l /* threshold2: old-generation growth that starts an old cycle */
#endif
#define MAX_CREDIT 12000l        /* most objects one increment's credit adds */
#define MIN_FRESH 1000l          /* fresh counted as at least this (an explicit collect(1) progresses) */
#define SCAN_RATE_DIVISOR 10     /* as 3.14: a tenth of the heap per threshold1 increments */
#ifndef MIDDLE_INCREMENTS
#define MIDDLE_INCREMENTS 16 /* every MIDDLE_EVERY-th increment re-examines the promotions of this many */
#endif
#ifndef MIDDLE_EVERY
#define MIDDLE_EVERY 2
#endif

typedef struct gi_ctx {
    hb_inc_ctx inc;         /* first: its first member is the rc heap */
    bool next_is_increment; /* the next automatic collection is an increment */
    size_t promoted;        /* objects the young collections moved to the old
                               generation since the last increment */
    size_t middle[MIDDLE_INCREMENTS]; /* promoted, for the last increments (a ring) */
    unsigned middle_next;             /* the ring's oldest entry, overwritten next */
    unsigned increments;              /* increments so far (every MIDDLE_EVERY-th looks further) */
} gi_ctx;

static long gi_assess(hb_inc_ctx *ic)
{
    gi_ctx *c = (gi_ctx *)ic;
    hb_gc *gc = ic->rc.gc;
    long scale = gc->threshold[1] < 2 ? 2 : gc->threshold[1];
    long fresh = (long)(ic->rc.size[0] + c->promoted);
    if (fresh < MIN_FRESH)
        fresh = MIN_FRESH;
    long frac = (long)(hb__inc_old_size(&ic->rc) / SCAN_RATE_DIVISOR / (size_t)scale);
    if (frac > 2 * fresh)
        frac = 2 * fresh;
    long w = fresh + frac;
    return w > MAX_CREDIT ? MAX_CREDIT : w;
}

/* The old generation has not grown enough for a cycle to start.
 * threshold2 is 100 (a cycle when the old generation has doubled), not
 * generational's 25: gen-inc's old generation holds everything that
 * survived one young collection, where generational's long-lived count
 * holds only what survived a generation-1 collection too; at 25, trees
 * built over several young collections and dropped (gcbench) started an
 * old cycle each, and marking them cost gcbench 1.30x generational's CPU
 * time (0.778 against 0.597 s, medians of 2, 128 KiB young space); at
 * 100, 1.06x (128 KiB) and 0.98x (64 KiB).  The recent increments find
 * the cycles that die young meanwhile. */
static bool gate_closed(const hb_inc_ctx *ic)
{
    const hb_gc *gc = ic->rc.gc;
    size_t base = ic->base;
    return ic->waiting && gc->threshold[2] > 0 &&
           hb__inc_old_size(&ic->rc) <= base + base / 100 * (size_t)gc->threshold[2];
}

/* Reverses a list in place.  The objects a recent increment takes from the
 * tail of a space are taken newest first; reversed, and with the young
 * objects after them, the region's survivors go back to the tail oldest
 * first, so that the tail stays in the order of age and the next increment,
 * taking newest first, reaches this one's young survivors before the
 * objects it re-examined.  (In the order taken, the young survivors sat
 * behind the re-examined ones, beyond the next increment's budget: on
 * trash-stream a ring that was young in an increment and died before the
 * next one waited for an old cycle.) */
static void reverse_list(hb_link *list)
{
    hb_link *l = list;
    do {
        hb_link *next = l->next;
        l->next = l->prev;
        l->prev = next;
        l = next;
    } while (l != list);
}

/* Takes up to `budget` objects from the tail of tracked list `t` (newest
 * first) into the region, relabelled young; returns how many. */
static size_t take_tail(hb_rcheap *h, hb_link *region, int t, size_t budget)
{
    hb_link *list = &h->lists[t];
    size_t n = 0;
    while (n < budget && !hb__list_empty(list)) {
        hb_obj *o = (hb_obj *)list->prev;
        hb__list_unlink(&o->link);
        o->gc &= HB_OF_PERSIST;
        hb__list_append(region, &o->link);
        n++;
    }
    h->size[t] -= n;
    return n;
}

/* Records `fresh` (this increment's young objects and the promotions
 * before it) and returns the budget of a recent increment: `fresh`, or on
 * every MIDDLE_EVERY-th increment what the last MIDDLE_INCREMENTS
 * increments added to the old generation; at most MAX_CREDIT. */
static size_t middle_budget(gi_ctx *c, size_t fresh)
{
    c->middle[c->middle_next] = fresh;
    c->middle_next = (c->middle_next + 1) % MIDDLE_INCREMENTS;
    size_t budget = fresh;
    if (++c->increments % MIDDLE_EVERY == 0) {
        budget = 0;
        for (int i = 0; i < MIDDLE_INCREMENTS; i++)
            budget += c->middle[i];
    }
    return budget > (size_t)MAX_CREDIT ? (size_t)MAX_CREDIT : budget;
}

/* Collects the young space plus the newest `budget` tracked objects of
 * space `list` (taken from its tail, no closures), counting the
 * collection as one of generation `gen`. */
static long collect_with_tail(gi_ctx *c, int list, size_t budget, int gen)
{
    hb_inc_ctx *ic = &c->inc;
    hb_rcheap *h = &ic->rc;
    hb_gc *gc = h->gc;
    hb_inc_probe *p = &ic->last;
    hb_link region;
    hb__list_init(&region);
    p->marked = 0;
    p->credit = (long)budget;
    p->pulled = take_tail(h, &region, list, budget);
    reverse_list(&region);
    p->young = hb__inc_splice_young(h, &region);
    gc->count[0] = 0;
    size_t n = hb__inc_collect_young_region(ic, &region, p->young + p->pulled);
    gc->st.gen[gen].collections++;
    gc->st.gen[gen].collected += gc->last_collected;
    gc->st.gen[gen].uncollectable += gc->last_uncollectable;
    return (long)n;
}

/* A recent increment: the young space, plus the newest pending tracked
 * objects (the tail of the pending space's tracked list), as many as the
 * sliding budget (middle_budget) allows, without closures. */
static long recent_increment(gi_ctx *c)
{
    hb_rcheap *h = &c->inc.rc;
    size_t young = h->size[0];
    size_t budget = middle_budget(c, c->promoted + young);
    budget = budget > young ? budget - young : 0; /* this increment's young objects are in the region too */
    return collect_with_tail(c, 1 + (c->inc.visited ^ 1), budget, 1);
}

/* A young collection while an old cycle runs: the young space plus the
 * newest tracked objects of the visited space (where young collections
 * and increments put their survivors during a cycle, and where no
 * increment of this cycle looks), up to the sliding budget.  Without it,
 * a structure promoted during a cycle and dropped soon after waited for
 * the next cycle (trash-stream: most of its rings). */
static long young_with_visited_tail(gi_ctx *c)
{
    size_t budget = c->middle[(c->middle_next + MIDDLE_INCREMENTS - 1) % MIDDLE_INCREMENTS];
    if (budget > (size_t)MAX_CREDIT)
        budget = MAX_CREDIT;
    return collect_with_tail(c, 1 + c->inc.visited, budget, 0);
}

static long gi_collect(void *ctx, int g)
{
    gi_ctx *c = ctx;
    hb_inc_ctx *ic = &c->inc;
    hb_rcheap *h = &ic->rc;
    h->alloc_bytes = 0;
    if (g == 1 && ic->in_auto && gate_closed(ic)) {
        long n = recent_increment(c);
        c->promoted = 0;
        return n;
    }
    if (g == 0 && ic->in_auto && !ic->waiting)
        return young_with_visited_tail(c);
    size_t before = hb__inc_old_size(h);
    if (g == 1)
        middle_budget(c, c->promoted + h->size[0]);
    long n = hb__inc_collect(ctx, g);
    if (g == 0) {
        size_t after = hb__inc_old_size(h);
        c->promoted += after > before ? after - before : 0;
        if (c->promoted > after)
            c->promoted = after;
    } else {
        c->promoted = 0;
    }
    return n;
}

static void gi_auto(hb_rcheap *h)
{
    gi_ctx *c = (gi_ctx *)h;
    int g = c->next_is_increment ? 1 : 0;
    /* Nothing to do: no tracked young object, and (an increment) no old
     * cycle running and nothing promoted since the last increment.  The
     * budget starts over; no collection, no pause. */
    if (h->size[0] == 0 && (g == 0 || (c->promoted == 0 && gate_closed(&c->inc)))) {
        h->alloc_bytes = 0;
        c->next_is_increment = !c->next_is_increment;
        return;
    }
    c->next_is_increment = !c->next_is_increment;
    c->inc.in_auto = true;
    hb__collect(h->gc, g);
    c->inc.in_auto = false;
}

static const hb_inc_settings gi_settings = {"gen-inc", {YOUNG_BYTES, 10, GROWTH_PERCENT}, false, true, gi_assess};

static void *gi_create(hb_gc *gc, char *msg, size_t len)
{
    gi_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        hb__fail(msg, len, "gen-inc: out of memory");
        return NULL;
    }
    hb__inc_init(&c->inc, gc, &gi_settings);
    c->inc.rc.auto_collect = gi_auto;
    c->inc.rc.bytes_trigger = true;
    return c;
}

static int gi_check(void *ctx, char *msg, size_t len)
{
    gi_ctx *c = ctx;
    hb_rcheap *h = &c->inc.rc;
    if (hb__inc_check(ctx, msg, len) != 0)
        return -1;
    if (!h->bytes_trigger || h->auto_collect != gi_auto)
        return hb__fail(msg, len, "gen-inc: not triggered by bytes");
    if (c->inc.set != &gi_settings)
        return hb__fail(msg, len, "gen-inc: settings table is not gen-inc's");
    return 0;
}

const hb_collector_ops hb_gen_inc_ops = {
    .name = "gen-inc",
    .summary = "generational and incremental (PEP 848): reference counting + a young space of 64 KiB "
               "(bytes trigger), young collections alternating with increments of the old generation, "
               "recently promoted first",
    .caps = HB_GC_REFCOUNT | HB_GC_CYCLES | HB_GC_GENERATIONS | HB_GC_INCREMENTAL | HB_GC_FINALIZERS |
            HB_GC_WEAKREFS | HB_GC_WEAK_CALLBACKS | HB_GC_GARBAGE_LIST | HB_GC_FREE_HOOK,
    .generations = 3,
    .create = gi_create,
    .destroy = hb__inc_destroy,
    .new_obj = hb__rc_new,
    .release = hb__rc_release,
    .collect = gi_collect,
    .freeze = hb__inc_freeze,
    .unfreeze = hb__inc_unfreeze,
    .check = gi_check,
};
