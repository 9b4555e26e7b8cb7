/*
 * row.h: one results row (all columns as text), CSV formatting and parsing.
 */
#ifndef HB_ROW_H
#define HB_ROW_H

#include <stddef.h>
#include <stdio.h>

#include "columns.h"

#define HB_FIELD_MAX 256

typedef struct hb_row {
    char v[HB_NCOLS][HB_FIELD_MAX]; /* "" = empty (unknown) */
} hb_row;

void hb_row_clear(hb_row *r);
void hb_row_set(hb_row *r, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Column index of `name`, or -1. */
int hb_column_index(const char *name);
/* Numeric value of a column; 0 and *ok = 0 when empty or not a number. */
double hb_row_num(const hb_row *r, int col, int *ok);

/* Writes the header line or a row as one CSV line (with '\n') into buf;
 * returns its length, or -1 when it does not fit. */
int hb_csv_header(char *buf, size_t len);
int hb_csv_line(const hb_row *r, char *buf, size_t len);

/* Splits one CSV line (no trailing newline) into at most max fields, in place;
 * handles quoted fields.  Returns the number of fields, or -1 on a malformed
 * quote. */
int hb_csv_split(char *line, char **fields, int max);

/* Appends a row to fd as a single write of the whole line. 0 or -1 (errno). */
int hb_row_append(int fd, const hb_row *r);

#endif
