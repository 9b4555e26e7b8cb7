#!/usr/bin/env python3
"""csv_upgrade.py: rewrite a heapbench results CSV of an older schema in the current one.

usage: python3 harness/csv_upgrade.py [--heapbench PATH] IN.csv OUT.csv

Schemas only ever added columns (docs/csv.md, "Version history"), so an older
file becomes a current one by writing every current column in order: the
value where the old file has that column, empty (not measured) where it does
not, and the schema column set to the current version.  The `commit` column
still says which heapbench measured each row.  A column the current schema
does not know, a ragged row, or a file that is not a heapbench CSV is refused
(exit 2, one line); OUT is written as OUT.tmp and renamed, never half-written.
"""
import csv
import os
import subprocess
import sys


def die(msg):
    print(f"csv_upgrade: {msg}", file=sys.stderr)
    sys.exit(2)


def main(argv):
    hb = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "heapbench")
    args = argv[1:]
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    if len(args) >= 2 and args[0] == "--heapbench":
        hb, args = args[1], args[2:]
    if len(args) != 2:
        die("expected IN.csv OUT.csv (see --help)")
    src, dst = args
    try:
        out = subprocess.run([hb, "list", "columns"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die(f"cannot run {hb} list columns: {e}")
    columns = [line.split("\t", 1)[0] for line in out.splitlines() if line]
    version = out.splitlines()[0].split("(")[-1].rstrip(")")
    try:
        with open(src, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        die(f"cannot read {src}: {e.strerror}")
    except csv.Error as e:
        die(f"{src}: {e}")
    if not rows or "schema" not in rows[0]:
        die(f"{src}: no 'schema' column: not a heapbench results CSV")
    header = rows[0]
    unknown = [c for c in header if c not in columns]
    if unknown:
        die(f"{src}: column '{unknown[0]}' is not in schema {version}")
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            die(f"{src}: line {n}: {len(row)} fields, expected {len(header)} (ragged row)")
    at = {c: i for i, c in enumerate(header)}
    tmp = dst + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows[1:]:
            w.writerow([version if c == "schema" else (row[at[c]] if c in at else "") for c in columns])
    os.replace(tmp, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
