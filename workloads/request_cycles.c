/*
 * request_cycles.c: an HTTP client's requests, each a handful of objects in
 * reference cycles, beside a long-lived connection pool and response cache.
 *
 * Field report (CPython issue 142516): an httpx client over ssl settled at
 * about 420 MB on 3.14.2 where 3.14.0 held 80 MB, after a change to the
 * incremental collector.  Each request of such a client makes a connection,
 * a context, callbacks and buffers that refer to each other (the ssl
 * object and its socket, the protocol and its transport, futures and their
 * done-callbacks); the cycles die when the request ends, but their buffers
 * are large, so every cycle the collector leaves waiting holds kilobytes.
 *
 * Model, `requests` times, with `inflight` requests alive at once (a
 * window; a request ends `inflight` requests after it began):
 *   - a request: conn (slots: ctx, read buffer, write buffer, tag) <-> ctx
 *     (slots: conn, callback list), the callback list and `callbacks`
 *     callbacks chained from it, each pointing back at ctx; the buffers are
 *     slotless objects of `rbuf` and `wbuf` raw bytes (the ssl buffers).
 *     The request writes its number into both buffers.
 *   - pool: one request in `pool_every` returns its connection to the pool
 *     (`pool` slots, long-lived) when it ends: the request stays alive there
 *     and the connection it replaces (an old-generation object by then) is
 *     dropped with everything of its request;
 *   - cache: one request in `cache_every` stores a response (response
 *     <-> headers, the response also pointing at the pool: a long-lived
 *     reference; `body` raw bytes) into the cache (`cache` slots, filled
 *     round-robin), dropping the response it replaces; one request in
 *     `hit_every` reads a random cached response.
 * Every request and every response has a tag (field.h): trash is counted
 * exactly.  Automatic collection only; one full collection at the end.
 *
 * Checksum: the numbers read back from each request's buffers when it ends,
 * the cache hits' bodies, and what is left in the pool and the cache at the
 * end; all choices come from env->seed.  The trash accounting is checked.
 */
#include <stdio.h>

#include "collector.h"
#include "field.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"requests", 250000, 1, 10000000000LL, NULL,
     "requests, at scale 1 (default: about 3 s (libc, generational); the cache about 100 MiB when full)"},
    {"inflight", 32, 1, 1000000, NULL, "requests alive at once"},
    {"callbacks", 4, 0, 1000, NULL, "callbacks per request, each pointing back at its context"},
    {"rbuf", 8192, 8, 1 << 24, NULL, "read buffer bytes per request"},
    {"wbuf", 2048, 8, 1 << 24, NULL, "write buffer bytes per request"},
    {"pool", 64, 1, 1000000, NULL, "connection pool slots"},
    {"pool_every", 8, 1, 1000000000, NULL, "one request in this many returns its connection to the pool"},
    {"cache", 40000, 1, 100000000, NULL, "response cache slots, at scale 1"},
};
/* Fixed shape of the cache traffic (not parameters: HB_MAX_PARAMS is 8). */
enum { CACHE_EVERY = 4, HIT_EVERY = 2, BODY = 2048, HEADERS = 256 };

static const hb_type conn_type = {.name = "connection"};
static const hb_type ctx_type = {.name = "context"};
static const hb_type cb_type = {.name = "callback"};
static const hb_type buf_type = {.name = "buffer"};
static const hb_type resp_type = {.name = "response"};
static const hb_type hdr_type = {.name = "headers"};
static const hb_type table_type = {.name = "table"};

enum { C_CTX = 0, C_RBUF, C_WBUF, C_TAG, C_NSLOTS };
enum { X_CONN = 0, X_CBS, X_NSLOTS };
enum { R_HDR = 0, R_POOL, R_TAG, R_NSLOTS };

