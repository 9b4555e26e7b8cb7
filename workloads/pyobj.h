/*
 * pyobj.h: Python's everyday objects modelled over the object model, for the
 * seed workloads that build them: boxed ints and lists that grow as
 * CPython's list_resize grows them.
 *
 * A boxed int is an object with no slots and 8 raw bytes (the value).  A
 * list is an object with one slot (its items array, or NULL) and 8 raw bytes
 * (its length); the items array is an object whose slots are the items, of
 * capacity >= length.
 */
#ifndef HB_PYOBJ_H
#define HB_PYOBJ_H

#include <stdint.h>

#include "collector.h"

extern const hb_type hb_py_int_type, hb_py_list_type, hb_py_items_type;

/* A new boxed int in a new handle (counted in *ops), or HB_NO_HANDLE. */
hb_handle hb_py_box(hb_gc *gc, int64_t v, uint64_t *ops);
static inline int64_t hb_py_unbox(const hb_obj *o)
{
    return *(const int64_t *)(const void *)(o->slots + o->nslots);
}

/* Appends v (held by the caller, as is list); a grown items array counts in
 * *ops.  0, or -1 when allocation failed. */
int hb_py_list_append(hb_gc *gc, hb_obj *list, hb_obj *v, uint64_t *ops);

#endif
