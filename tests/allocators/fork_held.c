/*
 * fork_held.c: fork while another thread holds an allocator instance's lock,
 * every time (tests alloc.<name>.fork-held).
 *
 * An in-process instance that owns a lock registers it with forksafe.c, so
 * that fork takes it first and a child never inherits it held by a thread it
 * does not have.  The conformance rule `fork` (conform_stress.c) forks while
 * threads allocate and so catches a missing registration only when a fork
 * happens to land inside the lock.  Here the order is fixed by semaphores:
 *
 *   holder thread: takes the instance's lock, posts `held`, waits for
 *     `release`, lets the lock go, and waits for `finish` (posted once fork
 *     has returned in the parent, so it is alive, not ended, in the child);
 *   main thread: waits for `held` (the lock is now held), then forks.
 *
 * The test wraps the prepare hook of the instance's forksafe entry
 * (spy_prepare): when fork runs it, it posts `release` and then takes the
 * lock as the hook would, waiting until the holder has let it go; the parent
 * and child hooks then release it or reset it.  An instance that never
 * registered is not on forksafe's list, so nothing in fork posts `release`:
 * the holder still holds the lock when the process is copied (main posts
 * `release` only once fork has returned), and the child's first allocation
 * through it waits forever.  So the verdict never depends on timing; the
 * clocks below only bound a hang.
 *
 * The child, under alarm(), allocates and frees through the instance what
 * takes its lock in each allocator (bump: a 4 MiB block gets a chunk of its
 * own, linked under the lock, and check() walks the chunks under it;
 * counting, with HB_COUNT_TRACK over bump: every malloc and free updates the
 * pointer table under it; naive: every call; pooled: a 4 MiB block is a large
 * block, listed under it), runs check() and exits 0.  The parent waits for it
 * for at most FH_WAIT_S and fails with one line when it hung or died.
 *
 * Usage: fork_held bump|counting|naive|pooled.  Exit status 0, or one line
 * "FAIL alloc.<name>.fork-held: ..." on stderr and status 1.  Messages are
 * formatted into static buffers and written with write(2): the child may not
 * use stdio, and nothing here allocates through the instance unasked.
 */
#define _GNU_SOURCE
#include "fork_held.h"
#include "wait_bounded.h"

#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- bounds (they detect a hang; they decide no order) ----------------------- */
#define FH_CHILD_ALARM_S 10 /* a healthy child takes milliseconds, even under TSan at load 17 */
#define FH_WAIT_S 30        /* the parent's bound, past the child's alarm: a child that survives it is killed */
#define FH_HOLD_MAX_S 60    /* the holder's bound on `release`: only a lock taken outside forksafe.c reaches it */
#define FH_BIG ((size_t)4 << 20)
/* --------------------------------------------------------------------------------- */

static const char *name; /* the allocator under test */

static void put(int fd, const char *prefix, const char *fmt, va_list ap)
{
    static char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s", prefix);
    if (n >= 0 && (size_t)n < sizeof buf)
        n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    if (n < 0 || (size_t)n >= sizeof buf - 1)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    for (size_t done = 0; done < (size_t)n;) {
        ssize_t w = write(fd, buf + done, (size_t)n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

/* One line "FAIL alloc.<name>.fork-held: ..." on stderr, then _exit(1) (also in the child). */
__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *fmt, ...)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "FAIL alloc.%s.fork-held: ", name);
    va_list ap;
    va_start(ap, fmt);
    put(2, prefix, fmt, ap);
    va_end(ap);
    _exit(1);
}

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put(1, "", fmt, ap);
    va_end(ap);
}

/* ---- the holder and the wrapped prepare hook ----------------------------------- */
static fh_instance inst;
static sem_t held, release, finish;
static void (*real_prepare)(void *obj);
static int prepare_ran;    /* set by spy_prepare, in the forking thread */
static int holder_gave_up; /* read after the holder is joined */

/* Runs inside fork's prepare handlers (forksafe.c's), in the forking thread:
 * the lock is still held by the holder, and the hook waits for it. */
static void spy_prepare(void *obj)
{
    prepare_ran = 1;
    sem_post(&release);
    real_prepare(obj);
}

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(inst.lock);
    sem_post(&held);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += FH_HOLD_MAX_S;
    int rc;
    while ((rc = sem_timedwait(&release, &until)) != 0 && errno == EINTR)
        ;
    if (rc != 0)
        holder_gave_up = 1; /* fork waited for the lock, but not through the instance's forksafe entry */
    pthread_mutex_unlock(inst.lock);
    /* Still alive when the process is copied: a thread that had ended but
     * was not yet joined would be a leak in the child's eyes (TSan's). */
    while (sem_wait(&finish) != 0 && errno == EINTR)
        ;
    return NULL;
}

