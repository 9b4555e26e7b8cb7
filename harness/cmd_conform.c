/*
 * cmd_conform.c: `heapbench conform LIB...`: the allocator rules of
 * docs/conformance.md section 1, and the malloc-API rules beyond it, against any
 * malloc library, each rule in a child process of its own with a time limit.
 *
 * The rules are written once, in tests/allocators/ (conform_common.c,
 * conform_stress.c, conform_extra.c, conform_api.c, conform_iface.c), and
 * built into two runner programs that sit beside heapbench:
 *   conform_api NAME RULE    the C malloc family of whatever serves malloc in
 *                            the process: run with LD_PRELOAD=library (none
 *                            for libc) and, for a library given by path,
 *                            HB_CONFORM_LIB=its file (no recorded divergence:
 *                            the C standard and POSIX decide);
 *   conform_iface NAME RULE  an in-process plug-in through hb_alloc (naive,
 *                            pooled, bump).
 * The CTest tests alloc.<plugin>.<rule> run through this command, so the
 * suite and `heapbench conform` are one implementation.
 *
 * A runner prints "FAIL alloc.<lib>.<rule>: <evidence>" and exits 1, or exits
 * 0 after "observed: ..." lines (record items) and "recorded: ..." lines
 * (a registered allocator's known divergence from the reference).  Verdicts:
 *   pass        exit 0, nothing recorded;
 *   recorded    exit 0 with a "recorded:" line: a known divergence, not a failure;
 *   FAIL        exit 1 (its evidence), death by a signal, or the time limit;
 *   for the record-only rules (malloc0, realloc-zero): what the library does.
 * Exit status: 0 when no rule failed, 1 when one did, 2 on bad input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"
#include "spawn.h"

#define MAX_LIBS 32
#define MAX_RULES 64
#define EVIDENCE 512

static const char conform_usage[] =
    "usage: heapbench conform [--rule GLOB]... [--timeout S] [--markdown] [--junit FILE] LIB...\n"
    "       heapbench conform --list [LIB]\n"
    "Checks each LIB against the allocator rules of docs/conformance.md (section 1) and the\n"
    "malloc-API rules beyond it, every rule in a child process of its own with a time limit,\n"
    "and prints a table (rules down, libraries across) and the evidence of every failure.\n"
    "LIB: a registered allocator (heapbench list allocators), NAME=PATH.so, a library path,\n"
    "pooled-dropin / naive-dropin (heapbench's drop-in libraries), or all (every registered\n"
    "allocator and both drop-ins).  A registered allocator's\n"
    "known divergences show as 'recorded'; a library heapbench has never seen has none: the C\n"
    "standard and POSIX decide, and what they leave open is shown, never failed.  A path whose\n"
    "content (SHA-256) is a registered anchor's file is judged as that anchor, and a note says so.\n"
    "How each rule judges: docs/conformance.md.\n"
    "  --rule GLOB     only the rules matching GLOB (fnmatch; e.g. 'calloc-*'); may be given\n"
    "                  more than once: the rules matching any of them\n"
    "  --timeout S     time limit of one rule, seconds (default 30)\n"
    "  --markdown      the table as Markdown\n"
    "  --junit FILE    also write JUnit XML (one testcase per library and rule)\n"
    "  --list          print the rules, one line each\n"
    "Exit status: 0 every rule passed or matched a recorded divergence, 1 a rule failed,\n"
    "2 bad input.\n";

/* What each rule asserts, for --list and the JUnit file. */
static const struct {
    const char *rule, *what;
} rule_doc[] = {
    {"identity", "the allocator asked for serves malloc, free, calloc and realloc (rule 21)"},
    {"malloc0", "malloc(0) returns unique freeable pointers (record: NULL or not) (rule 1)"},
    {"free-null", "free(NULL) does nothing; free leaves errno unchanged (rule 2)"},
    {"malloc-huge", "malloc(SIZE_MAX), malloc(PTRDIFF_MAX + 1): NULL and ENOMEM (rule 3)"},
    {"calloc-overflow", "calloc whose product overflows: NULL and ENOMEM (rule 4)"},
    {"calloc-zero", "calloc memory is zero, fresh and reused, at every size range up to mmap'd (rule 5)"},
    {"calloc-edge", "calloc(0,0), calloc(0,SIZE_MAX), calloc(SIZE_MAX,0) do not crash (rule 6)"},
    {"realloc", "realloc keeps contents growing and shrinking across class boundaries (rule 7)"},
    {"realloc-fail", "a failed realloc leaves the block valid and intact, ENOMEM (rule 8)"},
    {"realloc-zero", "realloc(p, 0): record what it does (rule 9)"},
    {"reallocarray", "reallocarray overflow: NULL, ENOMEM, original intact (rule 10)"},
    {"align-default", "malloc/calloc/realloc pointers aligned to alignof(max_align_t) (rule 11)"},
    {"posix-memalign", "posix_memalign: EINVAL for bad alignments, ENOMEM for huge sizes (rule 12)"},
    {"align-pow2", "alignments 8 .. 2^23 with sizes 1 .. 3x: aligned, usable, writable (rule 13)"},
    {"aligned-alloc", "aligned_alloc: bad alignments recorded; (64, 100) and (8, 0) succeed (rule 14)"},
    {"memalign", "memalign, valloc, pvalloc alignment; memalign(-1, n) fails (rule 15)"},
    {"usable-size", "malloc_usable_size >= request, every usable byte writable (rule 16)"},
    {"random", "1M random operations, 1 B .. 1 MiB: live blocks never overlap (rule 17)"},
    {"threads", "cross-thread frees, threads that come and go, RSS settles (rule 18)"},
    {"fork", "50 forks while 3 threads allocate: each child allocates, frees, exits (rule 19)"},
    {"large", "513 KiB and 64 MiB blocks; a freed huge block goes back to the OS (rule 20)"},
    {"aligned-bad", "hb_alloc aligned(): bad alignments give NULL and EINVAL"},
    {"bump-nofree", "bump: free is a no-op by design (rule 22)"},
    {"enomem-paths", "aligned_alloc, memalign, posix_memalign, valloc, pvalloc near SIZE_MAX: ENOMEM"},
    {"oom-recovery", "under RLIMIT_AS: allocate until NULL, data intact, free all, allocate again"},
    {"interpose", "strdup, asprintf, getline, getdelim, realpath, open_memstream, scandir: library's blocks"},
    {"cross-thread-kinds", "aligned, calloc'd, realloc'd blocks freed by another thread; 1,000 threads"},
    {"usable-realloc", "every byte up to malloc_usable_size survives a realloc to that size"},
};

