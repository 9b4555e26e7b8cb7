/*
 * pooled_check.c: hb_pooled_check, the walk that validates every invariant
 * of the pooled allocator (listed in the comment at the top of pooled.c):
 * the class table, arenas of both kinds and their free pools, the buckets,
 * the radix tree, every pool's free lists and counts, every heap's lists,
 * and the large blocks with their cache.  It stops at the first
 * violation and describes it without printf (which may allocate).  Not
 * thread-safe: call it while no other thread uses the instance.
 */
#include "pooled_internal.h"


/* Formats "pooled: WHAT (at ADDR, N)" without printf, which may allocate. */
static int fail(char *msg, size_t len, const char *what, const void *at, size_t n)
{
    char buf[160], *o = buf, *end = buf + sizeof buf - 1;
    for (const char *s = "pooled: "; *s && o < end; s++)
        *o++ = *s;
    for (const char *s = what; *s && o < end; s++)
        *o++ = *s;
    char num[40];
    int k = 0;
    for (uintptr_t v = (uintptr_t)at; k == 0 || v != 0; v >>= 4)
        num[k++] = "0123456789abcdef"[v & 15];
    for (const char *s = " (at 0x"; *s && o < end; s++)
        *o++ = *s;
    while (k > 0 && o < end)
        *o++ = num[--k];
    for (const char *s = ", "; *s && o < end; s++)
        *o++ = *s;
    for (size_t v = n; k == 0 || v != 0; v /= 10)
        num[k++] = (char)('0' + v % 10);
    while (k > 0 && o < end)
        *o++ = num[--k];
    if (o < end)
        *o++ = ')';
    *o = 0;
    if (msg != NULL && len > 0) {
        size_t m = (size_t)(o - buf) < len - 1 ? (size_t)(o - buf) : len - 1;
        memcpy(msg, buf, m);
        msg[m] = 0;
    }
    return -1;
}
#define CHECK(cond, what, at, n)                                                                                        \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            return fail(msg, msglen, (what), (at), (size_t)(n));                                                       \
    } while (0)

/* Walks one list of p's blocks, marking them in seen; the count in *n. */
static int check_list(pool *p, block *b, uint64_t *seen, size_t *n, char *msg, size_t msglen)
{
    size_t cap = capacity_of(p);
    for (*n = 0; b != NULL; b = link_get(b)) {
        uintptr_t off = (uintptr_t)b - (uintptr_t)p->start;
        CHECK(off < ((size_t)1 << p->arena->shift), "free block outside its pool", b, off);
        CHECK(off < p->nextoffset, "free block outside the carved area", b, off);
        size_t k = off / p->bsize;
        CHECK(off % p->bsize == 0, "free block not on a block boundary", b, off);
        CHECK(!(seen[k / 64] >> (k % 64) & 1), "block twice on free lists (cycle or double free)", b, k);
        seen[k / 64] |= (uint64_t)1 << (k % 64);
        CHECK(++*n <= cap, "free list longer than the pool", p, *n);
    }
    return 0;
}

