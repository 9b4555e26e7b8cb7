/*
 * boehm.c: the Boehm-Demers-Weiser conservative collector (libgc) as a
 * plug-in: the external anchor.  It owns its heap: objects come from
 * GC_MALLOC (GC_MALLOC_IGNORE_OFF_PAGE for big ones, which are only ever
 * pointed to at their start), and the allocator given to hb_gc_open is
 * only recorded.
 *
 * Roots: the shadow stack lives in a reserved mapping whose used part is
 * registered with GC_add_roots (roots_realloc), which libgc scans; popped
 * entries are NULL, so they keep nothing alive.  Weak links are disappearing links holding a hidden
 * pointer (GC_HIDE_POINTER), cleared by libgc when their target becomes
 * unreachable, before any finalizer that could see it runs.  Finalizers
 * (tp_finalize, and tp_del alike) are GC_register_finalizer ones: run in
 * topological order, at most once (libgc drops the registration), and a
 * cycle of finalizable objects is never finalized nor freed: libgc's
 * documented behaviour.  Finalizers run on demand (GC_set_finalize_on_demand):
 * after an explicit collection and before an allocation once libgc has some
 * ready, never inside libgc.
 *
 * Pauses come from GC_set_on_collection_event: stop-world to start-world
 * (or START to END when libgc reports no world stop).  libgc's callback is
 * process-wide, so one boehm instance at a time is open.  Not offered
 * (-ENOTSUP): thresholds, counts, freeze, free hook, weak reference
 * callbacks, the garbage list; collect returns 0 (libgc counts no objects).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "internal.h"

#define GC_THREADS /* thread registration API */
#include <gc.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#define BW_BIG ((size_t)64 << 10) /* from here, GC_MALLOC_IGNORE_OFF_PAGE */

typedef struct bw_ctx {
    hb_gc *gc;
    GC_word gc_no0;    /* GC_get_gc_no() at open */
    bool disabled;     /* libgc's state, synced with gc->enabled */
    uint64_t t_start;  /* GC_EVENT_START */
    uint64_t t_stw;    /* GC_EVENT_PRE_STOP_WORLD */
    bool saw_stw;
    pthread_t owner;    /* the thread that last used the instance */
    char *roots;        /* the shadow stack's reserved mapping */
    size_t roots_bytes; /* registered with GC_add_roots: [roots, roots + roots_bytes) */
} bw_ctx;

static bw_ctx *current; /* libgc's event callback is process-wide */

/*
 * An instance is used by one thread at a time, not necessarily the one
 * that opened it; libgc only collects from threads it knows.  A thread is
 * registered on its first call (hb_new, collect) and unregistered when it
 * exits, by a thread-specific key's destructor.
 */
static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_exit(void *v)
{
    (void)v;
    GC_unregister_my_thread();
}

static void thread_key_init(void) { pthread_key_create(&thread_key, thread_exit); }

static void ensure_thread(bw_ctx *c)
{
    pthread_t self = pthread_self();
    if (pthread_equal(self, c->owner))
        return;
    c->owner = self;
    if (GC_thread_is_registered())
        return;
    struct GC_stack_base sb;
    if (GC_get_stack_base(&sb) == GC_SUCCESS && GC_register_my_thread(&sb) == GC_SUCCESS)
        pthread_setspecific(thread_key, c);
}

static void GC_CALLBACK on_event(GC_EventType e)
{
    bw_ctx *c = current;
    if (c == NULL)
        return;
    /* Every event: in incremental mode a collection may finish without an
     * END event of its own. */
    c->gc->st.gen[0].collections = (uint64_t)(GC_get_gc_no() - c->gc_no0);
    switch (e) {
    case GC_EVENT_START:
        c->t_start = hb__now_ns();
        c->saw_stw = false;
        break;
    case GC_EVENT_PRE_STOP_WORLD:
        c->t_stw = hb__now_ns();
        c->saw_stw = true;
        break;
    case GC_EVENT_POST_START_WORLD:
        if (c->saw_stw) {
            uint64_t t = hb__now_ns();
            hb__pause_record(c->gc, c->t_stw, t - c->t_stw, 0);
        }
        break;
    case GC_EVENT_END:
        if (!c->saw_stw) {
            uint64_t t = hb__now_ns();
            hb__pause_record(c->gc, c->t_start, t - c->t_start, 0);
        }
        c->gc->st.gen[0].collections = (uint64_t)(GC_get_gc_no() - c->gc_no0);
        c->gc->st.live_bytes = GC_get_heap_size() - GC_get_free_bytes();
        break;
    default:
        break;
    }
}

