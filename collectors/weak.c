/*
 * weak.c: weak links, weak reference objects and weak-value maps.
 *
 * Core-kept links (every collector but boehm): each weakly referenced
 * object has HB_OF_WEAKREFS set and an entry in the weak table (open
 * addressing, linear probing, backward-shift deletion: no tombstones)
 * mapping it to the head of a doubly-linked list of its live links.  A
 * cleared link has target 0 and is on no list.  Collectors call
 * hb__weak_clear for each dying object before any finalizer of the same
 * trash runs; callbacks are queued and run afterwards.
 *
 * A weak-value map is an open-addressing table of entry pointers keyed by
 * uint64.  Its entries never move except when hb_wvmap_set grows or
 * compacts it, so clearing (which only marks an entry dead and decrements
 * `len`) keeps an iteration's cursor valid.  `len` counts live entries.
 */
#include "internal.h"

#include <stdlib.h>

/* ---- the weak table ----------------------------------------------------------------- */

static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static struct hb_weakent *tab_find(hb_weaktab *t, const hb_obj *key)
{
    if (t->cap == 0)
        return NULL;
    size_t m = t->cap - 1;
    for (size_t i = ptr_hash(key) & m;; i = (i + 1) & m) {
        if (t->e[i].key == key)
            return &t->e[i];
        if (t->e[i].key == NULL)
            return NULL;
    }
}

static int tab_grow(hb_weaktab *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct hb_weakent *e = calloc(cap, sizeof *e);
    if (e == NULL)
        return -ENOMEM;
    for (size_t j = 0; j < t->cap; j++) {
        if (t->e[j].key == NULL)
            continue;
        size_t i = ptr_hash(t->e[j].key) & (cap - 1);
        while (e[i].key != NULL)
            i = (i + 1) & (cap - 1);
        e[i] = t->e[j];
    }
    free(t->e);
    t->e = e;
    t->cap = cap;
    return 0;
}

static struct hb_weakent *tab_insert(hb_weaktab *t, hb_obj *key)
{
    if ((t->n + 1) * 4 > t->cap * 3 && tab_grow(t) != 0)
        return NULL;
    size_t m = t->cap - 1, i = ptr_hash(key) & m;
    while (t->e[i].key != NULL)
        i = (i + 1) & m;
    t->e[i].key = key;
    t->e[i].head = NULL;
    t->n++;
    return &t->e[i];
}

static void tab_remove(hb_weaktab *t, struct hb_weakent *ent)
{
    size_t m = t->cap - 1, i = (size_t)(ent - t->e);
    t->e[i].key = NULL;
    t->n--;
    /* Backward shift: move later entries of the cluster into the hole. */
    for (size_t j = (i + 1) & m; t->e[j].key != NULL; j = (j + 1) & m) {
        size_t home = ptr_hash(t->e[j].key) & m;
        /* j may move to i when home is not in (i, j] cyclically. */
        bool between = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!between) {
            t->e[i] = t->e[j];
            t->e[j].key = NULL;
            i = j;
        }
    }
}

void hb__weaktab_free(hb_weaktab *t)
{
    free(t->e);
    t->e = NULL;
    t->n = t->cap = 0;
}

/* ---- links -------------------------------------------------------------------------- */

int hb__weak_attach(hb_gc *gc, hb_weaklink *l, hb_obj *target)
{
    l->next = l->prev = NULL;
    if (gc->ops->weak_register != NULL)
        return gc->ops->weak_register(gc->ctx, &l->target, target);
    struct hb_weakent *e = (target->gc & HB_OF_WEAKREFS) ? tab_find(&gc->weak, target) : NULL;
    if (e == NULL) {
        e = tab_insert(&gc->weak, target);
        if (e == NULL)
            return -ENOMEM;
        target->gc |= HB_OF_WEAKREFS;
    }
    l->target = (uintptr_t)target;
    l->next = e->head;
    if (e->head != NULL)
        e->head->prev = l;
    e->head = l;
    return 0;
}

