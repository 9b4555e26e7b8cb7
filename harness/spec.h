/*
 * spec.h: one measured cell (workload x allocator x collector x threads x
 * parameters), parsed from the command line once and passed, as the same
 * arguments, from the parent to the child that runs it.
 */
#ifndef HB_SPEC_H
#define HB_SPEC_H

#include <stdint.h>

#include "allocator.h"
#include "workload.h"

enum {
    HB_MEASURE_COUNT = 1u << 0,   /* counting wrapper: peak_live_bytes, overhead_ratio */
    HB_MEASURE_LATENCY = 1u << 1, /* latency wrapper: lat_* */
    HB_MEASURE_FRAG = 1u << 2,    /* internal_frag (asks usable_size per allocation) */
    HB_MEASURE_ALL = 7u,          /* the three above: `--measure all` */
    HB_MEASURE_INSTR = 1u << 3,   /* a third pass under callgrind: instructions, alloc_instructions */
};

typedef struct hb_spec {
    const hb_workload_ops *workload;
    const hb_allocator_ops *allocator;
    const char *collector; /* NULL for allocator workloads */
    int threads;
    double scale;
    uint64_t seed;
    long long params[HB_MAX_PARAMS];
    unsigned measure;       /* HB_MEASURE_* */
    unsigned lat_every;     /* sample one allocation call in this many */
    const char *timeline;   /* file for the memory timeline, or NULL */
    unsigned timeline_ms;   /* its sampling interval */
    const char *latfile;    /* file for the latency percentile curve (docs/soak.md), or NULL */
} hb_spec;

/* "k=v;k=v" of the spec's parameters (scale included), for the params column. */
void hb_spec_params_text(const hb_spec *s, char *buf, size_t len);

#endif
