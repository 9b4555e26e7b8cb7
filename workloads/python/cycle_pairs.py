"""cycle_pairs.py: seed M3, M4 and the notebook: rings of k objects that
point at each other, the outside references dropped.  Reference counting
alone leaks them; gc.collect() reclaims them.  The automatic collector is
off, and an explicit collection every 10000 rings must find every ring."""
import gc
import sys

import _hb


class Node:
    __slots__ = ("value", "next", "__weakref__")

    def __init__(self, value):
        self.value = value
        self.next = None


def main():
    s = _hb.scale()
    rings = _hb.sized(200_000, s)
    k = 2
    batch = 10_000
    gc.collect()
    gc.disable()
    c = _hb.Checksum()
    made = collected = 0
    for r in range(rings):
        first = prev = Node(r)
        for j in range(1, k):
            node = Node(r * k + j)
            prev.next = node
            prev = node
        prev.next = first
        made += first.value + first.next.value
        del first, prev, node
        if (r + 1) % batch == 0 or r + 1 == rings:
            got = gc.collect()
            c.add(got)
            collected += got
    if collected < rings * k:
        sys.exit(f"cycle_pairs: collected {collected} objects, expected at least {rings * k}")
    c.add(made)
    c.add(collected)
    _hb.report("cycle_pairs", c)


main()
