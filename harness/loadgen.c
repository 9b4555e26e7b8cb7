/*
 * loadgen.c: the open-loop request generator and its histogram (loadgen.h
 * says what they promise).
 *
 * One thread, one poll loop over every connection.  Each connection keeps a
 * ring of its requests in order: the first `inflight` of them are written
 * (or being written), the rest are due and wait.  Answers come back in order
 * on a connection (both protocols answer in order), so an answer completes
 * the oldest request in flight.  Invariants: 0 <= inflight <= depth;
 * inflight <= count; the bytes in `out` from `outoff` on belong to requests
 * in flight; `in` holds the start of the next answer only.
 */
#define _GNU_SOURCE
#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>


static uint64_t hb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- histogram ------------------------------------------------------------ */
void hb_hist_init(hb_hist *h) { memset(h, 0, sizeof *h); }

size_t hb_hist_index(uint64_t v)
{
    if (v < 2 * HB_HIST_SUB)
        return (size_t)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - HB_HIST_SUB_BITS;
    return (size_t)(shift + 1) * HB_HIST_SUB + (size_t)((v >> shift) - HB_HIST_SUB);
}

uint64_t hb_hist_lowest(size_t i)
{
    if (i < 2 * HB_HIST_SUB)
        return i;
    unsigned shift = (unsigned)(i / HB_HIST_SUB) - 1;
    return (uint64_t)(i % HB_HIST_SUB + HB_HIST_SUB) << shift;
}

uint64_t hb_hist_highest(size_t i)
{
    if (i < 2 * HB_HIST_SUB)
        return i;
    unsigned shift = (unsigned)(i / HB_HIST_SUB) - 1;
    return hb_hist_lowest(i) + ((1ull << shift) - 1);
}

void hb_hist_add(hb_hist *h, uint64_t v)
{
    h->counts[hb_hist_index(v)]++;
    if (h->n == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->n++;
}

void hb_hist_merge(hb_hist *into, const hb_hist *from)
{
    if (from->n == 0)
        return;
    for (size_t i = 0; i < HB_HIST_BUCKETS; i++)
        into->counts[i] += from->counts[i];
    if (into->n == 0 || from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
    into->n += from->n;
}

uint64_t hb_hist_percentile(const hb_hist *h, double pct)
{
    if (h->n == 0)
        return 0;
    double r = ceil(pct / 100.0 * (double)h->n);
    uint64_t rank = r < 1 ? 1 : r > (double)h->n ? h->n : (uint64_t)r;
    uint64_t seen = 0;
    for (size_t i = 0; i < HB_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t v = hb_hist_highest(i);
            return v > h->max ? h->max : v < h->min ? h->min : v;
        }
    }
    return h->max;
}

/* ---- values and digests --------------------------------------------------- */
static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
    return h;
}

void hb_lg_value(char *buf, uint64_t key, uint32_t gen, uint32_t size)
{
    uint64_t seed = splitmix(key * 0x100000001b3ull ^ ((uint64_t)gen << 40) ^ size);
    for (uint32_t i = 0; i < size; i += 8) {
        uint64_t x = (splitmix(seed + i) & 0x3f3f3f3f3f3f3f3full) + 0x4040404040404040ull; /* '@' .. DEL */
        memcpy(buf + i, &x, size - i < 8 ? size - i : 8);
    }
}

/* ---- connections ---------------------------------------------------------- */
typedef struct pend {
    uint64_t j, due, sent;
    hb_lg_req r;
} pend;

typedef struct hb_lg_conn {
    int fd;
    pend *q;              /* ring: q[(head + k) % cap], k < count */
    size_t cap, head, count, inflight;
    char *out;            /* bytes written or to write */
    size_t outcap, outlen, outoff;
    char *in;             /* the next answer(s), inlen bytes */
    size_t incap, inlen;
} hb_lg_conn;

#define IN_CAP (HB_LG_MAX_VALUE + 4096)

