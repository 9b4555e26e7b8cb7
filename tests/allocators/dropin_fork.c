/*
 * dropin_fork: fork while other threads allocate, under a drop-in library.
 *
 * Usage: dropin_fork BACKEND [FORKS]
 *
 * Four threads allocate, fill, check and free in a loop while the main
 * thread forks FORKS times (default 20).  Each child allocates and frees
 * blocks of small, medium and large sizes (both backends' paths), checks
 * their contents, and exits 0.  The parent waits for each child at most
 * TIMEOUT_S seconds: a child that has not exited by then is taken to be
 * deadlocked on an allocator lock left held across fork, is killed, and the
 * test fails.  Exits 0 when every child exited 0, 1 with a message otherwise.
 */
#define _GNU_SOURCE
#include "dropin_common.h"
#include "wait_bounded.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4
#define TIMEOUT_S 10

static atomic_int stop, failed;

static void *churn(void *arg)
{
    uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 7;
    unsigned char *keep[64] = {0};
    size_t size[64] = {0};
    while (!atomic_load(&stop)) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        unsigned i = (unsigned)(s % 64);
        if (keep[i] != NULL) {
            for (size_t j = 0; j < size[i]; j++)
                if (keep[i][j] != (unsigned char)(i + j)) {
                    fprintf(stderr, "dropin_fork: FAIL: a block changed while live in the parent\n");
                    atomic_store(&failed, 1);
                    return NULL;
                }
            free(keep[i]);
            keep[i] = NULL;
            continue;
        }
        size[i] = (s >> 8) % 1000 < 990 ? (s >> 20) % 2048 : (s >> 20) % (400 << 10);
        keep[i] = (s >> 40) % 8 == 0 ? realloc(malloc(16), size[i] + 1) : malloc(size[i] + 1);
        if (keep[i] == NULL) {
            fprintf(stderr, "dropin_fork: FAIL: allocation failed in the parent\n");
            atomic_store(&failed, 1);
            return NULL;
        }
        for (size_t j = 0; j < size[i]; j++)
            keep[i][j] = (unsigned char)(i + j);
    }
    for (unsigned i = 0; i < 64; i++)
        free(keep[i]);
    return NULL;
}

/* The child's work: no stdio, only the allocator and _exit. */
static void child(void)
{
    static const size_t sizes[] = {0, 1, 16, 100, 512, 513, 4000, 70000, 300000, 2 << 20};
    void *p[sizeof sizes / sizeof sizes[0]];
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            p[i] = malloc(sizes[i]);
            if (p[i] == NULL)
                _exit(3);
            memset(p[i], (int)i, sizes[i]);
        }
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            for (size_t j = 0; j < sizes[i]; j++)
                if (((unsigned char *)p[i])[j] != (unsigned char)i)
                    _exit(4);
            free(p[i]);
        }
    }
    void *q = NULL;
    if (posix_memalign(&q, 4096, 100) != 0)
        _exit(5);
    free(q);
    _exit(0);
}

/* Waits for pid at most TIMEOUT_S seconds (killed after that); 0 when it exited 0. */
static int wait_child(pid_t pid, int n)
{
    int st = 0, w = tu_wait_bounded(pid, TIMEOUT_S, &st);
    if (w < 0) {
        perror("dropin_fork: FAIL: waitpid");
        return -1;
    }
    if (w == 1) {
        fprintf(stderr, "dropin_fork: FAIL: child %d still running after %d s: deadlocked after fork (killed)\n", n,
                TIMEOUT_S);
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    fprintf(stderr, "dropin_fork: FAIL: child %d %s %d\n", n, WIFEXITED(st) ? "exited with status" : "died of signal",
            WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    return -1;
}

int main(int argc, char **argv)
{
    if (hb_dropin_expect("dropin_fork", argc > 1 ? argv[1] : NULL) != 0)
        return 1;
    int forks = argc > 2 ? atoi(argv[2]) : 20;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)) != 0) {
            fprintf(stderr, "dropin_fork: FAIL: pthread_create\n");
            return 1;
        }
    int rc = 0;
    struct timespec nap = {0, 5 * 1000 * 1000};
    for (int n = 0; n < forks && rc == 0 && !atomic_load(&failed); n++) {
        nanosleep(&nap, NULL); /* let the threads get going */
        pid_t pid = fork();
        if (pid < 0) {
            perror("dropin_fork: FAIL: fork");
            rc = -1;
            break;
        }
        if (pid == 0)
            child();
        rc = wait_child(pid, n);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    if (rc != 0 || atomic_load(&failed))
        return 1;
    printf("dropin_fork: %s: %d forks while %d threads allocate: ok\n", argv[1], forks, THREADS);
    return 0;
}
