/*
 * test_stats.c: unit tests of harness/stats.c against values worked out by
 * hand (the arithmetic is in the comments) and, for the exact test, against
 * a brute-force enumeration of every split of the pooled sample.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int failures;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

#define NEAR(a, b, tol)                                                                                                \
    do {                                                                                                               \
        double a_ = (a), b_ = (b);                                                                                     \
        if (!(fabs(a_ - b_) <= (tol))) {                                                                               \
            fprintf(stderr, "%s:%d: %s = %.10g, expected %.10g (tolerance %g)\n", __FILE__, __LINE__, #a, a_, b_,      \
                    (double)(tol));                                                                                    \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

#define N(a) (sizeof(a) / sizeof((a)[0]))

static hb_mwu mwu(const double *x, size_t nx, const double *y, size_t ny, hb_mwu_method m)
{
    hb_mwu r;
    memset(&r, 0, sizeof r);
    if (hb_mann_whitney(x, nx, y, ny, m, &r) != 0) {
        fprintf(stderr, "hb_mann_whitney failed (nx=%zu ny=%zu)\n", nx, ny);
        failures++;
    }
    return r;
}

static void test_median_geomean(void)
{
    double odd[] = {5, 1, 3};
    double even[] = {4, 1, 3, 2};
    NEAR(hb_median(odd, N(odd)), 3, 0);
    NEAR(hb_median(even, N(even)), 2.5, 0);
    NEAR(hb_median(odd, 0), 0, 0);
    double g[] = {1, 4};
    NEAR(hb_geomean(g, N(g), NULL), 2, 1e-12);
    double g2[] = {2, 8, 0, -1}; /* non-positive values are left out */
    size_t used = 99;
    NEAR(hb_geomean(g2, N(g2), &used), 4, 1e-12);
    CHECK(used == 2);
    NEAR(hb_geomean(g2, 0, &used), 0, 0);
    CHECK(used == 0);
}

static void test_exact_known(void)
{
    /* Fully separated, n1 = n2 = 5: only 2 of the C(10,5) = 252 splits are
     * as extreme (all low, all high): p = 2/252. */
    double lo[] = {1, 2, 3, 4, 5}, hi[] = {6, 7, 8, 9, 10};
    hb_mwu r = mwu(lo, 5, hi, 5, HB_MWU_AUTO);
    CHECK(r.exact);
    NEAR(r.u1, 0, 0);
    NEAR(r.u2, 25, 0);
    NEAR(r.p, 2.0 / 252, 1e-15);
    r = mwu(hi, 5, lo, 5, HB_MWU_AUTO); /* symmetric */
    NEAR(r.u1, 25, 0);
    NEAR(r.p, 2.0 / 252, 1e-15);
    NEAR(hb_mwu_min_p(5, 5), 2.0 / 252, 1e-15);
    NEAR(hb_mwu_min_p(2, 2), 2.0 / 6, 1e-15);
    NEAR(hb_mwu_min_p(1, 1), 1, 0);

    /* Identical samples: U sits at its mean, p = 1. */
    r = mwu(lo, 5, lo, 5, HB_MWU_AUTO);
    NEAR(r.u1, 12.5, 0);
    NEAR(r.p, 1, 1e-15);
    double same[] = {3, 3, 3};
    r = mwu(same, 3, same, 3, HB_MWU_EXACT);
    NEAR(r.p, 1, 0);
    CHECK(r.ties);

    /* n1 = n2 = 3, x = {1,2,4}, y = {3,5,6}: U1 = 1 (only 4 > 3).  The null
     * counts of U = 0..9 are 1,1,2,3,3,3,3,2,1,1 (of 20), so
     * P(U <= 1) = 2/20 and two-sided p = 4/20. */
    double x3[] = {1, 2, 4}, y3[] = {3, 5, 6};
    r = mwu(x3, 3, y3, 3, HB_MWU_EXACT);
    NEAR(r.u1, 1, 0);
    NEAR(r.p, 0.2, 1e-15);

    /* Ties, exact: x = {1,2}, y = {2,3}.  Doubled midranks 2, 5, 5, 8; x has
     * 2 + 5 = 7, mean 2 * 5 = 10.  The 6 splits sum to 7,7,10,10,13,13, and
     * 4 of them are 3 or more from 10: p = 4/6. */
    double xt[] = {1, 2}, yt[] = {2, 3};
    r = mwu(xt, 2, yt, 2, HB_MWU_EXACT);
    CHECK(r.ties);
    NEAR(r.u1, 0.5, 0);
    NEAR(r.p, 4.0 / 6, 1e-15);
}

