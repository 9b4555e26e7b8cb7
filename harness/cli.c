/*
 * cli.c: shared command-line pieces: usage errors, name lists, parameter
 * parsing and results files.  Bad input always ends here: one line on
 * stderr naming what was wrong and what is valid, exit status 2.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector_glue.h"
#include "spawn.h"

void hb_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("heapbench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(HB_EXIT_USAGE);
}

const char *hb_self_path(void)
{
    static char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return "heapbench";
    path[n] = '\0';
    return path;
}

int hb_cli_trust_allocators;

/* Runs `heapbench __preload-check SPEC` under LD_PRELOAD=library: the
 * dynamic loader's own verdict on the library (its message when it cannot be
 * preloaded), and the proof that malloc, free, calloc and realloc then
 * resolve into it.  Exits with a usage error when either fails. */
static void check_preload(const hb_allocator_ops *a)
{
    char spec[PATH_MAX + 64], out[2048];
    int fds[2];
    hb_allocator_spec(a, spec, sizeof spec);
    if (pipe2(fds, O_CLOEXEC) != 0)
        hb_usage_error("pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        hb_usage_error("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        setenv("LD_PRELOAD", a->preload, 1);
        execl(hb_self_path(), "heapbench", "__preload-check", spec, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t have = 0;
    int timed_out = 0;
    for (int waited_ms = 0;;) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int pr = poll(&pfd, 1, 100);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0) {
            ssize_t n = read(fds[0], out + have, sizeof out - 1 - have);
            if (n <= 0 || (have += (size_t)n) == sizeof out - 1)
                break;
        } else if ((waited_ms += 100) >= 10000) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
    }
    close(fds[0]);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    out[have] = '\0';
    char *nl = strchr(out, '\n');
    const char *loader = strstr(out, "cannot be preloaded");
    if (timed_out)
        hb_usage_error("allocator '%s' (%s): a program preloading it did not start within 10 s", a->name, a->preload);
    if (loader != NULL) {
        const char *open = strchr(loader, '(');
        const char *close_ = open ? strstr(open, "): ignored") : NULL;
        if (open && close_)
            hb_usage_error("allocator library %s cannot be loaded: %.*s", a->preload, (int)(close_ - open - 1), open + 1);
        hb_usage_error("allocator library %s cannot be loaded", a->preload);
    }
    if (WIFSIGNALED(wstatus))
        hb_usage_error("allocator '%s' (%s): a program preloading it died of signal %d (%s) before main", a->name,
                       a->preload, WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    if (nl)
        *nl = '\0';
    const char *said = strncmp(out, "heapbench: ", 11) == 0 ? out + 11 : out;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127) /* the dynamic loader gave up */
        hb_usage_error("allocator library %s cannot be loaded: %s", a->preload, said[0] ? said : "exit status 127");
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        hb_usage_error("%s", said[0] ? said : "allocator library check failed");
}

int hb_cmd_preload_check(int argc, char **argv)
{
    char msg[1024];
    if (argc != 2)
        return 2;
    const hb_allocator_ops *a = hb_allocator_resolve(argv[1], msg, sizeof msg);
    if (a == NULL || hb_verify_library(a->name, a->preload, msg, sizeof msg) != 0) {
        printf("heapbench: %s\n", msg);
        return 1;
    }
    return 0;
}

size_t hb_parse_allocators(const char *list, const hb_allocator_ops **out, size_t max)
{
    char names[512], msg[1024];
    size_t n = 0;
    if (list == NULL || list[0] == '\0')
        hb_usage_error("no allocator given (-a NAME[,NAME...], NAME=PATH.so, a library path, or -a all; valid: %s)",
                       hb_allocator_names(names, sizeof names));
    char buf[8192];
    if (strlen(list) >= sizeof buf)
        hb_usage_error("allocator list too long");
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const hb_allocator_ops *one[64];
        size_t k = 0;
        if (strcmp(tok, "all") == 0) {
            for (size_t i = 0; i < hb_allocator_count() && k < 64; i++)
                one[k++] = hb_allocator_at(i);
        } else {
            one[k] = hb_allocator_resolve(tok, msg, sizeof msg);
            if (one[k++] == NULL)
                hb_usage_error("%s", msg);
        }
        for (size_t j = 0; j < k; j++) {
            for (size_t i = 0; i < n; i++)
                if (out[i] == one[j] || strcmp(out[i]->name, one[j]->name) == 0)
                    hb_usage_error("allocator '%s' is given twice in -a %s", one[j]->name, list);
            if (n == max)
                hb_usage_error("too many allocators (at most %zu)", max);
            out[n++] = one[j];
        }
    }
    if (n == 0)
        hb_usage_error("no allocator given (valid: %s)", hb_allocator_names(names, sizeof names));
    for (size_t i = 0; i < n && !hb_cli_trust_allocators; i++) {
        if (!(out[i]->caps & HB_ALLOC_EXTERNAL))
            continue;
        check_preload(out[i]);
        if (hb_allocator_missing(out[i])[0] != '\0')
            fprintf(stderr, "heapbench: note: allocator '%s' (%s) does not define %s: glibc still serves %s\n",
                    out[i]->name, out[i]->preload, hb_allocator_missing(out[i]),
                    strchr(hb_allocator_missing(out[i]), ',') ? "them" : "it");
    }
    return n;
}

