/*
 * malloc_large.c: the malloc-large test of mimalloc-bench, reimplemented
 * from its description.
 *
 * `slots` slots of large blocks.  Each step picks a random slot and a random
 * size of `min`..`max` MiB (default 5..25), allocates a zero-filled block of
 * that size (calloc, or with `zero=memset` malloc and memset), checks that it
 * is zero at its first, last and one random byte of every page it touches,
 * writes a stamp into each of those pages, and only then frees the slot's old
 * block: the old and new blocks are live together, as in the original.  This
 * measures the large-block path: mmap/munmap, the allocator's thresholds and
 * how it reuses or returns huge blocks.
 *
 * A block that is not zero returns HB_WL_WRONG.  The checksum mixes the
 * sizes and the stamps read back from each block before it is freed.
 */
#include <stdio.h>
#include <string.h>

#include "workload.h"

static const char *const zero_modes[] = {"calloc", "memset", NULL};

static const hb_param_def params[] = {
    {"steps", 200, 1, 100000000LL, NULL,
     "blocks allocated after the slots are filled, at scale 1 (default 200: the original 2000 takes 5 to 25 s on 2 "
     "cores)"},
    {"slots", 20, 1, 100000, NULL, "large blocks live at once (plus the one being replaced)"},
    {"min", 5, 1, 1 << 14, NULL, "smallest block, MiB"},
    {"max", 25, 1, 1 << 14, NULL, "largest block, MiB"},
    {"zero", 0, 0, 1, zero_modes, "how a block is zero-filled: calloc, or malloc then memset"},
};

#define PAGE 4096

typedef struct state {
    const hb_workload_env *env;
    hb_rng rng;
    uint64_t lo, span;
    int use_memset;
    unsigned char **slot;
    size_t *size;
    uint64_t hash, ops;
} state;

/* Checks one stamp per page and mixes them in; the block is then freed. */
static void release(state *st, long long i)
{
    unsigned char *p = st->slot[i];
    size_t n = st->size[i];
    uint64_t v = 0;
    for (size_t off = 0; off < n; off += PAGE)
        v = v * 31 + p[off];
    st->hash = hb_mix(hb_mix(st->hash, n), v);
    hb_free(st->env->alloc, p, n);
    st->slot[i] = NULL;
}

/* 0, -1 on allocation failure, -2 when the block was not zero. */
static int replace(state *st, long long i, uint64_t step)
{
    size_t n = (size_t)(st->lo + hb_rng_below(&st->rng, st->span));
    unsigned char *p;
    if (st->use_memset) {
        p = hb_malloc(st->env->alloc, n);
        if (p != NULL)
            memset(p, 0, n);
    } else {
        p = hb_calloc(st->env->alloc, 1, n);
    }
    if (p == NULL)
        return -1;
    st->ops++;
    int bad = p[n - 1] != 0;
    for (size_t off = 0; off < n; off += PAGE) {
        size_t probe = off + (size_t)hb_rng_below(&st->rng, n - off < PAGE ? n - off : PAGE);
        bad |= p[off] != 0 || p[probe] != 0;
        p[off] = (unsigned char)(step + off / PAGE);
    }
    if (st->slot[i] != NULL)
        release(st, i);
    st->slot[i] = p;
    st->size[i] = n;
    return bad ? -2 : 0;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    long long steps = hb_wl_scaled(env, env->params[0], 1), nslots = env->params[1];
    uint64_t lo = (uint64_t)env->params[2] << 20, hi = (uint64_t)env->params[3] << 20;
    if (hi < lo) {
        snprintf(out->message, sizeof out->message, "max (%lld MiB) is below min (%lld MiB)", env->params[3],
                 env->params[2]);
        return HB_WL_ERROR;
    }
    size_t bytes = (size_t)nslots * (sizeof(void *) + sizeof(size_t));
    state st = {.env = env, .lo = lo, .span = hi - lo + 1, .use_memset = env->params[4] == 1, .hash = HB_CHECKSUM_INIT};
    st.slot = hb_wl_scratch_alloc(bytes);
    if (st.slot == NULL)
        return HB_WL_OOM;
    st.size = (size_t *)(st.slot + nslots);
    hb_rng_seed(&st.rng, env->seed);

    int rc = 0;
    for (long long i = 0; i < nslots && rc == 0; i++)
        rc = replace(&st, i, (uint64_t)i);
    for (long long s = 0; s < steps && rc == 0; s++)
        rc = replace(&st, (long long)hb_rng_below(&st.rng, (uint64_t)nslots), (uint64_t)s);
    for (long long i = 0; i < nslots; i++)
        if (st.slot[i] != NULL)
            release(&st, i);
    hb_wl_scratch_free(st.slot, bytes);
    out->checksum = st.hash;
    out->ops = st.ops;
    if (rc == -1) {
        snprintf(out->message, sizeof out->message, "allocation failed");
        return HB_WL_OOM;
    }
    if (rc == -2) {
        snprintf(out->message, sizeof out->message, "a %s block was not zero-filled",
                 st.use_memset ? "memset" : "calloc'ed");
        return HB_WL_WRONG;
    }
    return HB_WL_OK;
}

const hb_workload_ops hb_wl_malloc_large = {
    .name = "malloc-large",
    .summary =
        "200 times replace one of 20 zero-filled 5..25 MiB blocks, the new one allocated before the old is freed",
    .origin = "mimalloc-bench malloc-large",
    .flags = HB_WL_ALLOCATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
