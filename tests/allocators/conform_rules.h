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

#endif
