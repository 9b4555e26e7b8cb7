/*
 * spawn.c: one child process per measured run.
 *
 * A run is two passes, each its own child: a clean pass with no wrapper
 * between the workload and the allocator gives every time and RSS column;
 * an instrumented pass (counting and latency wrappers, and the timeline)
 * gives peak_live_bytes, internal_frag and the latencies, so the wrappers'
 * cost never shows in the timings.  Both must compute the same checksum.
 *
 * The parent forks, points LD_PRELOAD at the allocator's library (or removes
 * it), and execs itself as `heapbench __child` with the cell's arguments and
 * a pipe on descriptor 3.  It reads "column=value" lines until the pipe
 * closes or the deadline passes (then SIGKILL: status timeout), and reaps the
 * child: death by a signal, or an exit without a status line, is a crash.
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"
#include "programs.h"
#include "provenance.h"

volatile int hb_interrupted;

/* The CPUs children run on (--cpus), or none set: the scheduler's choice. */
static cpu_set_t spawn_cpus;
static int spawn_pinned;

void hb_spawn_pin(const cpu_set_t *cpus)
{
    spawn_cpus = *cpus;
    spawn_pinned = 1;
}

void hb_spawn_apply_pin(void)
{
    if (spawn_pinned && sched_setaffinity(0, sizeof spawn_cpus, &spawn_cpus) != 0)
        _exit(126);
}

static void on_sigint(int sig)
{
    (void)sig;
    hb_interrupted = 1;
}

void hb_spawn_install_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int hb_spec_to_argv(const hb_spec *s, char **argv, int max, char *store, size_t len)
{
    int argc = 0;
    size_t used = 0;
#define ARG(...)                                                                                         \
    do {                                                                                                 \
        int n_ = snprintf(store + used, len - used, __VA_ARGS__);                                        \
        if (n_ < 0 || (size_t)n_ >= len - used || argc + 2 >= max)                                       \
            return -1;                                                                                   \
        argv[argc++] = store + used;                                                                     \
        used += (size_t)n_ + 1;                                                                          \
    } while (0)
    ARG("heapbench");
    ARG("__child");
    ARG("-w");
    ARG("%s", s->workload->name);
    char aspec[4200];
    ARG("-a");
    ARG("%s", hb_allocator_spec(s->allocator, aspec, sizeof aspec));
    if (s->collector) {
        ARG("-c");
        ARG("%s", s->collector);
    }
    ARG("-t");
    ARG("%d", s->threads);
    ARG("--seed");
    ARG("%llu", (unsigned long long)s->seed);
    ARG("-p");
    ARG("scale=%.17g", s->scale);
    for (size_t i = 0; i < s->workload->nparams; i++) {
        const hb_param_def *d = &s->workload->params[i];
        ARG("-p");
        if (d->choices)
            ARG("%s=%s", d->name, d->choices[s->params[i]]);
        else
            ARG("%s=%lld", d->name, s->params[i]);
    }
    ARG("--measure");
    ARG("%u", s->measure);
    ARG("--lat-every");
    ARG("%u", s->lat_every);
    if (s->timeline) {
        ARG("--timeline");
        ARG("%s", s->timeline);
        ARG("--timeline-ms");
        ARG("%u", s->timeline_ms);
    }
    if (s->latfile) {
        ARG("--latency");
        ARG("%s", s->latfile);
    }
#undef ARG
    argv[argc] = NULL;
    return argc;
}

char hb_spawn_progress[512];
int hb_spawn_progress_tty;

/* A child announced a phase: the progress line shows it. */
static void show_phase(const char *phase, const hb_spec *s)
{
    if (hb_spawn_progress[0] == '\0')
        return;
    const char *pass = s->measure ? "instrumented pass" : "clean pass";
    if (hb_spawn_progress_tty)
        fprintf(stderr, "\r\033[K%s  [%s: %s]", hb_spawn_progress, pass, phase);
    else
        fprintf(stderr, "%s: %s: phase %s\n", hb_spawn_progress, pass, phase);
}

