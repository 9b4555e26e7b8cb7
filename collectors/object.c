/*
 * object.c: the core of the object model, shared by every collector: the
 * shadow stack (scopes and handles), the setter, object blocks and their
 * accounting, finalizer calls, the garbage list, collection control
 * (reentrancy guard, callbacks, pause log, thresholds) and statistics.
 *
 * Invariants: roots.handles[0 .. nhandles) hold NULL or live objects, each
 * non-NULL one owning one reference under reference counting; entries above
 * nhandles are NULL (boehm scans the whole block).  gc->collecting is true
 * exactly while a collection runs.  st.live_objects / st.live_bytes count
 * the blocks obtained by hb__obj_alloc and not yet given to hb__obj_free.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

int hb__fail(char *msg, size_t len, const char *fmt, ...)
{
    if (msg != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

uint64_t hb__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int hb__vec_push(hb_objvec *v, hb_obj *o)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        hb_obj **nv = realloc(v->v, cap * sizeof *nv);
        if (nv == NULL)
            return -ENOMEM;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = o;
    return 0;
}

void hb__vec_free(hb_objvec *v)
{
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

/* ---- references held by the core ----------------------------------------------- */

void hb__retain(hb_gc *gc, hb_obj *o)
{
    if (o != NULL && gc->rc != NULL)
        o->refcnt++;
}

void hb__release(hb_gc *gc, hb_obj *o)
{
    if (o != NULL && gc->rc != NULL)
        hb__decref(gc->rc, o);
}

/* ---- shadow stack ------------------------------------------------------------------ */

static int roots_grow(hb_gc *gc)
{
    size_t cap = gc->roots.cap ? gc->roots.cap * 2 : 256;
    size_t oldb = gc->roots.cap * sizeof(hb_obj *), newb = cap * sizeof(hb_obj *);
    hb_obj **h;
    if (gc->ops->roots_realloc != NULL)
        h = gc->ops->roots_realloc(gc->ctx, gc->roots.handles, oldb, newb);
    else
        h = realloc(gc->roots.handles, newb);
    if (h == NULL)
        return -ENOMEM;
    memset((char *)h + oldb, 0, newb - oldb);
    gc->roots.handles = h;
    gc->roots.cap = cap;
    return 0;
}

/* Pushes o, whose reference the handle takes over (no retain). */
static hb_handle push_owned(hb_gc *gc, hb_obj *o)
{
    gc->roots.handles[gc->roots.nhandles] = o;
    return gc->roots.nhandles++;
}

/* Handles are released in the order they were made, as CPython clears a
 * frame's locals; the stack top stays put meanwhile, so finalizers run by
 * the releases push and pop their own handles above it. */
void hb_scope_leave(hb_gc *gc, hb_scope s)
{
    hb_gc_roots *r = &gc->roots;
    size_t top = r->nhandles;
    if (gc->rc != NULL) {
        for (size_t i = s; i < top; i++) {
            hb_obj *o = r->handles[i];
            r->handles[i] = NULL;
            if (o != NULL)
                hb__decref(gc->rc, o);
        }
    } else {
        for (size_t i = s; i < top; i++)
            r->handles[i] = NULL;
    }
    r->nhandles = s;
}

hb_handle hb_scope_leave_keep(hb_gc *gc, hb_scope s, hb_handle keep)
{
    hb_gc_roots *r = &gc->roots;
    if (keep == HB_NO_HANDLE || keep >= r->nhandles || keep < s || s > r->nhandles)
        return HB_NO_HANDLE;
    hb_obj *o = r->handles[keep];
    r->handles[keep] = NULL; /* its reference moves to the new handle */
    hb_scope_leave(gc, s + 1);
    /* Handle s is now the lowest of the scope: reuse it for the result. */
    hb_obj *old = r->handles[s];
    r->handles[s] = o;
    r->nhandles = s + 1;
    hb__release(gc, old);
    return s;
}

