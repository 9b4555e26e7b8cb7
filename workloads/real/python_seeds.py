"""python_seeds.py: every Python seed scenario of heapbench
(workloads/python/*.py) in one interpreter, in name order, each as its own
__main__; prints each script's checksum line.  The real-program workloads
`python` (PYTHONMALLOC=malloc) and `python-pymalloc` run it.

usage: python_seeds.py DIR SCALE"""
import glob
import os
import runpy
import sys

pydir, scale = sys.argv[1], sys.argv[2]
sys.path.insert(0, pydir)
for path in sorted(glob.glob(os.path.join(pydir, "[a-z]*.py"))):
    sys.argv = [path, scale]
    runpy.run_path(path, run_name="__main__")
    sys.stdout.flush()
