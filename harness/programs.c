/*
 * programs.c: real programs as workloads (`heapbench list programs`).
 *
 * A real program is a workload whose process is a Debian program, not
 * heapbench's child: `run` and `sweep` take it by name (-w lua) like any
 * workload, under any allocator that can run other programs.  Its steps are
 * in workloads/real/programs.sh (see there): write the input, name the
 * program, drive it (servers), checksum the normalised output.  A run:
 *
 *   1. the program's binary must be installed, or the row is status skip;
 *   2. a fresh directory under $TMPDIR; `prepare` writes the input there;
 *   3. a free loopback port for a server;
 *   4. the program starts there under the allocator with the probe
 *      (launch.c): the probe proves, inside it, that the allocator asked for
 *      serves its malloc;
 *   5. a server: once its port accepts (and the probe has said the
 *      allocator is live), `client` drives it, then SIGTERM; a server soak
 *      (redis-soak, memcached-soak) is driven by server_soak.c instead,
 *      which also sets its checksum (step 6 is skipped); any other program:
 *      wait for it;
 *   6. `checksum` of the output: equal under every allocator (run and sweep
 *      mark a different one `wrong`);
 *   7. the directory goes, and every process of the run's group with it,
 *      also on a timeout.
 * Time and peak RSS are the program's own (wait4), not the driver's.
 */
#define _GNU_SOURCE
#include "programs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"
#include "loadgen.h"
#include "measure.h"
#include "server_soak.h"

#define P(id, bin, pkg, srv, sum, exer)                                                                    \
    {.w = {.name = id, .summary = sum, .origin = "Debian package " pkg, .flags = HB_WL_PROGRAM},           \
     .binary = bin,                                                                                         \
     .package = pkg,                                                                                        \
     .server = srv,                                                                                         \
     .exercises = exer}

/* A server soak (server_soak.c): parameters duration, rate, conns; the soak phases. */
#define S(id, bin, pkg, proto, sum, exer)                                                                  \
    {.w = {.name = id,                                                                                     \
           .summary = sum,                                                                                 \
           .origin = "Debian package " pkg,                                                                \
           .flags = HB_WL_PROGRAM,                                                                         \
           .params = hb_server_soak_params,                                                                \
           .nparams = 3,                                                                                   \
           .phases = hb_server_soak_phases},                                                               \
     .binary = bin,                                                                                        \
     .package = pkg,                                                                                       \
     .server = 1,                                                                                          \
     .exercises = exer,                                                                                    \
     .soak = (proto) + 1}

