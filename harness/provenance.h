/*
 * provenance.h: the machine and build a row was measured on (provenance.c).
 */
#ifndef HB_PROVENANCE_H
#define HB_PROVENANCE_H

#include "row.h"

/* Sets host, cpu_model, cores, kernel, glibc, compiler and commit. */
void hb_row_provenance(hb_row *row);

#endif
