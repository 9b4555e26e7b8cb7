/*
 * fuzz_gc.c: libFuzzer harness for the collectors, against an independent
 * reachability model.
 *
 * Input: byte 0 picks the collector (refcount, generational, marksweep,
 * incremental: byte 0 % 4; or the one HB_FUZZ_GC_COLLECTOR names: ctest replays
 * the corpus under incremental-3.14 and gen-inc so) and the allocator under it (libc mostly, so that
 * AddressSanitizer sees every object block; pooled one time in four); then three bytes per operation:
 * new object with k slots, set a slot of a reachable object to another
 * reachable object or NULL, push / drop / rebind handles, enter / leave
 * (and leave-keep) scopes, collect generation 0, 1 or full, weak reference
 * create / read / read-and-push, thresholds, enable / disable.
 *
 * The model mirrors the shadow stack (handle -> object id) and every
 * object's slots.  Objects carry their id in their raw bytes.  The free hook
 * marks objects dead and fails if the model says the object is reachable
 * from the handles.  After every operation:
 *  - every handle and every slot of every live object holds what the model
 *    says; every live object's id is readable (AddressSanitizer catches a
 *    freed one); no live object points at a dead one;
 *  - reference counting collectors (refcount, generational, incremental): hb_refcount is
 *    the number of handles plus slots of live objects naming the object, and
 *    it is > 0: acyclic garbage is freed at once;
 *  - a weak reference reads as its target while the target is alive, NULL
 *    once it died;
 * and after every explicit full collection: generational, incremental and marksweep
 * freed every unreachable object (the live set equals the reachable set),
 * the collection returned the number it freed; refcount freed nothing and
 * reports the unreachable ones (leaked cycles) as leaked_objects;
 * live_objects matches; hb_gc_check passes (also every CHECK_EVERY ops).
 *
 * Boehm is not fuzzed: it is conservative (it may keep unreachable objects,
 * so the freed set cannot be asserted), it owns its heap (no free hook), and
 * libgc's stack and heap scanning is unreliable under AddressSanitizer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "fuzz_common.h"

#define MAX_OBJS 384
#define MAX_SLOTS 4
#define MAX_HANDLES 512
#define MAX_DEPTH 32
#define MAX_OPS 2048
#define CHECK_EVERY 16

static const char *const collectors[] = {"refcount", "generational", "marksweep", "incremental"};

static const hb_type node_type = {"fuzz-node", NULL, NULL, NULL};

typedef struct mobj {
    hb_obj *o;      /* while alive */
    uint32_t nslots;
    int slot[MAX_SLOTS]; /* model ids, -1 for NULL */
    int target;     /* weak references: the referent's id, -1 once cleared */
    bool weakref, dead, reach;
} mobj;

typedef struct model {
    hb_gc *gc;
    hb_alloc a;
    const char *name;
    bool rc; /* reference counting */
    mobj obj[MAX_OBJS];
    int nobj;
    int handle[MAX_HANDLES];
    size_t nh;
    size_t scope[MAX_DEPTH];
    int depth;
    int reach_list[MAX_OBJS];
    int nreach;
    int frees;        /* free hook calls since the last reset */
    int in_collect;   /* between START and STOP callbacks */
    int frees_at_start;
    int live;
} model;

static int64_t object_id(hb_obj *o)
{
    int64_t id;
    memcpy(&id, hb_bytes(o), sizeof id);
    return id;
}

/* Marks what the handles reach; fills reach_list. */
static void compute_reach(model *m)
{
    int stack[MAX_OBJS];
    int sp = 0;
    m->nreach = 0;
    for (int i = 0; i < m->nobj; i++)
        m->obj[i].reach = false;
    for (size_t h = 0; h < m->nh; h++) {
        int id = m->handle[h];
        if (id >= 0 && !m->obj[id].reach) {
            m->obj[id].reach = true;
            stack[sp++] = id;
        }
    }
    while (sp > 0) {
        int id = stack[--sp];
        mobj *x = &m->obj[id];
        if (x->dead)
            FUZZ_FAIL("%s: object %d is reachable in the model but was freed", m->name, id);
        m->reach_list[m->nreach++] = id;
        for (uint32_t s = 0; s < x->nslots; s++) {
            int c = x->slot[s];
            if (c >= 0 && !m->obj[c].reach) {
                m->obj[c].reach = true;
                stack[sp++] = c;
            }
        }
    }
}

