/*
 * row.c: results rows as text, CSV lines in and out.
 *
 * Rows are written whole with one write() on an O_APPEND descriptor, so an
 * interrupted run leaves only complete lines behind.
 */
#include "row.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const hb_column_names[HB_NCOLS] = {
#define HB_COL_NAME(name, doc) #name,
    HB_COLUMNS(HB_COL_NAME)
#undef HB_COL_NAME
};

const char *const hb_column_docs[HB_NCOLS] = {
#define HB_COL_DOC(name, doc) doc,
    HB_COLUMNS(HB_COL_DOC)
#undef HB_COL_DOC
};

void hb_row_clear(hb_row *r) { memset(r, 0, sizeof *r); }

void hb_row_set(hb_row *r, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->v[col], HB_FIELD_MAX, fmt, ap);
    va_end(ap);
}

int hb_column_index(const char *name)
{
    for (int i = 0; i < HB_NCOLS; i++)
        if (strcmp(hb_column_names[i], name) == 0)
            return i;
    return -1;
}

double hb_row_num(const hb_row *r, int col, int *ok)
{
    char *end;
    const char *s = r->v[col];
    *ok = 0;
    if (s[0] == '\0')
        return 0;
    errno = 0;
    double d = strtod(s, &end);
    if (errno != 0 || *end != '\0')
        return 0;
    *ok = 1;
    return d;
}

static int put_field(char *buf, size_t len, size_t *at, const char *s)
{
    int quote = strpbrk(s, ",\"\n\r") != NULL;
    if (quote) {
        if (*at + 1 >= len)
            return -1;
        buf[(*at)++] = '"';
    }
    for (; *s; s++) {
        if (*at + 2 >= len)
            return -1;
        if (*s == '"')
            buf[(*at)++] = '"';
        buf[(*at)++] = *s;
    }
    if (quote) {
        if (*at + 1 >= len)
            return -1;
        buf[(*at)++] = '"';
    }
    return 0;
}

static int join(const char *const *fields, char *buf, size_t len)
{
    size_t at = 0;
    for (int i = 0; i < HB_NCOLS; i++) {
        if (i > 0) {
            if (at + 1 >= len)
                return -1;
            buf[at++] = ',';
        }
        if (put_field(buf, len, &at, fields[i]) != 0)
            return -1;
    }
    if (at + 2 > len)
        return -1;
    buf[at++] = '\n';
    buf[at] = '\0';
    return (int)at;
}

int hb_csv_header(char *buf, size_t len) { return join(hb_column_names, buf, len); }

int hb_csv_line(const hb_row *r, char *buf, size_t len)
{
    const char *fields[HB_NCOLS];
    for (int i = 0; i < HB_NCOLS; i++)
        fields[i] = r->v[i];
    return join(fields, buf, len);
}

int hb_csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return max + 1; /* too many */
        if (*p == '"') {
            char *out = ++p;
            fields[n++] = out;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *out++ = *p++;
            }
            *out = '\0';
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\0')
                return n;
            return -1;
        }
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL)
            return n;
        *comma = '\0';
        p = comma + 1;
    }
}

int hb_row_append(int fd, const hb_row *r)
{
    char buf[HB_NCOLS * HB_FIELD_MAX * 2];
    int n = hb_csv_line(r, buf, sizeof buf);
    if (n < 0) {
        errno = EOVERFLOW;
        return -1;
    }
    ssize_t w = write(fd, buf, (size_t)n);
    if (w != n) {
        if (w >= 0)
            errno = ENOSPC;
        return -1;
    }
    return 0;
}
