/*
 * glibc_simple.c: glibc's bench-malloc-simple, reimplemented.
 *
 * For each size in 16, 32, 64 B and each batch n in 25, 100, 400, 1600:
 * allocate n blocks, free the first half in allocation order (FIFO) and the
 * rest in reverse order (LIFO), repeated iterations/n times.  Each block gets
 * its index written into its first word, read back before it is freed; the
 * checksum mixes what was read, so a block handed out twice is caught.
 */
#include "workload.h"

#include <stdio.h>

static const hb_param_def params[] = {
    {"iterations", 2000000, 1000, 1000000000LL, NULL, "allocations per (size, batch) pair, at scale 1"},
};

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    static const size_t sizes[] = {16, 32, 64};
    static const int batches[] = {25, 100, 400, 1600};
    long long iterations = hb_wl_scaled(env, env->params[0], 1600);
    void **blocks = hb_wl_scratch_alloc(1600 * sizeof(void *));
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;

    if (blocks == NULL)
        return HB_WL_OOM;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0] && rc == HB_WL_OK; s++) {
        for (size_t b = 0; b < sizeof batches / sizeof batches[0] && rc == HB_WL_OK; b++) {
            int n = batches[b];
            long long rounds = iterations / n;
            for (long long r = 0; r < rounds && rc == HB_WL_OK; r++) {
                int made = 0;
                for (; made < n; made++) {
                    uint64_t *p = hb_malloc(env->alloc, sizes[s]);
                    if (p == NULL) {
                        rc = HB_WL_OOM;
                        break;
                    }
                    *p = (uint64_t)made ^ (uint64_t)r;
                    blocks[made] = p;
                }
                ops += (uint64_t)made;
                int half = made < n / 2 ? made : n / 2;
                for (int i = 0; i < half; i++) { /* FIFO */
                    h = hb_mix(h, *(uint64_t *)blocks[i]);
                    hb_free(env->alloc, blocks[i], sizes[s]);
                }
                for (int i = made - 1; i >= half; i--) { /* LIFO */
                    h = hb_mix(h, *(uint64_t *)blocks[i]);
                    hb_free(env->alloc, blocks[i], sizes[s]);
                }
            }
        }
    }
    hb_wl_scratch_free(blocks, 1600 * sizeof(void *));
    out->checksum = h;
    out->ops = ops;
    if (rc == HB_WL_OOM)
        snprintf(out->message, sizeof out->message, "allocation failed");
    return rc;
}

const hb_workload_ops hb_wl_glibc_simple = {
    .name = "glibc-simple",
    .summary = "batches of 25..1600 blocks of 16/32/64 B, freed half FIFO, half LIFO",
    .origin = "glibc benchtests bench-malloc-simple",
    .flags = HB_WL_ALLOCATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
