/* fork_held_naive.c: a naive instance and its heap lock, for fork_held.c (see fork_held.h). */
#include "naive.c"

#include "fork_held.h"

int fh_open_naive(fh_instance *out)
{
    hb_naive *h = hb_naive_ops.create();
    if (h == NULL)
        return -1;
    *out = (fh_instance){.a = {&hb_naive_ops, h}, .lock = &h->lock, .entry = &h->fork_entry};
    return 0;
}
