/*
 * builtin.h: the internal API of heapbench's own allocators (naive, pooled,
 * bump), shared by their plug-in ops and the drop-in libraries (dropin.c).
 * Not a public header: workloads and collectors use
 * allocator.h.
 *
 * Rules for code behind this header: it gets memory from the OS only (mmap),
 * never calls malloc or anything that may call it (the drop-in build *is*
 * malloc), never prints, never exits.  Errors are NULL with errno set.
 */
#ifndef HB_BUILTIN_H
#define HB_BUILTIN_H

#include <stddef.h>

/* Alignment of every block of the built-in allocators: alignof(max_align_t). */
#define HB_MIN_ALIGN 16

/* ---- naive (naive.c): first-fit free list, boundary tags, coalescing ------ */
typedef struct hb_naive hb_naive;
hb_naive *hb_naive_create(void);
void hb_naive_destroy(hb_naive *h);
void *hb_naive_malloc(hb_naive *h, size_t size);
void *hb_naive_calloc(hb_naive *h, size_t count, size_t size);
void *hb_naive_realloc(hb_naive *h, void *p, size_t size);   /* size 0: frees, returns NULL */
void *hb_naive_aligned(hb_naive *h, size_t align, size_t size); /* align: power of two >= 8 */
void hb_naive_free(hb_naive *h, void *p);
size_t hb_naive_usable_size(hb_naive *h, const void *p);
int hb_naive_owns(hb_naive *h, const void *p);
int hb_naive_check(hb_naive *h, char *msg, size_t msglen);
void hb_naive_stats(hb_naive *h, size_t *mapped, size_t *in_use, size_t *live);
/* fork safety: take every lock before fork, release (parent) or reset (child) after */
void hb_naive_fork_prepare(hb_naive *h);
void hb_naive_fork_parent(hb_naive *h);
void hb_naive_fork_child(hb_naive *h);

/* ---- pooled (pooled.c): obmalloc-style pools, per-thread heaps ----------- */
/* Every size and alignment: small and medium classes in pools, large blocks
 * in their own mappings; no fallback to another allocator. */
typedef struct hb_pooled hb_pooled;
hb_pooled *hb_pooled_create(void);
void hb_pooled_destroy(hb_pooled *h);
void *hb_pooled_malloc(hb_pooled *h, size_t size);
void *hb_pooled_calloc(hb_pooled *h, size_t count, size_t size);
void *hb_pooled_realloc(hb_pooled *h, void *p, size_t size);   /* size 0: frees, returns NULL */
void *hb_pooled_aligned(hb_pooled *h, size_t align, size_t size);
void hb_pooled_free(hb_pooled *h, void *p);
size_t hb_pooled_usable_size(hb_pooled *h, const void *p);
int hb_pooled_owns(hb_pooled *h, const void *p); /* is p inside one of pooled's arenas or live large blocks */
int hb_pooled_check(hb_pooled *h, char *msg, size_t msglen);
void hb_pooled_stats(hb_pooled *h, size_t *mapped, size_t *in_use, size_t *live);
/* Gives back the pages of free pools now: those past the purge delay, or with
 * all != 0 (tests' zero-delay hook) every one, and then the spare arenas but
 * one of each kind and the whole large-block cache.  Returns the bytes
 * madvised since the instance was made; *dirty (if not NULL): bytes still
 * waiting. */
size_t hb_pooled_purge(hb_pooled *h, int all, size_t *dirty);
void hb_pooled_fork_prepare(hb_pooled *h);
void hb_pooled_fork_parent(hb_pooled *h);
void hb_pooled_fork_child(hb_pooled *h);

#endif
