/*
 * cache_thrash.c: Berger's cache-thrash test from the Hoard suite: active
 * false sharing.  T threads start at once; each `iterations` times allocates
 * an object of `size` bytes, writes and reads every byte `repetitions` times
 * and frees it.  An allocator that carves the small objects of different
 * threads out of one cache line makes the threads' writes fight over it.
 * The loop and the checksum are cache-scratch's without its hand-off
 * (cache_scratch.c).
 */
#include "cache_sharing.h"

static int run_thrash(const hb_workload_env *env, hb_workload_result *out)
{
    return hb_wl_cache_run(env, out, false);
}

const hb_workload_ops hb_wl_cache_thrash = {
    .name = "cache-thrash",
    .summary = "active false sharing: threads repeatedly allocate, write and free their own small objects",
    .origin = "Berger, Hoard benchmarks (cache-thrash)",
    .flags = HB_WL_ALLOCATOR | HB_WL_THREADED,
    .params = hb_wl_cache_params,
    .nparams = HB_WL_CACHE_NPARAMS,
    .run = run_thrash,
};
