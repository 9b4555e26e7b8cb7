/*
 * trash_stream.c: a steady stream of small garbage cycles beside a slowly
 * growing live set: the "trash waiting" report.
 *
 * Field report (CPython's forum, on 3.14.0-3.14.4's incremental collector):
 * a test that makes small reference cycles at a steady rate held about
 * 90,000-100,000 trash cycles waiting for collection, where the
 * generational collector of 3.13 found each within a young collection or
 * two.  The program is the spec: objects that live a little while (a
 * request's or a task's worth of allocations), die in cycles, and a live
 * set beside them that only grows.
 *
 * `cycles` times: a ring of `k` objects (two slots: `next` and one spare,
 * `payload` raw bytes holding a number) is made and put in slot i of an
 * in-flight window of `inflight` rings (one container, i going round); the
 * ring it replaces is dropped (it dies `inflight` rings after its birth, a
 * few young collections later).  Every `live_every` rings a record (two
 * slots, `payload` bytes; records in pairs that refer to each other) is appended to the live set, a list of chunks of
 * 1024 records that is never dropped: the old generation grows steadily to
 * `cycles / live_every` records.  A ring's tag (field.h) hangs off its
 * first object: trash is counted exactly.  Automatic collection only;
 * one full collection at the end (CPython's shutdown collects once).
 *
 * Checksum: each ring's values summed as it is dropped, then every live
 * record's value; data only.  The trash accounting is checked (field.h).
 */
#include <stdio.h>

#include "collector.h"
#include "field.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"cycles", 3000000, 1, 10000000000LL, NULL,
     "rings made and dropped, at scale 1 (default: about 3 s (libc, generational); live set 750,000 records, about 130 MiB)"},
    {"k", 3, 1, 1000, NULL, "objects per ring"},
    {"inflight", 150, 1, 10000000, NULL, "rings alive at once: each dies this many rings after its birth"},
    {"live_every", 4, 1, 1000000000LL, NULL, "one record joins the live set every this many rings"},
    {"payload", 96, 8, 1 << 20, NULL, "raw bytes per object (ring members and records)"},
};

static const hb_type ring_type = {.name = "stream-obj"};
static const hb_type window_type = {.name = "stream-window"};

/* Sum of a ring's values, walking `next` from its first object. */
static uint64_t ring_sum(hb_obj *first, uint32_t k)
{
    uint64_t s = 0;
    hb_obj *o = first;
    for (uint32_t j = 0; j < k; j++, o = hb_slot(o, 0))
        s += *(const uint64_t *)hb_bytes(o);
    return s;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long cycles = hb_wl_scaled(env, env->params[0], 1);
    uint32_t k = (uint32_t)env->params[1];
    long long inflight = env->params[2], live_every = env->params[3];
    uint32_t payload = (uint32_t)env->params[4];
    int64_t ring_objects = (int64_t)k + 1, ring_bytes = (int64_t)k * hb_fld_size(2, payload) + HB_FLD_TAG_BYTES;
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);
    hb_fld_begin(env);

    if (inflight > cycles)
        inflight = cycles;
    hb_handle window = hb_new(gc, &window_type, (uint32_t)inflight, 0);
    hb_fld_store live;
    if (window == HB_NO_HANDLE || hb_fld_store_init(gc, &live) != 0)
        goto oom;
    ops += 2;
    for (long long r = 0; r < cycles; r++) {
        hb_scope s = hb_scope_enter(gc);
        hb_handle first = HB_NO_HANDLE, prev = HB_NO_HANDLE;
        for (uint32_t j = 0; j < k; j++) {
            hb_handle n = hb_new(gc, &ring_type, 2, payload);
            if (n == HB_NO_HANDLE)
                goto oom;
            ops++;
            *(uint64_t *)hb_bytes(hb_get(gc, n)) = (uint64_t)r * k + j;
            if (j == 0)
                first = n;
            else
                hb_set(gc, hb_get(gc, prev), 0, hb_get(gc, n));
            prev = n;
        }
        hb_set(gc, hb_get(gc, prev), 0, hb_get(gc, first)); /* close the ring */
        if (hb_fld_tag(gc, hb_get(gc, first), 1) != 0)
            goto oom;
        ops++;
        hb_obj *w = hb_get(gc, window);
        uint32_t i = (uint32_t)(r % inflight);
        hb_obj *old = hb_slot(w, i);
        if (old != NULL) {
            h = hb_mix(h, ring_sum(old, k));
            hb_fld_drop(hb_slot(old, 1), ring_objects, ring_bytes);
        }
        hb_set(gc, w, i, hb_get(gc, first)); /* the old ring is garbage now */
        hb_scope_leave(gc, s);

        if ((r + 1) % live_every == 0) {
            if (hb_fld_store_record(gc, &live, payload, live.n * 7 + 1, &ops) != 0)
                goto oom;
        }
    }
    /* What is still in flight, then the live set, chunk by chunk (newest first). */
    for (long long i = 0; i < inflight; i++) {
        hb_obj *o = hb_slot(hb_get(gc, window), (uint32_t)i);
        if (o != NULL)
            h = hb_mix(h, ring_sum(o, k));
    }
    uint64_t seen = 0;
    h = hb_fld_store_mix(gc, &live, h, &seen);
    if (seen != live.n) {
        rc = HB_WL_WRONG;
        snprintf(out->message, sizeof out->message, "live set has %llu records, %llu made",
                 (unsigned long long)seen, (unsigned long long)live.n);
        goto done;
    }
    hb_gc_collect(gc, HB_GC_FULL); /* the interpreter's shutdown */
    rc = hb_fld_end(gc, out);
    goto done;
oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_trash_stream = {
    .name = "trash-stream",
    .summary = "field: a steady stream of small garbage cycles beside a slowly growing live set (trash waiting)",
    .origin = "field report: CPython forum, 3.14's incremental collector holding ~100,000 trash cycles",
    .flags = HB_WL_COLLECTOR | HB_WL_FIELD,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
