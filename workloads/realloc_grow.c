/*
 * realloc_grow.c: buffers that grow by realloc, as strbuf-like code grows
 * them (git's strbuf, CPython's bytearray and list, a line reader's buffer).
 *
 * `active` buffers grow at once, in turn: each step appends a random chunk
 * of 1 .. `chunk` bytes to one of them, and when the buffer's capacity is
 * short it is reallocated to (cap + 16) * `grow` / 100 (git's alloc_nr at
 * the default 150).  Every buffer has a target length drawn log-uniformly
 * between `min` and `max` KiB, so most stay small and a few grow to MiBs.
 * A buffer that reaches its target is finished: its contents are verified
 * (one byte a page and its last byte, against the pattern appended), then
 * one in four is shrunk to its length by realloc and kept in one of `kept`
 * slots (freeing the one there before: strbuf_detach's callers), one in
 * sixteen shrinks to half first (a truncation), and the rest are freed.  A
 * fresh buffer takes the finished one's place.  `buffers` finished buffers
 * make a run at scale 1.
 *
 * Buffer bytes are a function of the buffer's number and the offset, so a
 * realloc that loses or moves bytes wrongly returns HB_WL_WRONG.  The
 * checksum mixes each finished buffer's number, length and verified bytes.
 */
#include <stdio.h>
#include <string.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"buffers", 3000, 1, 1000000000LL, NULL, "buffers grown to their target and finished, at scale 1"},
    {"active", 8, 1, 4096, NULL, "buffers growing at once (appended to in turn)"},
    {"min", 1, 1, 1 << 20, NULL, "smallest target length, KiB"},
    {"max", 4096, 1, 1 << 20, NULL, "largest target length, KiB (targets are log-uniform between min and max)"},
    {"chunk", 4096, 1, 1 << 24, NULL, "largest append, bytes (each append is 1 .. chunk)"},
    {"grow", 150, 101, 1000, NULL, "growth on a short capacity, percent: (cap + 16) * grow / 100"},
    {"kept", 16, 0, 65536, NULL, "finished buffers kept (shrunk to their length) until a later one replaces them"},
};

#define PAGE 4096

typedef struct buf {
    unsigned char *p;
    size_t len, cap, target;
    uint64_t id;
} buf;

typedef struct kept {
    unsigned char *p;
    size_t len;
} kept;

typedef struct state {
    const hb_workload_env *env;
    hb_rng rng;
    size_t lo, hi, chunk;
    unsigned grow;
    uint64_t next_id, hash, ops;
} state;

#define RUN 256 /* the pattern is constant over runs of 256 bytes: appends are memsets */

/* Byte `off` of buffer `id`: differs from run to run and from buffer to buffer. */
static inline unsigned char pattern(uint64_t id, size_t off)
{
    size_t r = off / RUN;
    return (unsigned char)((id * 0x9e37u) ^ (r * 131u) ^ (r >> 4));
}

/* A log-uniform length in [lo, hi]. */
static size_t draw_target(state *st)
{
    unsigned lbits = 63 - (unsigned)__builtin_clzll(st->lo), hbits = 63 - (unsigned)__builtin_clzll(st->hi);
    unsigned b = lbits + (unsigned)hb_rng_below(&st->rng, hbits - lbits + 1);
    size_t base = (size_t)1 << b, n = base + (size_t)hb_rng_below(&st->rng, base);
    return n < st->lo ? st->lo : n > st->hi ? st->hi : n;
}

static void start(state *st, buf *b)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->target = draw_target(st);
    b->id = st->next_id++;
}

/* Appends up to `chunk` bytes to b, growing it as strbuf_grow does; -1 when realloc fails. */
static int append(state *st, buf *b)
{
    size_t n = 1 + (size_t)hb_rng_below(&st->rng, st->chunk);
    if (n > b->target - b->len)
        n = b->target - b->len;
    if (b->len + n > b->cap) {
        size_t cap = (b->cap + 16) * st->grow / 100;
        if (cap < b->len + n)
            cap = b->len + n;
        unsigned char *q = hb_realloc(st->env->alloc, b->p, b->cap, cap);
        if (q == NULL)
            return -1;
        st->ops++;
        b->p = q;
        b->cap = cap;
    }
    for (size_t end = b->len + n; b->len < end;) {
        size_t stop = (b->len / RUN + 1) * RUN;
        if (stop > end)
            stop = end;
        memset(b->p + b->len, pattern(b->id, b->len), stop - b->len);
        b->len = stop;
    }
    return 0;
}