/* Applies one "column=value" line to the row (message goes aside). */
static void take_line(char *line, hb_row *row, char *message, size_t msglen)
{
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return;
    *eq = '\0';
    if (strcmp(line, "message") == 0) {
        snprintf(message, msglen, "%s", eq + 1);
        return;
    }
    int col = hb_column_index(line);
    if (col >= 0)
        hb_row_set(row, col, "%s", eq + 1);
}

/* One child, one pass; with `callgrind_out`, under valgrind's callgrind,
 * which writes its counts there (the allocator is still the preloaded one:
 * callgrind replaces no malloc, and the child verifies it as always). */
static void spawn_pass(const char *self, const hb_spec *s, unsigned timeout_s, hb_row *row, char *message,
                       size_t msglen, const char *callgrind_out)
{
    char *argv[64 + 2 * HB_MAX_PARAMS];
    char store[8192];
    int fds[2];

    message[0] = '\0';
    if (hb_spec_to_argv(s, argv, (int)(sizeof argv / sizeof argv[0]), store, sizeof store) < 0) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(message, msglen, "arguments too long");
        return;
    }
    if (pipe2(fds, O_CLOEXEC) != 0) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(message, msglen, "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        hb_row_set(row, HB_COL_status, "error");
        snprintf(message, msglen, "fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        hb_spawn_apply_pin();
        if (dup2(fds[1], 3) < 0)
            _exit(127);
        if (s->allocator->preload != NULL && (s->allocator->caps & HB_ALLOC_PROCESS))
            setenv("LD_PRELOAD", s->allocator->preload, 1);
        else
            unsetenv("LD_PRELOAD");
        if (callgrind_out != NULL) {
            char outopt[4200];
            char *vargv[8 + 64 + 2 * HB_MAX_PARAMS];
            int k = 0;
            snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s", callgrind_out);
            vargv[k++] = "valgrind";
            vargv[k++] = "-q";
            vargv[k++] = "--tool=callgrind";
            vargv[k++] = outopt;
            vargv[k++] = "--compress-strings=no";
            vargv[k++] = "--compress-pos=no";
            vargv[k++] = (char *)self;
            for (int j = 1; argv[j] != NULL; j++)
                vargv[k++] = argv[j];
            vargv[k] = NULL;
            execvp("valgrind", vargv);
            _exit(127);
        }
        execv(self, argv);
        _exit(127);
    }
    close(fds[1]);

    char buf[16384];
    size_t have = 0, scanned = 0; /* scanned: bytes looked at for phase lines */
    int timed_out = 0;
    uint64_t deadline = hb_now_ns() + (uint64_t)timeout_s * 1000000000ull;
    for (;;) {
        uint64_t now = hb_now_ns();
        if (timeout_s > 0 && now >= deadline) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int wait_ms = timeout_s > 0 ? (int)((deadline - now) / 1000000 + 1) : -1;
        if (wait_ms > 1000 || wait_ms < 0)
            wait_ms = 1000; /* wake up now and then to notice Ctrl-C */
        int pr = poll(&pfd, 1, wait_ms);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0)
            continue;
        ssize_t n = read(fds[0], buf + have, sizeof buf - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        for (char *nl; (nl = memchr(buf + scanned, '\n', have - scanned)) != NULL; scanned = (size_t)(nl - buf) + 1)
            if (strncmp(buf + scanned, "phase=", 6) == 0) {
                char phase[64];
                snprintf(phase, sizeof phase, "%.*s", (int)(nl - buf - (ptrdiff_t)scanned - 6), buf + scanned + 6);
                show_phase(phase, s);
            }
        if (have == sizeof buf - 1)
            break;
    }
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    buf[have] = '\0';
    for (char *line = buf, *nl; line && *line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        take_line(line, row, message, msglen);
    }
    if (timed_out) {
        hb_row_set(row, HB_COL_status, "timeout");
        snprintf(message, msglen, "killed after %u s", timeout_s);
    } else if (WIFSIGNALED(wstatus)) {
        hb_row_set(row, HB_COL_status, "crash");
        snprintf(message, msglen, "child died of signal %d (%s)", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    } else if (row->v[HB_COL_status][0] == '\0') {
        hb_row_set(row, HB_COL_status, "crash");
        if (message[0] == '\0')
            snprintf(message, msglen, "child exited with status %d before reporting",
                     WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    }
}

static void cell_passes(const char *self, const hb_spec *s, unsigned timeout_s, hb_row *row, char *message,
                        size_t msglen);

/* Columns that only the instrumented pass measures. */
static const int instrumented_cols[] = {HB_COL_peak_live_bytes, HB_COL_internal_frag, HB_COL_lat_p50_ns,
                                        HB_COL_lat_p99_ns, HB_COL_lat_p999_ns, HB_COL_lat_max_ns};

/* Self instruction counts per object in a callgrind output file: the total,
 * and those of the object that is the file `object` (0 when object is "").
 * 0, or -1 when the file cannot be read. */
static int callgrind_counts(const char *path, const char *object, unsigned long long *total,
                            unsigned long long *in_object)
{
    char line[8192], want[4096] = "", cur[4096] = "";
    FILE *f = fopen(path, "r");
    int after_call = 0, in_obj = 0;
    *total = *in_object = 0;
    if (f == NULL)
        return -1;
    if (object[0] && realpath(object, want) == NULL)
        snprintf(want, sizeof want, "%s", object);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "ob=", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            if (realpath(line + 3, cur) == NULL)
                snprintf(cur, sizeof cur, "%.4000s", line + 3);
            in_obj = want[0] && strcmp(cur, want) == 0;
            continue;
        }
        if (strncmp(line, "calls=", 6) == 0) { /* the next cost line is the call's inclusive cost */
            after_call = 1;
            continue;
        }
        unsigned long long pos, cost;
        if ((line[0] >= '0' && line[0] <= '9') || line[0] == '+' || line[0] == '-' || line[0] == '*') {
            if (sscanf(line, "%*s %llu", &cost) == 1 || sscanf(line, "%llu %llu", &pos, &cost) == 2) {
                if (!after_call) {
                    *total += cost;
                    if (in_obj)
                        *in_object += cost;
                }
            }
            after_call = 0;
        }
    }
    fclose(f);
    return 0;
}

