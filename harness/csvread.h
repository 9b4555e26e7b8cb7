/*
 * csvread.h: the strict reader of heapbench results CSV files.
 *
 * A file is accepted only when it is exactly what `run`, `sweep` and `exec`
 * write: a header equal to the column list of HB_SCHEMA_VERSION
 * (columns.h), then rows of that many fields, every line ended by '\n'
 * ("\r\n" is taken too), fields quoted as RFC 4180 says, number columns
 * empty or a finite decimal number, a known status.  Anything else is
 * refused with one message naming the file, the line and, where there is
 * one, the column.
 *
 * The parser works on a memory buffer and never exits or prints, so a fuzz
 * harness can call hb_csv_parse directly.
 */
#ifndef HB_CSVREAD_H
#define HB_CSVREAD_H

#include <stddef.h>

#include "row.h"

typedef struct hb_table {
    hb_row *rows;  /* rows[0..n), in file order */
    size_t *lines; /* lines[i]: the line on which rows[i] starts */
    size_t n;
    size_t cap;
} hb_table;

/* Parses len bytes of data (not NUL-terminated; NUL bytes are refused) as a
 * results CSV called `name` in messages.  On success fills *out (a header
 * with no rows gives n == 0) and returns 0; the caller frees it with
 * hb_table_free.  On failure writes one line (no newline) into msg and
 * returns -1, with *out empty. */
int hb_csv_parse(const char *data, size_t len, const char *name, hb_table *out, char *msg, size_t msglen);

/* Reads the whole file and parses it; "cannot read PATH: reason" when it
 * cannot be read. */
int hb_csv_read_file(const char *path, hb_table *out, char *msg, size_t msglen);

void hb_table_free(hb_table *t);

/* 1 when col holds text (names, params, checksum, status), 0 when it holds
 * a number.  New columns are numbers unless listed in csvread.c. */
int hb_column_is_text(int col);

/* 1 when s is one of the statuses a row may have. */
int hb_status_known(const char *s);

#endif
