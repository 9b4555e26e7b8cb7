"""self_cycles.py: seed M14 and the notebook: dicts that hold themselves,
made with automatic collection off, then one gc.collect(); with the cycle
broken first (d['self'] = None) the collection finds nothing.  1000 dicts a
round, 300 rounds of each kind by default."""
import gc
import sys

import _hb


def create_cycle(i):
    d = {"i": i}
    d["self"] = d
    return d


def create_and_break(i):
    d = {"i": i}
    d["self"] = d
    d["self"] = None
    return d


def main():
    rounds = _hb.sized(300, _hb.scale())
    per_round = 1000
    gc.collect()
    gc.disable()
    c = _hb.Checksum()
    for r in range(rounds):
        for i in range(per_round):
            create_cycle(i)
        leaked = gc.collect()
        for i in range(per_round):
            create_and_break(i)
        broken = gc.collect()
        if leaked < per_round or broken != 0:
            sys.exit(f"self_cycles: round {r}: collect() gave {leaked} and {broken}, expected >= {per_round} and 0")
        c.add(leaked)
        c.add(broken + r)
    _hb.report("self_cycles", c)


main()
