/*
 * child.h: runs one cell in this process and reports it on a descriptor.
 */
#ifndef HB_CHILD_H
#define HB_CHILD_H

#include "spec.h"

/* Runs the cell; writes "column=value" lines (and "message=...") to fd.
 * Returns the child's exit status: 0 when a status line was written for a
 * completed run, 3 for a set-up error. */
int hb_child_run(const hb_spec *s, int fd);

#endif