static void on_free(hb_gc *gc, hb_obj *o, void *arg)
{
    model *m = arg;
    (void)gc;
    int id = -1;
    for (int i = 0; i < m->nobj; i++)
        if (!m->obj[i].dead && m->obj[i].o == o) {
            id = i;
            break;
        }
    if (id < 0)
        FUZZ_FAIL("%s: free hook called for %p, which is no live object of the model", m->name, (void *)o);
    mobj *x = &m->obj[id];
    if (!x->weakref && object_id(o) != id)
        FUZZ_FAIL("%s: object %d freed with id %lld in its bytes", m->name, id, (long long)object_id(o));
    if (x->reach)
        FUZZ_FAIL("%s: object %d freed while reachable from the handles", m->name, id);
    x->dead = true;
    x->o = NULL;
    m->frees++;
    m->live--;
    for (int i = 0; i < m->nobj; i++)
        if (m->obj[i].weakref && m->obj[i].target == id)
            m->obj[i].target = -1;
}

static void on_collect(hb_gc *gc, hb_gc_phase phase, const hb_gc_info *info, void *arg)
{
    model *m = arg;
    (void)gc;
    if (phase == HB_GC_START) {
        if (m->in_collect)
            FUZZ_FAIL("%s: START callback inside a collection", m->name);
        if (info->collected != 0 || info->uncollectable != 0)
            FUZZ_FAIL("%s: START callback with collected %zu", m->name, info->collected);
        m->in_collect = 1;
        m->frees_at_start = m->frees;
        return;
    }
    if (!m->in_collect)
        FUZZ_FAIL("%s: STOP callback without START", m->name);
    m->in_collect = 0;
    size_t freed = (size_t)(m->frees - m->frees_at_start);
    if (info->uncollectable != 0)
        FUZZ_FAIL("%s: %zu uncollectable objects, but no type has a legacy finalizer", m->name,
                  info->uncollectable);
    /* A partial generational collection may free more than it collected:
     * trash in the young generations can hold the last reference to an
     * older object, which reference counting then frees (as in CPython). */
    bool partial = info->generation < hb_gc_generations(m->gc) - 1;
    bool ok = strcmp(m->name, "refcount") == 0 ? info->collected == 0
              : partial                         ? info->collected <= freed
                                                : info->collected == freed;
    if (!ok)
        FUZZ_FAIL("%s: collection of generation %d reports %zu collected, the free hook saw %zu", m->name,
                  info->generation, info->collected, freed);
}

static void gc_check(model *m, const char *when)
{
    char msg[256] = "";
    if (hb_gc_check(m->gc, msg, sizeof msg) != 0)
        FUZZ_FAIL("%s: hb_gc_check failed %s: %s", m->name, when, msg);
}

/* The checks that hold after every operation. */
static void check_state(model *m)
{
    compute_reach(m);
    if (hb_scope_enter(m->gc) != m->nh)
        FUZZ_FAIL("%s: shadow stack height %zu, model %zu", m->name, (size_t)hb_scope_enter(m->gc), m->nh);
    for (size_t h = 0; h < m->nh; h++) {
        hb_obj *want = m->handle[h] >= 0 ? m->obj[m->handle[h]].o : NULL;
        if (hb_get(m->gc, h) != want)
            FUZZ_FAIL("%s: handle %zu holds %p, model %p", m->name, h, (void *)hb_get(m->gc, h), (void *)want);
    }
    int refs[MAX_OBJS] = {0};
    for (size_t h = 0; h < m->nh; h++)
        if (m->handle[h] >= 0)
            refs[m->handle[h]]++;
    int live = 0;
    for (int i = 0; i < m->nobj; i++) {
        mobj *x = &m->obj[i];
        if (x->dead)
            continue;
        live++;
        if (!x->weakref && object_id(x->o) != i)
            FUZZ_FAIL("%s: live object %d has id %lld", m->name, i, (long long)object_id(x->o));
        if (x->o->nslots != x->nslots)
            FUZZ_FAIL("%s: object %d has %u slots, model %u", m->name, i, x->o->nslots, x->nslots);
        for (uint32_t s = 0; s < x->nslots; s++) {
            int c = x->slot[s];
            if (c >= 0 && m->obj[c].dead)
                FUZZ_FAIL("%s: live object %d (%s) slot %u points at freed object %d", m->name, i,
                          x->reach ? "reachable" : "unreachable", s, c);
            hb_obj *want = c >= 0 ? m->obj[c].o : NULL;
            if (hb_slot(x->o, s) != want)
                FUZZ_FAIL("%s: object %d slot %u holds %p, model %p", m->name, i, s, (void *)hb_slot(x->o, s),
                          (void *)want);
            if (c >= 0)
                refs[c]++;
        }
        if (x->weakref) {
            hb_obj *t = hb_weakref_get(m->gc, x->o);
            hb_obj *want = x->target >= 0 ? m->obj[x->target].o : NULL;
            if (t != want)
                FUZZ_FAIL("%s: weak reference %d reads %p, model %p (target %d)", m->name, i, (void *)t,
                          (void *)want, x->target);
        }
    }
    if (live != m->live)
        FUZZ_FAIL("model: live count %d != %d", live, m->live);
    if (m->rc) {
        for (int i = 0; i < m->nobj; i++) {
            if (m->obj[i].dead)
                continue;
            intptr_t rc = hb_refcount(m->gc, m->obj[i].o);
            if (rc != refs[i])
                FUZZ_FAIL("%s: object %d has refcount %ld, the model counts %d references", m->name, i, (long)rc,
                          refs[i]);
            if (refs[i] == 0)
                FUZZ_FAIL("%s: object %d is garbage with no reference left but was not freed", m->name, i);
        }
    }
    hb_gc_stats st;
    hb_gc_get_stats(m->gc, &st);
    if (st.live_objects != (size_t)m->live)
        FUZZ_FAIL("%s: stats live_objects %zu, model %d", m->name, st.live_objects, m->live);
}

