/*
 * texttable.c: compare's tables of strings, aligned or Markdown (texttable.h).
 */
#include "texttable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL)
        hb_usage_error("compare: out of memory");
    return memcpy(d, s, n);
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        hb_usage_error("compare: out of memory");
    return p;
}

void tbl_init(tbl *t, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
}

/* Appends a row of ncols strings (copied). */
void tbl_row(tbl *t, char **vals)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        char **c = realloc(t->cell, t->cap * t->ncols * sizeof *c);
        if (c == NULL)
            hb_usage_error("compare: out of memory");
        t->cell = c;
    }
    for (size_t i = 0; i < t->ncols; i++)
        t->cell[t->nrows * t->ncols + i] = xstrdup(vals[i]);
    t->nrows++;
}

void tbl_print(const tbl *t, int markdown)
{
    size_t width[32] = {0};
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t w = strlen(t->cell[r * t->ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cell[r * t->ncols + c];
            if (markdown) {
                fputs(c == 0 ? "| " : " | ", stdout);
                for (; *s; s++) {
                    if (*s == '|')
                        putchar('\\');
                    putchar(*s);
                }
            } else {
                int w = (int)width[c];
                if (c + 1 == t->ncols && !t->right[c])
                    fputs(s, stdout);
                else
                    printf(t->right[c] ? "%*s" : "%-*s", w, s);
                if (c + 1 < t->ncols)
                    fputs("  ", stdout);
            }
        }
        fputs(markdown ? " |\n" : "\n", stdout);
        if (r == 0 && markdown) {
            for (size_t c = 0; c < t->ncols; c++)
                fputs(t->right[c] ? "| ---: " : "| --- ", stdout);
            fputs("|\n", stdout);
        }
    }
}

void tbl_free(tbl *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
}