hb_handle hb_push(hb_gc *gc, hb_obj *o)
{
    if (gc->roots.nhandles == gc->roots.cap && roots_grow(gc) != 0) {
        errno = ENOMEM;
        return HB_NO_HANDLE;
    }
    hb__retain(gc, o);
    return push_owned(gc, o);
}

void hb_handle_set(hb_gc *gc, hb_handle h, hb_obj *o)
{
    hb_obj *old = gc->roots.handles[h];
    hb__retain(gc, o);
    gc->roots.handles[h] = o;
    hb__release(gc, old);
}

hb_handle hb_new(hb_gc *gc, const hb_type *type, uint32_t nslots, uint32_t nbytes)
{
    if (type == NULL) {
        errno = EINVAL;
        return HB_NO_HANDLE;
    }
    if (gc->roots.nhandles == gc->roots.cap && roots_grow(gc) != 0) {
        errno = ENOMEM;
        return HB_NO_HANDLE;
    }
    hb_obj *o = gc->ops->new_obj(gc->ctx, type, nslots, nbytes);
    if (o == NULL) {
        errno = ENOMEM;
        return HB_NO_HANDLE;
    }
    /* A collection inside new_obj cannot have shrunk the capacity. */
    return push_owned(gc, o);
}

void hb_set(hb_gc *gc, hb_obj *o, uint32_t slot, hb_obj *value)
{
    hb_obj *old = o->slots[slot];
    if (gc->rc != NULL) {
        if (value != NULL) {
            value->refcnt++;
            /* A new edge out of an untracked object may close a cycle:
             * young collections must see the object again.  Not an edge to
             * an atom (incremental's untracked objects without slots, gen
             * bits 1): no cycle goes through one, so a container of atoms
             * stays untracked, as CPython keeps a dict of atoms; unless it
             * has a finalizer or weak references, which a collection must
             * see when the container hangs off cyclic trash. */
            if (__builtin_expect((o->gc & HB_OF_UNTRACKED) != 0, 0) &&
                ((value->gc & (HB_OF_UNTRACKED | HB_OF_GEN_MASK)) != (HB_OF_UNTRACKED | 1u) ||
                 o->type->tp_finalize != NULL || o->type->tp_del != NULL || (o->gc & HB_OF_WEAKREFS)))
                hb__rc_retrack(gc->rc, o);
        }
        o->slots[slot] = value;
        if (old != NULL)
            hb__decref(gc->rc, old);
    } else {
        o->slots[slot] = value;
        if (gc->barrier && value != NULL)
            gc->ops->barrier(gc->ctx, o, value);
    }
}

intptr_t hb_refcount(hb_gc *gc, const hb_obj *o)
{
    return gc->rc != NULL ? o->refcnt : -ENOTSUP;
}

/* ---- object blocks ------------------------------------------------------------------ */

hb_obj *hb__obj_alloc(hb_gc *gc, const hb_type *t, uint32_t nslots, uint32_t nbytes)
{
    size_t size = hb_obj_size(nslots, nbytes);
    hb_obj *o = hb_malloc(&gc->alloc, size);
    if (o == NULL)
        return NULL;
    o->refcnt = 0;
    o->type = t;
    o->gc = 0;
    o->nslots = nslots;
    o->nbytes = nbytes;
    memset(o->slots, 0, size - sizeof(hb_obj));
    gc->st.live_objects++;
    gc->st.live_bytes += size;
    gc->st.allocated++;
    return o;
}

void hb__obj_free(hb_gc *gc, hb_obj *o)
{
    size_t size = hb_obj_size(o->nslots, o->nbytes);
    if (o->gc & HB_OF_WEAKREF)
        hb__weak_detach(gc, (hb_weaklink *)hb_bytes(o));
    if (o->gc & HB_OF_WEAKREFS)
        hb__weak_clear(gc, o, 0, 0); /* not expected: cleared before */
    if (gc->free_hook != NULL)
        gc->free_hook(gc, o, gc->free_hook_arg);
    gc->st.live_objects--;
    gc->st.live_bytes -= size;
    gc->st.freed++;
    hb_free(&gc->alloc, o, size);
}

