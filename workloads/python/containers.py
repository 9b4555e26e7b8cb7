"""containers.py: seed M12: 1M ints as a list, a tuple, an array('i') and a
set (by default); the checksum holds their sums and sys.getsizeof sizes
(fixed by the layout, not by the allocator)."""
import sys
from array import array

import _hb


def main():
    n = _hb.sized(1_000_000, _hb.scale())
    c = _hb.Checksum()
    list_ints = list(range(n))
    tuple_ints = tuple(range(n))
    array_ints = array("i", range(n))
    set_ints = set(range(n))
    want = n * (n - 1) // 2
    for name, obj in (("list", list_ints), ("tuple", tuple_ints), ("array", array_ints), ("set", set_ints)):
        got = sum(obj)
        if got != want:
            sys.exit(f"containers: {name} sums to {got}, expected {want}")
        c.add(got)
        c.add(sys.getsizeof(obj))
        _hb.note(f"containers: {name}: {sys.getsizeof(obj)} B")
    _hb.report("containers", c)


main()