/* Failures of registered allocators that are known and recorded: a rule
 * that fails with this evidence shows as recorded, not as a failure.  Only
 * for behaviours that cannot be turned into a record item inside the rule
 * (a hang is not an observation a rule can make of itself). */
static const struct {
    const char *alloc, *rule, *evidence, *why;
} known_failures[] = {
    {"tbbmalloc", "fork", "deadlock in the allocator after fork",
     "oneTBB 2021.8: a child forked while other threads allocate can block for ever (1 run of the rule in 25 here)"},
};

static const char *known_failure(const char *alloc, const char *rule, const char *evidence)
{
    for (size_t i = 0; i < sizeof known_failures / sizeof known_failures[0]; i++)
        if (strcmp(known_failures[i].alloc, alloc) == 0 && strcmp(known_failures[i].rule, rule) == 0 &&
            strstr(evidence, known_failures[i].evidence) != NULL)
            return known_failures[i].why;
    return NULL;
}

/* Rules that only record what the library does. */
static int record_only(const char *rule) { return strcmp(rule, "malloc0") == 0 || strcmp(rule, "realloc-zero") == 0; }

static const char *rule_what(const char *rule)
{
    for (size_t i = 0; i < sizeof rule_doc / sizeof rule_doc[0]; i++)
        if (strcmp(rule_doc[i].rule, rule) == 0)
            return rule_doc[i].what;
    return "";
}

/* One library under test. */
typedef struct lib {
    char name[80];        /* as shown: jemalloc, pooled-dropin, mine */
    char as[80];          /* the name the runner judges: name, or the registered anchor the file is */
    const char *runner;   /* conform_api or conform_iface */
    char preload[PATH_MAX]; /* LD_PRELOAD, or "" */
    char file[PATH_MAX];  /* HB_CONFORM_LIB for a library given by path, or "" */
    char *rules[MAX_RULES];
    size_t nrules;
} lib;

enum { V_PASS, V_RECORDED, V_OBSERVED, V_FAIL, V_NA };
typedef struct verdict {
    int kind;
    double seconds;
    char text[EVIDENCE]; /* evidence, the recorded divergence, or the observation */
} verdict;

