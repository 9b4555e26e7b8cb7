/*
 * docs_build.c: a documentation build: an old generation that grows for the
 * whole run while each step makes a little short-lived cyclic garbage.
 *
 * Field report (CPython issue 124567 and PR 124770, the revert of the
 * incremental collector from 3.13): building Sphinx's own documentation
 * took 66 s instead of 34 s.  The build keeps every parsed document (its
 * doctree, nodes with parent links) in its environment, so the old
 * generation grows steadily to about 1.6 million objects, while each young
 * collection finds only a few hundred garbage objects (the transforms'
 * and visitors' temporaries).  A collector that rescans the old generation
 * continuously pays for the whole growing heap again and again.
 *
 * Model, `docs` times: a document is parsed into a doctree of `nodes`
 * nodes (three slots: parent, first child, next sibling; 16 raw bytes with
 * a number; each node's parent drawn among the last 8 made) plus the
 * document object (the root's parent) holding the node list (one container
 * of all its nodes, as docutils' traverse() makes): kept for the rest of
 * the run in the environment (a store).  Then `passes` transforms walk the
 * node list; for every `batch` nodes a transform makes a batch of
 * temporary pairs (a visitor state and its context, pointing at each
 * other, the state at the node), one pair per node, and drops the batch
 * when it moves on.  Each batch has a tag (field.h): trash is counted
 * exactly.  Automatic collection only; one full collection at the end.
 *
 * Checksum: per transform, the node values it read; then each document's
 * root value and node count at the end.  The trash accounting is checked.
 */
#include <stdio.h>

#include "collector.h"
#include "field.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"docs", 600, 1, 100000000, NULL,
     "documents, at scale 1 (default: 1.2 M doctree nodes kept, about 150 MiB; about 3 s (libc, generational))"},
    {"nodes", 2000, 2, 10000000, NULL, "doctree nodes per document"},
    {"passes", 3, 0, 1000, NULL, "transforms per document"},
    {"batch", 32, 1, 100000, NULL, "nodes per batch of temporaries (one pair per node)"},
};

static const hb_type node_type = {.name = "doctree-node"};
static const hb_type doc_type = {.name = "document"};
static const hb_type list_type = {.name = "node-list"};
static const hb_type temp_type = {.name = "visitor-temp"};

enum { N_PARENT = 0, N_CHILD, N_NEXT, N_NSLOTS };
enum { D_LIST = 0, D_ROOT, D_NSLOTS };
enum { RECENT = 8 };