void hb__weak_detach(hb_gc *gc, hb_weaklink *l)
{
    if (gc->ops->weak_unregister != NULL) {
        gc->ops->weak_unregister(gc->ctx, &l->target);
        l->target = 0;
        return;
    }
    if (l->target == 0)
        return;
    hb_obj *target = (hb_obj *)l->target;
    l->target = 0;
    if (l->prev != NULL) {
        l->prev->next = l->next;
    } else {
        struct hb_weakent *e = tab_find(&gc->weak, target);
        e->head = l->next;
        if (e->head == NULL) {
            tab_remove(&gc->weak, e);
            target->gc &= ~(uintptr_t)HB_OF_WEAKREFS;
        }
    }
    if (l->next != NULL)
        l->next->prev = l->prev;
    l->next = l->prev = NULL;
}

hb_obj *hb__weak_read(hb_gc *gc, const hb_weaklink *l)
{
    if (gc->ops->weak_read != NULL)
        return gc->ops->weak_read(gc->ctx, &l->target);
    return (hb_obj *)l->target;
}

size_t hb__weak_clear(hb_gc *gc, hb_obj *target, uintptr_t mask, uintptr_t want)
{
    struct hb_weakent *e = tab_find(&gc->weak, target);
    target->gc &= ~(uintptr_t)HB_OF_WEAKREFS;
    if (e == NULL)
        return 0;
    hb_weaklink *l = e->head;
    tab_remove(&gc->weak, e);
    size_t n = 0;
    while (l != NULL) {
        hb_weaklink *next = l->next;
        l->target = 0;
        l->next = l->prev = NULL;
        n++;
        if (l->map != NULL) {
            hb__wvmap_entry_died(l);
        } else if (l->cb != NULL && !(mask != 0 && (l->wr->gc & mask) == want)) {
            if (hb__vec_push(&gc->cbq, l->wr) == 0)
                hb__retain(gc, l->wr);
        }
        l = next;
    }
    gc->st.weakrefs_cleared += n;
    return n;
}

void hb__weak_run_callbacks(hb_gc *gc)
{
    while (gc->cbq.n > 0) {
        hb_obj *wr = gc->cbq.v[--gc->cbq.n];
        hb_weaklink *l = (hb_weaklink *)hb_bytes(wr);
        hb_scope s = hb_scope_enter(gc);
        l->cb(gc, wr, l->arg);
        hb_scope_leave(gc, s);
        hb__release(gc, wr);
    }
}

int hb__weak_check(hb_gc *gc, char *msg, size_t len)
{
    hb_weaktab *t = &gc->weak;
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++) {
        struct hb_weakent *e = &t->e[i];
        if (e->key == NULL)
            continue;
        n++;
        if (!(e->key->gc & HB_OF_WEAKREFS))
            return hb__fail(msg, len, "weak table: %p lacks HB_OF_WEAKREFS", (void *)e->key);
        if (e->head == NULL || e->head->prev != NULL)
            return hb__fail(msg, len, "weak table: bad list head for %p", (void *)e->key);
        if (tab_find(t, e->key) != e)
            return hb__fail(msg, len, "weak table: %p not found by lookup", (void *)e->key);
        for (hb_weaklink *l = e->head; l != NULL; l = l->next) {
            if (l->target != (uintptr_t)e->key)
                return hb__fail(msg, len, "weak link %p: target %p, on the list of %p",
                                (void *)l, (void *)l->target, (void *)e->key);
            if (l->next != NULL && l->next->prev != l)
                return hb__fail(msg, len, "weak link %p: next->prev broken", (void *)l);
            if ((l->wr == NULL) == (l->map == NULL))
                return hb__fail(msg, len, "weak link %p: neither or both of wr/map", (void *)l);
        }
    }
    if (n != t->n)
        return hb__fail(msg, len, "weak table: %zu entries, count says %zu", n, t->n);
    return 0;
}

/* ---- weak reference objects ---------------------------------------------------------- */

const hb_type hb_weakref_type = {"weakref", NULL, NULL, NULL};

