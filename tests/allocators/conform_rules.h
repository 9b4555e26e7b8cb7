/*
 * conform_rules.h: what the rule files of the allocator conformance suite
 * (conform_common.c, conform_stress.c) share with each other.
 */
#ifndef HB_CONFORM_RULES_H
#define HB_CONFORM_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "testutil.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define MAX_ALIGN (_Alignof(max_align_t))

/* p is aligned to a (a power of two). */
int aligned_to(const void *p, size_t a);
/* Fails unless p (a block of n bytes, from the call the format names:
 * "calloc(%zu, %zu)") has the alignment malloc owes it: C11's, every block
 * aligned for any fundamental type (_Alignof(max_align_t)), or what the
 * allocator's table records; the evidence names the call and says when the
 * block meets only C23's weaker rule (N2293). */
__attribute__((format(printf, 4, 5))) void check_align(const tal *t, const void *p, size_t n, const char *fmt, ...);
/* A misaligned aligned allocation that the table records for this allocator. */
int aligned_recorded(const tal *t, size_t align, size_t n);
/* Allocates with t->malloc and fails on NULL. */
void *must_malloc(const tal *t, size_t n, const char *what);
/* Checks a block's usable size (when known) and writes every usable byte. */
size_t check_usable(const tal *t, void *p, size_t n, const char *what);

/* The stress rules (conform_stress.c): 17 random, 18 threads, 19 fork, 20 large. */
void case_random(const tal *t);
void case_threads(const tal *t);
void case_fork(const tal *t);
void case_large(const tal *t);

/* Rules of the malloc API only (conform_extra.c): overflow paths, recovery
 * after exhaustion, fork under load, interposition of glibc's own
 * allocations, cross-thread frees of every kind of block, usable sizes,
 * calloc of reused memory at every size range. */
extern const tu_case conform_extra_cases[];
/* What the allocator under test is recorded to do for a record item of the
 * malloc API rules (conform_extra.c's table), or `reference` when nothing is
 * recorded (always, for a library given by path). */
const char *conform_recorded(const char *item, const char *reference);

#endif