int hb_mkdirs(const char *dir)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        struct stat st;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return -1;
        if (stat(p, &st) != 0)
            return -1;
        if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
        *s = c;
        if (c == '\0')
            return 0;
    }
}

int hb_open_results(const char *path)
{
    char header[4096];
    int hlen = hb_csv_header(header, sizeof header);
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        hb_usage_error("cannot write results file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        hb_usage_error("results file %s is not a regular file", path);
    }
    if (st.st_size == 0) {
        if (write(fd, header, (size_t)hlen) != hlen) {
            int e = errno;
            close(fd);
            unlink(path);
            hb_usage_error("cannot write results file %s: %s", path, strerror(e));
        }
        return fd;
    }
    char first[4096];
    ssize_t got = pread(fd, first, sizeof first - 1, 0);
    first[got > 0 ? got : 0] = '\0';
    char *nl = strchr(first, '\n');
    if (nl == NULL || (size_t)(nl - first + 1) != (size_t)hlen || memcmp(first, header, (size_t)hlen) != 0) {
        close(fd);
        hb_usage_error("results file %s exists with another header (not schema %d of heapbench); "
                       "choose another file",
                       path, HB_SCHEMA_VERSION);
    }
    return fd;
}

int hb_write_row(int fd, const char *path, const hb_row *row)
{
    if (hb_row_append(fd, row) != 0) {
        fprintf(stderr, "heapbench: cannot append to %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

unsigned long hb_parse_ulong(const char *opt, const char *v, unsigned long min, unsigned long max)
{
    char *end = NULL;
    errno = 0;
    if (v == NULL || v[0] == '-' || v[0] == '\0')
        hb_usage_error("%s needs an integer in [%lu, %lu]", opt, min, max);
    unsigned long long x = strtoull(v, &end, 10);
    if (errno != 0 || *end != '\0' || x < min || x > max)
        hb_usage_error("%s %s: expected an integer in [%lu, %lu]", opt, v, min, max);
    return (unsigned long)x;
}

void hb_parse_cpus(const char *v)
{
    cpu_set_t want, have;
    char buf[256];
    CPU_ZERO(&want);
    if (v == NULL || v[0] == '\0' || strlen(v) >= sizeof buf)
        hb_usage_error("--cpus needs a list of CPUs (0,1 or 0-3)");
    if (sched_getaffinity(0, sizeof have, &have) != 0)
        hb_usage_error("--cpus: cannot read this process's CPUs: %s", strerror(errno));
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(t, '-');
        if (dash)
            *dash = '\0';
        unsigned long lo = hb_parse_ulong("--cpus", t, 0, CPU_SETSIZE - 1);
        unsigned long hi = dash ? hb_parse_ulong("--cpus", dash + 1, lo, CPU_SETSIZE - 1) : lo;
        for (unsigned long c = lo; c <= hi; c++) {
            if (!CPU_ISSET(c, &have))
                hb_usage_error("--cpus %s: CPU %lu is not available to this process", v, c);
            CPU_SET(c, &want);
        }
    }
    hb_spawn_pin(&want);
}

size_t hb_parse_threads(const char *opt, const char *v, int *out, size_t max)
{
    char buf[256];
    size_t n = 0;
    if (v == NULL || v[0] == '\0' || strlen(v) >= sizeof buf)
        hb_usage_error("%s needs a thread count or a list of them (1,2,4)", opt);
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == max)
            hb_usage_error("%s %s: at most %zu thread counts", opt, v, max);
        int x = (int)hb_parse_ulong(opt, t, 1, 1024);
        for (size_t i = 0; i < n; i++)
            if (out[i] == x)
                hb_usage_error("%s %s: %d is given twice", opt, v, x);
        out[n++] = x;
    }
    if (n == 0)
        hb_usage_error("%s needs a thread count or a list of them (1,2,4)", opt);
    return n;
}

