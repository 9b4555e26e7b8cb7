"""dropin_python: CPython running on a drop-in library.

Usage: LD_PRELOAD=libhb-BACKEND.so [PYTHONMALLOC=malloc] python3 dropin_python.py BACKEND

Checks that the preload is live (hb_dropin_name, found through the process's
global symbol scope, names BACKEND), then runs a small mixed workload:
integers, a JSON round trip, dicts of strings, a bytearray grown to a few MiB
(realloc across the large-block paths) and threads allocating at once.  With
PYTHONMALLOC=malloc every Python allocation goes through the drop-in.  Exits
0 when all results are right, 1 with a message otherwise.
"""
import ctypes
import json
import os
import sys
import threading


def fail(msg):
    print("dropin_python: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        fail("usage: dropin_python.py BACKEND")
    want = sys.argv[1]
    try:
        name = ctypes.CDLL(None).hb_dropin_name
    except AttributeError:
        fail("hb_dropin_name not found: libhb-%s.so is not preloaded (LD_PRELOAD)" % want)
    name.restype = ctypes.c_char_p
    got = name().decode()
    if got != want:
        fail("the preloaded drop-in is '%s', expected '%s'" % (got, want))

    if sum(range(10**6)) != 499999500000:
        fail("sum(range(10**6)) is wrong")
    text = json.dumps(list(range(10**5)))
    if len(text) != 688890 or json.loads(text)[-1] != 10**5 - 1:
        fail("JSON round trip is wrong")
    d = {str(i) * (i % 7 + 1): [i] * (i % 5) for i in range(50000)}
    if sum(len(v) for v in d.values()) != sum(i % 5 for i in range(50000)):
        fail("dict of lists is wrong")
    del d
    buf = bytearray()
    for i in range(3000):
        buf += bytes([i % 251]) * 1000
    if len(buf) != 3000000 or buf[2999999] != 2999 % 251:
        fail("bytearray growth is wrong")
    del buf

    results = [None] * 4

    def work(k):
        items = [("%d-%d" % (k, i)) * 3 for i in range(20000)]
        results[k] = sum(len(s) for s in items)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(4):
        if results[k] != sum(len(("%d-%d" % (k, i)) * 3) for i in range(20000)):
            fail("thread %d computed a wrong result" % k)
    print("dropin_python: %s (PYTHONMALLOC=%s): ok" % (want, os.environ.get("PYTHONMALLOC", "default")))


main()
