/*
 * badlib.c: shared libraries that `-a NAME=PATH` must refuse, one per macro:
 *  BADLIB_NOMALLOC   defines no malloc at all;
 *  BADLIB_HALF       defines malloc but leaves free, calloc and realloc to glibc;
 *  BADLIB_UNLOADABLE defines the family but needs a symbol nothing defines,
 *                    bound at load time (-z now), so the loader refuses it.
 * None is ever run as an allocator: each must be refused before any run.
 */
#include <stddef.h>

#if defined(BADLIB_NOMALLOC)
int badlib_nothing_here;
#elif defined(BADLIB_HALF)
void *malloc(size_t n)
{
    (void)n;
    return NULL;
}
#elif defined(BADLIB_UNLOADABLE)
extern void *badlib_no_such_symbol(size_t n);
void *malloc(size_t n) { return badlib_no_such_symbol(n); }
void free(void *p) { (void)p; }
void *calloc(size_t c, size_t n) { return badlib_no_such_symbol(c * n); }
void *realloc(void *p, size_t n)
{
    (void)p;
    return badlib_no_such_symbol(n);
}
#endif
