#!/usr/bin/env bash
# programs.sh: the steps of heapbench's real-program workloads (harness/programs.c).
#
#   programs.sh NAME prepare  DIR SCALE        write the input into DIR (no allocator preloaded)
#   programs.sh NAME command  DIR SCALE PORT   print the measured program: "env K=V" and "arg X" lines
#   programs.sh NAME client   DIR SCALE PORT   servers only: drive the running server, output to stdout
#   programs.sh NAME checksum DIR              print the checksum of the normalised output
#
# heapbench runs `command`'s program in DIR with the allocator under test and
# the probe preloaded, its stdout in DIR/out and stderr in DIR/err; a
# server's client writes DIR/client.out.  Every input is written here or
# generated, deterministically; checksums ignore timing lines and addresses.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME=$1 STEP=$2 DIR=$3 SCALE=${4:-1} PORT=${5:-0}
die() { echo "programs.sh: $*" >&2; exit 2; }
sized() { awk -v d="$1" -v s="$SCALE" 'BEGIN { n = int(d * s); print (n < 1 ? 1 : n) }'; }
sum_of() { sha256sum | cut -c1-16; }
arg() { for a in "$@"; do printf 'arg %s\n' "$a"; done; }
PY=/usr/bin/python3

case "$NAME:$STEP" in
  # ---- lua5.4: table churn, strings, closures, binary trees
  lua:prepare) cp "$HERE/bench.lua" "$DIR/" ;;
  lua:command) arg lua5.4 bench.lua "$SCALE" ;;
  lua:checksum) grep -o 'checksum=[0-9a-f]*' "$DIR/out" | sum_of ;;

  # ---- sqlite3: bulk insert, index, joins, aggregates, delete, VACUUM
  sqlite:prepare)
    n=$(sized 1000000)
    cat >"$DIR/script.sql" <<SQL
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, s TEXT, v REAL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $n)
  INSERT INTO t SELECT x, (x * 7919) % 10007, printf('row-%d-%s', x, hex(x * x)), (x % 1000) / 8.0 FROM c;
CREATE INDEX tk ON t(k);
CREATE TABLE g(k INTEGER PRIMARY KEY, name TEXT);
WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < 10006)
  INSERT INTO g SELECT x, 'group-' || x FROM c;
