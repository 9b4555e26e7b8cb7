/*
 * server_soak.c: redis-soak and memcached-soak (server_soak.h).
 *
 * The server runs under the allocator (programs.c starts it); heapbench,
 * under libc, is its client.  The run goes through the soak phases with a
 * share of `duration` each:
 *
 *   warmup 15%  fill: one SET per key, K keys, values of 32 B .. 2 KiB
 *   steady 25%  churn on random keys: 50% SET (a new size from the same
 *               mix: overwrites change sizes), 40% GET, 10% DEL
 *   shift  15%  another size mix: every 4th key overwritten with values of
 *               8 .. 40 KiB (80% SET, 20% GET)
 *   drop   15%  DEL of 9 keys in 10 (the rest of the phase: GETs)
 *   idle   20%  no requests
 *   regrow 10%  SET of the deleted keys again, small values, as far as the
 *               phase's requests go
 *
 * Every phase but idle sends rate x its seconds requests on the open-loop
 * schedule (loadgen.c); K = the warm-up's requests.  Request j's key, size
 * and operation are functions of j and the phase only, and a key always
 * travels on the same connection, so the server's final state does not
 * depend on timing: the client keeps a model of it (per key: the
 * generation and size written last, or absent) and reads every key back at
 * the end, pipelined and untimed.  A value that differs from the model
 * makes the run `wrong`; the checksum digests the model's key set and
 * every answer of the run (order-independent).
 *
 * A sampler thread reads the server's RSS from /proc/PID/statm every
 * 100 ms and its own count of live bytes (redis INFO used_memory,
 * memcached stats bytes) on a connection of its own, with the phase; the
 * samples go to the soak series (soak.c) and, with --timeline, to the
 * timeline file.  The latency curve goes beside the timeline.
 */
#define _GNU_SOURCE
#include "server_soak.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"
#include "measure.h"
#include "soak.h"
#include "spawn.h" /* hb_interrupted: Ctrl-C ends a soak */

const hb_param_def hb_server_soak_params[] = {
    {"duration", 60, 5, 7 * 86400, NULL, "seconds of the whole soak; each phase a fixed share of it"},
    {"rate", 2000, 50, 1000000, NULL, "requests per second, on a fixed schedule (open loop)"},
    {"conns", 32, 1, HB_LG_MAX_CONNS, NULL, "client connections (one request in flight on each)"},
};
const size_t hb_server_soak_nparams = sizeof hb_server_soak_params / sizeof hb_server_soak_params[0];
_Static_assert(sizeof hb_server_soak_params / sizeof hb_server_soak_params[0] == 3, "programs.c's S() says 3");
const char *const hb_server_soak_phases[] = {HB_SOAK_PHASES, NULL};

enum { WARMUP, STEADY, SHIFT, DROP, IDLE, REGROW, NPHASES };
static const double share[NPHASES] = {0.15, 0.25, 0.15, 0.15, 0.20, 0.10};

typedef struct model {
    uint32_t *gen, *size; /* per key; size 0: absent.  mmap'd */
    uint64_t keys;
} model;

typedef struct soak {
    model m;
    int phase;
    uint64_t base; /* global index of the phase's first request (generations) */
    /* read-back */
    uint64_t mismatches, digest, first_bad;
    char *expect;
    /* sampler */
    pid_t pid;
    int proto, port;
    FILE *tl;
    hb_soak_series series;
    uint64_t t0;
    _Atomic int cur_phase;
    volatile int stop;
    int statm_fd;
} soak;

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint32_t size_small(uint64_t h) { return 32 + (uint32_t)(h % 2017); }
static uint32_t size_large(uint64_t h) { return 8192 + (uint32_t)(h % 32769); }

static void set(soak *s, hb_lg_req *r, uint64_t key, uint32_t size, uint64_t j)
{
    r->op = HB_LG_SET;
    r->key = key;
    r->size = size;
    r->gen = (uint32_t)(s->base + j);
    s->m.gen[key] = r->gen;
    s->m.size[key] = size;
}

