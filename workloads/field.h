/*
 * field.h: what the field workloads share (field.c): the trash tag that
 * makes gc_trash_* exact, and the end-of-run check of its accounting.
 *
 * The field workloads (surprise-link, trash-stream, request-cycles,
 * ast-build, docs-build, old-never) each model one public report of a
 * cycle collector keeping garbage too long.  Every structure a field
 * workload drops (a ring, a list, a request's objects, a module's tree) has
 * one *tag*: an object with no slots and a PEP 442 finalizer, referred to
 * by one member of the structure and by nothing else.  Dropping the
 * structure calls hb_fld_drop, which writes the structure's size (objects,
 * bytes, the tag included) into the tag and counts it with
 * hb_wl_trash_drop; the tag's finalizer, which runs when the structure is
 * freed, counts it back with hb_wl_trash_freed.  So the trash gauge is the
 * exact number of objects the workload made unreachable and the collector
 * has not yet freed.
 *
 * A tagged structure must be strongly connected (every member reaches
 * every other; slotless leaves such as buffers hanging off it are freed with
 * the member that holds them), so that no collector can free part of it
 * before the rest: then the tag, wherever it hangs, is freed in the
 * collection that frees the structure.  (A module object pointing at a
 * cyclic tree without a link back would be freed by its reference count at
 * once, its tag with it, while the tree waits: the count would be wrong.)
 *
 * Why a separate leaf, and not a finalizer on a member: the tag reaches
 * nothing, so it cannot change what is collected.
 *   - reference counting collectors (generational, incremental, gen-inc):
 *     a slotless object is an atom, never tracked and never examined; when
 *     the collector frees the structure, the member's reference to the tag
 *     is released and the tag is freed (and finalized) by its count, inside
 *     the same collection.  A tag on a cycle member would be legal under
 *     PEP 442 but would add a resurrection check to each collection.
 *   - boehm: libgc never finalizes an object that reaches itself through a
 *     cycle (GC_register_finalizer's ordering), so a finalizer on a cycle
 *     member would make the whole structure uncollectable.  A leaf tag is
 *     finalized in the collection that frees its structure, and the
 *     finalizer runs when libgc hands it over (before the next allocation):
 *     boehm's trash is counted until then.  The tag's own memory is freed
 *     one collection later (one small object per structure).
 *   - refcount leaks every cyclic structure (their tags are never
 *     finalized: trash only grows); none frees nothing and has no
 *     finalizers.
 * A tag whose structure is still live at the end (never dropped) is not
 * counted when its finalizer runs.
 *
 * Accounting check (hb_fld_end, after the run's final full collection, as
 * CPython's shutdown collects once): never more structures freed than
 * dropped; every one freed under a precise collector that reclaims cycles
 * and runs finalizers (generational, incremental, marksweep, gen-inc, any
 * such); none freed under `none`.  A workload whose accounting is wrong
 * (a structure counted as dropped that is still reachable) fails there.
 *
 * State is per process (a collector instance is single-threaded, and so is
 * each field workload); hb_fld_begin resets it.
 */
#ifndef HB_FIELD_H
#define HB_FIELD_H

#include "collector.h"
#include "workload.h"

/* The tag's raw bytes. */
typedef struct hb_fld_tagdata {
    int64_t objects, bytes; /* the structure's size, the tag included */
    uint64_t dropped;       /* 1 once hb_fld_drop counted it */
} hb_fld_tagdata;

extern const hb_type hb_fld_tag_type;

/* Bytes of one tag, and of an object of these sizes (the trash gauge's unit). */
#define HB_FLD_TAG_BYTES ((int64_t)hb_obj_size(0, sizeof(hb_fld_tagdata)))
static inline int64_t hb_fld_size(uint32_t nslots, uint32_t nbytes) { return (int64_t)hb_obj_size(nslots, nbytes); }

/* Resets the counters and remembers env->gauges (NULL allowed). */
void hb_fld_begin(const hb_workload_env *env);
/* A new tag stored in o.slots[slot] (o must be held); 0, or -1 on ENOMEM. */
int hb_fld_tag(hb_gc *gc, hb_obj *o, uint32_t slot);
/* The structure whose tag is `tag` (non-NULL) is about to become
 * unreachable: `objects` objects and `bytes` bytes, its tag included. */
void hb_fld_drop(hb_obj *tag, int64_t objects, int64_t bytes);
/* Structures dropped and freed so far. */
uint64_t hb_fld_dropped(void);
uint64_t hb_fld_freed(void);
/* The accounting check (see above), after the final collection: HB_WL_OK,
 * or HB_WL_WRONG with a message in out. */
int hb_fld_end(hb_gc *gc, hb_workload_result *out);

/*
 * A store: a long-lived, append-only list of objects (the program's data
 * that only grows), as chunks of HB_FLD_CHUNK slots linked newest first
 * (slot 0 of a chunk: the previous chunk).  Its two handles live in the
 * scope that was current at hb_fld_store_init.
 */
#define HB_FLD_CHUNK 1024u
typedef struct hb_fld_store {
    hb_handle head;  /* a one-slot object: slot 0 -> the newest chunk */
    hb_handle chunk; /* the newest chunk */
    uint32_t fill;   /* objects in it */
    uint64_t n;      /* objects in the store */
} hb_fld_store;
int hb_fld_store_init(hb_gc *gc, hb_fld_store *st);                  /* 0, or -1 (ENOMEM) */
int hb_fld_store_add(hb_gc *gc, hb_fld_store *st, hb_obj *o, uint64_t *ops); /* 0, or -1 */
/* A new record (two slots, `payload` raw bytes starting with `value`)
 * appended to the store.  Records come in pairs that refer to each other
 * (slot 0), as a program's objects refer to their neighbours: tracked
 * containers, which every collector examines, not atoms. */
int hb_fld_store_record(hb_gc *gc, hb_fld_store *st, uint32_t payload, uint64_t value, uint64_t *ops);
/* Mixes the first 8 raw bytes of every object into h, newest chunk first;
 * *count gets the number of objects seen. */
uint64_t hb_fld_store_mix(hb_gc *gc, const hb_fld_store *st, uint64_t h, uint64_t *count);

#endif
