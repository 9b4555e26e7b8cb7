/*
 * registry.c: the static table of workloads and parameter parsing.
 *
 * Adding a workload = one new file defining its `const hb_workload_ops`, one
 * extern line and one table line here, and the file in CMakeLists.txt.
 */
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HB_WORKLOAD_LIST(X) X(glibc_simple) X(random_churn) X(refcount_alias) X(cycle_pairs) X(self_cycles) X(small_objects) X(weak_cache) X(traced_peak) X(finalizer_lifecycle) X(materialize_vs_stream) X(slots_vs_dict) X(containers) X(generational_churn) X(gcbench) X(binary_trees) X(gcold) X(larson) X(xmalloc_test) X(cache_scratch) X(cache_thrash) X(mstress) X(glibc_thread) X(alloc_test) X(malloc_large) X(realloc_grow) X(chunked_stream) X(scoped_resource) \
    X(trash_stream) X(surprise_link) X(request_cycles) X(ast_build) X(docs_build) X(service_soak)

#define HB_DECLARE(n) extern const hb_workload_ops hb_wl_##n;
HB_WORKLOAD_LIST(HB_DECLARE)
#undef HB_DECLARE

static const hb_workload_ops *const registry[] = {
#define HB_ENTRY(n) &hb_wl_##n,
    HB_WORKLOAD_LIST(HB_ENTRY)
#undef HB_ENTRY
};

size_t hb_workload_count(void) { return sizeof registry / sizeof registry[0]; }

const hb_workload_ops *hb_workload_at(size_t i) { return i < hb_workload_count() ? registry[i] : NULL; }

const hb_workload_ops *hb_workload_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < hb_workload_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const char *hb_workload_names(char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < hb_workload_count() && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", registry[i]->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

int hb_workload_param_index(const hb_workload_ops *w, const char *name)
{
    for (size_t i = 0; i < w->nparams; i++)
        if (strcmp(w->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

int hb_workload_param_parse(const hb_workload_ops *w, int i, const char *value, long long *out, char *msg,
                            size_t len)
{
    const hb_param_def *d = &w->params[i];
    if (d->choices != NULL) {
        char valid[256] = "";
        size_t used = 0;
        for (int k = 0; d->choices[k] != NULL; k++) {
            if (strcmp(d->choices[k], value) == 0) {
                *out = k;
                return 0;
            }
            int n = snprintf(valid + used, sizeof valid - used, "%s%s", k ? ", " : "", d->choices[k]);
            if (n > 0 && (size_t)n < sizeof valid - used)
                used += (size_t)n;
        }
        snprintf(msg, len, "workload '%s': parameter %s=%s is not one of: %s", w->name, d->name, value, valid);
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 0);
    if (errno != 0 || end == value || *end != '\0' || v < d->min || v > d->max) {
        snprintf(msg, len, "workload '%s': parameter %s=%s must be an integer in [%lld, %lld]", w->name, d->name,
                 value, d->min, d->max);
        return -1;
    }
    *out = v;
    return 0;
}

void hb_workload_defaults(const hb_workload_ops *w, hb_workload_env *env)
{
    for (size_t i = 0; i < w->nparams && i < HB_MAX_PARAMS; i++)
        env->params[i] = w->params[i].def;
}