static void sync_enabled(bw_ctx *c)
{
    if (c->gc->enabled == !c->disabled)
        return;
    if (c->gc->enabled)
        GC_enable();
    else
        GC_disable();
    c->disabled = !c->gc->enabled;
}

static void GC_CALLBACK bw_finalize(void *obj, void *cd)
{
    bw_ctx *c = cd;
    hb_obj *o = obj;
    if (o->type->tp_finalize != NULL)
        hb__run_finalizer(c->gc, o, false);
    if (o->type->tp_del != NULL)
        hb__run_finalizer(c->gc, o, true);
}

static void run_finalizers(bw_ctx *c)
{
    if (!c->gc->collecting && GC_should_invoke_finalizers())
        GC_invoke_finalizers();
}

static hb_obj *bw_new(void *ctx, const hb_type *t, uint32_t nslots, uint32_t nbytes)
{
    bw_ctx *c = ctx;
    size_t size = hb_obj_size(nslots, nbytes);
    ensure_thread(c);
    sync_enabled(c);
    run_finalizers(c);
    hb_obj *o = size >= BW_BIG ? GC_MALLOC_IGNORE_OFF_PAGE(size) : GC_MALLOC(size);
    if (o == NULL)
        return NULL;
    /* GC_MALLOC memory is zeroed: links and refcnt stay 0. */
    o->type = t;
    o->nslots = nslots;
    o->nbytes = nbytes;
    if (t->tp_finalize != NULL || t->tp_del != NULL)
        GC_REGISTER_FINALIZER(o, bw_finalize, c, NULL, NULL);
    c->gc->st.allocated++;
    return o;
}

static long bw_collect(void *ctx, int generation)
{
    bw_ctx *c = ctx;
    (void)generation;
    ensure_thread(c);
    sync_enabled(c);
    /* An explicit collection runs even when automatic ones are off; libgc's
     * GC_disable would make GC_gcollect a no-op. */
    if (c->disabled)
        GC_enable();
    GC_gcollect();
    if (c->disabled)
        GC_disable();
    /* Finalizers run with gc->collecting still set: a collection they ask
     * for is a no-op, as with the other collectors. */
    if (GC_should_invoke_finalizers())
        GC_invoke_finalizers();
    return 0;
}

/*
 * The shadow stack lives in one reserved mapping that never moves; the part
 * in use is registered with GC_add_roots as it grows, and only removed at
 * close.  (Tried first and dropped: GC_MALLOC_UNCOLLECTABLE blocks freed on
 * growth, whose memory libgc went on treating as marked when it reused it,
 * and a malloc'd block re-registered on each growth, which GC_remove_roots
 * does not always take back once libgc merged adjacent ranges: both pinned
 * dropped objects forever.)
 */
#define BW_ROOTS_RESERVE ((size_t)1 << 30) /* 128 Mi handles */

static void *bw_roots_realloc(void *ctx, void *p, size_t old_bytes, size_t new_bytes)
{
    bw_ctx *c = ctx;
    if (c->roots == NULL) {
        void *m = mmap(NULL, BW_ROOTS_RESERVE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        c->roots = m;
    }
    if (new_bytes > BW_ROOTS_RESERVE || (p != NULL && p != c->roots))
        return NULL;
    if (new_bytes > old_bytes)
        GC_add_roots(c->roots + old_bytes, c->roots + new_bytes);
    c->roots_bytes = new_bytes;
    return c->roots;
}

static int bw_weak_register(void *ctx, uintptr_t *link, hb_obj *target)
{
    (void)ctx;
    *link = (uintptr_t)GC_HIDE_POINTER(target);
    int r = GC_general_register_disappearing_link((void **)link, target);
    if (r == GC_SUCCESS || r == GC_DUPLICATE)
        return 0;
    *link = 0;
    return -ENOMEM;
}

static void bw_weak_unregister(void *ctx, uintptr_t *link)
{
    (void)ctx;
    if (*link != 0)
        GC_unregister_disappearing_link((void **)link);
    *link = 0;
}

static hb_obj *bw_weak_read(void *ctx, const uintptr_t *link)
{
    (void)ctx;
    uintptr_t v = *link;
    return v != 0 ? (hb_obj *)GC_REVEAL_POINTER(v) : NULL;
}

static void *bw_open(hb_gc *gc, bool incremental, char *msg, size_t len)
{
    if (current != NULL) {
        hb__fail(msg, len, "boehm: only one instance at a time (libgc is process-wide)");
        return NULL;
    }
    GC_INIT();
    if (incremental)
        GC_enable_incremental(); /* for the rest of the process: each run is one */
    GC_allow_register_threads();
    pthread_once(&thread_once, thread_key_init);
    GC_set_warn_proc(GC_ignore_warn_proc); /* plug-ins never print */
    bw_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        hb__fail(msg, len, "boehm: out of memory");
        return NULL;
    }
    c->gc = gc;
    c->owner = pthread_self();
    c->gc_no0 = GC_get_gc_no();
    GC_set_finalize_on_demand(1);
    GC_set_on_collection_event(on_event);
    current = c;
    return c;
}

