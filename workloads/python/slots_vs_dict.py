"""slots_vs_dict.py: seed M11: 100k objects with two fields, each with an
instance dict, then 100k with __slots__; three rounds by default."""
import sys

import _hb


class RegularClass:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class SlottedClass:
    __slots__ = ["x", "y"]

    def __init__(self, x, y):
        self.x = x
        self.y = y


def main():
    n = _hb.sized(100_000, _hb.scale())
    c = _hb.Checksum()
    for rep in range(3):
        regular_list = [RegularClass(i, i + rep) for i in range(n)]
        slotted_list = [SlottedClass(i, i + rep) for i in range(n)]
        a = sum(o.x + o.y for o in regular_list)
        b = sum(o.x + o.y for o in slotted_list)
        if a != b:
            sys.exit(f"slots_vs_dict: sums differ ({a} != {b})")
        c.add(a)
        c.add(sys.getsizeof(slotted_list[0]))
        del regular_list, slotted_list
    _hb.report("slots_vs_dict", c)


main()
