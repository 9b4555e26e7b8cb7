"""refcount_alias.py: seed M1, M2 and the notebook: a list of three small
ints, aliased, the alias dropped, then the original dropped; the reference
count goes 1, 2, 1 (sys.getrefcount adds its own).  1M times by default."""
import sys

import _hb


def main():
    n = _hb.sized(1_000_000, _hb.scale())
    getrefcount = sys.getrefcount
    c = _hb.Checksum()
    counts = 0
    for i in range(n):
        a = [i & 7, 2, 3]
        first = getrefcount(a) - 1
        b = a
        second = getrefcount(a) - 1
        del b
        third = getrefcount(a) - 1
        counts += first * 100 + second * 10 + third
        if i % 4096 == 0:
            c.add(sum(a) + i)
        del a
    if counts != n * 121:
        sys.exit(f"refcount_alias: counts went wrong ({counts} != {n * 121})")
    c.add(counts)
    _hb.report("refcount_alias", c)


main()
