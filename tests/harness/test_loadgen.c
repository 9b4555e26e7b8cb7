/*
 * test_loadgen.c: the load generator's histogram against a sorted-array
 * model, and its coordinated-omission correction against an in-process
 * fake server that stalls once for a known time.
 *
 * The stall test decides by construction, not by timing thresholds: the
 * fake server stalls STALL_MS (1 s) once; at most one request per
 * connection is in flight then, so at most CONNS requests can have a
 * measured latency near the stall, while every request due during the
 * stall waits for it from its scheduled start (hundreds of them).  The
 * bounds leave a busy machine hundreds of milliseconds of slack.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

static int failures;
#define CHECK(c, ...)                                                                                              \
    do {                                                                                                           \
        if (!(c)) {                                                                                                \
            failures++;                                                                                            \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #c);                                           \
            fprintf(stderr, __VA_ARGS__);                                                                          \
            fputc('\n', stderr);                                                                                   \
        }                                                                                                          \
    } while (0)

static uint64_t rng_state = 0x1234567;
static uint64_t rnd(void)
{
    uint64_t x = (rng_state += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* ---- histogram against a sorted array ---------------------------------------- */
static void test_hist(void)
{
    /* buckets: contiguous, each value inside its own, widths within 1/128 */
    for (int k = 0; k < 200000; k++) {
        uint64_t v = rnd() >> (rnd() % 64);
        size_t i = hb_hist_index(v);
        CHECK(i < HB_HIST_BUCKETS, "index %zu of %llu", i, (unsigned long long)v);
        CHECK(hb_hist_lowest(i) <= v && v <= hb_hist_highest(i), "%llu outside bucket %zu", (unsigned long long)v, i);
        uint64_t w = hb_hist_highest(i) - hb_hist_lowest(i) + 1;
        CHECK(w == 1 || w <= hb_hist_lowest(i) / HB_HIST_SUB, "bucket %zu is %llu wide", i, (unsigned long long)w);
    }
    for (size_t i = 0; i + 1 < HB_HIST_BUCKETS; i++)
        CHECK(hb_hist_highest(i) + 1 == hb_hist_lowest(i + 1), "gap after bucket %zu", i);

    static hb_hist h;
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + rnd() % (round < 10 ? 50 : 200000);
        uint64_t *v = malloc(n * sizeof *v);
        hb_hist_init(&h);
        for (size_t i = 0; i < n; i++) {
            v[i] = (rnd() >> (24 + rnd() % 40)) + (round % 3 == 0 ? 0 : 1000); /* 0 .. 2^40, log-spread */
            hb_hist_add(&h, v[i]);
        }
        qsort(v, n, sizeof *v, cmp_u64);
        CHECK(h.n == n && h.min == v[0] && h.max == v[n - 1], "n, min or max");
        static const double fixed[] = {0.001, 1, 25, 50, 90, 99, 99.9, 99.99, 100};
        for (int k = 0; k < 9 + 20; k++) {
            double p = k < 9 ? fixed[k] : (double)(rnd() % 1000000) / 10000.0 + 0.0001;
            double r = ceil(p / 100.0 * (double)n);
            size_t rank = r < 1 ? 1 : r > (double)n ? n : (size_t)r;
            uint64_t truth = v[rank - 1], got = hb_hist_percentile(&h, p);
            CHECK(got >= truth && got - truth <= truth / HB_HIST_SUB, "p%g of %zu values: %llu, sorted %llu", p, n,
                  (unsigned long long)got, (unsigned long long)truth);
        }
        free(v);
    }
    hb_hist_init(&h);
    CHECK(hb_hist_percentile(&h, 99) == 0, "an empty histogram");
}

/* ---- a fake RESP server that stalls once ------------------------------------------- */
#define CONNS 2
#define RATE 2000.0
#define NREQ 4000
#define STALL_AT 1000 /* the request after which it stalls */
#define STALL_MS 1000

typedef struct fake {
    int lfd, port;
    _Atomic int stop;
    long served;
} fake;

/* One complete RESP command at b[0..n): its length and first word, or 0. */
static size_t command(const char *b, size_t n, char *verb)
{
    size_t off = 0;
    if (n < 4 || b[0] != '*')
        return 0;
    const char *nl = memchr(b, '\n', n);
    if (nl == NULL)
        return 0;
    long args = strtol(b + 1, NULL, 10);
    off = (size_t)(nl - b) + 1;
    for (long a = 0; a < args; a++) {
        if (off >= n || b[off] != '$')
            return 0;
        nl = memchr(b + off, '\n', n - off);
        if (nl == NULL)
            return 0;
        long l = strtol(b + off + 1, NULL, 10);
        size_t start = (size_t)(nl - b) + 1;
        if (start + (size_t)l + 2 > n)
            return 0;
        if (a == 0)
            snprintf(verb, 8, "%.*s", (int)(l < 7 ? l : 7), b + start);
        off = start + (size_t)l + 2;
    }
    return off;
}

