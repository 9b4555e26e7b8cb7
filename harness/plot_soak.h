/*
 * plot_soak.h: the soak plots (plot_soak.c): memory over time per allocator
 * with the phases shaded, and latency percentile curves.
 */
#ifndef HB_PLOT_SOAK_H
#define HB_PLOT_SOAK_H

#include <stddef.h>
#include <stdio.h>

/* Appends to the gnuplot script `gp` (run in dir) the soak plots of each of
 * the n workloads that has soak timelines or latency files in dir.  Returns
 * the number of plots added. */
int hb_soak_plots(FILE *gp, const char *dir, const char *const *workloads, size_t n, FILE *log);

/* Appends to summary.md (f) a "Soaks" table of the soak cells of csv: one
 * line per cell, medians of the soak_* and lat_* columns; nothing when the
 * file has no soak rows. */
void hb_soak_summary(FILE *f, const char *csv);

#endif
