/* fork_held_counting.c: a counting wrapper and its pointer-table lock, for fork_held.c (see fork_held.h). */
#include "counting.c"

#include "fork_held.h"

int fh_wrap_counting(fh_instance *out, const hb_alloc *inner)
{
    hb_alloc a;
    if (hb_counting_wrap(&a, inner, HB_COUNT_TRACK) != 0)
        return -1;
    counting *c = a.ctx;
    *out = (fh_instance){.a = a, .lock = &c->lock, .entry = &c->fork_entry};
    return 0;
}