static void *fake_main(void *arg)
{
    fake *f = arg;
    struct pollfd p[CONNS + 1];
    static char buf[CONNS][1 << 17];
    size_t have[CONNS] = {0};
    int n = 0;
    p[0].fd = f->lfd;
    p[0].events = POLLIN;
    while (!f->stop) {
        if (poll(p, (nfds_t)n + 1, 50) <= 0)
            continue;
        if ((p[0].revents & POLLIN) && n < CONNS) {
            p[n + 1].fd = accept(f->lfd, NULL, NULL);
            p[n + 1].events = POLLIN;
            n++;
        }
        for (int i = 0; i < n; i++) {
            if (!(p[i + 1].revents & POLLIN))
                continue;
            ssize_t r = recv(p[i + 1].fd, buf[i] + have[i], sizeof buf[i] - have[i], 0);
            if (r <= 0) {
                p[i + 1].fd = -1;
                continue;
            }
            have[i] += (size_t)r;
            size_t off = 0, used;
            char verb[8];
            while ((used = command(buf[i] + off, have[i] - off, verb)) > 0) {
                off += used;
                if (++f->served == STALL_AT) {
                    struct timespec ts = {STALL_MS / 1000, (STALL_MS % 1000) * 1000000L};
                    nanosleep(&ts, NULL);
                }
                const char *ans = strcmp(verb, "SET") == 0 ? "+OK\r\n" : strcmp(verb, "GET") == 0 ? "$-1\r\n" : ":0\r\n";
                if (send(p[i + 1].fd, ans, strlen(ans), MSG_NOSIGNAL) < 0)
                    p[i + 1].fd = -1;
            }
            memmove(buf[i], buf[i] + off, have[i] - off);
            have[i] -= off;
        }
    }
    for (int i = 0; i < n; i++)
        if (p[i + 1].fd >= 0)
            close(p[i + 1].fd);
    return NULL;
}

static void make(void *ctx, uint64_t j, hb_lg_req *r)
{
    (void)ctx;
    r->key = j % 97;
    r->op = j % 3 == 0 ? HB_LG_SET : j % 3 == 1 ? HB_LG_GET : HB_LG_DEL;
    r->size = 16 + (uint32_t)(j % 200);
    r->gen = (uint32_t)j;
}

static uint64_t count_above(const hb_hist *h, uint64_t bound)
{
    uint64_t c = 0;
    for (size_t i = 0; i < HB_HIST_BUCKETS; i++)
        if (hb_hist_lowest(i) > bound)
            c += h->counts[i];
    return c;
}

static void test_stall(void)
{
    fake f = {0};
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f.lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (f.lfd < 0 || bind(f.lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(f.lfd, 16) != 0 ||
        getsockname(f.lfd, (struct sockaddr *)&sa, &sl) != 0) {
        fprintf(stderr, "cannot listen on loopback\n");
        failures++;
        return;
    }
    f.port = ntohs(sa.sin_port);
    pthread_t th;
    pthread_create(&th, NULL, fake_main, &f);

    static hb_loadgen lg;
    char msg[256] = "";
    int rc = hb_loadgen_open(&lg, HB_LG_RESP, f.port, CONNS, msg, sizeof msg);
    CHECK(rc == 0, "open: %s", msg);
    if (rc == 0) {
        hb_lg_plan plan = {.n = NREQ, .rate = RATE, .depth = 1, .record = 1, .make = make, .timeout_s = 30};
        rc = hb_loadgen_run(&lg, &plan, msg, sizeof msg);
        CHECK(rc == 0, "run: %s", msg);
        CHECK(lg.done == NREQ && lg.errors == 0, "%llu answered, %llu errors", (unsigned long long)lg.done,
              (unsigned long long)lg.errors);
        CHECK(lg.measured.n == NREQ && lg.corrected.n == NREQ, "every request counted twice");
        const uint64_t ms = 1000000;
        /* the request the server stalled on waited the whole stall, both ways */
        CHECK(lg.measured.max >= STALL_MS * ms && lg.corrected.max >= STALL_MS * ms, "max %llu / %llu ns",
              (unsigned long long)lg.measured.max, (unsigned long long)lg.corrected.max);
        /* measured: only the requests in flight during the stall (one per
         * connection) can come near it */
        uint64_t m_above = count_above(&lg.measured, 800 * ms), c_above = count_above(&lg.corrected, 500 * ms);
        CHECK(m_above <= CONNS, "%llu measured latencies above 800 ms", (unsigned long long)m_above);
        /* corrected: every request due in the first half of the stall waited
         * more than 500 ms (about RATE / 2 = 1000 of them) */
        CHECK(c_above >= 200, "only %llu corrected latencies above 500 ms", (unsigned long long)c_above);
        CHECK(hb_hist_percentile(&lg.corrected, 99.9) >= 500 * ms && hb_hist_percentile(&lg.corrected, 99) >= 500 * ms,
              "corrected p99 %llu, p99.9 %llu", (unsigned long long)hb_hist_percentile(&lg.corrected, 99),
              (unsigned long long)hb_hist_percentile(&lg.corrected, 99.9));
        CHECK(hb_hist_percentile(&lg.measured, 99.9) < 800 * ms, "measured p99.9 %llu",
              (unsigned long long)hb_hist_percentile(&lg.measured, 99.9));
        /* the curve file: header, rising percentiles, 100 last */
        char path[] = "/tmp/hb-curve-XXXXXX";
        int fd = mkstemp(path);
        close(fd);
        CHECK(hb_loadgen_write_curve(&lg, path) == 0, "curve");
        FILE *cf = fopen(path, "r");
        char line[256];
        double last = 0, p, mu, cu, lastc = 0;
        int rows = 0;
        CHECK(cf && fgets(line, sizeof line, cf) && strcmp(line, "percentile,measured_us,corrected_us\n") == 0,
              "curve header");
        while (cf && fgets(line, sizeof line, cf) && sscanf(line, "%lf,%lf,%lf", &p, &mu, &cu) == 3) {
            CHECK(p > last && cu >= lastc, "curve row %d not rising: %s", rows, line);
            last = p;
            lastc = cu;
            rows++;
        }
        CHECK(rows > 50 && last == 100, "%d curve rows, last %g", rows, last);
        if (cf)
            fclose(cf);
        unlink(path);
        hb_loadgen_close(&lg);
    }
    f.stop = 1;
    pthread_join(th, NULL);
    close(f.lfd);
}

int main(void)
{
    test_hist();
    test_stall();
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    printf("loadgen: ok\n");
    return 0;
}
