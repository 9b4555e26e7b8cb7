"""scoped_resource.py: seed M10: a context manager acquires a list of 1M
ints, the block touches it, __exit__ releases it; 25 times by default."""
import sys

import _hb


class ResourceManager:
    def __init__(self, n, base):
        self.resource = [base + i for i in range(n)]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        del self.resource
        return False


def main():
    s = _hb.scale()
    times = _hb.sized(25, s)
    n = _hb.sized(1_000_000, min(s, 1.0), 1000)
    c = _hb.Checksum()
    for t in range(times):
        with ResourceManager(n, t) as rm:
            c.add(rm.resource[n // 2] + len(rm.resource))
        if hasattr(rm, "resource"):
            sys.exit("scoped_resource: the resource outlived its block")
    _hb.report("scoped_resource", c)


main()
