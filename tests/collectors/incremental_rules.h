/*
 * incremental_rules.h: the generation rules of docs/conformance.md 2.6 - 2.10 as
 * the incremental collector has them (incremental_rules.c), called by
 * generations.c for a collector with HB_GC_INCREMENTAL; and helpers shared
 * with the incremental-only cases (incremental.c).
 */
#ifndef HB_INCREMENTAL_RULES_H
#define HB_INCREMENTAL_RULES_H

#include "gctest.h"
#include "internal.h" /* hb__inc_probe */

/* gen-inc: triggered by bytes, alternating young collections and increments. */
bool inc_is_gen_inc(hb_gc *gc);
void inc_thresholds(hb_gc *gc);
void inc_auto(hb_gc *gc);
void inc_promotion(hb_gc *gc);
void inc_get_count(hb_gc *gc);
void inc_long_lived(hb_gc *gc);
void inc_untracking(hb_gc *gc);

/* The probe, failing the test when the collector has none. */
hb_inc_probe inc_probe(hb_gc *gc);
/* A kept object that stays tracked (its last slot holds itself). */
hb_obj *inc_new_tracked(hb_gc *gc, uint32_t nslots, uint64_t *id);
/* Generation bits: 0 young, 1 + s for a tracked object of space s. */
static inline int inc_gen(const hb_obj *o) { return (int)(o->gc & HB_OF_GEN_MASK); }
/* collect(1) until a cycle completes (the spaces swap); returns the calls
 * made; fails after `max` calls. */
int inc_finish_cycle(hb_gc *gc, int max);

#endif
