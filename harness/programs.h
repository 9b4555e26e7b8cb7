/*
 * programs.h: real programs as workloads (programs.c).
 */
#ifndef HB_PROGRAMS_H
#define HB_PROGRAMS_H

#include <stddef.h>

#include "row.h"
#include "spec.h"
#include "workload.h"

typedef struct hb_program {
    hb_workload_ops w;     /* name, summary, origin; flags HB_WL_PROGRAM; no parameters but scale */
    const char *binary;    /* looked up in PATH, or an absolute path */
    const char *package;   /* the Debian package that installs it */
    int server;            /* driven by a client on a loopback port */
    const char *exercises; /* the allocation profile it brings */
    int soak;              /* 0, or the protocol + 1 (HB_LG_RESP, HB_LG_MEMCACHE) of a server soak
                            * driven by server_soak.c instead of the driver's client */
} hb_program;

size_t hb_program_count(void);
const hb_program *hb_program_at(size_t i);
const hb_program *hb_program_find(const char *name);
/* A workload or a real program by name, or NULL. */
const hb_workload_ops *hb_find_workload(const char *name);
/* "lua, sqlite, ..." into buf. */
const char *hb_program_names(char *buf, size_t len);
/* The program whose workload ops w is, or NULL for an ordinary workload. */
const hb_program *hb_program_of(const hb_workload_ops *w);
/* The program's binary as found (PATH), or NULL when it is not installed. */
const char *hb_program_binary(const hb_program *p, char *buf, size_t len);

/* Runs spec's program under spec's allocator (see programs.c) and fills the
 * row's measured columns, checksum and status (skip when not installed). */
void hb_program_cell(const hb_spec *s, unsigned timeout_s, hb_row *row, char *msg, size_t len);

#endif
