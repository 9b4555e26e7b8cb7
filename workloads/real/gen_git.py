"""gen_git.py: the history of a made-up project for the git real-program
workload of heapbench (written for it), as a `git fast-import` stream on
stdout.  usage: gen_git.py SCALE

Deterministic (fixed seed, fixed dates): COMMITS = 350 * SCALE commits over
8 source files that grow by blocks of lines inserted at random places (most
commits touch one or two files, some rewrite a few lines, one in twenty
deletes a block), so that by the end each file holds about a thousand lines
per hundred commits.  `git log -p --stat` over it reads every version of the
files from fast-import's delta-compressed pack, diffs them and formats the
patches: growing buffers of tens of KiB to MiBs, freed and made again for
every commit, as on a real project's history."""
import random
import sys

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
commits = max(2, int(350 * scale))
rng = random.Random(20261207)
NFILES = 8
files = [[] for _ in range(NFILES)]
words = ("alloc free pool arena block heap size class page cache list node tree hash "
         "grow shrink copy move map unmap lock thread owner remote drain carve trim").split()
out = sys.stdout.buffer


def line():
    n = rng.randint(2, 12)
    return " ".join(rng.choice(words) for _ in range(n)) + (" = %d;" % rng.randint(0, 99999))


def emit(s):
    out.write(s.encode() if isinstance(s, str) else s)


for c in range(commits):
    touched = rng.sample(range(NFILES), 1 if rng.random() < 0.6 else 2)
    for f in touched:
        body = files[f]
        r = rng.random()
        if r < 0.05 and len(body) > 200:
            at = rng.randrange(len(body) - 100)
            del body[at:at + rng.randint(20, 100)]
        elif r < 0.25 and body:
            for _ in range(rng.randint(1, 8)):
                body[rng.randrange(len(body))] = line()
        else:
            at = rng.randint(0, len(body))
            body[at:at] = [line() for _ in range(rng.randint(10, 240))]
    emit("commit refs/heads/main\n")
    emit("mark :%d\n" % (c + 1))
    when = 1700000000 + c * 3600
    emit("author Dev %d <dev%d@example.org> %d +0000\n" % (c % 7, c % 7, when))
    emit("committer Dev %d <dev%d@example.org> %d +0000\n" % (c % 7, c % 7, when))
    msg = "change %d: %s\n\n%s\n" % (c, line(), "\n".join(line() for _ in range(rng.randint(0, 6))))
    data = msg.encode()
    emit("data %d\n" % len(data))
    emit(data)
    if c > 0:
        emit("from :%d\n" % c)
    for f in touched:
        data = ("\n".join(files[f]) + "\n").encode()
        emit("M 100644 inline src/file%d.c\n" % f)
        emit("data %d\n" % len(data))
        emit(data)
    emit("\n")
out.flush()
