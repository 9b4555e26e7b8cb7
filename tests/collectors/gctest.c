/*
 * gctest.c: shared helpers of the collector conformance tests (see
 * gctest.h).  Everything here allocates from the process malloc, never
 * through the allocator under test.
 */
#define _GNU_SOURCE
#include "gctest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tc_state T;

void (*tc_on_finalize)(hb_gc *gc, hb_obj *self);
void (*tc_on_del)(hb_gc *gc, hb_obj *self);
void (*tc_on_free)(hb_gc *gc, hb_obj *o);

/* ---- failure and reporting ----------------------------------------------- */

static void fail_prefix(const char *file, int line)
{
    const char *base = strrchr(file, '/');
    fprintf(stderr, "FAIL %s.%s.%s: %s:%d: ", T.prefix ? T.prefix : "gc",
            T.collector ? T.collector : "?", T.casename ? T.casename : "?",
            base ? base + 1 : file, line);
    if (T.context[0] != '\0')
        fprintf(stderr, "[%s] ", T.context);
}

_Noreturn void tc_fail(const char *file, int line, const char *fmt, ...)
{
    fflush(stdout);
    fail_prefix(file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

_Noreturn void tc_fail_cond(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fflush(stdout);
    fail_prefix(file, line);
    fprintf(stderr, "`%s` is false: ", cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void tc_recorded(const char *fmt, ...)
{
    printf("recorded: %s ", T.collector);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

void tc_note(const char *fmt, ...)
{
    printf("note: %s.%s.%s: ", T.prefix, T.collector, T.casename);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

void tc_check_at(const char *file, int line)
{
    char msg[512] = "";
    if (hb_gc_check(T.gc, msg, sizeof msg) != 0)
        tc_fail(file, line, "hb_gc_check: %s", msg);
}

long tc_collect_at(const char *file, int line, int gen)
{
    long n = hb_gc_collect(T.gc, gen);
    if (n < 0)
        tc_fail(file, line, "hb_gc_collect(%d) = %ld", gen, n);
    tc_check_at(file, line);
    return n;
}

/* ---- per-id observations ----------------------------------------------------- */

typedef struct obs {
    unsigned char freed, finalized, deleted;
} obs;
static obs *g_obs;
static size_t g_obs_cap;
static uint64_t g_next_id = 1;
static size_t g_freed_total, g_fin_total, g_del_total, g_wr_freed;

static obs *obs_at(uint64_t id)
{
    if (id >= g_obs_cap) {
        size_t cap = g_obs_cap ? g_obs_cap : 1024;
        while (cap <= id)
            cap *= 2;
        obs *n = realloc(g_obs, cap * sizeof *n);
        if (n == NULL)
            TC_FAIL("out of memory (test tables)");
        memset(n + g_obs_cap, 0, (cap - g_obs_cap) * sizeof *n);
        g_obs = n;
        g_obs_cap = cap;
    }
    return &g_obs[id];
}

unsigned tc_freed(uint64_t id) { return id < g_obs_cap ? g_obs[id].freed : 0; }
unsigned tc_finalized(uint64_t id) { return id < g_obs_cap ? g_obs[id].finalized : 0; }
unsigned tc_deleted(uint64_t id) { return id < g_obs_cap ? g_obs[id].deleted : 0; }
size_t tc_freed_total(void) { return g_freed_total; }
size_t tc_finalized_total(void) { return g_fin_total; }
size_t tc_deleted_total(void) { return g_del_total; }
size_t tc_weakrefs_freed(void) { return g_wr_freed; }
uint64_t tc_next_id(void) { return g_next_id; }

/* ---- event log ------------------------------------------------------------- */

static tc_event *g_log;
static size_t g_log_n, g_log_cap;

void tc_log(char kind, uint64_t id)
{
    if (g_log_n == g_log_cap) {
        size_t cap = g_log_cap ? 2 * g_log_cap : 256;
        tc_event *n = realloc(g_log, cap * sizeof *n);
        if (n == NULL)
            TC_FAIL("out of memory (event log)");
        g_log = n;
        g_log_cap = cap;
    }
    g_log[g_log_n++] = (tc_event){kind, id};
}
size_t tc_log_len(void) { return g_log_n; }
tc_event tc_log_at(size_t i) { return i < g_log_n ? g_log[i] : (tc_event){0, 0}; }
void tc_log_clear(void) { g_log_n = 0; }
size_t tc_log_find(char kind, uint64_t id, size_t from)
{
    for (size_t i = from; i < g_log_n; i++)
        if (g_log[i].kind == kind && g_log[i].id == id)
            return i;
    return (size_t)-1;
}

/* ---- test types ---------------------------------------------------------------- */

uint64_t tc_id(hb_obj *o)
{
    if (o == NULL)
        TC_FAIL("tc_id(NULL)");
    if (!tc_is_test_type(o->type))
        TC_FAIL("tc_id: object %p has type %s, not a test type", (void *)o,
                o->type && o->type->name ? o->type->name : "?");
    if (o->nbytes < TC_NBYTES)
        TC_FAIL("tc_id: object %p has %u raw bytes, expected >= %u", (void *)o, o->nbytes, TC_NBYTES);
    uint64_t w[2];
    memcpy(w, hb_bytes(o), sizeof w);
    if (w[0] != TC_MAGIC)
        TC_FAIL("tc_id: object %p lost its magic (raw bytes overwritten or freed): %#llx",
                (void *)o, (unsigned long long)w[0]);
    return w[1];
}

static void fin_common(hb_gc *gc, hb_obj *self)
{
    if (T.closing) {
        T.close_finalizer_calls++;
        return;
    }
    uint64_t id = tc_id(self);
    obs *b = obs_at(id);
    if (b->freed)
        TC_FAIL("tp_finalize ran on object %llu after it was freed", (unsigned long long)id);
    if (!hb_is_finalized(self))
        TC_FAIL("tp_finalize of object %llu runs without HB_OF_FINALIZED set", (unsigned long long)id);
    b->finalized++;
    g_fin_total++;
    tc_log('F', id);
    if (tc_on_finalize)
        tc_on_finalize(gc, self);
}

static void del_common(hb_gc *gc, hb_obj *self)
{
    if (T.closing) {
        T.close_finalizer_calls++;
        return;
    }
    uint64_t id = tc_id(self);
    obs *b = obs_at(id);
    b->deleted++;
    g_del_total++;
    tc_log('D', id);
    if (tc_on_del)
        tc_on_del(gc, self);
}

static void trav_slots(hb_obj *self, hb_visit_fn visit, void *arg)
{
    for (uint32_t i = 0; i < self->nslots; i++)
        if (self->slots[i] != NULL)
            visit(self->slots[i], arg);
}

const hb_type tc_plain = {"tc_plain", NULL, NULL, NULL};
const hb_type tc_fin = {"tc_fin", NULL, fin_common, NULL};
const hb_type tc_legacy = {"tc_legacy", NULL, NULL, del_common};
const hb_type tc_trav = {"tc_trav", trav_slots, NULL, NULL};
const hb_type tc_travfin = {"tc_travfin", trav_slots, fin_common, NULL};

bool tc_is_test_type(const hb_type *t)
{
    return t == &tc_plain || t == &tc_fin || t == &tc_legacy || t == &tc_trav || t == &tc_travfin;
}

hb_handle tc_new_id(hb_gc *gc, const hb_type *type, uint32_t nslots, uint64_t id)
{
    hb_handle h = hb_new(gc, type, nslots, TC_NBYTES);
    if (h == HB_NO_HANDLE)
        TC_FAIL("hb_new(%s, %u slots) failed: %s", type->name, nslots, strerror(errno));
    hb_obj *o = hb_get(gc, h);
    if (o == NULL)
        TC_FAIL("hb_new returned a handle holding NULL");
    if (o->type != type || o->nslots != nslots || o->nbytes != TC_NBYTES)
        TC_FAIL("hb_new: header (type %p, nslots %u, nbytes %u) does not match the request",
                (const void *)o->type, o->nslots, o->nbytes);
    unsigned char *raw = hb_bytes(o);
    for (unsigned i = 0; i < TC_NBYTES; i++)
        if (raw[i] != 0)
            TC_FAIL("hb_new: raw byte %u is not zero", i);
    for (uint32_t i = 0; i < nslots; i++)
        if (o->slots[i] != NULL)
            TC_FAIL("hb_new: slot %u is not NULL", i);
    uint64_t w[2] = {TC_MAGIC, id};
    memcpy(raw, w, sizeof w);
    obs_at(id);
    if (id >= g_next_id)
        g_next_id = id + 1;
    return h;
}

hb_handle tc_new(hb_gc *gc, const hb_type *type, uint32_t nslots, uint64_t *id)
{
    uint64_t i = g_next_id;
    if (id)
        *id = i;
    return tc_new_id(gc, type, nslots, i);
}

static void free_hook(hb_gc *gc, hb_obj *o, void *arg)
{
    (void)arg;
    if (T.closing) {
        T.close_hook_calls++; /* documented: not called by hb_gc_close */
        return;
    }
    if (o->type == &hb_weakref_type) {
        g_wr_freed++;
        return;
    }
    if (!tc_is_test_type(o->type))
        return;
    uint64_t id = tc_id(o);
    obs *b = obs_at(id);
    if (b->freed)
        TC_FAIL("object %llu freed twice", (unsigned long long)id);
    b->freed = 1;
    g_freed_total++;
    tc_log('X', id);
    if (tc_on_free)
        tc_on_free(gc, o);
}

/* ---- counting ---------------------------------------------------------------------- */

size_t tc_live_bytes(void)
{
    hb_count_stats s;
    hb_counting_get(&T.counting, &s);
    return s.live_bytes;
}
size_t tc_peak_bytes(void)
{
    hb_count_stats s;
    hb_counting_get(&T.counting, &s);
    return s.peak_bytes;
}
void tc_reset_peak(void) { hb_counting_reset_peak(&T.counting); }

hb_gc_stats tc_stats(void)
{
    hb_gc_stats s;
    memset(&s, 0, sizeof s);
    hb_gc_get_stats(T.gc, &s);
    return s;
}

/* ---- PRNG ----------------------------------------------------------------------- */

uint64_t tc_rand(tc_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
uint64_t tc_below(tc_rng *r, uint64_t n) { return n ? tc_rand(r) % n : 0; }

/* ---- small stacks ---------------------------------------------------------------- */

struct thunk {
    void (*fn)(void *);
    void *arg;
};
static void *thunk_run(void *p)
{
    struct thunk *t = p;
    t->fn(t->arg);
    return NULL;
}

void tc_run_on_small_stack(size_t stack_bytes, void (*fn)(void *), void *arg)
{
    pthread_attr_t at;
    pthread_t th;
    struct thunk t = {fn, arg};
    if (pthread_attr_init(&at) != 0 || pthread_attr_setstacksize(&at, stack_bytes) != 0)
        TC_FAIL("pthread_attr_setstacksize(%zu) failed", stack_bytes);
    int e = pthread_create(&th, &at, thunk_run, &t);
    if (e != 0)
        TC_FAIL("pthread_create: %s", strerror(e));
    pthread_join(th, NULL);
    pthread_attr_destroy(&at);
}

/* ---- open / close / main ------------------------------------------------------------ */

/* The process malloc as an allocator instance, for sanitizer builds: the
 * libc plug-in refuses to open when libasan serves malloc (its verify), and
 * the in-process plug-ins hide their blocks from ASan.  This one lets ASan
 * see every object the collectors allocate and free. */
static void *sys_create(void) { return (void *)&T; }
static void sys_destroy(void *ctx) { (void)ctx; }
static void *sys_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n ? n : 1);
}
static void *sys_calloc(void *ctx, size_t c, size_t n)
{
    (void)ctx;
    return calloc(c ? c : 1, n ? n : 1);
}
static void *sys_realloc(void *ctx, void *p, size_t o, size_t n)
{
    (void)ctx;
    (void)o;
    if (n == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, n);
}
static void *sys_aligned(void *ctx, size_t a, size_t n)
{
    (void)ctx;
    void *p = NULL;
    int e = posix_memalign(&p, a, n ? n : 1);
    if (e != 0) {
        errno = e;
        return NULL;
    }
    return p;
}
static void sys_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    int e = errno;
    free(p);
    errno = e;
}
static size_t sys_usable(void *ctx, const void *p)
{
    (void)ctx;
    (void)p;
    return 0;
}
static int sys_stats(void *ctx, hb_alloc_stats *out)
{
    (void)ctx;
    (void)out;
    return -1;
}
static const hb_allocator_ops sys_ops = {
    "sysmalloc", "the process malloc (sanitizer builds of the tests)", HB_ALLOC_FREES, NULL,
    sys_create, sys_destroy, sys_malloc, sys_calloc, sys_realloc, sys_aligned, sys_free,
    sys_usable, sys_stats, NULL, NULL};

#if defined(__SANITIZE_ADDRESS__)
#define TC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TC_SANITIZED 1
#endif
#endif

void tc_open(const char *collector)
{
    char msg[256] = "";
    T.collector = collector;
#ifdef TC_SANITIZED
    T.base.ops = &sys_ops;
    T.base.ctx = sys_ops.create();
#else
    (void)sys_ops;
    if (hb_alloc_open(&T.base, "libc", msg, sizeof msg) != 0)
        TC_FAIL("hb_alloc_open(libc): %s", msg);
#endif
    if (hb_counting_wrap(&T.counting, &T.base, 0) != 0)
        TC_FAIL("hb_counting_wrap failed");
    if (hb_gc_open(&T.gc, collector, &T.counting, msg, sizeof msg) != 0)
        TC_FAIL("hb_gc_open(%s): %s", collector, msg);
    const hb_collector_ops *ops = hb_gc_ops(T.gc);
    if (ops == NULL || ops != hb_collector_find(collector))
        TC_FAIL("hb_gc_ops does not return the registry entry of %s", collector);
    if (ops->name == NULL || strcmp(ops->name, collector) != 0)
        TC_FAIL("hb_gc_ops(gc)->name is %s, expected %s", ops->name ? ops->name : "NULL", collector);
    T.caps = ops->caps;
    int r = hb_gc_set_free_hook(T.gc, free_hook, NULL);
    if (TC_HAS(HB_GC_FREE_HOOK)) {
        if (r != 0)
            TC_FAIL("caps say HB_GC_FREE_HOOK but hb_gc_set_free_hook = %d", r);
        T.have_hook = true;
    } else {
        if (r != -ENOTSUP)
            TC_FAIL("no HB_GC_FREE_HOOK cap but hb_gc_set_free_hook = %d, expected -ENOTSUP", r);
        T.have_hook = false;
    }
    T.baseline_live = tc_live_bytes();
    TC_CHECK();
}

void tc_close(void)
{
    if (T.gc == NULL)
        return;
    TC_CHECK();
    T.closing = true;
    hb_gc_close(T.gc);
    T.closing = false;
    T.gc = NULL;
    size_t live = tc_live_bytes();
    if (live != T.baseline_live)
        TC_FAIL("after hb_gc_close, live bytes %zu != baseline %zu: the collector leaked "
                "or freed with wrong sizes", live, T.baseline_live);
    hb_alloc_close(&T.counting);
    if (T.base.ops == &sys_ops)
        T.base.ops = NULL;
    else
        hb_alloc_close(&T.base);
}

int tc_main(int argc, char **argv, const char *prefix, const tc_case *cases, size_t ncases)
{
    T.prefix = prefix;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < ncases; i++)
            printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s COLLECTOR CASE | --list\n", argv[0]);
        return 2;
    }
    T.collector = argv[1];
    T.casename = argv[2];
    if (hb_collector_find(argv[1]) == NULL) {
        char names[256];
        fprintf(stderr, "FAIL %s.%s.%s: unknown collector (built: %s)\n", prefix, argv[1], argv[2],
                hb_collector_names(names, sizeof names));
        return 1;
    }
    for (size_t i = 0; i < ncases; i++) {
        if (strcmp(cases[i].name, argv[2]) != 0)
            continue;
        tc_open(argv[1]);
        cases[i].run(T.gc);
        tc_close();
        printf("ok %s.%s.%s\n", prefix, argv[1], argv[2]);
        free(g_obs);
        free(g_log);
        return 0;
    }
    fprintf(stderr, "FAIL %s.%s.%s: unknown case\n", prefix, argv[1], argv[2]);
    return 1;
}

/* ---- shapes ------------------------------------------------------------------- */

/* Builds a complete binary tree of `depth` in the current scope: children
 * first (edges stored bottom-up) or parent first (each parent's edges are
 * stored before its children get theirs).  Returns the root. */
hb_obj *tc_tree(hb_gc *gc, int depth, bool parent_first)
{
    hb_obj *o = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
    if (depth == 0)
        return o;
    if (parent_first) {
        hb_obj *l = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
        hb_obj *r = hb_get(gc, tc_new(gc, &tc_plain, 2, NULL));
        hb_set(gc, o, 0, l);
        hb_set(gc, o, 1, r);
        if (depth > 1) {
            hb_set(gc, l, 0, tc_tree(gc, depth - 2, true));
            hb_set(gc, l, 1, tc_tree(gc, depth - 2, true));
            hb_set(gc, r, 0, tc_tree(gc, depth - 2, true));
            hb_set(gc, r, 1, tc_tree(gc, depth - 2, true));
        }
    } else {
        hb_set(gc, o, 0, tc_tree(gc, depth - 1, false));
        hb_set(gc, o, 1, tc_tree(gc, depth - 1, false));
    }
    return o;
}

size_t tc_count_tracked(hb_gc *gc, const hb_obj *o)
{
    if (o == NULL)
        return 0;
    size_t n = hb_gc_is_tracked(gc, o) == 1;
    for (uint32_t i = 0; i < o->nslots; i++)
        n += tc_count_tracked(gc, hb_slot(o, i));
    return n;
}