/* The third pass of --measure instructions: the clean run again under
 * callgrind, which counts instructions exactly (about 1% apart run to run,
 * where time here spreads 30%); the checksum must match the clean pass. */
static void instruction_pass(const char *self, const hb_spec *s, unsigned timeout_s, hb_row *row, char *message,
                             size_t msglen)
{
    char path[] = "/tmp/hb-callgrind-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    close(fd);
    hb_spec c = *s;
    c.measure = 0;
    c.timeline = NULL;
    c.latfile = NULL;
    hb_row cg;
    hb_row_clear(&cg);
    /* callgrind runs a program about 50 times slower */
    spawn_pass(self, &c, timeout_s ? timeout_s * 60 : 0, &cg, message, msglen, path);
    unsigned long long total = 0, mine = 0;
    const char *obj = (s->allocator->caps & HB_ALLOC_PROCESS) ? hb_allocator_path(s->allocator) : "";
    if (strcmp(cg.v[HB_COL_status], "ok") != 0) {
        snprintf(message, msglen, "the run under callgrind: %s", cg.v[HB_COL_status]);
    } else if (strcmp(cg.v[HB_COL_checksum], row->v[HB_COL_checksum]) != 0) {
        hb_row_set(row, HB_COL_status, "wrong");
        snprintf(message, msglen, "checksum %s under callgrind, %s in the clean pass", cg.v[HB_COL_checksum],
                 row->v[HB_COL_checksum]);
    } else if (callgrind_counts(path, obj, &total, &mine) == 0 && total > 0) {
        hb_row_set(row, HB_COL_instructions, "%llu", total);
        if (obj[0])
            hb_row_set(row, HB_COL_alloc_instructions, "%llu", mine);
    }
    unlink(path);
}

