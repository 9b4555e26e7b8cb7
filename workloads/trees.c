/* trees.c: see trees.h. */
#include "trees.h"

hb_handle hb_tree_bottom_up(hb_gc *gc, const hb_type *t, uint32_t nbytes, int levels,
                            hb_tree_init_fn init, void *arg, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle l = HB_NO_HANDLE, r = HB_NO_HANDLE, n;
    if (levels > 1) {
        if ((l = hb_tree_bottom_up(gc, t, nbytes, levels - 1, init, arg, ops)) == HB_NO_HANDLE)
            goto fail;
        if ((r = hb_tree_bottom_up(gc, t, nbytes, levels - 1, init, arg, ops)) == HB_NO_HANDLE)
            goto fail;
    }
    if ((n = hb_new(gc, t, 2, nbytes)) == HB_NO_HANDLE)
        goto fail;
    (*ops)++;
    hb_obj *o = hb_get(gc, n);
    if (init != NULL)
        init(o, levels, arg);
    if (levels > 1) {
        hb_set(gc, o, 0, hb_get(gc, l));
        hb_set(gc, o, 1, hb_get(gc, r));
    }
    return hb_scope_leave_keep(gc, s, n);
fail:
    hb_scope_leave(gc, s);
    return HB_NO_HANDLE;
}