static const hb_program programs[] = {
    P("lua", "lua5.4", "lua5.4", 0, "Lua 5.4: table churn, string building, closures, binary trees (bench.lua)",
      "a Lua heap of many small tables and strings, freed by Lua's incremental collector; realloc-heavy "
      "table growth through lua_Alloc"),
    P("sqlite", "sqlite3", "sqlite3", 0,
      "SQLite: a million-row insert, an index, joins, aggregates, delete, update, VACUUM on a temporary database",
      "the page cache and its varied sizes, sorting and join temporaries, a VACUUM that rebuilds the file"),
    P("z3", "z3", "z3", 0, "Z3: pigeonhole formulas, N-queens over integers, a bit-vector identity (SMT-LIB)",
      "an SMT solver's terms, clauses and learned lemmas: many small objects with long and short lives"),
    P("gs", "gs", "ghostscript", 0,
      "Ghostscript: a PostScript program of dictionaries, arrays, strings and filled curves, written to a PDF",
      "an interpreter's VM and a renderer's path and PDF-writer buffers"),
    P("memcached", "memcached", "memcached", 1,
      "memcached on loopback, driven by kv_client.py: sets, overwrites, deletes, gets of 10 B .. 20 KiB values",
      "a server with two worker threads; memcached's slab allocator takes 1 MiB pages from malloc, the "
      "connection buffers come from malloc directly"),
    P("redis", "redis-server", "redis-server", 1,
      "redis-server on loopback, driven by kv_client.py: SET/GET/DEL and list pushes, ranges and pops",
      "a single-threaded server of many small strings and list nodes (Debian links libjemalloc.so.2: the "
      "preloaded allocator serves malloc, redis's jemalloc statistics see an idle heap)"),
    S("redis-soak", "redis-server", "redis-server", HB_LG_RESP,
      "redis-server soaked: fill, overwrite churn, a large-value mix, delete 90%, idle, refill; open-loop "
      "requests at a fixed rate, RSS and INFO used_memory every 100 ms",
      "memory over time of a single-threaded server of many small and some large strings: fragmentation "
      "under churn, what comes back after a load drop, request latency as measured and corrected"),
    S("memcached-soak", "memcached", "memcached", HB_LG_MEMCACHE,
      "memcached soaked: fill, overwrite churn, a large-value mix, delete 90%, idle, refill; open-loop "
      "requests at a fixed rate, RSS and stats bytes every 100 ms",
      "memcached's slabs are 1 MiB pages from malloc that it keeps: the allocator sees the pages, hash "
      "table growth and connection buffers; request latency as measured and corrected"),
    P("rocksdb", "db_bench", "rocksdb-tools", 0, "RocksDB db_bench: fillrandom then readrandom on a fresh database",
      "a memtable skiplist, block cache and compaction buffers of a log-structured store"),
    P("git", "git", "git", 0,
      "git log -p --stat over a generated history of 350 commits to 8 files growing to ~250 KiB (gen_git.py)",
      "blobs inflated from delta chains, diffs and patches: blocks of tens of KiB to MiBs, made, grown by realloc "
      "(strbuf) and freed for every commit"),
    P("python", "/usr/bin/python3", "python3", 0,
      "python3, PYTHONMALLOC=malloc: every seed scenario of workloads/python in one interpreter",
      "every Python object through malloc: the allocator sees CPython's allocation profile whole"),
    P("python-pymalloc", "/usr/bin/python3", "python3", 0,
      "python3 as people run it (pymalloc): every seed scenario of workloads/python in one interpreter",
      "pymalloc serves blocks up to 512 B from its arenas; the allocator serves larger blocks and the arenas"),
};
#define NPROGRAMS (sizeof programs / sizeof programs[0])

size_t hb_program_count(void) { return NPROGRAMS; }
const hb_program *hb_program_at(size_t i) { return i < NPROGRAMS ? &programs[i] : NULL; }

const hb_program *hb_program_find(const char *name)
{
    for (size_t i = 0; name && i < NPROGRAMS; i++)
        if (strcmp(programs[i].w.name, name) == 0)
            return &programs[i];
    return NULL;
}

const hb_workload_ops *hb_find_workload(const char *name)
{
    const hb_workload_ops *w = hb_workload_find(name);
    const hb_program *p = w ? NULL : hb_program_find(name);
    return w ? w : p ? &p->w : NULL;
}

