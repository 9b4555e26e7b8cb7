"""traced_peak.py: seed M7 and the notebook: tracemalloc's current and peak
traced memory around a function that builds and returns a list of boxed
ints (1M by default, twice).  The exact byte counts depend on the Python
build, so the checksum holds the list's contents and the relations that
must hold (peak >= current >= the list's ints), not the counts."""
import sys
import tracemalloc

import _hb


def memory_intensive_function(n, base):
    return [base + i for i in range(n)]


def main():
    n = _hb.sized(1_000_000, _hb.scale())
    c = _hb.Checksum()
    for rep in range(2):
        tracemalloc.start()
        result = memory_intensive_function(n, 1000 + rep)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        floor = n * sys.getsizeof(result[-1])
        _hb.note(f"traced_peak: current {current} peak {peak} B")
        if not peak >= current >= floor:
            sys.exit(f"traced_peak: current {current}, peak {peak}, expected peak >= current >= {floor}")
        c.add(sum(result))
        c.add(len(result))
        del result
    _hb.report("traced_peak", c)


main()
