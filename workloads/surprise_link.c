/*
 * surprise_link.c: a doubly linked list built each step whose head points
 * to the program's first, long-lived list: the "surprise link" test.
 *
 * Field report (the reviews of CPython PRs 108038 and 116206, the
 * incremental collector's first and second attempts): a test keeps one
 * doubly linked list of 10,000 nodes and, over and over, builds a new list
 * of 5,000 nodes (long enough not to die in a young collection) whose head
 * gets a `surprise` attribute pointing at the first list, then drops it
 * for the next one.  Under the incremental collector of PR 116206 its
 * memory grew past 46 GB (the collector's work_to_do going ever more
 * negative) where Python 3.8 stayed under 300 MB.  Each dropped list is
 * cyclic garbage that reaches into live old objects: an increment that
 * takes it must not be fooled by the live list it points at, and the
 * increments must keep up with garbage that reaches the old generation.
 *
 * Model: a long-lived `ballast` of records first (two slots, `payload` raw
 * bytes, in pairs that refer to each other, in a store: the program's other
 * data, which makes a collection of the old generation cost what it costs
 * in a real process; the report's test has none, and with none its heap is
 * a few MiB); the first list of `first` nodes, held for the whole run; then
 * `steps` times a new list of `len` nodes (three slots: next, prev, and
 * `surprise` on the head / the tag on the tail; `payload` raw bytes with a
 * number) whose head's surprise slot is set to the first list's head; the
 * previous step's list is dropped as the new one takes its name.  Each
 * dropped list has its tag (field.h) on its tail, so trash is counted
 * exactly.  Automatic collection only; one full collection at the end.
 *
 * Checksum: each list's node values summed (walking next from its head) as
 * it is dropped, the last and the first list's, then the ballast's; data
 * only.  The trash accounting is checked (field.h).
 */
#include <stdio.h>

#include "collector.h"
#include "field.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"steps", 1200, 1, 10000000000LL, NULL,
     "lists built and dropped, at scale 1 (default: about 3 s (libc, generational))"},
    {"len", 5000, 2, 100000000, NULL, "nodes per list (the report's 5,000)"},
    {"first", 10000, 2, 100000000, NULL, "nodes of the first, long-lived list (the report's 10,000)"},
    {"ballast", 700000, 0, 10000000000LL, NULL,
     "long-lived records made first, at scale 1 (about 100 MiB with the default payload)"},
    {"payload", 64, 8, 1 << 20, NULL, "raw bytes per node and record"},
};

static const hb_type node_type = {.name = "ll-node"};

enum { NEXT = 0, PREV = 1, EXTRA = 2 }; /* EXTRA: surprise (a step's head), tag (a step's tail) */

/* A new doubly linked list of n nodes numbered from *next, its head in a
 * handle of the caller's scope and its tail tagged; HB_NO_HANDLE on ENOMEM. */
static hb_handle make_list(hb_gc *gc, long long n, uint32_t payload, uint64_t *next, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle head = hb_new(gc, &node_type, 3, payload);
    if (head == HB_NO_HANDLE)
        goto oom;
    (*ops)++;
    *(uint64_t *)hb_bytes(hb_get(gc, head)) = (*next)++;
    hb_handle tail = hb_push(gc, hb_get(gc, head));
    if (tail == HB_NO_HANDLE)
        goto oom;
    for (long long i = 1; i < n; i++) {
        hb_handle nd = hb_new(gc, &node_type, 3, payload);
        if (nd == HB_NO_HANDLE)
            goto oom;
        (*ops)++;
        *(uint64_t *)hb_bytes(hb_get(gc, nd)) = (*next)++;
        hb_set(gc, hb_get(gc, nd), PREV, hb_get(gc, tail));
        hb_set(gc, hb_get(gc, tail), NEXT, hb_get(gc, nd));
        hb_handle_set(gc, tail, hb_get(gc, nd));
        hb_handle_set(gc, nd, NULL);
    }
    if (hb_fld_tag(gc, hb_get(gc, tail), EXTRA) != 0)
        goto oom;
    (*ops)++;
    return hb_scope_leave_keep(gc, s, head);
oom:
    hb_scope_leave(gc, s);
    return HB_NO_HANDLE;
}