const char *hb_program_names(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NPROGRAMS && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", programs[i].w.name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

const hb_program *hb_program_of(const hb_workload_ops *w)
{
    for (size_t i = 0; w && i < NPROGRAMS; i++)
        if (&programs[i].w == w)
            return &programs[i];
    return NULL;
}

/* The binary's path in PATH (or itself, when absolute), or NULL. */
const char *hb_program_binary(const hb_program *p, char *buf, size_t len)
{
    if (p->binary[0] == '/')
        return access(p->binary, X_OK) == 0 ? snprintf(buf, len, "%s", p->binary), buf : NULL;
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", path ? path : "/usr/bin:/bin");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, len, "%s/%s", d, p->binary);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

/* workloads/real/programs.sh (HB_REAL_DIR overrides the directory). */
static const char *driver(char *buf, size_t len)
{
    const char *dir = getenv("HB_REAL_DIR");
    snprintf(buf, len, "%s/programs.sh", dir ? dir : HB_SOURCE_DIR "/workloads/real");
    return access(buf, R_OK) == 0 ? buf : NULL;
}

/* The last non-empty line of a file, without its newline ("" if none). */
static const char *last_line(const char *path, char *buf, size_t len)
{
    char line[256];
    FILE *f = fopen(path, "r");
    buf[0] = '\0';
    if (f == NULL)
        return buf;
    while (fgets(line, sizeof line, f))
        if (line[0] != '\n')
            snprintf(buf, len, "%s", line);
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

/* Runs `bash programs.sh NAME STEP DIR SCALE PORT`, stdout into out_path
 * (NULL: discarded), stderr into DIR/STEP.err; 0 when it exited 0 within
 * timeout_s, else -1 with the last line of its stderr in msg. */
static int step(const char *drv, const char *name, const char *what, const char *dir, double scale, int port,
                const char *out_path, unsigned timeout_s, char *msg, size_t len)
{
    char sc[32], po[16], errpath[PATH_MAX];
    snprintf(sc, sizeof sc, "%.17g", scale);
    snprintf(po, sizeof po, "%d", port);
    snprintf(errpath, sizeof errpath, "%s/%s.err", dir, what);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, len, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a client or driver never outlives heapbench */
        int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        unsetenv("LD_PRELOAD");
        execlp("bash", "bash", drv, name, what, dir, sc, po, (char *)NULL);
        _exit(127);
    }
    int st = 0, done = 0;
    uint64_t deadline = hb_now_ns() + (uint64_t)timeout_s * 1000000000ull;
    while (!done) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) {
            done = 1;
            break;
        }
        if (hb_now_ns() > deadline) {
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            snprintf(msg, len, "%s %s did not finish within %u s", name, what, timeout_s);
            return -1;
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    char last[256];
    last_line(errpath, last, sizeof last);
    snprintf(msg, len, "%s %s failed (%s %d)%s%s", name, what, WIFEXITED(st) ? "exit" : "signal",
             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), last[0] ? ": " : "", last);
    return -1;
}

/* A port on 127.0.0.1 that nothing listens on now, or 0. */
static int free_port(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int port = 0;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* Whether something accepts connections on 127.0.0.1:port. */
static int port_open(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Reads the program's command (the "env K=V" and "arg X" lines of the
 * driver's `command` step) from a file into argv and env. */
static int read_command(const char *path, char *store, size_t len, char **argv, size_t maxargs, char **env,
                        size_t maxenv)
{
    FILE *f = fopen(path, "r");
    size_t na = 0, ne = 0, used = 0;
    char line[4096];
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        size_t n = strlen(line);
        if (n < 4 || used + n - 3 >= len)
            continue;
        char *s = store + used;
        memcpy(s, line + 4, n - 3);
        used += n - 3;
        if (strncmp(line, "arg ", 4) == 0 && na + 1 < maxargs)
            argv[na++] = s;
        else if (strncmp(line, "env ", 4) == 0 && ne + 1 < maxenv)
            env[ne++] = s;
    }
    fclose(f);
    argv[na] = NULL;
    env[ne] = NULL;
    return na > 0 ? 0 : -1;
}

/* Seconds left of a budget that started at t0 (ns), at least 1. */
static unsigned seconds_left(uint64_t t0, unsigned budget)
{
    uint64_t spent = (hb_now_ns() - t0) / 1000000000ull;
    return spent + 1 >= budget ? 1 : (unsigned)(budget - spent);
}

void hb_program_cell(const hb_spec *s, unsigned timeout_s, hb_row *row, char *msg, size_t len)
{
    const hb_program *p = hb_program_of(s->workload);
    char bin[PATH_MAX], drvbuf[PATH_MAX], probebuf[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 32];
    char store[8192], *argv[64], *env[16];
    const char *drv = driver(drvbuf, sizeof drvbuf);
    const char *probe = hb_launch_probe(probebuf, sizeof probebuf);
    msg[0] = '\0';
    if (hb_program_binary(p, bin, sizeof bin) == NULL) {
        hb_row_set(row, HB_COL_status, "skip");
        snprintf(msg, len, "%s is not installed (apt-get install %s)", p->binary, p->package);
        return;
    }
    if (drv == NULL || probe == NULL) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(msg, len, "%s missing (set HB_REAL_DIR, or rebuild heapbench)", drv ? "libhb-probe.so" : "programs.sh");
        return;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/hb-%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", p->w.name);
    if (mkdtemp(dir) == NULL) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(msg, len, "mkdtemp %s: %s", dir, strerror(errno));
        return;
    }
    uint64_t t0 = hb_now_ns();
    unsigned budget = timeout_s ? timeout_s : 3600;
    int port = p->server ? free_port() : 0;
    snprintf(path, sizeof path, "%s/command", dir);
    if (step(drv, p->w.name, "prepare", dir, s->scale, port, NULL, budget, msg, len) != 0 ||
        step(drv, p->w.name, "command", dir, s->scale, port, path, 30, msg, len) != 0 ||
        read_command(path, store, sizeof store, argv, 64, env, 16) != 0) {
        hb_row_set(row, HB_COL_status, "error");
        if (msg[0] == '\0')
            snprintf(msg, len, "%s: the driver named no program", p->w.name);
        goto out;
    }
    unsigned left = seconds_left(t0, budget);
    snprintf(path, sizeof path, "%s/out", dir);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    snprintf(path, sizeof path, "%s/err", dir);
    int err = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    hb_launch l;
    int started = out >= 0 && err >= 0 && hb_launch_start(&l, s->allocator, probe, argv, env, dir, out, err, msg, len) == 0;
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    if (!started) {
        hb_row_set(row, HB_COL_status, "error");
        if (msg[0] == '\0')
            snprintf(msg, len, "cannot create the output files in %s", dir);
        goto out;
    }
    char client_msg[512] = "";
    int client_failed = 0, soak_rc = 0;
    if (p->server) {
        /* wait for the port, then drive the server and stop it */
        uint64_t wait_until = hb_now_ns() + 20000000000ull;
        while (!port_open(port) && hb_now_ns() < wait_until && waitpid(l.pid, NULL, WNOHANG) == 0) {
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
        }
        snprintf(path, sizeof path, "%s/client.out", dir);
        left = seconds_left(t0, budget);
        uint64_t c0 = hb_now_ns();
        if (!port_open(port)) {
            snprintf(client_msg, sizeof client_msg, "%s never accepted connections on port %d", p->w.name, port);
            client_failed = 1;
        } else if (strncmp(hb_launch_said(&l, 2000), "live=", 5) != 0) {
            client_failed = 1; /* the probe refused the run: hb_launch_finish says why */
        } else if (p->soak) {
            soak_rc = hb_server_soak(s, p->soak - 1, l.pid, port, row, client_msg, sizeof client_msg);
            client_failed = soak_rc < 0;
        } else {
            client_failed = step(drv, p->w.name, "client", dir, s->scale, port, path, left, client_msg,
                                 sizeof client_msg) != 0;
        }
        uint64_t c1 = hb_now_ns();
        hb_launch_finish(&l, 0, 1, row, msg, len);
        /* A server's time is its client's: from the first request to the
         * last answer, without the start-up wait and the shutdown
         * (memcached takes up to a second to notice SIGTERM, which made
         * its runs 1 or 2 s whatever the allocator). */
        if (!client_failed && row->v[HB_COL_wall_s][0] != '\0')
            hb_row_set(row, HB_COL_wall_s, "%.6f", (double)(c1 - c0) / 1e9);
    } else {
        hb_launch_finish(&l, left, 0, row, msg, len);
    }
    if (strcmp(row->v[HB_COL_status], "ok") != 0) {
        /* the program's own last words are the best evidence */
        char last[256];
        snprintf(path, sizeof path, "%s/err", dir);
        if (last_line(path, last, sizeof last)[0] != '\0') {
            size_t used = strlen(msg);
            snprintf(msg + used, len - used, "%s%s", used ? ": " : "", last);
        }
        goto out;
    }
    if (client_failed) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(msg, len, "%s", client_msg);
        goto out;
    }
    if (p->soak) { /* the soak set the checksum: the key set read back */
        if (soak_rc > 0) {
            hb_row_set(row, HB_COL_status, "wrong");
            snprintf(msg, len, "%s", client_msg);
        }
        goto out;
    }
    snprintf(path, sizeof path, "%s/checksum", dir);
    if (step(drv, p->w.name, "checksum", dir, s->scale, port, path, 60, msg, len) != 0) {
        hb_row_set(row, HB_COL_status, "error");
        goto out;
    }
    FILE *f = fopen(path, "r");
    char sum[80] = "";
    if (f == NULL || fgets(sum, sizeof sum, f) == NULL || sum[0] == '\n') {
        hb_row_set(row, HB_COL_status, "wrong");
        snprintf(msg, len, "%s produced no output to checksum", p->w.name);
    } else {
        sum[strcspn(sum, " \n")] = '\0';
        hb_row_set(row, HB_COL_checksum, "%s", sum);
    }
    if (f)
        fclose(f);
out:
    if (getenv("HB_KEEP_REAL_DIR") == NULL)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
