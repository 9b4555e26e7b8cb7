/*
 * texttable.h: tables of strings printed aligned or as Markdown (compare's
 * output), and the allocation helpers they use: out of memory is one line
 * and exit 2 (hb_usage_error), as any bad input.
 */
#ifndef HB_TEXTTABLE_H
#define HB_TEXTTABLE_H

#include <stddef.h>

/* Columns 0..ncols-1 are left-aligned unless right[c]. */
typedef struct tbl {
    size_t ncols, nrows, cap;
    char **cell; /* nrows * ncols, row 0 is the header */
    int right[32];
} tbl;

char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
void tbl_init(tbl *t, size_t ncols);
/* Appends a row of ncols strings (copied). */
void tbl_row(tbl *t, char **vals);
void tbl_print(const tbl *t, int markdown);
void tbl_free(tbl *t);

#endif