/* Sum of a list's values and its node count; its tail in *tail. */
static uint64_t list_sum(hb_obj *head, long long *count, hb_obj **tail)
{
    uint64_t s = 0;
    long long n = 0;
    hb_obj *last = head;
    for (hb_obj *o = head; o != NULL; o = hb_slot(o, NEXT)) {
        s += *(const uint64_t *)hb_bytes(o);
        n++;
        last = o;
    }
    *count = n;
    *tail = last;
    return s;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long steps = hb_wl_scaled(env, env->params[0], 1), len = env->params[1], first = env->params[2];
    long long ballast = hb_wl_scaled(env, env->params[3], 0);
    uint32_t payload = (uint32_t)env->params[4];
    int64_t node_bytes = hb_fld_size(3, payload);
    uint64_t h = HB_CHECKSUM_INIT, ops = 0, next = 1;
    int rc = HB_WL_OK;
    hb_scope s0 = hb_scope_enter(gc);
    hb_fld_begin(env);

    hb_fld_store store;
    if (hb_fld_store_init(gc, &store) != 0)
        goto oom;
    for (long long i = 0; i < ballast; i++)
        if (hb_fld_store_record(gc, &store, payload, (uint64_t)i * 3 + 1, &ops) != 0)
            goto oom;
    hb_handle head = make_list(gc, first, payload, &next, &ops);
    hb_handle cur = hb_push(gc, NULL); /* `newhead`: the step's list */
    if (head == HB_NO_HANDLE || cur == HB_NO_HANDLE)
        goto oom;
    long long count;
    hb_obj *tail;
    for (long long st = 0; st < steps; st++) {
        hb_handle nh = make_list(gc, len, payload, &next, &ops);
        if (nh == HB_NO_HANDLE)
            goto oom;
        hb_set(gc, hb_get(gc, nh), EXTRA, hb_get(gc, head)); /* newhead.surprise = head */
        if (hb_get(gc, cur) != NULL) {
            h = hb_mix(h, list_sum(hb_get(gc, cur), &count, &tail));
            if (count != len)
                goto wrong;
            hb_fld_drop(hb_slot(tail, EXTRA), count + 1, count * node_bytes + HB_FLD_TAG_BYTES);
        }
        hb_handle_set(gc, cur, hb_get(gc, nh)); /* the previous list is garbage now */
        hb_scope_leave(gc, nh);                 /* nh was the last handle made */
    }
    if (hb_get(gc, cur) != NULL) {
        h = hb_mix(h, list_sum(hb_get(gc, cur), &count, &tail));
        if (count != len)
            goto wrong;
    }
    h = hb_mix(h, list_sum(hb_get(gc, head), &count, &tail));
    if (count != first)
        goto wrong;
    uint64_t seen;
    h = hb_fld_store_mix(gc, &store, h, &seen);
    if (seen != store.n)
        goto wrong;
    hb_gc_collect(gc, HB_GC_FULL); /* the interpreter's shutdown */
    rc = hb_fld_end(gc, out);
    goto done;
oom:
    rc = HB_WL_OOM;
    snprintf(out->message, sizeof out->message, "object allocation failed");
    goto done;
wrong:
    rc = HB_WL_WRONG;
    snprintf(out->message, sizeof out->message, "a list or the ballast lost nodes");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_surprise_link = {
    .name = "surprise-link",
    .summary = "field: a doubly linked list per step, its head pointing to a long-lived list (cross-generation garbage)",
    .origin = "field report: CPython PRs 108038/116206 reviews, incremental collector past 46 GB (3.8: < 300 MB)",
    .flags = HB_WL_COLLECTOR | HB_WL_FIELD,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