/* Request j of the current phase (loadgen calls it in order of j). */
static void make(void *ctx, uint64_t j, hb_lg_req *r)
{
    soak *s = ctx;
    uint64_t K = s->m.keys, h = mix64((s->base + j) ^ ((uint64_t)s->phase << 56));
    uint64_t dk = (j / 9) * 10 + j % 9 + 1; /* the j-th key not a multiple of 10 */
    memset(r, 0, sizeof *r);
    switch (s->phase) {
    case WARMUP:
        set(s, r, j % K, size_small(h >> 20), j);
        return;
    case STEADY: {
        uint64_t key = h % K, what = (h >> 40) % 10;
        if (what < 5) {
            set(s, r, key, size_small(h >> 20), j);
        } else {
            r->op = what < 9 ? HB_LG_GET : HB_LG_DEL;
            r->key = key;
            if (r->op == HB_LG_DEL)
                s->m.size[key] = 0;
        }
        return;
    }
    case SHIFT: {
        uint64_t key = (h % ((K + 3) / 4)) * 4;
        key = key < K ? key : 0;
        if ((h >> 40) % 10 < 8)
            set(s, r, key, size_large(h >> 20), j);
        else
            r->op = HB_LG_GET, r->key = key;
        return;
    }
    case DROP:
        if (dk < K) {
            r->op = HB_LG_DEL;
            r->key = dk;
            s->m.size[dk] = 0;
        } else {
            r->op = HB_LG_GET;
            r->key = h % K;
        }
        return;
    default: /* REGROW */
        if (dk < K)
            set(s, r, dk, size_small(h >> 20), j);
        else
            r->op = HB_LG_GET, r->key = h % K;
        return;
    }
}

/* The read-back: GET of key j. */
static void make_read(void *ctx, uint64_t j, hb_lg_req *r)
{
    (void)ctx;
    memset(r, 0, sizeof *r);
    r->op = HB_LG_GET;
    r->key = j;
}

static void got_read(void *ctx, uint64_t j, const hb_lg_req *r, const char *value, long vlen)
{
    soak *s = ctx;
    (void)j;
    uint64_t key = r->key;
    uint32_t size = s->m.size[key];
    int ok;
    if (size == 0) {
        ok = vlen < 0;
    } else {
        hb_lg_value(s->expect, key, s->m.gen[key], size);
        ok = vlen == (long)size && memcmp(value, s->expect, size) == 0;
    }
    if (!ok && s->mismatches++ == 0)
        s->first_bad = key;
    s->digest += mix64(key * 0x100000001b3ull ^ ((uint64_t)size << 32 ^ (size ? s->m.gen[key] : 0)));
}