/* A new request numbered n, its conn in a handle of the caller's scope. */
static hb_handle make_request(hb_gc *gc, uint64_t n, uint32_t ncb, uint32_t rbuf, uint32_t wbuf, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle conn = hb_new(gc, &conn_type, C_NSLOTS, 16);
    hb_handle ctx = hb_new(gc, &ctx_type, X_NSLOTS, 16);
    hb_handle list = hb_new(gc, &cb_type, 2, 0);
    if (conn == HB_NO_HANDLE || ctx == HB_NO_HANDLE || list == HB_NO_HANDLE)
        goto oom;
    *ops += 3;
    hb_obj *co = hb_get(gc, conn), *cx = hb_get(gc, ctx);
    hb_set(gc, co, C_CTX, cx);
    hb_set(gc, cx, X_CONN, co);
    hb_set(gc, cx, X_CBS, hb_get(gc, list));
    hb_set(gc, hb_get(gc, list), 0, cx);
    for (uint32_t i = 0; i < ncb; i++) { /* cb.ctx = ctx; cb.next = list.first; list.first = cb */
        hb_handle cb = hb_new(gc, &cb_type, 2, 16);
        if (cb == HB_NO_HANDLE)
            goto oom;
        (*ops)++;
        hb_set(gc, hb_get(gc, cb), 0, hb_get(gc, ctx));
        hb_set(gc, hb_get(gc, cb), 1, hb_slot(hb_get(gc, list), 1));
        hb_set(gc, hb_get(gc, list), 1, hb_get(gc, cb));
        hb_scope_leave(gc, cb);
    }
    hb_handle rb = hb_new(gc, &buf_type, 0, rbuf), wb = hb_new(gc, &buf_type, 0, wbuf);
    if (rb == HB_NO_HANDLE || wb == HB_NO_HANDLE)
        goto oom;
    *ops += 2;
    *(uint64_t *)hb_bytes(hb_get(gc, rb)) = n * 2 + 1;
    *(uint64_t *)hb_bytes(hb_get(gc, wb)) = n * 3 + 2;
    hb_set(gc, hb_get(gc, conn), C_RBUF, hb_get(gc, rb));
    hb_set(gc, hb_get(gc, conn), C_WBUF, hb_get(gc, wb));
    if (hb_fld_tag(gc, hb_get(gc, conn), C_TAG) != 0)
        goto oom;
    (*ops)++;
    return hb_scope_leave_keep(gc, s, conn);
oom:
    hb_scope_leave(gc, s);
    return HB_NO_HANDLE;
}