/* A program beside heapbench, or a usage error. */
static void beside(const char *file, char *out, size_t len)
{
    char self[PATH_MAX];
    snprintf(self, sizeof self, "%s", hb_self_path());
    snprintf(out, len, "%s/%s", dirname(self), file);
    if (access(out, X_OK) != 0)
        hb_usage_error("conform: %s is missing beside %s (rebuild heapbench)", file, hb_self_path());
}

/* Runs `prog ARGS...` with the environment of `l`, output (stdout and
 * stderr together) into buf; returns the wait status, or -1 on a timeout. */
static int run_capture(const lib *l, char *const argv[], unsigned timeout_s, char *buf, size_t len)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        hb_usage_error("conform: pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        hb_usage_error("conform: fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0); /* a group of its own: a timeout kills what the rule forked too */
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        signal(SIGINT, SIG_DFL);
        if (l->preload[0])
            setenv("LD_PRELOAD", l->preload, 1);
        else
            unsetenv("LD_PRELOAD");
        if (l->file[0])
            setenv("HB_CONFORM_LIB", l->file, 1);
        else
            unsetenv("HB_CONFORM_LIB");
        execv(argv[0], argv);
        dprintf(1, "FAIL conform: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    size_t have = 0;
    int timed_out = 0;
    uint64_t deadline = hb_now_ns() + (uint64_t)timeout_s * 1000000000ull;
    for (;;) {
        uint64_t now = hb_now_ns();
        if (now >= deadline) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1));
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0)
            continue;
        char tmp[4096];
        ssize_t n = read(fds[0], tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        /* keep the head (FAIL and record lines come early) and never overflow */
        size_t take = (size_t)n < len - 1 - have ? (size_t)n : len - 1 - have;
        memcpy(buf + have, tmp, take);
        have += take;
    }
    close(fds[0]);
    buf[have] = '\0';
    if (timed_out) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    kill(-pid, SIGKILL); /* anything the rule left behind */
    return timed_out ? -1 : status;
}

/* The text after "<tag>" on the first line that starts with it, or NULL. */
static const char *line_with(const char *out, const char *tag, char *dst, size_t len)
{
    size_t n = strlen(tag);
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, tag, n) == 0) {
            const char *e = strchr(l, '\n');
            size_t k = e ? (size_t)(e - l) - n : strlen(l) - n;
            snprintf(dst, len, "%.*s", (int)(k < len ? k : len - 1), l + n);
            return dst;
        }
    return NULL;
}

/* "observed: NAME item: value" -> "item: value" */
static void strip_name(char *s, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(s, name, n) == 0 && s[n] == ' ')
        memmove(s, s + n + 1, strlen(s + n + 1) + 1);
}

/* The child's last words: the last nonblank line of its output after the
 * runner's "start:" line that is not the runner's own (observed:, recorded:,
 * ok:, FAIL), into dst; NULL when there is none.  A library that aborts says
 * why on stderr (efence: "ElectricFence Aborting: Allocating 0 bytes,
 * probably a bug."); a banner it prints when loaded comes before "start:". */
static const char *last_words(const char *out, char *dst, size_t len)
{
    const char *best = NULL;
    size_t blen = 0;
    for (const char *m = strstr(out, "start: "); m != NULL; m = strstr(m + 1, "start: "))
        if (m == out || m[-1] == '\n')
            out = m; /* the runner's own start line: what comes before it, the library printed when loaded */
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        const char *b = l;
        while (n > 0 && (*b == ' ' || *b == '\t' || *b == '\r')) {
            b++;
            n--;
        }
        while (n > 0 && (b[n - 1] == ' ' || b[n - 1] == '\t' || b[n - 1] == '\r'))
            n--;
        if (n == 0 || strncmp(b, "observed: ", 10) == 0 || strncmp(b, "recorded: ", 10) == 0 ||
            strncmp(b, "ok: ", 4) == 0 || strncmp(b, "FAIL ", 5) == 0 || strncmp(b, "start: ", 7) == 0)
            continue;
        best = b;
        blen = n;
    }
    if (best == NULL)
        return NULL;
    snprintf(dst, len, "%.*s", (int)(blen < 200 ? blen : 200), best);
    for (char *c = dst; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    return dst;
}

