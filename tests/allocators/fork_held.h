/*
 * fork_held.h: what fork_held.c needs of each allocator instance it forks.
 *
 * The test holds an instance's own lock in one thread while another thread
 * forks, so it has to reach inside the instance.  Each fork_held_<name>.c
 * compiles that allocator's source into a translation unit of its own (its
 * structures are private to it, and the sources clash with one another) and
 * hands out the instance, its lock and its registration with forksafe.c.
 * The allocator sources are not changed for the test: the test target builds
 * them itself and links nothing else of hb_alloc.
 */
#ifndef HB_FORK_HELD_H
#define HB_FORK_HELD_H

#include "allocator.h"
#include "forksafe.h"

#include <pthread.h>

typedef struct fh_instance {
    hb_alloc a;
    pthread_mutex_t *lock; /* the lock a child must not inherit held */
    hb_fork_entry *entry;  /* the instance's registration with forksafe.c (not on its list if it never registered) */
} fh_instance;

/* 0, or -1 when the instance could not be made. */
int fh_open_bump(fh_instance *out);
int fh_open_naive(fh_instance *out);
int fh_open_pooled(fh_instance *out);
/* A counting wrapper with HB_COUNT_TRACK over `inner`: the pointer table is
 * the only thing counting locks. */
int fh_wrap_counting(fh_instance *out, const hb_alloc *inner);

#endif
