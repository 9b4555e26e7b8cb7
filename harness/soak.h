/*
 * soak.h: memory over time, and the figures a soak is judged by.
 *
 * A soak (an in-process workload with phases, or a server driven through the
 * same phases by a client) is sampled every 100 ms or so: time, resident
 * set, live bytes and the phase.  From those samples come the soak_* columns
 * (docs/csv.md, docs/soak.md):
 *
 *   frag     RSS / live bytes over the phase named "steady": median and max
 *   creep    least-squares slope of RSS over "steady", MiB per minute
 *   peak     highest RSS before the phase named "drop" begins (a drop so
 *            short that no sample falls in it began after the last sample
 *            before "idle")
 *   drop_1s, drop_10s
 *            RSS 1 s and 10 s after the drop ended (the first sample at or
 *            after that moment, within "idle") / peak
 *   settle   seconds from the end of the drop until RSS stays within 10% of
 *            the RSS at the end of "idle"
 *   idle_rss RSS at the end of "idle"
 *
 * Phase roles are found by name, so every soak names its phases from
 * HB_SOAK_PHASES (it may add others).  A figure whose phase is missing or
 * too short is left out (its column stays empty), never guessed.
 *
 * The series lives in its own mmap'd memory, never in the allocator under
 * test: sampling must not change what is measured.
 */
#ifndef HB_SOAK_H
#define HB_SOAK_H

#include <stddef.h>
#include <stdint.h>

/* The phases every soak goes through, in this order (workloads may insert
 * their own between them). */
#define HB_SOAK_PHASES "warmup", "steady", "shift", "drop", "idle", "regrow"

typedef struct hb_soak_sample {
    double t;      /* seconds since the start of the run */
    long rss_kib;  /* resident set */
    int64_t live;  /* live bytes (exact, or the server's own count); < 0 unknown */
    int phase;     /* index into the phase names; < 0 before the first */
} hb_soak_sample;

typedef struct hb_soak_series {
    hb_soak_sample *v;
    size_t n, cap;                 /* cap: samples the mapping holds */
    const char *const *phases;     /* NULL-terminated names */
} hb_soak_series;

/* Appends a sample; grows the mapping as needed.  0, or -1 when no memory
 * (the sample is dropped). */
int hb_soak_add(hb_soak_series *s, double t, long rss_kib, int64_t live, int phase);
void hb_soak_free(hb_soak_series *s);

enum { /* hb_soak_figures.have */
    HB_SOAK_FRAG = 1u << 0,
    HB_SOAK_CREEP = 1u << 1,
    HB_SOAK_PEAK = 1u << 2,
    HB_SOAK_DROP1 = 1u << 3,
    HB_SOAK_DROP10 = 1u << 4,
    HB_SOAK_SETTLE = 1u << 5,
    HB_SOAK_IDLE = 1u << 6,
};

typedef struct hb_soak_figures {
    unsigned have; /* HB_SOAK_*: which fields below were measured */
    double frag_median, frag_max;
    double creep_mib_min;
    long peak_rss_kib;
    double drop_1s, drop_10s;
    double settle_s;
    long idle_rss_kib;
} hb_soak_figures;

/* Computes the figures of a series (samples in time order). */
void hb_soak_compute(const hb_soak_series *s, hb_soak_figures *f);

/* Writes the measured figures as "column=value" lines to fd (the child's
 * protocol). */
void hb_soak_emit(const hb_soak_figures *f, int fd);

/* Latency percentile file (docs/soak.md, "Latency percentile files"): a CSV
 * `percentile,latency_ns`, one row per point of the curve from 50% to
 * 99.999% (percentiles 100 * (1 - 10^-x) for x = log10(2), 0.4, 0.5, ...
 * 5.0), then 100 (the maximum); a point is written only when there are at
 * least 1 / (1 - q) samples, so the curve stops where the data do.
 * `sorted_ns`: n latencies, ascending.  Written as PATH.tmp and renamed.
 * 0, or -1 with errno set. */
int hb_soak_write_latency(const char *path, const double *sorted_ns, size_t n);

/* Index of phase `name` in a NULL-terminated list, or -1. */
int hb_soak_phase_index(const char *const *phases, const char *name);

#endif
