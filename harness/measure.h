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
 * aligned) in every `every` with the CPU's time-stamp counter, storing up
 * to `capacity` samples (then overwriting the oldest).  Frees pass through
 * untimed.  Thread-safe when the inner instance is. */
int hb_latency_wrap(hb_alloc *out, const hb_alloc *inner, unsigned every, size_t capacity);
/* Percentiles of the samples in nanoseconds; 0 when none. */
void hb_latency_result(const hb_alloc *lat, double *p50, double *p99, double *max, size_t *samples);

/* Percentile q (0..1) of n values, sorting them in place (nearest rank). */
double hb_percentile(double *v, size_t n, double q);

#endif