hb_handle hb_weakref_new(hb_gc *gc, hb_obj *target, hb_weakref_cb cb, void *arg)
{
    if (target == NULL) {
        errno = EINVAL;
        return HB_NO_HANDLE;
    }
    if (cb != NULL && !(gc->ops->caps & HB_GC_WEAK_CALLBACKS)) {
        errno = ENOTSUP;
        return HB_NO_HANDLE;
    }
    /* The target must survive the allocation: root it meanwhile. */
    hb_scope s = hb_scope_enter(gc);
    if (hb_push(gc, target) == HB_NO_HANDLE)
        return HB_NO_HANDLE;
    hb_handle h = hb_new(gc, &hb_weakref_type, 0, (uint32_t)sizeof(hb_weaklink));
    if (h == HB_NO_HANDLE) {
        hb_scope_leave(gc, s);
        errno = ENOMEM;
        return HB_NO_HANDLE;
    }
    hb_obj *wr = hb_get(gc, h);
    hb_weaklink *l = (hb_weaklink *)hb_bytes(wr);
    l->wr = wr;
    l->cb = cb;
    l->arg = arg;
    if (hb__weak_attach(gc, l, target) != 0) {
        hb_scope_leave(gc, s);
        errno = ENOMEM;
        return HB_NO_HANDLE;
    }
    wr->gc |= HB_OF_WEAKREF;
    return hb_scope_leave_keep(gc, s, h);
}

hb_obj *hb_weakref_get(hb_gc *gc, hb_obj *wr)
{
    if (wr == NULL || !(wr->gc & HB_OF_WEAKREF))
        return NULL;
    return hb__weak_read(gc, (hb_weaklink *)hb_bytes(wr));
}

long hb_weakref_count(hb_gc *gc, const hb_obj *o)
{
    if (gc->ops->weak_register != NULL)
        return -ENOTSUP;
    if (!(o->gc & HB_OF_WEAKREFS))
        return 0;
    struct hb_weakent *e = tab_find(&gc->weak, o);
    long n = 0;
    for (hb_weaklink *l = e ? e->head : NULL; l != NULL; l = l->next)
        n++;
    return n;
}

/* ---- weak-value maps ----------------------------------------------------------------- */

typedef struct wv_entry {
    uint64_t key;
    bool live;          /* false: its value died, or it was deleted */
    hb_weaklink link;
} wv_entry;

#define WV_TOMB ((wv_entry *)1)

struct hb_wvmap {
    hb_gc *gc;
    wv_entry **e;       /* NULL: empty; WV_TOMB: deleted; else an entry (maybe dead) */
    size_t cap;         /* 0 or a power of two */
    size_t used;        /* slots not NULL (entries and tombstones) */
    size_t len;         /* live entries */
};

static size_t key_hash(uint64_t k)
{
    k ^= k >> 31;
    k *= 0x7fb5d329728ea185ULL;
    k ^= k >> 27;
    return (size_t)k;
}

hb_wvmap *hb_wvmap_new(hb_gc *gc)
{
    hb_wvmap *m = calloc(1, sizeof *m);
    if (m == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    m->gc = gc;
    return m;
}

/* A collector that keeps links itself clears them silently: notice it. */
static void entry_sync(hb_wvmap *m, wv_entry *en)
{
    if (en->live && m->gc->ops->weak_read != NULL && hb__weak_read(m->gc, &en->link) == NULL) {
        en->live = false;
        m->len--;
    }
}

void hb__wvmap_entry_died(hb_weaklink *l)
{
    wv_entry *en = (wv_entry *)((char *)l - offsetof(wv_entry, link));
    if (en->live) {
        en->live = false;
        l->map->len--;
    }
}

static void entry_free(hb_wvmap *m, wv_entry *en)
{
    if (en->live || en->link.target != 0)
        hb__weak_detach(m->gc, &en->link);
    free(en);
}

void hb_wvmap_free(hb_wvmap *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i] != NULL && m->e[i] != WV_TOMB)
            entry_free(m, m->e[i]);
    free(m->e);
    free(m);
}

