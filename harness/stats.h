/*
 * stats.h: the statistics behind `heapbench compare`: median, geometric
 * mean and the Mann-Whitney U (Wilcoxon rank-sum) test.
 *
 * No function here prints, exits or keeps state; all are safe to call from
 * a unit test or a fuzz harness with any input (NaN excepted: callers pass
 * finite values, which the CSV reader guarantees).
 */
#ifndef HB_STATS_H
#define HB_STATS_H

#include <stddef.h>

/* Samples up to this size (on both sides) get the exact distribution of U;
 * larger ones the normal approximation.  At 20 + 20 the exact table is
 * 21 x 1641 doubles and every count stays below 2^53 (C(40,20) ~ 1.4e11). */
#define HB_MWU_EXACT_MAX 20

/* Median of n values (mean of the two middle ones when n is even); sorts v
 * in place.  0 when n == 0. */
double hb_median(double *v, size_t n);

/* The spread, one definition wherever heapbench prints one (run's table,
 * compare): the coefficient of variation, sample standard deviation over
 * mean.  -1 when n < 2 or the mean is not positive. */
double hb_cv(const double *v, size_t n);

/* Geometric mean of the positive values among v[0..n); *used (if not NULL)
 * gets how many there were.  0 when there are none. */
double hb_geomean(const double *v, size_t n, size_t *used);

typedef enum hb_mwu_method {
    HB_MWU_AUTO,  /* exact when both sides <= HB_MWU_EXACT_MAX, else normal */
    HB_MWU_EXACT, /* exact permutation distribution (sides <= HB_MWU_EXACT_MAX) */
    HB_MWU_NORMAL /* normal approximation, tie and continuity corrected */
} hb_mwu_method;

typedef struct hb_mwu {
    double u1; /* U of the first sample: pairs (x, y) with x > y, ties 1/2 */
    double u2; /* n1 * n2 - u1 */
    double p;  /* two-sided p-value, in (0, 1] */
    double z;  /* normal method: the corrected z score (>= 0); else 0 */
    int exact; /* 1 when p comes from the exact distribution */
    int ties;  /* 1 when the pooled sample has tied values */
} hb_mwu;

/* Two-sided Mann-Whitney U test of x[0..nx) against y[0..ny).  Returns 0, or
 * -1 when a side is empty, or EXACT was asked of samples too large, or
 * memory ran out (out is then untouched).
 *
 * Exact: the midranks of the pooled sample are held fixed and every way of
 * choosing which nx of them belong to x is counted (a subset-sum DP over
 * doubled midranks, so ties are handled exactly too); p is the share of
 * choices whose rank sum is at least as far from its mean as the observed
 * one.  Without ties this is 2 * min(P(U <= u), P(U >= u)).
 *
 * Normal: z = (|U - n1 n2 / 2| - 1/2) / sigma (not below 0), with
 * sigma^2 = n1 n2 / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1))) over the tie
 * groups t; p = erfc(z / sqrt 2).  All values equal: p = 1. */
int hb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, hb_mwu_method method, hb_mwu *out);

/* The smallest two-sided p the exact test can give with samples of n1 and
 * n2 values: 2 / C(n1 + n2, n1), at most 1.  Tells whether a cell with that
 * many runs could ever be significant. */
double hb_mwu_min_p(size_t n1, size_t n2);

#endif
