/* fork_held_bump.c: a bump instance and its chunk-list lock, for fork_held.c (see fork_held.h). */
#include "bump.c"

#include "fork_held.h"

int fh_open_bump(fh_instance *out)
{
    bump *b = hb_bump_ops.create();
    if (b == NULL)
        return -1;
    *out = (fh_instance){.a = {&hb_bump_ops, b}, .lock = &b->lock, .entry = &b->fork_entry};
    return 0;
}