/* ---- the child ------------------------------------------------------------------ */
static void check_instance(const char *when)
{
    char msg[256] = "";
    const hb_allocator_ops *ops = inst.a.ops;
    if (ops->check != NULL && ops->check(inst.a.ctx, msg, sizeof msg) != 0)
        fail("%s: check: %s", when, msg);
}

static void exercise(const char *who)
{
    unsigned char *small = hb_malloc(&inst.a, 64);
    unsigned char *big = hb_malloc(&inst.a, FH_BIG);
    if (small == NULL || big == NULL)
        fail("%s: malloc(%s) returned NULL", who, small == NULL ? "64" : "4 MiB");
    memset(small, 0x5a, 64);
    memset(big, 0xa5, FH_BIG);
    hb_free(&inst.a, big, FH_BIG);
    hb_free(&inst.a, small, 64);
    check_instance(who);
}

static void child(void)
{
    signal(SIGALRM, SIG_DFL);
    alarm(FH_CHILD_ALARM_S); /* its default action ends a child stuck on the lock */
    exercise("the child");
    _exit(0);
}

/* ---- the parent ------------------------------------------------------------------ */
static void wait_child(pid_t pid)
{
    int status = 0;
    int w = tu_wait_bounded(pid, FH_WAIT_S, &status);
    if (w < 0)
        fail("waitpid: %s", strerror(errno));
    if (w == 1)
        fail("the child forked while another thread held %s's lock did not finish in %d s (killed): "
             "it waits on a lock it inherited held",
             name, FH_WAIT_S);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        fail("the child forked while another thread held %s's lock hung in its allocations (its %d s alarm "
             "ended it): fork %s",
             name, FH_CHILD_ALARM_S,
             prepare_ran ? "took the lock, yet the child could not"
                         : "did not take the lock (not registered with forksafe.c?)");
    if (WIFSIGNALED(status))
        fail("the child forked while another thread held %s's lock was killed by signal %d", name, WTERMSIG(status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("the child exited with status %d (its FAIL line is above)", WEXITSTATUS(status));
}

static int open_instance(fh_instance *inner)
{
    if (strcmp(name, "bump") == 0)
        return fh_open_bump(&inst);
    if (strcmp(name, "naive") == 0)
        return fh_open_naive(&inst);
    if (strcmp(name, "pooled") == 0)
        return fh_open_pooled(&inst);
    if (strcmp(name, "counting") == 0)
        return fh_open_bump(inner) != 0 ? -1 : fh_wrap_counting(&inst, &inner->a);
    fail("unknown allocator (bump, counting, naive or pooled)");
}

int main(int argc, char **argv)
{
    name = argc == 2 ? argv[1] : "?";
    if (argc != 2)
        fail("usage: fork_held bump|counting|naive|pooled");
    fh_instance inner = {0};
    if (open_instance(&inner) != 0)
        fail("the instance could not be made: %s", strerror(errno));
    exercise("before the fork"); /* the instance's structures exist before the lock is held */

    real_prepare = inst.entry->prepare;
    inst.entry->prepare = spy_prepare;
    if (sem_init(&held, 0, 0) != 0 || sem_init(&release, 0, 0) != 0 || sem_init(&finish, 0, 0) != 0)
        fail("sem_init: %s", strerror(errno));
    pthread_t tid;
    int rc = pthread_create(&tid, NULL, holder, NULL);
    if (rc != 0)
        fail("pthread_create: %s", strerror(rc));
    while (sem_wait(&held) != 0)
        if (errno != EINTR)
            fail("sem_wait: %s", strerror(errno));

    pid_t pid = fork(); /* the lock is held by the holder here */
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0)
        child();
    if (!prepare_ran) /* the lock was held all through fork: let the holder go */
        sem_post(&release);
    sem_post(&finish);
    pthread_join(tid, NULL);
    if (holder_gave_up)
        fail("fork waited for %s's lock without running the instance's forksafe entry: the test cannot order the "
             "fork (see fork_held.c)",
             name);
    wait_child(pid);
    if (!prepare_ran) /* the child went through unharmed, so it never took the lock it inherited held */
        fail("the lock was held all through fork, yet the child did not wait for it: the child's calls do not take "
             "%s's lock (see fork_held.c)",
             name);

    exercise("the parent after the fork");
    inst.entry->prepare = real_prepare;
    inst.a.ops->destroy(inst.a.ctx);
    if (inner.a.ops != NULL)
        inner.a.ops->destroy(inner.a.ctx);
    note("fork-held: %s: fork took the lock another thread held; the child allocated and freed 64 B and 4 MiB "
         "through the instance and passed check",
         name);
    return 0;
}
