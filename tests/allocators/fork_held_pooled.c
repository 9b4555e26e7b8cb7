/* fork_held_pooled.c: a pooled instance and its instance lock, for fork_held.c (see fork_held.h).
 * pooled's structures are in pooled_internal.h: its sources are linked, not included. */
#include "pooled_internal.h"

#include "fork_held.h"

extern const hb_allocator_ops hb_pooled_ops;

int fh_open_pooled(fh_instance *out)
{
    hb_pooled *pa = hb_pooled_ops.create();
    if (pa == NULL)
        return -1;
    *out = (fh_instance){.a = {&hb_pooled_ops, pa}, .lock = &pa->lock, .entry = &pa->fork_entry};
    return 0;
}
