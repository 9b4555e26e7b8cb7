/*
 * gcbench.c: the collector timings quoted in reports (not part of the
 * build; a developer tool).
 *
 *   full:  1M live objects (2 slots + 8 bytes each; a heap-shaped binary
 *          tree, then a list with one random back edge per node), automatic
 *          collection off; best of 5 full collections, CPU time / 1M.
 *   young: then 700 new objects, each pointing at a random old object and
 *          at the previous new one, all reachable; best of 50 generation-0
 *          collections, CPU time / 700.
 *   bt:    binary-trees (depth 16 by default): one long-lived tree, and
 *          2^(16-d+4) temporary trees of each even depth d from 4; process
 *          CPU time, best of N rounds; the collectors of the 4th argument
 *          (refcount,generational by default), interleaved.
 *
 * Build from the repository root (libc allocator; boehm optional):
 *   cmake --build build --target hb-gcbench   (or by hand:
 *   cc -std=c11 -O2 -Icollectors -Iallocators collectors/tools/gcbench.c build/collectors/libhb_gc.a
 *      build/libhb_alloc.a -lgc -ldl -lpthread -o hb-gcbench)
 *   build/hb-gcbench full; build/hb-gcbench bt 16 5 [refcount,generational,marksweep]
 */
#define _POSIX_C_SOURCE 200809L
#include "collector.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const hb_type node = {"node", NULL, NULL, NULL};
static double now(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static uint64_t rng = 88172645463325252ULL;
static uint64_t xr(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static hb_handle tree(hb_gc *gc, int d)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle n = hb_new(gc, &node, 2, 0);
    if (d > 0) {
        hb_handle l = tree(gc, d - 1);
        hb_set(gc, hb_get(gc, n), 0, hb_get(gc, l));
        hb_handle r = tree(gc, d - 1);
        hb_set(gc, hb_get(gc, n), 1, hb_get(gc, r));
    }
    return hb_scope_leave_keep(gc, s, n);
}

static double bintrees(const char *name, hb_alloc *a, int maxd)
{
    char msg[256], cname[64]; hb_gc *gc;
    snprintf(cname, sizeof cname, "%s", name);
    char *off = strstr(cname, ":off"); /* generational:off: automatic collection disabled */
    if (off != NULL) *off = 0;
    if (hb_gc_open(&gc, cname, a, msg, sizeof msg) != 0) { fprintf(stderr, "%s\n", msg); exit(1); }
    if (off != NULL) hb_gc_disable(gc);
    double t0 = now();
    hb_scope s = hb_scope_enter(gc);
    hb_handle longlived = tree(gc, maxd);
    for (int d = 4; d <= maxd; d += 2) {
        int iters = 1 << (maxd - d + 4);
        for (int i = 0; i < iters; i++) {
            hb_scope s2 = hb_scope_enter(gc);
            tree(gc, d);
            hb_scope_leave(gc, s2);
        }
    }
    (void)longlived;
    hb_scope_leave(gc, s);
    double t = now() - t0;
    hb_gc_stats st; hb_gc_get_stats(gc, &st);
    { size_t np; const hb_gc_pause *p = hb_gc_pauses(gc, &np); double g[3] = {0}; for (size_t i = 0; i < np; i++) g[p[i].generation] += p[i].ns; printf("  pause by gen: %.1f %.1f %.1f ms\n", g[0]/1e6, g[1]/1e6, g[2]/1e6); }
    printf("binary-trees depth %d %-12s %.3f s  collections %lu/%lu/%lu pauses %.1f ms\n", maxd, name, t,
           (unsigned long)st.gen[0].collections, (unsigned long)st.gen[1].collections, (unsigned long)st.gen[2].collections, st.pause_total_ns / 1e6);
    hb_gc_close(gc);
    return t;
}

static void fullbench(const char *name, hb_alloc *a, int shape, size_t N)
{
    char msg[256]; hb_gc *gc;
    hb_gc_open(&gc, name, a, msg, sizeof msg);
    hb_gc_disable(gc);
    hb_scope s = hb_scope_enter(gc);
    hb_obj **all = malloc(N * sizeof *all);
    hb_handle root = hb_new(gc, &node, 2, 0);
    all[0] = hb_get(gc, root);
    for (size_t i = 1; i < N; i++) {
        hb_scope s2 = hb_scope_enter(gc);
        hb_handle n = hb_new(gc, &node, 2, 8);
        all[i] = hb_get(gc, n);
        if (shape == 0) { /* binary heap-shaped tree: parent (i-1)/2 */
            hb_set(gc, all[(i - 1) / 2], (i - 1) % 2, all[i]);
        } else { /* list + one random back edge */
            hb_set(gc, all[i - 1], 0, all[i]);
            hb_set(gc, all[i], 1, all[xr() % i]);
        }
        hb_scope_leave(gc, s2);
    }
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        long n = hb_gc_collect(gc, HB_GC_FULL);
        double t = now() - t0;
        if (t < best) best = t;
        if (n != 0) printf("unexpected %ld\n", n);
    }
    printf("full  %-12s %s N=%zu: %.1f ns/object (%.2f ms)\n", name, shape ? "list+random" : "tree", N, best * 1e9 / N, best * 1e3);
    if (hb_gc_ops(gc)->caps & HB_GC_GENERATIONS) {
        /* young: Y new objects, each pointing at a random old one and at the previous young one */
        size_t Y = 700;
        double bestY = 1e9;
        for (int r = 0; r < 50; r++) {
            hb_scope s2 = hb_scope_enter(gc);
            hb_handle prev = hb_new(gc, &node, 2, 8);
            for (size_t i = 1; i < Y; i++) {
                hb_handle n = hb_new(gc, &node, 2, 8);
                hb_set(gc, hb_get(gc, n), 0, all[xr() % N]);
                hb_set(gc, hb_get(gc, n), 1, hb_get(gc, prev));
                hb_handle_set(gc, prev, hb_get(gc, n));
                hb_handle_set(gc, n, NULL);
            }
            /* half of them garbage cycles */
            double t0 = now();
            hb_gc_collect(gc, 0);
            double t = now() - t0;
            if (t < bestY) bestY = t;
            hb_scope_leave(gc, s2);
            hb_gc_collect(gc, 1);
        }
        printf("young %-12s %zu young, %zu old: %.1f ns/young object (%.1f us)\n", name, Y, N, bestY * 1e9 / Y, bestY * 1e6);
    }
    hb_scope_leave(gc, s);
    free(all);
    hb_gc_close(gc);
}