static int set_nonblock(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

int hb_kv_connect(int port, unsigned timeout_s)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    struct timeval tv = {timeout_s, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int hb_loadgen_open(hb_loadgen *lg, int proto, int port, int nconns, char *msg, size_t len)
{
    memset(lg, 0, sizeof *lg);
    lg->proto = proto;
    hb_hist_init(&lg->measured);
    hb_hist_init(&lg->corrected);
    if (nconns < 1 || nconns > HB_LG_MAX_CONNS) {
        snprintf(msg, len, "connections: %d is not in 1..%d", nconns, HB_LG_MAX_CONNS);
        return -1;
    }
    lg->conns = calloc((size_t)nconns, sizeof *lg->conns);
    if (lg->conns == NULL) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    for (int i = 0; i < nconns; i++) {
        hb_lg_conn *c = &lg->conns[i];
        c->fd = hb_kv_connect(port, 10);
        lg->nconns = i + 1;
        c->in = malloc(IN_CAP);
        c->incap = IN_CAP;
        if (c->fd < 0 || c->in == NULL || set_nonblock(c->fd, 1) != 0) {
            snprintf(msg, len, "cannot connect to 127.0.0.1:%d: %s", port, strerror(errno));
            hb_loadgen_close(lg);
            return -1;
        }
    }
    return 0;
}

void hb_loadgen_close(hb_loadgen *lg)
{
    for (int i = 0; lg->conns && i < lg->nconns; i++) {
        hb_lg_conn *c = &lg->conns[i];
        if (c->fd >= 0)
            close(c->fd);
        free(c->q);
        free(c->out);
        free(c->in);
    }
    free(lg->conns);
    lg->conns = NULL;
    lg->nconns = 0;
}

static int push(hb_lg_conn *c, const pend *p)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        pend *q = malloc(cap * sizeof *q);
        if (q == NULL)
            return -1;
        for (size_t k = 0; k < c->count; k++)
            q[k] = c->q[(c->head + k) % c->cap];
        free(c->q);
        c->q = q;
        c->cap = cap;
        c->head = 0;
    }
    c->q[(c->head + c->count++) % c->cap] = *p;
    return 0;
}

