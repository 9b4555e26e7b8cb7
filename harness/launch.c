/*
 * launch.c: programs heapbench did not write, run under an allocator (see
 * launch.h).  The wall time runs from the fork to the reaping; CPU times and
 * the peak resident set come from wait4 and cover the program and the
 * children it waited for.
 */
#define _GNU_SOURCE
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"
#include "spawn.h"

#define PROBE_FD 63

/* A file beside the heapbench binary, or NULL. */
static const char *beside_self(const char *file, char *buf, size_t len)
{
    char self[PATH_MAX];
    snprintf(self, sizeof self, "%s", hb_self_path());
    snprintf(buf, len, "%s/%s", dirname(self), file);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

const char *hb_launch_probe(char *buf, size_t len) { return beside_self("libhb-probe.so", buf, len); }

int hb_launch_possible(const hb_allocator_ops *a) { return a->preload != NULL || (a->caps & HB_ALLOC_PROCESS); }

const char *hb_launch_library(const hb_allocator_ops *a, char *buf, size_t len)
{
    if (a->preload == NULL)
        return NULL;
    if (a->caps & HB_ALLOC_PROCESS)
        return a->preload;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", a->preload);
    const char *near = beside_self(basename(tmp), buf, len);
    return near ? near : a->preload;
}

int hb_launch_start(hb_launch *l, const hb_allocator_ops *a, const char *probe, char *const argv[],
                    char *const env[], const char *cwd, int out_fd, int err_fd, char *msg, size_t len)
{
    char lib[PATH_MAX], preload[2 * PATH_MAX + 2];
    const char *alib = hb_launch_library(a, lib, sizeof lib);
    int fds[2];
    memset(l, 0, sizeof *l);
    l->probe_fd = -1;
    snprintf(l->what, sizeof l->what, "%s", argv[0]);
    if (!hb_launch_possible(a)) {
        snprintf(msg, len, "allocator '%s' has no library to run other programs on", a->name);
        return -1;
    }
    snprintf(preload, sizeof preload, "%s%s%s", alib ? alib : "", alib ? ":" : "", probe);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(msg, len, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    l->t0 = hb_now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(msg, len, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        char fdtext[16], spec[PATH_MAX + 64];
        setpgid(0, 0); /* a group of its own, so a timeout kills its children too */
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* and it dies with heapbench, even a killed heapbench */
        hb_spawn_apply_pin();
        if (getppid() == 1)
            _exit(127);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (dup2(fds[1], PROBE_FD) < 0)
            _exit(127);
        if (out_fd >= 0)
            dup2(out_fd, 1);
        if (err_fd >= 0)
            dup2(err_fd, 2);
        if (cwd != NULL && chdir(cwd) != 0) {
            dprintf(PROBE_FD, "execfail=cannot enter %s: %s\n", cwd, strerror(errno));
            _exit(127);
        }
        for (char *const *e = env; e && *e; e++)
            putenv(*e);
        snprintf(fdtext, sizeof fdtext, "%d", PROBE_FD);
        setenv("HB_PROBE_FD", fdtext, 1);
        setenv("HB_PROBE_EXPECT", hb_allocator_spec(a, spec, sizeof spec), 1);
        setenv("LD_PRELOAD", preload, 1);
        execvp(argv[0], argv);
        dprintf(PROBE_FD, "execfail=%s\n", strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    l->pid = pid;
    l->probe_fd = fds[0];
    return 0;
}

const char *hb_launch_said(hb_launch *l, unsigned wait_ms)
{
    struct pollfd p = {.fd = l->probe_fd, .events = POLLIN};
    if (l->said[0] == '\0' && l->probe_fd >= 0 && poll(&p, 1, (int)wait_ms) > 0) {
        ssize_t n = read(l->probe_fd, l->said, sizeof l->said - 1);
        l->said[n > 0 ? n : 0] = '\0';
    }
    return l->said;
}

void hb_launch_finish(hb_launch *l, unsigned timeout_s, int stop, hb_row *row, char *msg, size_t len)
{
    int wstatus = 0, timed_out = 0;
    struct rusage ru;
    uint64_t start = hb_now_ns(), stop_at = 0;
    memset(&ru, 0, sizeof ru);
    msg[0] = '\0';
    if (stop) {
        kill(-l->pid, SIGTERM);
        stop_at = start + 5000000000ull;
    }
    for (;;) {
        pid_t w = wait4(l->pid, &wstatus, WNOHANG, &ru);
        if (w == l->pid)
            break;
        if (w < 0 && errno != EINTR)
            break;
        uint64_t now = hb_now_ns();
        int over_time = timeout_s > 0 && now - l->t0 > (uint64_t)timeout_s * 1000000000ull;
        int over_stop = stop_at != 0 && now > stop_at; /* a server that ignored SIGTERM for 5 s */
        if (!timed_out && (over_time || over_stop)) {
            kill(-l->pid, SIGKILL);
            kill(l->pid, SIGKILL);
            timed_out = over_time ? 1 : 2;
        }
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    uint64_t t1 = hb_now_ns();
    kill(-l->pid, SIGKILL); /* anything the program left running in its group */
    char buf[1024];
    ssize_t n = l->said[0] ? 0 : read(l->probe_fd, buf, sizeof buf - 1);
    close(l->probe_fd);
    buf[n > 0 ? n : 0] = '\0';
    if (l->said[0])
        snprintf(buf, sizeof buf, "%s", l->said);
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';

    hb_row_set(row, HB_COL_wall_s, "%.6f", (double)(t1 - l->t0) / 1e9);
    hb_row_set(row, HB_COL_user_s, "%.6f", (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6);
    hb_row_set(row, HB_COL_sys_s, "%.6f", (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
    hb_row_set(row, HB_COL_peak_rss_kib, "%ld", ru.ru_maxrss);
    if (strncmp(buf, "execfail=", 9) == 0) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(msg, len, "cannot run %.200s: %.200s", l->what, buf + 9);
    } else if (timed_out == 1) {
        hb_row_set(row, HB_COL_status, "timeout");
        snprintf(msg, len, "killed after %u s", timeout_s);
    } else if (strncmp(buf, "live=", 5) != 0) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(msg, len, "%s", buf[0] ? buf + (strncmp(buf, "notlive=", 8) == 0 ? 8 : 0)
                                        : "the program never reported its allocator (is it static, or setuid?)");
    } else if (timed_out == 2) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(msg, len, "did not stop within 5 s of SIGTERM");
    } else if (WIFSIGNALED(wstatus) && !(stop && WTERMSIG(wstatus) == SIGTERM)) {
        hb_row_set(row, HB_COL_status, "crash");
        snprintf(msg, len, "died of signal %d (%s)", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0 && !stop) {
        hb_row_set(row, HB_COL_status, "error");
        snprintf(msg, len, "exited with status %d", WEXITSTATUS(wstatus));
    } else {
        hb_row_set(row, HB_COL_status, "ok");
    }
}