/* A new document numbered d, in a handle of the caller's scope. */
static hb_handle parse_doc(hb_gc *gc, long long nodes, uint64_t d, hb_rng *rng, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle doc = hb_new(gc, &doc_type, D_NSLOTS, 16);
    hb_handle list = hb_new(gc, &list_type, (uint32_t)nodes, 0);
    if (doc == HB_NO_HANDLE || list == HB_NO_HANDLE)
        goto oom;
    *ops += 2;
    *(uint64_t *)hb_bytes(hb_get(gc, doc)) = d;
    hb_set(gc, hb_get(gc, doc), D_LIST, hb_get(gc, list));
    for (long long i = 0; i < nodes; i++) {
        hb_handle n = hb_new(gc, &node_type, N_NSLOTS, 16);
        if (n == HB_NO_HANDLE)
            goto oom;
        (*ops)++;
        hb_obj *o = hb_get(gc, n), *l = hb_get(gc, list);
        *(uint64_t *)hb_bytes(o) = d * 1000003u + (uint64_t)i;
        if (i == 0) {
            hb_set(gc, hb_get(gc, doc), D_ROOT, o);
            hb_set(gc, o, N_PARENT, hb_get(gc, doc));
        } else {
            long long back = (long long)hb_rng_below(rng, (uint64_t)(i < RECENT ? i : RECENT));
            hb_obj *p = hb_slot(l, (uint32_t)(i - 1 - back));
            hb_set(gc, o, N_PARENT, p);
            hb_set(gc, o, N_NEXT, hb_slot(p, N_CHILD));
            hb_set(gc, p, N_CHILD, o);
        }
        hb_set(gc, l, (uint32_t)i, o);
        hb_scope_leave(gc, n);
    }
    return hb_scope_leave_keep(gc, s, doc);
oom:
    hb_scope_leave(gc, s);
    return HB_NO_HANDLE;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long docs = hb_wl_scaled(env, env->params[0], 1), nodes = env->params[1], passes = env->params[2];
    uint32_t batch = (uint32_t)env->params[3];
    int64_t batch_bytes_full = hb_fld_size(batch + 1, 0) + HB_FLD_TAG_BYTES;
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    hb_rng rng;
    hb_rng_seed(&rng, env->seed);
    hb_scope s0 = hb_scope_enter(gc);
    hb_fld_begin(env);

    hb_fld_store envr; /* Sphinx's environment: every doctree */
    if (hb_fld_store_init(gc, &envr) != 0)
        goto oom;
    for (long long d = 0; d < docs; d++) {
        hb_handle doc = parse_doc(gc, nodes, (uint64_t)d, &rng, &ops);
        if (doc == HB_NO_HANDLE)
            goto oom;
        if (hb_fld_store_add(gc, &envr, hb_get(gc, doc), &ops) != 0)
            goto oom;
        for (long long p = 0; p < passes; p++) {
            uint64_t sum = 0;
            for (long long i0 = 0; i0 < nodes; i0 += batch) {
                uint32_t n = (uint32_t)(nodes - i0 < batch ? nodes - i0 : batch);
                hb_scope s = hb_scope_enter(gc);
                hb_handle b = hb_new(gc, &temp_type, n + 1, 0);
                if (b == HB_NO_HANDLE)
                    goto oom;
                ops++;
                for (uint32_t k = 0; k < n; k++) {
                    hb_scope t = hb_scope_enter(gc);
                    hb_handle st = hb_new(gc, &temp_type, 3, 16), cx = hb_new(gc, &temp_type, 2, 16);
                    if (st == HB_NO_HANDLE || cx == HB_NO_HANDLE)
                        goto oom;
                    ops += 2;
                    hb_obj *node = hb_slot(hb_slot(hb_get(gc, doc), D_LIST), (uint32_t)i0 + k);
                    uint64_t v = *(const uint64_t *)hb_bytes(node);
                    sum += v;
                    *(uint64_t *)hb_bytes(hb_get(gc, st)) = v ^ (uint64_t)p;
                    hb_set(gc, hb_get(gc, st), 0, hb_get(gc, cx));
                    hb_set(gc, hb_get(gc, cx), 0, hb_get(gc, st));
                    hb_set(gc, hb_get(gc, cx), 1, hb_get(gc, b));
                    hb_set(gc, hb_get(gc, st), 1, node);
                    hb_set(gc, hb_get(gc, b), k, hb_get(gc, st));
                    hb_scope_leave(gc, t);
                }
                if (hb_fld_tag(gc, hb_get(gc, b), n) != 0)
                    goto oom;
                ops++;
                int64_t bytes = batch_bytes_full - hb_fld_size(batch + 1, 0) + hb_fld_size(n + 1, 0) +
                                (int64_t)n * (hb_fld_size(3, 16) + hb_fld_size(2, 16));
                hb_fld_drop(hb_slot(hb_get(gc, b), n), 2 + 2 * (int64_t)n, bytes);
                hb_scope_leave(gc, s); /* the batch is garbage */
            }
            h = hb_mix(h, sum);
        }
        hb_scope_leave(gc, doc);
    }
    uint64_t seen = 0;
    for (hb_obj *c = hb_slot(hb_get(gc, envr.head), 0); c != NULL; c = hb_slot(c, 0))
        for (uint32_t j = 1; j <= HB_FLD_CHUNK; j++) {
            hb_obj *d = hb_slot(c, j);
            if (d == NULL)
                continue;
            seen++;
            h = hb_mix(h, *(const uint64_t *)hb_bytes(hb_slot(d, D_ROOT)));
            if (hb_slot(hb_slot(d, D_LIST), (uint32_t)nodes - 1) == NULL)
                goto wrong;
        }
    if (seen != (uint64_t)docs)
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
    snprintf(out->message, sizeof out->message, "the environment lost a document or a node");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_docs_build = {
    .name = "docs-build",
    .summary = "field: an old generation growing for the whole run, a few hundred garbage objects per young collection",
    .origin = "field report: CPython issue 124567 / PR 124770 (Sphinx build 66 s against 34 s; 1.6 M old objects)",
    .flags = HB_WL_COLLECTOR | HB_WL_FIELD,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