static int check_pool(hb_pooled *pa, arena *a, pool *p, char *msg, size_t msglen)
{
    heap *h = pa->heaps;
    while (h != NULL && h != p->owner)
        h = h->all_next;
    CHECK(h != NULL, "pool owned by no heap of this instance", p, p->where);
    CHECK(p->where == POOL_AVAIL || p->where == POOL_FULL || p->where == POOL_CACHED, "bad pool state", p,
          p->where);
    size_t index = (size_t)(p - a->pools) + 1;
    CHECK(p->arena == a && p->start == (char *)a->base + (index << a->shift), "pool names the wrong arena", p, index);
    CHECK(p->cls < NCLASSES && p->bsize == pooled_class_size[p->cls] && kind_of_class(p->cls) == a->kind,
          "bad size class", p, p->cls);
    size_t cap = capacity_of(p);
    CHECK(cap >= 2 && cap <= POOL_SIZE / HB_MIN_ALIGN && p->maxoffset == (((size_t)1 << a->shift) / p->bsize) * p->bsize,
          "bad pool end", p, p->maxoffset);
    CHECK(p->nextoffset <= p->maxoffset && p->nextoffset % p->bsize == 0, "bad carve offset", p, p->nextoffset);
    uint64_t seen[(POOL_SIZE / HB_MIN_ALIGN + 63) / 64] = {0};
    size_t nfree, nremote;
    uintptr_t tf = atomic_load_explicit(&p->thread_free, memory_order_relaxed);
    if (check_list(p, p->free, seen, &nfree, msg, msglen) || check_list(p, (block *)(tf & ~QUEUED), seen, &nremote, msg, msglen))
        return -1;
    size_t uncarved = (p->maxoffset - p->nextoffset) / p->bsize;
    CHECK(nfree + used_of(p) + uncarved == cap, "free + used + uncarved != capacity", p, nfree + used_of(p) + uncarved);
    CHECK(nremote <= used_of(p), "more remote frees than blocks out", p, nremote);
    CHECK(!(tf & QUEUED) == (nremote == 0), "QUEUED bit disagrees with the remote list", p, nremote);
    CHECK(p->where != POOL_FULL || (nfree == 0 && uncarved == 0), "FULL pool has free blocks", p, nfree + uncarved);
    CHECK(p->where != POOL_CACHED || (used_of(p) == 0 && h->cached[p->cls] == p), "stray CACHED pool", p, used_of(p));
    CHECK(p->cls < BIG_FIRST || used_of(p) != 0, "an empty big-class pool kept by its heap", p, p->cls);
    h->chk_avail[p->cls] += p->where == POOL_AVAIL;
    h->chk_queued += (tf & QUEUED) != 0;
    return 0;
}

static int check_arena(hb_pooled *pa, arena *a, size_t *ndirty, size_t *ngranules, char *msg, size_t msglen)
{
    CHECK(a->kind < NKINDS && a->shift == shift_of_kind(a->kind) && a->npools == (arena_bytes(a->kind) >> a->shift) - 1,
          "bad arena kind", (void *)a->base, a->kind);
    CHECK((a->base & (arena_bytes(a->kind) - 1)) == 0, "arena not aligned", (void *)a->base, 0);
    /* every granule that holds pools maps to the entry that finds their
     * descriptors; a big arena's header granule maps to nothing */
    _Atomic uintptr_t *slot = pooled_radix_slot(pa, a->base, false);
    CHECK(a->base == (uintptr_t)a && slot != NULL, "radix tree misses an arena", (void *)a->base, 0);
    for (size_t g = 0; g < arena_bytes(a->kind) >> ARENA_SHIFT; g++) {
        uintptr_t e = atomic_load_explicit(slot + g, memory_order_relaxed);
        bool mapped = a->kind != KIND_BIG || g > 0;
        CHECK(e == (mapped ? radix_entry(a, g, a->shift) : 0), "radix entry of an arena granule wrong", (void *)a->base, g);
        *ngranules += mapped;
    }
    CHECK(a->nextpool <= a->npools && a->nfree <= a->npools, "bad arena counts", (void *)a->base, a->nfree);
    size_t nlist = 0;
    for (pool *p = a->freepools; p != NULL; p = p->next) {
        CHECK(++nlist <= a->nextpool, "arena free list too long", (void *)a->base, nlist);
        CHECK(p >= a->pools && p < a->pools + a->nextpool && p->where == POOL_FREE, "bad pool on arena free list", p,
              p->where);
    }
    size_t nfreestate = 0;
    for (unsigned i = 0; i < a->nextpool; i++) {
        pool *p = &a->pools[i];
        CHECK(p->start == (char *)a->base + ((size_t)(i + 1) << a->shift) && p->arena == a, "pool start wrong", p, i);
        const char *last = p->start + ((size_t)1 << a->shift) - 1; /* free's lookup finds p from its first and last byte */
        CHECK(pool_at(radix_get(pa, p->start), p->start) == p && pool_at(radix_get(pa, last), last) == p,
              "radix lookup finds the wrong descriptor", p, i);
        /* purged or never dirty: dirty_bytes 0, off the dirty list; dirty:
         * FREE, a page multiple within its pool */
        CHECK(p->dirty_bytes == 0 || (p->where == POOL_FREE && p->dirty_bytes % pa->page == 0 &&
                                      p->dirty_bytes <= ((size_t)1 << a->shift)),
              "bad dirty pool", p, p->dirty_bytes);
        CHECK(p->dirty_bytes != 0 || (p->dnext == NULL && p->dprev == NULL && pa->dirty_head != p),
              "clean pool on the dirty list", p, 0);
        *ndirty += p->dirty_bytes != 0;
        if (p->where == POOL_FREE)
            nfreestate++;
        else if (check_pool(pa, a, p, msg, msglen))
            return -1;
    }
    CHECK(nfreestate == nlist, "FREE pools missing from the arena free list", (void *)a->base, nfreestate);
    CHECK(a->nfree == nlist + a->npools - a->nextpool, "arena nfree wrong", (void *)a->base, a->nfree);
    if (a->nfree > 0) {
        arena *b = pa->bucket[a->kind][a->nfree];
        while (b != NULL && b != a)
            b = b->next;
        CHECK(b == a, "arena not in the bucket of its free-pool count", (void *)a->base, a->nfree);
    }
    return 0;
}