void hb_spawn_cell(const char *self, const hb_spec *in, unsigned timeout_s, hb_row *row, char *message,
                   size_t msglen)
{
    if (in->workload->flags & HB_WL_PROGRAM) { /* a real program: its own process, no instrumented pass */
        hb_program_cell(in, timeout_s, row, message, msglen);
        return;
    }
    hb_spec plain = *in;
    plain.measure &= ~HB_MEASURE_INSTR;
    const hb_spec *s = &plain;
    cell_passes(self, s, timeout_s, row, message, msglen);
    /* single-threaded runs only: valgrind serialises threads */
    if ((in->measure & HB_MEASURE_INSTR) && in->threads == 1 && strcmp(row->v[HB_COL_status], "ok") == 0 &&
        !hb_interrupted)
        instruction_pass(self, s, timeout_s, row, message, msglen);
}

static void cell_passes(const char *self, const hb_spec *s, unsigned timeout_s, hb_row *row, char *message,
                        size_t msglen)
{
    /* A workload with phases (a soak) writes its timeline in the clean pass,
     * the one its soak_* columns come from; others in the instrumented
     * pass (live bytes from the counting wrapper). */
    int phased = s->workload->phases != NULL;
    hb_spec clean = *s;
    clean.measure = 0;
    clean.latfile = NULL;
    if (!phased)
        clean.timeline = NULL;
    spawn_pass(self, &clean, timeout_s, row, message, msglen, NULL);
    if (s->measure == 0 || strcmp(row->v[HB_COL_status], "ok") != 0 || hb_interrupted)
        return;

    hb_row inst;
    hb_row_clear(&inst);
    hb_spec instrumented = *s;
    if (phased)
        instrumented.timeline = NULL;
    spawn_pass(self, &instrumented, timeout_s, &inst, message, msglen, NULL);
    if (strcmp(inst.v[HB_COL_status], "ok") != 0) {
        hb_row_set(row, HB_COL_status, "%s", inst.v[HB_COL_status]);
        return;
    }
    if (strcmp(inst.v[HB_COL_checksum], row->v[HB_COL_checksum]) != 0) {
        hb_row_set(row, HB_COL_status, "wrong");
        snprintf(message, msglen, "checksum %s in the instrumented pass, %s in the clean one",
                 inst.v[HB_COL_checksum], row->v[HB_COL_checksum]);
        return;
    }
    for (size_t i = 0; i < sizeof instrumented_cols / sizeof instrumented_cols[0]; i++)
        hb_row_set(row, instrumented_cols[i], "%s", inst.v[instrumented_cols[i]]);
    int ok1, ok2, ok3;
    double peak = hb_row_num(row, HB_COL_peak_rss_kib, &ok1);
    double base = hb_row_num(row, HB_COL_baseline_rss_kib, &ok2);
    double live = hb_row_num(row, HB_COL_peak_live_bytes, &ok3);
    if (ok1 && ok2 && ok3 && live > 0)
        hb_row_set(row, HB_COL_overhead_ratio, "%.4f", (peak - base) * 1024.0 / live);
}

void hb_row_library(hb_row *row, const hb_allocator_ops *a)
{
    /* In-process plug-ins are heapbench's own code: the heapbench column
     * identifies them.  A process allocator is the library it preloads. */
    if (!(a->caps & HB_ALLOC_PROCESS))
        return;
    hb_row_set(row, HB_COL_alloc_path, "%s", hb_allocator_path(a));
    hb_row_set(row, HB_COL_alloc_sha256, "%s", hb_allocator_sha256(a));
}

void hb_row_identity(hb_row *row, const hb_spec *s, unsigned run)
{
    char params[HB_FIELD_MAX];
    hb_spec_params_text(s, params, sizeof params);
    hb_row_clear(row);
    hb_row_set(row, HB_COL_schema, "%d", HB_SCHEMA_VERSION);
    hb_row_set(row, HB_COL_heapbench, "%s", HB_VERSION);
    hb_row_set(row, HB_COL_workload, "%s", s->workload->name);
    hb_row_set(row, HB_COL_allocator, "%s", s->allocator->name);
    hb_row_library(row, s->allocator);
    hb_row_provenance(row);
    hb_row_set(row, HB_COL_collector, "%s", s->collector ? s->collector : "");
    hb_row_set(row, HB_COL_threads, "%d", s->threads);
    hb_row_set(row, HB_COL_params, "%s", params);
    hb_row_set(row, HB_COL_run, "%u", run);
}
