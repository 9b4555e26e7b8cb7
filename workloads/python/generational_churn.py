"""generational_churn.py: the notebook's gc.get_stats(): many short-lived
containers, a few survivors that live long, some cycles, with automatic
collection on.  The checksum holds the survivors and the objects that the
final collection finds; per-generation counts go to stderr with HB_VERBOSE."""
import gc

import _hb


class Pair:
    def __init__(self, a, b):
        self.a = a
        self.b = b


def main():
    steps = _hb.sized(500_000, _hb.scale())
    gc.collect()
    before = [g["collections"] for g in gc.get_stats()]
    survivors = []
    c = _hb.Checksum()
    acc = 0
    for i in range(steps):
        t = [i, (i, i + 1), {"k": i}]  # short-lived containers
        acc += len(t[2]) + t[1][1]
        if i % 97 == 0:
            survivors.append(Pair(i, t))  # lives to the end
        if i % 13 == 0:
            p = Pair(i, None)
            q = Pair(p, i)
            p.b = q  # a cycle left for the collector
        if len(survivors) > 2000:
            del survivors[:1000]
    final = gc.collect()
    after = [g["collections"] for g in gc.get_stats()]
    _hb.note(f"generational_churn: collections per generation {[a - b for a, b in zip(after, before)]}")
    c.add(acc)
    c.add(len(survivors))
    c.add_all(s.a for s in survivors[:64])
    c.add(final)
    _hb.report("generational_churn", c)


main()
