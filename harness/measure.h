/*
 * measure.h: what the child measures: clocks, resident set, allocation
 * latency sampling (a wrapper over any allocator instance).
 */
#ifndef HB_MEASURE_H
#define HB_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "allocator.h"

/* Monotonic nanoseconds. */
uint64_t hb_now_ns(void);
/* Current resident set of this process in KiB (/proc/self/statm), 0 if unknown. */
long hb_rss_kib(void);
/* Maximum resident set of this process so far, KiB (getrusage). */
long hb_peak_rss_kib(void);

/* Latency wrapper: times one allocation call (malloc, calloc, realloc,
 * aligned) in every `every` with the CPU's time-stamp counter, keeping a
 * uniform sample of at most `capacity` of those timings over the whole run
 * (reservoir sampling).  Frees pass through untimed.  Thread-safe when the
 * inner instance is. */
int hb_latency_wrap(hb_alloc *out, const hb_alloc *inner, unsigned every, size_t capacity);
/* The samples in nanoseconds, sorted ascending, in a malloc'd array the
 * caller frees; NULL (and *n = 0) when there are none. */
double *hb_latency_sorted(const hb_alloc *lat, size_t *n);

/* Percentile q (0..1) of n values, sorting them in place (nearest rank). */
double hb_percentile(double *v, size_t n, double q);

#endif
