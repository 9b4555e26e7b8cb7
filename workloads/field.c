/*
 * field.c: the trash tag of the field workloads and its accounting
 * (field.h explains both).  Not a workload: it defines no hb_workload_ops.
 *
 * Invariants: freed <= dropped at every moment; a tag is counted freed at
 * most once (its finalizer runs at most once, and `dropped` goes 1 -> 2).
 */
#include "field.h"

#include <stdio.h>

static struct {
    hb_wl_gauges *g;
    uint64_t dropped, freed;            /* structures */
    int64_t objects_waiting, bytes_waiting;
} fld;

static void tag_finalize(hb_gc *gc, hb_obj *self)
{
    (void)gc;
    hb_fld_tagdata *d = hb_bytes(self);
    if (d->dropped != 1)
        return; /* a live structure's tag at the end, or counted already */
    d->dropped = 2;
    fld.freed++;
    fld.objects_waiting -= d->objects;
    fld.bytes_waiting -= d->bytes;
    hb_wl_trash_freed(fld.g, d->objects, d->bytes);
}

const hb_type hb_fld_tag_type = {.name = "trash-tag", .tp_finalize = tag_finalize};

void hb_fld_begin(const hb_workload_env *env)
{
    fld.g = env->gauges;
    fld.dropped = fld.freed = 0;
    fld.objects_waiting = fld.bytes_waiting = 0;
}

int hb_fld_tag(hb_gc *gc, hb_obj *o, uint32_t slot)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle h = hb_push(gc, o); /* o survives the allocation */
    if (h == HB_NO_HANDLE)
        return -1;
    hb_handle t = hb_new(gc, &hb_fld_tag_type, 0, sizeof(hb_fld_tagdata));
    if (t == HB_NO_HANDLE) {
        hb_scope_leave(gc, s);
        return -1;
    }
    hb_set(gc, hb_get(gc, h), slot, hb_get(gc, t));
    hb_scope_leave(gc, s);
    return 0;
}

void hb_fld_drop(hb_obj *tag, int64_t objects, int64_t bytes)
{
    hb_fld_tagdata *d = hb_bytes(tag);
    d->objects = objects;
    d->bytes = bytes;
    d->dropped = 1;
    fld.dropped++;
    fld.objects_waiting += objects;
    fld.bytes_waiting += bytes;
    hb_wl_trash_drop(fld.g, objects, bytes);
}

uint64_t hb_fld_dropped(void) { return fld.dropped; }
uint64_t hb_fld_freed(void) { return fld.freed; }

int hb_fld_end(hb_gc *gc, hb_workload_result *out)
{
    unsigned caps = hb_gc_ops(gc)->caps;
    const char *why = NULL;
    if (fld.freed > fld.dropped)
        why = "more structures freed than dropped";
    else if ((caps & HB_GC_NEVER_FREES) && fld.freed != 0)
        why = "structures freed by a collector that never frees";
    else if ((caps & HB_GC_CYCLES) && (caps & HB_GC_FINALIZERS) && !(caps & HB_GC_CONSERVATIVE) &&
             (fld.freed != fld.dropped || fld.objects_waiting != 0 || fld.bytes_waiting != 0))
        why = "dropped structures still unfreed after a full collection (one was still reachable)";
    if (why == NULL)
        return HB_WL_OK;
    snprintf(out->message, sizeof out->message, "trash accounting: %s: %llu dropped, %llu freed", why,
             (unsigned long long)fld.dropped, (unsigned long long)fld.freed);
    return HB_WL_WRONG;
}

/* ---- store ------------------------------------------------------------------- */

static const hb_type store_type = {.name = "field-store"};
static const hb_type record_type = {.name = "field-record"};

int hb_fld_store_init(hb_gc *gc, hb_fld_store *st)
{
    st->head = hb_new(gc, &store_type, 1, 0);
    st->chunk = hb_push(gc, NULL);
    st->fill = HB_FLD_CHUNK;
    st->n = 0;
    return st->head == HB_NO_HANDLE || st->chunk == HB_NO_HANDLE ? -1 : 0;
}

int hb_fld_store_add(hb_gc *gc, hb_fld_store *st, hb_obj *o, uint64_t *ops)
{
    if (st->fill == HB_FLD_CHUNK) {
        hb_scope s = hb_scope_enter(gc);
        hb_handle keep = hb_push(gc, o);
        hb_handle c = hb_new(gc, &store_type, HB_FLD_CHUNK + 1, 0);
        if (keep == HB_NO_HANDLE || c == HB_NO_HANDLE) {
            hb_scope_leave(gc, s);
            return -1;
        }
        (*ops)++;
        hb_set(gc, hb_get(gc, c), 0, hb_slot(hb_get(gc, st->head), 0));
        hb_set(gc, hb_get(gc, st->head), 0, hb_get(gc, c));
        hb_handle_set(gc, st->chunk, hb_get(gc, c));
        hb_scope_leave(gc, s);
        st->fill = 0;
    }
    hb_set(gc, hb_get(gc, st->chunk), ++st->fill, o);
    st->n++;
    return 0;
}

uint64_t hb_fld_store_mix(hb_gc *gc, const hb_fld_store *st, uint64_t h, uint64_t *count)
{
    uint64_t seen = 0;
    for (hb_obj *c = hb_slot(hb_get(gc, st->head), 0); c != NULL; c = hb_slot(c, 0))
        for (uint32_t j = 1; j <= HB_FLD_CHUNK; j++) {
            hb_obj *o = hb_slot(c, j);
            if (o != NULL) {
                h = hb_mix(h, *(const uint64_t *)hb_bytes(o));
                seen++;
            }
        }
    *count = seen;
    return h;
}

int hb_fld_store_record(hb_gc *gc, hb_fld_store *st, uint32_t payload, uint64_t value, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle r = hb_new(gc, &record_type, 2, payload);
    if (r == HB_NO_HANDLE)
        return -1;
    (*ops)++;
    hb_obj *o = hb_get(gc, r);
    *(uint64_t *)hb_bytes(o) = value;
    if ((st->n & 1) && st->fill < HB_FLD_CHUNK) { /* pair with the previous record */
        hb_obj *prev = hb_slot(hb_get(gc, st->chunk), st->fill);
        hb_set(gc, o, 0, prev);
        hb_set(gc, prev, 0, o);
    }
    int rc = hb_fld_store_add(gc, st, o, ops);
    hb_scope_leave(gc, s);
    return rc;
}
