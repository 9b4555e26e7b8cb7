/*
 * loadgen.h: an open-loop request generator for key-value servers, and the
 * latency histogram it records into (loadgen.c).
 *
 * Open loop (as wrk2): request j of a run is due at t0 + j / rate, whatever
 * the server does.  Requests go over `conns` loopback TCP connections, at
 * most one outstanding request per connection (no pipelining), each key
 * always on the same connection (key % conns), so that the requests for one
 * key reach the server in the order they were made and the server's final
 * state does not depend on timing.  A request whose connection is still
 * busy waits in that connection's queue.  Each answered request is counted
 * twice:
 *
 *   measured   from the moment it was written to the socket to its answer;
 *   corrected  from the moment it was due (its scheduled start).
 *
 * When the server stalls, the requests that queue up behind the stall are
 * sent late, and a client that times from the send ("measured") never sees
 * that they waited: coordinated omission.  The corrected figures count it.
 *
 * Protocols: redis RESP (SET, GET, DEL) and memcached text (set, get,
 * delete).  Keys are "k:<n>"; a value is a deterministic function of (key,
 * generation, size) (hb_lg_value), so a reader can check it.
 *
 * Histogram: log-linear buckets (as HdrHistogram): values below 2^(S+1) are
 * exact, above that each power of two is split into 2^S equal buckets, S =
 * HB_HIST_SUB_BITS; a value's bucket is at most value / 2^S wide, so a
 * percentile read from it is within 1/2^S (0.8%) above the true one.
 * Minimum and maximum are kept exactly.
 */
#ifndef HB_LOADGEN_H
#define HB_LOADGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HB_HIST_SUB_BITS 7
#define HB_HIST_SUB (1u << HB_HIST_SUB_BITS)
#define HB_HIST_BUCKETS ((65 - HB_HIST_SUB_BITS) * HB_HIST_SUB)

typedef struct hb_hist {
    uint64_t n, min, max;
    uint64_t counts[HB_HIST_BUCKETS];
} hb_hist;

void hb_hist_init(hb_hist *h);
void hb_hist_add(hb_hist *h, uint64_t v);
void hb_hist_merge(hb_hist *into, const hb_hist *from);
/* Bucket of v, and the smallest and largest value of bucket i. */
size_t hb_hist_index(uint64_t v);
uint64_t hb_hist_lowest(size_t i);
uint64_t hb_hist_highest(size_t i);
/* The value at percentile pct (0 < pct <= 100): the highest value of the
 * bucket holding the ceil(pct/100 * n)-th smallest sample (clamped to the
 * exact maximum); 0 when empty. */
uint64_t hb_hist_percentile(const hb_hist *h, double pct);

/* ---- requests ------------------------------------------------------------ */
enum { HB_LG_RESP = 0, HB_LG_MEMCACHE = 1 };        /* protocols */
enum { HB_LG_SET = 0, HB_LG_GET = 1, HB_LG_DEL = 2 }; /* operations */
#define HB_LG_MAX_VALUE (64 * 1024)
#define HB_LG_MAX_CONNS 64

typedef struct hb_lg_req {
    int op;        /* HB_LG_SET, GET, DEL */
    uint64_t key;  /* key "k:<key>" */
    uint32_t size; /* SET: value bytes, <= HB_LG_MAX_VALUE */
    uint32_t gen;  /* SET: generation, part of the value's content */
} hb_lg_req;

/* Request j of a run (j from 0); called once per request, in order of j. */
typedef void (*hb_lg_make)(void *ctx, uint64_t j, hb_lg_req *out);

/* Writes the value of (key, gen) with `size` bytes into buf. */
void hb_lg_value(char *buf, uint64_t key, uint32_t gen, uint32_t size);

typedef struct hb_loadgen {
    int proto, nconns;
    struct hb_lg_conn *conns; /* loadgen.c */
    hb_hist measured, corrected; /* ns */
    uint64_t done, errors;       /* answered requests; error answers among them */
    uint64_t replies;            /* order-independent digest of (j, answer) over every answer */
    uint64_t late_max_ns;        /* the most a request was sent after it was due */
    char err[160];               /* first error answer, for the message */
} hb_loadgen;

/* Called for each answered GET (when set): the value, or vlen = -1 for a miss. */
typedef void (*hb_lg_got)(void *ctx, uint64_t j, const hb_lg_req *r, const char *value, long vlen);

typedef struct hb_lg_plan {
    uint64_t n;         /* requests */
    double rate;        /* per second; request j is due at start + j / rate */
    int depth;          /* outstanding requests per connection: 1 measures, more pipelines */
    int record;         /* record latencies into the histograms */
    hb_lg_make make;
    hb_lg_got got;      /* or NULL */
    void *ctx;
    unsigned timeout_s; /* give up after this long without an answer while one is awaited */
    volatile int *stop; /* stop early when *stop != 0; may be NULL */
} hb_lg_plan;

/* Connects nconns (1..HB_LG_MAX_CONNS) connections to 127.0.0.1:port.  0,
 * or -1 with the reason in msg. */
int hb_loadgen_open(hb_loadgen *lg, int proto, int port, int nconns, char *msg, size_t len);
/* Makes and sends plan->n requests, the first due now; returns when all are
 * answered.  0, or -1 with the reason in msg (a connection closed, an
 * answer that cannot be parsed, the timeout, a stop). */
int hb_loadgen_run(hb_loadgen *lg, const hb_lg_plan *plan, char *msg, size_t len);
void hb_loadgen_close(hb_loadgen *lg);

/* The percentile curve of a run (docs/real.md): a header line
 * "percentile,measured_us,corrected_us", then one line per percentile p =
 * 100 * (1 - 10^-x), x from log10(2) (50%) to 4 (99.99%) in steps of 0.05,
 * then 99.99 itself and a last line "100" with the maxima; latencies in
 * microseconds with three decimals.  Written as path.tmp and renamed.  0,
 * or -1 when the file cannot be written. */
int hb_loadgen_write_curve(const hb_loadgen *lg, const char *path);

/* ---- a blocking connection for what is not measured ---------------------- */
/* Connects to 127.0.0.1:port with send and receive timeouts; the socket or -1. */
int hb_kv_connect(int port, unsigned timeout_s);
/* The server's own count of the bytes it holds: redis INFO used_memory,
 * memcached stats bytes; -1 when it cannot be read. */
int64_t hb_kv_live_bytes(int fd, int proto);

#endif