/* Checks one byte a page and the last byte of the first len bytes of b's data. */
static int verify(state *st, const unsigned char *p, uint64_t id, size_t len)
{
    uint64_t v = 0;
    int bad = 0;
    for (size_t off = 0; off < len; off += PAGE) {
        size_t at = off + (size_t)((id + off / PAGE) % (len - off < PAGE ? len - off : PAGE));
        bad |= p[at] != pattern(id, at);
        v = v * 31 + p[at];
    }
    if (len > 0)
        bad |= p[len - 1] != pattern(id, len - 1);
    st->hash = hb_mix(hb_mix(hb_mix(st->hash, id), len), v);
    return bad;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    long long nbuf = hb_wl_scaled(env, env->params[0], 1);
    size_t nactive = (size_t)env->params[1], nkept = (size_t)env->params[6];
    state st = {.env = env,
                .lo = (size_t)env->params[2] << 10,
                .hi = (size_t)env->params[3] << 10,
                .chunk = (size_t)env->params[4],
                .grow = (unsigned)env->params[5],
                .hash = HB_CHECKSUM_INIT};
    if (st.hi < st.lo) {
        snprintf(out->message, sizeof out->message, "max (%lld KiB) is below min (%lld KiB)", env->params[3],
                 env->params[2]);
        return HB_WL_ERROR;
    }
    size_t bytes = nactive * sizeof(buf) + (nkept + 1) * sizeof(kept);
    buf *act = hb_wl_scratch_alloc(bytes);
    if (act == NULL)
        return HB_WL_OOM;
    kept *keep = (kept *)(act + nactive);
    hb_rng_seed(&st.rng, env->seed);
    for (size_t i = 0; i < nactive; i++)
        start(&st, &act[i]);

    int rc = HB_WL_OK;
    long long done = 0;
    for (size_t i = 0; done < nbuf; i = i + 1 == nactive ? 0 : i + 1) {
        buf *b = &act[i];
        if (append(&st, b) != 0) {
            rc = HB_WL_OOM;
            break;
        }
        if (b->len < b->target)
            continue;
        done++;
        if (verify(&st, b->p, b->id, b->len)) {
            rc = HB_WL_WRONG;
            break;
        }
        uint64_t fate = hb_rng_below(&st.rng, 16);
        size_t len = b->len;
        if (fate == 0) /* truncate to half, then finish it */
            len = len / 2 + 1;
        if (fate < 4 && nkept > 0) { /* shrink to fit and keep */
            unsigned char *q = hb_realloc(env->alloc, b->p, b->cap, len);
            if (q == NULL) {
                rc = HB_WL_OOM;
                break;
            }
            st.ops++;
            if (verify(&st, q, b->id, len)) {
                hb_free(env->alloc, q, len);
                b->p = NULL;
                rc = HB_WL_WRONG;
                break;
            }
            size_t k = (size_t)hb_rng_below(&st.rng, nkept);
            if (keep[k].p != NULL)
                hb_free(env->alloc, keep[k].p, keep[k].len);
            keep[k].p = q;
            keep[k].len = len;
        } else {
            hb_free(env->alloc, b->p, b->cap);
        }
        start(&st, b);
    }
    for (size_t i = 0; i < nactive; i++)
        if (act[i].p != NULL)
            hb_free(env->alloc, act[i].p, act[i].cap);
    for (size_t k = 0; k < nkept; k++)
        if (keep[k].p != NULL)
            hb_free(env->alloc, keep[k].p, keep[k].len);
    hb_wl_scratch_free(act, bytes);
    out->checksum = st.hash;
    out->ops = st.ops;
    if (rc == HB_WL_OOM)
        snprintf(out->message, sizeof out->message, "realloc failed");
    else if (rc == HB_WL_WRONG)
        snprintf(out->message, sizeof out->message, "a buffer's bytes changed across realloc");
    return rc;
}

const hb_workload_ops hb_wl_realloc_grow = {
    .name = "realloc-grow",
    .summary = "8 buffers grown in turn by realloc by 1.5x (git's strbuf) to 1 KiB .. 4 MiB, then freed, kept or "
               "shrunk; 3000 of them",
    .origin = "strbuf-style growth: git's strbuf_grow (alloc_nr), CPython's bytearray",
    .flags = HB_WL_ALLOCATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
