/*
 * test_soak.c: the soak figures (harness/soak.c) on series whose answers are
 * known by construction, and on series missing the phases a figure needs.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soak.h"

static int failures;
#define CHECK(cond)                                                                                        \
    do {                                                                                                   \
        if (!(cond)) {                                                                                     \
            fprintf(stderr, "test_soak:%d: %s\n", __LINE__, #cond);                                        \
            failures++;                                                                                    \
        }                                                                                                  \
    } while (0)
#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static const char *const phases[] = {HB_SOAK_PHASES, NULL};
enum { WARMUP, STEADY, SHIFT, DROP, IDLE, REGROW };

int main(void)
{
    /* 0-10 s warm-up to 100 MiB; 10-70 s steady, RSS grows 2 MiB/min from
     * 120 MiB with live 100 MiB (frag 1.2 .. 1.24), one spike to 150 MiB;
     * 70-80 s shift at 160 MiB; 80-81 s drop; 81-101 s idle: RSS 160 -> 40
     * MiB over 5 s, then flat; 101-110 s regrow. */
    hb_soak_series s = {.phases = phases};
    const double MiB = 1024.0; /* KiB */
    for (int i = 0; i <= 1100; i++) {
        double t = i * 0.1;
        int ph;
        double rss, live = 100.0 * 1048576;
        if (t < 10) {
            ph = WARMUP;
            rss = 12 * t * MiB;
            live = 10 * t * 1048576;
        } else if (t < 70) {
            ph = STEADY;
            rss = (120 + 2 * (t - 10) / 60) * MiB;
            if (i == 400)
                rss = 150 * MiB;
        } else if (t < 80) {
            ph = SHIFT;
            rss = 160 * MiB;
        } else if (t < 81) {
            ph = DROP;
            rss = 160 * MiB;
            live = 10.0 * 1048576;
        } else if (t < 101) {
            ph = IDLE;
            rss = t < 86 ? (160 - 24 * (t - 81)) * MiB : 40 * MiB;
            live = 10.0 * 1048576;
        } else {
            ph = REGROW;
            rss = 100 * MiB;
        }
        CHECK(hb_soak_add(&s, t, (long)rss, (int64_t)live, ph) == 0);
    }
    hb_soak_figures f;
    hb_soak_compute(&s, &f);
    CHECK(f.have & HB_SOAK_FRAG);
    CHECK(NEAR(f.frag_median, 1.21, 0.005));
    CHECK(NEAR(f.frag_max, 1.5, 0.001));
    CHECK(f.have & HB_SOAK_CREEP);
    CHECK(NEAR(f.creep_mib_min, 2.0, 0.05)); /* the one spike moves the slope a little */
    CHECK(f.have & HB_SOAK_PEAK);
    CHECK(f.peak_rss_kib == (long)(160 * MiB));
    CHECK(f.have & HB_SOAK_DROP1);
    CHECK(NEAR(f.drop_1s, (160 - 24) / 160.0, 0.02));
    CHECK(f.have & HB_SOAK_DROP10);
    CHECK(NEAR(f.drop_10s, 40 / 160.0, 0.001));
    CHECK(f.have & HB_SOAK_IDLE);
    CHECK(f.idle_rss_kib == (long)(40 * MiB));
    CHECK(f.have & HB_SOAK_SETTLE);
    /* within 10% of 40 MiB (44 MiB) once 160 - 24 (t - 81) <= 44: t >= 85.83 */
    CHECK(NEAR(f.settle_s, 4.9, 0.15));
    hb_soak_free(&s);

    /* No phases a figure needs: nothing measured, nothing guessed. */
    hb_soak_series e = {.phases = phases};
    for (int i = 0; i < 50; i++)
        CHECK(hb_soak_add(&e, i * 0.1, 1000, 1 << 20, WARMUP) == 0);
    hb_soak_compute(&e, &f);
    CHECK(f.have == 0);
    hb_soak_free(&e);

    /* A drop with no idle phase after it: peak only. */
    hb_soak_series d = {.phases = phases};
    for (int i = 0; i < 50; i++)
        CHECK(hb_soak_add(&d, i * 0.1, 1000 + i, 1 << 20, i < 30 ? STEADY : DROP) == 0);
    hb_soak_compute(&d, &f);
    CHECK((f.have & (HB_SOAK_PEAK | HB_SOAK_DROP1 | HB_SOAK_IDLE)) == HB_SOAK_PEAK);
    CHECK(f.peak_rss_kib == 1029);
    hb_soak_free(&d);

    /* A burst of a drop between two samples: shift, then idle at once. */
    hb_soak_series b = {.phases = phases};
    for (int i = 0; i < 60; i++)
        CHECK(hb_soak_add(&b, i * 0.5, i < 30 ? 2000 + i : 500, 1 << 20, i < 10 ? STEADY : i < 30 ? SHIFT : IDLE) == 0);
    hb_soak_compute(&b, &f);
    CHECK(f.have & HB_SOAK_PEAK);
    CHECK(f.peak_rss_kib == 2029);
    CHECK((f.have & HB_SOAK_DROP10) && NEAR(f.drop_10s, 500 / 2029.0, 1e-9));
    CHECK((f.have & HB_SOAK_SETTLE) && f.settle_s == 0 && f.idle_rss_kib == 500);
    hb_soak_free(&b);

    /* Idle with no drop before it (regrow, say, then idle): no drop figures. */
    hb_soak_series n = {.phases = phases};
    for (int i = 0; i < 40; i++)
        CHECK(hb_soak_add(&n, i * 0.5, 1000, 1 << 20, i < 20 ? REGROW : IDLE) == 0);
    hb_soak_compute(&n, &f);
    CHECK((f.have & (HB_SOAK_PEAK | HB_SOAK_DROP1 | HB_SOAK_IDLE)) == 0);
    hb_soak_free(&n);

    /* The series grows past its first mapping. */
    hb_soak_series g = {.phases = phases};
    for (int i = 0; i < 20000; i++)
        CHECK(hb_soak_add(&g, i, i, i, STEADY) == 0);
    CHECK(g.n == 20000 && g.v[19999].rss_kib == 19999 && g.v[0].t == 0);
    hb_soak_free(&g);

    CHECK(hb_soak_phase_index(phases, "idle") == IDLE && hb_soak_phase_index(phases, "nope") == -1);

    /* Latency percentile files: 1000 samples 1..1000 ns give the median 500,
     * 90% 900, 99% 990, 99.9% 999 (nearest rank), nothing beyond (too few samples) but the
     * maximum, percentiles rising. */
    double lat[1000];
    for (int i = 0; i < 1000; i++)
        lat[i] = i + 1;
    char path[] = "/tmp/hb-test-soak-lat-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        close(fd);
        CHECK(hb_soak_write_latency(path, lat, 1000) == 0);
        FILE *in = fopen(path, "r");
        char line[128];
        double p[64], v[64];
        int n = 0;
        CHECK(in != NULL && fgets(line, sizeof line, in) != NULL && strcmp(line, "percentile,latency_ns\n") == 0);
        while (in != NULL && n < 64 && fscanf(in, "%lf,%lf", &p[n], &v[n]) == 2)
            n++;
        if (in != NULL)
            fclose(in);
        CHECK(n >= 4 && p[0] == 50 && v[0] == 500 && p[n - 1] == 100 && v[n - 1] == 1000);
        for (int i = 1; i < n; i++)
            CHECK(p[i] > p[i - 1] && v[i] >= v[i - 1]);
        int at90 = 0, at99 = 0, at999 = 0;
        for (int i = 0; i < n - 1; i++) {
            at90 |= NEAR(p[i], 90, 1e-6) && v[i] == 900;
            at99 |= NEAR(p[i], 99, 1e-6) && v[i] == 990;
            at999 |= NEAR(p[i], 99.9, 1e-6) && v[i] == 999;
            CHECK(p[i] <= 99.9 + 1e-6); /* 99.92% would need 1259 samples */
        }
        CHECK(at90 && at99 && at999);
        CHECK(hb_soak_write_latency(path, lat, 0) == -1); /* no samples: no file */
        unlink(path);
    }
    if (failures == 0)
        printf("test_soak: ok\n");
    return failures != 0;
}
