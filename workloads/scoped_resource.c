/*
 * scoped_resource.c: seed M10 (Mastering Python's Memory Management): a
 * resource acquired in a scope (a `with` block) is released when the scope
 * ends, so memory goes back to its baseline after every scope.
 *
 * `scopes` times: acquire a buffer of `ints` 32-bit integers (default 1 Mi
 * ints, 4 MiB), write every element, read them all back into a sum, and
 * release the buffer at the end of the scope.  Whether the process's
 * resident set really returns to its baseline between scopes is the
 * allocator's business (end_rss_kib and the timeline show it).
 *
 * The checksum mixes the scopes' sums in order.
 */
#include <stdio.h>

#include "workload.h"

static const hb_param_def params[] = {
    {"scopes", 500, 1, 100000000LL, NULL,
     "scopes, each acquiring and releasing one buffer, at scale 1 (default 500: the catalogue's 100 take well under "
     "0.2 s)"},
    {"ints", 1 << 20, 1, 1LL << 32, NULL, "32-bit integers per buffer (default 1 Mi: 4 MiB)"},
};

typedef struct resource {
    const hb_alloc *alloc;
    uint32_t *data;
    size_t count;
} resource;

static int acquire(resource *r, const hb_alloc *a, size_t count)
{
    r->alloc = a;
    r->count = count;
    r->data = hb_malloc(a, count * sizeof(uint32_t));
    return r->data != NULL ? 0 : -1;
}

static void release(resource *r)
{
    hb_free(r->alloc, r->data, r->count * sizeof(uint32_t));
    r->data = NULL;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    long long scopes = hb_wl_scaled(env, env->params[0], 1);
    size_t count = (size_t)env->params[1];
    uint64_t h = HB_CHECKSUM_INIT;
    uint32_t key = (uint32_t)(env->seed * 0x9e3779b97f4a7c15ULL >> 32);
    long long s = 0;

    for (; s < scopes; s++) {
        resource r;
        if (acquire(&r, env->alloc, count) != 0)
            break;
        uint32_t v = key ^ (uint32_t)s;
        for (size_t i = 0; i < count; i++)
            r.data[i] = v + (uint32_t)i * 2654435761u;
        uint64_t sum = 0;
        for (size_t i = 0; i < count; i++)
            sum += r.data[i];
        h = hb_mix(h, sum);
        release(&r); /* scope exit */
    }
    out->checksum = h;
    out->ops = (uint64_t)s;
    if (s < scopes) {
        snprintf(out->message, sizeof out->message, "allocation failed in scope %lld", s);
        return HB_WL_OOM;
    }
    return HB_WL_OK;
}

const hb_workload_ops hb_wl_scoped_resource = {
    .name = "scoped-resource",
    .summary = "500 scopes, each acquiring a 4 MiB buffer of ints, touching it and releasing it at scope exit",
    .origin = "seed M10",
    .flags = HB_WL_ALLOCATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