void hb__run_finalizer(hb_gc *gc, hb_obj *o, bool legacy)
{
    hb_scope s = hb_scope_enter(gc);
    if (!legacy) {
        o->gc |= HB_OF_FINALIZED;
        gc->st.finalized++;
        o->type->tp_finalize(gc, o);
    } else {
        o->type->tp_del(gc, o);
    }
    hb_scope_leave(gc, s);
}

/* ---- collection control ------------------------------------------------------------ */

static void call_callbacks(hb_gc *gc, hb_gc_phase phase, const hb_gc_info *info)
{
    for (int i = 0; i < gc->ncbs; i++)
        gc->cbs[i].fn(gc, phase, info, gc->cbs[i].arg);
}

void hb__pause_record(hb_gc *gc, uint64_t start, uint64_t ns, int generation)
{
    if (gc->npauses == gc->pcap) {
        size_t cap = gc->pcap ? gc->pcap * 2 : 1024;
        hb_gc_pause *p = realloc(gc->pauses, cap * sizeof *p);
        if (p != NULL) {
            gc->pauses = p;
            gc->pcap = cap;
        }
    }
    if (gc->npauses < gc->pcap)
        gc->pauses[gc->npauses++] = (hb_gc_pause){start, ns, generation, gc->requested};
    gc->st.pauses++;
    gc->st.pause_total_ns += ns;
    if (ns > gc->st.pause_max_ns)
        gc->st.pause_max_ns = ns;
}

long hb__collect(hb_gc *gc, int generation)
{
    if (gc->collecting)
        return 0;
    unsigned caps = gc->ops->caps;
    bool timed = (caps & HB_GC_CYCLES) && !(caps & HB_GC_OWN_HEAP);
    hb_gc_info info = {generation, 0, 0};
    if (caps & HB_GC_CYCLES)
        call_callbacks(gc, HB_GC_START, &info);
    gc->collecting = true;
    gc->last_collected = gc->last_uncollectable = 0;
    uint64_t t0 = timed ? hb__now_ns() : 0;
    long n = gc->ops->collect(gc->ctx, generation);
    uint64_t t1 = timed ? hb__now_ns() : 0;
    gc->collecting = false;
    if (timed)
        hb__pause_record(gc, t0, t1 - t0, generation);
    info.collected = gc->last_collected;
    info.uncollectable = gc->last_uncollectable;
    if (caps & HB_GC_CYCLES)
        call_callbacks(gc, HB_GC_STOP, &info);
    return n;
}

long hb_gc_collect(hb_gc *gc, int generation)
{
    int ng = gc->ops->generations;
    int top = ng > 0 ? ng - 1 : 0;
    if (generation == HB_GC_FULL)
        generation = top;
    if (generation < 0 || generation >= HB_GC_NGEN)
        return -EINVAL;
    if (ng > 0 && generation >= ng)
        generation = top; /* single-generation collectors: any means full */
    bool outer = gc->requested;
    gc->requested = true;
    long n = hb__collect(gc, generation);
    gc->requested = outer;
    return n;
}

int hb_gc_generations(hb_gc *gc) { return gc->ops->generations; }

void hb_gc_enable(hb_gc *gc) { gc->enabled = true; }
void hb_gc_disable(hb_gc *gc) { gc->enabled = false; }
bool hb_gc_isenabled(hb_gc *gc) { return gc->enabled; }

static bool has_thresholds(hb_gc *gc)
{
    return gc->ops->generations > 0 && !(gc->ops->caps & HB_GC_OWN_HEAP);
}

int hb_gc_get_threshold(hb_gc *gc, long t[HB_GC_NGEN])
{
    if (!has_thresholds(gc))
        return -ENOTSUP;
    for (int i = 0; i < gc->ops->generations; i++)
        t[i] = gc->threshold[i];
    return 0;
}

