/*
 * registry.c: the static table of allocator plug-ins.
 *
 * Adding an allocator = one new file defining its `const hb_allocator_ops`
 * and one line here.  Optional plug-ins sit behind the HAVE_* macros that
 * CMake sets when their package is installed.
 */
#include "allocator.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

extern const hb_allocator_ops hb_libc_ops;
extern const hb_allocator_ops hb_naive_ops;
extern const hb_allocator_ops hb_pooled_ops;
extern const hb_allocator_ops hb_bump_ops;
#ifdef HAVE_JEMALLOC
extern const hb_allocator_ops hb_jemalloc_ops;
#endif
#ifdef HAVE_MIMALLOC
extern const hb_allocator_ops hb_mimalloc_ops;
#endif
#ifdef HAVE_TCMALLOC
extern const hb_allocator_ops hb_tcmalloc_ops;
#endif
#ifdef HAVE_TBBMALLOC
extern const hb_allocator_ops hb_tbbmalloc_ops;
#endif
#ifdef HAVE_SCUDO
extern const hb_allocator_ops hb_scudo_ops;
#endif

/* Libraries given by path (external.c), found after the registered ones. */
const hb_allocator_ops *hb__external_find(const char *name);

static const hb_allocator_ops *const registry[] = {
    &hb_libc_ops,
    &hb_naive_ops,
    &hb_pooled_ops,
    &hb_bump_ops,
#ifdef HAVE_JEMALLOC
    &hb_jemalloc_ops,
#endif
#ifdef HAVE_MIMALLOC
    &hb_mimalloc_ops,
#endif
#ifdef HAVE_TCMALLOC
    &hb_tcmalloc_ops,
#endif
#ifdef HAVE_TBBMALLOC
    &hb_tbbmalloc_ops,
#endif
#ifdef HAVE_SCUDO
    &hb_scudo_ops,
#endif
};

size_t hb_allocator_count(void) { return sizeof registry / sizeof registry[0]; }

const hb_allocator_ops *hb_allocator_at(size_t i)
{
    return i < hb_allocator_count() ? registry[i] : NULL;
}

const hb_allocator_ops *hb_allocator_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < hb_allocator_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return hb__external_find(name);
}

const char *hb_allocator_names(char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < hb_allocator_count() && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", registry[i]->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

int hb_alloc_open(hb_alloc *a, const char *name, char *msg, size_t msglen)
{
    char names[256];
    const hb_allocator_ops *ops = hb_allocator_find(name);
    a->ops = NULL;
    a->ctx = NULL;
    if (ops == NULL) {
        snprintf(msg, msglen, "unknown allocator '%s' (valid: %s)", name ? name : "",
                 hb_allocator_names(names, sizeof names));
        return -1;
    }
    if ((ops->caps & HB_ALLOC_EXTERNAL) ? hb_verify_library(ops->name, ops->preload, msg, msglen) != 0
                                        : ops->verify != NULL && ops->verify(msg, msglen) != 0)
        return -1;
    void *ctx = ops->create();
    if (ctx == NULL) {
        snprintf(msg, msglen, "allocator '%s' could not start: %s", name, strerror(errno));
        return -1;
    }
    a->ops = ops;
    a->ctx = ctx;
    return 0;
}

void hb_alloc_close(hb_alloc *a)
{
    if (a->ops != NULL && a->ops->destroy != NULL)
        a->ops->destroy(a->ctx);
    a->ops = NULL;
    a->ctx = NULL;
}
