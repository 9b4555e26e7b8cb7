/*
 * server_soak.h: a real server (redis, memcached) driven through the soak
 * phases by heapbench's own load generator (server_soak.c, docs/real.md).
 */
#ifndef HB_SERVER_SOAK_H
#define HB_SERVER_SOAK_H

#include <stddef.h>
#include <sys/types.h>

#include "row.h"
#include "spec.h"

/* The soak programs' parameters and phases (programs.c's table uses them). */
extern const hb_param_def hb_server_soak_params[];
extern const size_t hb_server_soak_nparams;
extern const char *const hb_server_soak_phases[];

/* Drives the server `pid`, listening on 127.0.0.1:port and speaking proto
 * (HB_LG_RESP or HB_LG_MEMCACHE), through the phases with spec's duration,
 * rate and connections; samples its RSS (/proc/PID/statm) and its own live
 * bytes every 100 ms; writes the timeline (spec->timeline) and the latency
 * curve beside it; fills the row's ops, soak_*, req_* and checksum columns.
 * 0; 1 when what the server gave back differs from what was written
 * (status wrong, msg says how); -1 on an error (msg). */
int hb_server_soak(const hb_spec *s, int proto, pid_t pid, int port, hb_row *row, char *msg, size_t len);

#endif