/* Appends request p to the connection's output. */
static int format(hb_lg_conn *c, int proto, const pend *p, char *valbuf)
{
    char key[32], head[128];
    int kl = snprintf(key, sizeof key, "k:%llu", (unsigned long long)p->r.key), hl;
    static const char *const resp_verb[] = {"SET", "GET", "DEL"}, *const mc_verb[] = {"set", "get", "delete"};
    size_t vl = p->r.op == HB_LG_SET ? p->r.size : 0;
    if (proto == HB_LG_RESP)
        hl = p->r.op == HB_LG_SET ? snprintf(head, sizeof head, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%zu\r\n", kl, key, vl)
                                  : snprintf(head, sizeof head, "*2\r\n$3\r\n%s\r\n$%d\r\n%s\r\n",
                                             resp_verb[p->r.op], kl, key);
    else
        hl = p->r.op == HB_LG_SET ? snprintf(head, sizeof head, "set %s 0 0 %zu\r\n", key, vl)
                                  : snprintf(head, sizeof head, "%s %s\r\n", mc_verb[p->r.op], key);
    size_t need = (size_t)hl + vl + 2;
    if (c->outlen + need > c->outcap) {
        if (c->outoff > 0) { /* drop what is written */
            memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
            c->outlen -= c->outoff;
            c->outoff = 0;
        }
        if (c->outlen + need > c->outcap) {
            size_t cap = (c->outlen + need) * 2;
            char *o = realloc(c->out, cap);
            if (o == NULL)
                return -1;
            c->out = o;
            c->outcap = cap;
        }
    }
    memcpy(c->out + c->outlen, head, (size_t)hl);
    c->outlen += (size_t)hl;
    if (p->r.op == HB_LG_SET) {
        hb_lg_value(valbuf, p->r.key, p->r.gen, p->r.size);
        memcpy(c->out + c->outlen, valbuf, vl);
        c->outlen += vl;
        memcpy(c->out + c->outlen, "\r\n", 2);
        c->outlen += 2;
    } /* a GET or DEL ends with the key's CRLF */
    return 0;
}

/* Writes what it can; -1 on a socket error. */
static int flush_out(hb_lg_conn *c)
{
    while (c->outoff < c->outlen) {
        ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        c->outoff += (size_t)w;
    }
    c->outoff = c->outlen = 0;
    return 0;
}

/* The length of the line at b (CRLF included), or 0 when incomplete. */
static size_t line_len(const char *b, size_t n)
{
    const char *nl = memchr(b, '\n', n);
    return nl ? (size_t)(nl - b) + 1 : 0;
}

/* Parses one answer to `op` at b[0..n): its length, 0 when incomplete, -1
 * when malformed.  *error: an error answer; *val, *vlen: a GET's value (or
 * vlen -1: a miss). */
static long parse(int proto, int op, const char *b, size_t n, int *error, const char **val, long *vlen)
{
    size_t l = line_len(b, n);
    *error = 0;
    *vlen = -1;
    *val = NULL;
    if (l == 0)
        return n > 4096 ? -1 : 0;
    if (l < 3 || b[l - 2] != '\r')
        return -1;
    if (proto == HB_LG_RESP) {
        switch (b[0]) {
        case '+':
        case ':':
            return (long)l;
        case '-':
            *error = 1;
            return (long)l;
        case '$': {
            long bl = strtol(b + 1, NULL, 10);
            if (bl < 0)
                return (long)l;
            if (bl > HB_LG_MAX_VALUE + 1024)
                return -1;
            if (n < l + (size_t)bl + 2)
                return 0;
            *val = b + l;
            *vlen = bl;
            return (long)(l + (size_t)bl + 2);
        }
        default:
            return -1;
        }
    }
    if (op == HB_LG_GET) {
        if (l == 5 && memcmp(b, "END\r\n", 5) == 0)
            return (long)l;
        if (l > 6 && memcmp(b, "VALUE ", 6) == 0) {
            const char *sp = memrchr(b, ' ', l);
            long bl = sp ? strtol(sp + 1, NULL, 10) : -1;
            if (bl < 0 || bl > HB_LG_MAX_VALUE + 1024)
                return -1;
            if (n < l + (size_t)bl + 2 + 5)
                return 0;
            if (memcmp(b + l + bl + 2, "END\r\n", 5) != 0)
                return -1;
            *val = b + l;
            *vlen = bl;
            return (long)(l + (size_t)bl + 2 + 5);
        }
        *error = 1;
        return (long)l;
    }
    if (op == HB_LG_SET)
        *error = !(l == 8 && memcmp(b, "STORED\r\n", 8) == 0);
    else
        *error = !((l == 9 && memcmp(b, "DELETED\r\n", 9) == 0) || (l == 11 && memcmp(b, "NOT_FOUND\r\n", 11) == 0));
    return (long)l;
}

/* Writes due requests while the connection has room in flight. */
static int start_sends(hb_lg_conn *c, int proto, int depth, uint64_t now, hb_loadgen *lg, char *valbuf)
{
    int any = 0;
    while ((int)c->inflight < depth && c->inflight < c->count) {
        pend *p = &c->q[(c->head + c->inflight) % c->cap];
        if (format(c, proto, p, valbuf) != 0)
            return -1;
        p->sent = now;
        if (now - p->due > lg->late_max_ns && now > p->due)
            lg->late_max_ns = now - p->due;
        c->inflight++;
        any = 1;
    }
    return any ? flush_out(c) : 0;
}

int hb_loadgen_run(hb_loadgen *lg, const hb_lg_plan *plan, char *msg, size_t len)
{
    struct pollfd pfd[HB_LG_MAX_CONNS];
    char *valbuf = malloc(HB_LG_MAX_VALUE + 8);
    int rc = -1, depth = plan->depth < 1 ? 1 : plan->depth;
    uint64_t t0 = hb_now_ns(), next = 0, answered = 0, last_answer = t0;
    double ns_per = 1e9 / plan->rate;
    if (valbuf == NULL) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    while (answered < plan->n) {
        if (plan->stop && *plan->stop) {
            snprintf(msg, len, "stopped");
            goto out;
        }
        uint64_t now = hb_now_ns();
        double d = (double)(now - t0) / ns_per + 1;
        uint64_t due = d >= (double)plan->n ? plan->n : (uint64_t)d;
        for (; next < due; next++) {
            pend p = {.j = next, .due = t0 + (uint64_t)((double)next * ns_per)};
            plan->make(plan->ctx, next, &p.r);
            if (push(&lg->conns[p.r.key % (uint64_t)lg->nconns], &p) != 0) {
                snprintf(msg, len, "out of memory");
                goto out;
            }
        }
        int waiting = 0;
        for (int i = 0; i < lg->nconns; i++) {
            hb_lg_conn *c = &lg->conns[i];
            if (start_sends(c, lg->proto, depth, now, lg, valbuf) != 0) {
                snprintf(msg, len, "send: %s", strerror(errno));
                goto out;
            }
            waiting |= c->inflight > 0;
            pfd[i].fd = c->fd;
            pfd[i].events = POLLIN | (c->outoff < c->outlen ? POLLOUT : 0);
            pfd[i].revents = 0;
        }
        if (waiting && now - last_answer > (uint64_t)plan->timeout_s * 1000000000ull) {
            snprintf(msg, len, "no answer for %u s", plan->timeout_s);
            goto out;
        }
        uint64_t wait = 100000000; /* 100 ms at most, for the stop flag and the timeout */
        if (next < plan->n) {
            uint64_t t_next = t0 + (uint64_t)((double)next * ns_per);
            wait = t_next > now ? t_next - now : 0;
            wait = wait > 100000000 ? 100000000 : wait;
        }
        struct timespec ts = {(time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull)};
        int pr = ppoll(pfd, (nfds_t)lg->nconns, &ts, NULL);
        if (pr < 0 && errno != EINTR) {
            snprintf(msg, len, "poll: %s", strerror(errno));
            goto out;
        }
        for (int i = 0; pr > 0 && i < lg->nconns; i++) {
            hb_lg_conn *c = &lg->conns[i];
            if ((pfd[i].revents & POLLOUT) && flush_out(c) != 0) {
                snprintf(msg, len, "send: %s", strerror(errno));
                goto out;
            }
            if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            ssize_t r = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                snprintf(msg, len, "the server closed connection %d%s%s", i, r < 0 ? ": " : "",
                         r < 0 ? strerror(errno) : "");
                goto out;
            }
            if (r < 0)
                continue;
            c->inlen += (size_t)r;
            size_t off = 0;
            uint64_t t = hb_now_ns();
            while (c->inflight > 0) {
                pend *p = &c->q[c->head];
                int error;
                const char *val;
                long vlen, used = parse(lg->proto, p->r.op, c->in + off, c->inlen - off, &error, &val, &vlen);
                if (used < 0) {
                    snprintf(msg, len, "cannot parse the answer to request %llu on connection %d",
                             (unsigned long long)p->j, i);
                    goto out;
                }
                if (used == 0)
                    break;
                if (plan->record) {
                    hb_hist_add(&lg->measured, t - p->sent);
                    hb_hist_add(&lg->corrected, t > p->due ? t - p->due : 0);
                }
                if (error) {
                    if (lg->errors++ == 0)
                        snprintf(lg->err, sizeof lg->err, "%.*s", (int)(line_len(c->in + off, (size_t)used) - 2),
                                 c->in + off);
                }
                lg->replies += splitmix(p->j ^ fnv(c->in + off, (size_t)used));
                if (plan->got && p->r.op == HB_LG_GET)
                    plan->got(plan->ctx, p->j, &p->r, val, vlen);
                lg->done++;
                answered++;
                last_answer = t;
                off += (size_t)used;
                c->head = (c->head + 1) % c->cap;
                c->count--;
                c->inflight--;
            }
            memmove(c->in, c->in + off, c->inlen - off);
            c->inlen -= off;
            if (c->inflight == 0 && c->inlen > 0) {
                snprintf(msg, len, "an answer nobody asked for on connection %d", i);
                goto out;
            }
            if (start_sends(c, lg->proto, depth, t, lg, valbuf) != 0) {
                snprintf(msg, len, "send: %s", strerror(errno));
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(valbuf);
    return rc;
}

int hb_loadgen_write_curve(const hb_loadgen *lg, const char *path)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "percentile,measured_us,corrected_us\n");
    for (int k = 0;; k++) {
        double x = log10(2.0) + 0.05 * k;
        if (x > 4.0)
            break;
        double p = 100.0 * (1.0 - pow(10.0, -x));
        fprintf(f, "%.4f,%.3f,%.3f\n", p, (double)hb_hist_percentile(&lg->measured, p) / 1e3,
                (double)hb_hist_percentile(&lg->corrected, p) / 1e3);
    }
    fprintf(f, "99.9900,%.3f,%.3f\n", (double)hb_hist_percentile(&lg->measured, 99.99) / 1e3,
            (double)hb_hist_percentile(&lg->corrected, 99.99) / 1e3);
    fprintf(f, "100,%.3f,%.3f\n", (double)lg->measured.max / 1e3, (double)lg->corrected.max / 1e3);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- statistics, on a blocking connection ---------------------------------- */
/* Reads until `done` says the answer in buf is complete; its length or -1. */
static long read_until(int fd, char *buf, size_t cap, int (*done)(const char *, size_t))
{
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
        if (r <= 0)
            return -1;
        n += (size_t)r;
        buf[n] = '\0';
        if (done(buf, n))
            return (long)n;
    }
    return -1;
}

static int resp_bulk_done(const char *b, size_t n)
{
    size_t l = line_len(b, n);
    if (l == 0)
        return 0;
    if (b[0] != '$')
        return 1;
    long bl = strtol(b + 1, NULL, 10);
    return bl < 0 || n >= l + (size_t)bl + 2;
}

static int mc_stats_done(const char *b, size_t n)
{
    return (n >= 5 && memcmp(b + n - 5, "END\r\n", 5) == 0) || (n >= 7 && memcmp(b, "ERROR", 5) == 0);
}

int64_t hb_kv_live_bytes(int fd, int proto)
{
    char buf[16384];
    const char *req = proto == HB_LG_RESP ? "*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n" : "stats\r\n";
    const char *field = proto == HB_LG_RESP ? "\nused_memory:" : "\nSTAT bytes ";
    if (fd < 0 || send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
        return -1;
    if (read_until(fd, buf, sizeof buf, proto == HB_LG_RESP ? resp_bulk_done : mc_stats_done) < 0)
        return -1;
    const char *at = strstr(buf, field);
    if (at == NULL)
        return -1;
    char *end = NULL;
    long long v = strtoll(at + strlen(field), &end, 10);
    return end == at + strlen(field) || v < 0 ? -1 : (int64_t)v;
}
