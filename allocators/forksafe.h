/*
 * forksafe.h: fork safety for in-process allocator instances.
 *
 * The plug-in interface has no fork hooks, so instances that own locks
 * register here: one set of pthread_atfork handlers (installed once) takes
 * every registered instance's locks before fork, in registration order, and
 * releases them (parent) or resets them (child) after.  Instances come and go
 * on a list under one mutex, since pthread_atfork cannot be undone.  The
 * drop-in libraries do not use this: dropin.c orders their locks itself.
 */
#ifndef HB_FORKSAFE_H
#define HB_FORKSAFE_H

#include <pthread.h>

typedef struct hb_fork_entry {
    struct hb_fork_entry *next, *prev;
    void *obj;
    void (*prepare)(void *obj); /* take every lock */
    void (*parent)(void *obj);  /* release them */
    void (*child)(void *obj);   /* reset them */
} hb_fork_entry;

/* Adds a (caller-owned, zeroed apart from obj and the hooks) entry. */
void hb_fork_register(hb_fork_entry *e);
void hb_fork_unregister(hb_fork_entry *e);

/* The common case: an instance whose only lock is one mutex.  Fills e (obj =
 * the mutex; take it before fork, release it in the parent, initialise it
 * afresh in the child) and registers it; hb_fork_unregister undoes it. */
void hb_fork_register_mutex(hb_fork_entry *e, pthread_mutex_t *m);

#endif