static void test_normal_known(void)
{
    /* x = 1..5, y = 6..10: U = 0, mean 12.5, var = 25/12 * 11 = 22.9167,
     * z = (12.5 - 0.5) / 4.78714 = 2.50672, p = erfc(z / sqrt 2) = 0.0121858. */
    double lo[] = {1, 2, 3, 4, 5}, hi[] = {6, 7, 8, 9, 10};
    hb_mwu r = mwu(lo, 5, hi, 5, HB_MWU_NORMAL);
    CHECK(!r.exact);
    NEAR(r.z, 2.5067182457620487, 1e-9);
    NEAR(r.p, 0.012185780355344818, 1e-9);

    /* With ties: x = {1,1,2,3}, y = {2,3,3,4,5}.  Midranks 1.5 1.5 | 3.5 3.5
     * | 6 6 6 | 8 | 9; R1 = 12.5, U1 = 2.5; tie term (8-2)+(8-2)+(27-3) = 36;
     * var = 20/12 * (10 - 36/72) = 15.8333; z = (7.5 - 0.5) / 3.97911 =
     * 1.75919; p = 0.0785459. */
    double xt[] = {1, 1, 2, 3}, yt[] = {2, 3, 3, 4, 5};
    r = mwu(xt, N(xt), yt, N(yt), HB_MWU_NORMAL);
    NEAR(r.u1, 2.5, 0);
    NEAR(r.z, 1.759186414825121, 1e-9);
    NEAR(r.p, 0.0785458509511907, 1e-9);

    /* x = {1, 2.5, 2.5, 4, 7, 7, 7, 9}, y = {3, 5, 6, 8, 8, 10, 11}: U1 = 15,
     * z = 1.45441, p = 0.145834. */
    double xa[] = {1.0, 2.5, 2.5, 4.0, 7.0, 7.0, 7.0, 9.0}, ya[] = {3.0, 5.0, 6.0, 8.0, 8.0, 10.0, 11.0};
    r = mwu(xa, N(xa), ya, N(ya), HB_MWU_NORMAL);
    NEAR(r.u1, 15, 0);
    NEAR(r.z, 1.4544063510364005, 1e-9);
    NEAR(r.p, 0.1458336801902337, 1e-9);

    /* Above HB_MWU_EXACT_MAX AUTO goes normal: 1..25 against 26..50 gives
     * z = (312.5 - 0.5) / sqrt(625 * 51 / 12) = 6.05369, p = 1.41566e-9. */
    double a[25], b[25];
    for (int i = 0; i < 25; i++) {
        a[i] = i + 1;
        b[i] = i + 26;
    }
    r = mwu(a, 25, b, 25, HB_MWU_AUTO);
    CHECK(!r.exact);
    NEAR(r.z, 6.053689200906871, 1e-9);
    NEAR(r.p, 1.4156562248495634e-09, 1e-15);
    hb_mwu dummy;
    CHECK(hb_mann_whitney(a, 25, b, 25, HB_MWU_EXACT, &dummy) != 0);
    CHECK(hb_mann_whitney(a, 0, b, 25, HB_MWU_AUTO, &dummy) != 0);

    /* All values equal: no variance, p = 1. */
    double c[] = {2, 2, 2, 2};
    r = mwu(c, 4, c, 4, HB_MWU_NORMAL);
    NEAR(r.p, 1, 0);
}

/* Brute force: every choice of nx of the pooled values as "x", U counted
 * pair by pair (ties 1/2), p = share of choices with |U - mean| at least the
 * observed one. */
static double pair_u(const double *pool, size_t n, unsigned mask)
{
    double u = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if ((mask >> i & 1) && !(mask >> j & 1))
                u += pool[i] > pool[j] ? 1 : pool[i] == pool[j] ? 0.5 : 0;
    return u;
}

static double brute_p(const double *x, size_t nx, const double *y, size_t ny)
{
    double pool[16];
    size_t n = nx + ny;
    memcpy(pool, x, nx * sizeof *x);
    memcpy(pool + nx, y, ny * sizeof *y);
    double mean = (double)nx * (double)ny / 2;
    double obs = fabs(pair_u(pool, n, (1u << nx) - 1) - mean);
    double hits = 0, total = 0;
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        if ((size_t)__builtin_popcount(mask) != nx)
            continue;
        total++;
        if (fabs(pair_u(pool, n, mask) - mean) >= obs - 1e-9)
            hits++;
    }
    return hits / total;
}

static void test_exact_brute(void)
{
    unsigned seed = 12345;
    for (int trial = 0; trial < 300; trial++) {
        double x[8], y[8];
        seed = seed * 1103515245u + 12345u;
        size_t nx = 1 + (seed >> 16) % 7;
        seed = seed * 1103515245u + 12345u;
        size_t ny = 1 + (seed >> 16) % 7;
        for (size_t i = 0; i < nx + ny; i++) {
            seed = seed * 1103515245u + 12345u;
            double v = (double)((seed >> 16) % 6); /* few distinct values: many ties */
            if (i < nx)
                x[i] = v;
            else
                y[i - nx] = v;
        }
        hb_mwu r = mwu(x, nx, y, ny, HB_MWU_EXACT);
        double want = brute_p(x, nx, y, ny);
        NEAR(r.p, want, 1e-12);
    }
}

static void test_exact_vs_normal(void)
{
    /* At 20 + 20 without ties the two methods agree closely. */
    double x[20], y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i * 1.0;
        y[i] = i * 1.0 + 6.5;
    }
    hb_mwu e = mwu(x, 20, y, 20, HB_MWU_EXACT), nrm = mwu(x, 20, y, 20, HB_MWU_NORMAL);
    CHECK(e.exact && !nrm.exact);
    NEAR(e.u1, nrm.u1, 0);
    NEAR(e.p, nrm.p, 0.005);
    CHECK(e.p > 0 && e.p < 0.05);
}

int main(void)
{
    test_median_geomean();
    test_exact_known();
    test_normal_known();
    test_exact_brute();
    test_exact_vs_normal();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("stats: all checks passed\n");
    return 0;
}
