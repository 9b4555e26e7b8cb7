"""weak_cache.py: seed M6: a cache whose values are weak references
(WeakValueDictionary).  Store a big list, read it back through the cache,
drop the strong reference: the entry must vanish at once.  Keys rotate over
64 names; 200 stores of 100k elements by default."""
import sys
import weakref

import _hb


class Block(list):
    """A list that can be weakly referenced (a plain list cannot)."""

    __slots__ = ("__weakref__",)


class Cache:
    def __init__(self):
        self._cache = weakref.WeakValueDictionary()

    def get(self, key):
        return self._cache.get(key)

    def set(self, key, value):
        self._cache[key] = value


def main():
    s = _hb.scale()
    stores = _hb.sized(200, s)
    elems = _hb.sized(100_000, s, 100)
    cache = Cache()
    c = _hb.Checksum()
    keep = []  # every 16th value stays alive, so some entries survive a while
    for i in range(stores):
        key = f"k{i % 64}"
        big = Block(range(i, i + elems))
        cache.set(key, big)
        got = cache.get(key)
        c.add(got[0] + got[-1] + len(got))
        del got
        if i % 16 == 0:
            keep.append(big)
            if len(keep) > 4:
                keep.pop(0)
        del big
        c.add(len(cache._cache))
    live = sum(1 for k in range(64) if cache.get(f"k{k}") is not None)
    keep.clear()
    after = sum(1 for k in range(64) if cache.get(f"k{k}") is not None)
    if after != 0:
        sys.exit(f"weak_cache: {after} entries outlived their values")
    c.add(live)
    _hb.report("weak_cache", c)


main()