static void full_collection_checks(model *m, long ret, int freed)
{
    compute_reach(m);
    int unreachable = 0;
    for (int i = 0; i < m->nobj; i++)
        if (!m->obj[i].dead && !m->obj[i].reach)
            unreachable++;
    if (strcmp(m->name, "refcount") == 0) {
        hb_gc_stats st;
        hb_gc_get_stats(m->gc, &st);
        if (ret != 0 || freed != 0)
            FUZZ_FAIL("refcount: a collection returned %ld and freed %d objects (it frees nothing)", ret, freed);
        if (st.leaked_objects != (size_t)unreachable)
            FUZZ_FAIL("refcount: leaked_objects %zu, the model has %d unreachable objects", st.leaked_objects,
                      unreachable);
    } else {
        if (unreachable != 0)
            FUZZ_FAIL("%s: %d unreachable objects survived a full collection", m->name, unreachable);
        if (ret != freed)
            FUZZ_FAIL("%s: full collection returned %ld, freed %d", m->name, ret, freed);
    }
    gc_check(m, "after a full collection");
}

/* The id of a reachable object chosen by b, or -1 when b says NULL / none. */
static int pick_reachable(model *m, unsigned b, bool allow_null)
{
    if (m->nreach == 0 || (allow_null && b % 8 == 7))
        return -1;
    return m->reach_list[b % (unsigned)m->nreach];
}

static void push_model(model *m, int id)
{
    if (m->nh >= MAX_HANDLES)
        FUZZ_FAIL("model: too many handles");
    m->handle[m->nh++] = id;
}

static void op_new(model *m, uint32_t nslots)
{
    if (m->nobj >= MAX_OBJS || m->nh >= MAX_HANDLES)
        return;
    hb_handle h = hb_new(m->gc, &node_type, nslots, 8);
    if (h == HB_NO_HANDLE)
        FUZZ_FAIL("%s: hb_new failed: %s", m->name, strerror(errno));
    if (h != m->nh)
        FUZZ_FAIL("%s: hb_new gave handle %zu, expected %zu", m->name, (size_t)h, m->nh);
    hb_obj *o = hb_get(m->gc, h);
    const unsigned char *b = hb_bytes(o);
    for (int i = 0; i < 8; i++)
        if (b[i] != 0)
            FUZZ_FAIL("%s: new object's raw bytes are not zero", m->name);
    for (uint32_t s = 0; s < nslots; s++)
        if (hb_slot(o, s) != NULL)
            FUZZ_FAIL("%s: new object's slot %u is not NULL", m->name, s);
    int id = m->nobj++;
    int64_t id64 = id;
    memcpy(hb_bytes(o), &id64, sizeof id64);
    mobj *x = &m->obj[id];
    memset(x, 0, sizeof *x);
    x->o = o;
    x->nslots = nslots;
    x->target = -1;
    for (int s = 0; s < MAX_SLOTS; s++)
        x->slot[s] = -1;
    m->live++;
    push_model(m, id);
}