int hb_pooled_check(hb_pooled *pa, char *msg, size_t msglen)
{
    if (msg != NULL && msglen > 0)
        msg[0] = 0;
    size_t nheaps = 0;
    for (heap *h = pa->heaps; h != NULL; h = h->all_next) {
        CHECK(++nheaps < META_CHUNK, "heap list has a cycle", h, nheaps);
        CHECK(h->inst == pa, "heap of another instance", h, 0);
        memset(h->chk_avail, 0, sizeof h->chk_avail);
        h->chk_queued = 0;
    }
    size_t nabandoned = 0;
    for (heap *h = pa->abandoned; h != NULL; h = h->abandoned_next)
        CHECK(h->abandoned && ++nabandoned <= nheaps, "bad abandoned list", h, nabandoned);
    /* arenas, their pools, and the buckets */
    /* the class table: sizes grow, keep 16-byte alignment, and class_of maps every size to the smallest that fits */
    for (size_t c = 0; c < NCLASSES; c++)
        CHECK(pooled_class_size[c] % HB_MIN_ALIGN == 0 && (c == 0 || pooled_class_size[c] > pooled_class_size[c - 1]),
              "class sizes out of order", NULL, c);
    CHECK(pooled_class_size[NSMALL - 1] == SMALL_MAX && pooled_class_size[BIG_FIRST - 1] == MEDIUM_MAX &&
              pooled_class_size[NCLASSES - 1] == BIG_MAX,
          "class table ends wrong", NULL, NCLASSES);
    for (size_t c = 0; c < NCLASSES; c++) /* four blocks a pool at least; pool starts align every block to 16 */
        CHECK((((size_t)1 << shift_of_kind(kind_of_class(c))) / pooled_class_size[c]) >= 4 || c < NSMALL,
              "class too big for its pools", NULL, c);
    for (size_t n = 1; n <= BIG_MAX; n += n < 2048 ? 1 : n < 65536 ? 61 : 509) {
        size_t c = class_of(n);
        CHECK(c < NCLASSES && pooled_class_size[c] >= n && (c == 0 || pooled_class_size[c - 1] < n),
              "class_of maps a size to the wrong class", NULL, n);
    }
    size_t narenas = 0, nbucketed = 0, nspare[NKINDS] = {0}, ndirty = 0, ngranules = 0;
    for (arena *a = pa->all; a != NULL; a = a->all_next) {
        CHECK(++narenas <= pa->narenas, "arena list longer than the arena count", a, narenas);
        CHECK(a->all_prev == NULL ? pa->all == a : a->all_prev->all_next == a, "arena list links", a, narenas);
        if (check_arena(pa, a, &ndirty, &ngranules, msg, msglen))
            return -1;
        nbucketed += a->nfree > 0;
        nspare[a->kind] += a->nfree == a->npools;
    }
    CHECK(narenas == pa->narenas, "arena count wrong", NULL, narenas);
    /* the dirty list: every dirty pool once, oldest first, bytes summed */
    size_t nlisted = 0, dbytes = 0;
    for (pool *p = pa->dirty_head; p != NULL; p = p->dnext) {
        CHECK(++nlisted <= ndirty && p->dirty_bytes != 0, "dirty list holds a clean pool or too many", p, nlisted);
        CHECK(p->dprev == NULL ? pa->dirty_head == p : p->dprev->dnext == p && p->dprev->freed_ms <= p->freed_ms,
              "dirty list links or order", p, nlisted);
        CHECK(p->dnext != NULL || pa->dirty_tail == p, "dirty list tail", p, nlisted);
        dbytes += p->dirty_bytes;
    }
    CHECK(nlisted == ndirty && (ndirty != 0 || pa->dirty_tail == NULL), "dirty pools missing from the dirty list",
          NULL, ndirty);
    CHECK(dbytes == pa->dirty_bytes, "dirty byte count wrong", NULL, dbytes);
    for (unsigned kind = 0; kind < NKINDS; kind++) {
        CHECK(nspare[kind] == pa->nempty[kind], "empty arena count wrong", NULL, kind);
        CHECK(nspare[kind] <= pa->spare_limit[kind], "too many empty arenas kept", NULL, nspare[kind]);
        CHECK(pa->spare_limit[kind] >= spares_floor(kind) && pa->spare_limit[kind] <= SPARES_MAX,
              "spare limit out of range", NULL, pa->spare_limit[kind]);
    }
    size_t inbuckets = 0;
    for (unsigned kind = 0; kind < NKINDS; kind++)
        for (size_t k = 1; k <= ARENA_POOLS; k++) {
            arena **bk = pa->bucket[kind];
            CHECK((bk[k] != NULL) == (pa->bucket_bits[kind] >> (k - 1) & 1), "bucket bitmap wrong", NULL, k);
            for (arena *a = bk[k]; a != NULL; a = a->next) {
                CHECK(a->nfree == k && a->kind == kind, "arena in the wrong bucket", (void *)a->base, k);
                CHECK(a->prev == NULL ? bk[k] == a : a->prev->next == a, "bucket links", (void *)a->base, k);
                CHECK(++inbuckets <= nbucketed, "buckets hold more arenas than have free pools", NULL, inbuckets);
            }
        }
    CHECK(inbuckets == nbucketed, "arena with free pools missing from buckets", NULL, inbuckets);
    /* large blocks: live and cached lists against their counts and the radix tree */
    size_t nlive = 0, ncached = 0, cached_bytes = 0;
    for (large *l = pa->large_live; l != NULL; l = l->next) {
        CHECK(++nlive <= pa->nlarge, "large list longer than its count", l, nlive);
        CHECK(!l->cached && l->size != 0 && l->size % pa->page == 0 && (l->base & (ARENA_SIZE - 1)) == 0,
              "bad live large block", (void *)l->base, l->size);
        CHECK(l->prev == NULL ? pa->large_live == l : l->prev->next == l, "large list links", l, nlive);
    }
    CHECK(nlive == pa->nlarge, "large block count wrong", NULL, nlive);
    for (large *l = pa->cache_head; l != NULL; l = l->next) {
        CHECK(++ncached <= pa->ncached && ncached <= LARGE_CACHE_N, "large cache longer than its count", l, ncached);
        CHECK(l->cached && l->size != 0 && l->size % pa->page == 0 && (l->base & (ARENA_SIZE - 1)) == 0,
              "bad cached large block", (void *)l->base, l->size);
        CHECK(l->prev == NULL ? pa->cache_head == l : l->prev->next == l, "large cache links", l, ncached);
        CHECK(l->next != NULL ? l->next->freed_ms <= l->freed_ms : pa->cache_tail == l, "large cache out of order",
              l, ncached);
        cached_bytes += l->size;
    }
    CHECK(ncached == pa->ncached && cached_bytes == pa->cached_bytes && cached_bytes <= LARGE_CACHE_BYTES,
          "large cache counts wrong", NULL, cached_bytes);
    /* radix tree: exactly the live arenas and the large blocks, live or cached */
    size_t nradix = 0, nlarge_radix = 0;
    for (size_t i = 0; i < ROOT_LEN; i++) {
        _Atomic uintptr_t *leaf = (_Atomic uintptr_t *)atomic_load_explicit(&pa->root[i], memory_order_relaxed);
        for (size_t j = 0; leaf != NULL && j < LEAF_LEN; j++) {
            uintptr_t e = atomic_load_explicit(&leaf[j], memory_order_relaxed);
            if (e == 0)
                continue;
            uintptr_t gaddr = (uintptr_t)(i << LEAF_BITS | j) << ARENA_SHIFT;
            if ((e & TAG_MASK) == TAG_LARGE) {
                CHECK(large_at(e)->base == gaddr, "radix entry names another granule", (void *)gaddr, j);
                nlarge_radix++;
                continue;
            }
            /* an arena's granule: the arena that holds it, aligned to its size, names it (checked above) */
            unsigned kind = (e & TAG_MASK) == BPOOL_SHIFT ? KIND_BIG : (e & TAG_MASK) == MPOOL_SHIFT ? KIND_MEDIUM : KIND_SMALL;
            CHECK((e & TAG_MASK) == shift_of_kind(kind), "radix entry with a bad tag", (void *)gaddr, e & TAG_MASK);
            uintptr_t base = gaddr & ~(arena_bytes(kind) - 1);
            CHECK(e == radix_entry((arena *)base, (gaddr - base) >> ARENA_SHIFT, (unsigned)(e & TAG_MASK)),
                  "radix entry names another granule", (void *)gaddr, j);
            nradix++;
        }
    }
    CHECK(nradix == ngranules, "radix tree maps arenas that are gone", NULL, nradix);
    CHECK(nlarge_radix == nlive + ncached, "radix tree and large blocks disagree", NULL, nlarge_radix);
    /* heaps: lists against the tallies of the pools */
    for (heap *h = pa->heaps; h != NULL; h = h->all_next) {
        for (size_t c = 0; c < NCLASSES; c++) {
            size_t n = 0;
            for (pool *p = h->avail[c], *prev = NULL; p != &pooled_empty_pool; prev = p, p = p->next ? p->next : &pooled_empty_pool) {
                CHECK(++n <= pa->narenas * ARENA_POOLS, "avail list has a cycle", h, c);
                CHECK(p->where == POOL_AVAIL && p->owner == h && p->cls == c, "bad pool on an avail list", p, c);
                CHECK(p->prev == prev, "avail list links", p, c);
                CHECK(used_of(p) != 0 || (prev == NULL && h->cached[c] == NULL), "more than one empty pool kept", p, c);
            }
            CHECK(n == h->chk_avail[c], "AVAIL pool missing from its avail list", h, c);
            pool *last = h->avail[c];
            while (last != &pooled_empty_pool && last->next != NULL)
                last = last->next;
            CHECK(h->avail_tail[c] == (last == &pooled_empty_pool ? NULL : last), "avail list tail wrong", h, c);
            pool *q = h->cached[c];
            CHECK(q == NULL || (q->where == POOL_CACHED && q->owner == h && q->cls == c), "bad cached pool", q, c);
        }
        size_t nq = 0;
        for (pool *p = atomic_load_explicit(&h->remote, memory_order_relaxed); p != NULL; p = p->next_remote) {
            CHECK(++nq <= h->chk_queued, "remote list longer than the QUEUED pools", h, nq);
            CHECK(p->owner == h && (atomic_load_explicit(&p->thread_free, memory_order_relaxed) & QUEUED),
                  "bad pool on a remote list", p, nq);
        }
        CHECK(nq == h->chk_queued, "QUEUED pool missing from its remote list", h, nq);
    }
    return 0;
}
#undef CHECK