static void *bw_create(hb_gc *gc, char *msg, size_t len) { return bw_open(gc, false, msg, len); }

static void *bw_create_incremental(hb_gc *gc, char *msg, size_t len)
{
    return bw_open(gc, true, msg, len);
}

static void bw_destroy(void *ctx)
{
    bw_ctx *c = ctx;
    if (c->roots != NULL) {
        GC_remove_roots(c->roots, c->roots + c->roots_bytes);
        munmap(c->roots, BW_ROOTS_RESERVE);
    }
    c->gc->roots.handles = NULL;
    c->gc->roots.cap = 0;
    GC_set_on_collection_event(0);
    if (c->disabled)
        GC_enable();
    current = NULL;
    free(c);
}

static int bw_check(void *ctx, char *msg, size_t len)
{
    bw_ctx *c = ctx;
    hb_gc *gc = c->gc;
    for (size_t i = 0; i < gc->roots.nhandles; i++) {
        hb_obj *o = gc->roots.handles[i];
        if (o != NULL && GC_base(o) != o)
            return hb__fail(msg, len, "handle %zu: %p is not the start of a libgc object", i,
                            (void *)o);
        if (o != NULL)
            for (uint32_t s = 0; s < o->nslots; s++)
                if (o->slots[s] != NULL && GC_base(o->slots[s]) != o->slots[s])
                    return hb__fail(msg, len, "object %p slot %u: %p is not a libgc object",
                                    (void *)o, s, (void *)o->slots[s]);
    }
    return 0;
}

const hb_collector_ops hb_boehm_ops = {
    .name = "boehm",
    .summary = "Boehm-Demers-Weiser conservative mark-sweep (libgc): the external anchor; owns its heap",
    .caps = HB_GC_CYCLES | HB_GC_FINALIZERS | HB_GC_WEAKREFS | HB_GC_OWN_HEAP | HB_GC_TRACING |
            HB_GC_CONSERVATIVE,
    .generations = 1,
    .create = bw_create,
    .destroy = bw_destroy,
    .new_obj = bw_new,
    .collect = bw_collect,
    .roots_realloc = bw_roots_realloc,
    .weak_register = bw_weak_register,
    .weak_unregister = bw_weak_unregister,
    .weak_read = bw_weak_read,
    .check = bw_check,
};

/* The same plug-in with libgc's incremental mode (GC_enable_incremental):
 * marking is done a little at a time by allocations, dirty pages found by
 * write-protecting the heap (or the kernel's soft-dirty bits), and only the
 * final phase stops the world.  Its pauses are those stops; the steps of
 * marking run inside GC_MALLOC and count as mutator time here, as they do
 * for a program that uses libgc. */
const hb_collector_ops hb_boehm_incremental_ops = {
    .name = "boehm-incremental",
    .summary = "libgc in its incremental mode (GC_enable_incremental: marking in steps, dirty bits): "
               "the low-pause anchor",
    .caps = HB_GC_CYCLES | HB_GC_FINALIZERS | HB_GC_WEAKREFS | HB_GC_OWN_HEAP | HB_GC_TRACING |
            HB_GC_CONSERVATIVE,
    .generations = 1,
    .create = bw_create_incremental,
    .destroy = bw_destroy,
    .new_obj = bw_new,
    .collect = bw_collect,
    .roots_realloc = bw_roots_realloc,
    .weak_register = bw_weak_register,
    .weak_unregister = bw_weak_unregister,
    .weak_read = bw_weak_read,
    .check = bw_check,
};