static void run_rule(const lib *l, const char *rule, unsigned timeout_s, verdict *v)
{
    static char out[65536];
    char prog[PATH_MAX], tag[256];
    beside(l->runner, prog, sizeof prog);
    char *argv[] = {prog, (char *)l->as, (char *)rule, NULL};
    uint64_t t0 = hb_now_ns();
    int st = run_capture(l, argv, timeout_s, out, sizeof out);
    v->seconds = (double)(hb_now_ns() - t0) / 1e9;
    v->text[0] = '\0';
    snprintf(tag, sizeof tag, "FAIL alloc.%s.%s: ", l->as, rule);
    char words[256];
    const char *said = last_words(out, words, sizeof words);
    if (st == -1) {
        v->kind = V_FAIL;
        snprintf(v->text, sizeof v->text, "timeout %u s: %s", timeout_s, rule_what(rule));
    } else if (line_with(out, tag, v->text, sizeof v->text) != NULL ||
               line_with(out, "FAIL ", v->text, sizeof v->text) != NULL) {
        v->kind = V_FAIL;
    } else if (WIFSIGNALED(st)) {
        v->kind = V_FAIL;
        snprintf(v->text, sizeof v->text, "killed by SIG%s%s%s%s",
                 sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?", said ? ": \"" : "",
                 said ? said : "", said ? "\"" : "");
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        v->kind = V_FAIL;
        snprintf(v->text, sizeof v->text, "exited with status %d%s%s%s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                 said ? ": \"" : "", said ? said : "", said ? "\"" : "");
    } else if (record_only(rule) && line_with(out, "observed: ", v->text, sizeof v->text) != NULL) {
        v->kind = V_OBSERVED;
        strip_name(v->text, l->as);
    } else if (line_with(out, "recorded: ", v->text, sizeof v->text) != NULL) {
        v->kind = V_RECORDED;
        strip_name(v->text, l->as);
    } else {
        v->kind = V_PASS;
    }
    const char *why = v->kind == V_FAIL && !l->file[0] ? known_failure(l->as, rule, v->text) : NULL;
    if (why != NULL) {
        char ev[EVIDENCE];
        snprintf(ev, sizeof ev, "%s", v->text);
        snprintf(v->text, sizeof v->text, "%.200s (%s)", ev, why);
        v->kind = V_RECORDED;
    }
}

/* ---- libraries -------------------------------------------------------------- */

/* Fills l's runner and rules; the rules come from the runner itself. */
static void list_rules(lib *l)
{
    static char out[16384];
    char prog[PATH_MAX];
    beside(l->runner, prog, sizeof prog);
    char *argv_api[] = {prog, "--list", NULL};
    char *argv_iface[] = {prog, "--list", l->name, NULL};
    lib bare = *l;
    bare.preload[0] = bare.file[0] = '\0'; /* listing runs nothing of the library */
    int st = run_capture(&bare, strcmp(l->runner, "conform_api") == 0 ? argv_api : argv_iface, 30, out, sizeof out);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        hb_usage_error("conform: %s --list failed", prog);
    l->nrules = 0;
    for (char *save = NULL, *t = strtok_r(out, "\n", &save); t && l->nrules < MAX_RULES; t = strtok_r(NULL, "\n", &save))
        l->rules[l->nrules++] = strdup(t);
}

/* One file, one verdict: a library given by path whose content is that of a
 * registered anchor's file (the same SHA-256, as `list allocators PATH`
 * records) is judged as that anchor, with its recorded divergences; the
 * table still shows the name given, and a note says which anchor it is. */
static void judge_as_anchor(lib *l)
{
    char sha[65];
    hb_file_sha256(l->file, sha);
    if (sha[0] == '\0')
        return;
    for (size_t k = 0; k < hb_allocator_count(); k++) {
        const hb_allocator_ops *a = hb_allocator_at(k);
        if (!(a->caps & HB_ALLOC_PROCESS) || (a->caps & HB_ALLOC_EXTERNAL) || a->preload == NULL)
            continue;
        const char *asha = hb_allocator_sha256(a);
        if (asha[0] != '\0' && strcmp(asha, sha) == 0) {
            snprintf(l->as, sizeof l->as, "%s", a->name);
            l->file[0] = '\0'; /* the anchor's table decides, not the reference */
            printf("note: %s (%s) is the registered anchor %s (same SHA-256 as %s): judged as %s\n", l->name,
                   l->preload, a->name, hb_allocator_path(a), a->name);
            return;
        }
    }
}

