/*
 * stats.c: median, geometric mean and the two-sided Mann-Whitney U test
 * (exact for small samples, normal approximation above HB_MWU_EXACT_MAX).
 *
 * Ranks are handled doubled: a tie group holding sorted positions i..j
 * (1-based) gets midrank (i + j) / 2, so 2 * midrank = i + j is an integer
 * and every rank sum in the exact test is an exact integer, compared without
 * rounding.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hb_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    if (n % 2 == 1)
        return v[n / 2];
    return (v[n / 2 - 1] + v[n / 2]) / 2;
}

double hb_cv(const double *v, size_t n)
{
    if (n < 2)
        return -1;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        sq += (v[i] - mean) * (v[i] - mean);
    return mean > 0 ? sqrt(sq / (double)(n - 1)) / mean : -1;
}

double hb_geomean(const double *v, size_t n, size_t *used)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > 0 && isfinite(v[i])) {
            sum += log(v[i]);
            k++;
        }
    if (used)
        *used = k;
    return k ? exp(sum / (double)k) : 0;
}

double hb_mwu_min_p(size_t n1, size_t n2)
{
    /* C(n1 + n2, n1) as a product of ratios, exact enough for a bound. */
    double c = 1;
    size_t k = n1 < n2 ? n1 : n2, n = n1 + n2;
    for (size_t i = 1; i <= k; i++)
        c = c * (double)(n - k + i) / (double)i;
    double p = 2 / c;
    return p > 1 ? 1 : p;
}

typedef struct tagged {
    double v;
    int side; /* 0: x, 1: y */
} tagged;

static int cmp_tagged(const void *a, const void *b)
{
    return cmp_double(&((const tagged *)a)->v, &((const tagged *)b)->v);
}

/* Exact two-sided p from the doubled midranks w[0..n) of the pooled sample,
 * nx of which are x's with doubled rank sum r1.  -1 on allocation failure. */
static double exact_p(const unsigned *w, size_t n, size_t nx, unsigned long r1)
{
    unsigned long smax = 0;
    for (size_t i = 0; i < n; i++)
        smax += w[i];
    size_t width = (size_t)smax + 1;
    double *cnt = calloc((nx + 1) * width, sizeof *cnt);
    if (cnt == NULL)
        return -1;
    /* cnt[c * width + s]: ways to choose c of the items seen so far with
     * doubled rank sum s. */
    cnt[0] = 1;
    for (size_t i = 0; i < n; i++) {
        size_t top = i + 1 < nx ? i + 1 : nx;
        for (size_t c = top; c >= 1; c--)
            for (size_t s = width - 1; s >= w[i]; s--)
                cnt[c * width + s] += cnt[(c - 1) * width + s - w[i]];
    }
    /* Mean doubled rank sum: nx * (n + 1).  Work in signed integers. */
    long mean = (long)(nx * (n + 1));
    long dev = labs((long)r1 - mean);
    double total = 0, tail = 0;
    for (size_t s = 0; s < width; s++) {
        double k = cnt[nx * width + s];
        if (k == 0)
            continue;
        total += k;
        if (labs((long)s - mean) >= dev)
            tail += k;
    }
    free(cnt);
    double p = total > 0 ? tail / total : 1;
    return p > 1 ? 1 : p;
}

int hb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, hb_mwu_method method, hb_mwu *out)
{
    if (nx == 0 || ny == 0)
        return -1;
    int exact = method == HB_MWU_EXACT || (method == HB_MWU_AUTO && nx <= HB_MWU_EXACT_MAX && ny <= HB_MWU_EXACT_MAX);
    if (exact && (nx > HB_MWU_EXACT_MAX || ny > HB_MWU_EXACT_MAX))
        return -1;
    size_t n = nx + ny;
    tagged *t = malloc(n * sizeof *t);
    unsigned *w = malloc(n * sizeof *w);
    if (t == NULL || w == NULL) {
        free(t);
        free(w);
        return -1;
    }
    for (size_t i = 0; i < nx; i++)
        t[i] = (tagged){x[i], 0};
    for (size_t i = 0; i < ny; i++)
        t[nx + i] = (tagged){y[i], 1};
    qsort(t, n, sizeof *t, cmp_tagged);

    unsigned long r1 = 0; /* doubled rank sum of x */
    double tie_term = 0;  /* sum of t^3 - t over tie groups */
    int ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && t[j + 1].v == t[i].v)
            j++;
        unsigned d = (unsigned)(i + 1 + j + 1); /* 2 * midrank of positions i..j */
        double g = (double)(j - i + 1);
        if (j > i) {
            ties = 1;
            tie_term += g * g * g - g;
        }
        for (size_t k = i; k <= j; k++) {
            w[k] = d;
            if (t[k].side == 0)
                r1 += d;
        }
        i = j + 1;
    }
    double n1 = (double)nx, n2 = (double)ny, nn = (double)n;
    hb_mwu r = {0};
    r.u1 = (double)r1 / 2 - n1 * (n1 + 1) / 2;
    r.u2 = n1 * n2 - r.u1;
    r.ties = ties;
    if (exact) {
        r.exact = 1;
        r.p = exact_p(w, n, nx, r1);
    } else {
        double var = n1 * n2 / 12 * ((nn + 1) - tie_term / (nn * (nn - 1)));
        if (var <= 0) {
            r.p = 1;
        } else {
            double dev = fabs(r.u1 - n1 * n2 / 2) - 0.5;
            r.z = dev > 0 ? dev / sqrt(var) : 0;
            r.p = erfc(r.z / sqrt(2.0));
            if (r.p > 1)
                r.p = 1;
        }
    }
    free(t);
    free(w);
    if (r.p < 0)
        return -1;
    *out = r;
    return 0;
}