int hb_gc_set_threshold(hb_gc *gc, int n, const long *t)
{
    if (!has_thresholds(gc))
        return -ENOTSUP;
    if (n < 0 || n > gc->ops->generations)
        return -EINVAL;
    for (int i = 0; i < n; i++)
        if (t[i] < 0)
            return -EINVAL;
    for (int i = 0; i < n; i++)
        gc->threshold[i] = t[i];
    return 0;
}

int hb_gc_get_count(hb_gc *gc, long c[HB_GC_NGEN])
{
    if (!has_thresholds(gc))
        return -ENOTSUP;
    for (int i = 0; i < gc->ops->generations; i++)
        c[i] = gc->count[i];
    return 0;
}

int hb_gc_freeze(hb_gc *gc)
{
    return gc->ops->freeze != NULL ? gc->ops->freeze(gc->ctx) : -ENOTSUP;
}

int hb_gc_unfreeze(hb_gc *gc)
{
    return gc->ops->unfreeze != NULL ? gc->ops->unfreeze(gc->ctx) : -ENOTSUP;
}

long hb_gc_get_freeze_count(hb_gc *gc)
{
    if (gc->ops->freeze == NULL)
        return -ENOTSUP;
    return (long)gc->rc->size[HB_GEN_PERMANENT];
}

int hb_gc_is_tracked(hb_gc *gc, const hb_obj *o)
{
    if (gc->rc == NULL || !gc->rc->generational)
        return -ENOTSUP;
    return !(o->gc & HB_OF_UNTRACKED);
}

/* ---- garbage list ------------------------------------------------------------------- */

size_t hb_gc_garbage_len(hb_gc *gc) { return gc->garbage.n; }

hb_obj *hb_gc_garbage_get(hb_gc *gc, size_t i)
{
    return i < gc->garbage.n ? gc->garbage.v[i] : NULL;
}

void hb_gc_garbage_clear(hb_gc *gc)
{
    /* Release from the end, shrinking first: releases may run code. */
    while (gc->garbage.n > 0) {
        hb_obj *o = gc->garbage.v[--gc->garbage.n];
        hb__release(gc, o);
    }
}

/* ---- statistics, pauses, callbacks, hooks ------------------------------------------ */

void hb_gc_get_stats(hb_gc *gc, hb_gc_stats *out)
{
    *out = gc->st;
    out->generations = gc->ops->generations;
    out->garbage = gc->garbage.n;
    out->frozen = gc->ops->freeze != NULL ? gc->rc->size[HB_GEN_PERMANENT] : 0;
}

const hb_gc_pause *hb_gc_pauses(hb_gc *gc, size_t *count)
{
    *count = gc->npauses;
    return gc->pauses;
}

uint64_t hb_gc_pause_total_ns(hb_gc *gc) { return gc->st.pause_total_ns; }

void hb_gc_pause_reset(hb_gc *gc) { gc->npauses = 0; }

int hb_gc_callback_add(hb_gc *gc, hb_gc_callback fn, void *arg)
{
    if (fn == NULL)
        return -EINVAL;
    if (gc->ncbs == (int)(sizeof gc->cbs / sizeof gc->cbs[0]))
        return -ENOMEM;
    gc->cbs[gc->ncbs].fn = fn;
    gc->cbs[gc->ncbs].arg = arg;
    gc->ncbs++;
    return 0;
}

int hb_gc_callback_remove(hb_gc *gc, hb_gc_callback fn, void *arg)
{
    for (int i = 0; i < gc->ncbs; i++) {
        if (gc->cbs[i].fn == fn && gc->cbs[i].arg == arg) {
            memmove(&gc->cbs[i], &gc->cbs[i + 1], (size_t)(gc->ncbs - i - 1) * sizeof gc->cbs[0]);
            gc->ncbs--;
            return 0;
        }
    }
    return -ENOENT;
}

int hb_gc_set_free_hook(hb_gc *gc, hb_free_hook fn, void *arg)
{
    if (!(gc->ops->caps & HB_GC_FREE_HOOK))
        return -ENOTSUP;
    gc->free_hook = fn;
    gc->free_hook_arg = arg;
    return 0;
}

