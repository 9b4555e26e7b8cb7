/*
 * launch.h: a program heapbench did not write, run under an allocator.
 *
 * The program gets the allocator's library (a preloaded anchor, a library
 * given by path, or the drop-in build of pooled or naive) and libhb-probe.so
 * by LD_PRELOAD, in a process group of its own.  The probe reports on a pipe
 * whether the allocator asked for really serves malloc inside the program; a
 * run whose probe does not say so is an error, never a measurement.  Used by
 * `heapbench exec` and by the real-program workloads.
 */
#ifndef HB_LAUNCH_H
#define HB_LAUNCH_H

#include <stdint.h>
#include <sys/types.h>

#include "allocator.h"
#include "row.h"

typedef struct hb_launch {
    pid_t pid;      /* the program, leader of its process group; 0 when not started */
    int probe_fd;   /* read end of the probe's pipe */
    uint64_t t0;    /* start, ns */
    char what[256]; /* the program, for messages */
    char said[512]; /* the probe's line, once read (hb_launch_said), or "" */
} hb_launch;

/* The library that makes `a` serve malloc in another program (NULL for
 * libc), and whether `a` can run other programs at all (bump cannot). */
const char *hb_launch_library(const hb_allocator_ops *a, char *buf, size_t len);
int hb_launch_possible(const hb_allocator_ops *a);

/* libhb-probe.so beside the heapbench binary, or NULL. */
const char *hb_launch_probe(char *buf, size_t len);

/* Starts argv (searched in PATH) under `a`, in directory cwd (NULL: this
 * one), with `env` (NULL-terminated NAME=VALUE strings, or NULL) added, its
 * stdout and stderr on out_fd and err_fd (-1: inherited).  0, or -1 with the
 * reason in msg. */
int hb_launch_start(hb_launch *l, const hb_allocator_ops *a, const char *probe, char *const argv[],
                    char *const env[], const char *cwd, int out_fd, int err_fd, char *msg, size_t len);

/* The probe's line ("live=NAME" or "notlive=REASON"), waiting up to wait_ms
 * for it; "" when it has not come.  A server's run asks it before driving
 * the server, so that a run the probe refuses ends at once. */
const char *hb_launch_said(hb_launch *l, unsigned wait_ms);

/* Waits for the program (timeout_s 0: no limit; `stop`: send it SIGTERM
 * first, as a server is stopped, and SIGKILL after 5 s) and fills the row's
 * wall_s, user_s, sys_s, peak_rss_kib and status (ok, timeout, crash or
 * error) with a message; kills whatever is left in its process group. */
void hb_launch_finish(hb_launch *l, unsigned timeout_s, int stop, hb_row *row, char *msg, size_t len);

#endif
