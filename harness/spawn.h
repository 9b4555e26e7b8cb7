/*
 * spawn.h: the parent side of the process model: one child per measured run.
 */
#ifndef HB_SPAWN_H
#define HB_SPAWN_H

#include "row.h"
#include "spec.h"

#include <sched.h>

/* Every child from now on runs on these CPUs only (--cpus); applied in the
 * child after fork (hb_spawn_apply_pin, also for launched programs). */
void hb_spawn_pin(const cpu_set_t *cpus);
void hb_spawn_apply_pin(void);

/* Set by the SIGINT handler: stop after the current run. */
extern volatile int hb_interrupted;
void hb_spawn_install_sigint(void);

/* Runs spec in a fresh child (`self` is the heapbench binary; an allocator
 * with a preload library gets it by LD_PRELOAD, any other runs with
 * LD_PRELOAD removed) and fills the measured columns and status of row
 * (crash when the child died, timeout when it ran past timeout_s and was
 * killed).  message gets the child's message, if any. */
void hb_spawn_cell(const char *self, const hb_spec *s, unsigned timeout_s, hb_row *row, char *message,
                   size_t msglen);

/* The progress line of the run in progress ("" for none: -q); when its
 * child announces a phase (a soak), the phase is shown after it: on a
 * terminal (hb_spawn_progress_tty) the line is rewritten, elsewhere a line
 * per phase. */
extern char hb_spawn_progress[512];
extern int hb_spawn_progress_tty;

/* Sets the alloc_path and alloc_sha256 columns of a row run on `a`. */
void hb_row_library(hb_row *row, const hb_allocator_ops *a);

/* A cleared row with the identifying columns of spec's run number `run`. */
void hb_row_identity(hb_row *row, const hb_spec *s, unsigned run);

/* The argument vector that makes `heapbench __child` run spec, reporting on
 * fd 3.  Returns argc; argv strings live in `store`. */
int hb_spec_to_argv(const hb_spec *s, char **argv, int max, char *store, size_t storelen);

#endif
