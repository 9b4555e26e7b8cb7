"""_hb.py: shared helpers for the Python versions of the seed scenarios.

Each script takes an optional scale (a float, 1 = the default size), runs
deterministically and prints one line, "NAME checksum=HEX", so that a run on
a broken allocator shows up as a checksum that differs from libc's.  Details
go to stderr only when HB_VERBOSE is set, so stdout stays one line.
"""
import os
import sys

MASK = (1 << 64) - 1


def scale():
    """The scale argument (argv[1]), 1.0 when absent."""
    if len(sys.argv) > 2:
        sys.exit(f"usage: {sys.argv[0]} [SCALE]")
    if len(sys.argv) == 1:
        return 1.0
    try:
        s = float(sys.argv[1])
    except ValueError:
        sys.exit(f"{sys.argv[0]}: scale '{sys.argv[1]}' is not a number")
    if not 0 < s <= 1000:
        sys.exit(f"{sys.argv[0]}: scale {s} must be in (0, 1000]")
    return s


def sized(default, s, least=1):
    """default * s, at least `least`."""
    return max(least, int(default * s))


class Checksum:
    """FNV-1a over 64-bit words: order-sensitive, allocator-independent."""

    def __init__(self):
        self.h = 0xCBF29CE484222325

    def add(self, value):
        self.h ^= int(value) & MASK
        self.h = (self.h * 0x100000001B3) & MASK

    def add_all(self, values):
        for v in values:
            self.add(v)


def note(*args):
    if os.environ.get("HB_VERBOSE"):
        print(*args, file=sys.stderr)


def report(name, checksum):
    print(f"{name} checksum={checksum.h:016x}", flush=True)
