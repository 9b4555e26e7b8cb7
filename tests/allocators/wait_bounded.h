/*
 * wait_bounded.h: wait for a forked child, but not forever.  The fork tests
 * (conform_stress.c's rule `fork`, dropin_fork.c, fork_held.c) take a child
 * that has not exited after a bound to be deadlocked on a lock it inherited
 * held: this kills it and reports so.  The bound only detects a hang; no
 * verdict depends on how fast a healthy child is.  Header-only: each of those
 * programs links different support code.
 */
#ifndef HB_WAIT_BOUNDED_H
#define HB_WAIT_BOUNDED_H

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

/* Reaps pid, polling every 10 ms, into *status.  Returns 0 when it exited or
 * died within seconds, 1 when it was still running then (it is killed with
 * SIGKILL and reaped), -1 when waitpid failed (errno says why). */
static inline int tu_wait_bounded(pid_t pid, unsigned seconds, int *status)
{
    struct timespec nap = {0, 10 * 1000 * 1000}, t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= (time_t)seconds) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return 1;
        }
        nanosleep(&nap, NULL);
    }
}

#endif