int main(int argc, char **argv)
{
    hb_alloc base; char msg[256];
    const char *an = getenv("ALLOC") ? getenv("ALLOC") : "libc";
    if (hb_alloc_open(&base, an, msg, sizeof msg) != 0) { fprintf(stderr, "%s\n", msg); return 1; }
    const char *what = argc > 1 ? argv[1] : "all";
    if (!strcmp(what, "all") || !strcmp(what, "full")) {
        for (int shape = 0; shape < 2; shape++) {
            fullbench("generational", &base, shape, 1000000);
            fullbench("marksweep", &base, shape, 1000000);
        }
    }
    if (!strcmp(what, "all") || !strcmp(what, "bt")) {
        int d = argc > 2 ? atoi(argv[2]) : 16;
        int rounds = argc > 3 ? atoi(argv[3]) : 5;
        char list[256];
        snprintf(list, sizeof list, "%s", argc > 4 ? argv[4] : "refcount,generational");
        const char *names[8];
        double best[8];
        int n = 0;
        for (char *save, *t = strtok_r(list, ",", &save); t != NULL && n < 8; t = strtok_r(NULL, ",", &save)) {
            names[n] = t;
            best[n++] = 1e9;
        }
        for (int r = 0; r < rounds; r++) /* interleaved: each round runs every collector */
            for (int i = 0; i < n; i++) {
                double t = bintrees(names[i], &base, d);
                best[i] = t < best[i] ? t : best[i];
            }
        printf("min cpu:");
        for (int i = 0; i < n; i++)
            printf(" %s %.3f", names[i], best[i]);
        if (n > 1)
            printf("  ratio %s/%s %.3f", names[1], names[0], best[1] / best[0]);
        printf("\n");
    }
    return 0;
}
