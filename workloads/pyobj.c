/*
 * pyobj.c: boxed ints and growing lists over the object model (pyobj.h).
 */
#include "pyobj.h"

const hb_type hb_py_int_type = {.name = "int"};
const hb_type hb_py_list_type = {.name = "list"};
const hb_type hb_py_items_type = {.name = "list-items"};

hb_handle hb_py_box(hb_gc *gc, int64_t v, uint64_t *ops)
{
    hb_handle h = hb_new(gc, &hb_py_int_type, 0, sizeof(int64_t));
    if (h != HB_NO_HANDLE) {
        (*ops)++;
        *(int64_t *)hb_bytes(hb_get(gc, h)) = v;
    }
    return h;
}

int hb_py_list_append(hb_gc *gc, hb_obj *list, hb_obj *v, uint64_t *ops)
{
    uint64_t *len = hb_bytes(list);
    hb_obj *items = hb_slot(list, 0);
    if (items == NULL || *len == items->nslots) {
        uint64_t want = *len + 1;
        uint64_t cap = (want + (want >> 3) + 6) & ~(uint64_t)3; /* CPython's list_resize */
        if (cap > UINT32_MAX)
            return -1;
        hb_scope s = hb_scope_enter(gc);
        hb_handle nh = hb_new(gc, &hb_py_items_type, (uint32_t)cap, 0);
        if (nh == HB_NO_HANDLE) {
            hb_scope_leave(gc, s);
            return -1;
        }
        (*ops)++;
        hb_obj *ni = hb_get(gc, nh);
        items = hb_slot(list, 0);
        for (uint64_t i = 0; i < *len; i++)
            hb_set(gc, ni, (uint32_t)i, hb_slot(items, (uint32_t)i));
        hb_set(gc, list, 0, ni); /* drops the old array */
        hb_scope_leave(gc, s);
        items = ni;
    }
    hb_set(gc, items, (uint32_t)*len, v);
    (*len)++;
    return 0;
}