static void add_lib(lib *libs, size_t *n, const char *arg)
{
    if (*n == MAX_LIBS)
        hb_usage_error("conform: too many libraries (at most %d)", MAX_LIBS);
    lib *l = &libs[*n];
    memset(l, 0, sizeof *l);
    size_t alen = strlen(arg);
    if (alen > 7 && strcmp(arg + alen - 7, "-dropin") == 0 && strchr(arg, '=') == NULL && strchr(arg, '/') == NULL) {
        char base[64];
        snprintf(base, sizeof base, "%.*s", (int)(alen - 7), arg);
        const hb_allocator_ops *a = hb_allocator_find(base);
        if (a == NULL || (a->caps & HB_ALLOC_PROCESS) || a->preload == NULL)
            hb_usage_error("conform: unknown drop-in '%s' (valid: pooled-dropin, naive-dropin)", arg);
        char file[96];
        snprintf(file, sizeof file, "libhb-%s.so", base);
        beside(file, l->preload, sizeof l->preload);
        snprintf(l->name, sizeof l->name, "%s", arg);
        l->runner = "conform_api";
    } else {
        const hb_allocator_ops *one[1];
        hb_parse_allocators(arg, one, 1);
        const hb_allocator_ops *a = one[0];
        snprintf(l->name, sizeof l->name, "%s", a->name);
        if (a->caps & HB_ALLOC_PROCESS) {
            l->runner = "conform_api";
            snprintf(l->preload, sizeof l->preload, "%s", a->preload ? a->preload : "");
            if (a->caps & HB_ALLOC_EXTERNAL)
                snprintf(l->file, sizeof l->file, "%s", a->preload);
        } else {
            l->runner = "conform_iface";
        }
    }
    snprintf(l->as, sizeof l->as, "%s", l->name);
    if (l->file[0])
        judge_as_anchor(l);
    for (size_t i = 0; i < *n; i++)
        if (strcmp(libs[i].name, l->name) == 0)
            hb_usage_error("conform: library '%s' is given twice", l->name);
    (*n)++;
}

/* ---- output ------------------------------------------------------------------- */

static const char *cell(const verdict *v)
{
    switch (v->kind) {
    case V_PASS: return "pass";
    case V_RECORDED: return "recorded";
    case V_OBSERVED: return "observed";
    case V_FAIL: return "FAIL";
    default: return "-";
    }
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
}

