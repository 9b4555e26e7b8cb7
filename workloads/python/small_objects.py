"""small_objects.py: seed M5: many boxed small ints (each its own 28-byte
object, beyond the cache of -5..256) against one array of the same values.
1M of each by default, built and summed three times."""
import sys
from array import array

import _hb


def main():
    n = _hb.sized(1_000_000, _hb.scale())
    c = _hb.Checksum()
    for rep in range(3):
        boxed = [i * 3 + 1000 + rep for i in range(n)]
        each = sys.getsizeof(boxed[-1])
        packed = array("q", boxed)
        if sum(boxed) != sum(packed):
            sys.exit("small_objects: sums differ")
        c.add(sum(boxed))
        c.add(each)
        c.add(packed.itemsize * len(packed))
        del boxed, packed
    _hb.report("small_objects", c)


main()
