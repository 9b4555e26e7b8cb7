/*
 * frontier.h: `heapbench compare FILE --frontier NAME` (cmd_frontier.c):
 * one allocator against the best anchor of each row of one results file.
 */
#ifndef HB_FRONTIER_H
#define HB_FRONTIER_H

typedef struct hb_frontier_opts {
    const char *subject;  /* the allocator under test */
    const char *anchors;  /* comma-separated, or NULL: hb_frontier_default_anchors */
    double limit;         /* a row passes at ratio <= limit (default 1.05) */
    double mean_limit;    /* a geometric mean passes at <= mean_limit (default 1.00) */
    unsigned rows;        /* kinds of rows, hb_frontier_parse_rows */
    int markdown;
    int verdict;          /* 0: exit 0 whatever the verdict (--no-verdict) */
    int cpu;              /* time is user_s + sys_s (--frontier-time cpu), not wall_s */
} hb_frontier_opts;

/* libc, jemalloc, mimalloc, tcmalloc, tbbmalloc, scudo; NULL-terminated. */
extern const char *const hb_frontier_default_anchors[];

/* "workloads,programs,collectors" (any of them) or "all" into a mask;
 * exits 2 on anything else. */
unsigned hb_frontier_parse_rows(const char *v);

/* Prints the table, the geometric means and the verdict line; returns the
 * exit status (0 at the frontier or without verdict, 1 when it misses).
 * Bad input exits 2 with one line. */
int hb_compare_frontier(const char *path, const hb_frontier_opts *o);

#endif
