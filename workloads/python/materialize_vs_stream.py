"""materialize_vs_stream.py: seed M9 and the notebook: the sum of squares
of 0..N-1 (1M by default), once from a list built in full and once from a
generator that holds one value at a time; both must agree."""
import sys

import _hb


def inefficient_approach(n):
    result = []
    for i in range(n):
        result.append(i**2)
    return result


def efficient_approach(n):
    return (i**2 for i in range(n))


def main():
    n = _hb.sized(1_000_000, _hb.scale())
    c = _hb.Checksum()
    for rep in range(2):
        listed = inefficient_approach(n)
        a = sum(listed)
        del listed
        b = sum(efficient_approach(n))
        if a != b:
            sys.exit(f"materialize_vs_stream: list gives {a}, generator {b}")
        c.add(a)
        c.add(a >> 64)
    _hb.report("materialize_vs_stream", c)


main()