static void op_weakref(model *m, int target)
{
    if (target < 0 || m->nobj >= MAX_OBJS || m->nh >= MAX_HANDLES)
        return;
    hb_handle h = hb_weakref_new(m->gc, m->obj[target].o, NULL, NULL);
    if (h == HB_NO_HANDLE)
        FUZZ_FAIL("%s: hb_weakref_new failed: %s", m->name, strerror(errno));
    if (h != m->nh)
        FUZZ_FAIL("%s: hb_weakref_new gave handle %zu, expected %zu", m->name, (size_t)h, m->nh);
    int id = m->nobj++;
    mobj *x = &m->obj[id];
    memset(x, 0, sizeof *x);
    x->o = hb_get(m->gc, h);
    x->weakref = true;
    x->target = target;
    for (int s = 0; s < MAX_SLOTS; s++)
        x->slot[s] = -1;
    if (hb_type_of(x->o) != &hb_weakref_type || x->o->nslots != 0)
        FUZZ_FAIL("%s: a weak reference is not of hb_weakref_type with no slots", m->name);
    m->live++;
    push_model(m, id);
}

/* A weak reference among the reachable objects, or -1. */
static int pick_weakref(model *m, unsigned b)
{
    for (int k = 0; k < m->nreach; k++) {
        int id = m->reach_list[(b + (unsigned)k) % (unsigned)m->nreach];
        if (m->obj[id].weakref)
            return id;
    }
    return -1;
}

