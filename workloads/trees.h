/*
 * trees.h: the complete binary trees of the classic collector benchmarks
 * (binary-trees, GCBench's MakeTree, GCOld), built bottom-up through
 * handles: both subtrees first, then their parent, which is given them.
 */
#ifndef HB_TREES_H
#define HB_TREES_H

#include <stdint.h>

#include "collector.h"

/* Fills a new node's raw bytes; `level` counts from 1 at the leaves. */
typedef void (*hb_tree_init_fn)(hb_obj *node, int level, void *arg);

/* A complete tree of `levels` levels (1: a single node) of nodes of type
 * t with 2 slots and nbytes raw bytes, init (or NULL) called on each node
 * as it is made (children before parents, left before right).  Returns the
 * root in a handle of the caller's scope, or HB_NO_HANDLE when an
 * allocation failed; *ops counts the nodes. */
hb_handle hb_tree_bottom_up(hb_gc *gc, const hb_type *t, uint32_t nbytes, int levels,
                            hb_tree_init_fn init, void *arg, uint64_t *ops);

#endif
