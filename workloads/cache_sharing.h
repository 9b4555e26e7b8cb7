/*
 * cache_sharing.h: the false-sharing loop shared by cache-scratch and
 * cache-thrash (cache_scratch.c).
 */
#ifndef HB_CACHE_SHARING_H
#define HB_CACHE_SHARING_H

#include <stdbool.h>

#include "workload.h"

#define HB_WL_CACHE_NPARAMS 3
extern const hb_param_def hb_wl_cache_params[HB_WL_CACHE_NPARAMS];

/* Runs the loop; with `handoff`, each thread first frees an object the main
 * thread allocated next to the others' (cache-scratch). */
int hb_wl_cache_run(const hb_workload_env *env, hb_workload_result *out, bool handoff);

#endif