static void op_collect(model *m, int gen)
{
    int before = m->frees;
    long ret = hb_gc_collect(m->gc, gen);
    if (ret < 0)
        FUZZ_FAIL("%s: hb_gc_collect(%d) = %ld", m->name, gen, ret);
    int freed = m->frees - before;
    int full = gen == HB_GC_FULL || hb_gc_generations(m->gc) <= 1 || gen == hb_gc_generations(m->gc) - 1;
    if (full)
        full_collection_checks(m, ret, freed);
    else
        gc_check(m, "after a partial collection");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static model mm;
    model *m = &mm;
    char msg[256];
    memset(m, 0, sizeof *m);
    /* HB_FUZZ_GC_COLLECTOR replays a corpus under another collector (the
     * incremental family: incremental-3.14, gen-inc), byte 0 keeping its
     * allocator choice. */
    const char *over = getenv("HB_FUZZ_GC_COLLECTOR");
    m->name = over != NULL && over[0] != '\0' ? over : collectors[data[0] % 4];
    const char *aname = (data[0] / 4) % 4 == 3 ? "pooled" : "libc";
    if (hb_alloc_open(&m->a, aname, msg, sizeof msg) != 0)
        FUZZ_FAIL("cannot open allocator %s: %s", aname, msg);
    if (hb_gc_open(&m->gc, m->name, &m->a, msg, sizeof msg) != 0)
        FUZZ_FAIL("cannot open collector %s: %s", m->name, msg);
    m->rc = (hb_gc_ops(m->gc)->caps & HB_GC_REFCOUNT) != 0;
    if (hb_gc_set_free_hook(m->gc, on_free, m) != 0)
        FUZZ_FAIL("%s: no free hook", m->name);
    if (hb_gc_callback_add(m->gc, on_collect, m) != 0)
        FUZZ_FAIL("%s: cannot add a callback", m->name);

    size_t nops = 0;
    for (size_t i = 1; i + 3 <= size && nops < MAX_OPS; i += 3, nops++) {
        unsigned op = data[i] % 20, b1 = data[i + 1], b2 = data[i + 2];
        compute_reach(m);
        switch (op) {
        case 0: case 1: case 2: case 3:
            op_new(m, b1 % (MAX_SLOTS + 1));
            break;
        case 4: case 5: case 6: case 7: { /* o.slot = value */
            int src = -1;
            for (int k = 0; k < m->nreach && src < 0; k++) {
                int id = m->reach_list[(b1 + (unsigned)k) % (unsigned)m->nreach];
                if (m->obj[id].nslots > 0)
                    src = id;
            }
            if (src < 0)
                break;
            mobj *x = &m->obj[src];
            uint32_t s = b2 % x->nslots;
            int dst = pick_reachable(m, b2 / 4, true);
            x->slot[s] = dst;
            compute_reach(m);
            hb_set(m->gc, x->o, s, dst >= 0 ? m->obj[dst].o : NULL);
            break;
        }
        case 8: { /* push a reachable object or NULL */
            if (m->nh >= MAX_HANDLES)
                break;
            int id = pick_reachable(m, b1, true);
            hb_handle h = hb_push(m->gc, id >= 0 ? m->obj[id].o : NULL);
            if (h != m->nh)
                FUZZ_FAIL("%s: hb_push gave %zu, expected %zu", m->name, (size_t)h, m->nh);
            push_model(m, id);
            break;
        }
        case 9: case 10: { /* drop or rebind a handle */
            if (m->nh == 0)
                break;
            size_t h = (b1 * 256u + b2) % m->nh;
            int id = op == 9 ? -1 : pick_reachable(m, b2, true);
            m->handle[h] = id;
            compute_reach(m);
            hb_handle_set(m->gc, h, id >= 0 ? m->obj[id].o : NULL);
            break;
        }
        case 11: /* enter */
            if (m->depth < MAX_DEPTH) {
                m->scope[m->depth++] = hb_scope_enter(m->gc);
                if (m->scope[m->depth - 1] != m->nh)
                    FUZZ_FAIL("%s: scope height %zu, model %zu", m->name, m->scope[m->depth - 1], m->nh);
            }
            break;
        case 12: { /* leave, or leave keeping one handle */
            if (m->depth == 0)
                break;
            size_t s = m->scope[--m->depth];
            if (b1 % 2 == 0 || m->nh == s) {
                m->nh = s;
                compute_reach(m);
                hb_scope_leave(m->gc, s);
            } else {
                size_t keep = s + b2 % (m->nh - s);
                int id = m->handle[keep];
                m->nh = s;
                push_model(m, id);
                compute_reach(m);
                hb_handle r = hb_scope_leave_keep(m->gc, s, keep);
                if (r != s)
                    FUZZ_FAIL("%s: hb_scope_leave_keep gave %zu, expected %zu", m->name, (size_t)r, s);
            }
            break;
        }
        case 13: case 14: {
            int ngen = hb_gc_generations(m->gc);
            op_collect(m, b1 % 4 == 3 || ngen == 0 ? HB_GC_FULL : (int)(b1 % 4) % ngen);
            break;
        }
        case 15:
            op_weakref(m, pick_reachable(m, b1, false));
            break;
        case 16: case 17: { /* read a weak reference; maybe push its referent */
            int w = pick_weakref(m, b1);
            if (w < 0)
                break;
            hb_obj *t = hb_weakref_get(m->gc, m->obj[w].o);
            int target = m->obj[w].target;
            if (t != (target >= 0 ? m->obj[target].o : NULL))
                FUZZ_FAIL("%s: weak reference %d reads %p, model target %d", m->name, w, (void *)t, target);
            if (op == 17 && target >= 0 && m->nh < MAX_HANDLES) {
                hb_push(m->gc, t); /* may bring back an unreachable, not yet collected object */
                push_model(m, target);
            }
            break;
        }
        case 18: { /* thresholds */
            long t = m->rc ? (long)(b1 % 32) : (long)(b1 * 64);
            int r = hb_gc_set_threshold(m->gc, 1, &t);
            if (strcmp(m->name, "refcount") == 0 ? r != -ENOTSUP : r != 0)
                FUZZ_FAIL("%s: set_threshold(%ld) = %d", m->name, t, r);
            break;
        }
        default:
            if (b1 % 4 == 0)
                hb_gc_disable(m->gc);
            else if (b1 % 4 == 1)
                hb_gc_enable(m->gc);
            else
                gc_check(m, "on request");
            break;
        }
        check_state(m);
        if (nops % CHECK_EVERY == CHECK_EVERY - 1)
            gc_check(m, "periodically");
    }
    compute_reach(m);
    op_collect(m, HB_GC_FULL);
    check_state(m);
    /* Drop every handle: what is left is garbage, cycles included. */
    m->nh = 0;
    m->depth = 0;
    compute_reach(m);
    hb_scope_leave(m->gc, 0);
    check_state(m);
    op_collect(m, HB_GC_FULL);
    if (strcmp(m->name, "refcount") != 0 && m->live != 0)
        FUZZ_FAIL("%s: %d objects live after dropping every handle and a full collection", m->name, m->live);
    hb_gc_set_free_hook(m->gc, NULL, NULL);
    hb_gc_close(m->gc);
    hb_alloc_close(&m->a);
    return 0;
}
