/*
 * fuzz_common.h: what the fuzz harnesses share: the entry point libFuzzer
 * calls, and the failure macro (one line on stderr, then abort(), which
 * libFuzzer and the corpus replay both report as a crash with the input).
 */
#ifndef HB_FUZZ_COMMON_H
#define HB_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* For the harnesses' own byte loops (fill, verify): coverage feedback on
 * them is noise, and the comparison hooks made them most of the run time. */
#if defined(__clang__)
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage"), noinline))
#else
#define FUZZ_NO_COVERAGE
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FAIL(...)                                                                                   \
    do {                                                                                                 \
        fprintf(stderr, "fuzz: " __VA_ARGS__);                                                           \
        fputc('\n', stderr);                                                                             \
        abort();                                                                                         \
    } while (0)

#endif