const hb_collector_ops *hb_gc_ops(hb_gc *gc) { return gc->ops; }

int hb_gc_check(hb_gc *gc, char *msg, size_t msglen)
{
    hb_gc_roots *r = &gc->roots;
    if (gc->collecting)
        return hb__fail(msg, msglen, "check called during a collection");
    if (r->nhandles > r->cap)
        return hb__fail(msg, msglen, "handles: %zu in use > capacity %zu", r->nhandles, r->cap);
    for (size_t i = 0; i < r->nhandles; i++) {
        hb_obj *o = r->handles[i];
        if (o != NULL && o->type == NULL)
            return hb__fail(msg, msglen, "handle %zu: object %p has no type", i, (void *)o);
    }
    for (size_t i = r->nhandles; i < r->cap; i++)
        if (r->handles[i] != NULL)
            return hb__fail(msg, msglen, "handle %zu above the stack top is not NULL", i);
    for (size_t i = 0; i < gc->garbage.n; i++)
        if (gc->garbage.v[i] == NULL || gc->garbage.v[i]->type == NULL)
            return hb__fail(msg, msglen, "garbage[%zu] is not an object", i);
    if (gc->cbq.n != 0)
        return hb__fail(msg, msglen, "%zu weak reference callbacks pending", gc->cbq.n);
    if (hb__weak_check(gc, msg, msglen) != 0)
        return -1;
    return gc->ops->check != NULL ? gc->ops->check(gc->ctx, msg, msglen) : 0;
}

int hb__check_all_list(hb_gc *gc, hb_link *all, size_t nobjs, size_t *nfin, size_t *nleg, char *msg, size_t len)
{
    size_t n = 0;
    *nfin = *nleg = 0;
    for (hb_link *l = all->next, *prev = all;; prev = l, l = l->next) {
        if (l->prev != prev)
            return hb__fail(msg, len, "all-objects list: prev link broken at %p", (void *)l);
        if (l == all)
            break;
        hb_obj *o = (hb_obj *)l;
        if (++n > gc->st.live_objects)
            return hb__fail(msg, len, "all-objects list longer than the live objects");
        if (o->type == NULL || o->refcnt != 0)
            return hb__fail(msg, len, "object %p: no type or refcnt %ld", (void *)o, (long)o->refcnt);
        if (o->gc & ~(HB_OF_PERSIST))
            return hb__fail(msg, len, "object %p: collection state left (gc=%#lx)", (void *)o,
                            (unsigned long)o->gc);
        if (o->type->tp_finalize != NULL && !(o->gc & HB_OF_FINALIZED))
            (*nfin)++;
        if (o->type->tp_del != NULL)
            (*nleg)++;
    }
    if (n != nobjs || n != gc->st.live_objects)
        return hb__fail(msg, len, "%zu objects listed, count %zu, live %zu", n, nobjs, gc->st.live_objects);
    /* No dangling slot or root: flag every listed object, then look. */
    int rc = 0;
    for (hb_link *l = all->next; l != all; l = l->next)
        ((hb_obj *)l)->gc |= HB_OF_MARK;
    for (hb_link *l = all->next; l != all && rc == 0; l = l->next) {
        hb_obj *o = (hb_obj *)l;
        for (uint32_t i = 0; i < o->nslots && rc == 0; i++)
            if (o->slots[i] != NULL && !(o->slots[i]->gc & HB_OF_MARK))
                rc = hb__fail(msg, len, "object %p slot %u: %p is not a live object", (void *)o, i,
                              (void *)o->slots[i]);
    }
    for (size_t i = 0; i < gc->roots.nhandles && rc == 0; i++)
        if (gc->roots.handles[i] != NULL && !(gc->roots.handles[i]->gc & HB_OF_MARK))
            rc = hb__fail(msg, len, "handle %zu: %p is not a live object", i, (void *)gc->roots.handles[i]);
    for (hb_link *l = all->next; l != all; l = l->next)
        ((hb_obj *)l)->gc &= ~(uintptr_t)HB_OF_MARK;
    return rc;
}