SELECT count(*), sum(k), sum(v) FROM t;
SELECT g.name, count(*), sum(t.v) FROM t JOIN g ON t.k = g.k WHERE g.k % 997 = 7 GROUP BY g.name ORDER BY g.name;
SELECT k, count(*) AS c FROM t GROUP BY k ORDER BY c DESC, k LIMIT 5;
SELECT length(group_concat(s, ',')) FROM (SELECT s FROM t WHERE k < 40 ORDER BY id);
SELECT a.k, count(*) FROM t a JOIN t b ON a.k = b.k AND b.id = a.id + 10007 GROUP BY a.k ORDER BY a.k LIMIT 3;
DELETE FROM t WHERE id % 3 = 0;
UPDATE t SET s = s || '-x' WHERE id % 5 = 1;
VACUUM;
SELECT count(*), sum(length(s)) FROM t;
SQL
    ;;
  sqlite:command) arg sqlite3 t.db ".read script.sql" ;;
  sqlite:checksum) sum_of <"$DIR/out" ;;

  # ---- z3: pigeonhole (unsat), N-queens (sat), a bit-vector identity (unsat)
  z3:prepare) $PY "$HERE/gen_smt.py" "$SCALE" >"$DIR/problems.smt2" ;;
  z3:command) arg z3 problems.smt2 ;;
  z3:checksum) sum_of <"$DIR/out" ;;

  # ---- ghostscript: dictionaries, arrays, strings, paths; written to a PDF
  gs:prepare) cp "$HERE/bench.ps" "$DIR/" ;;
  gs:command) arg gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile=out.pdf "-drounds=$(sized 40)" bench.ps ;;
  gs:checksum) grep -o 'checksum=[0-9]*' "$DIR/out" | sum_of ;;

  # ---- memcached, driven by kv_client.py over loopback
  memcached:prepare) : ;;
  memcached:command) arg memcached -l 127.0.0.1 -p "$PORT" -U 0 -m 1024 -t 2 -u "$(id -un)" ;;
  memcached:client) $PY "$HERE/kv_client.py" memcached "$PORT" "$SCALE" ;;
  memcached:checksum) sum_of <"$DIR/client.out" ;;

  # ---- redis-server, driven by kv_client.py over loopback
  redis:prepare) : ;;
  redis:command) arg redis-server --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no --daemonize no --dir "$DIR" ;;
  redis:client) $PY "$HERE/kv_client.py" redis "$PORT" "$SCALE" ;;
  redis:checksum) sum_of <"$DIR/client.out" ;;

  # ---- the server soaks: heapbench's own client drives them (harness/server_soak.c)
  redis-soak:prepare | memcached-soak:prepare) : ;;
  redis-soak:command) arg redis-server --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no --daemonize no --dir "$DIR" ;;
  memcached-soak:command) arg memcached -l 127.0.0.1 -p "$PORT" -U 0 -m 4096 -t 2 -c 256 -u "$(id -un)" ;;

  # ---- rocksdb: db_bench fillrandom then readrandom on a fresh database
  rocksdb:prepare) : ;;
  rocksdb:command)
    n=$(sized 400000)
    arg db_bench --benchmarks=fillrandom,readrandom "--num=$n" "--reads=$n" --db=db --seed=42 --threads=1 \
      --compression_type=none --value_size=200 --statistics=false --use_existing_db=false ;;
  rocksdb:checksum) # timing lines vary: keep the benchmarks' names and what readrandom found
    grep -E '^(fillrandom|readrandom)' "$DIR/out" | sed -E 's/^([a-z]+) .*\((.* found)\).*/\1 \2/; s/^(fillrandom) .*/\1/' | sum_of ;;

  # ---- python3: the seed scenarios, with every allocation through malloc
  python:prepare | python-pymalloc:prepare) : ;;
  python:command)
    printf 'env PYTHONMALLOC=malloc\nenv PYTHONHASHSEED=0\nenv PYTHONDONTWRITEBYTECODE=1\n'
    arg "$PY" "$HERE/python_seeds.py" "$HERE/../python" "$SCALE" ;;
  # ---- python3 as people run it: pymalloc serves blocks up to 512 B
  python-pymalloc:command)
    printf 'env PYTHONMALLOC=pymalloc\nenv PYTHONHASHSEED=0\nenv PYTHONDONTWRITEBYTECODE=1\n'
    arg "$PY" "$HERE/python_seeds.py" "$HERE/../python" "$SCALE" ;;
  python:checksum | python-pymalloc:checksum) sum_of <"$DIR/out" ;;

  # ---- git: `git log -p --stat` over a generated history (gen_git.py), whose
  # repository is built once per scale and version of gen_git.py (git
  # fast-import takes ~10 s at scale 1) under $HB_GIT_CACHE, then copied
  git:prepare)
    cache=${HB_GIT_CACHE:-${TMPDIR:-/tmp}/heapbench-git-cache}
    key=$( (cat "$HERE/gen_git.py"; echo "$SCALE") | sum_of)
    if [ ! -d "$cache/$key" ]; then
      mkdir -p "$cache" || die "cannot create $cache"
      tmp=$(mktemp -d "$cache/.build.XXXXXX")
      git init -q -b main "$tmp/repo" &&
        $PY "$HERE/gen_git.py" "$SCALE" | git -C "$tmp/repo" fast-import --quiet ||
        { rm -rf "$tmp"; die "could not build the git repository"; }
      mv -T "$tmp/repo" "$cache/$key" 2>/dev/null || true # another run may have made it meanwhile
      rm -rf "$tmp"
    fi
    cp -r "$cache/$key" "$DIR/repo" ;;
  git:command)
    printf 'env GIT_CONFIG_NOSYSTEM=1\nenv GIT_CONFIG_GLOBAL=/dev/null\nenv HOME=%s\nenv LC_ALL=C\n' "$DIR"
    arg git -C repo log -p --stat main ;;
  git:checksum) sum_of <"$DIR/out" ;;

  *) die "unknown program or step '$NAME $STEP'" ;;
esac
