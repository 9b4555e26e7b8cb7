/*
 * forksafe.c: the registry of in-process instances whose locks fork must
 * take (see forksafe.h).
 */
#include "forksafe.h"

#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t entries_lock = PTHREAD_MUTEX_INITIALIZER;
static hb_fork_entry *entries, *entries_tail;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void all_prepare(void)
{
    pthread_mutex_lock(&entries_lock);
    for (hb_fork_entry *e = entries; e != NULL; e = e->next)
        e->prepare(e->obj);
}

static void all_parent(void)
{
    for (hb_fork_entry *e = entries_tail; e != NULL; e = e->prev)
        e->parent(e->obj);
    pthread_mutex_unlock(&entries_lock);
}

static void all_child(void)
{
    for (hb_fork_entry *e = entries_tail; e != NULL; e = e->prev)
        e->child(e->obj);
    pthread_mutex_init(&entries_lock, NULL);
}

static void install(void) { pthread_atfork(all_prepare, all_parent, all_child); }

void hb_fork_register(hb_fork_entry *e)
{
    pthread_once(&atfork_once, install);
    pthread_mutex_lock(&entries_lock);
    e->next = NULL;
    e->prev = entries_tail;
    if (entries_tail != NULL)
        entries_tail->next = e;
    else
        entries = e;
    entries_tail = e;
    pthread_mutex_unlock(&entries_lock);
}

void hb_fork_unregister(hb_fork_entry *e)
{
    pthread_mutex_lock(&entries_lock);
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        entries = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        entries_tail = e->prev;
    pthread_mutex_unlock(&entries_lock);
}

static void mutex_take(void *m) { pthread_mutex_lock(m); }
static void mutex_give(void *m) { pthread_mutex_unlock(m); }
static void mutex_reset(void *m) { pthread_mutex_init(m, NULL); }

void hb_fork_register_mutex(hb_fork_entry *e, pthread_mutex_t *m)
{
    *e = (hb_fork_entry){.obj = m, .prepare = mutex_take, .parent = mutex_give, .child = mutex_reset};
    hb_fork_register(e);
}