static uint64_t request_value(hb_obj *conn)
{
    return *(const uint64_t *)hb_bytes(hb_slot(conn, C_RBUF)) ^ (*(const uint64_t *)hb_bytes(hb_slot(conn, C_WBUF)) << 1);
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long requests = hb_wl_scaled(env, env->params[0], 1);
    uint32_t inflight = (uint32_t)env->params[1], ncb = (uint32_t)env->params[2];
    uint32_t rbuf = (uint32_t)env->params[3], wbuf = (uint32_t)env->params[4], pool = (uint32_t)env->params[5];
    long long pool_every = env->params[6];
    uint32_t cache = (uint32_t)hb_wl_scaled(env, env->params[7], 1);
    int64_t req_objects = 3 + ncb + 2 + 1;
    int64_t req_bytes = hb_fld_size(C_NSLOTS, 16) + hb_fld_size(X_NSLOTS, 16) + hb_fld_size(2, 0) +
                        (int64_t)ncb * hb_fld_size(2, 16) + hb_fld_size(0, rbuf) + hb_fld_size(0, wbuf) +
                        HB_FLD_TAG_BYTES;
    int64_t resp_objects = 3, resp_bytes = hb_fld_size(R_NSLOTS, BODY) + hb_fld_size(1, HEADERS) + HB_FLD_TAG_BYTES;
    uint64_t h = HB_CHECKSUM_INIT, ops = 0, cache_next = 0;
    int rc = HB_WL_OK;
    hb_rng rng;
    hb_rng_seed(&rng, env->seed);
    hb_scope s0 = hb_scope_enter(gc);
    hb_fld_begin(env);

    hb_handle window = hb_new(gc, &table_type, inflight, 0);
    hb_handle pl = hb_new(gc, &table_type, pool, 0);
    hb_handle ch = hb_new(gc, &table_type, cache, 0);
    if (window == HB_NO_HANDLE || pl == HB_NO_HANDLE || ch == HB_NO_HANDLE)
        goto oom;
    ops += 3;
    for (long long r = 0; r < requests; r++) {
        hb_handle conn = make_request(gc, (uint64_t)r, ncb, rbuf, wbuf, &ops);
        if (conn == HB_NO_HANDLE)
            goto oom;
        hb_obj *w = hb_get(gc, window);
        uint32_t i = (uint32_t)(r % inflight);
        hb_obj *done = hb_slot(w, i);
        if (done != NULL) { /* the request begun `inflight` ago ends */
            h = hb_mix(h, request_value(done));
            if (hb_rng_below(&rng, (uint64_t)pool_every) == 0) { /* back to the pool */
                hb_obj *p = hb_get(gc, pl);
                uint32_t j = (uint32_t)hb_rng_below(&rng, pool);
                hb_obj *old = hb_slot(p, j);
                if (old != NULL)
                    hb_fld_drop(hb_slot(old, C_TAG), req_objects, req_bytes);
                hb_set(gc, p, j, done);
            } else
                hb_fld_drop(hb_slot(done, C_TAG), req_objects, req_bytes);
        }
        hb_set(gc, w, i, hb_get(gc, conn)); /* `done` is garbage now, unless pooled */
        hb_scope_leave(gc, conn);

        if (r % CACHE_EVERY == 0) { /* store a response */
            hb_scope s = hb_scope_enter(gc);
            hb_handle resp = hb_new(gc, &resp_type, R_NSLOTS, BODY);
            hb_handle hdr = hb_new(gc, &hdr_type, 1, HEADERS);
            if (resp == HB_NO_HANDLE || hdr == HB_NO_HANDLE)
                goto oom;
            ops += 2;
            *(uint64_t *)hb_bytes(hb_get(gc, resp)) = (uint64_t)r * 5 + 3;
            hb_set(gc, hb_get(gc, resp), R_HDR, hb_get(gc, hdr));
            hb_set(gc, hb_get(gc, hdr), 0, hb_get(gc, resp));
            hb_set(gc, hb_get(gc, resp), R_POOL, hb_get(gc, pl));
            if (hb_fld_tag(gc, hb_get(gc, resp), R_TAG) != 0)
                goto oom;
            ops++;
            hb_obj *c = hb_get(gc, ch);
            uint32_t j = (uint32_t)(cache_next++ % cache);
            hb_obj *old = hb_slot(c, j);
            if (old != NULL)
                hb_fld_drop(hb_slot(old, R_TAG), resp_objects, resp_bytes);
            hb_set(gc, c, j, hb_get(gc, resp));
            hb_scope_leave(gc, s);
        }
        if (r % HIT_EVERY == 1) { /* a cache lookup */
            hb_obj *e = hb_slot(hb_get(gc, ch), (uint32_t)hb_rng_below(&rng, cache));
            h = hb_mix(h, e != NULL ? *(const uint64_t *)hb_bytes(e) : 0);
        }
    }
    for (uint32_t i = 0; i < pool; i++) {
        hb_obj *o = hb_slot(hb_get(gc, pl), i);
        h = hb_mix(h, o != NULL ? request_value(o) : 0);
    }
    for (uint32_t i = 0; i < cache; i++) {
        hb_obj *o = hb_slot(hb_get(gc, ch), i);
        h = hb_mix(h, o != NULL ? *(const uint64_t *)hb_bytes(o) : 0);
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

const hb_workload_ops hb_wl_request_cycles = {
    .name = "request-cycles",
    .summary = "field: per request a few objects in cycles with large buffers, beside a long-lived pool and cache",
    .origin = "field report: CPython issue 142516 (httpx/ssl client, 420 MB on 3.14.2 against 80 MB on 3.14.0)",
    .flags = HB_WL_COLLECTOR | HB_WL_FIELD,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