static int write_junit(const char *path, const lib *libs, size_t nl, char **rules, size_t nr, verdict *v)
{
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    size_t tests = 0, failures = 0;
    double total = 0;
    for (size_t i = 0; i < nl * nr; i++)
        if (v[i].kind != V_NA) {
            tests++;
            failures += v[i].kind == V_FAIL;
            total += v[i].seconds;
        }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"heapbench conform\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n", tests, failures,
            total);
    for (size_t li = 0; li < nl; li++) {
        size_t t = 0, fl = 0;
        for (size_t r = 0; r < nr; r++)
            if (v[li * nr + r].kind != V_NA) {
                t++;
                fl += v[li * nr + r].kind == V_FAIL;
            }
        fprintf(f, "  <testsuite name=\"alloc.");
        xml_text(f, libs[li].name);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n", t, fl);
        for (size_t r = 0; r < nr; r++) {
            const verdict *x = &v[li * nr + r];
            if (x->kind == V_NA)
                continue;
            fprintf(f, "    <testcase classname=\"alloc.");
            xml_text(f, libs[li].name);
            fprintf(f, "\" name=\"");
            xml_text(f, rules[r]);
            fprintf(f, "\" time=\"%.3f\">", x->seconds);
            if (x->kind == V_FAIL) {
                fprintf(f, "<failure message=\"");
                xml_text(f, x->text);
                fprintf(f, "\"/>");
            } else if (x->text[0]) {
                fprintf(f, "<system-out>%s: ", x->kind == V_RECORDED ? "recorded divergence" : "observed");
                xml_text(f, x->text);
                fprintf(f, "</system-out>");
            }
            fprintf(f, "</testcase>\n");
        }
        fprintf(f, "  </testsuite>\n");
    }
    fprintf(f, "</testsuites>\n");
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* A cell of the table: the verdict, or for a record-only rule what the
 * library does (the observation's value). */
static const char *cell_text(const verdict *v)
{
    if (v->kind == V_OBSERVED) {
        const char *colon = strrchr(v->text, ':');
        return colon ? colon + 2 : v->text;
    }
    return cell(v);
}

static void print_table(const lib *libs, size_t nl, char **rules, size_t nr, const verdict *v, int md)
{
    size_t w0 = 4, w[MAX_LIBS];
    for (size_t r = 0; r < nr; r++)
        w0 = strlen(rules[r]) > w0 ? strlen(rules[r]) : w0;
    for (size_t l = 0; l < nl; l++) {
        w[l] = strlen(libs[l].name);
        for (size_t r = 0; r < nr; r++)
            w[l] = strlen(cell_text(&v[l * nr + r])) > w[l] ? strlen(cell_text(&v[l * nr + r])) : w[l];
    }
    if (md) {
        printf("| rule |");
        for (size_t l = 0; l < nl; l++)
            printf(" %s |", libs[l].name);
        printf("\n| --- |");
        for (size_t l = 0; l < nl; l++)
            printf(" --- |");
        printf("\n");
    } else {
        printf("%-*s", (int)w0, "rule");
        for (size_t l = 0; l < nl; l++)
            printf("  %-*s", (int)w[l], libs[l].name);
        printf("\n");
    }
    for (size_t r = 0; r < nr; r++) {
        if (md)
            printf("| %s |", rules[r]);
        else
            printf("%-*s", (int)w0, rules[r]);
        for (size_t l = 0; l < nl; l++) {
            const char *c = cell_text(&v[l * nr + r]);
            if (md)
                printf(" %s |", c);
            else if (l + 1 == nl)
                printf("  %s", c);
            else
                printf("  %-*s", (int)w[l], c);
        }
        printf("\n");
    }
    int any = 0;
    for (size_t l = 0; l < nl; l++)
        for (size_t r = 0; r < nr; r++) {
            const verdict *x = &v[l * nr + r];
            if (x->kind == V_PASS || x->kind == V_NA || x->kind == V_OBSERVED)
                continue; /* an observation is in the table already */
            if (!any)
                printf(md ? "\n| library | rule | verdict | evidence or behaviour |\n| --- | --- | --- | --- |\n"
                          : "\n");
            any = 1;
            if (md) {
                printf("| %s | %s | %s | ", libs[l].name, rules[r], cell(x));
                for (const char *s = x->text; *s; s++)
                    printf(*s == '|' ? "\\|" : "%c", *s);
                printf(" |\n");
            } else {
                printf("%s %s: %s: %s\n", libs[l].name, rules[r], cell(x), x->text);
            }
        }
}

/* ---- command ------------------------------------------------------------------ */

static void free_libs(lib *libs, size_t nl)
{
    for (size_t l = 0; l < nl; l++)
        for (size_t k = 0; k < libs[l].nrules; k++)
            free(libs[l].rules[k]);
    free(libs);
}

int hb_cmd_conform(int argc, char **argv)
{
    const char *globs[MAX_RULES], *junit = NULL;
    size_t ng = 0;
    char globs_text[512] = "";
    unsigned timeout = 30;
    int markdown = 0, list = 0;
    lib *libs = calloc(MAX_LIBS, sizeof *libs);
    size_t nl = 0;
    const char *args[MAX_LIBS];
    size_t na = 0;
    if (libs == NULL)
        hb_usage_error("conform: out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(conform_usage, stdout);
            free(libs);
            return HB_EXIT_OK;
        } else if (strcmp(a, "--markdown") == 0) {
            markdown = 1;
        } else if (strcmp(a, "--list") == 0) {
            list = 1;
        } else if (strcmp(a, "--rule") == 0 || strcmp(a, "--junit") == 0 || strcmp(a, "--timeout") == 0) {
            if (i + 1 >= argc)
                hb_usage_error("conform: %s needs a value (see heapbench conform --help)", a);
            const char *val = argv[++i];
            if (strcmp(a, "--rule") == 0) {
                if (ng == MAX_RULES)
                    hb_usage_error("conform: too many --rule options (at most %d)", MAX_RULES);
                globs[ng++] = val;
                size_t used = strlen(globs_text);
                snprintf(globs_text + used, sizeof globs_text - used, "%s'%s'", ng > 1 ? ", " : "", val);
            }
            else if (strcmp(a, "--junit") == 0)
                junit = val;
            else
                timeout = (unsigned)hb_parse_ulong("--timeout", val, 1, 3600);
        } else if (a[0] == '-') {
            hb_usage_error("conform: unknown option '%s' (see heapbench conform --help)", a);
        } else {
            if (na == MAX_LIBS)
                hb_usage_error("conform: too many libraries (at most %d)", MAX_LIBS);
            args[na++] = a;
        }
    }
    if (na == 0 && !list)
        hb_usage_error("conform: no library given (heapbench conform LIB...; LIB a registered allocator, "
                       "NAME=PATH.so or a path)");
    if (junit != NULL && junit[0] == '\0')
        hb_usage_error("conform: --junit needs a file name");
    for (size_t i = 0; i < na; i++) {
        if (strcmp(args[i], "all") != 0) {
            add_lib(libs, &nl, args[i]);
            continue;
        }
        /* every registered allocator, then heapbench's drop-in libraries */
        for (size_t k = 0; k < hb_allocator_count(); k++)
            add_lib(libs, &nl, hb_allocator_at(k)->name);
        for (size_t k = 0; k < hb_allocator_count(); k++) {
            const hb_allocator_ops *a = hb_allocator_at(k);
            char dropin[96];
            if (!(a->caps & HB_ALLOC_PROCESS) && a->preload != NULL) {
                snprintf(dropin, sizeof dropin, "%s-dropin", a->name);
                add_lib(libs, &nl, dropin);
            }
        }
    }
    if (nl == 0)
        add_lib(libs, &nl, "libc"); /* --list alone: the malloc-API rules */

    /* The rules: the union over the libraries, in first-seen order. */
    char *rules[MAX_RULES];
    size_t nr = 0;
    for (size_t l = 0; l < nl; l++) {
        list_rules(&libs[l]);
        for (size_t k = 0; k < libs[l].nrules; k++) {
            size_t r = 0;
            while (r < nr && strcmp(rules[r], libs[l].rules[k]) != 0)
                r++;
            int wanted = ng == 0;
            for (size_t g = 0; g < ng && !wanted; g++)
                wanted = fnmatch(globs[g], libs[l].rules[k], 0) == 0;
            if (r == nr && nr < MAX_RULES && wanted)
                rules[nr++] = libs[l].rules[k];
        }
    }
    if (nr == 0)
        hb_usage_error("conform: no rule matches %s (see heapbench conform --list)", globs_text);
    if (list) {
        for (size_t r = 0; r < nr; r++)
            printf("%-20s %s\n", rules[r], rule_what(rules[r]));
        free_libs(libs, nl);
        return HB_EXIT_OK;
    }
    if (junit != NULL) { /* refuse an unwritable file before running anything */
        char tmp[PATH_MAX + 8];
        snprintf(tmp, sizeof tmp, "%s.tmp", junit);
        FILE *f = fopen(tmp, "w");
        if (f == NULL)
            hb_usage_error("conform: cannot write %s: %s", junit, strerror(errno));
        fclose(f);
        unlink(tmp);
    }

    verdict *v = calloc(nl * nr, sizeof *v);
    if (v == NULL)
        hb_usage_error("conform: out of memory");
    int failed = 0, tty = isatty(2);
    hb_spawn_install_sigint();
    for (size_t l = 0; l < nl && !hb_interrupted; l++)
        for (size_t r = 0; r < nr && !hb_interrupted; r++) {
            verdict *x = &v[l * nr + r];
            int applies = 0;
            for (size_t k = 0; k < libs[l].nrules; k++)
                applies |= strcmp(libs[l].rules[k], rules[r]) == 0;
            if (!applies) {
                x->kind = V_NA;
                continue;
            }
            if (tty)
                fprintf(stderr, "\r\033[Kconform: %s %s", libs[l].name, rules[r]);
            run_rule(&libs[l], rules[r], timeout, x);
            failed |= x->kind == V_FAIL;
        }
    if (tty)
        fprintf(stderr, "\r\033[K");
    if (hb_interrupted) {
        free(v);
        free_libs(libs, nl);
        return HB_EXIT_INTERRUPTED;
    }
    print_table(libs, nl, rules, nr, v, markdown);
    if (junit != NULL && write_junit(junit, libs, nl, rules, nr, v) != 0) {
        fprintf(stderr, "heapbench: conform: cannot write %s: %s\n", junit, strerror(errno));
        failed = 1;
    }
    free(v);
    free_libs(libs, nl);
    return failed ? HB_EXIT_FAILED : HB_EXIT_OK;
}