/* Rebuilds the table with room for more, dropping dead entries. */
static int wv_rehash(hb_wvmap *m)
{
    size_t cap = 16;
    while (cap * 3 < (m->len + 1) * 4 * 2)
        cap *= 2;
    wv_entry **e = calloc(cap, sizeof *e);
    if (e == NULL)
        return -ENOMEM;
    size_t used = 0;
    for (size_t j = 0; j < m->cap; j++) {
        wv_entry *en = m->e[j];
        if (en == NULL || en == WV_TOMB)
            continue;
        entry_sync(m, en);
        if (!en->live) {
            entry_free(m, en);
            continue;
        }
        size_t i = key_hash(en->key) & (cap - 1);
        while (e[i] != NULL)
            i = (i + 1) & (cap - 1);
        e[i] = en;
        used++;
    }
    free(m->e);
    m->e = e;
    m->cap = cap;
    m->used = used;
    return 0;
}

static wv_entry **wv_find(hb_wvmap *m, uint64_t key)
{
    if (m->cap == 0)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = key_hash(key) & mask;; i = (i + 1) & mask) {
        wv_entry *en = m->e[i];
        if (en == NULL)
            return NULL;
        if (en != WV_TOMB && en->key == key)
            return &m->e[i];
    }
}

int hb_wvmap_set(hb_wvmap *m, uint64_t key, hb_obj *value)
{
    if (value == NULL)
        return -EINVAL;
    wv_entry **slot = wv_find(m, key);
    if (slot != NULL) { /* replace: drop the old entry */
        wv_entry *old = *slot;
        *slot = WV_TOMB;
        entry_sync(m, old);
        if (old->live)
            m->len--;
        entry_free(m, old);
    }
    if ((m->used + 1) * 4 > m->cap * 3 && wv_rehash(m) != 0)
        return -ENOMEM;
    wv_entry *en = calloc(1, sizeof *en);
    if (en == NULL)
        return -ENOMEM;
    en->key = key;
    en->link.map = m;
    if (hb__weak_attach(m->gc, &en->link, value) != 0) {
        free(en);
        return -ENOMEM;
    }
    en->live = true;
    size_t mask = m->cap - 1, i = key_hash(key) & mask;
    while (m->e[i] != NULL && m->e[i] != WV_TOMB)
        i = (i + 1) & mask;
    if (m->e[i] == NULL)
        m->used++;
    m->e[i] = en;
    m->len++;
    return 0;
}

hb_obj *hb_wvmap_get(hb_wvmap *m, uint64_t key)
{
    wv_entry **slot = wv_find(m, key);
    if (slot == NULL)
        return NULL;
    entry_sync(m, *slot);
    return (*slot)->live ? hb__weak_read(m->gc, &(*slot)->link) : NULL;
}

int hb_wvmap_del(hb_wvmap *m, uint64_t key)
{
    wv_entry **slot = wv_find(m, key);
    if (slot == NULL)
        return -ENOENT;
    wv_entry *en = *slot;
    entry_sync(m, en);
    bool was_live = en->live;
    *slot = WV_TOMB;
    if (was_live)
        m->len--;
    entry_free(m, en);
    return was_live ? 0 : -ENOENT;
}

size_t hb_wvmap_len(hb_wvmap *m)
{
    if (m->gc->ops->weak_read != NULL)
        for (size_t i = 0; i < m->cap; i++)
            if (m->e[i] != NULL && m->e[i] != WV_TOMB)
                entry_sync(m, m->e[i]);
    return m->len;
}

bool hb_wvmap_next(hb_wvmap *m, size_t *cursor, uint64_t *key, hb_obj **value)
{
    for (size_t i = *cursor; i < m->cap; i++) {
        wv_entry *en = m->e[i];
        if (en == NULL || en == WV_TOMB)
            continue;
        entry_sync(m, en);
        if (!en->live)
            continue;
        *cursor = i + 1;
        if (key != NULL)
            *key = en->key;
        if (value != NULL)
            *value = hb__weak_read(m->gc, &en->link);
        return true;
    }
    *cursor = m->cap;
    return false;
}