void hb_spec_init(hb_spec *s, const hb_workload_ops *w)
{
    hb_workload_env env;
    memset(s, 0, sizeof *s);
    memset(&env, 0, sizeof env);
    s->workload = w;
    s->threads = 1;
    s->scale = 1.0;
    s->seed = 42;
    s->measure = HB_MEASURE_ALL;
    s->lat_every = 64;
    s->timeline_ms = 10;
    hb_workload_defaults(w, &env);
    memcpy(s->params, env.params, sizeof s->params);
}

void hb_apply_duration(hb_spec *s, const char *v)
{
    char msg[512];
    int i = hb_workload_param_index(s->workload, "duration");
    if (i < 0)
        hb_usage_error("--duration: workload '%s' has no duration (it runs a fixed amount of work; "
                       "soaks such as service-soak have one)", s->workload->name);
    if (hb_workload_param_parse(s->workload, i, v, &s->params[i], msg, sizeof msg) != 0)
        hb_usage_error("--duration %s: %s", v, msg);
}

unsigned hb_default_timeout(const hb_spec *s, unsigned dflt)
{
    int i = hb_workload_param_index(s->workload, "duration");
    if (i < 0 || dflt == 0)
        return dflt;
    long long t = 2 * s->params[i] + 300;
    return t > (long long)dflt ? (unsigned)(t > 86400 * 3 ? 86400 * 3 : t) : dflt;
}

void hb_parse_param(hb_spec *s, const char *kv)
{
    char key[64], msg[512];
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof key)
        hb_usage_error("-p %s: expected KEY=VALUE", kv);
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    const char *val = eq + 1;
    if (strcmp(key, "scale") == 0) {
        char *end = NULL;
        errno = 0;
        double d = strtod(val, &end);
        if (errno != 0 || end == val || *end != '\0' || !(d > 0) || d > 1000)
            hb_usage_error("-p scale=%s: expected a number in (0, 1000]", val);
        s->scale = d;
        return;
    }
    int i = hb_workload_param_index(s->workload, key);
    if (i < 0) {
        char valid[512] = "scale";
        size_t used = strlen(valid);
        for (size_t k = 0; k < s->workload->nparams; k++) {
            int n = snprintf(valid + used, sizeof valid - used, ", %s", s->workload->params[k].name);
            if (n > 0 && (size_t)n < sizeof valid - used)
                used += (size_t)n;
        }
        hb_usage_error("workload '%s' has no parameter '%s' (valid: %s)", s->workload->name, key, valid);
    }
    if (hb_workload_param_parse(s->workload, i, val, &s->params[i], msg, sizeof msg) != 0)
        hb_usage_error("%s", msg);
}

void hb_spec_params_text(const hb_spec *s, char *buf, size_t len)
{
    size_t used = 0;
    int n = snprintf(buf, len, "scale=%g", s->scale);
    if (n > 0)
        used = (size_t)n;
    for (size_t i = 0; i < s->workload->nparams && used < len; i++) {
        const hb_param_def *d = &s->workload->params[i];
        if (d->choices)
            n = snprintf(buf + used, len - used, ";%s=%s", d->name, d->choices[s->params[i]]);
        else
            n = snprintf(buf + used, len - used, ";%s=%lld", d->name, s->params[i]);
        if (n > 0)
            used += (size_t)n;
    }
}

unsigned hb_parse_measure(const char *v)
{
    if (strcmp(v, "all") == 0)
        return HB_MEASURE_ALL;
    if (strcmp(v, "none") == 0)
        return 0;
    if (v[0] >= '0' && v[0] <= '9')
        return (unsigned)hb_parse_ulong("--measure", v, 0, HB_MEASURE_ALL | HB_MEASURE_INSTR);
    unsigned m = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "count") == 0)
            m |= HB_MEASURE_COUNT;
        else if (strcmp(t, "latency") == 0)
            m |= HB_MEASURE_LATENCY;
        else if (strcmp(t, "frag") == 0)
            m |= HB_MEASURE_FRAG | HB_MEASURE_COUNT;
        else if (strcmp(t, "all") == 0)
            m |= HB_MEASURE_ALL;
        else if (strcmp(t, "instructions") == 0)
            m |= HB_MEASURE_INSTR;
        else
            hb_usage_error("--measure %s: '%s' is not one of: all, none, count, latency, frag, instructions", v, t);
    }
    if ((m & HB_MEASURE_INSTR) && system("command -v valgrind >/dev/null 2>&1") != 0)
        hb_usage_error("--measure instructions: valgrind is not installed (apt-get install valgrind)");
    return m;
}
