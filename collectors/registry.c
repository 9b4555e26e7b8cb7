/*
 * registry.c: the static table of collector plug-ins, and opening and
 * closing instances.
 *
 * Adding a collector = one new file defining its `const hb_collector_ops`
 * and one line here.  boehm sits behind HAVE_BOEHM, which CMake sets when
 * libgc (pkg-config bdw-gc) is installed.
 */
#include "internal.h"

#include <stdlib.h>

extern const hb_collector_ops hb_refcount_ops;
extern const hb_collector_ops hb_generational_ops;
extern const hb_collector_ops hb_incremental_ops;
extern const hb_collector_ops hb_incremental_314_ops;
extern const hb_collector_ops hb_gen_inc_ops;
extern const hb_collector_ops hb_marksweep_ops;
extern const hb_collector_ops hb_none_ops;
#ifdef HAVE_BOEHM
extern const hb_collector_ops hb_boehm_ops;
extern const hb_collector_ops hb_boehm_incremental_ops;
#endif

static const hb_collector_ops *const registry[] = {
    &hb_refcount_ops,
    &hb_generational_ops,
    &hb_incremental_ops,
    &hb_incremental_314_ops,
    &hb_gen_inc_ops,
    &hb_marksweep_ops,
    &hb_none_ops,
#ifdef HAVE_BOEHM
    &hb_boehm_ops,
    &hb_boehm_incremental_ops,
#endif
};

size_t hb_collector_count(void) { return sizeof registry / sizeof registry[0]; }

const hb_collector_ops *hb_collector_at(size_t i)
{
    return i < hb_collector_count() ? registry[i] : NULL;
}

const hb_collector_ops *hb_collector_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < hb_collector_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const char *hb_collector_names(char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < hb_collector_count() && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", registry[i]->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

int hb_gc_open(hb_gc **out, const char *name, const hb_alloc *alloc, char *msg, size_t msglen)
{
    char names[256];
    const hb_collector_ops *ops = hb_collector_find(name);
    *out = NULL;
    if (ops == NULL)
        return hb__fail(msg, msglen, "unknown collector '%s' (valid: %s)", name ? name : "(null)",
                        hb_collector_names(names, sizeof names));
    if (alloc == NULL || alloc->ops == NULL)
        return hb__fail(msg, msglen, "collector '%s': no allocator instance given", name);
    hb_gc *gc = calloc(1, sizeof *gc);
    if (gc == NULL)
        return hb__fail(msg, msglen, "collector '%s': out of memory", name);
    gc->ops = ops;
    gc->alloc = *alloc;
    gc->enabled = true;
    gc->ctx = ops->create(gc, msg, msglen);
    if (gc->ctx == NULL) {
        free(gc);
        return -1;
    }
    if (ops->caps & HB_GC_REFCOUNT)
        gc->rc = gc->ctx; /* struct hb_rcheap is the context's first member */
    *out = gc;
    return 0;
}

void hb_gc_close(hb_gc *gc)
{
    if (gc == NULL)
        return;
    gc->closing = true;
    gc->free_hook = NULL; /* close frees silently */
    /* Handles and the garbage list are dropped without releasing: destroy
     * frees every object left, without finalizers. */
    if (gc->roots.nhandles > 0)
        memset(gc->roots.handles, 0, gc->roots.nhandles * sizeof(hb_obj *));
    gc->roots.nhandles = 0;
    gc->garbage.n = 0;
    gc->ops->destroy(gc->ctx);
    if (gc->ops->roots_realloc == NULL)
        free(gc->roots.handles);
    hb__vec_free(&gc->garbage);
    hb__vec_free(&gc->cbq);
    hb__weaktab_free(&gc->weak);
    free(gc->pauses);
    free(gc);
}
