"""finalizer_lifecycle.py: seed M8 and the notebook: a function makes two
objects with __del__ and returns; both finalizers run when it ends, once
each, in the order the locals are cleared.  100k scopes by default; the
checksum is over the order of births and deaths."""
import sys

import _hb

log = []


class LifecycleDemo:
    def __init__(self, name):
        self.name = name
        log.append(name)

    def __del__(self):
        log.append(-self.name)


def object_lifecycle(i):
    obj1 = LifecycleDemo(2 * i + 1)
    obj2 = LifecycleDemo(2 * i + 2)
    log.append(0)  # "Function is about to end"
    return obj1.name + obj2.name


def main():
    scopes = _hb.sized(100_000, _hb.scale())
    c = _hb.Checksum()
    total = 0
    for i in range(scopes):
        total += object_lifecycle(i)
        if len(log) != 5:
            sys.exit(f"finalizer_lifecycle: scope {i}: events {log}, expected 2 births, end, 2 deaths")
        if i % 1024 == 0:
            c.add_all(log)
        log.clear()
    c.add(total)
    _hb.report("finalizer_lifecycle", c)


main()