/* ---- the sampler --------------------------------------------------------------------- */
static long statm_rss_kib(soak *s)
{
    char buf[128];
    ssize_t n = pread(s->statm_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    long size, resident;
    if (sscanf(buf, "%ld %ld", &size, &resident) != 2)
        return -1;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void sample(soak *s, int fd)
{
    long rss = statm_rss_kib(s);
    int64_t live = fd >= 0 ? hb_kv_live_bytes(fd, s->proto) : -1;
    int ph = atomic_load(&s->cur_phase);
    double t = (double)(hb_now_ns() - s->t0) / 1e9;
    if (rss <= 0)
        return;
    hb_soak_add(&s->series, t, rss, live, ph);
    if (s->tl != NULL)
        fprintf(s->tl, "%.3f,%ld,%" PRId64 ",0,0,%s\n", t, rss, live < 0 ? 0 : live,
                ph >= 0 ? hb_server_soak_phases[ph] : "");
}

static void *sampler(void *arg)
{
    soak *s = arg;
    int fd = hb_kv_connect(s->port, 2);
    uint64_t next = hb_now_ns();
    while (!s->stop) {
        sample(s, fd);
        next += 100000000ull;
        uint64_t now = hb_now_ns();
        if (next < now) /* a slow sample: keep the period, skip what was missed */
            next = now;
        struct timespec ts = {(time_t)((next - now) / 1000000000ull), (long)((next - now) % 1000000000ull)};
        nanosleep(&ts, NULL);
    }
    sample(s, fd); /* the last one */
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* ---- the run -------------------------------------------------------------------------- */
static double us(uint64_t ns) { return (double)ns / 1e3; }

static void set_figures(hb_row *row, const hb_soak_figures *f)
{
    if (f->have & HB_SOAK_FRAG) {
        hb_row_set(row, HB_COL_soak_frag_median, "%.4f", f->frag_median);
        hb_row_set(row, HB_COL_soak_frag_max, "%.4f", f->frag_max);
    }
    if (f->have & HB_SOAK_CREEP)
        hb_row_set(row, HB_COL_soak_creep_mib_min, "%.3f", f->creep_mib_min);
    if (f->have & HB_SOAK_PEAK)
        hb_row_set(row, HB_COL_soak_peak_rss_kib, "%ld", f->peak_rss_kib);
    if (f->have & HB_SOAK_DROP1)
        hb_row_set(row, HB_COL_soak_drop_1s, "%.4f", f->drop_1s);
    if (f->have & HB_SOAK_DROP10)
        hb_row_set(row, HB_COL_soak_drop_10s, "%.4f", f->drop_10s);
    if (f->have & HB_SOAK_SETTLE)
        hb_row_set(row, HB_COL_soak_settle_s, "%.2f", f->settle_s);
    if (f->have & HB_SOAK_IDLE)
        hb_row_set(row, HB_COL_soak_idle_rss_kib, "%ld", f->idle_rss_kib);
}

static long long param(const hb_spec *sp, const char *name, long long def)
{
    int i = hb_workload_param_index(sp->workload, name);
    return i >= 0 ? sp->params[i] : def;
}

/* PREFIX-<workload>-<allocator>.csv in the timeline's directory: the
 * latency curve (latency) and the latencies per phase (reqphase). */
static const char *beside_timeline(const hb_spec *sp, const char *prefix, char *buf, size_t len)
{
    const char *slash = strrchr(sp->timeline, '/');
    int dl = slash ? (int)(slash - sp->timeline) : 1;
    snprintf(buf, len, "%.*s/%s-%s-%s.csv", dl, slash ? sp->timeline : ".", prefix, sp->workload->name,
             sp->allocator->name);
    return buf;
}

/* One line of the per-phase file: the phase's requests and latencies. */
static void phase_line(FILE *f, const char *phase, const hb_loadgen *lg)
{
    const hb_hist *m = &lg->measured, *c = &lg->corrected;
    fprintf(f, "%s,%" PRIu64 ",%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", phase, m->n,
            us(hb_hist_percentile(m, 50)), us(hb_hist_percentile(m, 99)), us(hb_hist_percentile(m, 99.9)), us(m->max),
            us(hb_hist_percentile(c, 50)), us(hb_hist_percentile(c, 99)), us(hb_hist_percentile(c, 99.9)), us(c->max),
            (double)lg->late_max_ns / 1e6);
}

int hb_server_soak(const hb_spec *sp, int proto, pid_t pid, int port, hb_row *row, char *msg, size_t len)
{
    double duration = (double)param(sp, "duration", 60), rate = (double)param(sp, "rate", 2000);
    int conns = (int)param(sp, "conns", 32), rc = -1, started = 0;
    FILE *phases = NULL;
    uint64_t K = (uint64_t)(rate * duration * share[WARMUP]);
    K = K < 100 ? 100 : K;
    static hb_loadgen lg; /* its histograms are large */
    pthread_t th;
    char path[PATH_MAX];
    soak *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    memset(s, 0, sizeof *s);
    s->statm_fd = -1;
    s->m.keys = K;
    s->m.gen = calloc(K, sizeof *s->m.gen);
    s->m.size = calloc(K, sizeof *s->m.size);
    s->expect = malloc(HB_LG_MAX_VALUE + 8);
    s->pid = pid;
    s->proto = proto;
    s->port = port;
    s->series.phases = hb_server_soak_phases;
    atomic_store(&s->cur_phase, -1);
    memset(&lg, 0, sizeof lg);
    if (s->m.gen == NULL || s->m.size == NULL || s->expect == NULL) {
        snprintf(msg, len, "out of memory");
        goto out;
    }
    snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    s->statm_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->statm_fd < 0) {
        snprintf(msg, len, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    if (sp->timeline != NULL) {
        s->tl = fopen(sp->timeline, "w");
        if (s->tl == NULL) {
            snprintf(msg, len, "cannot write timeline %s: %s", sp->timeline, strerror(errno));
            goto out;
        }
        fprintf(s->tl, "time_s,rss_kib,live_bytes,trash_objects,trash_bytes,phase\n");
    }
    if (hb_loadgen_open(&lg, proto, port, conns, msg, len) != 0)
        goto out;
    s->t0 = hb_now_ns();
    atomic_store(&s->cur_phase, WARMUP); /* the first sample is the warm-up's */
    if (pthread_create(&th, NULL, sampler, s) != 0) {
        snprintf(msg, len, "cannot start the sampler thread");
        goto out;
    }
    started = 1;
    uint64_t active_ns = 0;
    static hb_hist all_m, all_c; /* the whole run; lg's histograms hold one phase at a time */
    hb_hist_init(&all_m);
    hb_hist_init(&all_c);
    if (sp->timeline != NULL) {
        phases = fopen(beside_timeline(sp, "reqphase", path, sizeof path), "w");
        if (phases == NULL) {
            snprintf(msg, len, "cannot write %s: %s", path, strerror(errno));
            goto out;
        }
        fprintf(phases, "phase,requests,p50_us,p99_us,p999_us,max_us,co_p50_us,co_p99_us,co_p999_us,co_max_us,"
                        "late_max_ms\n");
    }
    for (int ph = 0; ph < NPHASES; ph++) {
        double secs = duration * share[ph];
        s->phase = ph;
        atomic_store(&s->cur_phase, ph);
        if (ph == IDLE) {
            uint64_t until = hb_now_ns() + (uint64_t)(secs * 1e9);
            for (uint64_t now; (now = hb_now_ns()) < until && !hb_interrupted;) {
                uint64_t w = until - now > 100000000ull ? 100000000ull : until - now;
                struct timespec ts = {0, (long)w};
                nanosleep(&ts, NULL);
            }
            if (hb_interrupted) {
                snprintf(msg, len, "interrupted");
                goto out;
            }
            continue;
        }
        uint64_t n = ph == WARMUP ? K : (uint64_t)(rate * secs);
        hb_lg_plan plan = {.n = n, .rate = rate, .depth = 1, .record = 1, .make = make, .ctx = s, .timeout_s = 30,
                           .stop = &hb_interrupted};
        uint64_t a = hb_now_ns();
        if (hb_loadgen_run(&lg, &plan, msg, len) != 0) {
            size_t u = strlen(msg);
            snprintf(msg + u, len - u, " (phase %s)", hb_server_soak_phases[ph]);
            goto out;
        }
        active_ns += hb_now_ns() - a;
        if (phases != NULL)
            phase_line(phases, hb_server_soak_phases[ph], &lg);
        hb_hist_merge(&all_m, &lg.measured);
        hb_hist_merge(&all_c, &lg.corrected);
        hb_hist_init(&lg.measured);
        hb_hist_init(&lg.corrected);
        lg.late_max_ns = 0;
        s->base += n;
    }
    s->stop = 1;
    pthread_join(th, NULL);
    started = 0;
    uint64_t timed = lg.done, errors = lg.errors, replies = lg.replies;
    lg.measured = all_m;
    lg.corrected = all_c;
    /* read every key back, pipelined, untimed */
    hb_lg_plan back = {.n = K, .rate = 1e12, .depth = 32, .make = make_read, .got = got_read, .ctx = s, .timeout_s = 30};
    if (hb_loadgen_run(&lg, &back, msg, len) != 0) {
        size_t u = strlen(msg);
        snprintf(msg + u, len - u, " (reading the keys back)");
        goto out;
    }
    hb_row_set(row, HB_COL_ops, "%" PRIu64, timed);
    hb_row_set(row, HB_COL_ops_per_s, "%.0f", active_ns ? (double)timed / ((double)active_ns / 1e9) : 0.0);
    hb_row_set(row, HB_COL_req_rate, "%.0f", rate);
    hb_row_set(row, HB_COL_req_p50_us, "%.1f", us(hb_hist_percentile(&lg.measured, 50)));
    hb_row_set(row, HB_COL_req_p99_us, "%.1f", us(hb_hist_percentile(&lg.measured, 99)));
    hb_row_set(row, HB_COL_req_p999_us, "%.1f", us(hb_hist_percentile(&lg.measured, 99.9)));
    hb_row_set(row, HB_COL_req_max_us, "%.1f", us(lg.measured.max));
    hb_row_set(row, HB_COL_req_co_p50_us, "%.1f", us(hb_hist_percentile(&lg.corrected, 50)));
    hb_row_set(row, HB_COL_req_co_p99_us, "%.1f", us(hb_hist_percentile(&lg.corrected, 99)));
    hb_row_set(row, HB_COL_req_co_p999_us, "%.1f", us(hb_hist_percentile(&lg.corrected, 99.9)));
    hb_row_set(row, HB_COL_req_co_max_us, "%.1f", us(lg.corrected.max));
    hb_soak_figures f;
    hb_soak_compute(&s->series, &f);
    set_figures(row, &f);
    int64_t peak_live = -1;
    for (size_t i = 0; i < s->series.n; i++)
        peak_live = s->series.v[i].live > peak_live ? s->series.v[i].live : peak_live;
    if (peak_live > 0)
        hb_row_set(row, HB_COL_peak_live_bytes, "%" PRId64, peak_live);
    if (sp->timeline != NULL && hb_loadgen_write_curve(&lg, beside_timeline(sp, "latency", path, sizeof path)) != 0) {
        snprintf(msg, len, "cannot write %s", path);
        goto out;
    }
    uint64_t sum = HB_CHECKSUM_INIT;
    sum = hb_mix(sum, s->digest);
    sum = hb_mix(sum, replies);
    sum = hb_mix(sum, K);
    hb_row_set(row, HB_COL_checksum, "%016" PRIx64, sum);
    if (s->mismatches > 0 || errors > 0) {
        if (s->mismatches > 0)
            snprintf(msg, len, "%" PRIu64 " of %" PRIu64 " keys read back differ from what was written (first: k:%" PRIu64
                     ")", s->mismatches, K, s->first_bad);
        else
            snprintf(msg, len, "%" PRIu64 " error answers (first: %s)", errors, lg.err);
        rc = 1;
    } else {
        rc = 0;
    }
out:
    if (started) {
        s->stop = 1;
        pthread_join(th, NULL);
    }
    hb_loadgen_close(&lg);
    if (phases != NULL && fclose(phases) != 0 && rc >= 0) {
        snprintf(msg, len, "cannot write the latencies per phase");
        rc = -1;
    }
    if (s->tl != NULL)
        fclose(s->tl);
    if (s->statm_fd >= 0)
        close(s->statm_fd);
    hb_soak_free(&s->series);
    free(s->m.gen);
    free(s->m.size);
    free(s->expect);
    munmap(s, sizeof *s);
    return rc;
}
